#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/evaluate.py: evaluation that would catch a model that learned the
tools instead of the attacks. Four parts, each optional:

  leave-one-tool-out   for each attack tool (or parameter set): a model
                       trained without it (`flowforest train`), tested on
                       its flows (`flowforest extract --model`)
  perturbation         the attack packets of a capture rewritten (payload
                       padding, TTL, TCP window, source port, rate:
                       lab/pcaprewrite.py) and classified again
  public captures      every capture of a folder that its README names as
                       an attack (../shared/data/pcaps), classified
  false alarms         benign flows flagged, with the 95 % upper bound
                       (one-sided Clopper-Pearson; 3/n when none is flagged)
  held-out captures    every DIR/NAME.pcap with its label rules DIR/NAME.rules
                       (--holdout DIR; lab/holdout.sh makes such a set):
                       per capture and label, flows flagged; the benign
                       flows' false alarms with their 95 % upper bound
  jitter               the --benign captures with every packet's timestamp
                       moved by at most US microseconds (--jitter US;
                       lab/pcaprewrite.py --jitter: another clock's stamps
                       of the same packets): per label, the flows whose
                       verdict changed (flagged or not; the packet it was
                       first flagged at)

A flow counts as flagged when the model gives it an attack class (a class
whose action is not pass) at any checkpoint: that is when the kernel
first acts on it. Writes OUT/evaluation.json and prints a summary.

Tools are named by label rules whose label is CLASS/TOOL, one rule per
tool or parameter set (`flowforest extract --labels` syntax; flows no rule
matches are benign), e.g. for your own captures:

  syn_flood/hping3:src=198.51.100.0/24,proto=tcp
  syn_flood/trafgen:src=203.0.113.7/32
  portscan/nmap:src=192.0.2.5/32

  python3 lab/evaluate.py --out ev --tools tools.rules --train day1.pcap \\
      --train-option=--max-depth=14 --model model.json \\
      --perturb day2.pcap --attack-src 198.51.100.0/24 --benign day2.pcap \\
      --public ../shared/data/pcaps

Why a fold misses its tool: keep the folds (--keep-folds DIR), then
lab/foldwhy.py DIR/CLASS_TOOL names what the trees that call the tool's
rows benign split on:

  python3 lab/evaluate.py --out ev --tools tools.rules --train day1.pcap \
      --keep-folds ev/folds
  python3 lab/foldwhy.py ev/folds/udp_flood_t50-udp

Held-out captures, yours or lab/holdout.sh's: a folder of NAME.pcap files,
each with its rules NAME.rules (first match wins; CLASS/TOOL or CLASS
labels; flows no rule matches, and the label "benign", are benign):

  python3 lab/evaluate.py --out ev --model lab/out/model.json \
      --holdout /work/holdout --holdout-md /work/holdout/RESULTS.md

Standard library only; runs `flowforest` (--ff, default ./flowforest).
"""
import argparse
import bisect
import csv
import hashlib
import json
import math
import os
import random
import re
import shutil
import ipaddress
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pcaprewrite  # noqa: E402  (lab/pcaprewrite.py: pcap reading and writing)
import labelrules  # noqa: E402  (lab/labelrules.py: label rule files)
CP_DEFAULT = "1,2,3,4,5,6,8,12,16,32,64,128,256,512,1024"

# The captures of ../shared/data/pcaps that its READMEs describe as attacks,
# and the class each one is: a file name pattern, the class (None: an
# attack with no class of its own in the lab, any attack class counts),
# and the IP protocols of the capture that are not the attack (their flows
# are counted apart, as "other"). esnet_tcp_control_two_way_all_flags is a
# TCP exchange, not an attack. A UDP amplification capture's attack is its
# UDP replies, their later fragments (port-less flows of protocol 17) and
# the ICMP messages that come with them (the stopddos README: "please leave
# those in"); its TCP flows are the victim's own traffic: the DNS RRSIG
# capture's 299 TCP flows are ssh sessions, HTTPS transfers and internet
# scanners' SYNs, which an evaluation of the flood must not count as its
# misses (nor as its hits).
PUBLIC_ATTACKS = [
    (r"^esnet_attacks_scanners_(masscan|nmap)_", "portscan", ()),
    (r"^sgr_hs-arpScan", None, ()),
    (r"^sgr_", "portscan", ()),
    (r"^stopddos_pkt\.TCP\.synflood", "syn_flood", ()),
    (r"^stopddos_pkt\.TCP\.DOMINATE\.syn", "syn_flood", ()),
    (r"^stopddos_amp\.TCP\.syn", "syn_flood", ()),
    (r"^stopddos_amp\.TCP\.reflection\.SYNACK", None, ()),
    (r"^stopddos_amp\.(UDP|dns)", "udp_flood", ("6",)),
]

# Perturbations: name, lab/pcaprewrite.py options
PERTURBATIONS = [
    ("padding 1-64 bytes", ["--pad", "1-64"]),
    ("TTL 32-255", ["--ttl", "32-255"]),
    ("TCP window 512-65535", ["--win", "512-65535"]),
    ("source port random", ["--sport"]),
    ("rate x0.25 (4 times faster)", ["--rate", "0.25"]),
    ("rate x4 (4 times slower)", ["--rate", "4"]),
    ("all of them (rate x2)", ["--pad", "1-64", "--ttl", "32-255", "--win", "512-65535",
                               "--sport", "--rate", "2"]),
]


def log(msg):
    print(f"evaluate: {msg}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"evaluate: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr.strip()}")
    return r


def upper95(k, n):
    """One-sided 95 % Clopper-Pearson upper bound of a proportion k/n."""
    if n == 0:
        return None
    if k >= n:
        return 1.0

    def cdf(p):  # P(X <= k) for X ~ Bin(n, p)
        s = 0.0
        for i in range(k + 1):
            s += math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                          + (i * math.log(p) if i else 0.0) + (n - i) * math.log1p(-p))
        return s
    lo, hi = k / n, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if cdf(mid) > 0.05:
            lo = mid
        else:
            hi = mid
    return hi


def rate(k, n):
    return k / n if n else None


def tool_windows(rules):
    """Per CLASS/TOOL label of label rules `rules` (a file): its (prefix,
    from, to) windows when every rule of it has host= or src= and time=;
    else None."""
    win = defaultdict(list)
    for lab, cond in labelrules.read(rules):
        kv = dict(labelrules.conditions(cond))
        net = kv.get("host") or kv.get("src")
        if "time" in kv and net:
            t0, t1 = kv["time"].split("-")
            win[lab].append((ipaddress.ip_network(net, strict=False), float(t0), float(t1)))
        else:
            win[lab].append(None)
    return {k: (None if None in v else v) for k, v in win.items()}


def class_tool_windows(rules, classes, who):
    """(tool, windows) of tool_windows(rules) for every CLASS/TOOL whose
    class is in `classes`, by name: the tools lab/toolview.py and
    lab/coldview.py cut views of. Exits, naming `who`, at a tool whose
    rules lack host= or src= and time=: its packets cannot be cut."""
    out = []
    for tool, windows in sorted(tool_windows(rules).items()):
        if "/" not in tool or tool.split("/")[0] not in classes:
            continue
        if not windows:
            sys.exit(f"{who}: {tool}: a rule without host=/src= and time=; cannot cut its views")
        out.append((tool, windows))
    return out


class Timeline:
    """The packets of one capture (read_pcap's list) for tool_pcap, indexed
    once for every tool: their times in seconds as it compares them, sorted
    (a window's packets found by bisection, not by a look at every packet
    for every tool), and their addresses as integers (pcaprewrite.Packet,
    parsed once)."""

    last = None	# one capture at a time: their packets are large

    def __init__(self, pkts):
        self.pkts = pkts
        self.t = [ns / 1e9 for ns, _, _ in pkts]
        self.order = sorted(range(len(pkts)), key=self.t.__getitem__)
        self.sorted = [self.t[i] for i in self.order]
        self.parsed = {}

    @classmethod
    def of(cls, pkts):
        if cls.last is None or cls.last.pkts is not pkts:
            cls.last = cls(pkts)
        return cls.last

    def addr(self, i):
        """(version, source, destination) of packet i, None if not IP."""
        if i not in self.parsed:
            p = pcaprewrite.Packet(self.pkts[i][1])
            self.parsed[i] = ((6 if p.v6 else 4, int.from_bytes(p.raw[0], "big"),
                               int.from_bytes(p.raw[1], "big")) if p.ok else None)
        return self.parsed[i]

    def within(self, windows):
        """The positions of the packets in any window (w0 <= t <= w1 + 5),
        in capture order."""
        pos = set()
        for _, w0, w1 in windows:
            pos.update(self.order[bisect.bisect_left(self.sorted, w0):
                                  bisect.bisect_right(self.sorted, w1 + 5)])
        return sorted(pos)


def tool_pcap(pcaps, windows, out, read=pcaprewrite.read_pcap):
    """The packets to or from a tool's prefix within its windows (and 5 s
    after: the flows it started go on), from captures `pcaps` (each read
    by `read`) into capture `out`, and
    the first IP packet of the first capture: the context's clock starts
    with it (context.h, ff_ctx_entries), as when the whole capture is
    scored, not at the tool's first packet, where every source would be
    one the filter has only just begun to watch."""
    n = 0
    nets = [(net.version, int(net.network_address), int(net.netmask), w0, w1 + 5)
            for net, w0, w1 in windows]
    with open(out, "wb") as f:
        head = None
        started = False	# the first IP packet kept
        for path in pcaps:
            header, endian, nano, pkts = read(path)
            tl = Timeline.of(pkts)
            if head is None:
                head = (header, endian, nano)
                f.write(header)
            keep, clock = tl.within(windows), None
            if not started:
                clock = next((i for i in range(len(pkts)) if tl.addr(i)), None)
                started = clock is not None
                keep = sorted(set(keep) | ({clock} if started else set()))
            for i in keep:
                t, ip = tl.t[i], tl.addr(i)
                if i == clock or ip and any(v == ip[0] and (ip[1] & m == a or ip[2] & m == a)
                                            for v, a, m, w0, w1 in nets if w0 <= t <= w1):
                    ns, frame, orig = pkts[i]
                    sec, rem = divmod(ns, 1_000_000_000)
                    f.write(struct.pack(head[1] + "IIII", sec, rem if head[2] else rem // 1000,
                                        len(frame), orig))
                    f.write(frame)
                    n += 1
    return n


class Scored:
    """Flows of a `flowforest extract --model` CSV: per flow its label, whether
    and when (packets, class) it was first flagged."""

    # the columns read, by position (csv.reader: DictReader built a dict
    # of every column of every row, 2.5 times the CPU)
    COLUMNS = ("Flow ID", "first_us", "Total Fwd Packet", "Total Bwd packets", "Label", "Src IP",
               "Src Port", "Dst IP", "Dst Port", "Protocol", "class")

    def __init__(self, paths, attack_classes):
        self.flows = {}
        csv.field_size_limit(1 << 20)
        for path in [paths] if isinstance(paths, str) else paths:
            self.read(path, attack_classes)

    def read(self, path, attack_classes):
        with open(path, newline="") as f:
            rd = csv.reader(f)
            head = next(rd, None)
            if head is None:
                return
            fid, first, fwd, bwd, lab, src, sport, dst, dport, proto, cls = (
                head.index(c) for c in self.COLUMNS)
            for r in rd:
                if not r:	# a blank line (DictReader skipped them too)
                    continue
                key = (r[fid], r[first])
                pk = int(r[fwd]) + int(r[bwd])
                fl = self.flows.get(key)
                if fl is None:
                    fl = self.flows[key] = {"label": r[lab], "pkts": 0, "flag_at": None,
                                            "flag_class": None, "src": r[src],
                                            "sport": r[sport], "dst": r[dst],
                                            "dport": r[dport], "proto": r[proto]}
                if pk > fl["pkts"]:
                    fl["pkts"] = pk
                if fl["flag_at"] is None and r[cls] in attack_classes:
                    fl["flag_at"], fl["flag_class"] = pk, r[cls]

    def summary(self, want):
        """Counts over the flows whose label satisfies want(label)."""
        n = k = 0
        named, at = Counter(), []
        for fl in self.flows.values():
            if not want(fl["label"]):
                continue
            n += 1
            if fl["flag_at"] is not None:
                k += 1
                named[fl["flag_class"]] += 1
                at.append(fl["flag_at"])
        return {"flows": n, "flagged": k, "rate": rate(k, n), "classes": dict(named.most_common()),
                "median_pkts_to_flag": statistics.median(at) if at else None}


class Evaluation:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix="ffeval.", dir=a.out)
        self.cache = {}
        self.res = {"generated": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "model": a.model,
                    "checkpoints": a.checkpoints, "seed": a.seed,
                    "definition": "a flow is flagged when the model gives it an attack class "
                                  "(action not pass) at any checkpoint"}

    def extract(self, pcaps, out, model=None, labels=None, warm=False):
        cmd = [self.a.ff, "extract", "-q", "--checkpoints", self.a.checkpoints, "-o", out]
        if warm:	# a capture cut out of longer traffic (--train-warm)
            cmd.append("--context-warm")
        if model:
            cmd += ["--model", model]
        if labels:
            cmd += ["--labels", labels]
        run(cmd + list(pcaps))
        return out

    def extract_each(self, pcaps, stem, model=None, labels=None):
        """extract() of every capture alone, into STEM.I.csv: each its own
        recording, replayed as the filter saw it, freshly attached. One
        extract of them all would carry the context over the pause between
        them, with the clock's jump, which no recording holds (run AJ: 11
        benign DNS queries at the second capture's start read as a UDP flood,
        their networks last seen 25 s before, in the first)."""
        return [self.extract([p], f"{stem}.{i}.csv", model, labels) for i, p in enumerate(pcaps)]

    @staticmethod
    def attack_classes(model):
        with open(model) as f:
            m = json.load(f)
        return {c["name"] for c in m["classes"] if c.get("action", "pass") != "pass"}

    def class_rules(self):
        """The --tools rules with the labels cut to their class."""
        path = os.path.join(self.tmp, "classes.rules")
        with open(path, "w") as o:
            for lab, cond in labelrules.read(self.a.tools):
                o.write(f"{lab.split('/')[0]}:{cond}\n")
        return path

    def model_parts(self):
        """The parts that test --model (not the folds): perturbation,
        public captures, false alarms, jitter, held-out captures."""
        a = self.a
        if a.perturb:
            self.perturb()
        if a.public:
            if os.path.isdir(a.public):
                self.public()
            else:
                self.res["public"] = None
                log(f"{a.public}: no such folder, public captures skipped")
        if a.benign:
            self.false_alarms()
        if a.jitter is not None:
            self.jitter()
        if a.holdout:
            self.holdout()

    def fork(self, part):
        """part() in a child process (fork), beside this one: the folds'
        training and tests (loto) are one process, its own parts another,
        so both cores work (--jobs 2). The child's files are its parts'
        own (perturbed.*, public.csv, benign.*.csv, jitter*) in the same
        temporary folder; what it adds to the results comes back as JSON
        (join), after the folds' in the results, as when run one after
        the other."""
        out = os.path.join(self.tmp, "child.json")
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            return pid, out
        rc = 1
        try:
            before = set(self.res)
            part()
            with open(out, "w") as f:
                json.dump({k: v for k, v in self.res.items() if k not in before}, f)
            rc = 0
        except SystemExit as e:	# run()'s failures: the message
            if e.code not in (None, 0):
                print(e.code if isinstance(e.code, str) else f"exit {e.code}", file=sys.stderr)
        except BaseException:	# noqa: B902  anything else: its trace, and the parent fails
            import traceback
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            sys.stdout.flush()
            os._exit(rc)

    def join(self, child):
        """The results of fork()'s child, added to this one's."""
        pid, out = child
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("evaluate: the evaluation of --model (perturbation, public, false alarms, "
                     "jitter, held-out) failed")
        with open(out) as f:
            self.res.update(json.load(f))

    # ---- leave one tool out ----------------------------------------------------------

    def tool_windows(self):
        return tool_windows(self.a.tools)

    def tool_pcap(self, pcaps, windows, out):
        return tool_pcap(pcaps, windows, out, self.read)

    def read(self, path):
        if path not in self.cache:
            self.cache.clear()
            self.cache[path] = pcaprewrite.read_pcap(path)
        return self.cache[path]

    @staticmethod
    def view_rows(path, script, *var):
        """CSV `path` (a view's rows) through lab/SCRIPT (awk -v VAR...), in place."""
        kept = path + ".kept"
        with open(path) as f, open(kept, "w") as o:
            subprocess.run(["awk", "-F,"] + [x for v in var for x in ("-v", v)]
                           + ["-f", os.path.join(HERE, script)], stdin=f, stdout=o,
                           stderr=subprocess.DEVNULL, check=True)
        os.replace(kept, path)

    def loto(self):
        a = self.a
        t0 = time.monotonic()
        # each capture on its own clock (its flows and context windows its
        # own): a round's benign traffic alone (lab/demo.sh --floods
        # segments) holds the same times as the round
        # a cold view's rows (lab/coldview.py, --train-cold; a fast
        # view's, --train-fast) through lab/cold-rows.awk first, as
        # lab/demo.sh's cold_views; a DNS or quiet view's (lab/dnsview.sh,
        # lab/quietview.sh, --train-benign-udp) through
        # lab/benign-udp-rows.awk, as its dns_views and quiet_views; a
        # one-flow view's (--train-later) through lab/later-rows.awk, as
        # its oneflow_views; a burst view's (--train-warm) extracted with
        # --context-warm, as its burst_views
        grouped = os.path.join(self.tmp, "train.tools.csv")
        views = ([(p, None) for p in a.train]
                 + [(p, "warm") for p in a.train_warm]
                 + [(p, ("cold-rows.awk", f"floods={a.cold_classes}", "fast=0"))
                    for p in a.train_cold]
                 + [(p, ("cold-rows.awk", f"floods={a.cold_classes}", "fast=1"))
                    for p in a.train_fast]
                 + [(p, ("benign-udp-rows.awk",)) for p in a.train_benign_udp]
                 + [(p, ("later-rows.awk",)) for p in a.train_later])
        with open(grouped, "w") as o:
            for i, (pcap, rows) in enumerate(views):
                part = self.extract([pcap], os.path.join(self.tmp, f"train.tools.{i}.csv"),
                                    labels=a.tools, warm=rows == "warm")
                if rows and rows != "warm":
                    self.view_rows(part, *rows)
                with open(part) as f:
                    head = f.readline()
                    if i == 0:
                        o.write(head)
                    shutil.copyfileobj(f, o)
                os.unlink(part)
        if a.handshake_benign:	# the training rows: lab/handshake-benign.awk
            relab = os.path.join(self.tmp, "train.tools.relabelled.csv")
            with open(grouped) as f, open(relab, "w") as o:
                subprocess.run(["awk", "-F,", "-v", f"classes={a.handshake_benign}", "-f",
                                os.path.join(HERE, "handshake-benign.awk")], stdin=f, stdout=o,
                               stderr=subprocess.DEVNULL, check=True)
            grouped = relab
        # the training CSV: labels cut to the class
        classed = os.path.join(self.tmp, "train.classes.csv")
        groups = []
        with open(grouped, newline="") as f, open(classed, "w", newline="") as o:
            rd, wr = csv.reader(f), csv.writer(o, lineterminator="\n")
            head = next(rd)
            li = head.index("Label")
            wr.writerow(head)
            for r in rd:
                groups.append(r[li])
                r[li] = r[li].split("/")[0]
                wr.writerow(r)
        rows = defaultdict(list)
        for i, g in enumerate(groups):
            rows[g].append(i)
        # a tool's handshake rows relabelled benign are benign/CLASS/TOOL
        # (lab/handshake-benign.awk): left out with the tool
        tools = sorted(g for g in rows if "/" in g and not g.startswith("benign/"))
        if a.loto_classes:
            tools = [g for g in tools if g.split("/")[0] in a.loto_classes.split(",")]
        windows = self.tool_windows()
        if a.keep_folds:
            os.makedirs(a.keep_folds, exist_ok=True)
        # every fold's model from one `flowforest train --folds`: the CSV
        # parsed once (each fold the model of its own --split-file run)
        folds = []
        for i, g in enumerate(tools):
            left = sorted(rows[g] + rows.get("benign/" + g, []))
            split = os.path.join(self.tmp, f"fold.{i}.rows")
            with open(split, "w") as f:
                f.write("\n".join(map(str, left)) + "\n")
            keep = os.path.join(a.keep_folds, g.replace("/", "_")) if a.keep_folds else None
            folds.append((g, len(left), split, os.path.join(self.tmp, f"fold.{i}.json"), keep))
        listed = os.path.join(self.tmp, "folds.txt")
        with open(listed, "w") as f:
            # kept: the fold's integer rows too (its test rows: the tool's),
            # what lab/foldwhy.py walks the fold's trees with
            for g, _, split, model, keep in folds:
                f.write("\t".join([split, model] + ([keep + ".rows.csv"] if keep else [])) + "\n")
        if folds:
            run([a.ff, "train", "--csv", classed, "--folds", listed, "-q", "--seed", str(a.seed),
                 "--drop-attacks"] + a.train_option)
        out = []
        for g, n_left, split, model, keep in folds:
            cls = g.split("/")[0]
            attack = self.attack_classes(model)
            pcaps = a.loto_test or a.train
            if windows.get(g):	# only the tool's packets: much faster
                sub = os.path.join(self.tmp, "fold.pcap")
                self.tool_pcap(pcaps, windows[g], sub)
                pcaps = [sub]
            test = self.extract(pcaps, os.path.join(self.tmp, "fold.scored.csv"),
                                model=model, labels=a.tools)
            if keep:
                shutil.copy(model, keep + ".json")
                shutil.copy(test, keep + ".scored.csv")
            s = Scored(test, attack).summary(lambda lab, g=g: lab == g)
            s.update({"tool": g.split("/", 1)[1], "class": cls,
                      "training_rows_left_out": n_left,
                      "class_left_in_training": any(t != g and t.split("/")[0] == cls
                                                    for t in tools)})
            out.append(s)
            log(f"leave-one-tool-out {g}: {s['flagged']}/{s['flows']} flagged "
                f"{json.dumps(s['classes'])}")
        per = {}
        for s in out:
            p = per.setdefault(s["class"], {"flows": 0, "flagged": 0, "tools": 0, "min_tool_rate": None})
            p["flows"] += s["flows"]
            p["flagged"] += s["flagged"]
            p["tools"] += 1
            if s["rate"] is not None:
                p["min_tool_rate"] = s["rate"] if p["min_tool_rate"] is None else min(p["min_tool_rate"], s["rate"])
        for p in per.values():
            p["rate"] = rate(p["flagged"], p["flows"])
        self.res["leave_one_tool_out"] = {"tools": out, "per_class": per,
                                          "train_options": a.train_option,
                                          "seconds": round(time.monotonic() - t0, 1)}

    # ---- perturbation ----------------------------------------------------------------

    def perturb(self):
        a = self.a
        t0 = time.monotonic()
        attack = self.attack_classes(a.model)
        rules = self.class_rules() if a.tools else None
        srcs = []
        for s in a.attack_src:
            srcs += ["--src", s]
        out = []
        rng = random.Random(a.seed)
        src = self.attack_cut()
        for name, opts in (PERTURBATIONS[:1] + PERTURBATIONS[-1:]) if a.quick else PERTURBATIONS:
            seed = rng.randint(1, 1 << 30)
            pc = os.path.join(self.tmp, "perturbed.pcap")
            run([sys.executable, os.path.join(HERE, "pcaprewrite.py"), "-q", "--only", src, pc,
                 "--seed", str(seed)] + srcs + opts)
            sc = Scored(self.extract([pc], os.path.join(self.tmp, "perturbed.csv"), a.model, rules),
                        attack)
            classes = sorted({fl["label"] for fl in sc.flows.values()} - {a.benign_label})
            per = {c: sc.summary(lambda lab, c=c: lab == c) for c in classes}
            tot = sc.summary(lambda lab: lab != a.benign_label)
            out.append({"name": name, "options": opts, "seed": seed, "per_class": per,
                        "attack_flows": tot["flows"], "attack_flagged": tot["flagged"],
                        "rate": tot["rate"],
                        "min_class_rate": min((p["rate"] for p in per.values()
                                               if p["rate"] is not None), default=None)})
            log(f"perturbation {name}: {tot['flagged']}/{tot['flows']} attack flows flagged")
            os.unlink(pc)
        self.res["perturbation"] = {"capture": a.perturb, "attack_sources": a.attack_src,
                                    "transforms": out,
                                    "seconds": round(time.monotonic() - t0, 1)}

    def attack_cut(self):
        """--perturb's packets from the --attack-src prefixes, and every frame
        that is not untagged IP (a VLAN's: lab/pcaprewrite.py reads their
        tags), cut once by tcpdump: what lab/pcaprewrite.py --only keeps
        (the same output, byte for byte), without its reading the benign
        packets in Python for each perturbation (run T's live capture: 5.7 s
        of CPU each, 1.0 s from the cut). The capture itself without
        tcpdump."""
        a = self.a
        cut = os.path.join(self.tmp, "attacks.pcap")
        nets = " or ".join(f"src net {s}" for s in a.attack_src)
        r = subprocess.run(["tcpdump", "-r", a.perturb, "-w", cut, f"({nets}) or not (ip or ip6)"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) \
            if shutil.which("tcpdump") else None
        return cut if r is not None and r.returncode == 0 else a.perturb

    # ---- public captures -------------------------------------------------------------

    def public(self):
        a = self.a
        t0 = time.monotonic()
        attack = self.attack_classes(a.model)
        out = []
        files = sorted(os.listdir(a.public))
        for fn in files:
            if not re.search(r"\.pcap(ng)?$", fn):
                continue
            expected, known, other = None, False, ()
            for pat, cls, not_it in PUBLIC_ATTACKS:
                if re.search(pat, fn):
                    expected, known, other = cls, True, not_it
                    break
            if not known:
                continue
            sc = Scored(self.extract([os.path.join(a.public, fn)],
                                     os.path.join(self.tmp, "public.csv"), a.model), attack)
            for fl in sc.flows.values():
                if fl["proto"] in other:
                    fl["label"] = "other"
            s = sc.summary(lambda lab: lab != "other")
            o = sc.summary(lambda lab: lab == "other")
            s.update({"file": fn, "expected": expected,
                      "right_class": s["classes"].get(expected, 0) if expected else None,
                      "other": {"protocols": list(other), "flows": o["flows"],
                                "flagged": o["flagged"], "classes": o["classes"]}})
            out.append(s)
            log(f"public {fn}: {s['flagged']}/{s['flows']} flagged {json.dumps(s['classes'])}")
        n = sum(s["flows"] for s in out)
        k = sum(s["flagged"] for s in out)
        self.res["public"] = {"folder": a.public, "captures": out, "flows": n, "flagged": k,
                              "rate": rate(k, n), "seconds": round(time.monotonic() - t0, 1)}

    # ---- held-out captures ------------------------------------------------------------

    def holdout(self):
        """Each DIR/NAME.pcap with its DIR/NAME.rules: per label, flows and
        flows flagged (and flagged as the label's own class); benign ones
        with the 95 % upper bound of their false alarm rate."""
        a = self.a
        t0 = time.monotonic()
        attack = self.attack_classes(a.model)
        out = []
        for fn in sorted(os.listdir(a.holdout)):
            m = re.match(r"(.+)\.pcap(ng)?$", fn)
            if not m:
                continue
            rules = os.path.join(a.holdout, m.group(1) + ".rules")
            if not os.path.isfile(rules):
                log(f"held-out {fn}: no {m.group(1)}.rules beside it, skipped")
                continue
            sc = Scored(self.extract([os.path.join(a.holdout, fn)],
                                     os.path.join(self.tmp, "holdout.csv"), a.model, rules), attack)
            per = {}
            for lab in sorted({fl["label"] for fl in sc.flows.values()}):
                s = sc.summary(lambda x, lab=lab: x == lab)
                if lab == a.benign_label:
                    s["upper95"] = upper95(s["flagged"], s["flows"])
                else:
                    s["right_class"] = s["classes"].get(lab.split("/")[0], 0)
                per[lab] = s
            out.append({"scenario": m.group(1), "capture": os.path.join(a.holdout, fn),
                        "rules": rules, "labels": per})
            log(f"held-out {m.group(1)}: " + ", ".join(f"{k} {v['flagged']}/{v['flows']}"
                                                        for k, v in per.items()))
        tot = {"attack_flows": 0, "attack_flagged": 0, "benign_flows": 0, "benign_flagged": 0}
        per_class = {}
        for x in out:
            for lab, s in x["labels"].items():
                if lab == a.benign_label:
                    tot["benign_flows"] += s["flows"]
                    tot["benign_flagged"] += s["flagged"]
                    continue
                tot["attack_flows"] += s["flows"]
                tot["attack_flagged"] += s["flagged"]
                c = per_class.setdefault(lab.split("/")[0], {"flows": 0, "flagged": 0,
                                                             "right_class": 0})
                for k in c:
                    c[k] += s[k]
        for c in per_class.values():
            c["rate"] = rate(c["flagged"], c["flows"])
        tot["attack_rate"] = rate(tot["attack_flagged"], tot["attack_flows"])
        tot["benign_rate"] = rate(tot["benign_flagged"], tot["benign_flows"])
        tot["benign_upper95"] = upper95(tot["benign_flagged"], tot["benign_flows"])
        self.res["holdout"] = {"folder": a.holdout, "scenarios": out, "per_class": per_class,
                               "total": tot, "seconds": round(time.monotonic() - t0, 1)}

    # ---- what the model leans on ------------------------------------------------------

    def importance(self):
        """Each feature's share of the splits, a split weighted by 2^-depth (the
        share of the data that reaches it in a balanced tree), and the
        features that can identify a tool or host: the fingerprint class of
        the feature table (`flowforest features --json`)."""
        with open(self.a.model) as f:
            m = json.load(f)
        why = {x["name"]: x.get("fingerprint")
               for x in json.loads(run([self.a.ff, "features", "--json"]).stdout)}
        names = [x["name"] for x in m["features"]]
        w = Counter()
        trees = m.get("trees") or [t for ph in m.get("phases", []) for t in ph.get("trees", [])]
        for t in trees:
            nodes = t["nodes"]
            stack = [(0, 0)]
            while stack:
                i, d = stack.pop()
                nd = nodes[i]
                if "feature" in nd and "left" in nd:
                    w[names[nd["feature"]]] += 2.0 ** -d
                    stack += [(nd["left"], d + 1), (nd["right"], d + 1)]
        tot = sum(w.values()) or 1
        out = [{"feature": name, "share": round(v / tot, 4), "fingerprint": why.get(name)}
               for name, v in w.most_common()]
        fp = sum(x["share"] for x in out if x["fingerprint"])
        self.res["model_features"] = {"features": out, "fingerprint_share": round(fp, 4),
                                      "weighting": "splits weighted by 2^-depth"}
        log(f"the model's splits: {100 * fp:.1f} % on features that can identify a tool or host")

    # ---- false alarms ----------------------------------------------------------------

    def false_alarms(self):
        a = self.a
        attack = self.attack_classes(a.model)
        rules = self.class_rules() if a.tools else None
        sc = Scored(self.extract_each(a.benign, os.path.join(self.tmp, "benign"), a.model, rules),
                    attack)
        self.res["in_lab"] = {c: sc.summary(lambda lab, c=c: lab == c)
                              for c in sorted({fl["label"] for fl in sc.flows.values()})
                              if c != a.benign_label}
        s = sc.summary(lambda lab: lab == a.benign_label)
        ex = [{k: fl[k] for k in ("src", "sport", "dst", "dport", "proto", "pkts", "flag_at",
                                  "flag_class")}
              for fl in sc.flows.values() if fl["label"] == a.benign_label and fl["flag_at"]][:20]
        by_port = Counter(fl["dport"] + "/" + fl["proto"] for fl in sc.flows.values()
                          if fl["label"] == a.benign_label)
        s.update({"upper95": upper95(s["flagged"], s["flows"]), "examples": ex,
                  "flows_by_service": dict(by_port.most_common(12)), "captures": a.benign})
        self.res["false_alarms"] = s
        self.benign_scored = sc
        log(f"false alarms: {s['flagged']}/{s['flows']} benign flows flagged, 95 % upper bound "
            f"{s['upper95']}")

    # ---- jitter ----------------------------------------------------------------------

    def jitter(self):
        """The --benign captures again, every packet's timestamp moved by at
        most --jitter microseconds, against false_alarms()'s verdicts: per
        label, the flows flagged before and after, and those whose verdict
        changed: flagged no more, flagged now, flagged first at another
        packet. A flow is matched by its Flow ID and its rank among the
        flows of that ID (its first_us moves with its first packet)."""
        a = self.a
        t0 = time.monotonic()
        rng = random.Random(a.seed)
        caps = []
        for i, c in enumerate(a.benign):
            caps.append(os.path.join(self.tmp, f"jitter{i}.pcap"))
            run([sys.executable, os.path.join(HERE, "pcaprewrite.py"), "-q", c, caps[-1],
                 "--src", "0.0.0.0/0", "--src", "::/0", "--jitter", str(a.jitter),
                 "--seed", str(rng.randint(1, 1 << 30))])
        rules = self.class_rules() if a.tools else None
        sc = Scored(self.extract_each(caps, os.path.join(self.tmp, "jitter"), a.model, rules),
                    self.attack_classes(a.model))
        for c in caps:
            os.unlink(c)
        per = jitter_flips(self.benign_scored.flows, sc.flows)
        tot = {}
        for k in ("attack", "benign"):
            rows = [v for lab, v in per.items() if (lab == a.benign_label) == (k == "benign")]
            tot[k] = {f: sum(v[f] for v in rows) for f in JITTER_COUNTS}
        self.res["jitter"] = {"us": a.jitter, "captures": a.benign, "per_label": per,
                              "attack": tot["attack"], "benign": tot["benign"],
                              "seconds": round(time.monotonic() - t0, 1)}
        for k, v in tot.items():
            log(f"jitter {a.jitter} us: {v['changed']} of {v['flows']} {k} flows decided otherwise")

    def targets(self):
        t, R = {}, self.res
        lo = R.get("leave_one_tool_out")
        if lo and lo["per_class"]:
            t["leave_one_tool_out_min_class_rate"] = min(
                (p["rate"] for p in lo["per_class"].values() if p["rate"] is not None), default=None)
        pe = R.get("perturbation")
        if pe:
            t["perturbed_min_rate"] = min((x["rate"] for x in pe["transforms"]
                                           if x["rate"] is not None), default=None)
        fa = R.get("false_alarms")
        if fa:
            t["benign_flagged_rate"] = fa["rate"]
            t["benign_flagged_upper95"] = fa["upper95"]
            t["benign_flows"] = fa["flows"]
        pu = R.get("public")
        if pu:
            t["public_rate"] = pu["rate"]
        t["pass"] = {
            "leave_one_tool_out >= 95 % per class":
                None if t.get("leave_one_tool_out_min_class_rate") is None
                else t["leave_one_tool_out_min_class_rate"] >= 0.95,
            "perturbed >= 95 %": None if t.get("perturbed_min_rate") is None
                else t["perturbed_min_rate"] >= 0.95,
            "benign <= 0.1 % (95 % upper bound) over >= 10,000 flows":
                None if t.get("benign_flagged_upper95") is None
                else (t["benign_flagged_upper95"] <= 0.001 and t["benign_flows"] >= 10000),
        }
        R["targets"] = t


JITTER_COUNTS = ("flows", "flagged", "flagged_jittered", "changed", "unflagged", "newly_flagged",
                 "other_packet", "unmatched")


def jitter_flips(before, after):
    """Per label, Scored flows `before` against `after` (the same capture
    with its timestamps moved): counts of JITTER_COUNTS. changed =
    unflagged + newly_flagged + other_packet (first flagged at another
    packet); unmatched: a flow of `before` with no flow of `after`."""
    def ranked(flows):
        by_id = defaultdict(list)
        for (fid, first), fl in flows.items():
            by_id[fid].append((int(first), fl))
        return {(fid, i): fl for fid, v in by_id.items()
                for i, (_, fl) in enumerate(sorted(v, key=lambda x: x[0]))}
    b, j = ranked(before), ranked(after)
    per = defaultdict(lambda: dict.fromkeys(JITTER_COUNTS, 0))
    for key, fl in b.items():
        c = per[fl["label"]]
        c["flows"] += 1
        c["flagged"] += fl["flag_at"] is not None
        o = j.get(key)
        if o is None:
            c["unmatched"] += 1
            continue
        c["flagged_jittered"] += o["flag_at"] is not None
        if (fl["flag_at"] is None) != (o["flag_at"] is None):
            c["unflagged" if o["flag_at"] is None else "newly_flagged"] += 1
        elif fl["flag_at"] != o["flag_at"]:
            c["other_packet"] += 1
        else:
            continue
        c["changed"] += 1
    return dict(sorted(per.items()))


def pc(x):
    return "n/a" if x is None else f"{100 * x:.2f} %"


def holdout_md(R, benign="benign"):
    """The held-out part as a Markdown table, one row per capture and label."""
    H = R["holdout"]
    L = ["| capture | label | flows | flagged | % flagged | as its own class | named as | "
         "median pkts to flag |", "|---|---|---:|---:|---:|---:|---|---:|"]
    for x in H["scenarios"]:
        for lab, s in sorted(x["labels"].items(), key=lambda kv: kv[0] == benign):
            med = "-" if s["median_pkts_to_flag"] is None else f"{s['median_pkts_to_flag']:g}"
            own = (f"{s['right_class']}" if lab != benign
                   else f"95 % upper bound {pc(s['upper95'])}")
            L.append(f"| {x['scenario']} | {lab} | {s['flows']:,} | {s['flagged']:,} | "
                     f"{pc(s['rate'])} | {own} | "
                     f"{', '.join(f'{k} {v:,}' for k, v in s['classes'].items()) or '-'} | "
                     f"{med} |")
    t = H["total"]
    L.append("")
    L.append("per class: " + ", ".join(f"{c} {p['flagged']:,}/{p['flows']:,} = {pc(p['rate'])}"
                                       for c, p in sorted(H["per_class"].items())))
    L.append(f"all attack flows: {t['attack_flagged']:,}/{t['attack_flows']:,} = "
             f"{pc(t['attack_rate'])}; benign flows flagged: {t['benign_flagged']:,}/"
             f"{t['benign_flows']:,} = {pc(t['benign_rate'])} (95 % upper bound "
             f"{pc(t['benign_upper95'])})")
    return "\n".join(L)


def text(R):
    L = [f"evaluation of {R['model']} (seed {R['seed']}): {R['definition']}"]
    mf = R.get("model_features")
    if mf:
        L.append(f"what the model leans on ({mf['weighting']}): " + ", ".join(
            f"{x['feature']} {100 * x['share']:.1f} %{' (!)' if x['fingerprint'] else ''}"
            for x in mf["features"][:10]))
        L.append(f"  {100 * mf['fingerprint_share']:.1f} % of it on features that can identify a tool "
                 "or host (!): ports, TTLs, windows, TCP option lengths, exact sizes")
    lo = R.get("leave_one_tool_out")
    if lo:
        L.append("leave-one-tool-out (trained without the tool, tested on its flows):")
        for s in lo["tools"]:
            L.append(f"  {s['class']:<15} {s['tool']:<24} {s['flagged']:>6}/{s['flows']:<6} "
                     f"{pc(s['rate']):>9}  as {', '.join(f'{k} {v}' for k, v in s['classes'].items()) or '-'}")
        for c, p in lo["per_class"].items():
            L.append(f"  class {c:<15} {p['flagged']}/{p['flows']} {pc(p['rate'])} "
                     f"(worst tool {pc(p['min_tool_rate'])}, {p['tools']} tools)")
    pe = R.get("perturbation")
    if pe:
        L.append("perturbed attacks (live capture rewritten, classified again):")
        for x in pe["transforms"]:
            L.append(f"  {x['name']:<30} {x['attack_flagged']:>6}/{x['attack_flows']:<6} {pc(x['rate']):>9}"
                     f"  worst class {pc(x['min_class_rate'])}")
    pu = R.get("public")
    if pu:
        L.append("public captures (attacks, per their README):")
        for s in pu["captures"]:
            ot = s.get("other") or {}
            L.append(f"  {s['file'][:52]:<52} {s['flagged']:>6}/{s['flows']:<6} {pc(s['rate']):>9}"
                     f"  {', '.join(f'{k} {v}' for k, v in s['classes'].items()) or '-'}"
                     + (f" (not the attack: {ot['flows']} flows of IP protocol "
                        f"{'/'.join(ot['protocols'])}, {ot['flagged']} flagged)"
                        if ot.get("flows") else ""))
        L.append(f"  all: {pu['flagged']}/{pu['flows']} {pc(pu['rate'])}")
    il = R.get("in_lab")
    if il:
        L.append("attack flows of the same capture (the live model, extract --model): " + ", ".join(
            f"{c} {p['flagged']}/{p['flows']}" for c, p in il.items()))
    fa = R.get("false_alarms")
    if fa:
        L.append(f"false alarms: {fa['flagged']}/{fa['flows']} benign flows flagged = {pc(fa['rate'])}, "
                 f"95 % upper bound {pc(fa['upper95'])}")
    ji = R.get("jitter")
    if ji:
        L.append(f"timestamps jittered (every packet moved by at most {ji['us']} us): flows "
                 "decided otherwise (flagged no more / flagged now / first flagged at another "
                 "packet):")
        for lab, v in list(ji["per_label"].items()) + [("all attacks", ji["attack"])]:
            L.append(f"  {lab:<15} {v['changed']:>6} of {v['flows']:<6} ({v['unflagged']} / "
                     f"{v['newly_flagged']} / {v['other_packet']}; flagged {v['flagged']} -> "
                     f"{v['flagged_jittered']})")
    if R.get("holdout"):
        L.append(f"held-out captures ({R['holdout']['folder']}):")
        L.append(holdout_md(R))
    for k, v in R.get("targets", {}).get("pass", {}).items():
        L.append(f"  target {k}: {'n/a' if v is None else ('met' if v else 'MISSED')}")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="folder for evaluation.json")
    ap.add_argument("--ff", default=os.path.join(os.path.dirname(HERE), "flowforest"))
    ap.add_argument("--checkpoints", default=CP_DEFAULT)
    ap.add_argument("--model", help="the model under test (perturbation, public, false alarms)")
    ap.add_argument("--tools", help="label rules CLASS/TOOL:COND (leave-one-tool-out; labels)")
    ap.add_argument("--train", nargs="+", default=[], help="captures to train the folds on, "
                    "each extracted on its own clock")
    ap.add_argument("--train-warm", nargs="+", default=[], metavar="PCAP",
                    help="captures cut out of longer traffic (lab/demo.sh's burst views) to "
                    "train the folds on too, each on its own clock with a warm context "
                    "(flowforest extract --context-warm)")
    ap.add_argument("--train-cold", nargs="+", default=[], metavar="PCAP",
                    help="cold views (lab/coldview.py) to train the folds on too, each on its "
                    "own clock, their rows chosen by lab/cold-rows.awk")
    ap.add_argument("--train-fast", nargs="+", default=[], metavar="PCAP",
                    help="fast views (lab/coldview.py --fast-classes) to train the folds on "
                    "too, as --train-cold, their rows chosen by lab/cold-rows.awk fast=1")
    ap.add_argument("--cold-classes", default="syn_flood,udp_flood,icmp_flood",
                    help="the cold views' flood classes (lab/cold-rows.awk floods=; default: "
                    "syn_flood,udp_flood,icmp_flood)")
    ap.add_argument("--train-benign-udp", nargs="+", default=[], metavar="PCAP",
                    help="DNS views (lab/dnsview.sh) and quiet views (lab/quietview.sh) to "
                    "train the folds on too, each on its own clock, their benign UDP rows "
                    "alone (lab/benign-udp-rows.awk)")
    ap.add_argument("--train-later", nargs="+", default=[], metavar="PCAP",
                    help="one-flow views (lab/pcaprewrite.py --from-port) to train the folds "
                    "on too, each on its own clock, their rows after a flow's first packet "
                    "(lab/later-rows.awk)")
    ap.add_argument("--loto-test", nargs="+", help="captures to test the folds on (default: --train)")
    ap.add_argument("--train-option", action="append", default=[],
                    help="an option for `flowforest train` in the folds (repeatable)")
    ap.add_argument("--handshake-benign", help="CLASS[:N],...: rows of these classes without "
                    "client payload (and before packet N) are relabelled benign for training, "
                    "final snapshots left out (lab/handshake-benign.awk)")
    ap.add_argument("--loto-classes", help="comma-separated: leave out only these classes' tools")
    ap.add_argument("--keep-folds", metavar="DIR",
                    help="keep each leave-one-tool-out fold in DIR as CLASS_TOOL.json (its "
                    "model), .rows.csv (the integer rows it was trained and tested on: "
                    "`flowforest train --dump-data`) and .scored.csv (its tool's flows "
                    "scored), for lab/foldwhy.py")
    ap.add_argument("--quick", action="store_true",
                    help="two perturbations (padding; all at once) instead of seven")
    ap.add_argument("--perturb", help="capture whose attack packets are rewritten")
    ap.add_argument("--attack-src", action="append", default=[], help="attacker prefix (repeatable)")
    ap.add_argument("--public", help="folder of public attack captures")
    ap.add_argument("--benign", nargs="+", help="captures whose benign flows count false alarms")
    ap.add_argument("--benign-label", default="benign")
    ap.add_argument("--holdout", metavar="DIR",
                    help="folder of held-out captures NAME.pcap, each with its label rules NAME.rules")
    ap.add_argument("--holdout-md", metavar="FILE",
                    help="append the held-out results to FILE as Markdown (model, its sha256, time)")
    ap.add_argument("--jitter", type=int, metavar="US",
                    help="the --benign captures again with every timestamp moved by at most US "
                    "microseconds (lab/pcaprewrite.py --jitter): the flows decided otherwise")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--jobs", type=int, choices=(1, 2), default=2,
                    help="2 (default): the folds (--train) in one process and the parts that "
                    "test --model in another, side by side; 1: one after the other (the same "
                    "results)")
    a = ap.parse_args()
    if a.train and not a.tools:
        ap.error("leave-one-tool-out (--train) needs --tools")
    if a.keep_folds and not a.train:
        ap.error("--keep-folds needs --train")
    if (a.train_warm or a.train_cold or a.train_fast or a.train_benign_udp
            or a.train_later) and not a.train:
        ap.error("--train-warm, --train-cold, --train-fast, --train-benign-udp and "
                 "--train-later need --train")
    if (a.perturb or a.public or a.benign or a.holdout) and not a.model:
        ap.error("--perturb, --public, --benign and --holdout need --model")
    if a.holdout and not os.path.isdir(a.holdout):
        ap.error(f"--holdout {a.holdout}: no such folder")
    if a.holdout_md and not a.holdout:
        ap.error("--holdout-md needs --holdout")
    if a.jitter is not None and not a.benign:
        ap.error("--jitter needs --benign")
    if a.jitter is not None and not 1 <= a.jitter <= 10_000_000:
        ap.error("--jitter: 1..10000000 microseconds")
    if a.perturb and not a.attack_src:
        ap.error("--perturb needs --attack-src")
    if not os.access(a.ff, os.X_OK):
        ap.error(f"{a.ff}: not an executable flowforest (--ff)")
    os.makedirs(a.out, exist_ok=True)
    ev = Evaluation(a)
    try:
        if a.model:
            ev.importance()
        if a.train and a.jobs > 1:	# the model's parts beside the folds
            child = ev.fork(ev.model_parts)
            try:
                ev.loto()
            except BaseException:
                os.kill(child[0], 9)
                os.waitpid(child[0], 0)
                raise
            ev.join(child)
        else:
            if a.train:
                ev.loto()
            ev.model_parts()
        ev.targets()
    finally:
        subprocess.run(["rm", "-rf", ev.tmp])
    with open(os.path.join(a.out, "evaluation.json"), "w") as f:
        json.dump(ev.res, f, indent=1)
    print(text(ev.res))
    if a.holdout_md:
        with open(a.model, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()[:16]
        with open(a.holdout_md, "a") as f:
            f.write(f"\n## {a.model} (sha256 {digest}), evaluated {ev.res['generated']}\n\n"
                    f"A flow is flagged when the model gives it an attack class at any checkpoint "
                    f"({a.checkpoints}), by `flowforest extract --model` (the kernel's code).\n\n"
                    f"{holdout_md(ev.res, a.benign_label)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
