#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/plan_scan.py: checks lab/plan.py plans (stdin, several concatenated)
for test_cli: the port scans' paces.

  for s in 1 2 3; do python3 lab/plan.py --seed $s ...; done | python3 tests/plan_scan.py

- every portscan tool runs at two paces in each plan: slow (100 probes a
  second or fewer, for a second or more) and fast (200 a second or more
  asked): a tool left out leaves every pace to the others (run G: each
  tool at one pace, nping left out, at 66-90 probes a second, 52 of 621
  flagged: the others had taught 200 a second and more only);
- over the plans the slow paces reach below 20 probes a second and the
  fast ones above 1,000, and nmap scans the ports both in nmap's random
  order and in sequence.
Prints "scan plans ok" and exits 0, or names what is wrong and exits 1.
"""
import sys

from plancheck import verdict

# a tool's command: the index of its port range and of its rate
ARGS = {"lab_attack_nmap": (3, 4), "lab_attack_masscan": (2, 3), "lab_attack_nping_scan": (2, 3)}


def main():
    bad = []
    rates, orders, plans = [], set(), 0
    for line in sys.stdin:
        head, _, cmd = line.rstrip("\n").partition("|")
        cls, _, tool = head.partition(" ")
        if cls != "portscan":
            continue
        plans += tool == "masscan"
        paces = set()
        for part in cmd.split(";"):
            a = part.split()
            if not a or a[0] not in ARGS:
                bad.append(f"{tool}: '{part.strip()}' is no scan")
                continue
            pi, ri = ARGS[a[0]]
            lo, hi = map(int, a[pi].split("-"))
            rate = int(a[ri])
            rates.append(rate)
            if a[0] == "lab_attack_nmap":
                orders.add(a[6] if len(a) > 6 else "random")
            if rate <= 100 and (hi - lo + 1) / rate >= 1:
                paces.add("slow")
            elif rate >= 200:
                paces.add("fast")
        if paces != {"slow", "fast"}:
            bad.append(f"{tool}: paces {sorted(paces)}, not slow and fast")
    if rates and (min(rates) >= 20 or max(rates) <= 1000):
        bad.append(f"paces {min(rates)}-{max(rates)} a second, not from under 20 to over 1,000")
    if orders != {"random", "seq"}:
        bad.append(f"nmap's port orders: {sorted(orders)}")
    return verdict(bad, plans, "scan plans ok")


if __name__ == "__main__":
    sys.exit(main())
