#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/toolview_check.py DIR FLOWFOREST: checks lab/toolview.py for
test_lab (no root, no lab).

Writes DIR/round.pcap: two ssh guessers from one host of 10.199.14.0/24,
one after the other (tool a: a SYN a second at t = 100..109, tool b: at
t = 112..121), a benign host's SYNs throughout, and their label rules
DIR/tools.rules (lab_tools' form). Then:

- lab/toolview.py --classes ssh_bruteforce writes one capture per tool:
  b's holds the capture's first packet (the context's clock) and b's
  packets (and 5 s after its window), none of the benign host's and none
  of a's but that first one;
- `flowforest extract` of the round gives b's first flow 5 or more flows
  of its sender to the service in the last 10 s (ctx_pair_new_flows_10s:
  a's), and of b's view 1: a fresh sender, which the round never shows.

Prints "toolview ok" and exits 0, or names what is wrong and exits 1.
"""
import csv
import os
import struct
import subprocess
import sys

SRV = bytes([10, 199, 0, 10])


def frame(src, sport, t=None, dport=22):
    """An Ethernet frame: an IPv4 TCP SYN from src:sport to the server's
    dport (tests/coldview_check.py and tests/scanview_check.py too)."""
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, bytes(src), SRV)
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + ip + tcp


def write(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, fr in sorted(pkts, key=lambda p: p[0]):
            f.write(struct.pack("<IIII", int(t), int(round(t % 1 * 1e6)), len(fr), len(fr)))
            f.write(fr)


def timed_frames(path):
    """(time, frame) per packet of a capture (the classic pcap `write` makes)."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        out.append((sec + usec / 1e6, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def packets(path):
    """(time, source address, source port) per packet of a capture."""
    return [(t, ".".join(map(str, fr[26:30])), struct.unpack_from("!H", fr, 34)[0])
            for t, fr in timed_frames(path)]


def first_pair_10s(ff, pcap, port):
    """ctx_pair_new_flows_10s of the first snapshot of the flow from `port`."""
    out = pcap + ".csv"
    subprocess.run([ff, "extract", "-q", "--checkpoints", "1", "-o", out, pcap], check=True)
    with open(out, newline="") as f:
        for r in csv.DictReader(f):
            if r["Src Port"] == str(port):
                return int(r["ctx_pair_new_flows_10s"])
    return None


def main():
    d, ff = sys.argv[1], sys.argv[2]
    guesser, user = [10, 199, 14, 21], [10, 199, 1, 11]
    pkts = [(100 + i, frame(guesser, 40000 + i, 100 + i)) for i in range(10)]
    pkts += [(112 + i, frame(guesser, 41000 + i, 112 + i)) for i in range(10)]
    pkts += [(100.5 + 2 * i, frame(user, 50000 + i, 100.5 + 2 * i)) for i in range(15)]
    write(os.path.join(d, "round.pcap"), pkts)
    with open(os.path.join(d, "tools.rules"), "w") as f:
        f.write("# two tools, as lab_tools writes them\n"
                "ssh_bruteforce/a:host=10.199.14.0/24,time=100.0-110.0\n"
                "ssh_bruteforce/b:host=10.199.14.0/24,time=112.0-122.0\n"
                "slow_http/c:host=10.199.13.0/24,time=100.0-110.0\n"
                "ssh_bruteforce:host=10.199.14.0/24\n")
    views = os.path.join(d, "views")
    r = subprocess.run([sys.executable, "lab/toolview.py", "--tools", os.path.join(d, "tools.rules"),
                        "--classes", "ssh_bruteforce", "--out", views, os.path.join(d, "round.pcap")],
                       stdout=subprocess.PIPE, text=True)
    bad = []
    if r.returncode != 0:
        bad.append(f"lab/toolview.py exited {r.returncode}")
    made = sorted(os.listdir(views)) if os.path.isdir(views) else []
    if made != ["ssh_bruteforce_a.pcap", "ssh_bruteforce_b.pcap"]:
        bad.append(f"views written: {made}, not one per ssh_bruteforce tool")
    else:
        b = packets(os.path.join(views, "ssh_bruteforce_b.pcap"))
        want = [(100.0, "10.199.14.21", 40000)] + [(112.0 + i, "10.199.14.21", 41000 + i)
                                                    for i in range(10)]
        got = [(round(t, 3), s, p) for t, s, p in b]
        if got != want:
            bad.append(f"b's view: {got}, not the first packet and b's ten")
        whole = first_pair_10s(ff, os.path.join(d, "round.pcap"), 41000)
        alone = first_pair_10s(ff, os.path.join(views, "ssh_bruteforce_b.pcap"), 41000)
        if whole is None or whole < 5 or alone != 1:
            bad.append(f"b's first flow: ctx_pair_new_flows_10s {whole} in the round (want 5 "
                       f"or more), {alone} in its view (want 1)")
    for b in bad:
        print(f"toolview: {b}")
    if bad:
        return 1
    print("toolview ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
