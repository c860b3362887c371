#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/holdout_send.py: the held-out captures' own packet sender
(lab/holdout.sh). Whole Ethernet frames on an AF_PACKET socket, so that a
source can be any address of the address space, IPv4 or IPv6: attacks made
otherwise than the lab's senders (lab/rawflood.py, hping3, t50, nping) make
them.

  python3 lab/holdout_send.py syn  --dev eth0 --dst-mac M --dst A --port P
      --sources CIDR [--exclude CIDR]... --count N --pps R
      [--mss 1400] [--wscale 10] [--win 64800] [--ttl 57] [--payload B]
  python3 lab/holdout_send.py dns  ... --reflectors K --size A-B
  python3 lab/holdout_send.py ntp  ... --reflectors K --per-reflector J
  python3 lab/holdout_send.py icmp ... --sizes 8,1472

syn: TCP SYNs to A:P with a Linux-like option block (MSS, SACK permitted,
timestamps, NOP, window scale) of other values than the lab's (MSS 1400 as
behind a tunnel, window scale 10, TTL 57 as after some routers), each from
a random address of --sources (IPv4 or IPv6) and a random port: a new flow
per packet.
dns: DNS responses (QR set, A records of an ANY query) from port 53 of K
reflectors spread over --sources, each to a random port of A (the port
the spoofed query named): a new flow per packet, A..B bytes.
ntp: NTP mode 7 MON_GETLIST_1 responses (monlist: 6 entries of 72
bytes, 440 bytes of UDP payload) from port 123 of K reflectors, J packets
each to one port: one flow of J packets per reflector.
icmp: ICMP echo requests (ICMPv6 for an IPv6 A), sizes of data taken in
turn from --sizes, each from a random source with a random id.

--write FILE writes the frames to a capture (pcap, timestamps at --pps
from 0) instead of sending them: no root, no network (--dev and --dst-mac
are then not needed).

Addresses of --exclude are never used as sources (the benign clients' range:
the label rules stay exact). Bounded: --count packets (ntp: K x J),
at --pps, at most 60 s. Seeded (--seed). Needs root. Standard library only;
checksums from lab/rawflood.py.
"""
import argparse
import ipaddress
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# one checksum, header, capture and pacing code for the lab
from rawflood import csum, eth_header, ip4, ip6, l4sum, paced_send, write_pcap  # noqa: E402


def ip_pkt(src, dst, proto, seg, ttl, rng):
    if dst.version == 6:
        return ip6(src, dst, proto, seg, ttl, random.getrandbits(20))
    return ip4(src, dst, proto, seg, ttl, rng.getrandbits(16))


class Sources:
    """Random addresses of a prefix, never one of the excluded prefixes nor
    a multicast, loopback or unspecified one."""

    def __init__(self, net, exclude, rng):
        self.net = ipaddress.ip_network(net, strict=False)
        self.ex = [ipaddress.ip_network(e, strict=False) for e in exclude]
        self.rng = rng

    def one(self):
        while True:
            off = self.rng.getrandbits(self.net.max_prefixlen - self.net.prefixlen) \
                if self.net.prefixlen < self.net.max_prefixlen else 0
            a = self.net.network_address + off
            if a.is_multicast or a.is_loopback or a.is_unspecified or a.is_link_local:
                continue
            if a.version == 4 and (a.is_reserved or int(a) >> 24 == 0 or int(a) & 0xFF in (0, 255)):
                continue
            if not any(a in e for e in self.ex if e.version == a.version):
                return a


def syn(a, rng, src, dst, _i):
    opts = (struct.pack("!BBH", 2, 4, a.mss) + b"\x04\x02" +
            struct.pack("!BBII", 8, 10, rng.getrandbits(32), 0) + b"\x01" +
            struct.pack("!BBB", 3, 3, a.wscale))
    body = os.urandom(a.payload)
    seg = struct.pack("!HHIIBBHHH", rng.randint(32768, 60999), a.port, rng.getrandbits(32), 0,
                      (20 + len(opts)) // 4 << 4, 0x02, a.win, 0, 0) + opts + body
    proto = 6
    seg = seg[:16] + struct.pack("!H", l4sum(src, dst, proto, seg)) + seg[18:]
    return ip_pkt(src, dst, proto, seg, a.ttl, rng)


def udp(src, dst, sport, dport, body, ttl, rng):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(body), 0) + body
    seg = seg[:6] + struct.pack("!H", l4sum(src, dst, 17, seg) or 0xFFFF) + seg[8:]
    return ip_pkt(src, dst, 17, seg, ttl, rng)


def dns_reply(rng, size):
    """An ANY response for a name, padded out with A records to about size bytes."""
    name = b"".join(bytes([len(p)]) + p for p in (b"isc", b"example", b"org")) + b"\0"
    head = struct.pack("!HHHHHH", rng.getrandbits(16), 0x8180, 1, 0, 0, 0)
    q = name + struct.pack("!HH", 255, 1)
    rrs, n = b"", 0
    while 12 + len(q) + len(rrs) + 16 <= size:
        rrs += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 3600, 4) + os.urandom(4)
        n += 1
    return head[:6] + struct.pack("!H", n) + head[8:] + q + rrs


def ntp_monlist(rng):
    # mode 7 response (0x97: R bit, version 2, mode 7), implementation 3,
    # request 42 (MON_GETLIST_1), 6 items of 72 bytes
    return struct.pack("!BBBBHH", 0x97, 0, 3, 42, 6, 72) + os.urandom(6 * 72)


def icmp(a, rng, src, dst, i):
    n = a.sizes[i % len(a.sizes)]
    typ, proto = (128, 58) if dst.version == 6 else (8, 1)
    msg = struct.pack("!BBHHH", typ, 0, 0, rng.getrandbits(16), rng.getrandbits(16)) + os.urandom(n)
    s = l4sum(src, dst, 58, msg) if dst.version == 6 else csum(msg)
    msg = msg[:2] + struct.pack("!H", s) + msg[4:]
    return ip_pkt(src, dst, proto, msg, a.ttl, rng)


def span(text):
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def frames(a, rng, dst):
    """The packets to send, in order (IP packets, without Ethernet)."""
    src = Sources(a.sources, a.exclude, rng)
    if a.mode in ("syn", "icmp"):
        make = syn if a.mode == "syn" else icmp
        for i in range(a.count):
            yield make(a, rng, src.one(), dst, i)
        return
    refl = [src.one() for _ in range(a.reflectors)]
    if a.mode == "dns":  # each reply to the port its spoofed query came from: a flow each
        for _ in range(a.count):
            yield udp(rng.choice(refl), dst, 53, rng.randint(1024, 65535),
                      dns_reply(rng, rng.randint(*a.size)), a.ttl, rng)
        return
    ports = [rng.randint(1024, 65535) for _ in refl]
    for _ in range(a.per_reflector):  # monlist: a reflector's replies to one port
        for r, port in zip(refl, ports):
            yield udp(r, dst, 123, port, ntp_monlist(rng), a.ttl, rng)


def write(a, rng, dst):
    """The frames into a pcap, the i-th at i / pps seconds."""
    eth = eth_header(a.dst_mac, bytes.fromhex("020000000002"), dst.version)
    n = write_pcap(a.write, (eth + pkt for pkt in frames(a, rng, dst)), a.pps)
    print(f"holdout_send: {a.mode}: {n} packets to {a.write}", file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["syn", "dns", "ntp", "icmp"])
    ap.add_argument("--dev", help="interface to send on")
    ap.add_argument("--dst-mac", default="02:00:00:00:00:01", help="the receiver's MAC address")
    ap.add_argument("--write", metavar="FILE", help="write a pcap instead of sending")
    ap.add_argument("--dst", required=True)
    ap.add_argument("--sources", required=True, help="prefix the sources are drawn from")
    ap.add_argument("--exclude", action="append", default=[], help="prefix never used (repeatable)")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--pps", type=int, default=1000)
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--mss", type=int, default=1400)
    ap.add_argument("--wscale", type=int, default=10)
    ap.add_argument("--win", type=int, default=64800)
    ap.add_argument("--ttl", type=int, default=57)
    ap.add_argument("--payload", type=int, default=0)
    ap.add_argument("--reflectors", type=int, default=200)
    ap.add_argument("--per-reflector", type=int, default=20)
    ap.add_argument("--size", type=span, default=(900, 1400))
    ap.add_argument("--sizes", type=lambda t: [int(x) for x in t.split(",")], default=[8, 1472])
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    random.seed(a.seed)
    dst = ipaddress.ip_address(a.dst)
    if ipaddress.ip_network(a.sources, strict=False).version != dst.version:
        ap.error("--sources and --dst are of different IP versions")
    if a.write:
        return write(a, rng, dst)
    if not a.dev:
        ap.error("--dev (or --write) is needed")
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.dev, 0))
    eth = eth_header(a.dst_mac, s.getsockname()[4][:6], dst.version)
    t0 = time.monotonic()
    n = paced_send(lambda pkt: s.send(eth + pkt), frames(a, rng, dst), a.pps, "holdout_send")
    print(f"holdout_send: {a.mode}: {n} packets in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
