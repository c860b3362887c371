#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/foldwhy.py: why a leave-one-tool-out fold misses its tool's rows.

Reads a fold that lab/evaluate.py --keep-folds DIR kept: DIR/CLASS_TOOL.json
(the fold's forest, trained without the tool) and DIR/CLASS_TOOL.rows.csv
(`flowforest train --dump-data`: the integer rows it was trained on, split
"train", and the tool's rows, split "test"). Walks every tree of the
forest over the tool's rows of an attack class and prints, for the rows
that most trees call benign (missed, if no later checkpoint catches the
flow):

- how many rows, by the flow's packets so far, and their benign votes;
- the features on the paths of the trees that vote benign for them (how
  many of those paths test each), and the last split before those benign
  leaves (feature, threshold, side): what the benign side of the forest
  leans on there;
- for those features, the missed rows' values (median, range) next to the
  training rows' of the benign class and of the tool's class: whether the
  tool's rows sit among benign training rows (a behaviour the training
  lacks, or a benign look-alike) or the split merely falls between them.

  python3 lab/evaluate.py --out ev --tools tools.rules --train day1.pcap \\
      --keep-folds ev/folds
  python3 lab/foldwhy.py ev/folds/udp_flood_t50-udp
  python3 lab/foldwhy.py --top 5 --json ev/folds/icmp_flood_trafgen-icmp

Vote models only (rf, dt); the kernel's early-drop rule is not applied
(a row is "called benign" when benign has the most votes). Standard
library only.
"""
import argparse
import csv
import json
import statistics
import sys
from collections import Counter


def walk(nodes, x):
    """The leaf of a tree (nodes) for integer row x, and the path to it:
    (feature index, threshold, went right)."""
    i, path = 0, []
    while "left" in nodes[i]:
        f, th = nodes[i]["feature"], nodes[i]["threshold"]
        right = x[f] > th
        path.append((f, th, right))
        i = nodes[i]["right" if right else "left"]
    return nodes[i], path


def spread(v):
    if not v:
        return None
    v = sorted(v)
    return {"rows": len(v), "min": v[0], "median": statistics.median_low(v), "max": v[-1]}


def explain(model, rows_csv, benign="benign", top=8):
    with open(model) as f:
        m = json.load(f)
    trees = m.get("trees")
    if not trees or any("class" not in n for t in trees for n in t["nodes"] if "left" not in n):
        sys.exit(f"foldwhy: {model}: not a vote model (rf or dt)")
    names = [f["name"] for f in m["features"]]
    classes = [c["name"] for c in m["classes"]]
    if benign not in classes:
        sys.exit(f"foldwhy: {model}: no class '{benign}'")
    tool, train = [], {}
    with open(rows_csv, newline="") as f:
        rd = csv.reader(f)
        head = next(rd)
        try:
            col = [head.index(n) for n in names]
            sp, lab = head.index("split"), head.index("label")
        except ValueError as e:
            sys.exit(f"foldwhy: {rows_csv}: not the model's --dump-data ({e})")
        pk = [head.index(n) for n in ("fwd_pkts", "bwd_pkts") if n in head]
        for r in rd:
            x = [int(r[i]) for i in col]
            if r[sp] == "test":
                if r[lab] != benign:
                    tool.append((r[lab], sum(int(r[i]) for i in pk), x))
            else:
                train.setdefault(r[lab], []).append(x)
    if not tool:
        sys.exit(f"foldwhy: {rows_csv}: no test rows of an attack class")
    cls = Counter(c for c, _, _ in tool).most_common(1)[0][0]
    missed, by_pkts, votes = [], Counter(), []
    on_path, last = Counter(), Counter()
    for c, p, x in tool:
        leaves = [walk(t["nodes"], x) for t in trees]
        v = Counter(classes[leaf["class"]] for leaf, _ in leaves)
        if v.most_common(1)[0][0] != benign:
            continue
        missed.append(x)
        by_pkts[p] += 1
        votes.append(1000 * v[benign] // len(trees))
        for leaf, path in leaves:
            if classes[leaf["class"]] != benign or not path:
                continue
            for f in {f for f, _, _ in path}:
                on_path[names[f]] += 1
            f, th, right = path[-1]
            last[f"{names[f]} {'>' if right else '<='} {th}"] += 1
    idx = {n: i for i, n in enumerate(names)}
    feats = [n for n, _ in on_path.most_common(top)]
    return {
        "model": model, "class": cls, "tool_rows": len(tool), "called_benign": len(missed),
        "called_benign_by_packets": dict(sorted(by_pkts.items())),
        "benign_votes_permille": spread(votes),
        "features_on_benign_paths": dict(on_path.most_common(top)),
        "last_splits_before_benign": dict(last.most_common(top)),
        "values": {n: {"missed": spread([x[idx[n]] for x in missed]),
                       "train_" + benign: spread([x[idx[n]] for x in train.get(benign, [])]),
                       "train_" + cls: spread([x[idx[n]] for x in train.get(cls, [])])}
                   for n in feats},
    }


def text(r):
    L = [f"{r['model']}: {r['called_benign']} of {r['tool_rows']} {r['class']} rows of the "
         f"left-out tool called benign by most trees"]
    if not r["called_benign"]:
        return "\n".join(L)
    L.append("  by the flow's packets: " + ", ".join(f"{k}: {v}" for k, v in
                                                     r["called_benign_by_packets"].items()))
    v = r["benign_votes_permille"]
    L.append(f"  benign votes (permille): median {v['median']}, {v['min']}..{v['max']}")
    L.append("  features on the benign trees' paths: " + ", ".join(
        f"{k} {n}" for k, n in r["features_on_benign_paths"].items()))
    L.append("  last split before a benign leaf: " + ", ".join(
        f"{k} ({n})" for k, n in r["last_splits_before_benign"].items()))
    L.append("  values (median, min..max): missed rows | training rows benign | training rows "
             + r["class"])
    for n, s in r["values"].items():
        L.append(f"    {n:<36} " + " | ".join(
            "-" if x is None else f"{x['median']} ({x['min']}..{x['max']}, {x['rows']} rows)"
            for x in s.values()))
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("fold", help="DIR/CLASS_TOOL of lab/evaluate.py --keep-folds DIR "
                    "(its .json and .rows.csv)")
    ap.add_argument("--benign", default="benign", help="the passing class (default benign)")
    ap.add_argument("--top", type=int, default=8, help="features and splits shown (default 8)")
    ap.add_argument("--json", action="store_true", help="JSON instead of text")
    a = ap.parse_args()
    r = explain(a.fold + ".json", a.fold + ".rows.csv", a.benign, a.top)
    print(json.dumps(r, indent=1) if a.json else text(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
