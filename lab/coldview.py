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

With --fast-classes, every tool of those classes also gets a fast view,
OUT/fast_CLASS_TOOL_K.pcap: from a start drawn in the first half of the
tool's window (draws of their own: the cold views stay as they were), the
capture's packets for --seconds, but the tool's packets from the start to
its window's end come `speed` times closer together (drawn log-uniform
in --fast A-B per view): the same sources, flows and packets sent that
much faster, amid the rest of the capture at its own times. The lab's
tools send a SYN flood at a service at 940 new flows a second at most, a
spoofed flood from the internet 5,000-23,000; above the counts a forest
has seen, its highest splits decide (docs/lab.md, "Fast views").

Why: a round's captures are extracted on one clock from the capture's
start, whose first seconds are quiet, so a forest never saw a flood at a
cold table, which has seen no one come back (ctx_src_return_age_us
"never" for every source, ctx_table_age_us below 2 s) and whose windows
are not full. How much a forest leaned on the return age there was luck: run J's model flagged 0 % of a held-out hping3
--rand-source flood's first second (docs/lab.md, "Cold start views").
In a view, floods and benign clients both meet the cold table, and the
forest must tell them apart by the rest of the context.

  python3 lab/coldview.py --tools lab/out/train/tools.rules \\
      --classes syn_flood,udp_flood,icmp_flood --seconds 3 --seed 2 \\
      --fast-classes syn_flood --fast 4-32 \\
      --out lab/out/train/cold lab/out/train/capture.pcap

Standard library only.
"""
import argparse
import itertools
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402  (lab/evaluate.py: class_tool_windows)
import pcaprewrite  # noqa: E402


def is_tool(frame, t, windows):
    """Is `frame`, at time t (seconds), to or from one of the tool's
    prefixes inside its windows?"""
    p = pcaprewrite.Packet(frame)
    return p.ok and any(net.version == p.src.version and (p.src in net or p.dst in net)
                        for net, w0, w1 in windows if w0 <= t <= w1)


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
        if is_tool(pkts[i][1], times[i], windows):
            return i
    return None


def view(pkts, times, windows, first, seconds, speed=1.0):
    """The packets from index `first` for `seconds` (not the one at
    `seconds`), time-ordered. With `speed` above 1, the tool's packets
    (is_tool) of the window that holds the start come `speed` times closer
    together, measured from the start: the same flood sent that much
    faster (its sources, flows and packets as they were), amid the rest of
    the capture at its own times."""
    start = pkts[first][0]
    stop = start + int(seconds * 1e9)
    if speed == 1.0:
        return list(itertools.takewhile(lambda r: r[0] < stop, pkts[first:]))
    w1 = max(w1 for _, w0, w1 in windows if w0 <= times[first] <= w1)
    last = max(stop, min(int(w1 * 1e9), start + int(seconds * speed * 1e9)))
    out = []
    for i in range(first, len(pkts)):
        ns, frame, orig = pkts[i]
        if ns > last:
            break
        if times[i] <= w1 and is_tool(frame, times[i], windows):
            ns = start + int((ns - start) / speed)
        if ns < stop:
            out.append((ns, frame, orig))
    out.sort(key=lambda r: r[0])
    return out


def write_view(path, header, endian, nano, recs):
    """Packets `recs` (time-ordered) into capture `path`; their count."""
    with open(path, "wb") as f:
        f.write(header)
        for ns, frame, orig in recs:
            sec, rem = divmod(ns, 1_000_000_000)
            f.write(struct.pack(endian + "IIII", sec, rem if nano else rem // 1000,
                                len(frame), orig))
            f.write(frame)
    return len(recs)


def start_in(pkts, times, windows, w0, t):
    """The index of a view's first packet: the tool's first at or after t,
    or if it sent none after t, after w0; None if it sent nothing."""
    first = tool_packet_at(pkts, times, windows, t)
    return first if first is not None else tool_packet_at(pkts, times, windows, w0)


def save(path, header, endian, nano, recs, t0, speed):
    n = write_view(path, header, endian, nano, recs)
    print(f"{path} {t0:.6f} {n}" + (f" speed {speed:.2f}" if speed != 1.0 else ""))


def speeds(text):
    lo, _, hi = text.partition("-")
    try:
        lo, hi = float(lo), float(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': A-B, two numbers")
    if not 1 <= lo <= hi:
        raise argparse.ArgumentTypeError(f"'{text}': 1 <= A <= B")
    return lo, hi


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
    ap.add_argument("--fast-classes", default="",
                    help="comma-separated: these classes' tools get fast views too")
    ap.add_argument("--fast", type=speeds, default=(4.0, 32.0), metavar="A-B",
                    help="a fast view's speed, drawn log-uniform in A..B (default 4-32)")
    ap.add_argument("capture", help="the round's capture (pcap, time-ordered)")
    a = ap.parse_args()
    if not os.path.isfile(a.capture):
        ap.error(f"{a.capture}: no such file")
    if a.seconds <= 0 or a.per_tool < 1:
        ap.error("--seconds must be above 0 and --per-tool at least 1")
    classes = set(a.classes.split(","))
    fast = set(filter(None, a.fast_classes.split(",")))
    rng = random.Random(a.seed)
    frng = random.Random(f"fast {a.seed}")	# the cold views' draws stay as they were
    header, endian, nano, pkts = pcaprewrite.read_pcap(a.capture)
    times = [ns / 1e9 for ns, _, _ in pkts]
    os.makedirs(a.out, exist_ok=True)
    for tool, windows in evaluate.class_tool_windows(a.tools, classes | fast, "coldview"):
        spans = sorted({(w0, w1) for _, w0, w1 in windows})
        name = tool.replace('/', '_')
        for k in range(a.per_tool):
            if tool.split("/")[0] in classes:
                w0, w1 = spans[rng.randrange(len(spans))]
                first = start_in(pkts, times, windows, w0, rng.uniform(w0, w1))
                if first is not None:
                    save(os.path.join(a.out, f"cold_{name}_{k}.pcap"), header, endian, nano,
                         view(pkts, times, windows, first, a.seconds), times[first], 1.0)
            if tool.split("/")[0] in fast:
                # from the window's first half: the flood, sent faster, fills less time
                w0, w1 = spans[frng.randrange(len(spans))]
                first = start_in(pkts, times, windows, w0, frng.uniform(w0, (w0 + w1) / 2))
                speed = a.fast[0] * (a.fast[1] / a.fast[0]) ** frng.random()
                if first is not None:
                    save(os.path.join(a.out, f"fast_{name}_{k}.pcap"), header, endian, nano,
                         view(pkts, times, windows, first, a.seconds, speed), times[first],
                         speed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
