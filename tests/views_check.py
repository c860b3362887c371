#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/views_check.py DIR FLOWFOREST: checks the demo's service views and
ping views for test_lab (no root, no lab).

Writes DIR/capture.pcap, a round: an ICMP echo flood of 120 requests from
16 hosts of 10.199.15.0/24 (the icmp_flood prefix), each from a random one
of them with a random id (lab/rawflood.py: 120 one-packet flows), a UDP
flood of 60 datagrams from 10.199.12.0/24 to random ports, and 10 DNS
queries of c2 (10.199.1.12, the demo's PING_FROM), one a second. Then runs
the demo's service_views and ping_views (their settings and functions
read from lab/demo.sh, as lab/demo.sh runs them) and checks:

- DIR/service.train.csv (every UDP datagram of the floods to one port,
  every echo request with one identifier): icmp_flood rows of 16 flows
  at most (one per host), some of them at their second packet or later:
  the hosts of one network come back with one id, as trafgen's one-id
  flood from a /24 does (a fold without trafgen had no such flood left:
  lab/demo.sh, SERVICE_CLASSES); udp_flood rows, every one at one port;
- DIR/ping.train.csv: c2's 10 queries as 10 benign one-echo ICMP flows
  (their first packets taught benign), and no other row.

Prints "views ok" and exits 0, or names what is wrong and exits 1.
"""
import csv
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from toolview_check import write  # noqa: E402  (one pcap writer for the view checks)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def query(src, sport):
    """An Ethernet frame: a 30-byte DNS query (UDP to port 53) from src:sport
    to the server, 10.199.0.10 (checksums left 0: not checked)."""
    udp = struct.pack("!HHHH", sport, 53, 38, 0) + bytes(30)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, bytes(src),
                     bytes([10, 199, 0, 10]))
    return b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + ip + udp

# lab/demo.sh's settings (up to LAB_FLOODS) and its functions from
# extract_labelled to service_views, in a shell of their own
SCRIPT = r'''
ff=$1 out=$2
set --
eval "$(sed -n '1,/^export LAB_FLOODS/p' lab/demo.sh | sed '/^cd "$(dirname "$0")/d')"
FF=$ff OUT=$out
. lab/lab.sh
detail() { :; }
die() { echo "serviceview: $*" >&2; exit 1; }
eval "$(sed -n '/^# extract_labelled DIR/,/^# train_model MODEL/p' lab/demo.sh)"
lab_labels > "$OUT/labels.rules"
CSVS=()
service_views "$OUT" 3
ping_views "$OUT"
echo "SERVICE_CLASSES=$SERVICE_CLASSES PING_FROM=$PING_FROM"
'''


def main():
    d, ff = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    icmp, udp = os.path.join(d, "icmp.pcap"), os.path.join(d, "udp.pcap")
    subprocess.run([sys.executable, "lab/rawflood.py", "icmp", "10.199.0.10", "--count", "120",
                    "--pps", "1000", "--spoof", "10.199.15.128/28", "--seed", "5", "--write", icmp],
                   cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    subprocess.run([sys.executable, "lab/rawflood.py", "udp", "10.199.0.10", "--count", "60",
                    "--pps", "1000", "--spoof", "10.199.12.128/28", "--dport", "0", "--seed", "5",
                    "--write", udp], cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    dns = os.path.join(d, "dns.pcap")
    write(dns, [(1000 + i, query([10, 199, 1, 12], 33000 + i)) for i in range(10)])
    subprocess.run([sys.executable, "lab/pcaprewrite.py", "-q", "--src", "10.0.0.0/32", icmp,
                    os.path.join(d, "capture.pcap"), "--merge", udp, "--merge", dns], cwd=ROOT,
                   check=True)
    r = subprocess.run(["bash", "-c", SCRIPT, "views", ff, d], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        print(f"views: service_views or ping_views failed: {r.stderr.strip()}")
        return 1
    rows = list(csv.DictReader(open(os.path.join(d, "service.train.csv"), newline="")))
    bad = []
    icmp_rows = [x for x in rows if x["Label"] == "icmp_flood"]
    flows = {x["Flow ID"] for x in icmp_rows}
    later = [x for x in icmp_rows if int(x["Total Fwd Packet"]) >= 2]
    if not icmp_rows or len(flows) > 16 or not later:
        bad.append(f"{r.stdout.strip()}: {len(icmp_rows)} icmp_flood rows of {len(flows)} flows, "
                   f"{len(later)} at a second packet or later: want the flood's 16 hosts as a "
                   "flow each, coming back")
    ports = {x["Dst Port"] for x in rows if x["Label"] == "udp_flood"}
    if len(ports) != 1:
        bad.append(f"udp_flood rows at ports {sorted(ports)[:5]}: want one")
    pings = list(csv.DictReader(open(os.path.join(d, "ping.train.csv"), newline="")))
    shape = {(x["Src IP"], x["Protocol"], x["Label"], x["Total Fwd Packet"]) for x in pings}
    if len(pings) != 10 or shape != {("10.199.1.12", "1", "benign", "1")}:
        bad.append(f"ping view: {len(pings)} rows of {sorted(shape)[:3]}: want c2's 10 queries as "
                   "benign first echoes alone")
    for b in bad:
        print(f"views: {b}")
    if bad:
        return 1
    print(f"views ok ({len(icmp_rows)} icmp_flood rows of {len(flows)} flows, "
          f"{len(later)} at a later packet; udp_flood at port {ports.pop()}; {len(pings)} pings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
