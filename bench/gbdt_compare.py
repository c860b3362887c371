#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compare `flowforest train --model gbdt` with XGBoost on the same rows and split.

flowforest trains gradient-boosted trees on the CIC-IDS2017 sample's classes
with at least 100 rows (11 classes; the file names carry the counts) and
writes, with --dump-data, the integer matrix it trained on and the 70/30
split it drew from --seed. XGBoost (Debian's python3-xgboost 1.7) then trains
XGBClassifier(objective="multi:softprob", tree_method="exact") with the same
rounds, depth, learning rate, min_child_weight and lambda on exactly those
training rows (as float64; every value is an integer, exact in XGBoost's
float32 below 2^24) and is scored on exactly those test rows.

Macro-F1 is sklearn.metrics.f1_score(average="macro") for XGBoost and
flowforest's own (the same definition) from the fixed-point model, i.e. the
class the kernel computes. Times are training only: flowforest's
"train_seconds" (sorting the features and growing the trees, after the CSV
is loaded) and the wall and CPU time of XGBoost's fit(), both with --threads.
The machine may be shared: CPU seconds are printed beside wall seconds.

Usage:
  bench/gbdt_compare.py                       # ../shared/data, 20 rounds, depth 6, eta 0.3
  bench/gbdt_compare.py --rounds 50 --max-depth 4 --threads 2 --json
"""
import argparse
import csv
import glob
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import xgboost as xgb
    from sklearn.metrics import f1_score
except ImportError as e:  # pragma: no cover
    sys.exit(f"gbdt_compare: {e}; install Debian's python3-xgboost and python3-sklearn "
             "(scripts/install-deps.sh) and run with /usr/bin/python3")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cic_files(data_dir, min_rows):
    out = []
    for p in sorted(glob.glob(os.path.join(data_dir, "cicids2017-improved-sample", "*.csv"))):
        m = re.search(r"_(\d+)\.csv$", os.path.basename(p))
        if m and int(m.group(1)) >= min_rows:
            out.append(p)
    return out


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_flowforest(args, files, tmp):
    model = os.path.join(tmp, "gbdt.json")
    report = os.path.join(tmp, "report.json")
    dump = os.path.join(tmp, "data.csv")
    cmd = [args.flowforest, "train", "--model", "gbdt", "--rounds", str(args.rounds),
           "--max-depth", str(args.max_depth), "--learning-rate", str(args.eta),
           "--min-child-weight", str(args.min_child_weight), "--lambda", str(args.reg_lambda),
           "--seed", str(args.seed), "--threads", str(args.threads), "--test-split", "0.3",
           "--json-report", report, "--dump-data", dump, "-o", model, "--quiet", "--csv"] + files
    cpu0 = child_cpu()
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cpu = child_cpu() - cpu0
    if res.returncode != 0:
        sys.exit(f"gbdt_compare: flowforest train failed:\n{res.stderr}")
    with open(report) as f:
        rep = json.load(f)
    return rep, dump, cpu


def load_dump(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        split, labels, rows = [], [], []
        for rec in r:
            split.append(rec[1] == "test")
            labels.append(rec[2])
            rows.append([int(v) for v in rec[3:]])
    names = sorted(set(labels))
    idx = {n: i for i, n in enumerate(names)}
    return np.array(rows, dtype=np.float64), np.array([idx[l] for l in labels]), np.array(split)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flowforest", default=os.path.join(ROOT, "flowforest"))
    ap.add_argument("--data", default=os.path.join(os.path.dirname(ROOT), "shared", "data"))
    ap.add_argument("--min-rows", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--max-depth", type=int, default=6)
    ap.add_argument("--eta", type=float, default=0.3)
    ap.add_argument("--min-child-weight", type=float, default=1.0)
    ap.add_argument("--reg-lambda", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    files = cic_files(args.data, args.min_rows)
    if not files:
        sys.exit(f"gbdt_compare: no CIC-IDS2017 sample under {args.data}")
    with tempfile.TemporaryDirectory() as tmp:
        rep, dump, ff_cpu = run_flowforest(args, files, tmp)
        X, y, test = load_dump(dump)
    clf = xgb.XGBClassifier(n_estimators=args.rounds, max_depth=args.max_depth,
                            learning_rate=args.eta, min_child_weight=args.min_child_weight,
                            reg_lambda=args.reg_lambda, tree_method="exact",
                            objective="multi:softprob", n_jobs=args.threads)
    c0, t0 = time.process_time(), time.perf_counter()
    clf.fit(X[~test], y[~test])
    xgb_s, xgb_cpu = time.perf_counter() - t0, time.process_time() - c0
    xgb_f1 = f1_score(y[test], clf.predict(X[test]), average="macro")
    res = {
        "data": f"CIC-IDS2017 sample, {len(files)} classes with >= {args.min_rows} rows",
        "train_rows": int((~test).sum()), "test_rows": int(test.sum()),
        "rounds": args.rounds, "max_depth": args.max_depth, "learning_rate": args.eta,
        "threads": args.threads, "xgboost_version": xgb.__version__,
        "flowforest_macro_f1": rep["metrics"]["macro_f1"], "xgboost_macro_f1": xgb_f1,
        "flowforest_train_seconds": rep["train_seconds"],
        "flowforest_process_cpu_seconds": ff_cpu,
        "xgboost_train_seconds": xgb_s, "xgboost_train_cpu_seconds": xgb_cpu,
        "flowforest_trees": rep.get("trees"), "flowforest_nodes": rep.get("nodes"),
    }
    print(f"{res['data']}: {res['train_rows']} train / {res['test_rows']} test rows, "
          f"{args.rounds} rounds, depth {args.max_depth}, eta {args.eta}, {args.threads} threads")
    print(f"{'':12} {'macro-F1':>9} {'train s':>8} {'CPU s':>7}")
    print(f"{'flowforest':12} {res['flowforest_macro_f1']:9.4f} {res['flowforest_train_seconds']:8.2f} "
          f"{ff_cpu:7.2f}  (CPU: the whole command, CSV loading included)")
    print(f"{'XGBoost ' + xgb.__version__:12} {xgb_f1:9.4f} {xgb_s:8.2f} {xgb_cpu:7.2f}")
    print(f"difference {res['flowforest_macro_f1'] - xgb_f1:+.4f}")
    if args.json:
        print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
