#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""How often imported models decide as the originals on real, raw CIC rows.

Trains XGBoost (multi:softprob) and scikit-learn (decision tree, random
forest, extra trees, gradient boosting) on the CIC-IDS2017 sample's classes
with at least 100 rows, on the CSV values as they are (decimals included,
NaN and Infinity as 0), 70/30 split; the features are the CSV columns that
name a kernel feature (`flowforest features --json`). Then imports each model
(`flowforest model import ... --check`) and reports how often the imported
model's class, computed on the values flowforest reads (floored to the
kernel's integer units), differs from the original's predict() on the raw
values. tests/test_import.c shows 100 % on integer inputs; this is the real
case, where a threshold between a raw decimal and its floor can differ. A
second check compares with the original's predict() on the values
flowforest reads (floored): that isolates the conversion, and must be 100 %.

Usage: bench/import_compare.py [--data DIR] [--flowforest ./flowforest]
"""
import argparse
import csv
import glob
import json
import math
import os
import re
import subprocess
import sys
import tempfile

try:
    import joblib
    import numpy as np
    import xgboost as xgb
    from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier,
                                  RandomForestClassifier)
    from sklearn.tree import DecisionTreeClassifier
except ImportError as e:  # pragma: no cover
    sys.exit(f"import_compare: {e}; install python3-xgboost python3-sklearn (scripts/install-deps.sh)")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


MINUS_ONE = {"icmp code", "icmp type"}   # CIC writes these as the feature - 1


def number(s):
    try:
        v = float(s)
    except ValueError:
        return 0.0
    return 0.0 if math.isnan(v) or math.isinf(v) else v


def kernel_view(X, names):
    """The values flowforest reads, in the CSV's terms: floored, negatives 0
    (CIC's -1 of ICMP Code and Type stays -1: the feature's 0)."""
    V = np.floor(X)
    for j, n in enumerate(names):
        V[:, j] = np.maximum(V[:, j], -1 if n.lower() in MINUS_ONE else 0)
    return V


def check(ff, fmt, model_json, pred_csv, tmp, extra=()):
    return json.loads(subprocess.run(
        [ff, "model", "import", "--from", fmt, model_json, "-o", os.path.join(tmp, "ff.json"),
         "--check", pred_csv, "--json"] + list(extra), check=True, stdout=subprocess.PIPE,
        text=True).stdout)["check"]


def write_pred(test_csv, pred, path):
    with open(test_csv, newline="") as f, open(path, "w", newline="") as g:
        r, w = csv.reader(f), csv.writer(g)
        w.writerow(next(r) + ["predicted"])
        for row, p in zip(r, pred):
            w.writerow(row + [str(p)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--flowforest", default=os.path.join(ROOT, "flowforest"))
    ap.add_argument("--data", default=os.path.join(os.path.dirname(ROOT), "shared", "data"))
    args = ap.parse_args()

    files = [p for p in sorted(glob.glob(os.path.join(args.data, "cicids2017-improved-sample", "*.csv")))
             if re.search(r"_(\d+)\.csv$", p) and int(re.search(r"_(\d+)\.csv$", p).group(1)) >= 100]
    if not files:
        sys.exit("import_compare: no CIC sample")
    feats = json.loads(subprocess.run([args.flowforest, "features", "--json"], check=True,
                                      stdout=subprocess.PIPE, text=True).stdout)
    # the CIC columns `train` maps (same definition as the kernel's feature):
    # those in the header of the matrix it trains on
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "d.csv")
        subprocess.run([args.flowforest, "train", "--model", "dt", "--max-depth", "1", "--quiet",
                        "--dump-data", dump, "-o", os.path.join(tmp, "m.json"), "--csv"] + files,
                       check=True, stdout=subprocess.DEVNULL)
        with open(dump) as f:
            used = set(next(csv.reader(f))[3:])
    names = {f["cic"].lower() for f in feats if f.get("cic") and f["name"] in used}
    header, rows = None, []
    for p in files:
        with open(p, newline="", encoding="utf-8-sig") as f:
            r = csv.reader(f)
            h = next(r)
            header = header or h
            rows += list(r)
    cols = [i for i, h in enumerate(header) if h.strip().lower() in names]
    label = header.index("Label")
    rng = np.random.default_rng(1)
    test = rng.random(len(rows)) < 0.3
    X = np.array([[number(r[c]) for c in cols] for r in rows])
    y = np.array([r[label] for r in rows])
    classes = sorted(set(y))
    fnames = [header[c].strip() for c in cols]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        test_csv = os.path.join(tmp, "test.csv")
        with open(test_csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(fnames + ["Label"])
            for r, t in zip(rows, test):
                if t:
                    w.writerow([r[c] for c in cols] + [r[label]])
        V = kernel_view(X[test], fnames)
        models = {
            "sklearn DecisionTree": DecisionTreeClassifier(max_depth=12, random_state=1),
            "sklearn RandomForest": RandomForestClassifier(n_estimators=32, max_depth=12, random_state=1, n_jobs=2),
            "sklearn ExtraTrees": ExtraTreesClassifier(n_estimators=32, max_depth=12, random_state=1, n_jobs=2),
            "sklearn GradientBoosting": GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=1),
        }
        for name, m in models.items():
            m.fit(X[~test], y[~test])
            jl, tj, pred, vpred = (os.path.join(tmp, n) for n in ("m.joblib", "trees.json", "p.csv", "v.csv"))
            joblib.dump(m, jl)
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "sklearn2json.py"), jl,
                            "-o", tj, "--features", ",".join(fnames)], check=True)
            write_pred(test_csv, m.predict(X[test]), pred)
            write_pred(test_csv, m.predict(V), vpred)
            out.append((name, check(args.flowforest, "sklearn", tj, pred, tmp),
                        check(args.flowforest, "sklearn", tj, vpred, tmp)))
        xm = xgb.XGBClassifier(n_estimators=20, max_depth=6, learning_rate=0.3, tree_method="exact",
                               objective="multi:softprob", n_jobs=2)
        idx = {c: i for i, c in enumerate(classes)}
        xm.fit(X[~test], np.array([idx[c] for c in y[~test]]))
        xm.get_booster().feature_names = fnames
        xj, pred, vpred = (os.path.join(tmp, n) for n in ("x.json", "xp.csv", "xv.csv"))
        xm.get_booster().save_model(xj)
        write_pred(test_csv, [classes[p] for p in xm.predict(X[test])], pred)
        write_pred(test_csv, [classes[p] for p in xm.predict(V)], vpred)
        extra = ("--classes", ",".join(classes))
        out.append(("XGBoost multi:softprob", check(args.flowforest, "xgboost", xj, pred, tmp, extra),
                    check(args.flowforest, "xgboost", xj, vpred, tmp, extra)))
    print(f"CIC-IDS2017 sample, {len(classes)} classes, {int(test.sum())} test rows, "
          f"{len(fnames)} features, raw CSV values")
    print("agreement of the imported model (kernel integers) with the original's predict() "
          "on the raw values, and on the values flowforest reads (floored)")
    for name, c, v in out:
        print(f"{name:26} raw: {c['rows'] - c['differ']} of {c['rows']} ({c['agree_percent']:.3f} %)   "
              f"floored: {v['rows'] - v['differ']} of {v['rows']} ({v['agree_percent']:.3f} %)")


if __name__ == "__main__":
    main()
