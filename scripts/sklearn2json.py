#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Write a scikit-learn tree model's arrays as JSON for `flowforest model import`.

scikit-learn has no portable model format, so this converter reads a model
saved with joblib.dump() and writes its trees' arrays (children_left,
children_right, feature, threshold, value), classes and feature names to the
JSON that `flowforest model import --from sklearn` reads (documented in
docs/model-format.md, "Imports"). It uses only scikit-learn and joblib (and
numpy, which they need).

Supported: DecisionTreeClassifier, RandomForestClassifier,
ExtraTreesClassifier (the trees' class probabilities, averaged: "combine":
"average") and GradientBoostingClassifier (leaf values x learning rate,
added to the initial raw scores: "combine": "sum").

Feature names come from the model's feature_names_in_ (a model fit on a
pandas DataFrame) or from --features a,b,... in the model's column order.
With --predict IN.csv --predict-out OUT.csv, the model's own predictions on
IN.csv (its feature columns by name) are written as OUT.csv, IN.csv with a
"predicted" column added: `flowforest model import --check OUT.csv` compares
the imported model's verdicts with them.

Usage:
  scripts/sklearn2json.py model.joblib -o trees.json
  scripts/sklearn2json.py model.joblib -o trees.json --features "Dst Port,Flow Duration"
  scripts/sklearn2json.py model.joblib -o trees.json --predict test.csv --predict-out checked.csv
"""
import argparse
import csv
import json
import math
import sys

try:
    import joblib
    import numpy as np
    from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier,
                                  RandomForestClassifier)
    from sklearn.tree import DecisionTreeClassifier
except ImportError as e:  # pragma: no cover
    sys.exit(f"sklearn2json: {e}; this needs scikit-learn and joblib "
             "(Debian: python3-sklearn python3-joblib)")


def tree_arrays(t, probabilities, scale=1.0):
    """One fitted sklearn.tree._tree.Tree as lists."""
    value = t.value[:, 0, :]
    if probabilities:
        sums = value.sum(axis=1, keepdims=True)
        sums[sums == 0] = 1
        vals = (value / sums).tolist()
    else:
        vals = [[float(v[0]) * scale] for v in value]
    return {
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "feature": [int(f) for f in t.feature],
        "threshold": [float(x) for x in t.threshold],
        "value": vals,
    }


def convert(model, features):
    if getattr(model, "n_outputs_", 1) != 1:
        sys.exit("sklearn2json: models with several outputs are not supported")
    classes = [c.item() if hasattr(c, "item") else c for c in model.classes_]
    out = {"format": "sklearn-trees", "version": 1, "estimator": type(model).__name__,
           "classes": [str(c) for c in classes], "n_features": int(model.n_features_in_),
           "features": features}
    if isinstance(model, DecisionTreeClassifier):
        out["combine"] = "average"
        out["trees"] = [tree_arrays(model.tree_, True)]
    elif isinstance(model, (RandomForestClassifier, ExtraTreesClassifier)):
        out["combine"] = "average"
        out["trees"] = [tree_arrays(e.tree_, True) for e in model.estimators_]
    elif isinstance(model, GradientBoostingClassifier):
        k = len(classes)
        zero = np.zeros((1, model.n_features_in_))
        if model.init_ == "zero":
            raw = np.zeros((1, 1 if k == 2 else k))
        else:
            raw = model._raw_predict_init(zero)
        raw = [float(v) for v in raw[0]]
        out["combine"] = "sum"
        out["learning_rate"] = float(model.learning_rate)
        out["init"] = [0.0, raw[0]] if k == 2 else raw
        trees = []
        for stage in model.estimators_:
            for j, est in enumerate(stage):
                tr = tree_arrays(est.tree_, False, model.learning_rate)
                tr["class"] = 1 if k == 2 else j
                trees.append(tr)
        out["trees"] = trees
    else:
        sys.exit(f"sklearn2json: {type(model).__name__} is not supported: DecisionTreeClassifier, "
                 "RandomForestClassifier, ExtraTreesClassifier, GradientBoostingClassifier are")
    return out


def number(s):
    try:
        v = float(s)
    except ValueError:
        return 0.0
    return 0.0 if math.isnan(v) or math.isinf(v) else v


def predict_csv(model, features, src, dst):
    with open(src, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header = [h.strip() for h in rows[0]]
    try:
        cols = [header.index(n.strip()) for n in features]
    except ValueError as e:
        sys.exit(f"sklearn2json: {src}: {e}")
    X = np.array([[number(r[c]) for c in cols] for r in rows[1:]], dtype=np.float64)
    pred = model.predict(X)
    with open(dst, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0] + ["predicted"])
        for r, p in zip(rows[1:], pred):
            w.writerow(r + [str(p.item() if hasattr(p, "item") else p)])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]),
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="a model saved with joblib.dump()")
    ap.add_argument("-o", "--output", required=True, help="the JSON to write")
    ap.add_argument("--features", help="comma-separated feature names in the model's column order")
    ap.add_argument("--predict", metavar="IN.csv", help="CSV to predict (feature columns by name)")
    ap.add_argument("--predict-out", metavar="OUT.csv", help="IN.csv with a \"predicted\" column")
    args = ap.parse_args()

    model = joblib.load(args.model)
    if args.features:
        features = [f.strip() for f in args.features.split(",")]
    elif hasattr(model, "feature_names_in_"):
        features = [str(f) for f in model.feature_names_in_]
    else:
        features = None
    if features is not None and len(features) != model.n_features_in_:
        sys.exit(f"sklearn2json: {len(features)} feature names for {model.n_features_in_} features")
    with open(args.output, "w") as f:
        json.dump(convert(model, features), f)
    if args.predict:
        if not args.predict_out or features is None:
            sys.exit("sklearn2json: --predict needs --predict-out and feature names")
        predict_csv(model, features, args.predict, args.predict_out)


if __name__ == "__main__":
    main()
