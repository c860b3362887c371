#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/coldview.py: windows of a round's capture that start inside a
running flood, each a capture of its own, for training on what a flood
looks like to a filter attached while it runs (the context's cold start).

For every CLASS/TOOL of the label rules (lab_tools in lab/lab.sh: the
tool's prefixes and time windows) whose class is one of --classes, writes
--per-tool captures OUT/cold_CLASS_TOOL_K.pcap: every packet of the
capture (benign clients, other tools, the tool) from a start inside the
tool's window for --seconds. The start is the first packet of the tool at
or after a time drawn at random in its window (--seed): the flood is
sending when the view begins. Nothing before the start is kept, so
`flowforest extract` of a view counts its context from its first packet
(context.h, ff_ctx_entries): a fresh table, as at a filter attached during
the flood, or a capture that begins mid-flood. Prints one line per file:
the file, its first packet's time and its packets.

Why: a round's captures are extracted on one clock from the capture's
start, whose first seconds are quiet, so a forest never saw a flood at a
cold table, where a source not seen coming back reads the time counted
(ctx_src_return_age_us 0..2 s, FF_CTX_COLD_US), as a returning client's
network reads, instead of "never". How much a forest leaned on that
feature there was luck: run J's model flagged 0 % of a held-out hping3
--rand-source flood's first second (docs/lab.md, "Cold start views").
In a view, floods and benign clients both meet the cold table, and the
forest must tell them apart by the rest of the context.

  python3 lab/coldview.py --tools lab/out/train/tools.rules \\
      --classes syn_flood,udp_flood,icmp_flood --seconds 3 --seed 2 \\
      --out lab/out/train/cold lab/out/train/capture.pcap

Standard library only.
"""
import argparse
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402  (lab/evaluate.py: class_tool_windows)
import pcaprewrite  # noqa: E402


def tool_packet_at(pkts, times, windows, t):
    """Index of the first packet at or after time t (seconds) to or from
    one of the tool's prefixes inside its windows; None if there is none."""
    lo, hi = 0, len(times)
    while lo < hi:	# the first packet at or after t
        mid = (lo + hi) // 2
        if times[mid] < t:
            lo = mid + 1
        else:
            hi = mid
    end = max(w1 for _, _, w1 in windows)
    for i in range(lo, len(pkts)):
        if times[i] > end:
            break
        p = pcaprewrite.Packet(pkts[i][1])
        if p.ok and any(net.version == p.src.version and (p.src in net or p.dst in net)
                        for net, w0, w1 in windows if w0 <= times[i] <= w1):
            return i
    return None


def write_view(path, header, endian, nano, pkts, first, seconds):
    """Packets from index `first` for `seconds` (not the one at `seconds`)
    into capture `path`; their count."""
    stop = pkts[first][0] + int(seconds * 1e9)
    n = 0
    with open(path, "wb") as f:
        f.write(header)
        for ns, frame, orig in pkts[first:]:
            if ns >= stop:
                break
            sec, rem = divmod(ns, 1_000_000_000)
            f.write(struct.pack(endian + "IIII", sec, rem if nano else rem // 1000,
                                len(frame), orig))
            f.write(frame)
            n += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", required=True, help="label rules CLASS/TOOL:host=NET,time=T0-T1")
    ap.add_argument("--classes", required=True, help="comma-separated: these classes' tools")
    ap.add_argument("--out", required=True, help="folder for cold_CLASS_TOOL_K.pcap (made if missing)")
    ap.add_argument("--seconds", type=float, default=3.0,
                    help="each view's length (default 3: the cold 2 s and a little)")
    ap.add_argument("--per-tool", type=int, default=1, help="views per tool (default 1)")
    ap.add_argument("--seed", type=int, default=1, help="the starts' random draws (default 1)")
    ap.add_argument("capture", help="the round's capture (pcap, time-ordered)")
    a = ap.parse_args()
    if not os.path.isfile(a.capture):
        ap.error(f"{a.capture}: no such file")
    if a.seconds <= 0 or a.per_tool < 1:
        ap.error("--seconds must be above 0 and --per-tool at least 1")
    classes = set(a.classes.split(","))
    rng = random.Random(a.seed)
    header, endian, nano, pkts = pcaprewrite.read_pcap(a.capture)
    times = [ns / 1e9 for ns, _, _ in pkts]
    os.makedirs(a.out, exist_ok=True)
    for tool, windows in evaluate.class_tool_windows(a.tools, classes, "coldview"):
        spans = sorted({(w0, w1) for _, w0, w1 in windows})
        for k in range(a.per_tool):
            w0, w1 = spans[rng.randrange(len(spans))]
            first = tool_packet_at(pkts, times, windows, rng.uniform(w0, w1))
            if first is None:	# the draw fell after the tool's last packet
                first = tool_packet_at(pkts, times, windows, w0)
            if first is None:
                continue	# the tool sent nothing in the capture
            out = os.path.join(a.out, f"cold_{tool.replace('/', '_')}_{k}.pcap")
            n = write_view(out, header, endian, nano, pkts, first, a.seconds)
            print(f"{out} {times[first]:.6f} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
