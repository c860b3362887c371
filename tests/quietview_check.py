#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/quietview_check.py DIR: checks lab/quietview.sh for test_lab (no
root, no lab).

Writes DIR/round.pcap: DNS queries (UDP to port 53) from 10.199.2.5 from
source ports 1000-1299, TCP SYNs to port 80 from ports 3000-3099 and an
IPv6 client's UDP and TCP from ports 2000-2099, and a ping (ICMP echo).
Then `lab/quietview.sh round.pcap view.pcap 64`:

- keeps the UDP and TCP packets whose source port is a multiple of 64
  (1024, 1088, 1152, 1216, 1280; 3008, 3072; IPv6 2048, UDP and TCP), and
  none other;
- leaves the ping out;
- refuses a KEEP that is not a power of two, and a missing argument.

Prints "quietview ok" and exits 0, or names what is wrong and exits 1.
"""
import os
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from dnsview_check import SRV4, frame, frames, write  # noqa: E402

SCRIPT = os.path.join(ROOT, "lab/quietview.sh")


def fail(msg):
    print(f"quietview_check: {msg}")
    sys.exit(1)


def ping():
    """An ICMP echo request to the server."""
    icmp = struct.pack("!BBHHH", 8, 0, 0, 77, 1) + bytes(16)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                     bytes([10, 199, 1, 22]), SRV4)
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + ip + icmp


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tests/quietview_check.py DIR")
    d = sys.argv[1]
    v6 = bytes.fromhex("fd000002000000000000000000000005")
    udp = [frame("10.199.2.5", p, 53) for p in range(1000, 1300)]
    tcp = [frame("10.199.2.5", p, 80, proto=6) for p in range(3000, 3100)]
    six = [frame(v6, p, 53) for p in range(2000, 2100)] + \
        [frame(v6, p, 443, proto=6) for p in range(2000, 2100)]
    rnd, view = os.path.join(d, "round.pcap"), os.path.join(d, "view.pcap")
    write(rnd, udp + tcp + six + [ping()])
    r = subprocess.run(["bash", SCRIPT, rnd, view, "64"], capture_output=True, text=True)
    if r.returncode:
        fail(f"lab/quietview.sh exit {r.returncode}: {r.stderr.strip()}")
    got = frames(view)
    want = ([frame("10.199.2.5", p, 53) for p in (1024, 1088, 1152, 1216, 1280)]
            + [frame("10.199.2.5", p, 80, proto=6) for p in (3008, 3072)]
            + [frame(v6, 2048, 53), frame(v6, 2048, 443, proto=6)])
    if sorted(got) != sorted(want):
        fail(f"the view holds {len(got)} packets, not the {len(want)} expected "
             f"({len([g for g in got if g not in want])} unexpected, "
             f"{len([w for w in want if w not in got])} missing)")
    for args in (["48"], []):
        r = subprocess.run(["bash", SCRIPT, rnd, view] + args, capture_output=True, text=True)
        if r.returncode != 2:
            fail(f"lab/quietview.sh {' '.join(args)}: exit {r.returncode}, not 2")
    print("quietview ok")


if __name__ == "__main__":
    main()
