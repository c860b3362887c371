# SPDX-License-Identifier: MIT
# lab/handshake-benign.awk: relabel the handshake snapshots of
# application-layer attacks as benign, in a CSV of `flowforest extract`.
#
#   awk -F, -v classes=slow_http:5,ssh_bruteforce:12:open,http_flood:5:pair20:burst10:to8:pace50 \
#       -f lab/handshake-benign.awk in.csv > out.csv
#
# Until its client has sent a byte of payload, a slowloris or SSH
# brute-force connection is a TCP handshake from the same kernel as every
# benign one: its SYN and ACK snapshots are identical, feature for feature,
# to a browser's or an ssh client's. Labelled by source address they would
# teach the model a coin flip over benign handshakes (and dropping a benign
# SYN costs its client a 1 s retransmission, or the connection). So rows of
# those classes whose "Fwd Act Data Pkts" is 0 become benign; the flow is
# still labelled from its first payload packet on. Label rules match whole
# flows, so this is done here, after extract. Other rows pass unchanged.
#
# CLASS:N: that class's rows with fewer than N packets become benign too: an
# early verdict must be surer than a late one, so the model is not taught to
# drop an application-layer flow before its Nth packet, while it still looks
# like a browser's or an ssh client's (see docs/lab.md, early verdicts).
#
# CLASS:N:open: the same while the flow is open; the rows of a flow that has
# ended (a FIN or RST counted) keep their label: a whole connection is no
# early verdict. An ssh connection that closes after one wrong password (11
# or 12 packets) is taught at its close.
#
# CLASS:N:M:K: rows before N benign, and rows before M too unless the
# sender's context shows at least K flows opened in the last second
# (ctx_src_new_flows_1s): before its Mth packet an HTTP request flood's
# connection is a browser's request, and only the context says "flood"
# (hundreds of connections a second from one network). The first
# connections of a flood, and a keep-alive flood's few connections, are
# taught from packet M.
#
# CLASS:...:pairP (last): whatever the rules above say, a row keeps its
# label when its pair context (the sender's /24 or /64 towards this
# service) shows P or more flows opened in the last second per host of the
# prefix (ctx_pair_flows_per_peer_bit_1s): a handshake amid hundreds of
# connections a second from one host is the flood's, not a browser's, and
# taught as benign it would teach that context as benign. (In the lab's
# recordings benign hosts open at most 11 a second to one service.)
#
# CLASS:...:tenT (with or after pairP): pairP keeps a row's label only when
# the sender has also opened T or more flows per host of its prefix to
# this service in the last 10 s (ctx_pair_flows_per_peer_bit_10s): an
# early verdict needs a sustained pace, not a second's burst. A brute
# force's first connections from a sender not seen before (lab/toolview.py's
# views), several at once, are a benign client's burst until the pace
# holds (taught at their 5th packet, a held-out set's busy benign HTTP
# clients were named ssh_bruteforce there: 4-5 of 3,905); their ends and
# their 12th packets are still taught as the attack.
#
# CLASS:...:burstB (with or after pairP): a row keeps its label too when
# the sender's prefix opened B or more flows to this service in the last
# 100 ms per host of it (ctx_pair_new_flows_100ms over
# ctx_pair_peer_bits_1s, floored): B connections from one host within
# 100 ms. A request flood's threads start together, and its first
# connections complete within milliseconds, before the 1 s window reaches
# pairP (run A3: py-close's first 18 connections of each burst, in 12 ms,
# were taught benign and let through); a browser opens 2-8 at once (at
# most 8 per host in 100 ms over the benign HTTP rows of runs K and A3;
# lab/benign.py's curl pages, one connection per URL one after the other,
# reach 10-11 in runs H and J, up to 16 by design: run J's one HTTP
# false alarm was such a page at exactly 10, docs/lab.md "Runs G and J's
# HTTP failures").
#
# CLASS:...:toM:paceQ:ageMS (with or after pairP): a row with client
# payload from packet N to M-1 is taught benign too, unless the sender's
# prefix opened Q or more flows to this service in the last 10 s per host
# of it (paceQ, ctx_pair_flows_per_peer_bit_10s) or its flow has lasted
# MS milliseconds or more (ageMS, Flow Duration); pairP and burstB keep a
# row's label as everywhere. A request flood whose 1 s and 100 ms rates
# sag (its server answers slowly, its connections are being dropped)
# still holds a flood's pace over 10 s, which a browser does not (the
# lab's benign hosts reach at most 44 per host in 10 s to one service in
# training, run T's busiest page browsers 35-38); a slow attack's
# connection shows itself by its age (a slowloris request whose headers
# trickle in). Run T's page browsers, 12-16 connections a second from
# one host, were named http_flood and slow_http at their packets 5-6
# (50-250 ms old), where the floods' rows at that pace and the slow read
# tools' young connections were taught as the attack (docs/lab.md, "Page
# browsers named http_flood"). Rows before N and handshakes are as
# above, whatever the pace.
#
# CLASS:...:holdH (with any of the above): a row that the rules above
# would teach benign is left out instead (neither benign nor the attack)
# while the sender's prefix holds H or more flows per host to this service
# in the last 10 s (ctx_pair_flows_per_peer_bit_10s). A flood that is
# being dropped, or whose server stalls, comes in waves: each wave's first
# connections open at a low 1 s and 100 ms rate (below pairP and burstB)
# amid hundreds in 10 s, and a request flood's connection is over in 5-7
# packets and a few ms. Taught benign, those early rows told the forest
# that a flood's 10 s pace is a browser's (no benign TCP row of the lab's
# rounds reaches 45; run W's rounds: 2,739 rows of the HTTP floods and
# slow HTTP tools there, the tools' views included), and it let the waves'
# first connections through whole (run W's py-close, 36 connections a
# second in waves of 34 a second: 139 of 249 flagged; docs/lab.md, "Floods
# in waves"). Left out, they teach nothing; the flood's later rows at that
# pace (paceQ) still teach the attack.
#
# CLASS:quietK (a flood class, alone): that class's rows at a flow's first
# packet are left out while the receiving host has seen fewer than K flows
# opened in the last second (ctx_host_new_flows_1s). At its first packet a
# spread flood's flow is one packet from a new source, the first packet of
# a new client too; only the receiver's context tells a flood, and before
# it shows one (a flood's first tenth of a second, or a slow one's first
# second) a flood's row is a quiet server's first client, and taught as
# the flood it teaches the forest to drop a quiet server's first clients
# (`--floods segments`: the held-out set's benign browsing, its first SYNs
# named syn_flood at packet 1; docs/lab.md "Floods that the receiver does
# not see yet"). Its later rows, and rows where the host is busy, keep
# their label.
#
# CLASS:quietK:svcS: left out too, at a flow's first packet, while the
# flow's service (address, port, protocol) shows fewer than S permille of
# its new flows in the last second without a second packet
# (ctx_svc_one_pkt_share_permille): the host may be flooded, but not this
# service, or not yet. There a flood's first SYN is a new client's first
# SYN, feature for feature (a lone client's /24 that never came back, at a
# host under another flood: run G's 14 benign SYNs named syn_flood at
# packet 1, each service at 0-90 permille); taught as the flood, it
# teaches the forest to drop them (docs/lab.md, "Floods at another
# service"). A fast flood of the service itself reaches S within a
# fraction of a second; a slow one amid busy benign traffic stays below it
# (its first packets are not taught there).
#
# CLASS:fewK (a scan class, alone): that class's rows are left out while
# the sender's context shows fewer than K services (responder address,
# port, protocol) opened to in the last 1-2 s and in the last 10-20 s
# (ctx_src_peer_bits_1s and ctx_src_peer_bits_10s). What makes a scan is
# its many services; its first probes at a sender not seen before (a
# tool's view, lab/toolview.py, or a scan that starts alone) reach a few,
# as a client's first connections do (a browser 80 and 443, an ssh client
# 22: the lab's benign sources reach at most 4 in 1 s and 5 in 10 s), and
# are a client's first SYN feature for feature. Taught as the scan, they
# teach the forest to drop clients at a cold filter (the held-out set's
# benign first SYNs, 2 services, named portscan at packet 1: 8 of 3,905
# with scan views and without this rule). From the Kth service on, every
# row is taught as the scan.
#
# A label CLASS/TOOL (lab/evaluate.py's leave-one-tool-out folds) becomes
# benign/CLASS/TOOL: benign to the trainer (evaluate.py cuts labels at the
# first "/"), and still the tool's, so that a fold that leaves the tool out
# leaves out its relabelled rows too. Kept in training as plain benign, a
# flood's handshake rows carry its context (hundreds of flows a second from
# one host to one service) and teach the fold that context as benign.
#
# Final snapshots (reason "idle" or "end": a flow's last state when it
# timed out or the capture ended) are left out: the kernel never decides
# there, and their context rows (ctx_*) are read long after the flow's last
# packet, when the windows around it have moved on (a SYN flood's lone SYN
# would be taught as a flood in an empty context).

# need_column(USED, COLUMN, WHAT): an option the rules use needs its column
# in the CSV; without it the rule would silently read 0 and relabel wrong.
function need_column(used, column, what)
{
	if (used && !column) {
		print "handshake-benign.awk: " what > "/dev/stderr"
		exit 1
	}
}

BEGIN {
	OFS = FS
	n = split(classes, c, ",")
	for (i = 1; i <= n; i++) {
		m = split(c[i], cm, ":")
		if (cm[2] ~ /^few[0-9]+$/) {
			few_min[cm[1]] = substr(cm[2], 4) + 0
			continue
		}
		if (cm[2] ~ /^quiet[0-9]+$/) {
			quiet_host[cm[1]] = substr(cm[2], 6) + 0
			if (m == 3 && cm[3] ~ /^svc[0-9]+$/)
				quiet_svc[cm[1]] = substr(cm[3], 4) + 0
			continue
		}
		relabel[cm[1]] = 1
		min[cm[1]] = cm[2] + 0
		open_only[cm[1]] = cm[3] == "open"
		if (cm[3] ~ /^[0-9]+$/) {
			quiet_min[cm[1]] = cm[3] + 0
			busy[cm[1]] = cm[4] + 0
		}
		for (k = 3; k <= m; k++)
			if (cm[k] ~ /^pair[0-9]+$/)
				pair_busy[cm[1]] = substr(cm[k], 5) + 0
			else if (cm[k] ~ /^ten[0-9]+$/)
				ten_min[cm[1]] = substr(cm[k], 4) + 0
			else if (cm[k] ~ /^burst[0-9]+$/)
				burst_busy[cm[1]] = substr(cm[k], 6) + 0
			else if (cm[k] ~ /^pace[0-9]+$/)
				pace_busy[cm[1]] = substr(cm[k], 5) + 0
			else if (cm[k] ~ /^age[0-9]+$/)
				age_min[cm[1]] = substr(cm[k], 4) * 1000
			else if (cm[k] ~ /^to[0-9]+$/)
				to_min[cm[1]] = substr(cm[k], 3) + 0
			else if (cm[k] ~ /^hold[0-9]+$/)
				hold_busy[cm[1]] = substr(cm[k], 5) + 0
	}
}
NR == 1 {
	for (i = 1; i <= NF; i++) {
		if ($i == "Label") lab = i
		if ($i == "Fwd Act Data Pkts") dat = i
		if ($i == "Total Fwd Packet") fp = i
		if ($i == "Total Bwd packets") bp = i
		if ($i == "reason") why = i
		if ($i == "Flow Duration") dur = i
		if ($i == "FIN Flag Count") fin = i
		if ($i == "RST Flag Count") rst = i
		if ($i == "ctx_src_new_flows_1s") ctx = i
		if ($i == "ctx_pair_flows_per_peer_bit_1s") pctx = i
		if ($i == "ctx_pair_flows_per_peer_bit_10s") p10 = i
		if ($i == "ctx_pair_new_flows_100ms") p100 = i
		if ($i == "ctx_pair_peer_bits_1s") pbits = i
		if ($i == "ctx_host_new_flows_1s") hnew = i
		if ($i == "ctx_svc_one_pkt_share_permille") sone = i
		if ($i == "ctx_src_peer_bits_1s") sb1 = i
		if ($i == "ctx_src_peer_bits_10s") sb10 = i
	}
	if (!lab || !dat || !fp || !bp || !why || !fin || !rst) {
		print "handshake-benign.awk: no Label, reason, Fwd Act Data Pkts, FIN/RST or packet count column" > "/dev/stderr"
		exit 1
	}
	need_column(length(quiet_min), ctx, "CLASS:N:M:K needs the ctx_src_new_flows_1s column")
	need_column(length(ten_min), p10, "CLASS:...:tenT needs the ctx_pair_flows_per_peer_bit_10s column")
	need_column(length(pair_busy), pctx, "CLASS:...:pairP needs the ctx_pair_flows_per_peer_bit_1s column")
	need_column(length(pace_busy), p10, "CLASS:...:paceQ needs the ctx_pair_flows_per_peer_bit_10s column")
	need_column(length(hold_busy), p10, "CLASS:...:holdH needs the ctx_pair_flows_per_peer_bit_10s column")
	need_column(length(age_min), dur, "CLASS:...:ageMS needs the Flow Duration column")
	need_column(length(burst_busy), p100 && pbits, "CLASS:...:burstB needs the ctx_pair_new_flows_100ms and ctx_pair_peer_bits_1s columns")
	if (length(quiet_host) && !hnew) {
		print "handshake-benign.awk: CLASS:quietK needs the ctx_host_new_flows_1s column" > "/dev/stderr"
		exit 1
	}
	if (length(quiet_svc) && !sone) {
		print "handshake-benign.awk: CLASS:quietK:svcS needs the ctx_svc_one_pkt_share_permille column" > "/dev/stderr"
		exit 1
	}
	if (length(few_min) && (!sb1 || !sb10)) {
		print "handshake-benign.awk: CLASS:fewK needs the ctx_src_peer_bits_1s and ctx_src_peer_bits_10s columns" > "/dev/stderr"
		exit 1
	}
	print
	next
}
$why == "idle" || $why == "end" {
	final++
	next
}
{
	cls = $lab	# CLASS, or CLASS/TOOL (lab/evaluate.py's folds)
	sub(/\/.*/, "", cls)
	n = $fp + $bp
	if ((cls in quiet_host) && n == 1 && ($hnew < quiet_host[cls] ||
	    ((cls in quiet_svc) && $sone < quiet_svc[cls]))) {
		quiet++
		next
	}
	if ((cls in few_min) && $sb1 < few_min[cls] && $sb10 < few_min[cls]) {
		few++
		next
	}
	if ((cls in relabel) && !((cls in pair_busy) && $pctx >= pair_busy[cls] &&
	    !((cls in ten_min) && $p10 < ten_min[cls])) &&
	    !((cls in burst_busy) && $pbits > 0 && int($p100 / $pbits) >= burst_busy[cls]) && ($dat == 0 ||
	    (n < min[cls] && !(open_only[cls] && $fin + $rst > 0)) ||
	    ((cls in to_min) && n < to_min[cls] && !(open_only[cls] && $fin + $rst > 0) &&
	     !((cls in pace_busy) && $p10 >= pace_busy[cls]) &&
	     !((cls in age_min) && $dur >= age_min[cls])) ||
	    ((cls in quiet_min) && n < quiet_min[cls] && $ctx < busy[cls]))) {
		if ((cls in hold_busy) && $p10 >= hold_busy[cls]) {
			held++
			next
		}
		$lab = $lab == cls ? "benign" : "benign/" $lab
		changed++
	}
	print
}
END {
	if (NR > 1) printf "handshake-benign.awk: %d handshake (and early) rows relabelled benign%s, %d final snapshots left out%s%s\n",
		changed, length(hold_busy) ? sprintf(", %d at a flood's 10 s pace left out", held) : "",
		final, length(quiet_host) ? sprintf(", %d first packets of floods at a quiet host%s left out", quiet, length(quiet_svc) ? " or service" : "") : "",
		length(few_min) ? sprintf(", %d scan rows at a sender of few services left out", few) : "" > "/dev/stderr"
}
