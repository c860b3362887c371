#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/report.py: the report of a lab run (lab/demo.sh): text, JSON, HTML.

Reads the run directory that lab/demo.sh fills:

  nodes.txt                 node class tool training-address live-address
  timing.txt                stage seconds
  train/flows.csv           `flowforest extract` of the training capture, labelled
  model.trainer.json        `flowforest train --json-report` of the final model
  protected/flows.csv       `flowforest extract` of the live capture (classifier on)
  protected/events.jsonl    `flowforest run` events
  protected/ff.stderr       `flowforest run` counters (JSON lines)
  RUN/results.txt           benign requests: kind ok|fail seconds wall-time
                            [client-address client-port server-port]
  RUN/schedule.txt          attacks: tool class start end (wall time)
  RUN/t0                    wall and monotonic clock at the start of the run
  (RUN: protected, and baseline when the run without classifier was made)

and writes report.json, report.html (self-contained: inline CSS and SVG) and
prints the text report. Ground truth per flow comes from the live capture
and the label rules; the classifier's verdicts from its own events.
Standard library only.
"""
import argparse
import csv
import html
import json
import math
import os
import statistics
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402  (lab/evaluate.py: the evaluation's text form)

PROTO = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}
CLASS_COLORS = {
    "benign": "#4caf50", "portscan": "#3f51b5", "syn_flood": "#e53935",
    "udp_flood": "#fb8c00", "slow_http": "#8e24aa", "ssh_bruteforce": "#00897b",
    "icmp_flood": "#6d4c41", "http_flood": "#d81b60",
}
EXTRA_COLORS = ["#546e7a", "#c0ca33", "#d81b60", "#1e88e5", "#fdd835"]


def color(cls, classes):
    if cls in CLASS_COLORS:
        return CLASS_COLORS[cls]
    return EXTRA_COLORS[classes.index(cls) % len(EXTRA_COLORS)] if cls in classes else "#999"


def read_lines(path):
    try:
        with open(path) as f:
            return [l.rstrip("\n") for l in f]
    except FileNotFoundError:
        return []


def read_t0(d):
    for l in read_lines(os.path.join(d, "t0")):
        p = l.split()
        if len(p) == 2:
            return float(p[0]), float(p[1])
    return None


def read_port_drops(d):
    """Packets the bridge port towards the server dropped during the run
    (demo.sh port_drops: the veth ring full), or None without the file."""
    v = {}
    for l in read_lines(os.path.join(d, "port_drops.txt")):
        p = l.split()
        if len(p) == 2 and p[1].isdigit():
            v[p[0]] = int(p[1])
    return v["after"] - v["before"] if "before" in v and "after" in v else None


def flows_from_csv(path):
    """One record per flow (Flow ID and first_us), from its last snapshot."""
    flows = {}
    if not os.path.exists(path):
        return flows
    csv.field_size_limit(1 << 20)
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            key = (r["Flow ID"], r["first_us"])
            pk = int(r["Total Fwd Packet"]) + int(r["Total Bwd packets"])
            rec = flows.get(key)
            if rec is None or pk >= rec["pkts"]:
                flows[key] = {
                    "src": r["Src IP"], "sport": int(r["Src Port"]), "dst": r["Dst IP"],
                    "dport": int(r["Dst Port"]), "proto": int(r["Protocol"]),
                    "first_us": int(r["first_us"]), "pkts": pk, "label": r["Label"],
                }
    return flows


def load_events(path):
    evs = []
    for l in read_lines(path):
        if not l.startswith("{"):
            continue
        try:
            evs.append(json.loads(l))
        except ValueError:
            pass
    return evs


def final_counters(path):
    last = None
    for l in read_lines(path):
        if l.startswith("{"):
            try:
                last = json.loads(l)
            except ValueError:
                pass
    return last or {}


def dropped_flows(evs, t0):
    """Flows the classifier dropped, from its events: (client, client port,
    server port) -> wall times of their drop verdicts (t0: the run's wall
    and monotonic clocks, events carry the monotonic one)."""
    out = defaultdict(list)
    if not t0:
        return out
    for e in evs:
        if e.get("event") in ("classified", "changed") and e.get("action") == "drop":
            out[(e["src"], e.get("sport"), e.get("dport"))].append(
                t0[0] + e["ts_us"] / 1e6 - t0[1])
    return out


# a request's wall time is written to 10 ms (lab/benign.py); a keep-alive
# connection's requests start at most this long after its drop
SLACK, KEEP = 0.02, 30.0


def on_dropped_flow(p, drops):
    """Whether a results line's failed request met a drop: its connection
    (client, port, server port) dropped before it ended (and at most KEEP
    seconds before it began), or, when it never had a connection (port 0),
    a flow of that client to that server port dropped while it waited.
    None when the line names no client (lab/lab.sh's curl, wget, ssh, dig)."""
    if len(p) < 7:
        return None
    end = float(p[3])
    start, src, port, dport = end - float(p[2]), p[4], int(p[5]), int(p[6])
    if port:
        return any(start - KEEP <= t <= end + SLACK for t in drops.get((src, port, dport), ()))
    return any(start - SLACK <= t <= end + SLACK for (s, _, d), ts in drops.items()
               if s == src and d == dport for t in ts)


def service_rates(results, windows, t0_wall, drops=None):
    """Per kind: ok/total over the whole run and during the attacks, plus a
    per-second series (ok, fail) relative to t0. With the classifier's drops
    (dropped_flows), the failures during the attacks that met one are
    counted apart too (during_fail_dropped; during_fail_unnamed: failures
    whose line names no client, which cannot be matched)."""
    out = {}
    lo = min((w["start"] for w in windows), default=None)
    hi = max((w["end"] for w in windows), default=None)
    series = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for l in results:
        p = l.split()
        if len(p) < 4:
            continue
        kind, ok, wall = p[0], p[1] == "ok", float(p[3])
        o = out.setdefault(kind, {"ok": 0, "total": 0, "during_ok": 0, "during_total": 0,
                                  "during_fail_dropped": 0, "during_fail_unnamed": 0})
        o["ok"] += ok
        o["total"] += 1
        if lo is not None and lo <= wall <= hi + 1:
            o["during_ok"] += ok
            o["during_total"] += 1
            met = None if ok or drops is None else on_dropped_flow(p, drops)
            o["during_fail_dropped"] += met is True
            o["during_fail_unnamed"] += not ok and drops is not None and met is None
        if t0_wall is not None:
            sec = int(wall - t0_wall)
            series[kind][sec][0 if ok else 1] += 1
    for kind, o in out.items():
        o["rate"] = o["ok"] / o["total"] if o["total"] else None
        o["during_rate"] = o["during_ok"] / o["during_total"] if o["during_total"] else None
        o["series"] = {str(k): v for k, v in sorted(series[kind].items())}
    return out


def schedule(d, t0_wall):
    # params.txt (lab/plan.py's draws, from lab_mix): class tool start arguments...
    params = {}
    for l in read_lines(os.path.join(d, "params.txt")):
        p = l.split(None, 3)
        if len(p) == 4:
            params[(p[1], p[2])] = p[3]
    w = []
    for l in read_lines(os.path.join(d, "schedule.txt")):
        p = l.split()
        if len(p) == 4 and p[1] != "benign":
            w.append({"tool": p[0], "class": p[1], "start": float(p[2]), "end": float(p[3]),
                      "rel_start": float(p[2]) - t0_wall if t0_wall else None,
                      "rel_end": float(p[3]) - t0_wall if t0_wall else None,
                      "params": params.get((p[0], p[2]), "")})
    w.sort(key=lambda x: x["start"])
    return w


def analyse_protected(d, classes, actions):
    flows = flows_from_csv(os.path.join(d, "flows.csv"))
    evs = load_events(os.path.join(d, "events.jsonl"))
    counters = final_counters(os.path.join(d, "ff.stderr"))
    t0 = read_t0(d)
    t0_wall, t0_mono = t0 if t0 else (None, None)

    # the kernel's flows: events grouped by tuple and the kernel's first_us
    kflows = defaultdict(dict)
    for e in evs:
        if e.get("event") not in ("classified", "changed"):
            continue
        proto = PROTO.get(e["proto"], e["proto"])
        tup = (e["src"], e["sport"], e["dst"], None if proto in (1, 58) else e["dport"], proto)
        k = kflows[tup].setdefault(e["first_us"], {"first_attack": None, "classes": [],
                                                   "verdicts": []})
        k["classes"].append(e["class"])
        k["verdicts"].append((e["pkts"], e["class"]))
        if e["class"] != "benign" and k["first_attack"] is None:
            k["first_attack"] = {"class": e["class"], "pkts": e["pkts"], "ts_us": e["ts_us"],
                                 "action": e["action"]}
    off_us = (t0_wall - t0_mono) * 1e6 if t0 else None

    def blank():
        return {"flows": 0, "detected": 0, "right_class": 0, "relapsed": 0, "pkts": 0,
                "pkts_passed": 0, "detect_pkts": []}

    def passed(verdicts, total):
        """Packets the verdicts let through: each verdict holds from its
        packet until the next verdict."""
        v = sorted(verdicts)
        n = 0
        for i, (p, cls) in enumerate(v):
            end = v[i + 1][0] - 1 if i + 1 < len(v) else total
            if actions.get(cls, "pass") != "drop":
                n += max(0, min(end, total) - p + 1)
        first = v[0][0] if v else total + 1
        return n + max(0, min(first - 1, total))

    per = {c: blank() for c in classes}
    confusion = {c: Counter() for c in classes}
    unmatched = 0
    fp_examples = []
    miss_examples = defaultdict(list)
    relapse_examples = defaultdict(list)
    for f in flows.values():
        lab = f["label"]
        if lab not in per:
            per[lab] = blank()
            confusion[lab] = Counter()
        # ICMP: the events give the id as both ports, the CSV (CIC's Dst Port) 0
        tup = (f["src"], f["sport"], f["dst"], None if f["proto"] in (1, 58) else f["dport"],
               f["proto"])
        cands = kflows.get(tup)
        k = None
        if cands:
            if off_us is None or len(cands) == 1:
                k = next(iter(cands.values()))
            else:
                best = min(cands, key=lambda fu: abs(fu + off_us - f["first_us"]))
                k = cands[best]
        p = per[lab]
        p["flows"] += 1
        p["pkts"] += f["pkts"]
        if k is None:
            unmatched += 1
            p["unseen"] = p.get("unseen", 0) + 1
            confusion[lab]["(no verdict)"] += 1
            p["pkts_passed"] += f["pkts"]
            if lab != "benign" and len(miss_examples[lab]) < 5:
                miss_examples[lab].append(dict(f, why="no event for this flow"))
            continue
        fa = k["first_attack"]
        pred = fa["class"] if fa else "benign"
        confusion[lab][pred] += 1
        p["pkts_passed"] += passed(k["verdicts"], f["pkts"])
        if fa:
            p["detected"] += 1
            p["right_class"] += pred == lab
            p["detect_pkts"].append(fa["pkts"])
            last = sorted(k["verdicts"])[-1][1]
            if last == "benign":
                p["relapsed"] += 1
                if lab != "benign" and len(relapse_examples[lab]) < 3:
                    relapse_examples[lab].append(dict(f, verdicts=sorted(k["verdicts"])))
            if lab == "benign" and len(fp_examples) < 10:
                fp_examples.append(dict(f, predicted=pred, at_packet=fa["pkts"]))
        else:
            if lab != "benign" and len(miss_examples[lab]) < 5:
                miss_examples[lab].append(dict(f, why="classified benign at every checkpoint",
                                               classes=k["classes"]))
    for c, p in per.items():
        dp = p.pop("detect_pkts")
        p["detect_rate"] = p["detected"] / p["flows"] if p["flows"] else None
        p["median_pkts_to_detect"] = statistics.median(dp) if dp else None
        p["class_pkts_by_verdict"] = (counters.get("class_pkts") or {}).get(c)
        p["dropped_pkts"] = p["class_pkts_by_verdict"] if actions.get(c) == "drop" else 0

    # detections over time: attack-class verdicts per second (kernel clock)
    # new detections over time: a flow turning from no or a benign verdict to
    # an attack class, per second (kernel clock)
    timeline = defaultdict(Counter)
    for e in evs:
        if (e.get("event") in ("classified", "changed") and e["class"] != "benign" and t0
                and e.get("prev_class") in (None, "benign")):
            timeline[int(e["ts_us"] / 1e6 - t0_mono)][e["class"]] += 1
    atk = [c for c in per if c != "benign"]
    tot_atk = sum(per[c]["flows"] for c in atk)
    det_atk = sum(per[c]["detected"] for c in atk)
    b = per.get("benign", {"flows": 0, "detected": 0})
    return {
        "per_class": per,
        "confusion": {k: dict(v) for k, v in confusion.items()},
        "attack_flows": tot_atk,
        "attack_flows_detected": det_atk,
        "attack_detect_rate": det_atk / tot_atk if tot_atk else None,
        "benign_flows": b["flows"],
        "benign_flows_flagged": b["detected"],
        "benign_flag_rate": b["detected"] / b["flows"] if b["flows"] else None,
        "flows_without_event": unmatched,
        "attack_flows_without_event": sum(per[c].get("unseen", 0) for c in atk),
        "port_drops": read_port_drops(d),
        "counters": counters,
        "timeline": {str(k): dict(v) for k, v in sorted(timeline.items())},
        "false_alarm_examples": fp_examples,
        "miss_examples": {k: v for k, v in miss_examples.items()},
        "relapse_examples": {k: v for k, v in relapse_examples.items()},
    }


def tool_counts(nodes, flows_csv):
    """Packets and flows per source address in a capture (training)."""
    flows = flows_from_csv(flows_csv)
    by = defaultdict(lambda: [0, 0])
    for f in flows.values():
        by[f["src"]][0] += f["pkts"]
        by[f["src"]][1] += 1
    out = []
    for n in nodes:
        for addr in n["addresses"]:
            if addr in by:
                out.append({"node": n["node"], "tool": n["tool"], "class": n["class"], "src": addr,
                            "packets": by[addr][0], "flows": by[addr][1]})
    labels = Counter(f["label"] for f in flows.values())
    return out, dict(labels)


def load_nodes(path):
    nodes = []
    for l in read_lines(path):
        p = l.split()
        if len(p) >= 4 and not l.startswith("#"):
            nodes.append({"node": p[0], "class": p[1], "tool": p[2], "addresses": p[3:]})
    return nodes


# ---- text ----------------------------------------------------------------------------

def pct(x, digits=1):
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def pct_down(x, digits=1):
    """A success rate rounded down: 13,757 of 13,759 is 99.9%, not 100.0%."""
    if x is None:
        return "n/a"
    return f"{math.floor(100 * x * 10 ** digits + 1e-9) / 10 ** digits:.{digits}f}%"


def text_report(R):
    L = []
    P = R.get("protected") or {}
    per = P.get("per_class", {})
    L.append("per class (live run, classifier attached at XDP):")
    L.append(f"  {'class':<15} {'flows':>7} {'detected':>9} {'rate':>8} {'right cls':>9}"
             f" {'med pkts':>8} {'relapsed':>8} {'pkts':>8} {'passed':>8} {'dropped':>8}")
    for c, p in per.items():
        if c == "benign":
            continue
        med = p["median_pkts_to_detect"]
        L.append(f"  {c:<15} {p['flows']:>7} {p['detected']:>9} {pct(p['detect_rate']):>8}"
                 f" {p['right_class']:>9} {('-' if med is None else f'{med:g}'):>8}"
                 f" {p['relapsed']:>8} {p['pkts']:>8} {p['pkts_passed']:>8} {p['dropped_pkts'] or 0:>8}")
    b = per.get("benign")
    if b:
        L.append(f"  {'benign':<15} {b['flows']:>7} {b['detected']:>9} {pct(b['detect_rate'], 2):>8}"
                 f" {'':>9} {'':>8} {'':>8} {b['pkts']:>8} {b['pkts_passed']:>8} {b['dropped_pkts'] or 0:>8}"
                 "   (detected = wrongly flagged)")
    L.append("")
    L.append(f"attack flows detected:   {P.get('attack_flows_detected')} of {P.get('attack_flows')}"
             f" = {pct(P.get('attack_detect_rate'), 2)}   (target >= 99%)")
    unseen = P.get("attack_flows_without_event") or 0
    if unseen:
        seen = P.get("attack_flows", 0) - unseen
        drops = P.get("port_drops")
        why = (f"the bridge port towards the server dropped {drops} packets before XDP"
               " (the veth's ring full: the receiving core fell behind)" if drops
               else "the port's drops were not measured" if drops is None
               else "the bridge port dropped none: the program did not report them")
        L.append(f"  of them never seen:    {unseen} attack flows reached no program (no event);"
                 f" {why}")
        L.append(f"  of the flows seen:     {P.get('attack_flows_detected')} of {seen}"
                 f" = {pct(P.get('attack_flows_detected') / seen if seen else None, 2)}")
    L.append(f"benign flows flagged:    {P.get('benign_flows_flagged')} of {P.get('benign_flows')}"
             f" = {pct(P.get('benign_flag_rate'), 2)}   (target <= 0.1%)")
    c = P.get("counters", {})
    if c:
        L.append(f"kernel counters:         {c.get('packets')} packets, {c.get('flows_created')} flows,"
                 f" {c.get('classifications')} classifications, {c.get('dropped')} dropped,"
                 f" {c.get('events')} events ({c.get('events_lost')} lost)")
    L.append("")
    L.append("benign service success during the attacks:")
    L.append(f"  {'':<10} {'with flowforest':>18} {'without':>18}")
    S = R.get("services", {})
    for kind in ("http", "ssh", "dns"):
        w = S.get("protected", {}).get(kind)
        wo = S.get("baseline", {}).get(kind)

        def cell(o):
            if not o or not o["during_total"]:
                return "n/a"
            return f"{o['during_ok']}/{o['during_total']} {pct_down(o['during_rate'])}"
        L.append(f"  {kind:<10} {cell(w):>18} {cell(wo):>18}")
    if S.get("protected"):
        L.append("  " + fails_met(S["protected"]))
    if "baseline" not in S:
        L.append("  (the run without the classifier was skipped)")
    E = R.get("evaluation")
    if E:
        L.append("")
        L.append(evaluate.text(E))
    return "\n".join(L)


def fails_met(P):
    """The classifier's run's failures during the attacks, by whether they
    met one of its drops (service_rates)."""
    if not P:
        return ""
    parts = []
    for kind in ("http", "ssh", "dns"):
        o = P.get(kind)
        if not o or o["during_ok"] == o["during_total"]:
            continue
        n = o["during_total"] - o["during_ok"]
        d, u = o.get("during_fail_dropped", 0), o.get("during_fail_unnamed", 0)
        parts.append(f"{kind} {d} of {n}" + (f" ({u} not matched: no client in the line)"
                                               if u else ""))
    return ("failed with flowforest on a flow it dropped: " + ", ".join(parts) if parts
            else "no request failed with flowforest")


# ---- HTML ----------------------------------------------------------------------------

def esc(s):
    return html.escape(str(s))


def run_length(P, windows, S):
    """Seconds the live run lasted, for a common time axis."""
    secs = [int(k) + 1 for k in (P or {}).get("timeline", {})]
    secs += [int(w["rel_end"]) + 1 for r in windows.values() for w in r if w["rel_end"] is not None]
    for r in S.values():
        for o in r.values():
            secs += [int(k) + 1 for k in o["series"]]
    return max(secs + [10])


def svg_open(width, height, label):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'style="width:100%;height:auto;max-width:{width}px" role="img" aria-label="{esc(label)}">')


def svg_timeline(P, windows, classes, n, width=1080):
    """One lane per attack class: attack flows the kernel flagged per second
    (bar height on a log scale, the count on hover), the tools of that class
    running shaded behind."""
    tl = P.get("timeline", {})
    lanes = [c for c in classes if c != "benign"]
    ml, mr, mt, lane_h = 150, 20, 8, 38
    W = width - ml - mr
    height = mt + lane_h * len(lanes) + 26
    peak = max([v for cnt in tl.values() for v in cnt.values()] + [1])
    top = math.log10(peak + 1)
    bw = W / n
    o = [svg_open(width, height, "attack flows flagged per second, per class")]
    for i, c in enumerate(lanes):
        y0 = mt + i * lane_h
        base = y0 + lane_h - 6
        col = color(c, classes)
        o.append(f'<rect x="{ml}" y="{y0}" width="{W}" height="{lane_h - 6}" fill="#f7f8fa"/>')
        for w in windows:
            if w["class"] != c or w["rel_start"] is None:
                continue
            x0 = ml + W * max(w["rel_start"], 0) / n
            x1 = ml + W * max(w["rel_end"], w["rel_start"] + 0.3) / n
            o.append(f'<rect x="{x0:.1f}" y="{y0}" width="{x1 - x0:.1f}" height="{lane_h - 6}" '
                     f'fill="{col}" opacity="0.13"><title>{esc(w["tool"])} running</title></rect>')
        total = 0
        for k, cnt in tl.items():
            v = cnt.get(c, 0)
            if not v:
                continue
            total += v
            h = max(2.0, (lane_h - 9) * math.log10(v + 1) / top)
            o.append(f'<rect x="{ml + int(k) * bw + 1:.1f}" y="{base - h:.1f}" width="{max(bw - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{col}"><title>{int(k)}s: {v} {esc(c)} flows flagged</title></rect>')
        o.append(f'<text x="{ml - 8}" y="{y0 + 14}" text-anchor="end" class="lg">{esc(c)}</text>'
                 f'<text x="{ml - 8}" y="{y0 + 27}" text-anchor="end" class="ax">{total} flows</text>')
        o.append(f'<line x1="{ml}" x2="{ml + W}" y1="{base}" y2="{base}" stroke="#c9ced6"/>')
    step = 2 if n <= 24 else 5 if n <= 60 else 10
    for s in range(0, n + 1, step):
        o.append(f'<text x="{ml + W * s / n:.1f}" y="{height - 8}" text-anchor="middle" class="ax">{s}s</text>')
    o.append("</svg>")
    return "".join(o)


def svg_service(S, windows, kind, n, width=1080, lane_h=54):
    """Benign requests of one kind per second, ok (green) and failed (red),
    with and without the classifier; any attack running shaded."""
    runs = [(r, S[r][kind]) for r in ("protected", "baseline") if r in S and kind in S[r]]
    if not runs:
        return ""
    ml, mr, mt, mb = 150, 20, 18, 24
    W = width - ml - mr
    lane = lane_h
    height = mt + lane * len(runs) + mb
    bw = W / n
    o = [svg_open(width, height, f"benign {kind} requests per second")]
    o.append(f'<text x="{ml}" y="12" class="lg" font-weight="600">{esc(kind)}</text>')
    for i, (r, d) in enumerate(runs):
        top = mt + i * lane
        for w in windows.get(r, []):
            if w["rel_start"] is None:
                continue
            x0 = ml + W * w["rel_start"] / n
            x1 = ml + W * max(w["rel_end"], w["rel_start"] + 0.3) / n
            o.append(f'<rect x="{x0:.1f}" y="{top:.1f}" width="{x1 - x0:.1f}" height="{lane - 6:.1f}" '
                     f'fill="#9aa3b2" opacity="0.12"/>')
        peak = max([a + b for r2, d2 in runs for a, b in d2["series"].values()] + [1])
        for k, (ok, fail) in d["series"].items():
            s = int(k)
            h_ok = (lane - 8) * ok / peak
            h_f = (lane - 8) * fail / peak
            base = top + lane - 6
            if ok:
                o.append(f'<rect x="{ml + s * bw + 1:.1f}" y="{base - h_ok:.1f}" width="{max(bw - 2, 1):.1f}" '
                         f'height="{h_ok:.1f}" fill="#4caf50"><title>{s}s: {ok} ok</title></rect>')
            if fail:
                o.append(f'<rect x="{ml + s * bw + 1:.1f}" y="{base - h_ok - h_f:.1f}" '
                         f'width="{max(bw - 2, 1):.1f}" height="{h_f:.1f}" fill="#e53935">'
                         f'<title>{s}s: {fail} failed</title></rect>')
        o.append(f'<line x1="{ml}" x2="{ml + W}" y1="{top + lane - 6:.1f}" y2="{top + lane - 6:.1f}" stroke="#888"/>')
        label = "with flowforest" if r == "protected" else "without"
        rate = d["during_rate"]
        o.append(f'<text x="{ml - 8}" y="{top + lane / 2 - 4:.1f}" text-anchor="end" class="lg">{label}</text>'
                 f'<text x="{ml - 8}" y="{top + lane / 2 + 11:.1f}" text-anchor="end" class="ax">'
                 f'{d["during_ok"]}/{d["during_total"]} ok ({pct_down(rate)})</text>')
    step = 2 if n <= 24 else 5 if n <= 60 else 10
    for s in range(0, n + 1, step):
        o.append(f'<text x="{ml + W * s / n:.1f}" y="{height - 6}" text-anchor="middle" class="ax">{s}s</text>')
    o.append("</svg>")
    return "".join(o)


def svg_confusion(conf, classes):
    rows = [c for c in classes if c in conf and sum(conf[c].values())]
    cols = list(classes) + sorted({p for r in conf.values() for p in r} - set(classes))
    cols = [c for c in cols if any(conf.get(r, {}).get(c) for r in rows) or c in rows]
    cw, ch, ml, mt = 92, 30, 130, 110
    width, height = ml + cw * len(cols) + 20, mt + ch * len(rows) + 40
    o = [svg_open(width, height, "confusion matrix")]
    for j, c in enumerate(cols):
        x = ml + j * cw + cw / 2
        o.append(f'<text x="{x:.0f}" y="{mt - 8}" class="lg" text-anchor="start" '
                 f'transform="rotate(-35 {x:.0f} {mt - 8})">{esc(c)}</text>')
    o.append(f'<text x="{ml + cw * len(cols) / 2:.0f}" y="16" text-anchor="middle" class="ax">'
             f'first attack class the kernel gave the flow (benign: never flagged)</text>')
    for i, r in enumerate(rows):
        tot = sum(conf[r].values())
        y = mt + i * ch
        o.append(f'<text x="{ml - 8}" y="{y + ch / 2 + 4:.0f}" text-anchor="end" class="lg">{esc(r)}</text>')
        for j, c in enumerate(cols):
            v = conf[r].get(c, 0)
            share = v / tot if tot else 0
            good = (r == c)
            if v == 0:
                fill = "#fafafa"
            elif good:
                fill = f"rgba(46,125,50,{0.25 + 0.75 * share:.2f})"
            else:
                fill = f"rgba(211,47,47,{0.25 + 0.75 * share:.2f})"
            o.append(f'<rect x="{ml + j * cw}" y="{y}" width="{cw - 2}" height="{ch - 2}" fill="{fill}">'
                     f'<title>true {esc(r)}, kernel said {esc(c)}: {v} of {tot} flows</title></rect>')
            if v:
                tc = "#fff" if share > 0.5 else "#222"
                o.append(f'<text x="{ml + j * cw + cw / 2 - 1:.0f}" y="{y + ch / 2 + 4:.0f}" '
                         f'text-anchor="middle" class="cell" fill="{tc}">{v}</text>')
    o.append(f'<text x="{ml - 8}" y="{mt - 8}" text-anchor="end" class="ax">true class (by source)</text>')
    o.append("</svg>")
    return "".join(o)


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;
 background:#f4f5f7;color:#1d2330}
main{max-width:1160px;margin:0 auto;padding:24px 28px 40px}
h1{font-size:26px;margin:0 0 4px} h2{font-size:19px;margin:30px 0 10px}
.sub{color:#5b6475;margin:0 0 18px}
.cards{display:grid;grid-template-columns:repeat(4,1fr);gap:14px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.card .v{font-size:30px;font-weight:650} .card .k{color:#5b6475;font-size:13px}
.card .t{font-size:12px;margin-top:4px} .ok{color:#2e7d32} .bad{color:#c62828}
.panel{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08);
 overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 10px;text-align:right;border-bottom:1px solid #eceef2}
th{color:#5b6475;font-weight:600;background:#fafbfc;vertical-align:bottom}
td:first-child,th:first-child{text-align:left;white-space:nowrap}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
svg .ax{font-size:11px;fill:#5b6475} svg .lg{font-size:12.5px;fill:#1d2330} svg .cell{font-size:12px;font-weight:600}
.note{color:#5b6475;font-size:13px} code{background:#eef0f3;padding:1px 4px;border-radius:3px}
ul.tight li{margin:2px 0}
"""


def evaluation_html(E):
    """The evaluation (lab/evaluate.py): cards for its targets, a table per part."""
    if not E:
        return ""
    T = E.get("targets", {})

    def card(k, v, target, good):
        cls = "ok" if good else ("bad" if good is False else "")
        return (f'<div class="card"><div class="k">{esc(k)}</div><div class="v {cls}">{esc(v)}</div>'
                f'<div class="t note">{esc(target)}</div></div>')

    def ok(v, lim, le=False):
        return None if v is None else (v <= lim if le else v >= lim)
    fa = E.get("false_alarms") or {}
    cards = "".join([
        card("leave-one-tool-out, worst class", pct(T.get("leave_one_tool_out_min_class_rate"), 2),
             "attack flows flagged by a model trained without their tool · target ≥ 95%",
             ok(T.get("leave_one_tool_out_min_class_rate"), 0.95)),
        card("perturbed attacks, worst transform", pct(T.get("perturbed_min_rate"), 2),
             "padding, TTL, window, source port, rate · target ≥ 95%",
             ok(T.get("perturbed_min_rate"), 0.95)),
        card("benign flows flagged", pct(fa.get("rate"), 3),
             f"{fa.get('flagged')} of {fa.get('flows')}; 95% upper bound {pct(fa.get('upper95'), 3)}"
             " · target ≤ 0.1% over ≥ 10,000", ok(fa.get("upper95"), 0.001, le=True)
             if fa.get("flows", 0) >= 10000 else (False if fa else None)),
        card("public attack captures flagged", pct(T.get("public_rate"), 1),
             "../shared/data/pcaps, every capture its README calls an attack", None),
    ])

    def classes(d):
        return ", ".join(f"{esc(k)} {v}" for k, v in d.items()) or "–"
    parts = []
    lo = E.get("leave_one_tool_out")
    if lo:
        rows = "".join(
            f'<tr><td>{esc(s["class"])}</td><td>{esc(s["tool"])}</td><td>{s["flows"]}</td>'
            f'<td>{s["flagged"]}</td><td><b>{pct(s["rate"], 2)}</b></td><td>{classes(s["classes"])}</td>'
            f'<td>{"yes" if s["class_left_in_training"] else "no"}</td></tr>' for s in lo["tools"])
        crow = "".join(
            f'<tr><td>{esc(c)}</td><td>{p["tools"]}</td><td>{p["flows"]}</td><td>{p["flagged"]}</td>'
            f'<td><b>{pct(p["rate"], 2)}</b></td><td>{pct(p["min_tool_rate"], 2)}</td></tr>'
            for c, p in lo["per_class"].items())
        parts.append(f"""<h3>Leave one tool out</h3><table><tr><th>class</th><th>tool left out</th>
<th>its flows</th><th>flagged</th><th>rate</th><th>named as</th><th>class still in training</th></tr>{rows}</table>
<table><tr><th>class</th><th>tools</th><th>flows</th><th>flagged</th><th>rate</th><th>worst tool</th></tr>{crow}</table>
<p class="note">For each tool (or parameter set) of the training captures: a forest trained as the demo's
({esc(' '.join(lo.get('train_options', [])))}) on every other row, tested on the flows of that tool
(flowforest extract --model). A class with one tool is then absent from training: only another attack class
can flag it.</p>""")
    pe = E.get("perturbation")
    if pe:
        names = sorted({c for x in pe["transforms"] for c in x["per_class"]})
        head = "".join(f"<th>{esc(c)}</th>" for c in names)
        rows = "".join(
            f'<tr><td>{esc(x["name"])}</td><td>{x["attack_flagged"]}/{x["attack_flows"]}</td>'
            f'<td><b>{pct(x["rate"], 2)}</b></td>'
            + "".join(f'<td>{pct((x["per_class"].get(c) or {}).get("rate"), 1)}</td>' for c in names)
            + "</tr>" for x in pe["transforms"])
        parts.append(f"""<h3>Perturbed attacks</h3><table><tr><th>transform</th><th>flagged</th><th>rate</th>
{head}</tr>{rows}</table><p class="note">The live capture's attack packets (sources
{esc(', '.join(pe['attack_sources']))}) rewritten by lab/pcaprewrite.py (random values per flow or source,
seeds in report.json), then classified by the live model.</p>""")
    ji = E.get("jitter")
    if ji:
        rows = "".join(
            f'<tr><td>{esc(lab)}</td><td>{v["flows"]}</td><td>{v["flagged"]} → {v["flagged_jittered"]}</td>'
            f'<td><b>{v["changed"]}</b></td><td>{v["unflagged"]}</td><td>{v["newly_flagged"]}</td>'
            f'<td>{v["other_packet"]}</td></tr>'
            for lab, v in list(ji["per_label"].items()) + [("all attacks", ji["attack"])])
        parts.append(f"""<h3>Timestamps jittered (±{ji['us']} µs)</h3><table><tr><th>label</th><th>flows</th>
<th>flagged</th><th>decided otherwise</th><th>flagged no more</th><th>flagged now</th>
<th>first flagged at another packet</th></tr>{rows}</table><p class="note">The live capture with every
packet's timestamp moved by at most {ji['us']} µs (lab/pcaprewrite.py --jitter; a flow's packets in their
order), classified again: another clock's stamps of the same packets (the kernel's sit 8-12 µs from
tcpdump's). A verdict that changes hangs on timing below the measurement's jitter.</p>""")
    pu = E.get("public")

    def other(o):
        return (f'{o["flows"]} flows of IP protocol {esc("/".join(o["protocols"]))}, {o["flagged"]} flagged'
                if o and o.get("flows") else "")
    if pu:
        rows = "".join(
            f'<tr><td>{esc(s["file"])}</td><td>{esc(s["expected"] or "any attack")}</td><td>{s["flows"]}</td>'
            f'<td>{s["flagged"]}</td><td><b>{pct(s["rate"], 1)}</b></td><td>{classes(s["classes"])}</td>'
            f'<td>{other(s.get("other"))}</td></tr>'
            for s in pu["captures"])
        parts.append(f"""<h3>Public attack captures</h3><table><tr><th>capture</th><th>attack</th><th>flows</th>
<th>flagged</th><th>rate</th><th>named as</th><th>not the attack</th></tr>{rows}</table>
<p class="note">A UDP amplification capture's TCP flows are the victim's own traffic, not the attack: counted
apart (lab/evaluate.py PUBLIC_ATTACKS).</p>""")
    mf = E.get("model_features")
    if mf:
        rows = "".join(
            f'<tr><td>{esc(x["feature"])}</td><td>{100 * x["share"]:.1f}%</td>'
            f'<td class="{"bad" if x["fingerprint"] else ""}">{esc(x["fingerprint"] or "")}</td></tr>'
            for x in mf["features"][:15])
        parts.append(f"""<h3>What the model leans on</h3><p>{100 * mf['fingerprint_share']:.1f}% of its splits
({esc(mf['weighting'])}) are on features that can identify a tool or a host rather than a behaviour.</p>
<table><tr><th>feature</th><th>share of the splits</th><th>can identify a tool or host</th></tr>{rows}</table>""")
    if fa:
        ex = "".join(f'<li>{esc(e["src"])}:{esc(e["sport"])} → {esc(e["dst"])}:{esc(e["dport"])} proto '
                     f'{esc(e["proto"])}: <b>{esc(e["flag_class"])}</b> at packet {e["flag_at"]} '
                     f'({e["pkts"]} packets)</li>' for e in fa.get("examples", [])[:10])
        svc = ", ".join(f"{esc(k)} {v}" for k, v in fa.get("flows_by_service", {}).items())
        parts.append(f"""<h3>False alarms</h3><p>{fa['flagged']} of {fa['flows']} benign flows flagged
({pct(fa['rate'], 3)}); 95% upper bound (one-sided Clopper-Pearson) {pct(fa['upper95'], 3)}.
Benign flows by service: {svc}.</p><ul class="tight">{ex}</ul>""")
    return f"""<h2>Evaluation: attacks or the lab's tools?</h2><div class="cards">{cards}</div>
<div class="panel">{''.join(parts)}<p class="note">{esc(E.get('definition', ''))}.
lab/evaluate.py; seed {E.get('seed')}.</p></div>"""


def html_report(R):
    P = R.get("protected") or {}
    S = R.get("services", {})
    classes = R["classes"]
    per = P.get("per_class", {})

    def card(k, v, target, good):
        cls = "ok" if good else ("bad" if good is False else "")
        return (f'<div class="card"><div class="k">{esc(k)}</div><div class="v {cls}">{esc(v)}</div>'
                f'<div class="t note">{esc(target)}</div></div>')

    def svc(run, kind):
        o = S.get(run, {}).get(kind)
        return o.get("during_rate") if o else None

    adr, bfr = P.get("attack_detect_rate"), P.get("benign_flag_rate")
    h_with, h_wo = svc("protected", "http"), svc("baseline", "http")
    cards = "".join([
        card("attack flows detected", pct(adr, 2), f"{P.get('attack_flows_detected')} of "
             f"{P.get('attack_flows')} · target ≥ 99%", None if adr is None else adr >= 0.99),
        card("benign flows flagged", pct(bfr, 2), f"{P.get('benign_flows_flagged')} of "
             f"{P.get('benign_flows')} · target ≤ 0.1%", None if bfr is None else bfr <= 0.001),
        card("benign HTTP ok, with flowforest", pct_down(h_with), "during the attacks · target ≥ 99%",
             None if h_with is None else h_with >= 0.99),
        card("benign HTTP ok, without", pct_down(h_wo), "the same attack mix, no classifier", None),
    ])

    rows = []
    for c, p in per.items():
        med = p["median_pkts_to_detect"]
        rows.append(
            f'<tr><td><span class="sw" style="background:{color(c, classes)}"></span>{esc(c)}</td>'
            f'<td>{p["flows"]}</td><td>{p["detected"]}</td>'
            f'<td>{pct(p["detect_rate"], 2) if c != "benign" else ""}</td>'
            f'<td>{pct(p["detect_rate"], 2) if c == "benign" else ""}</td>'
            f'<td>{p["right_class"] if c != "benign" else ""}</td>'
            f'<td>{"" if med is None else f"{med:g}"}</td>'
            f'<td>{p["relapsed"] if c != "benign" else ""}</td><td>{p["pkts"]}</td>'
            f'<td>{p["pkts_passed"]}</td><td>{p["dropped_pkts"] or 0}</td></tr>')
    svc_rows = []
    for kind in ("http", "ssh", "dns"):
        cells = []
        for r in ("protected", "baseline"):
            o = S.get(r, {}).get(kind)
            if o and o["during_total"]:
                cells.append(f'<td>{o["during_ok"]}/{o["during_total"]} · <b>{pct_down(o["during_rate"])}</b></td>')
            else:
                cells.append("<td>n/a</td>")
        svc_rows.append(f"<tr><td>{kind}</td>{''.join(cells)}</tr>")
    svc_rows.append(f'<tr><td colspan="3" class="note">{esc(fails_met(S.get("protected", {})))}'
                    '</td></tr>')

    windows = {r: R.get("schedule", {}).get(r, []) for r in ("protected", "baseline")}
    n = run_length(P, windows, S)
    sched_rows = "".join(
        f'<tr><td>{esc(w["tool"])}</td><td>{esc(w["class"])}</td>'
        f'<td>{w["rel_start"]:.1f}s</td><td>{w["rel_end"] - w["rel_start"]:.1f}s</td>'
        f'<td><code>{esc(w.get("params", ""))}</code></td></tr>'
        for w in windows["protected"] if w["rel_start"] is not None)
    tr = R.get("training", {})
    tools = "".join(
        f'<tr><td>{esc(t["tool"])}</td><td>{esc(t["class"])}</td><td>{esc(t["src"])}</td>'
        f'<td>{t["packets"]}</td><td>{t["flows"]}</td></tr>' for t in tr.get("sources", []))
    tm = R.get("trainer", {})
    tmetrics = ""
    if tm:
        mt = tm.get("metrics") or tm.get("test") or {}
        acc = tm.get("accuracy", mt.get("accuracy"))
        mf1 = tm.get("macro_f1", mt.get("macro_f1"))
        tmetrics = (f"flowforest train: {esc(tm.get('model', 'rf'))}, {esc(tm.get('nodes', '?'))} nodes, "
                    f"{esc(tm.get('train_rows', '?'))} training rows; on {esc(mt.get('rows', '?'))} "
                    f"held-out rows of the training captures: accuracy {acc:.4f}, macro-F1 {mf1:.4f}"
                    if isinstance(acc, (int, float)) and isinstance(mf1, (int, float)) else "")
    misses = []
    for c, exs in (P.get("miss_examples") or {}).items():
        for e in exs[:3]:
            misses.append(f"<li><b>{esc(c)}</b> {esc(e['src'])}:{e['sport']} → {esc(e['dst'])}:{e['dport']}"
                          f" proto {e['proto']}, {e['pkts']} packets: {esc(e['why'])}</li>")
    fps = [f"<li>{esc(e['src'])}:{e['sport']} → {esc(e['dst'])}:{e['dport']} proto {e['proto']}: "
           f"<b>{esc(e['predicted'])}</b> at packet {e['at_packet']} ({e['pkts']} packets)</li>"
           for e in (P.get("false_alarm_examples") or [])]
    c = P.get("counters", {})
    timing = " · ".join(f"{esc(k)} {v:.0f}s" for k, v in R.get("timing", {}).items())
    notes = "".join(f"<li>{esc(n)}</li>" for n in R.get("notes", []))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flowforest lab report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><main>
<h1>flowforest lab report</h1>
<p class="sub">A random forest trained on a recorded lab run, attached with <code>flowforest run --hook xdp</code>
on the server's interface, facing a fresh mix of benign traffic and attacks (other addresses, timings, ports).
{esc(R.get('generated', ''))} · {timing}</p>
<div class="cards">{cards}</div>
{evaluation_html(R.get("evaluation"))}

<h2>Detections over time (live run, classifier attached)</h2>
<div class="panel">{svg_timeline(P, windows['protected'], classes, n)}
<p class="note">Attack flows the kernel flagged per second, one lane per class (bar height: log scale; hover for the
count). Shaded: a tool of that class running.</p></div>

<h2>Benign requests per second: with and without the classifier</h2>
<div class="panel">{svg_service(S, windows, 'http', n)}{svg_service(S, windows, 'ssh', n, lane_h=40)}
<p class="note">Green: requests that succeeded in that second; red: failed (3 s timeout for HTTP, 8 s for ssh).
Grey: an attack running. The same attack mix both times.</p></div>

<h2>Per class</h2>
<div class="panel"><table>
<tr><th>true class</th><th>flows</th><th>flagged</th><th>detected</th><th>wrongly flagged</th><th>right class</th>
<th>median packets to detection</th><th>back to benign later</th><th>packets</th><th>packets that reached the server</th><th>packets dropped (by verdict)</th></tr>
{''.join(rows)}</table>
<p class="note">Ground truth: every flow of the live capture (taken on the bridge port towards the server, so it
includes what XDP dropped), labelled by source subnet. A flow counts as detected when the kernel's events give it
an attack class at any checkpoint. Packets dropped are the kernel's per-class counters.
Kernel: {c.get('packets')} packets, {c.get('flows_created')} flows, {c.get('classifications')} classifications,
{c.get('dropped')} dropped, {c.get('events')} events ({c.get('events_lost')} lost);
{P.get('flows_without_event', 0)} captured flows without an event ({P.get('attack_flows_without_event', 0)} of
them attack flows); packets the bridge port towards the server dropped before XDP (the veth's ring full):
{P.get('port_drops') if P.get('port_drops') is not None else 'not measured'}.</p></div>

<h2>Confusion matrix (flows)</h2>
<div class="panel">{svg_confusion(P.get('confusion', {}), classes)}</div>

<h2>Benign service success during the attacks</h2>
<div class="panel"><table><tr><th>service</th><th>with flowforest</th><th>without (same attack mix)</th></tr>
{''.join(svc_rows)}</table></div>

<h2>What missed, and false alarms</h2>
<div class="panel"><ul class="tight">{''.join(misses) or '<li>No attack flow missed.</li>'}</ul>
<ul class="tight">{''.join(fps) or '<li>No benign flow flagged.</li>'}</ul></div>

<h2>The attacks (live run)</h2>
<div class="panel"><table><tr><th>tool</th><th>class</th><th>start</th><th>duration</th>
<th>parameters drawn for this run (lab/plan.py)</th></tr>{sched_rows}</table></div>

<h2>Training</h2>
<div class="panel"><p class="note">{tmetrics}</p>
<table><tr><th>tool</th><th>class</th><th>source</th><th>packets in the training capture</th><th>flows</th></tr>{tools}</table>
<ul class="tight note">{notes}</ul></div>
</main></body></html>
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    d = a.dir
    meta = {}
    try:
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
    except (FileNotFoundError, ValueError):
        pass
    nodes = load_nodes(os.path.join(d, "nodes.txt"))
    model_classes, actions = [], {}
    try:
        with open(os.path.join(d, "model.json")) as f:
            m = json.load(f)
        model_classes = [c["name"] for c in m["classes"]]
        actions = {c["name"]: c.get("action", "pass") for c in m["classes"]}
    except (FileNotFoundError, ValueError, KeyError):
        pass
    actions.update(meta.get("actions", {}))
    classes = model_classes or sorted({n["class"] for n in nodes})
    if "benign" in classes:
        classes = ["benign"] + [c for c in classes if c != "benign"]

    R = {"generated": meta.get("generated", ""), "classes": classes, "actions": actions,
         "checkpoints": meta.get("checkpoints"), "timing": {}, "notes": meta.get("notes", []),
         "schedule": {}, "services": {}}
    for l in read_lines(os.path.join(d, "timing.txt")):
        p = l.split()
        if len(p) == 2:
            R["timing"][p[0]] = float(p[1])
    srcs, labels = tool_counts(nodes, os.path.join(d, "train", "flows.csv"))
    R["training"] = {"sources": srcs, "flows_by_label": labels}
    try:
        with open(os.path.join(d, "model.trainer.json")) as f:
            R["trainer"] = json.load(f)
    except (FileNotFoundError, ValueError):
        pass
    for run in ("protected", "baseline"):
        rd = os.path.join(d, run)
        if not os.path.isdir(rd):
            continue
        t0 = read_t0(rd)
        w = schedule(rd, t0[0] if t0 else None)
        R["schedule"][run] = w
        drops = dropped_flows(load_events(os.path.join(rd, "events.jsonl")), t0)
        R["services"][run] = service_rates(read_lines(os.path.join(rd, "results.txt")), w,
                                           t0[0] if t0 else None, drops)
    try:
        with open(os.path.join(d, "evaluation.json")) as f:
            R["evaluation"] = json.load(f)
    except (FileNotFoundError, ValueError):
        pass
    if os.path.isdir(os.path.join(d, "protected")):
        R["protected"] = analyse_protected(os.path.join(d, "protected"), classes, actions)
        # events as the classes they named, for tests and readers
        R["protected"]["event_classes_by_source"] = {}
        by = defaultdict(Counter)
        for e in load_events(os.path.join(d, "protected", "events.jsonl")):
            if e.get("event") in ("classified", "changed"):
                by[e["src"]][e["class"]] += 1
        R["protected"]["event_classes_by_source"] = {k: dict(v) for k, v in sorted(by.items())}

    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump(R, f, indent=1, sort_keys=False)
    with open(os.path.join(d, "report.html"), "w") as f:
        f.write(html_report(R))
    txt = text_report(R)
    with open(os.path.join(d, "report.txt"), "w") as f:
        f.write(txt + "\n")
    if not a.quiet:
        print(txt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
