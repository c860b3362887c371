#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Train the models tests/test_import.c imports: XGBoost and scikit-learn.

Usage: tests/import_models.py DIR
Reads DIR/train.csv and DIR/test.csv (feature columns, then Label) and
writes, for each model NAME, its file (NAME.json for XGBoost, NAME.joblib and
NAME-trees.json via scripts/sklearn2json.py for scikit-learn) and
NAME-pred.csv: test.csv with the model's own predictions in a "predicted"
column. Exits 77 when python3-xgboost or python3-sklearn is missing.
"""
import csv
import os
import subprocess
import sys

try:
    import joblib
    import numpy as np
    import xgboost as xgb
    from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier,
                                  RandomForestClassifier)
    from sklearn.tree import DecisionTreeClassifier
except ImportError as e:
    print(f"import_models: {e}", file=sys.stderr)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
CONVERTER = os.path.join(os.path.dirname(HERE), "scripts", "sklearn2json.py")


def read(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    X = np.array([[float(v) for v in r[:-1]] for r in rows[1:]])
    y = [r[-1] for r in rows[1:]]
    return header, rows, X, y


def write_pred(rows, pred, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(rows[0] + ["predicted"])
        for r, p in zip(rows[1:], pred):
            w.writerow(r + [str(p)])


def main():
    d = sys.argv[1]
    header, _, Xtr, ytr = read(os.path.join(d, "train.csv"))
    _, te_rows, Xte, _ = read(os.path.join(d, "test.csv"))
    names = header[:-1]
    classes = sorted(set(ytr))
    idx = {c: i for i, c in enumerate(classes)}
    yi = np.array([idx[c] for c in ytr])
    ybin = np.array([c == classes[0] for c in ytr], dtype=int)   # first class vs the rest

    # XGBoost: multi-class with feature names in the file, binary without
    m = xgb.XGBClassifier(n_estimators=25, max_depth=4, learning_rate=0.3,
                          objective="multi:softprob", tree_method="exact", n_jobs=1)
    m.fit(Xtr, yi)
    m.get_booster().feature_names = names
    m.get_booster().save_model(os.path.join(d, "xgb_multi.json"))
    write_pred(te_rows, [classes[i] for i in m.predict(Xte)], os.path.join(d, "xgb_multi-pred.csv"))
    b = xgb.XGBClassifier(n_estimators=25, max_depth=3, learning_rate=0.3,
                          objective="binary:logistic", tree_method="exact", n_jobs=1)
    b.fit(Xtr, ybin)
    b.get_booster().save_model(os.path.join(d, "xgb_binary.json"))
    write_pred(te_rows, b.predict(Xte), os.path.join(d, "xgb_binary-pred.csv"))

    sk = {
        "sk_tree": DecisionTreeClassifier(max_depth=10, random_state=1),
        "sk_forest": RandomForestClassifier(n_estimators=30, max_depth=10, random_state=1),
        "sk_extra": ExtraTreesClassifier(n_estimators=30, max_depth=10, random_state=1),
        "sk_gb": GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=1),
    }
    for name, model in sk.items():
        model.fit(Xtr, np.array(ytr))
        joblib.dump(model, os.path.join(d, name + ".joblib"))
    gbb = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=1)
    gbb.fit(Xtr, np.array(["x" if v else "y" for v in ybin]))
    joblib.dump(gbb, os.path.join(d, "sk_gb_binary.joblib"))
    for name in list(sk) + ["sk_gb_binary"]:
        subprocess.run([sys.executable, CONVERTER, os.path.join(d, name + ".joblib"),
                        "-o", os.path.join(d, name + "-trees.json"), "--features", ",".join(names),
                        "--predict", os.path.join(d, "test.csv"),
                        "--predict-out", os.path.join(d, name + "-pred.csv")], check=True)


if __name__ == "__main__":
    main()
