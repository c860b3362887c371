# SPDX-License-Identifier: MIT
# lab/later-rows.awk: the training rows of a one-flow view (lab/demo.sh
# oneflow_views), in a CSV of `flowforest extract`, before
# lab/handshake-benign.awk.
#
#   awk -F, -f lab/later-rows.awk view.flows.csv > view.later.csv
#
# Keeps the header and the rows after a flow's first packet (Total Fwd
# Packet + Total Bwd packets above 1). The view's first packets are the
# service view's again (the same packets at one service; the source port
# a flow's first packet cannot show), so they would double that weight
# (and a lone DNS query's at a busy service) and teach nothing new: what
# is new is a flow's second SYN or datagram and after.
NR == 1 {
	for (i = 1; i <= NF; i++) {
		if ($i == "Total Fwd Packet")
			f = i
		if ($i == "Total Bwd packets")
			b = i
	}
	if (!f || !b) {
		print "later-rows.awk: no Total Fwd Packet or Total Bwd packets column" > "/dev/stderr"
		exit 1
	}
	print
	next
}
$f + $b > 1
