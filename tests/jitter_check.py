#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/jitter_check.py IN.pcap OUT.pcap US: checks what
`lab/pcaprewrite.py --jitter US` (every packet selected) wrote, for
test_cli:

- the same frames, byte for byte (timestamps alone move: no checksum
  recomputed), as many as before;
- OUT in time order;
- every packet moved by at most US microseconds either way, and most of
  them moved at all;
- each flow's packets (either direction; a frame is matched to its input
  by its bytes and its rank among equal frames) in their input order.

Prints "jitter ok: N packets, M moved, at most D us" and exits 0, or
names what is wrong and exits 1.
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab"))
import pcaprewrite  # noqa: E402


def flow(frame):
    p = pcaprewrite.Packet(frame)
    if not p.ok:
        return None
    sport, dport = p.ports(frame)
    return (p.proto,) + tuple(sorted(((str(p.src), sport), (str(p.dst), dport))))


def main():
    src, out, us = sys.argv[1], sys.argv[2], int(sys.argv[3])
    _, _, _, before = pcaprewrite.read_pcap(src)
    _, _, _, after = pcaprewrite.read_pcap(out)
    bad = []
    if sorted(bytes(r[1]) for r in before) != sorted(bytes(r[1]) for r in after):
        bad.append("the frames differ")
    if any(a[0] > b[0] for a, b in zip(after, after[1:])):
        bad.append("not in time order")
    at = defaultdict(list)  # frame -> input indices, in order
    for i, r in enumerate(before):
        at[bytes(r[1])].append(i)
    seen, moved, most, order = defaultdict(int), 0, 0, defaultdict(list)
    for r in after:
        k = bytes(r[1])
        i = at[k][seen[k]] if seen[k] < len(at[k]) else None
        seen[k] += 1
        if i is None:
            continue
        d = r[0] - before[i][0]
        moved += d != 0
        most = max(most, abs(d))
        order[flow(r[1])].append(i)
    if most > us * 1000:
        bad.append(f"a packet moved by {most} ns, more than {us} us")
    if moved * 2 < len(before):
        bad.append(f"only {moved} of {len(before)} packets moved")
    for f, idx in order.items():
        if f is not None and idx != sorted(idx):
            bad.append(f"flow {f}: its packets out of order")
            break
    if bad:
        print("jitter: " + "; ".join(bad))
        return 1
    print(f"jitter ok: {len(after)} packets, {moved} moved, at most {most / 1000:g} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
