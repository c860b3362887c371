#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/services_check.py: the demo's benign service measurement.

lab/benign.py writes each request's client (address, port, server port);
a curl page's URLs that never had a connection (curl -Z queues a page's
next URLs behind a connection that has not answered: run G's 5 and run
J's 1) count their wait from the page's start, not 0 s. lab/report.py
counts the failures during the attacks that met one of the classifier's
drops apart: on their own dropped connection (run J's GET), on a
keep-alive connection dropped before (run K's), or, without a connection,
while a flow of the same client and service was dropped. A failure with
no drop near it, of another client, service or port, or a line without a
client is not counted as one; a success rate with failures is rounded
down (run J's 13,757 of 13,759 read 100.0 %). Exit 0 when every check
holds.
"""
import io
import os
import sys
import tempfile
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lab"))
import benign  # noqa: E402
import report  # noqa: E402

bad = []


def check(what, got, want):
    if got != want:
        bad.append(f"{what}: got {got!r}, want {want!r}")


# curl -Z's lines (CURL_W) of a page of 5 URLs: /a answered, /hang timed out
# on its connection, /b and /c still queued behind it (000, 0 s, port 0),
# and a 5th URL without a line (curl killed)
out = ("200|0.007|10.199.65.3|47286|http://10.199.0.10/a\n"
       "000|3.009|10.199.65.3|47296|http://10.199.0.10/hang\n"
       "000|0.000000||0|http://10.199.0.10/b\n"
       "000|0.000000||0|http://10.199.0.10/c\n"
       "404|0.002|10.199.65.3|47306|http://10.199.0.10/missing.html\n")
r = benign.curl_results(out, 6, 100.0, 103.1, "10.199.65.3")
check("curl page results", [(ok, round(t, 3), who) for ok, t, who in r], [
    (True, 103.093, ("10.199.65.3", 47286)), (False, 100.091, ("10.199.65.3", 47296)),
    (False, 100.0, ("10.199.65.3", 0)), (False, 100.0, ("10.199.65.3", 0)),
    (True, 103.098, ("10.199.65.3", 47306)), (False, 100.0, ("10.199.65.3", 0))])

# a results line carries the client and the server's port
with tempfile.TemporaryDirectory() as d:
    a = types.SimpleNamespace(seconds=1, results=os.path.join(d, "r.txt"))
    run = benign.Run(a)
    run.result("http", False, 0.0, ("10.199.65.3", 49534), 80)
    run.out.close()
    with open(a.results) as f:
        p = f.read().split()
    check("results line fields", (p[0], p[1], p[4:]), ("http", "fail",
                                                        ["10.199.65.3", "49534", "80"]))

# the classifier's events: run J's drop of 10.199.65.3:49534 -> :80 at its
# GET (wall 798.948), and a keep-alive connection dropped at 924.763
t0 = (1000.0, 50.0)         # wall 1000 s = monotonic 50 s


def ev(src, sport, dport, wall, action="drop", event="changed"):
    return {"event": event, "action": action, "src": src, "sport": sport, "dport": dport,
            "ts_us": int((wall - t0[0] + t0[1]) * 1e6)}


evs = [ev("10.199.65.3", 49534, 80, 798.948), ev("10.199.62.3", 34334, 443, 924.763),
       ev("10.199.65.3", 49534, 80, 798.0, action="pass", event="classified"),
       ev("10.199.70.3", 41000, 80, 799.0)]
drops = report.dropped_flows(evs, t0)
check("dropped flows", sorted(drops), [("10.199.62.3", 34334, 443), ("10.199.65.3", 49534, 80),
                                       ("10.199.70.3", 41000, 80)])
windows = [{"start": 700.0, "end": 1000.0}]
lines = [
    "http ok 0.010 800.00 10.199.65.3 49533 80",
    "http fail 3.026 801.95 10.199.65.3 49534 80",     # its connection dropped at its GET
    "http fail 3.060 801.95 10.199.65.3 0 80",         # queued behind it, no connection
    "http fail 3.050 929.21 10.199.62.3 34334 443",    # keep-alive, dropped 1.4 s before
    "http fail 3.000 801.95 10.199.65.3 0 443",        # no connection, another service
    "http fail 3.000 801.95 10.199.66.3 0 80",         # another client
    "http fail 3.000 820.00 10.199.65.3 0 80",         # no drop while it waited
    "http fail 3.000 801.95 10.199.65.3 49535 80",     # another port
    "http fail 3.000 980.00 10.199.62.3 34334 443",    # a drop 52 s before: port reused
    "http fail 3.000 801.95",                          # lab.sh's lines: no client
    "ssh fail 4.771 801.95",
    "http fail 3.000 600.00 10.199.65.3 49534 80",     # before the attacks
]
s = report.service_rates(lines, windows, 700.0, drops)
check("http", {k: s["http"][k] for k in ("during_ok", "during_total", "during_fail_dropped",
                                          "during_fail_unnamed")},
      {"during_ok": 1, "during_total": 10, "during_fail_dropped": 3, "during_fail_unnamed": 1})
check("ssh", (s["ssh"]["during_fail_dropped"], s["ssh"]["during_fail_unnamed"]), (0, 1))
check("text", report.fails_met(s), "failed with flowforest on a flow it dropped: http 3 of 9 "
      "(1 not matched: no client in the line), ssh 0 of 1 (1 not matched: no client in the "
      "line)")
# without the classifier's events (the baseline) nothing is matched or unnamed
s = report.service_rates(lines, windows, 700.0)
check("baseline", (s["http"]["during_fail_dropped"], s["http"]["during_fail_unnamed"]), (0, 0))

# a rate with failures never reads 100.0 % (run J's 13,757 of 13,759 did)
check("rate shown", (report.pct_down(13757 / 13759), report.pct_down(1.0),
                     report.pct_down(0.99), report.pct_down(None)),
      ("99.9%", "100.0%", "99.0%", "n/a"))

for b in bad:
    print("services_check:", b, file=sys.stderr)
print(f"services_check: {'FAILED' if bad else 'ok'} ({len(bad)} failed)")
sys.exit(1 if bad else 0)
