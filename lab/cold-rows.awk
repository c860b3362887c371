# SPDX-License-Identifier: MIT
# lab/cold-rows.awk: the training rows of a cold view (lab/coldview.py), in
# a CSV of `flowforest extract`, before lab/handshake-benign.awk.
#
#   awk -F, -v floods=syn_flood,udp_flood,icmp_flood \
#       -f lab/cold-rows.awk view.flows.csv > view.cold.csv
#
# A cold view is a window of a round that starts inside a running flood,
# extracted on its own clock: a filter attached during the flood, whose
# context table has seen no one come back (ctx_src_return_age_us "never"
# for every source, ctx_table_age_us below 2 s; context.h FF_CTX_COLD_US).
# It teaches the floods and the benign traffic at a cold
# table, and what a row there cannot tell is left out rather than taught
# (offline on run J's captures, docs/lab.md "Cold start views"):
#
# - benign rows pass;
# - rows of the floods (floods=) pass, but not at a flow's first packet
#   while the receiving host has seen fewer than `host` (default 64) flows
#   opened in the last second (ctx_host_new_flows_1s): at a cold table
#   every source reads "never", and before the host shows a flood a flood's
#   first packet is a client's first query or SYN (lab/handshake-benign.awk
#   CLASS:quietK is the same rule for a warm table, at 16: there the
#   return age still tells; taught at 16 here, benign DNS queries in a
#   capture's first half second were named udp_flood);
# - rows of the scans (scans=, default portscan) pass, but not at a flow's
#   first packet while its sender has opened fewer than `sender` (default
#   16) flows in the last second (ctx_src_new_flows_1s): a scanner's first
#   SYNs from a sender the table has only just begun to watch are a new
#   client's first SYNs (taught, the held-out set's benign clients' first
#   SYNs at a cold table were named portscan: 3-9 of 3,905);
# - with fast=1 (a fast view, lab/coldview.py --fast-classes: a flood's
#   packets sent many times faster than the lab's tools can), a benign
#   flow's first packet that is a bare SYN is left out too: at a cold
#   table a new client's first SYN to a service flooded that fast is the
#   flood's own fresh source, and taught benign there it made the top of
#   every count the forest had seen benign, where a faster spoofed flood's
#   one-packet flows then fell (docs/lab.md, "Fast views"); the benign
#   flows' later packets, and their first packets of other kinds, pass;
# - rows of the other attack classes are left out: a view cuts their
#   connections in the middle, where a keep-alive HTTP flood's connection
#   is a browser's keep-alive connection (taught, run J's benign keep-alive
#   connections were named http_flood at their 12th to 43rd packet); they
#   are taught by the rounds' captures and the tool views.
#
# Labels: CLASS, or CLASS/TOOL (lab/evaluate.py's folds): cut at the first "/".
BEGIN {
	OFS = FS
	if (scans == "")
		scans = "portscan"
	host = host == "" ? 64 : host + 0
	sender = sender == "" ? 16 : sender + 0
	fast = fast + 0
	n = split(floods, k, ",")
	for (i = 1; i <= n; i++)
		is_flood[k[i]] = 1
	n = split(scans, k, ",")
	for (i = 1; i <= n; i++)
		is_scan[k[i]] = 1
}
NR == 1 {
	for (i = 1; i <= NF; i++) {
		if ($i == "Label") lab = i
		if ($i == "Total Fwd Packet") fp = i
		if ($i == "Total Bwd packets") bp = i
		if ($i == "ctx_host_new_flows_1s") hnew = i
		if ($i == "ctx_src_new_flows_1s") snew = i
		if ($i == "SYN Flag Count") syn = i
		if ($i == "ACK Flag Count") ack = i
	}
	if (!lab || !fp || !bp || !hnew || !snew || fast && (!syn || !ack)) {
		print "cold-rows.awk: no Label, packet count, ctx_host_new_flows_1s or ctx_src_new_flows_1s column (with fast=1: SYN and ACK Flag Count)" > "/dev/stderr"
		exit 1
	}
	print
	next
}
{
	cls = $lab
	sub(/\/.*/, "", cls)
	first = $fp + $bp == 1
	if (cls == "benign" && fast && first && $syn == 1 && $ack == 0) {
		left["benign"]++
		next
	}
	if (cls == "benign" || (cls in is_flood) && !(first && $hnew < host) ||
	    (cls in is_scan) && !(first && $snew < sender)) {
		print
		next
	}
	left[(cls in is_flood) ? "flood" : (cls in is_scan) ? "scan" : "other"]++
}
END {
	if (NR > 1)
		printf "cold-rows.awk: left out %d first packets of floods at a quiet host, %d of scans from a quiet sender, %d rows of other attack classes, %d benign first SYNs (fast=%d)\n",
			left["flood"], left["scan"], left["other"], left["benign"], fast > "/dev/stderr"
}
