#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare `flowforest train` with scikit-learn on the same data and split.

For each data set, flowforest trains a decision tree and a random forest and
writes, with --dump-data, the integer matrix it trained on (every value
already converted to the kernel's unit and floored) and the train/test split
it drew from --seed. scikit-learn then trains DecisionTreeClassifier and
RandomForestClassifier with the same hyper-parameters on exactly those rows
and is scored on exactly those test rows. The flooring is therefore not
reimplemented here: both sides see the same numbers (scikit-learn casts them
to float32, which is exact below 2^24).

Macro-F1 is sklearn.metrics.f1_score(average="macro") for scikit-learn, and
flowforest's own (the same definition: the mean over classes present in the
true or predicted labels) computed from the integer model, i.e. the
prediction the kernel makes. Times are training only: flowforest's
"train_seconds" (ranking the features and growing the trees, after the CSV
is loaded) and the wall time of scikit-learn's fit().

Needs Debian's python3-sklearn (apt-get install python3-sklearn); it is
not a dependency of flowforest itself.

Usage:
  bench/sklearn_compare.py                    # CIC sample and UNSW-NB15 from ../shared/data
  bench/sklearn_compare.py --data DIR --seed 3 --threads 2
  bench/sklearn_compare.py --seeds 5                # means over seeds 1..5
  bench/sklearn_compare.py --only unsw --flowforest ./flowforest
"""
import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import f1_score
    from sklearn.tree import DecisionTreeClassifier
except ImportError as e:  # pragma: no cover
    sys.exit(f"sklearn_compare: {e}; install Debian's python3-sklearn "
             "(apt-get install python3-sklearn) and run with /usr/bin/python3")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def datasets(data_dir):
    cic = sorted(p for p in glob.glob(os.path.join(data_dir, "cicids2017-improved-sample", "*.csv"))
                 if os.path.basename(p) != "data_header_reference.csv")
    unsw = os.path.join(data_dir, "unsw-nb15", "UNSW_NB15_training-set.csv")
    out = []
    if cic:
        out.append(("CIC-IDS2017 sample", "cic", cic, "Label"))
    if os.path.exists(unsw):
        out.append(("UNSW-NB15 (attack_cat)", "unsw", [unsw], "attack_cat"))
    return out


def run_flowforest(ff, files, label, kind, args, tmp, dump=None, extra=()):
    model = os.path.join(tmp, f"{kind}.json")
    report = os.path.join(tmp, f"{kind}-report.json")
    cmd = [ff, "train", "--model", kind, "--max-depth", str(args.max_depth),
           "--seed", str(args.seed), "--threads", str(args.threads),
           "--test-split", str(args.test_split), "--label-column", label,
           "--json-report", report, "-o", model, "--quiet"]
    if kind == "rf":
        cmd += ["--trees", str(args.trees)]
    if dump:
        cmd += ["--dump-data", dump]
    cmd += list(extra)
    cmd += ["--csv"] + files
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        sys.exit(f"sklearn_compare: {' '.join(cmd[:4])} ... failed:\n{res.stderr}")
    with open(report) as f:
        rep = json.load(f)
    return rep["metrics"]["macro_f1"], rep["train_seconds"], rep["nodes"]


def load_dump(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        split, labels, rows = [], [], []
        for rec in r:
            split.append(rec[1] == "test")
            labels.append(rec[2])
            rows.append([int(v) for v in rec[3:]])
    names = sorted(set(labels))
    idx = {n: i for i, n in enumerate(names)}
    X = np.array(rows, dtype=np.float64)
    y = np.array([idx[l] for l in labels])
    test = np.array(split)
    return header[3:], X, y, test


def compare(sets, args):
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for title, key, files, label in sets:
            dump = os.path.join(tmp, f"{key}-data.csv")
            print(f"{title}, seed {args.seed}: flowforest ...", file=sys.stderr)
            ff_dt = run_flowforest(args.flowforest, files, label, "dt", args, tmp, dump)
            ff_rf = run_flowforest(args.flowforest, files, label, "rf", args, tmp)
            ff_rfc = run_flowforest(args.flowforest, files, label, "rf", args, tmp,
                                    extra=("--leaf-weight", "confidence"))
            feats, X, y, test = load_dump(dump)
            Xtr, ytr, Xte, yte = X[~test], y[~test], X[test], y[test]
            print(f"{title}, seed {args.seed}: scikit-learn on {len(ytr)} train / {len(yte)} "
                  f"test rows, {len(feats)} features ...", file=sys.stderr)
            models = {
                "dt": DecisionTreeClassifier(max_depth=args.max_depth, random_state=args.seed),
                "rf": RandomForestClassifier(n_estimators=args.trees, max_depth=args.max_depth,
                                             n_jobs=args.threads, random_state=args.seed),
            }
            for kind, ff in (("dt", ff_dt), ("rf", ff_rf)):
                clf = models[kind]
                t0 = time.perf_counter()
                clf.fit(Xtr, ytr)
                secs = time.perf_counter() - t0
                f1 = f1_score(yte, clf.predict(Xte), average="macro")
                nodes = int(sum(e.tree_.node_count for e in clf.estimators_)) if kind == "rf" \
                    else int(clf.tree_.node_count)
                results.append({"data": title, "model": kind,
                                "flowforest_macro_f1": ff[0], "sklearn_macro_f1": f1,
                                "flowforest_seconds": ff[1], "sklearn_seconds": secs,
                                "flowforest_nodes": float(ff[2]), "sklearn_nodes": float(nodes)})
                if kind == "rf":
                    # scikit-learn's forest averages the trees' class
                    # probabilities; the kernel counts votes. Score the same
                    # scikit-learn trees by votes (weight 1, and weight
                    # round(100 x leaf purity)) to compare like with like.
                    n = len(yte)
                    hard = np.zeros((n, len(clf.classes_)))
                    conf = np.zeros_like(hard)
                    for est in clf.estimators_:
                        pr = est.predict_proba(Xte)
                        p = pr.argmax(1)
                        hard[np.arange(n), p] += 1
                        conf[np.arange(n), p] += np.maximum(1, np.round(pr.max(1) * 100))
                    results[-1]["sklearn_vote_macro_f1"] = f1_score(
                        yte, clf.classes_[hard.argmax(1)], average="macro")
                    results.append({"data": title, "model": "rf-conf",
                                    "flowforest_macro_f1": ff_rfc[0],
                                    "sklearn_macro_f1": f1,
                                    "sklearn_vote_macro_f1": f1_score(
                                        yte, clf.classes_[conf.argmax(1)], average="macro"),
                                    "flowforest_seconds": ff_rfc[1], "sklearn_seconds": secs,
                                    "flowforest_nodes": float(ff_rfc[2]),
                                    "sklearn_nodes": float(nodes)})
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flowforest", default=os.path.join(ROOT, "flowforest"))
    ap.add_argument("--data", default=os.path.join(os.path.dirname(ROOT), "shared", "data"))
    ap.add_argument("--only", choices=["cic", "unsw"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=1,
                    help="repeat with seeds SEED..SEED+N-1 (split and models) and print means")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--trees", type=int, default=32)
    ap.add_argument("--max-depth", type=int, default=12)
    ap.add_argument("--test-split", type=float, default=0.3)
    ap.add_argument("--json", action="store_true", help="print the table as JSON too")
    args = ap.parse_args()

    sets = [d for d in datasets(args.data) if not args.only or d[1] == args.only]
    if not sets:
        sys.exit(f"sklearn_compare: no data under {args.data}")
    runs = []
    for seed in range(args.seed, args.seed + args.seeds):
        args_s = argparse.Namespace(**vars(args))
        args_s.seed = seed
        runs.append(compare(sets, args_s))
    # mean over the seeds, row by row
    results = []
    for i, r in enumerate(runs[0]):
        m = dict(r)
        for k, v in r.items():
            if isinstance(v, float):
                m[k] = sum(run[i][k] for run in runs) / len(runs)
        results.append(m)
    seeds = f"seed {args.seed}" if args.seeds == 1 else \
        f"means over seeds {args.seed}..{args.seed + args.seeds - 1}"
    print(f"\nmax_depth {args.max_depth}, forest {args.trees} trees, {seeds}, "
          f"{args.threads} threads, test split {args.test_split}")
    print("F1: macro-F1 on the test rows. sklearn votes: the same scikit-learn trees "
          "combined by votes as the kernel does\n(rf: weight 1; rf-conf: weight "
          "round(100 x leaf purity), as --leaf-weight confidence). s: training seconds.")
    hdr = f"{'data':24} {'model':7} {'F1 ours':>8} {'F1 sklearn':>10} {'diff':>7} " \
          f"{'sklearn votes':>13} {'s ours':>7} {'s sklearn':>9} {'nodes ours':>10} {'nodes skl':>9}"
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        hv = r.get("sklearn_vote_macro_f1")
        hv = f"{hv:13.4f}" if hv is not None else f"{'':13}"
        print(f"{r['data']:24} {r['model']:7} {r['flowforest_macro_f1']:8.4f} "
              f"{r['sklearn_macro_f1']:10.4f} {r['flowforest_macro_f1'] - r['sklearn_macro_f1']:+7.4f} "
              f"{hv} {r['flowforest_seconds']:7.2f} {r['sklearn_seconds']:9.2f} "
              f"{r['flowforest_nodes']:10.0f} {r['sklearn_nodes']:9.0f}")
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
