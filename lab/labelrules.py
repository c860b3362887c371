# SPDX-License-Identifier: MIT
"""lab/labelrules.py: the lab's label rule files, LABEL:KEY=VALUE,... one
rule a line (what lab/lab.sh writes and `flowforest --labels` reads), for
the lab's Python tools (lab/evaluate.py, lab/live.py)."""


def read(path):
    """(label, conditions) of each rule of file `path`, the conditions as
    written (KEY=VALUE,...); blank lines and # comments skipped."""
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s and not s.startswith("#") and ":" in s:
                label, cond = s.split(":", 1)
                yield label, cond


def conditions(cond):
    """The (KEY, VALUE) pairs of a rule's conditions, in their order."""
    return [tuple(c.split("=", 1)) for c in cond.split(",") if "=" in c]
