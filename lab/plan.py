#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/plan.py: the attacks of one lab run, their parameters drawn at random.

  python3 lab/plan.py --seed N --scale K --src NODE=ADDR...

prints one line per attack tool or parameter set, "CLASS TOOL|COMMAND",
each class's lines in a random order; COMMAND is a lab/lab.sh function
call ($P: the lab's prefix). Every class has three to five tools, and each
run draws ports (one or many), payload sizes (padding included), TCP
windows and flags, TTLs, rates from slow to flood, and real, spoofed or
many spoofed sources (within the class's /24, or spread over its /11)
anew: each behaviour of a flood (one service or many
ports, one source or many) comes from two tools or more, so that
leaving one tool out leaves the behaviour in. K scales
the packet counts (1: the quick run, 2: the demo). --src gives the real
source address of a node in this phase (nmap, mscan, udpf, t50).
The same --seed gives the same plan. Standard library only.
"""
import argparse
import random
import sys


def plan(r, k, src, seed, spread=True):
    def n(lo, hi):
        return r.randint(lo, hi)

    def pick(*xs):
        return r.choice(xs)

    def spoof(net):  # below rawflood.py's upper half of the subnet
        return f"10.199.{net}.{n(100, 127)}"

    def many(net):  # t50 from random addresses of the subnet's upper half (lab.sh _lab_t50)
        return f"spread:10.199.{net}"

    # the class's /11 (lab.sh lab_spread): every flow from a network of its
    # own, as a real spoofed flood comes from the whole address space;
    # without spread, the subnet's upper half instead
    wide = {11: "10.128.0.0/11", 12: "10.160.0.0/11", 15: "10.96.0.0/11"}

    def sources(net):  # rawflood.py: the /11 (t50 covers the subnet's upper half)
        return wide[net] if spread else f"10.199.{net}.128/25"

    def t50_wide(net):  # t50 in bursts from random addresses of the /11
        return "spread:" + wide[net] if spread else many(net)

    def ports(lo, hi, w_lo, w_hi):
        a = n(lo, hi)
        return f"{a}-{a + n(w_lo, w_hi) * k}"

    def gap():  # lab/appattack.py slow: A-B seconds between one connection's trickles
        a = r.uniform(0.3, 1.2)
        return f"{a:.2f}-{a + r.uniform(0.1, 1.0):.2f}"

    def page():  # a page of the lab's server for an HTTP flood (lab_services_start)
        return pick("/", "/index.html", "/news.html", "/f/1k", "/f/4k", "/f/16k", "/robots.txt")

    iv = pick(n(100, 1500), n(100, 1500), n(5000, 20000))  # hping3: a flood, or a slow one
    L = [
        ("portscan", "nmap-sS", f"lab_attack_nmap $P sS {ports(1, 20000, 250, 500)} {n(300, 3000)} "
                                f"{src['nmap']}"),
        ("portscan", "nmap-sT", f"lab_attack_nmap $P sT {ports(1, 20000, 100, 250)} {n(200, 1000)} "
                                f"{src['nmap']}"),
        ("portscan", "masscan", f"lab_attack_masscan $P {ports(1, 30000, 400, 750)} {n(500, 3000)} "
                                f"{src['mscan']}"),
        ("portscan", "nping", f"lab_attack_nping_scan $P {ports(1, 30000, 200, 400)} {n(200, 2000)} "
                              f"{pick('syn', 'syn', 'fin', 'ack')} {n(32, 255)} {n(512, 65535)} {src['nmap']}"),
        ("syn_flood", "hping3-S", f"lab_attack_hping_syn $P "
                                  f"{(n(1000, 2500) if iv < 2000 else n(150, 300)) * k} {iv} "
                                  f"{pick(80, 443, 22, 8080)} {n(512, 65535)} {n(32, 255)} "
                                  f"{pick(0, 0, 6, 20, n(1, 64))} {spoof(11)}"),
        ("syn_flood", "t50", f"lab_attack_t50_syn $P {n(750, 1500) * k} {pick(80, 443, 22)} "
                             f"{n(512, 65535)} {n(32, 255)} "
                             f"{pick(spoof(11), many(11), t50_wide(11), t50_wide(11))}"),
        ("syn_flood", "nping", f"lab_attack_nping_syn $P {n(300, 1000) * k} {n(200, 2000)} "
                               f"{pick(80, 443, 22)} {n(512, 65535)} {n(32, 255)} "
                               f"{pick(0, n(1, 40))} {spoof(11)}"),
        ("syn_flood", "rawsyn", f"lab_attack_rawsyn $P {n(750, 2000) * k} {n(100, 2000)} "
                                f"{pick(80, 443, 22)} 64 {pick(64240, 65495, 29200)} "
                                f"{pick(0, 0, n(1, 32))} {pick(1, 1, 0)} {n(1, 99999)} {sources(11)}"),
        ("udp_flood", "hping3-udp", f"lab_attack_hping_udp $P {n(1000, 2500) * k} {n(100, 1500)} "
                                    f"{pick('++' + str(n(1024, 40000)), str(n(1, 65535)))} "
                                    f"{n(0, 1400)} {src['udpf']}"),
        # a flood spread over ports, or at one (a flow per source port)
        ("udp_flood", "nping-udp", f"lab_attack_nping_udp $P 1 {n(300, 3000)} "
                                   f"{pick(ports(1024, 50000, 100, 500), n(1, 65535))} "
                                   f"{n(0, 1200)} {spoof(12)}"),
        ("udp_flood", "t50-udp", f"lab_attack_t50_udp $P {n(500, 1500) * k} "
                                 f"{pick(src['udpf'], many(12), t50_wide(12), t50_wide(12))} "
                                 f"{pick(0, n(1, 65535))}"),
        ("udp_flood", "reflect", f"lab_attack_reflect $P {n(750, 2000) * k} {n(200, 2000)} "
                                 f"{pick(53, 123, 161, 1900, 11211, 389)} "
                                 f"{n(100, 600)}-{n(700, 1472)} {n(1, 99999)} "
                                 f"{pick(0, n(1024, 65535))} {sources(12)}"),
        # a plain UDP flood from random source ports, spread, to one port
        # (with the reflections and t50: spread to one service or to many
        # ports, each from two tools or more)
        ("udp_flood", "rawudp", f"lab_attack_rawudp $P {n(750, 2000) * k} {n(200, 3000)} "
                                f"{n(0, 200)}-{n(200, 1400)} {n(32, 255)} {n(1, 99999)} "
                                f"{n(1, 65535)} {sources(12)}"),
        ("icmp_flood", "t50-icmp", f"lab_attack_t50 $P {n(750, 1500) * k} "
                                   f"{pick(src['t50'], many(15), t50_wide(15))}"),
        ("icmp_flood", "hping3-icmp", f"lab_attack_hping_icmp $P {n(500, 1500) * k} {n(200, 2000)} "
                                      f"{n(0, 1400)} {spoof(15)}"),
        ("icmp_flood", "nping-icmp", f"lab_attack_nping_icmp $P {n(300, 1000) * k} {n(200, 2000)} "
                                     f"{n(0, 1000)} {n(32, 255)} {spoof(15)}"),
        ("icmp_flood", "rawicmp", f"lab_attack_rawicmp $P {n(500, 1500) * k} {n(200, 2000)} "
                                  f"{n(0, 600)}-{n(600, 1400)} {n(32, 255)} {pick(0, 0, 1)} "
                                  f"{n(1, 99999)} {sources(15)}"),
        ("icmp_flood", "ping-f", f"lab_attack_pingflood $P {n(300, 1000) * k} {pick(56, 56, n(0, 1400))}"),
        # slow_http: each behaviour (headers never ended, a body trickled, a
        # response read through a tiny window) from slowhttptest and from the
        # lab's own client (lab/appattack.py), intervals short enough for a
        # flow to reach its 5th packet (HANDSHAKE_CLASSES in lab/demo.sh)
        ("slow_http", "slowloris", f"lab_attack_slowhttp $P H {n(40, 150)} {n(20, 100)} {n(1, 2)} "
                                   f"{2 * k + n(1, 2)}"),
        ("slow_http", "slowbody", f"lab_attack_slowhttp $P B {n(40, 150)} {n(20, 100)} {n(1, 2)} "
                                  f"{2 * k + n(1, 2)}"),
        ("slow_http", "slowread", f"lab_attack_slowhttp $P X {n(30, 100)} {n(20, 100)} {n(1, 2)} "
                                  f"{2 * k + n(1, 2)}"),
        ("slow_http", "py-slowheaders", f"lab_attack_appslow $P headers {n(30, 150)} {n(15, 120)} "
                                        f"{gap()} {n(4, 20)}-{n(20, 120)} {2 * k + n(1, 2)} "
                                        f"{n(1, 99999)}"),
        ("slow_http", "py-slowbody", f"lab_attack_appslow $P body {n(30, 150)} {n(15, 120)} "
                                     f"{gap()} {n(1, 8)}-{n(8, 64)} {2 * k + n(1, 2)} {n(1, 99999)}"),
        ("slow_http", "py-slowread", f"lab_attack_appslow $P read {n(20, 100)} {n(15, 120)} "
                                     f"{gap()} {n(1, 16)}-{n(16, 256)} {2 * k + n(1, 2)} "
                                     f"{n(1, 99999)} {pick(256, 512, 1024, 2048)}"),
        # ssh_bruteforce: several guesses per connection (hydra, medusa) and a
        # connection per guess (sshpass one after the other, ncrack in parallel)
        ("ssh_bruteforce", "hydra", f"lab_attack_hydra $P {n(8, 15) * k} {n(2, 6)}"),
        ("ssh_bruteforce", "hydra-1task", f"lab_attack_hydra $P {n(3, 6) * k} 1"),
        ("ssh_bruteforce", "sshpass", f"lab_attack_sshguess $P {n(3, 6) * k} {n(50, 400)}"),
        ("ssh_bruteforce", "medusa", f"lab_attack_medusa $P {n(12, 24) * k} {n(1, 4)}"),
        ("ssh_bruteforce", "ncrack", f"lab_attack_ncrack $P {n(8, 16) * k} {n(1, 4)} 1"),
        # http_flood: keep-alive connections and a connection per request, each
        # from curl, ApacheBench and the lab's own client, over HTTP and HTTPS
        ("http_flood", "curl-keepalive", f"lab_attack_curlflood $P {n(500, 1500) * k} {n(2, 12)} keep {page()}"),
        ("http_flood", "curl-close", f"lab_attack_curlflood $P {n(300, 800) * k} {n(4, 16)} close {page()}"),
        ("http_flood", "curl-https", f"lab_attack_curlflood $P {n(300, 1000) * k} {n(2, 8)} https {page()}"),
        ("http_flood", "ab-keepalive", f"lab_attack_ab $P {n(500, 1500) * k} {n(2, 12)} keep "
                                       f"{page()}"),
        ("http_flood", "ab-close", f"lab_attack_ab $P {n(300, 800) * k} {n(4, 16)} close "
                                   f"{page()}"),
        ("http_flood", "py-keepalive", f"lab_attack_appflood $P keep {pick('http', 'http', 'https')} "
                                       f"{n(300, 1000) * k} {n(2, 8)} {pick(0, n(200, 800))} "
                                       f"{n(1, 99999)}"),
        ("http_flood", "py-close", f"lab_attack_appflood $P close {pick('http', 'http', 'https')} "
                                   f"{n(300, 800) * k} {n(4, 16)} {pick(0, n(500, 1500))} "
                                   f"{n(1, 99999)}"),
    ]
    # each class's order from a generator of its own: a class's tools or
    # parameters changing leaves the other classes' orders as they were
    out = []
    for cls in dict.fromkeys(c for c, _, _ in L):
        mine = [x for x in L if x[0] == cls]
        random.Random(f"{seed}/{cls}").shuffle(mine)
        out += mine
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--scale", type=int, default=2)
    ap.add_argument("--src", action="append", default=[], help="NODE=ADDR")
    ap.add_argument("--classes", help="comma-separated: only these classes")
    ap.add_argument("--no-spread", action="store_true",
                    help="the floods' spoofed sources stay in their /24 (no /11)")
    a = ap.parse_args()
    src = dict(s.split("=", 1) for s in a.src)
    for need in ("nmap", "mscan", "udpf", "t50"):
        if need not in src:
            ap.error(f"--src {need}=ADDR is missing")
    only = set(a.classes.split(",")) if a.classes else None
    for cls, tool, cmd in plan(random.Random(a.seed), a.scale, src, a.seed, not a.no_spread):
        if only is None or cls in only:
            print(f"{cls} {tool}|{cmd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
