#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/dnsview_check.py DIR: checks lab/dnsview.sh and
lab/benign-udp-rows.awk for test_lab (no root, no lab).

Writes DIR/round.pcap: DNS queries (UDP to port 53) from a busy client
10.199.2.5 from source ports 1000-1299, from a busy IPv6 client of
fd00:2::/64 from ports 2000-2099, from a lone client 10.199.1.22 from
ports 40001-40010; from 10.199.2.5 also a TCP SYN to port 53 and UDP to
port 5353; an attacker's UDP to port 53 from 10.199.12.7. Then
`lab/dnsview.sh round.pcap view.pcap 64 10.199.2.5 fd00:2::/64`:

- keeps the busy clients' queries whose source port is a multiple of 64
  (1024, 1088, 1152, 1216, 1280; 2048), IPv4 and IPv6, and none other of
  theirs;
- keeps every packet that is not such a query: the lone client's ten,
  the TCP SYN, the UDP to 5353, the attacker's;
- refuses a KEEP that is not a power of two, and no SRC.

And lab/benign-udp-rows.awk on a small CSV: the header and the benign UDP
rows pass; benign TCP and ICMP rows, and UDP rows of another label
(udp_flood, udp_flood/TOOL), do not; a CSV without a Label column is
refused.

Prints "dnsview ok" and exits 0, or names what is wrong and exits 1.
"""
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from toolview_check import timed_frames, write as write_timed  # noqa: E402
SRV4 = bytes([10, 199, 0, 10])
SRV6 = bytes.fromhex("fd990000000000000000000000000010")


def ip4(src):
    return bytes(int(x) for x in src.split("."))


def frame(src, sport, dport, proto=17):
    """An Ethernet frame to the server's dport: UDP (a DNS-sized payload)
    or a TCP SYN, IPv4 (src dotted) or IPv6 (src 16 bytes)."""
    if proto == 17:
        l4 = struct.pack("!HHHH", sport, dport, 8 + 30, 0) + bytes(30)
    else:
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    if isinstance(src, bytes):
        ip = struct.pack("!IHBB", 6 << 28, len(l4), proto, 64) + src + SRV6
        return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x86\xdd" + ip + l4
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, ip4(src), SRV4)
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + ip + l4


def write(path, frames):
    """A capture of the frames, 1 ms apart from t = 100 s."""
    write_timed(path, [(100 + i / 1000, fr) for i, fr in enumerate(frames)])


def frames(path):
    return [fr for _, fr in timed_frames(path)]


def fail(msg):
    print(f"dnsview_check: {msg}")
    sys.exit(1)


def check_view(d):
    busy6 = bytes.fromhex("fd000002000000000000000000000005")
    busy = [frame("10.199.2.5", p, 53) for p in range(1000, 1300)]
    busy6q = [frame(busy6, p, 53) for p in range(2000, 2100)]
    lone = [frame("10.199.1.22", p, 53) for p in range(40001, 40011)]
    other = [frame("10.199.2.5", 1001, 53, proto=6), frame("10.199.2.5", 1003, 5353),
             frame("10.199.12.7", 999, 53)]
    rnd, view = os.path.join(d, "round.pcap"), os.path.join(d, "view.pcap")
    write(rnd, busy + busy6q + lone + other)
    r = subprocess.run(["bash", os.path.join(ROOT, "lab/dnsview.sh"), rnd, view, "64",
                        "10.199.2.5", "fd00:2::/64"], capture_output=True, text=True)
    if r.returncode:
        fail(f"lab/dnsview.sh exit {r.returncode}: {r.stderr.strip()}")
    got = frames(view)
    want = ([frame("10.199.2.5", p, 53) for p in (1024, 1088, 1152, 1216, 1280)]
            + [frame(busy6, 2048, 53)] + lone + other)
    if sorted(got) != sorted(want):
        fail(f"the view holds {len(got)} packets, not the {len(want)} expected "
             f"({len([g for g in got if g not in want])} unexpected, "
             f"{len([w for w in want if w not in got])} missing)")
    for args in (["48", "10.199.2.5"], ["64"]):
        r = subprocess.run(["bash", os.path.join(ROOT, "lab/dnsview.sh"), rnd, view] + args,
                           capture_output=True, text=True)
        if r.returncode != 2:
            fail(f"lab/dnsview.sh {' '.join(args)}: exit {r.returncode}, not 2")


def check_rows():
    rows = ["Flow ID,Protocol,Total Fwd Packet,Label", "dns,17,1,benign", "web,6,3,benign",
            "ping,1,1,benign", "flood,17,1,udp_flood", "flood-tool,17,1,udp_flood/t50-udp"]
    awk = ["awk", "-F,", "-f", os.path.join(ROOT, "lab/benign-udp-rows.awk")]
    r = subprocess.run(awk, input="\n".join(rows) + "\n", capture_output=True, text=True)
    if r.returncode or r.stdout.splitlines() != rows[:2]:
        fail(f"lab/benign-udp-rows.awk kept {r.stdout.splitlines()} (exit {r.returncode})")
    r = subprocess.run(awk, input="Flow ID,Protocol\ndns,17\n", capture_output=True, text=True)
    if r.returncode == 0:
        fail("lab/benign-udp-rows.awk accepted a CSV without a Label column")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tests/dnsview_check.py DIR")
    check_view(sys.argv[1])
    check_rows()
    print("dnsview ok")


if __name__ == "__main__":
    main()
