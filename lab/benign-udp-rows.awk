# SPDX-License-Identifier: MIT
# lab/benign-udp-rows.awk: the training rows of a DNS view
# (lab/dnsview.sh) or a quiet view (lab/quietview.sh), in a CSV of
# `flowforest extract`, before lab/handshake-benign.awk.
#
#   awk -F, -f lab/benign-udp-rows.awk view.flows.csv > view.udp.csv
#
# Keeps the header and the benign UDP rows (Protocol 17, Label benign).
# A DNS view differs from its round only in the DNS service's quiet, so
# its other rows are the round's again (their weight doubled, nothing
# new); a quiet view's TCP rows, taught too, moved the public captures
# (docs/lab.md, "Quiet views").
NR == 1 {
	for (i = 1; i <= NF; i++) {
		if ($i == "Label")
			l = i
		if ($i == "Protocol")
			p = i
	}
	if (!l || !p) {
		print "benign-udp-rows.awk: no Label or Protocol column" > "/dev/stderr"
		exit 1
	}
	print
	next
}
$p == 17 && $l == "benign"
