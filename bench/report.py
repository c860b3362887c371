#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Assemble bench/results.json and bench/results.md from the raw files that
bench/run.sh leaves in its work directory.

    report.py WORKDIR RESULTS.json RESULTS.md [--readme README.md]
    report.py RESULTS.json --readme README.md

With --readme, the lead-in and the table of README.md's "## Benchmarks"
section are replaced by the command and the headline table (the rest of the
section is left alone).
"""
import json
import os
import re
import statistics
import sys


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def load_jsonl(path):
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def stat3(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values)}


def med(s):
    return s["median"] if s else None


def fmt(v, digits=0, unit=""):
    if v is None:
        return "n/a"
    if digits == 0:
        return f"{v:,.0f}{unit}"
    return f"{v:,.{digits}f}{unit}"


def fmt_s3(s, digits=0, scale=1.0):
    if not s:
        return "n/a"
    return (f"{fmt(s['median'] * scale, digits)} "
            f"({fmt(s['min'] * scale, digits)}–{fmt(s['max'] * scale, digits)})")


def mpps(s):
    return fmt_s3(s, 3, 1e-6)


HOOK_LABEL = {"pass": "XDP pass-only program (baseline)", "xdp": "flowforest XDP (native)",
              "tc": "flowforest TC ingress", "socket": "flowforest socket filter",
              "twin": "user-space twin (TPACKET_V3)",
              "xdp_drop": "flowforest XDP, every class drops"}
HOOK_ORDER = ["pass", "xdp", "tc", "socket", "xdp_drop"]


def aggregate_live(runs):
    groups = {}
    for r in runs:
        if r.get("discarded"):
            continue
        groups.setdefault((r["hook"], r["n_flows"]), []).append(r)
    out = []
    for (hook, n), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        # runs kept although the receive thread had less than 85 % of its
        # core (livegen retried them twice): only when no clean run exists
        noisy, kept_all = sum(1 for r in rs if r.get("noisy")), len(rs)
        if noisy < kept_all:
            rs = [r for r in rs if not r.get("noisy")]
        def col(k, f=None):
            return stat3([(f(r) if f else r.get(k)) for r in rs if (f or k in r)])
        out.append({
            "hook": hook, "n_flows": n, "runs": len(rs),
            "sent_pps": col("sent_pps"), "rx_pps": col("rx_pps"),
            "lost_pps": col("lost_pps"), "ff_pps": col("ff_pps"),
            "classified_per_s": col("classified_ps"), "dropped_pps": col("dropped_ps"),
            # packets that ran the model (checkpoints): the flows' ages in
            # the window decide it (1, 2, 4, 8, 16, ... packets)
            "model_runs_per_pkt": col(None, lambda r: r["classified_ps"] / r["ff_pps"]
                                      if r.get("ff_pps") and "classified_ps" in r else None),
            "flows_created_per_s": col("flows_created_ps"), "events_per_s": col("events_ps"),
            "socket_read_pps": col("socket_read_pps"),
            "rx_cpu_busy": col("rx_cpu_busy"),
            "rx_core_ns_per_pkt": col(None, lambda r: r["rx_cpu_busy"] * 1e9 / r["rx_pps"]
                                      if r.get("rx_pps") else None),
            "napi_thread_ns_per_pkt": col("napi_ns_per_pkt"),
            # the receive thread's share of its core: below ~0.9, other
            # processes took part of the core during the window
            "napi_cpu_share": col(None, lambda r: r["napi_ns_per_pkt"] * r["rx_pps"] / 1e9),
            # what one whole core would take: 1 s / the thread's CPU per packet
            "capacity_pps": col(None, lambda r: 1e9 / r["napi_ns_per_pkt"]
                                if r.get("napi_ns_per_pkt") else None),
            "flow_table_entries": rs[0].get("table"),
            "noisy_runs_left_out": noisy if noisy < kept_all else 0,
            "noisy_runs_used": kept_all if noisy == kept_all else 0,
            "load_ms": col("load_ms"),
        })
        if rs[0].get("flood"):
            # established flows that kept their entry / their verdict, worst run
            est = [r for r in rs if "est_flows" in r]
            out[-1].update({
                "flood": rs[0]["flood"], "est_every": rs[0].get("est_every"),
                "first_fast": rs[0].get("first_fast"),
                "est_flows": est[0]["est_flows"] if est else None,
                "est_present_min": min((r["est_present"] for r in est), default=None),
                "est_verdict_ok_min": min((r["est_verdict_ok"] for r in est), default=None),
                "first_drops_per_s": col("first_drops_ps"),
                "first_memo_per_s": col("first_memo_ps"),
                "evicted_per_s": col("evicted_ps")})
    return out


def twin_window(lines, t0, t1):
    """Rates from the twin's cumulative lines that fall inside [t0, t1]."""
    inside = [l for l in lines if not l.get("final") and t0 <= l["t"] <= t1]
    if len(inside) < 2:
        return None
    a, b = inside[0], inside[-1]
    dt = b["t"] - a["t"]
    dp = b["packets"] - a["packets"]
    cpu = (b["cpu_user_s"] + b["cpu_sys_s"]) - (a["cpu_user_s"] + a["cpu_sys_s"])
    return {"t": dt, "pps": dp / dt, "ring_drops_pps": (b["ring_drops"] - a["ring_drops"]) / dt,
            "ring_seen_pps": (b["ring_packets"] - a["ring_packets"]) / dt,
            "cpu_ns_per_pkt": cpu * 1e9 / dp if dp else None,
            "cpu_share": cpu / dt}


def twin_pairs(P, ext_runs, prefix):
    """Pair each external generator run with its twin's lines, in order."""
    out, seen = [], {}
    for r in ext_runs:
        n = r["n_flows"]
        k = seen.get(n, 0)
        seen[n] = k + 1
        lines = load_jsonl(P(f"{prefix}-{n}-{k}.jsonl"))
        w = twin_window(lines, r["t_start"], r["t_end"])
        final = next((l for l in lines if l.get("final")), None)
        if not w:
            continue
        napi_frac = r["napi_ns_per_pkt"] * r["rx_pps"] / 1e9
        core_ns = (napi_frac + w["cpu_share"]) * 1e9 / w["pps"] if w["pps"] else None
        out.append({"n_flows": n, "run": k, "twin_pps": w["pps"],
                    "napi_cpu_share": napi_frac,
                    "napi_ns_per_frame": r["napi_ns_per_pkt"],
                    "core_ns_per_pkt": core_ns,
                    "capacity_pps": 1e9 / core_ns if core_ns else None,
                    "ring_drops_pps": w["ring_drops_pps"],
                    "ring_seen_pps": w["ring_seen_pps"],
                    "twin_cpu_ns_per_pkt": w["cpu_ns_per_pkt"],
                    "twin_cpu_share": w["cpu_share"],
                    "rx_pps": r["rx_pps"], "sent_pps": r["sent_pps"],
                    "rx_cpu_busy": r["rx_cpu_busy"],
                    "rx_core_ns_per_pkt": r["rx_cpu_busy"] * 1e9 / w["pps"] if w["pps"] else None,
                    "classifications": final.get("classifications") if final else None,
                    "table_bytes": final.get("table_bytes") if final else None})
    return out


def limits_100k(live_get, stages, cp_first_ns):
    """What the 100k-flow row is made of, measured: the flow lookup alone
    against the whole cached-verdict path on random flows (stages), and the
    checkpoints' share of the program's time (livegen --cp-first against the
    default schedule, both with kernel.bpf_stats_enabled)."""
    parts = []
    st = {r["name"]: r for r in stages}
    for n in (65536, 1048576):
        lk, full = st.get(f"lookup_only_{n}"), st.get(f"ctx_update_{n}")
        if lk and full:
            parts.append(f"at {n:,} entries the flow lookup alone costs "
                         f"{med(lk['ns_per_pkt_random_flow']):,.0f} ns of a random flow's "
                         f"cached-verdict {med(full['ns_per_pkt_random_flow']):,.0f} "
                         f"(hot: {med(lk['ns_per_pkt_hot_flow']):.0f} of "
                         f"{med(full['ns_per_pkt_hot_flow']):.0f})")
    x, p = live_get("xdp", 100000), live_get("pass", 100000)
    lk = st.get("lookup_only_65536")
    pass_ns = med(p["napi_thread_ns_per_pkt"]) if p and p.get("napi_thread_ns_per_pkt") else None
    if pass_ns and lk:
        # 0.7x the pass-only rate = at most pass_ns / 0.7 per packet on the
        # receiving core: what is left for the program on top of pass-only
        budget = pass_ns / 0.7 - pass_ns
        lk_ns = med(lk["ns_per_pkt_random_flow"])
        parts.insert(0, f"for 0.7x the receive thread may spend {budget:.0f} ns per packet on "
                        f"top of the pass-only program's {pass_ns:.0f}; the lookup alone of a "
                        f"random flow in a table of 65,536 entries (bucket and element from "
                        f"memory, nothing of the value read; the live table holds "
                        f"{x.get('flow_table_entries') or 0:,}) costs {lk_ns:.0f} ns, "
                        f"{lk_ns / budget:.1f}x that budget, before the flow is updated")
    if x and x.get("prog_ns_per_pkt") and cp_first_ns:
        parts.append(f"the checkpoints take {x['prog_ns_per_pkt'] - cp_first_ns:.0f} of the "
                     f"program's {x['prog_ns_per_pkt']:.0f} ns per packet (model at first "
                     f"packets only: {cp_first_ns:.0f})")
    return "; ".join(parts)


def mix_limits(mix, per_packet):
    """What the realistic mix's ratio to the empty program is made of,
    measured: the clock alone (an XDP program that reads it and passes), the
    pipeline without a model and with a cached verdict on one hot flow (the
    per-packet rows), and what the checkpoints add on average."""
    pp = {r["name"]: med(r["ns_per_pkt"]) for r in per_packet}
    e = pp.get("empty_xdp")
    parts = ["the empty program's figure is test_run's own loop per packet (6 ns on kernel "
             "6.18 with the program in the XDP dispatcher, 29-33 ns in earlier runs)"]
    if e:
        parts.append(f"5x the empty program is {5 * e:.0f} ns per packet")
        if pp.get("clock_xdp"):
            parts.append(f"a program that only reads the clock (bpf_ktime_get_ns, the time "
                         f"stamp every tracked packet needs) and passes takes "
                         f"{pp['clock_xdp']:.0f} ns, {pp['clock_xdp'] / e:.1f}x")
        if pp.get("parse_flow") and pp.get("cached_xdp"):
            parts.append(f"parse + flow lookup and update without a model "
                         f"{pp['parse_flow']:.0f} ns ({pp['parse_flow'] / e:.1f}x), with the "
                         f"cached verdict {pp['cached_xdp']:.0f} ns "
                         f"({pp['cached_xdp'] / e:.1f}x), one hot flow")
    if mix and pp.get("cached_xdp"):
        parts.append(f"the checkpoints (7 of 64 packets run the model) add "
                     f"{med(mix['ff_xdp_ns_per_pkt']) - pp['cached_xdp']:.0f} ns per packet "
                     f"on average")
    return "; ".join(parts)


def issue14_targets(live, live_get, mix, grid, twin, limits="", per_packet=(), stages=()):
    """The targets of issue 14 (line rate under floods), stable ids; a target
    not measured in this run stays in the list with measured None, met false."""
    T = []

    def add(tid, target, measured, unit, met, **more):
        T.append(dict({"id": tid, "target": target,
                       "measured": round(measured, 3) if isinstance(measured, float) else measured,
                       "unit": unit, "met": bool(met and measured is not None)}, **more))

    fl = next((g for g in live if g["hook"] == "xdp_flood_syn_drop"), None)
    ratio = fl.get("ratio_to_pass") if fl else None
    kept = bool(fl and fl.get("est_flows") and fl["est_present_min"] == fl["est_flows"]
                and fl["est_verdict_ok_min"] == fl["est_flows"])
    add("flood_drop_vs_pass",
        "spoofed one-packet SYN flood, every class dropping (the established flows' "
        "clients in the allow list): packets/s >= 0.8x the pass-only program on the same "
        "traffic, established flows keep 100 % of their entries and verdicts", ratio, "x", ratio is not None and ratio >= 0.8 and kept,
        established=(f"{fl['est_present_min']}/{fl['est_flows']} entries, "
                     f"{fl['est_verdict_ok_min']}/{fl['est_flows']} verdicts (worst run)"
                     if fl else None),
        note="livegen --flood's forest splits on the packet's fields only: each SYN is a "
             "first-packet memo drop, which counts no context (no model reads it) and reads "
             "the coarse clock; with a model that reads a ctx feature each SYN runs the "
             "model instead (per-packet row first_drop_ctx_xdp)")
    x = live_get("xdp", 100000)
    r = x.get("ratio_to_pass") if x else None
    share = med(x.get("model_runs_per_pkt")) if x else None
    add("flows_100k_vs_pass", "100,000 flows round-robin, XDP >= 0.7x pass-only", r, "x",
        r is not None and r >= 0.7,
        note="; ".join(t for t in (
            (f"{share * 100:.0f} % of the packets ran the model (in a window of seconds the "
             "flows are young: checkpoints at packets 1, 2, 4, 8, 16, ...)")
            if share is not None else "", limits) if t) or None)
    r = mix["ratio_to_empty"] if mix else None
    add("mix_vs_empty", "realistic mix <= 5x the empty program (BPF_PROG_TEST_RUN)", r, "x",
        r is not None and r <= 5,
        empty_ns=med(mix["empty_ns_per_pkt"]) if mix else None,
        pipeline_ns=med(mix["ff_xdp_ns_per_pkt"]) if mix else None,
        note=mix_limits(mix, per_packet))
    g = next((g for g in grid if g["trees"] == 32 and g["depth"] == 12), None)
    r = med(g["ns_per_pkt"]) if g else None
    g1 = next((g for g in grid if g["trees"] == 1 and g["depth"] == 12), None)
    add("model_32x12_ns", "one run of a 32 x 12 forest <= 300 ns (the model at every packet)",
        r, "ns", r is not None and r <= 300,
        native=bool(g.get("native")) if g else None,
        walk_ns=med(g["walk_ns_per_pkt"]) if g and g.get("walk_ns_per_pkt") else None,
        one_tree_ns=med(g1["ns_per_pkt"]) if g1 else None,
        noctx_ns=med(g["noctx_ns_per_pkt"]) if g and g.get("noctx_ns_per_pkt") else None,
        note=(f"the context (counted at every packet, its four entries and its features read "
              f"at every checkpoint) takes {med(g['ctx_ns_per_pkt']) - med(g['noctx_ns_per_pkt']):.0f} "
              f"ns: the same forest with its ctx_* splits moved to flow features costs "
              f"{med(g['noctx_ns_per_pkt']):.0f} ns against {med(g['ctx_ns_per_pkt']):.0f} in "
              f"turn (noctx_ns); "
              if g and g.get("noctx_ns_per_pkt") and g.get("ctx_ns_per_pkt") else "") +
             (f"with a 1 x 12 forest (12 splits: the features they read computed, not every "
              f"one) the same checkpoint costs {med(g1['ns_per_pkt']):.0f} ns: the target "
              f"leaves {300 - med(g1['ns_per_pkt']):.0f} ns for 31 more trees and the "
              f"features they read, which take {r - med(g1['ns_per_pkt']):.0f}; "
              if g1 and r else "") +
             "the native forest (the model compiled to BPF instructions at load, "
             "docs/design.md), walk_ns the data-driven walk on the same packets in turn; "
             "one_tree_ns is the same pipeline with a 1 x 12 forest: the per-packet path "
             "besides the trees (features, flow update) is most of the figure. Where a "
             "packet's time goes (shares of a perf profile of the native copy of ff_xdp, "
             "25eea37's code, 32 x 12 comb, which reads every feature, scaled to 326 ns on a "
             "loaded machine): the flow's features 54 ns, their standard "
             "deviations and variances 36, the context read 55 (its four entry lookups 41), "
             "the trees 44, the clock 31, the flow table's lookup 21, the rest of the "
             "sequence 29, the model's glue (phase, vote, score) 21")
    t = next((t for t in twin if t["n_flows"] == 100000), None)
    r = t.get("xdp_over_twin") if t else None
    # The ceiling of that ratio on this bench: both pay the receive path of
    # a passed frame; the twin's NAPI thread also copies each frame to its
    # ring. With classification free on both sides, XDP / twin = the twin's
    # NAPI ns per frame / the pass-only program's.
    p = live_get("pass", 100000)
    ceiling = (med(t["napi_ns_per_frame"]) / med(p["napi_thread_ns_per_pkt"])
               if t and p and t.get("napi_ns_per_frame") and p.get("napi_thread_ns_per_pkt")
               and med(p["napi_thread_ns_per_pkt"]) else None)
    need = None
    if t and p and t.get("core_ns_per_pkt") and p.get("napi_thread_ns_per_pkt"):
        # XDP / twin = the twin's core ns per packet / XDP's: 3x leaves XDP
        # a third of the twin's, of which the pass-only path takes its part
        need = med(t["core_ns_per_pkt"]) / 3 - med(p["napi_thread_ns_per_pkt"])
    xl = next((g for g in stages if g["name"] == "lookup_only_65536"), None)
    add("xdp_vs_twin_100k", "XDP >= 3x the user-space twin at 100,000 flows (packets/s)", r,
        "x", r is not None and r >= 3,
        note=(f"3x the twin's {med(t['core_ns_per_pkt']):,.0f} ns of receiving core per packet "
              f"leaves the XDP program {need:.0f} ns per packet on top of the pass-only "
              f"program's {med(p['napi_thread_ns_per_pkt']):.0f}" +
              (f"; the lookup alone of a random flow (65,536 entries) costs "
               f"{med(xl['ns_per_pkt_random_flow']):.0f} ns" if xl else "") +
              (f"; with the same classification cost on both sides the ratio stays below "
               f"{ceiling:.2f}x (ceiling)" if ceiling else "")) if need is not None else None,
        capacity=round(t["xdp_over_twin_capacity"], 3)
        if t and t.get("xdp_over_twin_capacity") else None,
        ceiling=round(ceiling, 3) if ceiling else None,
        ceiling_note="the ratio with classification free on both sides: the twin's NAPI "
                     "ns per frame (receive path + copy to its ring) / the pass-only "
                     "program's NAPI ns per packet")
    ins = sorted({g["verified_insns"] for g in grid if g.get("verified_insns")})
    nat = [g["native_verified_insns"] - g["verified_insns"] for g in grid
           if g.get("native_verified_insns")]
    add("verified_insns_flat", "verified instructions independent of the model size "
        "(every trees x depth of the grid)",
        (f"{ins[0]}" if len(ins) == 1 else f"{ins[0]}..{ins[-1]}") if ins else None, "insns",
        len(ins) == 1,
        native_forest_verified_insns=f"{min(nat)}..{max(nat)}" if nat else None,
        note="ff_xdp as loaded, the same for every model; the native forest's copy of it "
             "verifies the model's code on top (native_forest_verified_insns: the copy's "
             "verified instructions minus ff_xdp's), which grows with the model and is "
             "bounded by the emitter's cap (FF_NATIVE_MAX_INSNS, 400,000 instructions; "
             "about 460,000 verified at the cap; larger models run as the walk)")
    return T


def main():
    args = sys.argv[1:]
    readme = None
    if "--readme" in args:
        i = args.index("--readme")
        readme = args[i + 1]
        del args[i:i + 2]
    if len(args) == 1 and args[0].endswith(".json") and readme:
        # only the README, from an existing results.json
        with open(args[0]) as f:
            update_readme(readme, json.load(f))
        return
    work, out_json, out_md = args
    P = lambda name: os.path.join(work, name)

    machine = load_json(P("machine.json"), {})
    after = load_json(P("after.json"), {})
    pipe = load_json(P("pipeline.json"), {"results": []})
    rows = pipe.get("results", [])
    per_packet = [r for r in rows if r["section"] == "per_packet"]
    grid = [r for r in rows if r["section"] == "grid"]
    mix = next((r for r in rows if r["section"] == "mix"), None)
    table = [r for r in rows if r["section"] == "table"]
    stages = [r for r in rows if r["section"] == "stages"]
    cp_first_ns = med(stat3([r["prog_ns_per_pkt"] for r in load_jsonl(P("live_cpfirst.jsonl"))
                             if r.get("prog_ns_per_pkt") and not r.get("discarded")]))
    memory = next((r for r in rows if r["section"] == "memory"), None)

    live_runs = load_jsonl(P("live.jsonl"))
    live = aggregate_live(live_runs)
    stats_runs = load_jsonl(P("live_stats.jsonl"))
    ext_runs = load_jsonl(P("live_twin.jsonl"))

    # bpf_stats: the kernel's run time per packet, per hook and flows
    prog_ns = {}
    pass_prog_ns = {}
    for r in stats_runs:
        if r.get("discarded"):
            continue
        if "prog_ns_per_pkt" in r:
            prog_ns[(r["hook"], r["n_flows"])] = r["prog_ns_per_pkt"]
        if "pass_prog_ns_per_pkt" in r:
            pass_prog_ns[(r["hook"], r["n_flows"])] = r["pass_prog_ns_per_pkt"]
    for g in live:
        g["prog_ns_per_pkt"] = prog_ns.get((g["hook"], g["n_flows"]))
        if g["hook"] == "pass":
            g["prog_ns_per_pkt"] = pass_prog_ns.get(("pass", g["n_flows"]))

    twin_runs = twin_pairs(P, ext_runs, "twin")
    paced_twin_runs = twin_pairs(P, load_jsonl(P("paced_twin.jsonl")), "twin-paced")
    paced_xdp = aggregate_live(load_jsonl(P("paced.jsonl")))
    paced = []
    for g in paced_xdp:
        ts = [t for t in paced_twin_runs if t["n_flows"] == g["n_flows"]]
        p = {"n_flows": g["n_flows"], "rate_pps": machine.get("paced_rate"),
             "xdp_rx_pps": g["rx_pps"], "xdp_lost_pps": g["lost_pps"],
             "xdp_core_ns_per_pkt": g["napi_thread_ns_per_pkt"],
             "twin_pps": stat3([t["twin_pps"] for t in ts]),
             "twin_ring_drops_pps": stat3([t["ring_drops_pps"] for t in ts]),
             "twin_cpu_ns_per_pkt": stat3([t["twin_cpu_ns_per_pkt"] for t in ts]),
             "twin_napi_ns_per_pkt": stat3([t["napi_ns_per_frame"] for t in ts]),
             "twin_core_ns_per_pkt": stat3([t["core_ns_per_pkt"] for t in ts])}
        if med(p["twin_core_ns_per_pkt"]) and med(p["xdp_core_ns_per_pkt"]):
            p["twin_over_xdp_cpu"] = med(p["twin_core_ns_per_pkt"]) / med(p["xdp_core_ns_per_pkt"])
        paced.append(p)

    twin = []
    for n in sorted({t["n_flows"] for t in twin_runs}):
        ts = [t for t in twin_runs if t["n_flows"] == n]
        twin.append({"hook": "twin", "n_flows": n, "runs": len(ts),
                     "twin_pps": stat3([t["twin_pps"] for t in ts]),
                     "ring_drops_pps": stat3([t["ring_drops_pps"] for t in ts]),
                     "ring_seen_pps": stat3([t["ring_seen_pps"] for t in ts]),
                     "twin_cpu_ns_per_pkt": stat3([t["twin_cpu_ns_per_pkt"] for t in ts]),
                     "napi_ns_per_frame": stat3([t["napi_ns_per_frame"] for t in ts]),
                     "rx_core_ns_per_pkt": stat3([t["rx_core_ns_per_pkt"] for t in ts]),
                     "core_ns_per_pkt": stat3([t["core_ns_per_pkt"] for t in ts]),
                     "capacity_pps": stat3([t["capacity_pps"] for t in ts]),
                     "rx_pps": stat3([t["rx_pps"] for t in ts]),
                     "sent_pps": stat3([t["sent_pps"] for t in ts])})

    # ratios to the pass-only baseline
    def live_get(hook, n):
        return next((g for g in live if g["hook"] == hook and g["n_flows"] == n), None)
    def base_hook(hook):
        # the pass-only program on the same traffic (a flood: the same flood)
        m = re.search(r"_flood_(syn|udp)", hook)
        return "pass" + (m.group(0) if m else "")
    for g in live:
        base = live_get(base_hook(g["hook"]), g["n_flows"])
        if base and med(base["rx_pps"]) and med(g["rx_pps"]):
            g["ratio_to_pass"] = med(g["rx_pps"]) / med(base["rx_pps"])
        if base and med(base["capacity_pps"]) and med(g["capacity_pps"]):
            g["capacity_ratio_to_pass"] = med(g["capacity_pps"]) / med(base["capacity_pps"])
    for t in twin:
        for h in ("xdp", "tc", "socket"):
            g = live_get(h, t["n_flows"])
            if g and med(t["twin_pps"]):
                t[f"{h}_over_twin"] = med(g["rx_pps"]) / med(t["twin_pps"])
            if g and med(t["capacity_pps"]) and med(g["capacity_pps"]):
                t[f"{h}_over_twin_capacity"] = med(g["capacity_pps"]) / med(t["capacity_pps"])

    # extraction
    cli = []
    try:
        with open(P("extract_cli.txt")) as f:
            for line in f:
                m = re.search(r"extract: (\d+) packets.*, ([\d.]+) s \(([\d.]+) Mpps\)", line)
                if m:
                    cli.append({"packets": int(m.group(1)), "seconds": float(m.group(2)),
                                "pps": int(m.group(1)) / float(m.group(2))})
    except OSError:
        pass
    extract = {"cli_csv_to_devnull": {"pps": stat3([c["pps"] for c in cli]),
                                     "packets": cli[0]["packets"] if cli else None},
               "library_no_csv": load_json(P("extract_lib.json")),
               "library_no_csv_with_model": load_json(P("extract_lib_model.json"))}
    try:
        with open(P("pcap_frames")) as f:
            extract["capture_frames"] = int(f.read().strip())
    except (OSError, ValueError):
        pass

    # targets
    def pp(name):
        return next((r for r in per_packet if r["name"] == name), None)
    targets = []
    if mix:
        targets.append({
            "id": "mix_vs_empty_2x",
            "target": "full pipeline <= 2.0x the empty XDP program per packet, realistic mix, 32 trees",
            "measured": round(mix["ratio_to_empty"], 2), "unit": "x (BPF_PROG_TEST_RUN)",
            "met": mix["ratio_to_empty"] <= 2.0})
    x100, p100 = live_get("xdp", 100000), live_get("pass", 100000)
    if x100 and p100:
        live_ratio_ns = None
        if med(x100["napi_thread_ns_per_pkt"]) and med(p100["napi_thread_ns_per_pkt"]):
            live_ratio_ns = med(x100["napi_thread_ns_per_pkt"]) / med(p100["napi_thread_ns_per_pkt"])
        targets.append({
            "id": "live_ns_vs_pass_100k_2x",
            "target": "full pipeline <= 2.0x the pass-only program per packet, live (receive thread's CPU time per packet, driver and stack included), 100k flows",
            "measured": round(live_ratio_ns, 2) if live_ratio_ns else None, "unit": "x",
            "met": bool(live_ratio_ns and live_ratio_ns <= 2.0)})
        targets.append({
            "id": "live_1_5mpps_100k",
            "target": "live >= 1.5 Mpps on one receiving core, 100k flows (XDP)",
            "measured": f"{med(x100['rx_pps']) / 1e6:.3f} Mpps received; "
                        f"{med(x100['capacity_pps']) / 1e6:.3f} Mpps one-core capacity",
            "unit": "", "met": med(x100["rx_pps"]) >= 1.5e6})
        targets.append({
            "id": "live_vs_pass_100k_0_95",
            "target": "live >= 0.95 of the pass-only rate, 100k flows (XDP)",
            "measured": f"{x100.get('ratio_to_pass', 0):.2f} received; "
                        f"{x100.get('capacity_ratio_to_pass', 0):.2f} capacity",
            "unit": "", "met": x100.get("ratio_to_pass", 0) >= 0.95})
    t100 = next((t for t in twin if t["n_flows"] == 100000), None)
    if t100 and "xdp_over_twin" in t100:
        targets.append({"id": "xdp_vs_twin_100k_5x",
                        "target": "eBPF (XDP) >= 5x the user-space twin, packets/s at saturation, 100k flows",
                        "measured": f"{t100['xdp_over_twin']:.2f}x received; "
                                    f"{t100.get('xdp_over_twin_capacity', 0):.2f}x capacity",
                        "unit": "", "met": t100["xdp_over_twin"] >= 5})
    g128 = next((g for g in grid if g["trees"] == 128 and g["depth"] == 16), None)
    targets.append({"id": "load_128x16",
                    "target": "128 trees x depth 16 loads",
                    "measured": (f"loads: {g128['verified_insns']:.0f} verified insns, "
                                 f"{g128['load_ms']:.0f} ms load + {g128['install_ms']:.1f} ms install")
                    if g128 else "not measured",
                    "unit": "", "met": bool(g128)})
    ext_cli = extract["cli_csv_to_devnull"]["pps"]
    if ext_cli:
        targets.append({"id": "extract_2mpps",
                        "target": "flowforest extract >= 2 Mpps on one core",
                        "measured": round(ext_cli["median"] / 1e6, 2), "unit": "Mpps (with CSV)",
                        "met": ext_cli["median"] >= 2e6})

    targets += issue14_targets(live, live_get, mix, grid, twin,
                               limits_100k(live_get, stages, cp_first_ns), per_packet, stages)

    loads = []
    try:
        with open(P("load_during.txt")) as f:
            loads = [float(x) for x in f.read().split()]
    except (OSError, ValueError):
        pass
    shares = [r["napi_ns_per_pkt"] * r["rx_pps"] / 1e9 for r in live_runs
              if r.get("napi_ns_per_pkt") and not r.get("discarded")]
    discarded = sum(1 for r in live_runs if r.get("discarded"))
    steals = [r.get("rx_cpu_steal", 0) for r in live_runs if not r.get("discarded")]
    noise = {"loadavg_1min_during_max": max(loads) if loads else None,
             "loadavg_1min_during_median": statistics.median(loads) if loads else None,
             "live_runs": len(shares),
             "live_runs_discarded": discarded,
             "live_rx_cpu_steal_max": max(steals) if steals else None,
             "live_rx_cpu_steal_median": statistics.median(steals) if steals else None,
             "live_runs_receive_thread_share_below_0.9": sum(1 for x in shares if x < 0.9),
             "live_receive_thread_share_median": statistics.median(shares) if shares else None,
             "cpu_busy_before": machine.get("cpu_busy_before"),
             "loadavg_before": machine.get("loadavg_before"),
             "other_processes_before": machine.get("other_processes_before"),
             "cpu_busy_after": after.get("cpu_busy_after"),
             "loadavg_after": after.get("loadavg_after")}

    result = {
        "machine": machine, "after": after, "noise": noise,
        "units": {"ns_per_pkt": "nanoseconds per packet", "pps": "packets per second",
                  "load_ms": "milliseconds", "memlock_bytes": "bytes",
                  "timings": "median, min, max of repeated runs"},
        "per_packet": per_packet, "grid": grid, "mix": mix, "flow_table": table,
        "stages": stages,
        "memory": memory, "live": live + twin, "live_runs": live_runs,
        "live_stats_runs": stats_runs, "twin_runs": twin_runs, "paced": paced,
        "paced_twin_runs": paced_twin_runs, "extract": extract,
        "targets": targets,
        "codegen": load_jsonl(P("codegen.jsonl")),
    }
    with open(out_json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")

    md = render_md(result)
    with open(out_md, "w") as f:
        f.write(md)
    if readme:
        update_readme(readme, result)


def render_md(R):
    m, L = R["machine"], []
    w = L.append
    w("# flowforest benchmarks\n")
    w(f"`{m.get('command', 'bash bench/run.sh')}` on {m.get('date', '?')}: "
      f"{m.get('nproc', '?')} × {m.get('cpu_model', '?')} ({m.get('hypervisor') or 'bare metal'} guest), "
      f"{m.get('memory_kib', 0) / 1048576:.1f} GiB, Linux {m.get('kernel', '?')}, "
      f"{m.get('clang', '?')}, libbpf {m.get('libbpf', '?')}. {m.get('environment', '')}.")
    n = R["noise"]
    w(f"\nNoise: the machine was {100 * (n.get('cpu_busy_before') or 0):.0f}% busy before the run "
      f"(load {n.get('loadavg_before')}; {n.get('other_processes_before') or 'no other busy process'}) "
      f"and {100 * (n.get('cpu_busy_after') or 0):.0f}% after (load {n.get('loadavg_after')}). "
      "Each figure is the median of repeated runs with (min–max).")
    if n.get("loadavg_1min_during_max") is not None:
        w(f"During the run the 1-minute load average was {n['loadavg_1min_during_median']:.1f} "
          f"(median; max {n['loadavg_1min_during_max']:.1f}; this benchmark alone accounts for about "
          "1 to 2).")
    if n.get("live_runs"):
        w(f"{n.get('live_runs_discarded', 0)} live runs were discarded and repeated because "
          "other processes took more than 15 % of the receiving core. Of the live runs kept, "
          f"{n['live_runs_receive_thread_share_below_0.9']} of {n['live_runs']} had the receive "
          f"thread on its core less than 90 % of the time (median share "
          f"{n['live_receive_thread_share_median']:.2f}): other processes took part of the "
          "receiving core there, which lowers \"received\" much more than \"capacity\" "
          "(their use of the caches still costs).")
    if n.get("live_rx_cpu_steal_max") is not None:
        w(f"Time the hypervisor took from the receiving core (steal) during the live windows: "
          f"median {100 * n['live_rx_cpu_steal_median']:.1f} %, max {100 * n['live_rx_cpu_steal_max']:.1f} %.")
    w("")

    w("## Targets\n")
    w("| id | target | measured | met |\n|---|---|---|---|")
    for t in R["targets"]:
        more = []
        if t.get("established"):
            more.append(t["established"])
        if t.get("capacity") is not None:
            more.append(f"one-core capacity {t['capacity']}x")
        if t.get("ceiling") is not None:
            more.append(f"ceiling on this bench {t['ceiling']}x: {t['ceiling_note']}")
        if t.get("walk_ns") is not None:
            more.append(f"walk {t['walk_ns']:,.0f} ns, 1 x 12 forest {fmt(t.get('one_tree_ns'))} ns")
        if t.get("native_forest_verified_insns"):
            more.append(f"native forest's code verified on top: "
                        f"{t['native_forest_verified_insns']} insns")
        if t.get("note"):
            more.append(t["note"])
        extra = f" ({'; '.join(more)})" if more else ""
        w(f"| {t.get('id', '')} | {t['target']} | {t['measured']} {t['unit']}{extra} | "
          f"{'yes' if t['met'] else '**no**'} |")
    if R.get("codegen"):
        w("\n## The forest as generated BPF code vs the data-driven walk\n")
        w("`build/bench/codegen_eval TREES DEPTH`: comb forests walked to full depth, one "
          "model run of `ff_infer` (BPF_PROG_TEST_RUN). Walk: flowforest's data-driven walk "
          "(the object's `ff_infer`); native: the native forest, the model compiled to BPF "
          "instructions by flowforest at install (src/forest_codegen.c) inside a copy of "
          "`ff_infer`, timed in turn with the walk; code = its instructions, verified = the "
          "copy's verified instructions minus the walk's, ms = emit + load of the copy; "
          "clang: the same forest as nested C compiled by clang (the reference a generator "
          "can hope for), null when the verifier refuses it (1,000,000 processed "
          "instructions). Verified instructions of `ff_xdp` itself: the same for every "
          "model.\n")
        w("| trees x depth | walk ns/run | native ns/run | native code insns | native verified "
          "insns | native ms | clang ns/run | clang verified insns | ff_xdp verified insns |")
        w("|---|---|---|---|---|---|---|---|---|")
        for c in R["codegen"]:
            nv = (c["native_verified_insns"] - c["infer_verified_insns"]
                  if c.get("native_verified_insns") else None)
            w(f"| {c['trees']} x {c['depth']} | {c['walk_ns']:.0f} | "
              f"{fmt(c.get('native_ns'))} | {fmt(c.get('native_insns'))} | {fmt(nv)} | "
              f"{fmt(c.get('native_load_ms'))} | {fmt(c.get('generated_ns'))} | "
              f"{'refused' if c.get('generated_loads') is False else fmt(c.get('generated_verified_insns'))} | "
              f"{c['walk_verified_insns']:,} |")
    floods = [g for g in R["live"] if g.get("flood")]
    if floods:
        w("\n## Flood: spoofed one-packet flows with established flows (livegen --flood)\n")
        w("Every frame but every 16th opens a new flow (a spoofed source address and port, "
          "TCP SYN or UDP, to port 80); the others belong to the established flows (to port "
          "5001). The model is a 32 x 12 comb forest that classes port 80 `flood` and the rest "
          "`benign`; `_drop`: every class drops, the established flows' clients (10.128.0.0/11) "
          "are in the allow list (the only way traffic passes when every class drops; they "
          "are tracked and classified all the same). `_nofast`: without the fast path for "
          "one-packet flows (every flow enters the table). Established: after the window, "
          "the established flows that still have their entry / their verdict (worst run).\n")
        w("| hook | received Mpps | x pass | receive thread ns/pkt | flows created/s | "
          "fast drops/s | evicted/s | events/s | established kept |")
        w("|---|---|---|---|---|---|---|---|---|")
        for g in floods:
            kept = (f"{g['est_present_min']}/{g['est_flows']}, verdicts {g['est_verdict_ok_min']}"
                    if g.get("est_flows") else "-")
            w(f"| {g['hook']} | {mpps(g['rx_pps'])} | {g.get('ratio_to_pass', 0):.2f} | "
              f"{fmt_s3(g['napi_thread_ns_per_pkt'])} | {fmt(med(g['flows_created_per_s']))} | "
              f"{fmt(med(g.get('first_drops_per_s')))} | {fmt(med(g.get('evicted_per_s')))} | "
              f"{fmt(med(g['events_per_s']))} | {kept} |")

    w("\n## 1. Per-packet cost (BPF_PROG_TEST_RUN)\n")
    w("One 60-byte UDP/IPv4 frame of one flow, repeated in the kernel; the figure is the "
      "kernel's own timing per run. \"x\" is the ratio to the empty program of the same hook.\n")
    w("| program | ns/packet | x |\n|---|---|---|")
    for r in R["per_packet"]:
        w(f"| {r['label']} | {fmt_s3(r['ns_per_pkt'], 1)} | {r['ratio_to_empty']:.2f} |")
    mix = R["mix"]
    if mix:
        w(f"\n**Realistic mix**: {mix['flows']:,.0f} flows × {mix['packets_per_flow']:.0f} packets, "
          f"a new flow every {mix['packets_per_flow']:.0f} packets, the model "
          f"({mix['trees']:.0f} trees × depth {mix['depth']:.0f}) at 7 checkpoints per flow (1, 2, 4, … 64: "
          "11 % of packets), the rest cached verdicts.\n")
        w("| path | ns/packet | x empty |\n|---|---|---|")
        w(f"| empty XDP program, same frames | {fmt_s3(mix['empty_ns_per_pkt'], 1)} | 1.00 |")
        w(f"| flowforest XDP, full pipeline | {fmt_s3(mix['ff_xdp_ns_per_pkt'], 1)} | "
          f"{mix['ratio_to_empty']:.2f} |")
        w(f"| the user-space twin's code on the same frames in memory (gcc -O2, no ring) | "
          f"{fmt_s3(mix['twin_code_ns_per_pkt'], 1)} | |")

    if R["grid"]:
        w("\n## 2. The model at every packet: trees × depth\n")
        w("Comb forests (every walk goes the full depth: the worst case for that depth), "
          "checkpoint at every packet. Load = open + verify + load the programs; install = "
          "write the model into its slot. Verified instructions of `ff_xdp` "
          "(`bpf_prog_info.verified_insns`).\n")
        depths = sorted({g["depth"] for g in R["grid"]})
        trees = sorted({g["trees"] for g in R["grid"]})
        w("ns/packet (median):\n")
        w("| trees \\ depth | " + " | ".join(str(int(d)) for d in depths) + " |")
        w("|---" * (len(depths) + 1) + "|")
        for t in trees:
            cells = []
            for d in depths:
                g = next((g for g in R["grid"] if g["trees"] == t and g["depth"] == d), None)
                cells.append(fmt(g["ns_per_pkt"]["median"]) if g else "–")
            w(f"| {int(t)} | " + " | ".join(cells) + " |")
        w("\nThe figures are the native forest's (the model compiled to BPF instructions, "
          "in a copy of `ff_xdp`); walk: the data-driven walk (the object's `ff_xdp`) on the "
          "same packets, run in turn with it. Native ms: emit the code + load the copy; "
          "native verified: the copy's verified instructions.\n")
        w("| trees | depth | nodes | ns/packet | walk ns/packet | load ms | install ms | "
          "native ms | verified insns | native verified insns |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for g in R["grid"]:
            if g["depth"] in (4, 12, 16, 24) or g["trees"] in (1, 256):
                w(f"| {g['trees']:.0f} | {g['depth']:.0f} | {g['nodes']:,.0f} | "
                  f"{fmt_s3(g['ns_per_pkt'])} | "
                  f"{fmt_s3(g['walk_ns_per_pkt']) if g.get('walk_ns_per_pkt') else '–'} | "
                  f"{g['load_ms']:.0f} | {g['install_ms']:.1f} | "
                  f"{fmt(g.get('native_ms'))} | {g['verified_insns']:,.0f} | "
                  f"{fmt(g.get('native_verified_insns'))} |")
        vis = sorted({g["verified_insns"] for g in R["grid"]})
        w(f"\nVerified instructions over all {len(R['grid'])} models: "
          + (f"{vis[0]:,.0f} for every model" if len(vis) == 1 else
             f"{vis[0]:,.0f} to {vis[-1]:,.0f}") + ".")

    if R["flow_table"]:
        w("\n## 3. Flow table size\n")
        w("Preallocated LRU hash. Memory is the kernel's accounting of the map "
          "(`memlock` in /proc/PID/fdinfo). ns/packet: cached-verdict packets of random flows "
          "of a half-full table, one test run per packet (so every packet looks up a different "
          "entry); \"hot\" is the same call on one flow that stays in the cache.\n")
        w("| entries | load ms | memory MiB | bytes/entry | ns/packet random flow | ns/packet hot flow |")
        w("|---|---|---|---|---|---|")
        for t in R["flow_table"]:
            w(f"| {t['entries']:,.0f} | {t['load_ms']:.0f} | {t['memlock_bytes'] / 1048576:,.0f} | "
              f"{t['bytes_per_entry']:.0f} | {fmt_s3(t['ns_per_pkt_random_flow'])} | "
              f"{fmt_s3(t['ns_per_pkt_hot_flow'])} |")

    if R.get("stages"):
        w("\nWhere a random flow's packet spends its time (`bench_pipeline --only stages`): "
          "the flow lookup alone (bench/lookup.bpf.c: an LRU hash of the flow table's types, "
          "size and fill; the frame is the key, nothing of the value is read), then ff_xdp "
          "with a stage more in each row; the same half-full tables, one test run per "
          "packet.\n")
        w("| entries | stage | ns/packet random flow | ns/packet hot flow |")
        w("|---|---|---|---|")
        for t in R["stages"]:
            w(f"| {t['entries']:,.0f} | {t['label']} | {fmt_s3(t['ns_per_pkt_random_flow'])} | "
              f"{fmt_s3(t['ns_per_pkt_hot_flow'])} |")

    mem = R["memory"]
    if mem:
        w("\n## 4. Memory\n")
        w(f"- a flow: key {mem['flow_key_bytes']:.0f} + value {mem['flow_value_bytes']:.0f} bytes; "
          f"the LRU map costs **{mem['flow_map_bytes_per_entry']:.0f} bytes per entry** "
          "(element header with the LRU node, hash bucket, per-CPU spare elements)")
        w(f"- a tree node: **{mem['node_bytes']:.0f} bytes** "
          f"({mem['node_map_bytes_per_node']:.1f} bytes per node in `ff_nodes`, 2 slots × 131,072 nodes "
          "preallocated, a slot one map value)")
        w(f"- all maps at the defaults (65,536 flows): **{mem['total_bytes'] / 1048576:.1f} MiB**: " +
          ", ".join(f"{k} {v / 1024:,.0f} KiB" for k, v in
                    sorted(mem["maps"].items(), key=lambda kv: -kv[1]) if v >= 4096))

    live = [g for g in R["live"] if g["hook"] != "twin" and not g.get("flood")]
    if live:
        w("\n## 5. Live throughput over veth\n")
        w(f"A generator (`build/bench/livegen`: BPF_PROG_TEST_RUN in live-frames mode, an XDP "
          f"program that rewrites the source address and port per frame and returns XDP_TX) on "
          f"CPU {m.get('gen_cpu')} sends 60-byte UDP frames round-robin over N flows into a veth "
          f"whose peer, in another network namespace, receives on CPU {m.get('rx_cpu')} (threaded "
          "NAPI pinned there). The generator offers more than any receiver takes (\"sent\"); "
          "\"received\" is what the receiving core processed at saturation. Frames are addressed "
          "to the peer's IP but another MAC, so the stack drops a passed frame at the start of "
          "IP: the cheapest pass path, which makes the hooks' cost stand out. TC and socket "
          "runs keep the pass-only XDP program (it gives the veth its NAPI). The model is "
          "32 trees × depth 12 with every class passing, except in the \"every class drops\" "
          "rows, where each flow is dropped from its first packet on; the flow table holds "
          "2 × N flows (at least 65,536). Flows get packets round-robin, so with many flows "
          "most packets are a flow's first few, which are checkpoints (the model runs): see "
          "\"classified /s\". The event "
          "reader and the socket reader run on the generator's core. Rates are per second over "
          f"a window after {1} s of warm-up.\n")
        w("Columns: **received** is what the receiving core processed per second; **capacity** "
          "is 1 s divided by the receive thread's CPU time per packet (from its schedstat): "
          "what one whole core would take, robust when other processes share the core "
          "(**core share** is the thread's share of its core; well below 1.0, the run was "
          "disturbed). **kernel run time** is the hook program's own time per packet from "
          "`kernel.bpf_stats_enabled` (`run_time_ns / run_cnt`, a separate run; the pass-only "
          "row is the pass program's).\n")
        w("| flows | receiver | received Mpps | x pass-only | capacity Mpps | x pass-only | "
          "receive thread ns/packet | core share | classified /s | dropped /s | "
          "kernel run time ns/packet | sent Mpps |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for g in sorted(live, key=lambda g: (g["n_flows"], HOOK_ORDER.index(g["hook"])
                                             if g["hook"] in HOOK_ORDER else 9)):
            w(f"| {g['n_flows']:,} | {HOOK_LABEL.get(g['hook'], g['hook'])} | {mpps(g['rx_pps'])} | "
              f"{g.get('ratio_to_pass', 1.0):.2f} | {mpps(g['capacity_pps'])} | "
              f"{g.get('capacity_ratio_to_pass', 1.0):.2f} | "
              f"{fmt(med(g['napi_thread_ns_per_pkt']))} | {fmt(med(g['napi_cpu_share']), 2)} | "
              f"{fmt(med(g['classified_per_s'])) if g['classified_per_s'] else '–'} | "
              f"{fmt(med(g['dropped_pps'])) if g['dropped_pps'] else '–'} | "
              f"{fmt(g.get('prog_ns_per_pkt'), 1)} | "
              f"{fmt(med(g['sent_pps']) / 1e6, 2)} |")
        sock = [g for g in live if g["hook"] == "socket" and g["socket_read_pps"]]
        if sock:
            w("\nThe socket filter accepts every packet it passes into its raw socket, which user "
              "space must read and throw away: read by user space " +
              ", ".join(f"{fmt(med(g['socket_read_pps']))}/s at {g['n_flows']:,} flows" for g in sock) + ".")

    twin = [g for g in R["live"] if g["hook"] == "twin"]
    if twin:
        w("\n## 6. eBPF vs the user-space twin, same traffic\n")
        w(f"`flowforest twin` (TPACKET_V3 ring of 64 × 1 MiB blocks, the same parser, flow, "
          f"feature and forest code, a user-space flow table) pinned to the receiving core "
          f"(CPU {m.get('rx_cpu')}) with the veth's NAPI thread: one core receives and classifies, "
          "as for the hooks. Packets/s the classifier processed at saturation; ring drops are "
          "frames the ring lost because the twin was behind (tp_drops); CPU: the twin's own "
          "(user + system) per packet, and the whole receiving core per classified packet.\n")
        w("| flows | twin Mpps | ring drops Mpps | twin CPU ns/packet | core ns/packet (NAPI + twin) | "
          "capacity Mpps | XDP / twin | TC / twin | socket / twin |")
        w("|---|---|---|---|---|---|---|---|---|")
        for t in twin:
            def both(h):
                return (f"{t.get(h + '_over_twin', 0):.2f} "
                        f"({t.get(h + '_over_twin_capacity', 0):.2f})")
            w(f"| {t['n_flows']:,} | {mpps(t['twin_pps'])} | {fmt(med(t['ring_drops_pps']) / 1e6, 3)} | "
              f"{fmt(med(t['twin_cpu_ns_per_pkt']))} | {fmt(med(t['core_ns_per_pkt']))} | "
              f"{mpps(t['capacity_pps'])} | {both('xdp')} | {both('tc')} | {both('socket')} |")
        w("\nRatios: received packets/s of the hook over the twin's, and in parentheses the same "
          "for one-core capacity (1 s over the core's CPU time per classified packet: the NAPI "
          "thread's plus, for the twin, the twin's own).")

    if R.get("paced"):
        w(f"\n**CPU per packet with nothing lost**: the same stream paced at "
          f"{R['paced'][0]['rate_pps'] or 0:,.0f} frames/s (the generator's program drops frames that "
          "are not due yet, so the stream is smooth), low enough for the twin to take every frame, "
          "to XDP and to the twin. At this rate the NAPI thread sleeps between frames and each "
          "wake-up costs (a VM's inter-processor interrupts), so per-packet figures are higher than "
          "at saturation for both.\n")
        w("| flows | XDP receive thread ns/packet | XDP lost /s | twin ring drops /s | twin CPU ns/packet | "
          "twin NAPI ns/packet | twin core ns/packet | twin / XDP CPU |")
        w("|---|---|---|---|---|---|---|---|")
        for p in R["paced"]:
            w(f"| {p['n_flows']:,} | {fmt_s3(p['xdp_core_ns_per_pkt'])} | {fmt(med(p['xdp_lost_pps']))} | "
              f"{fmt(med(p['twin_ring_drops_pps']))} | {fmt_s3(p['twin_cpu_ns_per_pkt'])} | "
              f"{fmt(med(p['twin_napi_ns_per_pkt']))} | {fmt_s3(p['twin_core_ns_per_pkt'])} | "
              f"{p.get('twin_over_xdp_cpu', 0):.2f} |")

    e = R["extract"]
    if e.get("cli_csv_to_devnull", {}).get("pps"):
        w("\n## 7. Extraction speed\n")
        w(f"A generated capture of {e.get('capture_frames', 0):,} frames (tests/capgen.h: TCP, UDP, "
          "ICMP, IPv6 with extension headers, VLANs, fragments, garbage), from the page cache, "
          "one core.\n")
        w("| what | Mpps |\n|---|---|")
        w(f"| `flowforest extract --pcap FILE -o /dev/null` (CSV rows written) | "
          f"{mpps(e['cli_csv_to_devnull']['pps'])} |")
        lib = e.get("library_no_csv")
        if lib:
            w(f"| the library without CSV: parse + flow update | {mpps(lib['pps'])} |")
        libm = e.get("library_no_csv_with_model")
        if libm:
            w(f"| the library without CSV, with the 32 × 12 forest at every checkpoint | "
              f"{mpps(libm['pps'])} |")
    w("")
    return "\n".join(L) + "\n"


def headline(R):
    """The README's table: a few lines a person reads first."""
    rows = []
    def pp(name):
        return next((r for r in R["per_packet"] if r["name"] == name), None)
    e = pp("empty_xdp")
    for name in ("empty_xdp", "parse_flow", "cached_xdp"):
        r = pp(name)
        if r:
            rows.append((r["label"], f"{r['ns_per_pkt']['median']:.0f} ns/packet",
                         f"{r['ratio_to_empty']:.1f}x empty"))
    mix = R["mix"]
    if mix:
        rows.append(("realistic mix (new flow every 64 packets, model at 11 %), 32 trees x 12",
                     f"{mix['ff_xdp_ns_per_pkt']['median']:.0f} ns/packet",
                     f"{mix['ratio_to_empty']:.1f}x empty; user-space code {mix['twin_code_ns_per_pkt']['median']:.0f} ns"))
    for t, d in ((32, 12), (128, 16), (256, 24)):
        g = next((g for g in R["grid"] if g["trees"] == t and g["depth"] == d), None)
        if g:
            rows.append((f"model at every packet, {t} trees x depth {d}",
                         f"{g['ns_per_pkt']['median']:,.0f} ns/packet",
                         f"{g['verified_insns']:,.0f} verified insns"))
    live = {(g["hook"], g["n_flows"]): g for g in R["live"]}
    for n, hooks in ((1000, ("pass", "xdp", "xdp_drop")),
                     (100000, ("pass", "xdp", "tc", "socket", "twin"))):
        for h in hooks:
            g = live.get((h, n))
            if not g:
                continue
            if h == "twin":
                rows.append((f"live, {n // 1000}k flows: user-space twin (TPACKET_V3)",
                             f"{med(g['twin_pps']) / 1e6:.2f} Mpps",
                             f"XDP / twin: {g.get('xdp_over_twin', 0):.2f}x "
                             f"({g.get('xdp_over_twin_capacity', 0):.2f}x one-core capacity)"))
            else:
                rows.append((f"live, {n // 1000}k flows: {HOOK_LABEL[h]}",
                             f"{med(g['rx_pps']) / 1e6:.2f} Mpps",
                             f"{g.get('ratio_to_pass', 1):.2f}x pass-only "
                             f"(capacity {med(g['capacity_pps']) / 1e6:.2f} Mpps, "
                             f"{g.get('capacity_ratio_to_pass', 1):.2f}x)"))
    ex = R["extract"].get("cli_csv_to_devnull", {}).get("pps")
    if ex:
        rows.append(("flowforest extract, one core (CSV written)", f"{ex['median'] / 1e6:.2f} Mpps", ""))
    mem = R["memory"]
    if mem:
        rows.append(("memory per flow / per tree node", f"{mem['flow_map_bytes_per_entry']:.0f} B / "
                     f"{mem['node_bytes']:.0f} B", f"all maps at defaults {mem['total_bytes'] / 1048576:.0f} MiB"))
    out = ["| measurement | result | note |", "|---|---|---|"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out)


def update_readme(path, R):
    with open(path) as f:
        text = f.read()
    m = re.search(r"^## Benchmarks\n", text, re.M)
    if not m:
        print("report: no '## Benchmarks' section in", path, file=sys.stderr)
        return
    start = m.end()
    nxt = re.search(r"^## ", text[start:], re.M)
    end = start + nxt.start() if nxt else len(text)
    section = text[start:end]
    tbl = re.search(r"(^\|.*\|\n)+", section, re.M)
    if not tbl:
        print("report: no table in the Benchmarks section", file=sys.stderr)
        return
    m = R["machine"]
    lead = ("\n`sudo make bench` runs `bench/run.sh` (about 9 minutes, bounded to 15) and writes "
            "`bench/results.md` (every table, the method, the targets and what limits them) and "
            "`bench/results.json` (every figure with its unit, the machine, kernel, clang and "
            f"libbpf versions and the command). Last run: {m.get('nproc', '?')}-core "
            f"{m.get('hypervisor') or ''} guest ({m.get('cpu_model', '?')}), Linux "
            f"{m.get('kernel', '?')}, {m.get('date', '?')[:10]}; medians of repeated runs:\n\n")
    section = lead + headline(R) + "\n" + section[tbl.end():]
    vis = sorted({g["verified_insns"] for g in R["grid"]})
    if vis:
        section = re.sub(r"Verified instructions of the XDP program: (about )?\d[\d,]*\d",
                         f"Verified instructions of the XDP program: {vis[-1]:,.0f}", section)
    with open(path, "w") as f:
        f.write(text[:start] + section + text[end:])


if __name__ == "__main__":
    main()
