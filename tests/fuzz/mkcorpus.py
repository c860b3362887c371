#!/usr/bin/env python3
"""Write the capture seeds of the libFuzzer corpus (tests/fuzz/corpus/capture).

Every frame is made up here: one TCP SYN (then ACK, FIN) from 10.0.0.1 to
10.0.0.2:80, in classic pcap (Ethernet, raw IP, Linux cooked) and pcapng,
whole and cut short. Nothing comes from a real capture.

Usage: tests/fuzz/mkcorpus.py [DIR]      (default: tests/fuzz/corpus/capture)
"""
import os
import struct
import sys

T0 = 1700000000  # 2023-11-14 22:13:20 UTC
ETH = bytes([2] * 6 + [4] * 6) + b"\x08\x00"


def ip_tcp(sport, flags):
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack(">HHIIBBHHH", sport, 80, 1, 0, 0x50, flags, 1024, 0, 0)
    return ip + tcp


def pcap(linktype, records):
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for sec, usec, data, caplen in records:
        out += struct.pack("<IIII", sec, usec, caplen, len(data)) + data[:caplen]
    return out


def pcapng(frames):
    shb = struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28)
    idb = struct.pack("<IIHHII", 1, 20, 1, 0, 65535, 20)
    out = shb + idb
    for ts_us, data in frames:
        pad = data + b"\0" * (-len(data) % 4)
        size = 28 + len(pad) + 4
        out += struct.pack("<IIIIIII", 6, size, 0, ts_us >> 32, ts_us & 0xFFFFFFFF,
                           len(data), len(data)) + pad + struct.pack("<I", size)
    return out


def seeds():
    syn = ip_tcp(5555, 0x02)
    frame = ETH + syn
    sll = struct.pack(">HHH8sH", 0, 1, 6, bytes([2] * 6), 0x0800) + syn
    us = T0 * 1000000
    flow = [(us, ETH + ip_tcp(1234, 0x02)), (us + 1000, ETH + ip_tcp(1234, 0x10)),
            (us + 2000, ETH + ip_tcp(1234, 0x11))]
    whole_ng = pcapng(flow)
    return {
        "cut.pcap": pcap(1, [(T0, 0, frame, 54), (T0 + 1, 1, frame, 54)])[:-5],
        "raw.pcap": pcap(101, [(T0, 0, syn, 40), (T0 + 1, 1, syn[:20], 20)]),
        "sll.pcap": pcap(113, [(T0, 0, sll, 56)]),
        "tiny.pcapng": whole_ng,
        "cut.pcapng": whole_ng[:-7],
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "capture")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
