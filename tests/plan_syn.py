#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/plan_syn.py: checks lab/plan.py plans (stdin, several concatenated,
--floods segments) for test_cli: the SYN floods' shapes.

  for s in 1 2 3; do python3 lab/plan.py --seed $s --floods segments --syn-shapes ...; done |
      python3 tests/plan_syn.py

In every plan the SYN flood segments of hping3, lab/rawflood.py and trafgen
(lab.sh lab_attack_hping_syn, lab_attack_rawsyn, lab_attack_trafgen syn:
their FLAGS and source port, the last two words) make every shape:
- plain SYNs from random source ports (a fifth of the segments or more);
- SYN-ACKs at a service port;
- SYN-ACK reflection: SYN-ACKs from port 80 or 443 to random ports
  (destination port 0);
- SYNs with ECE and CWR;
- SYNs from one source port.
A forest that saw bare SYNs only let most of a public SYN-ACK reflection
capture pass. Prints "syn plans ok" and exits 0, or names what is wrong.
"""
import sys

from plancheck import verdict

# a tool's command: the index of its destination port
PORT = {"lab_attack_hping_syn": 4, "lab_attack_rawsyn": 4, "lab_attack_trafgen": 7}
SHAPES = ("plain", "synack", "reflection", "ecn", "one source port")


def shape(a):
    flags, sport, dport = a[-2], int(a[-1]), int(a[PORT[a[0]]])
    if flags == "S":
        return "one source port" if sport else "plain"
    if flags == "SA":
        if dport == 0:
            return "reflection" if sport in (80, 443) else "?"
        return "synack"
    return "ecn" if flags == "SEC" else "?"


def main():
    bad, seen, tools = [], [], set()
    for line in sys.stdin:
        head, _, cmd = line.rstrip("\n").partition("|")
        cls, _, tool = head.partition(" ")
        if cls != "syn_flood" or tool not in ("hping3-S", "rawsyn", "trafgen-syn"):
            continue
        if not seen or tool in tools:	# a plan has one line per tool
            seen.append([])
            tools = set()
        tools.add(tool)
        for part in cmd.split(";"):
            a = part.split()
            if not a or a[0] not in PORT:
                bad.append(f"{tool}: '{part.strip()}' is no SYN flood")
                continue
            if len(a) < PORT[a[0]] + 3 or not a[-1].isdigit() or not a[-2].startswith("S"):
                bad.append(f"{tool}: '{part.strip()}' names no flags and source port")
                continue
            seen[-1].append(shape(a))
    for i, s in enumerate(seen):
        missing = [x for x in SHAPES if x not in s]
        if missing or "?" in s:
            bad.append(f"plan {i + 1}: shapes {sorted(set(s))}, missing {missing}")
        elif 5 * s.count("plain") < len(s):
            bad.append(f"plan {i + 1}: {s.count('plain')} plain SYN segments of {len(s)}")
    return verdict(bad, len(seen), "syn plans ok")


if __name__ == "__main__":
    sys.exit(main())
