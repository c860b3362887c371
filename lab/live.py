#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/live.py: compact live view of a `flowforest run` in the lab.

Follows the events (JSON lines on flowforest's stdout), the counters (JSON
lines on its stderr, --interval 1 --json) and the lab's benign results file,
and prints:

  - one line the first time a source is classified as an attack class (and
    whether that is its true class, by the lab's label rules); a flood
    spread over a range wider than a /24 gets one line for the range,
  - every benign flow classified as an attack (a false alarm),
  - one summary line a second: flows classified per attack class in that
    second, packets dropped, benign HTTP/ssh/DNS results in that second.

Stops when --stop-file exists (after a last pass) or after --max-seconds.
Standard library only.
"""
import argparse
import ipaddress
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import labelrules  # noqa: E402  (lab/labelrules.py: label rule files)

COLORS = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None


def c(code, s):
    return f"\033[{code}m{s}\033[0m" if COLORS else s


def load_rules(path):
    """label rules of the form LABEL:host=CIDR (what lab/lab.sh writes)."""
    rules = []
    for label, conds in labelrules.read(path):
        for k, v in labelrules.conditions(conds):
            if k in ("host", "src"):
                rules.append((label, ipaddress.ip_network(v, strict=False)))
    return rules


def true_label(rules, *addrs):
    """the label of the first rule an address matches, and that rule's network"""
    for label, net in rules:
        for a in addrs:
            try:
                if ipaddress.ip_address(a) in net:
                    return label, net
            except ValueError:
                pass
    return "benign", None


def source_key(src, net):
    """a source, or the range of a flood spread over more than a /24 (one
    line for the range, not one per spoofed address)"""
    if net is not None and net.version == 4 and net.prefixlen < 24:
        return str(net)
    return src


class Tail:
    """New complete lines of a growing file."""

    def __init__(self, path):
        self.path, self.pos, self.buf = path, 0, ""

    def lines(self):
        try:
            with open(self.path) as f:
                f.seek(self.pos)
                data = f.read()
                self.pos = f.tell()
        except FileNotFoundError:
            return []
        self.buf += data
        *done, self.buf = self.buf.split("\n")
        return done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", required=True)
    ap.add_argument("--counters", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--stop-file", required=True)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()

    rules = load_rules(a.labels)
    ev, ct, rs = Tail(a.events), Tail(a.counters), Tail(a.results)
    start = time.monotonic()
    seen_src = set()
    per_sec = {}
    res = {}
    last_drop = 0
    dropped = 0
    false_alarms = 0
    fa_sec = 0
    next_tick = start + 1
    stopping = False

    def head(t):
        return c("2", f"  +{t:5.1f}s ")

    while True:
        now = time.monotonic()
        for line in ev.lines():
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("event") not in ("classified", "changed"):
                continue
            cls = e.get("class") or "?"
            if cls == "benign":
                continue
            truth, net = true_label(rules, e["src"], e["dst"])
            src = source_key(e["src"], net)
            per_sec[cls] = per_sec.get(cls, 0) + 1
            tgt = f"{e['dst']}:{e['dport']}" if e["proto"] in ("tcp", "udp") else e["dst"]
            if truth == "benign":
                false_alarms += 1
                fa_sec += 1
                if fa_sec > 3:
                    continue
                print(head(now - start) + c("31;1", "FALSE ALARM ")
                      + f"{cls:<15} {e['proto']:<4} {e['src']}:{e['sport']} -> {tgt}"
                      f"  at packet {e['pkts']}  ({e['action']})", flush=True)
            elif (src, cls) not in seen_src:
                seen_src.add((src, cls))
                mark = c("32", "right class") if truth == cls else c("33", f"true class {truth}")
                print(head(now - start) + c("1", "DETECTED    ")
                      + f"{cls:<15} {e['proto']:<4} from {src:<14} -> {tgt:<17}"
                      f" at packet {e['pkts']:<3} {e['action']:<5} {mark}", flush=True)
        for line in ct.lines():
            if line.startswith("{"):
                try:
                    dropped = json.loads(line).get("dropped", dropped)
                except ValueError:
                    pass
        for line in rs.lines():
            f = line.split()
            if len(f) >= 2:
                ok, n = res.get(f[0], (0, 0))
                res[f[0]] = (ok + (f[1] == "ok"), n + 1)
        if now >= next_tick or stopping:
            attacks = "  ".join(f"{k} {v}" for k, v in sorted(per_sec.items())) or "-"
            svc = "  ".join(
                (c("32", f"{k} {ok}/{n}") if ok == n else c("31", f"{k} {ok}/{n}"))
                for k, (ok, n) in sorted(res.items()) if k in ("http", "ssh", "dns"))
            more = c("31", f"  (+{fa_sec - 3} more false alarms)") if fa_sec > 3 else ""
            print(head(now - start) + f"attack flows classified: {attacks:<40} "
                  f"dropped +{dropped - last_drop:<6} benign ok: {svc or '-'}{more}", flush=True)
            per_sec, res, last_drop, fa_sec = {}, {}, dropped, 0
            next_tick = now + 1
        if stopping:
            break
        if os.path.exists(a.stop_file) or now - start > a.max_seconds:
            stopping = True
            time.sleep(0.3)
            continue
        time.sleep(0.1)
    print(c("2", f"  live view: {false_alarms} false alarms, {dropped} packets dropped so far"), flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
