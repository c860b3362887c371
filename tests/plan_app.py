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
- ssh_bruteforce: every tool runs at two paces in each plan, slow (one
  connection at a time with pauses or a connection delay of 100 ms or more;
  hydra 1-2 tasks) and fast (several connections at once without pauses;
  hydra 4 or more tasks), each LAB_TOOL_SECONDS, and makes 20 connections or
  more over both (sshpass COUNT, ncrack WORDS / TRIES, hydra and medusa
  WORDS / 3: sshd lets them guess several on a connection); over the plans
  the guesses per connection of sshpass and ncrack take both one and more
  than one: a tool left out leaves its behaviour, and its pace, to the
  others (run L: each tool at one pace, sshpass left out 17 of 38 flagged).
Prints "app plans ok" and exits 0, or names what is wrong and exits 1.
"""
import sys
from collections import defaultdict

from plancheck import verdict


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
        paces, conns = set(), 0
        for part in cmd.split(";"):
            a = part.split()
            if not a or not a[0].startswith("LAB_TOOL_SECONDS="):
                bad.append(f"{tool}: '{part.strip()}' not bounded by LAB_TOOL_SECONDS")
                continue
            a = a[1:]
            if tool == "sshpass":
                count, pause, par, prompts = int(a[2]), int(a[3]), int(a[4]), int(a[5])
                conns += count
                paces.add("slow" if par == 1 and pause >= 100 else
                          "fast" if par >= 3 and pause <= 100 else "between")
                seen["sshpass guesses per connection"].add(prompts > 1)
            elif tool == "ncrack":
                words, par, tries = int(a[2]), int(a[3]), int(a[4])
                delay = int(a[5]) if len(a) > 5 else 0
                conns += words // tries
                paces.add("slow" if par == 1 and delay >= 100 else
                          "fast" if par >= 2 and delay == 0 else "between")
                seen["ncrack guesses per connection"].add(tries > 1)
            elif tool == "medusa":
                words, par = int(a[2]), int(a[3])
                pause = int(a[4]) if len(a) > 4 else 0
                conns += words // 3
                paces.add("slow" if par == 1 and pause >= 100 else
                          "fast" if par >= 2 and pause == 0 else "between")
            elif tool == "hydra":
                words, tasks = int(a[2]), int(a[3])
                conns += words // 3
                paces.add("slow" if tasks <= 2 else "fast" if tasks >= 4 else "between")
        if not {"slow", "fast"} <= paces:
            bad.append(f"{tool}: paces {sorted(paces)}, not slow and fast")
        if conns < 20:
            bad.append(f"{tool}: {conns} connections")
    for k in ("sshpass guesses per connection", "ncrack guesses per connection"):
        if seen[k] != {False, True}:
            bad.append(f"{k}: only {'one' if seen[k] == {False} else 'several'} over {plans} plans")
    return verdict(bad, plans, "app plans ok")


if __name__ == "__main__":
    sys.exit(main())
