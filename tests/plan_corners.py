#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/plan_corners.py: checks one lab/plan.py plan (stdin) for test_cli.

  python3 lab/plan.py --seed N ... | python3 tests/plan_corners.py LABELS CLASS=REAL...

LABELS: the lab's label rules (lab.sh lab_labels); REAL: each flood
class's attacker node's own address in this phase. For each flood class, every source of every
segment is named by the corner of the source context it makes (one real
address, one spoofed, a /24, a /16, an /11, each a source per packet "/1" or
in bursts "/B"; IPv6 one address, a /64, a /48, a /32), and checked:
- every corner comes from two tools or more (a tool left out leaves it in);
- every source lies in a range whose label rule is the class's (labels stay
  exact), and every IPv6 prefix is written as lab.sh's _lab_rand_addr reads
  it (whole 16-bit groups before "::").
Prints "every corner from two tools" and exits 0, or names what is wrong.
"""
import ipaddress
import re
import sys

FLOODS = ("syn_flood", "udp_flood", "icmp_flood")
CORNERS = ("real", "one", "24/1", "24/B", "16/1", "16/B", "11/1", "11/B",
           "6one", "64", "48", "32")
ADDR = re.compile(r"^(?:\d+\.\d+\.\d+\.\d+|[0-9a-f]*:[0-9a-f:]*)(?:/\d+)?(?:@\d+)?$")


def corner(tok, real):
    net, _, burst = tok.partition("@")
    addr, _, plen = net.partition("/")
    if ":" in addr:
        return {"": "6one", "64": "64", "48": "48", "32": "32"}.get(plen, "?" + plen)
    if not plen:
        return "real" if addr in real else "one"
    width = {"25": "24", "24": "24", "16": "16", "11": "11"}.get(plen, "?" + plen)
    return f"{width}/{'1' if burst == '1' else 'B'}"


def main():
    rules = sys.argv[1]
    own = dict(a.split("=", 1) for a in sys.argv[2:])
    real = set(own.values())
    ranges = {}
    for line in open(rules):
        m = re.match(r"^([a-z_]+):host=(\S+)$", line.strip())
        if m:
            ranges.setdefault(m.group(1), []).append(ipaddress.ip_network(m.group(2)))
    seen = {c: {} for c in FLOODS}
    bad = []
    for line in sys.stdin:
        head, _, cmd = line.rstrip("\n").partition("|")
        cls, tool = head.split()[:2]
        if cls not in FLOODS:
            continue
        for seg in cmd.split(";"):
            toks = [t for t in seg.split()[2:] if ADDR.match(t) and ("." in t or ":" in t)]
            if not toks:  # ping -f: the node's own address
                toks = [own[cls]]
            for t in toks:
                net = t.split("@")[0]
                if ":" in net and "/" in net:
                    groups = net.split("::")[0].split(":")
                    if len(groups) * 16 != int(net.split("/")[1]):
                        bad.append(f"{cls} {tool}: {t}: not whole groups")
                n = ipaddress.ip_network(net, strict=False)
                if not any(n.subnet_of(r) for r in ranges.get(cls, []) if r.version == n.version):
                    bad.append(f"{cls} {tool}: {t} outside the class's labelled ranges")
                seen[cls].setdefault(corner(t, real), set()).add(tool)
    for cls in FLOODS:
        for c in CORNERS:
            tools = seen[cls].get(c, set())
            if len(tools) < 2:
                bad.append(f"{cls}: corner {c} from {len(tools)} tool(s): {sorted(tools)}")
    if bad:
        print("\n".join(bad))
        return 1
    print("every corner from two tools")
    return 0


if __name__ == "__main__":
    sys.exit(main())
