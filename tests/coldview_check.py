#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/coldview_check.py DIR FLOWFOREST: checks lab/coldview.py for
test_lab (no root, no lab).

Writes DIR/round.pcap: a benign host's SYNs to the server's port 80 every
0.5 s from t = 100 to 130, a spoofed SYN flood (a new source of
10.128.0.0/11 every 10 ms) from t = 110 to 120, a port scan from
10.199.10.5 at t = 105 to 106, and their label rules DIR/tools.rules
(lab_tools' form). Then lab/coldview.py --classes syn_flood --seconds 3:

- writes one capture for the flood (cold_syn_flood_f_0.pcap), none for
  the scan;
- the view starts with a packet of the flood inside its window (not at
  its start: seed 1 draws 116.27 s) and holds every packet of the round
  from there for 3 s (the benign host's too) and nothing before: no
  packet of the capture's start;
- the same --seed draws the same start;
- `flowforest extract` of the view gives the flood's first flow a cold
  table (ctx_table_age_us below 2 s: the table counts from the view's
  first packet), where the round's extract reads a full one (2 s); its
  source reads "never" (ctx_src_return_age_us 60 s) in both: a view is a
  filter attached during the flood.

With --fast-classes syn_flood --fast 10-10 as well (a fast view):

- the same cold view, byte for byte (its draws are its own), and a fast
  one, fast_syn_flood_f_0.pcap, that starts with a packet of the flood in
  the first half of its window;
- in it the flood's packets come 10 times closer together (1 ms apart,
  not 10) from the start, every one of the flood's packets of the window
  after the start there; the benign host's at its own times (0.5 s
  apart), for 3 s.

And lab/cold-rows.awk (floods=syn_flood) on a small CSV: benign rows
pass; the flood's pass, but not its first packet at a host that saw fewer
than 64 flows in the last second; the scan's pass, but not its first
packet from a sender with fewer than 16; an HTTP flood's and a UDP flood's
(not a flood of floods=) are left out; CLASS/TOOL labels too. With
fast=1, a benign flow's first packet that is a bare SYN is left out too,
its later packets and a first packet that is not a bare SYN (a DNS
query, a SYN-ACK) are kept.

Prints "coldview ok" and exits 0, or names what is wrong and exits 1.
"""
import csv
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from toolview_check import frame, packets, write  # noqa: E402

NEVER_US = 60000000
COLD_US = 2000000


def ages(ff, pcap, src, sport):
    """(ctx_src_return_age_us, ctx_table_age_us) of the first snapshot of
    flow src:sport, or None."""
    out = pcap + ".csv"
    subprocess.run([ff, "extract", "-q", "--checkpoints", "1", "-o", out, pcap], check=True)
    with open(out, newline="") as f:
        for r in csv.DictReader(f):
            if r["Src IP"] == src and r["Src Port"] == str(sport):
                return int(r["ctx_src_return_age_us"]), int(r["ctx_table_age_us"])
    return None


def cold_rows(fast=0):
    """The Flow IDs lab/cold-rows.awk (fast=) keeps of a small CSV, or its
    exit status."""
    rows = ["Flow ID,Total Fwd Packet,Total Bwd packets,ctx_host_new_flows_1s,"
            "ctx_src_new_flows_1s,SYN Flag Count,ACK Flag Count,Label",
            "client,1,0,3,1,1,0,benign", "flood,1,0,64,1,1,0,syn_flood",
            "flood-quiet,1,0,63,1,1,0,syn_flood",
            "flood-second,1,1,3,1,1,1,syn_flood", "scan,1,0,500,16,1,0,portscan",
            "scan-quiet,1,0,500,15,1,0,portscan", "scan-second,1,1,500,2,1,1,portscan",
            "keepalive,12,12,500,1,1,12,http_flood", "udp,1,0,500,1,0,0,udp_flood",
            "tool-flood,1,0,100,1,1,0,syn_flood/rawsyn", "tool-quiet,1,0,10,1,1,0,syn_flood/rawsyn",
            "client-second,1,1,3,1,1,1,benign", "query,1,0,3,1,0,0,benign",
            "synack,1,0,3,1,1,1,benign"]
    r = subprocess.run(["awk", "-F,", "-v", "floods=syn_flood", "-v", f"fast={fast}", "-f",
                        "lab/cold-rows.awk"],
                       input="\n".join(rows) + "\n",
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return [line.split(",")[0] for line in r.stdout.splitlines()[1:]] if r.returncode == 0 \
        else r.returncode


def cut(d, seed, fast=()):
    views = os.path.join(d, f"cold{seed}" + ("fast" if fast else ""))
    r = subprocess.run([sys.executable, "lab/coldview.py", "--tools", os.path.join(d, "tools.rules"),
                        "--classes", "syn_flood", "--seconds", "3", "--seed", str(seed),
                        "--out", views, os.path.join(d, "round.pcap")] + list(fast),
                       stdout=subprocess.PIPE, text=True)
    made = sorted(f for f in os.listdir(views) if f.endswith(".pcap")) if os.path.isdir(views) else []
    return r.returncode, views, made


def fast_view(d, made):
    """What is wrong with the fast view of the round in `d` (made: the
    cold views cut without it)."""
    rc, views, got = cut(d, 1, ("--fast-classes", "syn_flood", "--fast", "10-10"))
    if rc != 0 or got != made + ["fast_syn_flood_f_0.pcap"]:
        return [f"lab/coldview.py --fast-classes exited {rc}, wrote {got}"]
    bad = []
    for m in made:
        with open(os.path.join(views, m), "rb") as a, open(os.path.join(d, "cold1", m), "rb") as b:
            if a.read() != b.read():
                bad.append(f"{m} differs with --fast-classes")
    pk = [(round(t, 6), s, p) for t, s, p in packets(os.path.join(views, got[-1]))]
    start = pk[0][0]
    flood = [p for p in pk if not p[1].startswith("10.199.")]
    benign = [p for p in pk if p[1] == "10.199.1.11"]
    want_flood = [(round(start + (t - start) / 10, 6), s, p)
                  for t, s, p in packets(os.path.join(d, "round.pcap"))
                  if not s.startswith("10.199.") and t >= start - 1e-9]
    want_benign = [(round(t, 6), s, p) for t, s, p in packets(os.path.join(d, "round.pcap"))
                   if s == "10.199.1.11" and start <= t < start + 3]
    if not (110 <= start <= 115.5) or pk[0] != flood[0]:
        bad.append(f"the fast view starts at {pk[0]}: not a flood packet in its window's first half")
    elif flood != want_flood:
        bad.append(f"the fast view's flood: {len(flood)} packets from {flood[:2]}, not "
                   f"{len(want_flood)} from {want_flood[:2]} (10 times closer)")
    elif benign != want_benign:
        bad.append(f"the fast view's benign packets: {benign[:3]}, not {want_benign[:3]}")
    elif [p[0] for p in pk] != sorted(p[0] for p in pk):
        bad.append("the fast view is not in time order")
    return bad


def main():
    d, ff = sys.argv[1], sys.argv[2]
    pkts = [(100 + 0.5 * i, frame([10, 199, 1, 11], 50000 + i, dport=80)) for i in range(61)]
    pkts += [(110 + 0.01 * i, frame([10, 128 + i // 65536 % 32, i // 256 % 256, i % 256], 1024 + i, dport=80))
             for i in range(1001)]
    pkts += [(105 + 0.01 * i, frame([10, 199, 10, 5], 40000 + i, dport=80)) for i in range(100)]
    round_pcap = os.path.join(d, "round.pcap")
    write(round_pcap, pkts)
    with open(os.path.join(d, "tools.rules"), "w") as f:
        f.write("# a flood and a scan, as lab_tools writes them\n"
                "syn_flood/f:host=10.199.11.0/24,time=110.0-121.0\n"
                "syn_flood/f:host=10.128.0.0/11,time=110.0-121.0\n"
                "portscan/p:host=10.199.10.0/24,time=105.0-107.0\n")
    bad = []
    rc, views, made = cut(d, 1)
    if rc != 0:
        bad.append(f"lab/coldview.py exited {rc}")
    if made != ["cold_syn_flood_f_0.pcap"]:
        bad.append(f"views written: {made}, not one for the flood tool")
    else:
        view = os.path.join(views, made[0])
        got = [(round(t, 3), s, p) for t, s, p in packets(view)]
        start = got[0][0]
        whole = [(round(t, 3), s, p) for t, s, p in packets(round_pcap)]
        first = whole.index(got[0]) if got[0] in whole else len(whole)
        want = [p for p in whole[first:] if p[0] < start + 3]
        flood = [p for p in got if p[1].startswith("10.1") and not p[1].startswith("10.199.")]
        if not (110 < start <= 120) or not got[0][1].startswith("10.1") or \
                got[0][1].startswith("10.199."):
            bad.append(f"the view starts at {got[0]}: not a flood packet inside its window")
        elif got != want:
            bad.append(f"the view holds {len(got)} packets, not the round's {len(want)} "
                       f"from {start} for 3 s")
        elif not any(p[1] == "10.199.1.11" for p in got):
            bad.append("the view lost the benign host's packets")
        rc2, _, made2 = cut(d, 1)
        if rc2 or made2 != made or packets(os.path.join(d, "cold1", made[0]))[0][0] != got[0][0]:
            bad.append("the same --seed did not draw the same start")
        src, sport = flood[0][1], flood[0][2]
        whole = ages(ff, round_pcap, src, sport)
        alone = ages(ff, view, src, sport)
        if whole != (NEVER_US, COLD_US) or alone is None or alone[0] != NEVER_US \
                or alone[1] >= COLD_US:
            bad.append(f"the flood's first flow in the view: return and table age {alone} "
                       f"(want never and below 2 s: a cold table), {whole} in the round "
                       f"(want never and 2 s)")
    bad += fast_view(d, made)
    kept = cold_rows()
    want = ["client", "flood", "flood-second", "scan", "scan-second", "tool-flood",
            "client-second", "query", "synack"]
    if kept != want:
        bad.append(f"lab/cold-rows.awk kept {kept}")
    kept = cold_rows(1)
    if kept != [k for k in want if k != "client"]:
        bad.append(f"lab/cold-rows.awk fast=1 kept {kept}")
    for b in bad:
        print(f"coldview: {b}")
    if bad:
        return 1
    print("coldview ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
