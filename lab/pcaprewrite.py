#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/pcaprewrite.py: rewrite the attack packets of a capture, so that a
model can be tried on the same behaviour with other fingerprints.

  python3 lab/pcaprewrite.py IN.pcap OUT.pcap --src CIDR [--src CIDR...] \\
      [--pad A-B] [--ttl A-B] [--win A-B] [--sport] [--rate K] [--seed N]
      [--spread SRC=PREFIX[@A-B]...] [--dport PORT] [--tcp-dport PORT] [--icmp-id ID]
      [--jitter US] [--tcp-flags FLAGS] [--reflect PORT,...] [--from-port PORT]
      [--echo] [--merge PCAP...]

Only packets whose source address is in one of the --src prefixes change
(an attacker's packets; the rest of the capture stays byte for byte):

  --pad A-B   append A..B bytes of payload to every TCP, UDP and ICMP packet
              (one length per flow: a padded SYN, a longer datagram)
  --ttl A-B   a new IPv4 TTL / IPv6 hop limit, one per source address
  --win A-B   a new TCP window, one per flow
  --sport     a new source port (1024..65535), one per flow (TCP, UDP)
  --rate K    the source's packets K times further apart (K < 1: faster),
              measured from its first packet; the capture is re-sorted by time
  --spread SRC=PREFIX[@A[-B]]
              every flow from SRC (one of the --src prefixes) gets a random
              source address of PREFIX (IPv4 for IPv4 sources, IPv6 for
              IPv6 ones), one per flow: the same flood as if spoofed over
              many networks (the lab's spoofing tools stay in their /24 so
              that labels hold; PREFIX gets a label rule); with @A-B, A..B
              flows one after the other from each address (drawn per
              address: a spoofed source's burst; lab/demo.sh's burst views)
  --dport PORT
              every UDP packet to destination port PORT: a flood sprayed over
              random ports, or aimed at another, as the same flood at one
              service (its senders' flows pile up on one service's context)
  --tcp-dport PORT
              every TCP packet to destination port PORT: a SYN flood at any
              port as the same flood at one service (lab/demo.sh's flooded
              views, with --merge)
  --icmp-id ID
              every ICMP echo request (ICMPv6 too) with identifier ID:
              flowforest keys pings by their id, so a flood that draws an id
              per packet becomes one flow per source address, whose sources
              come back (lab/demo.sh's service views, with --dport)
  --jitter US every packet's timestamp moved by a random offset of at most US
              microseconds either way (uniform, one per packet), never before
              the previous rewritten packet of its flow (either direction), so
              a flow's packets keep their order; the capture is re-sorted by
              time. Another clock's stamps of the same packets (the kernel's
              sit 8-12 us from tcpdump's, each cut to whole us at its own
              phase): a model's verdicts should not change
              (`--src 0.0.0.0/0 --src ::/0` moves every packet). Alone, it
              leaves the frames byte for byte (no checksum recomputed)
  --tcp-flags FLAGS
              every TCP packet's flags FLAGS (letters of FSRPAUEC: SA is a
              SYN-ACK): a SYN flood as a SYN-ACK flood
  --reflect PORT,...
              every TCP and UDP flow from one of the PORTs (drawn per flow)
              to a random destination port (1024..65535): a server's
              replies reflected at the victim (with --tcp-flags SA, SYN-ACK
              reflection)
  --from-port PORT
              every TCP and UDP packet from source port PORT: a flood that
              draws a source port per packet becomes one flow per source
              address and service, as a tool that keeps its port sends
              (nping; hping3 -k): the same SYNs or datagrams as a few flows
              of many packets each (lab/demo.sh's one-flow views)
  --echo      every UDP datagram an ICMP echo request (ICMPv6 over IPv6) of
              the same length, its source port the identifier, sequence 1,
              its payload the echo's data: a client's queries as pings at
              the same moments (lab/demo.sh's ping views)
  --only      write only the rewritten packets (the others are left out)
  --merge PCAP
              also write PCAP's packets, unchanged, the output sorted by
              time: another capture's traffic amid the rewritten one (a
              brute force's packets at a service the rewritten flood hits)

IPv4 header, TCP, UDP, ICMP and ICMPv6 checksums are recomputed. Reads and
writes classic pcap (Ethernet, optionally one or two VLAN tags; any
timestamp precision); pcapng is refused with a message (convert it with
`tcpdump -r in.pcapng -w out.pcap`). The random draws are seeded (--seed,
default 1) and printed, so a run can be repeated. Standard library only.
"""
import argparse
import functools
import ipaddress
import random
import struct
import sys

ETH_IP4, ETH_IP6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
TCP, UDP, ICMP, ICMP6 = 6, 17, 1, 58


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        sys.exit(f"pcaprewrite: {path}: too short for a pcap file")
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        sys.exit(f"pcaprewrite: {path} is pcapng; convert it first: tcpdump -r {path} -w out.pcap")
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
              b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        sys.exit(f"pcaprewrite: {path}: not a pcap file")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit(f"pcaprewrite: {path}: link type {linktype}, only Ethernet (1) is supported")
    pkts, off, end = [], 24, len(data)
    rec, mv, scale = struct.Struct(endian + "IIII").unpack_from, memoryview(data), 1 if nano else 1000
    while off + 16 <= end:
        sec, frac, incl, orig = rec(data, off)
        off += 16
        if off + incl > end:
            sys.exit(f"pcaprewrite: {path}: truncated at byte {off}")
        pkts.append([sec * 1_000_000_000 + frac * scale, bytearray(mv[off:off + incl]), orig])
        off += incl
    return data[:24], endian, nano, pkts


def write_pcap(path, header, endian, nano, pkts):
    with open(path, "wb") as f:
        f.write(header)
        for ns, frame, orig in pkts:
            sec, rem = divmod(ns, 1_000_000_000)
            f.write(struct.pack(endian + "IIII", sec, rem if nano else rem // 1000,
                                len(frame), orig))
            f.write(frame)


class Packet:
    """Offsets into one frame: l3, l4, the addresses (raw: their bytes;
    src, dst: ipaddress objects, made when first asked for), the protocol."""

    def __init__(self, frame):
        self.ok = False
        off, et = 12, None
        if len(frame) < 14:
            return
        et = struct.unpack_from("!H", frame, off)[0]
        off = 14
        for _ in range(2):
            if et in (ETH_VLAN, ETH_QINQ) and len(frame) >= off + 4:
                et = struct.unpack_from("!H", frame, off + 2)[0]
                off += 4
        self.l3 = off
        if et == ETH_IP4 and len(frame) >= off + 20:
            ihl = (frame[off] & 15) * 4
            frag = struct.unpack_from("!H", frame, off + 6)[0]
            if ihl < 20 or frag & 0x3FFF:  # fragments: left alone
                return
            self.v6, self.proto, self.l4 = False, frame[off + 9], off + ihl
            self.raw = bytes(frame[off + 12:off + 16]), bytes(frame[off + 16:off + 20])
            self.end = off + struct.unpack_from("!H", frame, off + 2)[0]
        elif et == ETH_IP6 and len(frame) >= off + 40:
            # no extension headers: the lab's attacks send none
            self.v6, self.proto, self.l4 = True, frame[off + 6], off + 40
            self.raw = bytes(frame[off + 8:off + 24]), bytes(frame[off + 24:off + 40])
            self.end = self.l4 + struct.unpack_from("!H", frame, off + 4)[0]
        else:
            return
        if self.end > len(frame) or self.l4 > self.end:
            return
        self.ok = True

    @functools.cached_property
    def src(self):
        return (ipaddress.IPv6Address if self.v6 else ipaddress.IPv4Address)(self.raw[0])

    @functools.cached_property
    def dst(self):
        return (ipaddress.IPv6Address if self.v6 else ipaddress.IPv4Address)(self.raw[1])

    def ports(self, frame):
        if self.proto in (TCP, UDP) and self.end >= self.l4 + 4:
            return struct.unpack_from("!HH", frame, self.l4)
        return 0, 0


class Spread:
    """--spread SRC=PREFIX@A-B: the flows from SRC get addresses of PREFIX,
    a new random one after a burst of A..B flows (drawn per address)."""

    def __init__(self, frm, to, lo, hi):
        self.frm, self.to, self.lo, self.hi = frm, to, lo, hi
        self.addr, self.left = None, 0

    def next(self, rng):
        if not self.left:
            self.addr = int(self.to.network_address) + rng.randrange(self.to.num_addresses)
            self.left = rng.randint(self.lo, self.hi)
        self.left -= 1
        return self.addr


def fix_lengths_and_sums(frame, p):
    """Rewrite the IP length fields for p.end and every checksum."""
    l3, l4 = p.l3, p.l4
    if p.v6:
        struct.pack_into("!H", frame, l3 + 4, p.end - l4)
    else:
        struct.pack_into("!H", frame, l3 + 2, p.end - l3)
        struct.pack_into("!H", frame, l3 + 10, 0)
        struct.pack_into("!H", frame, l3 + 10, csum(bytes(frame[l3:l4])))
    seg_len = p.end - l4
    where = {TCP: 16, UDP: 6, ICMP: 2, ICMP6: 2}.get(p.proto)
    if where is None or seg_len < where + 2:
        return
    if p.proto == UDP:
        struct.pack_into("!H", frame, l4 + 4, seg_len)
    struct.pack_into("!H", frame, l4 + where, 0)
    seg = bytes(frame[l4:p.end])
    if p.proto == ICMP:
        s = csum(seg)
    else:
        if p.v6:
            pseudo = frame[l3 + 8:l3 + 40] + struct.pack("!IxxxB", seg_len, p.proto)
        else:
            pseudo = frame[l3 + 12:l3 + 20] + struct.pack("!xBH", p.proto, seg_len)
        s = csum(bytes(pseudo) + seg)
        if p.proto == UDP and s == 0:
            s = 0xFFFF
    struct.pack_into("!H", frame, l4 + where, s)


def as_echo(frame, p, ident):
    """UDP datagram p as an ICMP (ICMPv6) echo request of the same length:
    identifier `ident`, sequence 1, the payload as its data (the checksum
    is the caller's, fix_lengths_and_sums)."""
    p.proto = ICMP6 if p.v6 else ICMP
    frame[p.l3 + (6 if p.v6 else 9)] = p.proto
    struct.pack_into("!BBHHH", frame, p.l4, 128 if p.v6 else 8, 0, 0, ident, 1)


def jitter(ns, us, rng, last, p, frame):
    """ns moved by a uniform offset of at most `us` microseconds, not before
    the last packet of its flow (either direction: last, by flow)."""
    sport, dport = p.ports(frame)
    ends = sorted(((p.src.packed, sport), (p.dst.packed, dport)))
    key = (p.proto, ends[0], ends[1])
    ns = max(ns + rng.randint(-us * 1000, us * 1000), last.get(key, 0), 0)
    last[key] = ns
    return ns


def span(text):
    a, _, b = text.partition("-")
    lo, hi = int(a), int(b or a)
    if lo > hi or lo < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not A-B with 0 <= A <= B")
    return lo, hi


def tcp_flags(text):
    bits = 0
    for c in text:
        i = "FSRPAUEC".find(c)
        if i < 0:
            raise argparse.ArgumentTypeError(f"'{text}': letters of FSRPAUEC")
        bits |= 1 << i
    return bits


def port_list(text):
    try:
        ports = [int(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}': PORT,... (numbers)")
    if not all(0 < x <= 65535 for x in ports):
        raise argparse.ArgumentTypeError(f"'{text}': ports 1..65535")
    return ports


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="example:\n  python3 lab/pcaprewrite.py live.pcap padded.pcap "
                                        "--src 10.199.11.0/24 --pad 6-6\n"
                                        "  python3 lab/pcaprewrite.py day.pcap spread.pcap "
                                        "--src 10.199.11.0/24 --spread 10.199.11.0/24=10.128.0.0/11\n"
                                        "  python3 lab/pcaprewrite.py -q --only day.pcap one.pcap "
                                        "--src 10.199.12.0/24 --dport 7331 --icmp-id 4242\n"
                                        "  python3 lab/pcaprewrite.py live.pcap jittered.pcap "
                                        "--src 0.0.0.0/0 --src ::/0 --jitter 8")
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--src", action="append", required=True, help="attacker prefix (repeatable)")
    ap.add_argument("--pad", type=span)
    ap.add_argument("--ttl", type=span)
    ap.add_argument("--win", type=span)
    ap.add_argument("--sport", action="store_true")
    ap.add_argument("--dport", type=int, metavar="PORT")
    ap.add_argument("--tcp-dport", type=int, metavar="PORT")
    ap.add_argument("--from-port", type=int, metavar="PORT")
    ap.add_argument("--icmp-id", type=int, metavar="ID")
    ap.add_argument("--echo", action="store_true",
                    help="every UDP datagram an ICMP echo request (identifier: its source port)")
    ap.add_argument("--spread", action="append", default=[], metavar="SRC=PREFIX[@A[-B]]",
                    help="each flow from SRC (one of the --src prefixes) gets a random source "
                    "address of PREFIX (of the source's IP version): the same flood spoofed "
                    "over many networks; @A-B: A..B flows from each address (repeatable)")
    ap.add_argument("--tcp-flags", type=tcp_flags, metavar="FLAGS")
    ap.add_argument("--reflect", type=port_list, metavar="PORT,...")
    ap.add_argument("--rate", type=float)
    ap.add_argument("--jitter", type=int, metavar="US",
                    help="every timestamp moved by a uniform offset of at most US "
                    "microseconds, a flow's packets in their order")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", action="store_true", help="write only the rewritten packets")
    ap.add_argument("--merge", action="append", default=[], metavar="PCAP",
                    help="also write PCAP's packets, unchanged (repeatable)")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()
    if a.rate is not None and a.rate <= 0:
        ap.error("--rate must be positive")
    if a.jitter is not None and not 0 <= a.jitter <= 10_000_000:
        ap.error("--jitter: 0..10000000 microseconds")
    if a.ttl and (a.ttl[0] < 1 or a.ttl[1] > 255):
        ap.error("--ttl: 1..255")
    if a.win and a.win[1] > 65535:
        ap.error("--win: 0..65535")
    for name, v in (("--dport", a.dport), ("--tcp-dport", a.tcp_dport), ("--icmp-id", a.icmp_id),
                    ("--from-port", a.from_port)):
        if v is not None and not 0 <= v <= 65535:
            ap.error(f"{name}: 0..65535")
    try:
        nets = [ipaddress.ip_network(s, strict=False) for s in a.src]
    except ValueError as e:
        ap.error(str(e))
    spread = []
    try:
        for m in a.spread:
            frm, _, to = m.partition("=")
            to, _, burst = to.partition("@")
            lo, _, hi = (burst or "1").partition("-")
            spread.append(Spread(ipaddress.ip_network(frm, strict=False),
                                 ipaddress.ip_network(to, strict=False), int(lo), int(hi or lo)))
            if not 1 <= spread[-1].lo <= spread[-1].hi:
                raise ValueError(f"{m}: bursts of 1 flow or more, A <= B")
            if spread[-1].frm.version != spread[-1].to.version:
                raise ValueError(f"{m}: SRC and PREFIX of one IP version")
    except ValueError as e:
        ap.error(f"--spread: {e}")
    # --jitter alone moves timestamps only: the frames stay byte for byte
    # (a capture's unfinished offloaded checksums too)
    frames = not (a.jitter is not None and not (a.pad or a.ttl or a.win or a.sport or spread or a.rate
                                                 or a.dport is not None or a.tcp_dport is not None
                                                 or a.from_port is not None
                                                 or a.icmp_id is not None or a.echo
                                                 or a.tcp_flags is not None or a.reflect))
    rng = random.Random(a.seed)
    header, endian, nano, pkts = read_pcap(a.input)
    per_flow, per_src, first_ns, flow_ns = {}, {}, {}, {}
    changed, keep = 0, []
    for rec in pkts:
        frame = rec[1]
        p = Packet(frame)
        if not p.ok or not any(p.src in n for n in nets if n.version == p.src.version):
            if not a.only:
                keep.append(rec)
            continue
        keep.append(rec)
        sport, dport = p.ports(frame)
        fk = (p.src, p.dst, p.proto, sport, dport)
        if fk not in per_flow:
            per_flow[fk] = {"pad": rng.randint(*a.pad) if a.pad else 0,
                            "win": rng.randint(*a.win) if a.win else None,
                            "sport": rng.randint(1024, 65535) if a.sport else None,
                            "reflect": (rng.choice(a.reflect), rng.randint(1024, 65535))
                            if a.reflect else None,
                            "src": next((sp.next(rng) for sp in spread if p.src in sp.frm),
                                        None)}
        if p.src not in per_src:
            per_src[p.src] = rng.randint(*a.ttl) if a.ttl else None
        f = per_flow[fk]
        if a.echo and p.proto == UDP and p.end >= p.l4 + 8:
            as_echo(frame, p, sport)
        if f["pad"] and p.proto in (TCP, UDP, ICMP, ICMP6):
            pad = bytes(rng.getrandbits(8) for _ in range(f["pad"]))
            frame[p.end:p.end] = pad
            p.end += len(pad)
            rec[2] += len(pad)
        if per_src[p.src] is not None:
            frame[p.l3 + (7 if p.v6 else 8)] = per_src[p.src]
        if f["win"] is not None and p.proto == TCP and p.end >= p.l4 + 20:
            struct.pack_into("!H", frame, p.l4 + 14, f["win"])
        if f["sport"] is not None and p.proto in (TCP, UDP) and p.end >= p.l4 + 4:
            struct.pack_into("!H", frame, p.l4, f["sport"])
        if f["reflect"] is not None and p.proto in (TCP, UDP) and p.end >= p.l4 + 4:
            struct.pack_into("!HH", frame, p.l4, *f["reflect"])
        if a.tcp_flags is not None and p.proto == TCP and p.end >= p.l4 + 14:
            frame[p.l4 + 13] = a.tcp_flags
        if a.dport is not None and p.proto == UDP and p.end >= p.l4 + 4:
            struct.pack_into("!H", frame, p.l4 + 2, a.dport)
        if a.tcp_dport is not None and p.proto == TCP and p.end >= p.l4 + 4:
            struct.pack_into("!H", frame, p.l4 + 2, a.tcp_dport)
        if a.from_port is not None and p.proto in (TCP, UDP) and p.end >= p.l4 + 4:
            struct.pack_into("!H", frame, p.l4, a.from_port)
        if (a.icmp_id is not None and p.end >= p.l4 + 8
                and (p.proto, frame[p.l4]) in ((ICMP, 8), (ICMP6, 128))):
            struct.pack_into("!H", frame, p.l4 + 4, a.icmp_id)
        if f["src"] is not None:
            if p.v6:
                frame[p.l3 + 8:p.l3 + 24] = f["src"].to_bytes(16, "big")
            else:
                struct.pack_into("!I", frame, p.l3 + 12, f["src"])
        if a.rate is not None:
            t0 = first_ns.setdefault(p.src, rec[0])
            rec[0] = t0 + int((rec[0] - t0) * a.rate)
        if a.jitter is not None:
            rec[0] = jitter(rec[0], a.jitter, rng, flow_ns, p, frame)
        if frames:
            fix_lengths_and_sums(frame, p)
        changed += 1
    pkts = keep
    for m in a.merge:
        pkts += read_pcap(m)[3]
    if a.rate is not None or a.jitter is not None or a.merge:
        pkts.sort(key=lambda r: r[0])  # stable: a flow's packets keep their order
    write_pcap(a.output, header, endian, nano, pkts)
    if not a.quiet:
        print(f"pcaprewrite: {changed} of {len(pkts)} packets rewritten ({len(per_flow)} flows, "
              f"{len(per_src)} sources; seed {a.seed})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
