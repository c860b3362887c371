#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/plan_app.py: checks lab/plan.py plans (stdin, several concatenated)
for test_cli: the application-layer classes' parameters.

  for s in 1 2 3; do python3 lab/plan.py --seed $s ...; done | python3 tests/plan_app.py

- http_flood: every tool that opens a connection per request (curl-close,
  ab-close, py-close) runs 32 connections or more at once: a client that
  waits for each answer sends CONNS / (answer time) requests a second, and
  with the lab's server answering in up to 1.7 s under the other attacks a
  few connections make a browser's rate, not a flood;
- ssh_bruteforce: every tool makes 20 connections or more per plan (sshpass
  COUNT, ncrack WORDS / TRIES), medusa and hydra get 40 guesses or more, and
  over the plans the parallel connections of sshpass, medusa and ncrack and
  the guesses per connection of sshpass and ncrack take both one and more
  than one: a tool left out leaves its behaviour to the others.
Prints "app plans ok" and exits 0, or names what is wrong and exits 1.
"""
import sys
from collections import defaultdict


def main():
    bad = []
    seen = defaultdict(set)
    plans = 0
    for line in sys.stdin:
        head, _, cmd = line.rstrip("\n").partition("|")
        cls, _, tool = head.partition(" ")
        a = cmd.split()
        if cls == "http_flood" and tool.endswith("-close"):
            conns = int(a[4] if tool == "py-close" else a[3])
            if conns < 32:
                bad.append(f"{tool}: {conns} connections at once")
        if cls != "ssh_bruteforce":
            continue
        plans += tool == "sshpass"
        if tool == "sshpass":
            count, par, prompts = int(a[2]), int(a[4]) if len(a) > 4 else 1, \
                int(a[5]) if len(a) > 5 else 3
            if count < 20:
                bad.append(f"sshpass: {count} connections")
            seen["sshpass parallel"].add(par > 1)
            seen["sshpass guesses per connection"].add(prompts > 1)
        elif tool == "ncrack":
            words, conns, tries = int(a[2]), int(a[3]), int(a[4])
            if words // tries < 20:
                bad.append(f"ncrack: {words} guesses, {tries} a connection")
            seen["ncrack parallel"].add(conns > 1)
            seen["ncrack guesses per connection"].add(tries > 1)
        elif tool in ("hydra", "medusa"):
            words, tasks = int(a[2]), int(a[3])
            if words < 40:
                bad.append(f"{tool}: {words} guesses")
            seen[f"{tool} parallel"].add(tasks > 1)
    for k in ("sshpass parallel", "sshpass guesses per connection", "ncrack parallel",
              "ncrack guesses per connection", "medusa parallel"):
        if seen[k] != {False, True}:
            bad.append(f"{k}: only {'one' if seen[k] == {False} else 'several'} over {plans} plans")
    for b in bad:
        print(b)
    if bad or not plans:
        return 1
    print("app plans ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
