#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/plan.py: the attacks of one lab run, their parameters drawn at random.

  python3 lab/plan.py --seed N --scale K --src NODE=ADDR...

prints one line per attack tool or parameter set, "CLASS TOOL|COMMAND",
each class's lines in a random order; COMMAND is a lab/lab.sh function
call ($P: the lab's prefix). Every class has three to seven tools, and
each run draws ports (one or many), payload sizes (padding included), TCP
windows and flags, TTLs and rates from slow to flood anew. With --floods
segments each flood tool runs in segments, and each segment's source spread
is drawn apart from the tool (CORNERS: one real address, one spoofed, a
/24, a /16, the class's /11, a new source per packet or bursts, IPv6 too),
every corner from two tools or more: leaving one tool out leaves every
behaviour in (default, subnet: spoofed sources in the class's /24). K scales
the packet counts (1: the quick run, 2: the demo). --src gives the real
source address of a node in this phase (nmap, mscan, udpf, t50; synf).

Example:
  python3 lab/plan.py --seed 1 --src nmap=10.199.10.11 --src mscan=10.199.10.12 \
      --src udpf=10.199.12.11 --src t50=10.199.15.11 --classes syn_flood --floods segments
The same --seed gives the same plan. Standard library only.
"""
import argparse
import random
import sys


# The source context of a flood, what the sender's and the receiver's
# context features see: one real address (answers come back), one spoofed
# address, a /24, a /16 or the class's whole /11 (each packet from a random
# address of it: "1", or bursts of 2-50 from each: "B"), and over IPv6 one
# address, a /64, a /48 or the class's /32 (lab.sh lab_spread, lab_spread6).
CORNERS = ("real", "one", "24/1", "24/B", "16/1", "16/B", "11/1", "11/B",
           "6one", "64", "48", "32")

# the corners each flood tool can make (lab.sh: hping3 and ping -f send from
# one address; t50 in bursts; nping one address a run, so bursts, and IPv6 as
# whole frames; trafgen a new source per packet, IPv4; lab/rawflood.py
# everything)
V6 = ("6one", "64", "48", "32")
CAN = {
    "hping3-S": ("real", "one"), "hping3-udp": ("real", "one"), "hping3-icmp": ("real", "one"),
    "t50": ("real", "one", "24/B", "16/B", "11/B"), "t50-udp": ("real", "one", "24/B", "16/B", "11/B"),
    "t50-icmp": ("real", "one", "24/B", "16/B", "11/B"),
    "nping": ("one",) + V6, "nping-udp": ("one",) + V6, "nping-icmp": ("real", "one") + V6,
    "ping-f": ("real",),
    "rawsyn": CORNERS, "rawudp": CORNERS, "rawicmp": CORNERS, "reflect": CORNERS,
    "trafgen-syn": ("real", "one", "24/1", "16/1", "11/1"),
    "trafgen-udp": ("real", "one", "24/1", "16/1", "11/1"),
    "trafgen-icmp": ("real", "one", "24/1", "16/1", "11/1"),
}
FLOODS = {"syn_flood": 11, "udp_flood": 12, "icmp_flood": 15}
WIDE = {11: "10.128.0.0/11", 12: "10.160.0.0/11", 15: "10.96.0.0/11"}
WIDE6 = {11: "fd99:11", 12: "fd99:12", 15: "fd99:15"}


def assign(r, tools):
    """Corners to a class's flood tools: every corner to two tools that can
    make it (the ones with the fewest segments yet first, so that a tool
    left out leaves each of its corners to another), then a corner of its
    own to a tool left without; a list of corners per tool, in a random
    order."""
    seg = {t: [] for t in tools}
    for c in CORNERS:
        able = [t for t in tools if c in CAN[t]]
        r.shuffle(able)
        able.sort(key=lambda t: len(seg[t]))
        for t in able[:2]:
            seg[t].append(c)
    for t in tools:
        if not seg[t]:
            seg[t].append(r.choice(CAN[t]))
        r.shuffle(seg[t])
    return seg


def source(r, corner, net, real):
    """A segment's source (lab.sh: ADDR, or PREFIX@B: a random address of
    PREFIX every B packets) for a corner, in the class's ranges."""
    o2 = int(WIDE[net].split(".")[1])

    def in11():
        return f"10.{o2 + r.randint(0, 31)}.{r.randint(0, 255)}"

    def hx():
        return f"{r.getrandbits(16):x}"

    burst = 1 if corner.endswith("/1") else r.randint(2, 50)
    if corner == "real":
        return real
    if corner == "one":
        return r.choice((f"10.199.{net}.{r.randint(100, 127)}", f"{in11()}.{r.randint(1, 254)}"))
    if corner.startswith("24"):
        return r.choice((f"10.199.{net}.128/25", f"{in11()}.0/24")) + f"@{burst}"
    if corner.startswith("16"):
        return f"10.{o2 + r.randint(0, 31)}.0.0/16@{burst}"
    if corner.startswith("11"):
        return f"{WIDE[net]}@{burst}"
    burst = r.choice((1, r.randint(2, 50)))
    if corner == "6one":
        return f"{WIDE6[net]}:{hx()}:{hx()}:{hx()}:{hx()}:{hx()}:{hx()}"
    if corner == "64":
        return f"{WIDE6[net]}:{hx()}:{hx()}::/64@{burst}"
    if corner == "48":
        return f"{WIDE6[net]}:{hx()}::/48@{burst}"
    return f"{WIDE6[net]}::/32@{burst}"


def syn_shapes(f):
    """A SYN flood tool's segment shapes, one after the other (--syn-shapes):
    (TCP flags, source port, destination port) for the segment's service
    port (lab.sh _lab_syn_flags; source port 0: a random one each), in an
    order drawn from `f` (a generator of their own, so that every other
    draw of the plan stays as it was), a tool's first segments each of
    another shape: plain SYNs, three in seven; SYN-ACKs at the service;
    SYN-ACKs from a web server's port to random ports (the replies of
    servers that a spoofed SYN flood of the victim's address reached:
    SYN-ACK reflection); SYNs with ECE and CWR; SYNs from one source port
    (the service's own, or another). Without `f`, plain SYNs only (the
    default: docs/lab.md, "SYN floods of other shapes", measures both)."""
    while True:
        shapes = [lambda p: ("S", 0, p)] * 3
        if f:
            shapes += [lambda p: ("SA", 0, p),
                       lambda p: ("SA", f.choice((80, 443)), 0),
                       lambda p: ("SEC", 0, p),
                       lambda p: ("S", f.choice((p, f.randint(1, 65535))), p)]
            f.shuffle(shapes)
        yield from shapes


def flood_tools(r, k, f=None):
    """The flood tools of the segmented lab: (class, tool, packets, make),
    make(count, source) a segment's command, its other parameters drawn anew
    for each segment; with generator f the SYN floods' shapes (syn_shapes),
    their flags and source port the commands' last two words."""
    shape = {t: syn_shapes(f) for t in ("hping3-S", "rawsyn", "trafgen-syn")}

    def n(lo, hi):
        return r.randint(lo, hi)

    def tail(flags, sport):
        return f" {flags} {sport}" if f else ""

    def hping_syn(c, s):
        flags, sport, _ = next(shape["hping3-S"])(0)
        return (f"lab_attack_hping_syn $P {c} {iv()} {pick(80, 443, 22, 8080)} {n(512, 65535)} "
                f"{n(32, 255)} {pick(0, 0, 6, 20, n(1, 64))} {s}{tail(flags, sport)}")

    # r's draws in the order they were made before the shapes (the plan of
    # a seed stays as it was, but for the shapes)
    def rawsyn(c, s):
        pps = n(100, 2000)
        flags, sport, port = next(shape["rawsyn"])(pick(80, 443, 22))
        return (f"lab_attack_rawsyn $P {c} {pps} {port} {n(32, 255)} "
                f"{pick(64240, 65495, 29200)} {pick(0, 0, n(1, 32))} {pick(1, 1, 0)} "
                f"{n(1, 99999)} {s}{tail(flags, sport)}")

    def trafgen_syn(c, s):
        pps = n(100, 2000)
        flags, sport, port = next(shape["trafgen-syn"])(pick(80, 443, 22, 8080))
        return (f"lab_attack_trafgen $P synf syn {c} {pps} {s} {port} "
                f"{pick(0, 0, n(1, 64))} {n(32, 255)}{tail(flags, sport)}")

    def pick(*xs):
        return r.choice(xs)

    def size():
        return f"{n(0, 200)}-{n(200, 1400)}"

    def iv():  # hping3: a flood, or a slow one
        return pick(n(100, 1500), n(100, 1500), n(5000, 20000))

    def ports():
        a = n(1024, 50000)
        return pick(str(n(1, 65535)), f"{a}-{a + n(10, 100)}")

    def nping_udp(c, s):
        p = ports()
        w = int(p.split("-")[1]) - int(p.split("-")[0]) + 1 if "-" in p else 1
        return f"lab_attack_nping_udp $P {max(1, c // w)} {n(300, 3000)} {p} {n(0, 1200)} {s}"

    return [
        ("syn_flood", "hping3-S", n(1000, 2500) * k, hping_syn),
        ("syn_flood", "t50", n(750, 1500) * k, lambda c, s:
         f"lab_attack_t50_syn $P {c} {pick(80, 443, 22)} {n(512, 65535)} {n(32, 255)} {s}"),
        ("syn_flood", "nping", n(300, 1000) * k, lambda c, s:
         f"lab_attack_nping_syn $P {c} {n(200, 2000)} {pick(80, 443, 22)} {n(512, 65535)} "
         f"{n(32, 255)} {pick(0, n(1, 40))} {s}"),
        ("syn_flood", "rawsyn", n(750, 2000) * k, rawsyn),
        ("syn_flood", "trafgen-syn", n(750, 2000) * k, trafgen_syn),
        ("udp_flood", "hping3-udp", n(1000, 2500) * k, lambda c, s:
         f"lab_attack_hping_udp $P {c} {n(100, 1500)} "
         f"{pick('++' + str(n(1024, 40000)), str(n(1, 65535)))} {n(0, 1400)} {s}"),
        ("udp_flood", "nping-udp", n(300, 1500) * k, nping_udp),
        ("udp_flood", "t50-udp", n(500, 1500) * k, lambda c, s:
         f"lab_attack_t50_udp $P {c} {s} {pick(0, n(1, 65535))}"),
        ("udp_flood", "reflect", n(750, 2000) * k, lambda c, s:
         f"lab_attack_reflect $P {c} {n(200, 2000)} {pick(53, 123, 161, 1900, 11211, 389)} "
         f"{n(100, 600)}-{n(700, 1472)} {n(1, 99999)} {pick(0, n(1024, 65535))} {s}"),
        ("udp_flood", "rawudp", n(750, 2000) * k, lambda c, s:
         f"lab_attack_rawudp $P {c} {n(200, 3000)} {size()} {n(32, 255)} {n(1, 99999)} "
         f"{pick(0, n(1, 65535))} {s}"),
        ("udp_flood", "trafgen-udp", n(750, 2000) * k, lambda c, s:
         f"lab_attack_trafgen $P udpf udp {c} {n(200, 3000)} {s} {pick(0, n(1, 65535))} "
         f"{n(0, 1400)} {n(32, 255)}"),
        ("icmp_flood", "t50-icmp", n(750, 1500) * k, lambda c, s: f"lab_attack_t50 $P {c} {s}"),
        ("icmp_flood", "hping3-icmp", n(500, 1500) * k, lambda c, s:
         f"lab_attack_hping_icmp $P {c} {n(200, 2000)} {n(0, 1400)} {s}"),
        ("icmp_flood", "nping-icmp", n(300, 1000) * k, lambda c, s:
         f"lab_attack_nping_icmp $P {c} {n(200, 2000)} {n(0, 1000)} {n(32, 255)} {s}"),
        ("icmp_flood", "ping-f", n(300, 1000) * k, lambda c, s:
         f"lab_attack_pingflood $P {c} {pick(56, 56, n(0, 1400))}"),
        ("icmp_flood", "rawicmp", n(500, 1500) * k, lambda c, s:
         f"lab_attack_rawicmp $P {c} {n(200, 2000)} {size()} {n(32, 255)} {pick(0, 0, 1)} "
         f"{n(1, 99999)} {s}"),
        ("icmp_flood", "trafgen-icmp", n(500, 1500) * k, lambda c, s:
         f"lab_attack_trafgen $P t50 icmp {c} {n(200, 2000)} {s} 0 {n(0, 1400)} {n(32, 255)}"),
    ]


def segments(r, k, src, seed=0, shapes=False):
    """The flood tools' commands, each a few segments (lab.sh runs them one
    after the other, within the tool's window), each segment from a source
    drawn for it (assign, source): which tool, and how spread, are drawn
    apart, so that a tool left out leaves every corner it made to others."""
    real = {11: src.get("synf", "10.199.11.11"), 12: src["udpf"], 15: src["t50"]}
    tools = flood_tools(r, k, random.Random(f"{seed}/syn_flood/shapes") if shapes else None)
    out = []
    for cls, net in FLOODS.items():
        seg = assign(r, [t for c, t, _, _ in tools if c == cls])
        for c, t, total, make in tools:
            if c != cls:
                continue
            parts = []
            for corner in seg[t]:
                s = source(r, corner, net, real[net])
                # nping: a process per run of packets (bursts of 5 or more)
                if t.startswith("nping") and "/" in s:
                    s = s.split("@")[0] + f"@{r.randint(5, 50)}"
                parts.append(make(max(50 * k, total // len(seg[t])), s))
            out.append((c, t, "; ".join(parts)))
    return out


def scan_paces(r, k, src):
    """portscan: every tool at two paces, in one line per tool (the two in
    a drawn order): slow, 10-100 probes a second (log-uniform) for 1.5-2.5
    * K seconds, and fast, as many ports as before at 200-3,000 a second
    (nmap -sT 200-1,000; nping asks for 200-2,000 but sends about 70-90 a
    second: with -c 1 over many ports that is its own pace, a medium one).
    Each tool ran at one pace a run before, and a forest without nping (run
    G: 66-90 probes a second) flagged 52 of its 621 flows: the others had
    taught scans at 200 a second and more only. nmap's port order is drawn
    for each pace (its random default, or -r: in sequence, as nping's)."""
    def n(lo, hi):
        return r.randint(lo, hi)

    def pick(*xs):
        return r.choice(xs)

    def ports(lo, hi, count):
        a = n(lo, hi)
        return f"{a}-{a + count - 1}"

    def paced(make, lo, hi, rate, width):
        slow = round(10 ** r.uniform(1, 2))
        paces = [make(ports(lo, hi, max(10, round(slow * r.uniform(1.5, 2.5) * k))), slow),
                 make(ports(lo, hi, n(*width) * k), n(*rate))]
        r.shuffle(paces)
        return "; ".join(paces)

    def nping(p, rate):
        return (f"lab_attack_nping_scan $P {p} {rate} {pick('syn', 'syn', 'fin', 'ack')} "
                f"{n(32, 255)} {n(512, 65535)} {src['nmap']}")

    return [
        ("portscan", "nmap-sS", paced(lambda p, rate: f"lab_attack_nmap $P sS {p} {rate} {src['nmap']} "
                                                      f"{pick('random', 'seq')}",
                                      1, 20000, (300, 3000), (250, 500))),
        ("portscan", "nmap-sT", paced(lambda p, rate: f"lab_attack_nmap $P sT {p} {rate} {src['nmap']} "
                                                      f"{pick('random', 'seq')}",
                                      1, 20000, (200, 1000), (100, 250))),
        ("portscan", "masscan", paced(lambda p, rate: f"lab_attack_masscan $P {p} {rate} {src['mscan']}",
                                      1, 30000, (500, 3000), (400, 750))),
        ("portscan", "nping", paced(nping, 1, 30000, (200, 2000), (200, 400))),
    ]


def ssh_paces(r, k):
    """ssh_bruteforce: each tool slow, then fast (3 * K seconds each:
    LAB_TOOL_SECONDS), in one line per tool; guesses per connection drawn
    where the tool lets us (sshpass prompts, ncrack tries; hydra and medusa
    guess until sshd's MaxAuthTries)."""
    def n(lo, hi):
        return r.randint(lo, hi)

    def paces(slow, fast):
        return "; ".join(f"LAB_TOOL_SECONDS={3 * k} {c}" for c in (slow, fast))

    return [
        ("ssh_bruteforce", "hydra",
         paces(f"lab_attack_hydra $P {n(15, 25) * k} {n(1, 2)}",
               f"lab_attack_hydra $P {n(40, 60) * k} {n(4, 8)}")),
        ("ssh_bruteforce", "sshpass",
         paces(f"lab_attack_sshguess $P {n(8, 12) * k} {n(150, 400)} 1 {n(1, 3)}",
               f"lab_attack_sshguess $P {n(30, 50) * k} {n(0, 60)} {n(3, 8)} {n(1, 3)}")),
        ("ssh_bruteforce", "medusa",
         paces(f"lab_attack_medusa $P {n(15, 30) * k} 1 {n(150, 400)}",
               f"lab_attack_medusa $P {n(45, 90) * k} {n(2, 4)}")),
        ("ssh_bruteforce", "ncrack",
         paces(f"lab_attack_ncrack $P {n(15, 30) * k} 1 {n(1, 3)} {n(150, 400)}",
               f"lab_attack_ncrack $P {n(50, 90) * k} {n(2, 4)} {n(1, 3)}")),
    ]


def plan(r, k, src, seed, floods="subnet", syn_shapes=False):
    def n(lo, hi):
        return r.randint(lo, hi)

    def pick(*xs):
        return r.choice(xs)

    def spoof(net):  # below rawflood.py's upper half of the subnet
        return f"10.199.{net}.{n(100, 127)}"

    def many(net):  # t50 in bursts of 50 from random addresses of the subnet's upper half
        return f"10.199.{net}.128/25@50"

    # --floods subnet: every spoofed source in the class's /24 (the segmented
    # floods replace these lines by default)
    def sources(net):  # rawflood.py: the subnet's upper half, a source per packet
        return f"10.199.{net}.128/25"

    def t50_wide(net):
        return many(net)

    def ports(lo, hi, w_lo, w_hi):
        a = n(lo, hi)
        return f"{a}-{a + n(w_lo, w_hi) * k}"

    def gap():  # lab/appattack.py slow: A-B seconds between one connection's trickles
        a = r.uniform(0.3, 1.2)
        return f"{a:.2f}-{a + r.uniform(0.1, 1.0):.2f}"

    def page():  # a page of the lab's server for an HTTP flood (lab_services_start)
        return pick("/", "/index.html", "/news.html", "/f/1k", "/f/4k", "/f/16k", "/robots.txt")

    iv = pick(n(100, 1500), n(100, 1500), n(5000, 20000))  # hping3: a flood, or a slow one

    def ssh_draws_before():
        # the draws ssh_bruteforce made from r until it got a generator of
        # its own: made still, in its place, so that the classes after it
        # (http_flood) keep the parameters of earlier runs with the same seed
        for lo, hi in ((30, 45), (2, 8), (12, 20), (50, 400), (1, 4), (1, 3), (30, 60), (1, 4),
                       (30, 50), (1, 4), (1, 3)):
            n(lo, hi)
        return []

    def scan_draws_before():
        # the draws the scans made from r, each tool at one pace, before
        # they got a generator of their own (scan_paces): made still, in
        # their place, so that the other classes keep the parameters of
        # earlier runs with the same seed
        for lo, hi, w_lo, w_hi, rate in ((1, 20000, 250, 500, (300, 3000)),
                                         (1, 20000, 100, 250, (200, 1000)),
                                         (1, 30000, 400, 750, (500, 3000)),
                                         (1, 30000, 200, 400, (200, 2000))):
            ports(lo, hi, w_lo, w_hi)
            n(*rate)
        pick(1, 2, 3, 4)
        n(32, 255)
        n(512, 65535)
        return []

    L = scan_paces(random.Random(f"{seed}/portscan/paces"), k, src) + scan_draws_before() + [
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
        # ssh_bruteforce: every tool at two paces, one after the other
        # (ssh_paces below): slow, one connection at a time with pauses or a
        # connection delay (1-3 a second), and fast, several at once without
        # pauses (8-25 a second); guesses per connection drawn from one to
        # several where the tool lets us. Each tool ran at one pace a run
        # before, and the forest, without the tool left out, learned the
        # others' paces: in run L a forest without sshpass (2-4 connections a
        # second) flagged 17 of its 38 connections, for the connection rate
        # of its /24 (the pair context) told brute force from benign, and
        # ncrack ran at 21 a second, medusa at one login at a time, hydra
        # made 5 connections. hydra waits 1 s for an answer (-w 5 made it
        # idle 5 s after each disconnect: 5 connections in 12 s)
    ] + ssh_paces(random.Random(f"{seed}/ssh_bruteforce/draws"), k) + ssh_draws_before() + [
        # http_flood: keep-alive connections and a connection per request, each
        # from curl, ApacheBench and the lab's own client, over HTTP and HTTPS.
        # A client that opens a connection per request and waits for each
        # answer sends CONNS / (the server's answer time) requests a second:
        # with the lab's server answering in 0.2-1.7 s under the other
        # attacks, 4-16 connections made 6-20 a second, a browser's rate
        # (run K: ab-close 46 requests in 8 s), not a flood; 32-96 make a
        # flood whatever the server's load, and keep making one while some
        # of its connections are being dropped
        ("http_flood", "curl-keepalive", f"lab_attack_curlflood $P {n(500, 1500) * k} {n(2, 12)} keep {page()}"),
        ("http_flood", "curl-close", f"lab_attack_curlflood $P {n(400, 900) * k} {n(32, 96)} close {page()}"),
        ("http_flood", "curl-https", f"lab_attack_curlflood $P {n(300, 1000) * k} {n(2, 8)} https {page()}"),
        ("http_flood", "ab-keepalive", f"lab_attack_ab $P {n(500, 1500) * k} {n(2, 12)} keep "
                                       f"{page()}"),
        ("http_flood", "ab-close", f"lab_attack_ab $P {n(400, 900) * k} {n(32, 96)} close "
                                   f"{page()}"),
        ("http_flood", "py-keepalive", f"lab_attack_appflood $P keep {pick('http', 'http', 'https')} "
                                       f"{n(300, 1000) * k} {n(2, 8)} {pick(0, n(200, 800))} "
                                       f"{n(1, 99999)}"),
        ("http_flood", "py-close", f"lab_attack_appflood $P close {pick('http', 'http', 'https')} "
                                   f"{n(400, 900) * k} {n(32, 96)} {pick(0, n(500, 1500))} "
                                   f"{n(1, 99999)}"),
    ]
    # the segmented floods (--floods segments): drawn after the others, so
    # that the other classes' parameters are the same in either mode
    if floods == "segments":
        fl = segments(r, k, src, seed, syn_shapes)
        L = [x for x in L if x[0] not in FLOODS]
        L[1:1] = fl
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
    ap.add_argument("--floods", choices=("subnet", "segments"), default="subnet",
                    help="subnet (default): the floods' spoofed sources stay in their /24; "
                         "segments: every flood tool in segments, each from a source spread "
                         "drawn for it (one address to the whole /11, IPv6 too)")
    ap.add_argument("--syn-shapes", action="store_true",
                    help="with --floods segments: the SYN floods' segments in other shapes too "
                         "(SYN-ACKs at the service and reflected from port 80/443 to random "
                         "ports, SYNs with ECE and CWR, from one source port); default: plain "
                         "SYNs (docs/lab.md, \"SYN floods of other shapes\")")
    a = ap.parse_args()
    if a.syn_shapes and a.floods != "segments":
        ap.error("--syn-shapes needs --floods segments")
    src = dict(s.split("=", 1) for s in a.src)
    for need in ("nmap", "mscan", "udpf", "t50"):  # synf: 10.199.11.11 by default
        if need not in src:
            ap.error(f"--src {need}=ADDR is missing")
    only = set(a.classes.split(",")) if a.classes else None
    for cls, tool, cmd in plan(random.Random(a.seed), a.scale, src, a.seed, a.floods,
                               a.syn_shapes):
        if only is None or cls in only:
            print(f"{cls} {tool}|{cmd}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
