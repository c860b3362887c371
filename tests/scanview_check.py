#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/scanview_check.py DIR FLOWFOREST: checks the demo's scan views
for test_lab (no root, no lab).

lab/demo.sh cuts each scan tool's packets out of a round (lab/toolview.py,
VIEW_CLASSES has portscan) so that the forest sees scans start at a
sender it has not seen, and leaves a scan's rows out of training while
its sender shows fewer than K services (lab/handshake-benign.awk
portscan:fewK in HANDSHAKE_CLASSES): there its probes are a client's
first SYNs. Writes DIR/round.pcap: two scans from one host of
10.199.10.0/24, one after the other (tool x: 30 ports at t = 100, tool y:
16 ports at t = 104), and their label rules DIR/tools.rules (lab_tools'
form). Then, with the demo's VIEW_CLASSES and HANDSHAKE_CLASSES (read
from lab/demo.sh):

- the views hold y's probes alone; extracted and relabelled as the demo
  does (extract_labelled), y's view teaches none of its first probes (a
  fresh sender, a few services) and its later ones as portscan;
- the round, relabelled alike, teaches y's first probe as portscan: its
  sender reached x's 30 services in the last 10 s.

Prints "scanview ok" and exits 0, or names what is wrong and exits 1.
"""
import csv
import io
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolview_check import frame, write  # noqa: E402  (one frame writer for the view checks)

CP = "1,2,3,4,5,6,8,12,16,32,64,128,256,512,1024"


def demo_setting(name):
    """The value lab/demo.sh first assigns to NAME (a plain word)."""
    with open("lab/demo.sh") as f:
        m = re.search(rf"^{name}=(\S+)$", f.read(), re.M)
    return m.group(1) if m else ""


def taught(ff, pcap, rules, classes):
    """Destination ports of y's (port 2000 and up) rows at their first
    packet, in order, each with the label the demo's relabelling gives it
    (rows it leaves out are missing)."""
    out = pcap + ".csv"
    subprocess.run([ff, "extract", "-q", "--checkpoints", CP, "--labels", rules, "-o", out, pcap],
                   check=True)
    r = subprocess.run(["awk", "-F,", "-v", f"classes={classes}", "-f", "lab/handshake-benign.awk",
                        out], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                       check=True)
    return [(int(x["Dst Port"]), x["Label"]) for x in csv.DictReader(io.StringIO(r.stdout))
            if int(x["Dst Port"]) >= 2000 and x["Total Fwd Packet"] == "1"]


def main():
    d, ff = sys.argv[1], sys.argv[2]
    views, classes = demo_setting("VIEW_CLASSES"), demo_setting("HANDSHAKE_CLASSES")
    bad = []
    if "portscan" not in views.split(","):
        bad.append(f"lab/demo.sh VIEW_CLASSES={views}: no scan views")
    if not re.search(r"(^|,)portscan:few[0-9]+(,|$)", classes):
        bad.append(f"lab/demo.sh HANDSHAKE_CLASSES={classes}: no portscan:fewK (a view's "
                   "first probes would teach a client's first SYN as a scan)")
    if bad:
        for b in bad:
            print(f"scanview: {b}")
        return 1
    scanner = [10, 199, 10, 11]
    pkts = [(100 + i * 0.02, frame(scanner, 40000, dport=1000 + i)) for i in range(30)]
    pkts += [(104 + i * 0.02, frame(scanner, 41000, dport=2000 + i)) for i in range(16)]
    write(os.path.join(d, "round.pcap"), pkts)
    rules = os.path.join(d, "tools.rules")
    with open(rules, "w") as f:
        f.write("portscan/x:host=10.199.10.0/24,time=100.0-101.0\n"
                "portscan/y:host=10.199.10.0/24,time=104.0-105.0\n"
                "portscan:host=10.199.10.0/24\n")
    out = os.path.join(d, "views")
    subprocess.run([sys.executable, "lab/toolview.py", "--tools", rules, "--classes", views,
                    "--out", out, os.path.join(d, "round.pcap")], stdout=subprocess.DEVNULL,
                   check=True)
    view = taught(ff, os.path.join(out, "portscan_y.pcap"), rules, classes)
    round_ = taught(ff, os.path.join(d, "round.pcap"), rules, classes)
    if not view or view[0][0] == 2000 or any(lab != "portscan/y" for _, lab in view):
        bad.append(f"y's view teaches {view}: want its first probes left out, the rest portscan/y")
    if not round_ or round_[0] != (2000, "portscan/y"):
        bad.append(f"the round teaches y's probes {round_[:3]}...: want its first as portscan/y")
    for b in bad:
        print(f"scanview: {b}")
    if bad:
        return 1
    print(f"scanview ok (y's view: taught from port {view[0][0]}, its probe {view[0][0] - 1999})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
