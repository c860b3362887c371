#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/toolview.py: each attack tool's packets alone, as a capture of its
own, for training on what a tool's first connections look like to a
filter that has not seen its sender yet.

For every CLASS/TOOL of the label rules (lab_tools in lab/lab.sh: the
tool's prefixes and time windows) whose class is one of --classes, writes
OUT/CLASS_TOOL.pcap: the packets to or from the tool's prefixes within its
windows and 5 s after, and the capture's first IP packet (the context's
clock starts with it), as lab/evaluate.py's leave-one-tool-out folds test
a tool (evaluate.py tool_pcap). Prints one line per file: the file and
its packets.

Why: in a lab round the ssh brute-force tools (and the slow HTTP ones)
run one after the other from one host, so in the round's capture every
tool but the first starts where the last one left its sender's context
(a few dozen connections to the service in 10 s): the forest never saw a
brute force's first connections from a fresh sender, and missed them
from a tool it was not trained on (run G: 71-83 % of each ssh tool's
flows). Extracted on its own, a tool's capture is such a fresh start.

  python3 lab/toolview.py --tools lab/out/tools.rules \\
      --classes ssh_bruteforce,slow_http --out lab/out/train/views \\
      lab/out/train/capture.pcap

Standard library only.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402  (lab/evaluate.py: class_tool_windows, tool_pcap)
import pcaprewrite  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", required=True, help="label rules CLASS/TOOL:host=NET,time=T0-T1")
    ap.add_argument("--classes", required=True, help="comma-separated: these classes' tools")
    ap.add_argument("--out", required=True, help="folder for CLASS_TOOL.pcap (made if missing)")
    ap.add_argument("capture", help="the round's capture (pcap)")
    a = ap.parse_args()
    if not os.path.isfile(a.capture):
        ap.error(f"{a.capture}: no such file")
    classes = set(a.classes.split(","))
    cache = {}

    def read(path):	# one read for every tool
        if path not in cache:
            cache[path] = pcaprewrite.read_pcap(path)
        return cache[path]

    os.makedirs(a.out, exist_ok=True)
    for tool, windows in evaluate.class_tool_windows(a.tools, classes, "toolview"):
        out = os.path.join(a.out, tool.replace("/", "_") + ".pcap")
        print(f"{out} {evaluate.tool_pcap([a.capture], windows, out, read)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
