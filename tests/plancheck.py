# SPDX-License-Identifier: MIT
"""tests/plancheck.py: what the checkers of lab/plan.py's plans
(tests/plan_*.py) print and return."""


def verdict(bad, plans, ok_line):
    """Each problem on a line of its own (none read is one), else ok_line;
    the exit status: 1 with a problem, 0 without."""
    if not plans:
        bad = bad + ["no plan read on stdin"]
    for b in bad:
        print(b)
    if bad:
        return 1
    print(ok_line)
    return 0
