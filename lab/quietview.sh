#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lab/quietview.sh: a round's benign traffic made as quiet as a server
# with a few clients (lab/demo.sh's quiet views).
#
#   bash lab/quietview.sh IN.pcap OUT.pcap KEEP
#
# Writes OUT.pcap: the TCP and UDP packets of IN.pcap (IPv4 or IPv6)
# whose source port is a multiple of KEEP (a power of two), nothing else.
# IN.pcap is what the server receives (the lab's captures), so the source
# port is the client's, drawn at random per connection or query: a flow
# is kept whole or not at all, one in KEEP of them. ICMP and everything
# without ports is left out.
#
# Why: the lab's rounds never let the server rest (40 benign clients,
# attacks one after the other), so a first packet at a quiet host (a
# host that has seen a few flows in the last second, every one of them a
# one-packet DNS query: ingress only, a query is one packet) was in no
# round's benign rows, and the floods' first packets there are left out
# (lab/handshake-benign.awk CLASS:quietK). The forest filled that corner
# from the floods' rows at 16-63 flows a second, and named the held-out
# sets' benign DNS queries udp_flood at a server's first quiet second
# (6 of 3,285 and 9 of 3,161 benign flows; docs/lab.md, "Quiet views").
set -u
[ $# -eq 3 ] || { echo "usage: bash lab/quietview.sh IN.pcap OUT.pcap KEEP" >&2; exit 2; }
in=$1 out=$2 keep=$3
if ! [[ "$keep" =~ ^[0-9]+$ ]] || [ "$keep" -lt 1 ] || [ $((keep & (keep - 1))) != 0 ]; then
	echo "quietview: KEEP must be a power of two, not '$keep'" >&2
	exit 2
fi
[ -r "$in" ] || { echo "quietview: cannot read $in" >&2; exit 1; }
m=$((keep - 1))
# tcpdump's tcp[] and udp[] read IPv4 only: IPv6 by the fixed header's
# offsets (next header 6 or 17, the source port at byte 40)
q="(ip and tcp and (tcp[0:2] & $m) = 0) or (ip and udp and (udp[0:2] & $m) = 0)"
q+=" or (ip6 and (ip6[6] = 6 or ip6[6] = 17) and (ip6[40:2] & $m) = 0)"
tcpdump -r "$in" -w "$out" "$q" 2> /dev/null ||
	{ echo "quietview: tcpdump could not write $out" >&2; exit 1; }
