#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lab/dnsview.sh: a round's capture with its benign DNS service made quiet
# (lab/demo.sh's DNS views).
#
#   bash lab/dnsview.sh IN.pcap OUT.pcap KEEP SRC...
#
# Writes OUT.pcap: every packet of IN.pcap but the DNS queries (UDP to
# port 53, IPv4 or IPv6) from the addresses or prefixes SRC (the busy DNS
# clients), of which it keeps one in KEEP (a power of two): those whose
# source port is a multiple of KEEP (a client draws its port at random).
# The other clients' queries (a lone resolver client's), the floods, the
# scans and every other packet stay as they were.
#
# Why: the lab's benign DNS clients ask 100-300 queries a second
# (lab/benign.py), so the DNS service is never quiet while a flood runs,
# and a lone resolver client's query to a quiet DNS service at a flooded
# host (a one-packet UDP flow from a sender of a flow a second, at a
# service of one flow a second: a port-spraying flood's row) was hardly
# in training: run W's rows held 13 such benign rows at a flooded host
# against 2,996 of the UDP floods, and one forest of three named the lone
# dig client's queries udp_flood once the mix's DNS clients had stopped
# (docs/lab.md, "DNS views"). The view's benign UDP rows
# (lab/benign-udp-rows.awk) are the lone client's queries at a quiet DNS
# service, the floods going on.
set -u
[ $# -ge 4 ] || { echo "usage: bash lab/dnsview.sh IN.pcap OUT.pcap KEEP SRC..." >&2; exit 2; }
in=$1 out=$2 keep=$3
shift 3
if ! [[ "$keep" =~ ^[0-9]+$ ]] || [ "$keep" -lt 1 ] || [ $((keep & (keep - 1))) != 0 ]; then
	echo "dnsview: KEEP must be a power of two, not '$keep'" >&2
	exit 2
fi
[ -r "$in" ] || { echo "dnsview: cannot read $in" >&2; exit 1; }
m=$((keep - 1))
# a query of SRC: UDP to port 53 whose source port is not a multiple of
# KEEP (tcpdump's udp[] reads IPv4 only: IPv6 by the fixed header's offsets)
q="((ip and udp dst port 53 and (udp[0:2] & $m) != 0)"
q+=" or (ip6 and ip6[6] = 17 and ip6[42:2] = 53 and (ip6[40:2] & $m) != 0))"
s=
for a in "$@"; do
	case $a in */*) s+=" or src net $a" ;; *) s+=" or src host $a" ;; esac
done
q+=" and (${s# or })"
tcpdump -r "$in" -w "$out" "not ($q)" 2> /dev/null ||
	{ echo "dnsview: tcpdump could not write $out" >&2; exit 1; }
