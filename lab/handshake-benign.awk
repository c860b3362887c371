# SPDX-License-Identifier: MIT
# lab/handshake-benign.awk: relabel the handshake snapshots of
# application-layer attacks as benign, in a CSV of `flowforest extract`.
#
#   awk -F, -v classes=slowloris,ssh_bruteforce -f lab/handshake-benign.awk in.csv > out.csv
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
BEGIN {
	OFS = FS
	n = split(classes, c, ",")
	for (i = 1; i <= n; i++) relabel[c[i]] = 1
}
NR == 1 {
	for (i = 1; i <= NF; i++) {
		if ($i == "Label") lab = i
		if ($i == "Fwd Act Data Pkts") dat = i
	}
	if (!lab || !dat) {
		print "handshake-benign.awk: no Label or Fwd Act Data Pkts column" > "/dev/stderr"
		exit 1
	}
	print
	next
}
{
	if (($lab in relabel) && $dat == 0) {
		$lab = "benign"
		changed++
	}
	print
}
END {
	if (NR > 1) printf "handshake-benign.awk: %d handshake rows relabelled benign\n", changed > "/dev/stderr"
}
