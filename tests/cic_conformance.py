#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Conformance of `flowforest extract --format cic` with the CIC-IDS2017
(improved) sample: every row small enough to be pinned down by its own
columns (up to 4 packets, TCP or UDP) is rebuilt as packets, all of them go
into one capture, flowforest extracts it, and every column is compared.

A row pins its packets down: the flow IATs (max, min, duration) fix the
gaps, the forward and backward IATs fix which packet went which way, the
length statistics fix the payloads (with the sample standard deviation for
a fourth value), the header length sums and Fwd Seg Size Min fix the TCP
header sizes, the per-direction RST/PSH/URG counts and the flag totals fix
the flags (FIN and RST at the end of their direction, SYN first), the
initial windows fix the windows. Each row gets its own pair of addresses
(10.x.y.z -> 11.x.y.z) so that rows never meet in one flow; the report maps
them back.

Integers are compared with the floor of CIC's value. Prints a Markdown
report; exit status 0 when at least --min-rows (default 99 %) of the
rebuilt rows agree on every mapped column, 1 when fewer, 2 on error,
77 when the data is absent (skip).

Usage: cic_conformance.py --flowforest ./flowforest [--data DIR]
                          [--report FILE] [--keep DIR] [--min-rows 0.99]
"""
import argparse
import csv
import glob
import itertools
import math
import os
import struct
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from fractions import Fraction

# Columns that identify the capture or carry the label: compared separately
# (addresses via the per-row mapping) or not at all.
ID_COLS = {"id", "Flow ID", "Src IP", "Dst IP", "Label", "Attempted Category"}


def load_mapped(flowforest):
    """CIC columns that `train` maps onto kernel features (same definition)."""
    out = subprocess.run([flowforest, "features", "--cic-columns"], capture_output=True,
                         text=True, check=True).stdout
    mapped, why = set(), {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            if parts[1] == "mapped":
                mapped.add(parts[0])
            why[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return mapped, why


def num(s):
    s = s.strip()
    if s.lower() in ("nan", "infinity", "-infinity", "inf", ""):
        return None
    return float(s)


def ifloor(s):
    v = num(s)
    return None if v is None else math.floor(v)


def multiset(k, total, vmax, vmin, std=None):
    """k values with the given sum, max, min (and sample std for k=4)."""
    if k == 0:
        return [] if total == 0 else None
    if k == 1:
        return [total] if vmax == vmin == total else None
    if k == 2:
        return [vmin, vmax] if vmin + vmax == total else None
    if k == 3:
        mid = total - vmax - vmin
        return sorted([vmin, mid, vmax]) if vmin <= mid <= vmax else None
    if k == 4:
        s = total - vmax - vmin
        if std is None:
            return None
        sumsq = std * std * 3 + total * total / 4.0
        q = sumsq - vmax * vmax - vmin * vmin
        disc = 2 * q - s * s
        if disc < -1e-3:
            return None
        d = math.sqrt(max(disc, 0))
        a = round((s - d) / 2)
        b = s - a
        if not (vmin <= a <= vmax and vmin <= b <= vmax):
            return None
        vals = sorted([vmin, a, b, vmax])
        # the sample std of the candidate must be CIC's
        m = Fraction(total, 4)
        var = sum((Fraction(x) - m) ** 2 for x in vals) / 3
        if abs(math.sqrt(var) - std) > 1e-6 * max(1, std):
            return None
        return vals
    return None


def gaps_of(r, n):
    d = int(r["Flow Duration"])
    if n == 2:
        return [d]
    mx, mn = int(r["Flow IAT Max"]), int(r["Flow IAT Min"])
    if n == 3:
        return [mx, mn] if mx + mn == d else None
    mid = d - mx - mn
    return [mx, mn, mid] if mn <= mid <= mx else None


def dir_iats(r, which, k):
    if k <= 1:
        return []
    tot = int(r[f"{which} IAT Total"])
    mx, mn = int(r[f"{which} IAT Max"]), int(r[f"{which} IAT Min"])
    if k == 2:
        return [tot]
    if k == 3:
        return sorted([mx, mn]) if mx + mn == tot else None
    mid = tot - mx - mn
    return sorted([mx, mn, mid]) if mn <= mid <= mx else None


def order(r, nf, nb):
    """Directions and times (offsets in us) consistent with every IAT column."""
    n = nf + nb
    gaps = gaps_of(r, n)
    fi, bi = dir_iats(r, "Fwd", nf), dir_iats(r, "Bwd", nb)
    if gaps is None or fi is None or bi is None:
        return None
    for rest in sorted(set(itertools.permutations("F" * (nf - 1) + "B" * nb))):
        dirs = ("F",) + rest
        for perm in sorted(set(itertools.permutations(gaps))):
            t = [0]
            for g in perm:
                t.append(t[-1] + g)
            tf = [x for x, d in zip(t, dirs) if d == "F"]
            tb = [x for x, d in zip(t, dirs) if d == "B"]
            if sorted(b - a for a, b in zip(tf, tf[1:])) == fi and \
               sorted(b - a for a, b in zip(tb, tb[1:])) == bi:
                return list(dirs), t
    return None


def split_hdr(total, k, first=None):
    """k TCP header sizes (multiples of 4 in [20, 60]) adding up to total."""
    if k == 0:
        return [] if total == 0 else None
    vals = [] if first is None else [first]
    left, m = total - (first or 0), k - len(vals)
    if m == 0:
        return vals if left == 0 else None
    if left % 4 or left < 20 * m or left > 60 * m:
        return None
    low = max(20, first or 20)
    if left < low * m:
        return None
    each = [low] * m
    extra = left - low * m
    for i in range(m):
        add = min(60 - low, extra)
        each[i] += add
        extra -= add
    return vals + each if extra == 0 else None


def rebuild(r):
    """The packets of a row, or (None, reason)."""
    proto = int(r["Protocol"])
    nf, nb = int(r["Total Fwd Packet"]), int(r["Total Bwd packets"])
    n = nf + nb
    if proto not in (1, 6, 17):
        return None, f"IP protocol {proto}: no transport header to rebuild"
    if n > 4 or nf < 1:
        return None, "more than 4 packets"
    od = order(r, nf, nb)
    if od is None:
        return None, "IAT columns inconsistent"
    dirs, times = od
    if proto == 1:
        # ICMP: CIC counts no payload and no header; the packets carry the
        # 8-byte ICMP header and no data, the row's type and code
        return [{"dir": 0 if d == "F" else 1, "t": t, "len": 0, "hdr": 8, "flags": 0, "win": 0,
                 "icmp": (int(r["ICMP Type"]), int(r["ICMP Code"]))}
                for d, t in zip(dirs, times)], None
    std = lambda c: num(r[c])
    pf = multiset(nf, int(r["Total Length of Fwd Packet"]), int(r["Fwd Packet Length Max"]),
                  int(r["Fwd Packet Length Min"]), std("Fwd Packet Length Std"))
    pb = multiset(nb, int(r["Total Length of Bwd Packet"]), int(r["Bwd Packet Length Max"]),
                  int(r["Bwd Packet Length Min"]), std("Bwd Packet Length Std"))
    if pf is None or pb is None:
        return None, "length columns inconsistent"
    fh, bh = int(r["Fwd Header Length"]), int(r["Bwd Header Length"])
    if proto == 17:
        if fh != 8 * nf or bh != 8 * nb:
            return None, "UDP header length not 8 per packet"
        hf, hb = [8] * nf, [8] * nb
    else:
        segmin = int(r["Fwd Seg Size Min"])
        if segmin == 0:
            return None, ("Fwd Seg Size Min 0: CIC turned the flow around (its first "
                          "packet a SYN-ACK) and never set the minimum")
        hf = split_hdr(fh, nf, segmin)
        hb = split_hdr(bh, nb)
        if hf is None or hb is None or min(hf) != segmin:
            return None, "header length columns inconsistent"
    pkts = []
    fi = bi = 0
    for d, t in zip(dirs, times):
        if d == "F":
            pkts.append({"dir": 0, "t": t, "len": pf[fi], "hdr": hf[fi], "flags": 0,
                         "win": int(r["FWD Init Win Bytes"])})
            fi += 1
        else:
            pkts.append({"dir": 1, "t": t, "len": pb[bi], "hdr": hb[bi], "flags": 0,
                         "win": int(r["Bwd Init Win Bytes"])})
            bi += 1
    for p in pkts:
        p["win"] = max(p["win"], 0)
    placed = place_flags(r, pkts) if proto == 6 else True
    if placed is None:
        return None, ("RST Flag Count above Fwd + Bwd RST Flags (CIC misses a RST "
                      "in one direction)")
    if not placed:
        return None, "flag columns inconsistent"
    if proto == 6:
        # a TCP connection older than this flow: CIC ended its earlier
        # flow(s) at the flow timeout; one packet of it at the connection's
        # start rebuilds Total TCP Flow Time (a one-packet flow has no row)
        before = int(r["Total TCP Flow Time"]) - int(r["Flow Duration"])
        if before < 0 or 0 < before <= FLOW_TIMEOUT_US:
            return None, "Total TCP Flow Time inconsistent with the flow timeout"
        if before:
            pkts.insert(0, {"dir": 0, "t": -before, "len": 0, "hdr": 20, "flags": ACK,
                            "win": pkts[0]["win"], "prefix": True})
    return pkts, None


FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = 1, 2, 4, 8, 16, 32, 64, 128
FLOW_TIMEOUT_US = 120000000


def place_flags(r, pkts):
    fw = [p for p in pkts if p["dir"] == 0]
    bw = [p for p in pkts if p["dir"] == 1]

    def give(lst, flag, k):
        if k > len(lst):
            return False
        for p in lst[:k]:
            p["flags"] |= flag
        return True

    ok = give(fw[::-1], RST, int(r["Fwd RST Flags"])) and \
        give(bw[::-1], RST, int(r["Bwd RST Flags"]))
    if int(r["RST Flag Count"]) != int(r["Fwd RST Flags"]) + int(r["Bwd RST Flags"]):
        return None
    for lst, c in ((fw, "Fwd PSH Flags"), (bw, "Bwd PSH Flags")):
        data = [p for p in lst if p["len"] > 0] + [p for p in lst if p["len"] == 0]
        ok = ok and give(data, PSH, int(r[c]))
    ok = ok and give(fw, URG, int(r["Fwd URG Flags"])) and give(bw, URG, int(r["Bwd URG Flags"]))
    if not ok or int(r["PSH Flag Count"]) != int(r["Fwd PSH Flags"]) + int(r["Bwd PSH Flags"]):
        return False
    # SYN: the initiator's first packet, then the responder's first, then
    # retransmissions of the initiator
    syn_order = fw[:1] + bw[:1] + fw[1:] + bw[1:]
    syn_order = [p for p in syn_order if not p["flags"] & RST] + \
        [p for p in syn_order if p["flags"] & RST]
    if not give(syn_order, SYN, int(r["SYN Flag Count"])):
        return False
    # FIN: the last packet of each direction, latest first
    fin_order = sorted([x for x in (fw[-1:] + bw[-1:])], key=lambda p: -p["t"])
    fin_order += [p for p in sorted(pkts, key=lambda p: -p["t"]) if p not in fin_order]
    if not give(fin_order, FIN, int(r["FIN Flag Count"])):
        return False
    # ACK: every packet but a SYN of the initiator, as a TCP stack does:
    # first the packets without SYN, then the responder's SYNs (SYN-ACK)
    acks = int(r["ACK Flag Count"])
    ack_order = [p for p in pkts if not p["flags"] & SYN] + \
        [p for p in pkts if p["flags"] & SYN and p["dir"] == 1] + \
        [p for p in pkts if p["flags"] & SYN and p["dir"] == 0]
    if not give(ack_order, ACK, acks):
        return False
    if int(r["URG Flag Count"]) != int(r["Fwd URG Flags"]) + int(r["Bwd URG Flags"]):
        return False
    return give(pkts, ECE, int(r["ECE Flag Count"])) and \
        give(pkts, CWR, int(r["CWR Flag Count"]))


def bulk_check(r):
    """Rows of any size whose bulk columns follow from other columns: a
    direction with 4+ packets, every one with payload, no gap over 1 s, and
    no payload the other way is one bulk of all its packets. Yields whether
    CIC's three bulk columns of that direction are what flowforest computes
    (bytes, packets, floor(bytes * 1e6 / IAT total))."""
    for a, b, cnt in (("Fwd", "Bwd", "Total Fwd Packet"), ("Bwd", "Fwd", "Total Bwd packets")):
        n, tl = int(r[cnt]), int(r[f"Total Length of {a} Packet"])
        if n < 4 or int(r[f"Total Length of {b} Packet"]) or \
           int(r[f"{a} Packet Length Min"]) == 0 or int(r[f"{a} IAT Max"]) > 1000000:
            continue
        tot = int(r[f"{a} IAT Total"])
        rate = tl * 1000000 // tot if tot else 0
        got = int(r[f"{a} Bulk Rate Avg"])
        # CIC casts bytes / (us / 1e6) in doubles to an integer: an exact
        # integer rate can come out one less (650 B in 20 us: 32499999)
        exact_int = tot and tl * 1000000 % tot == 0
        yield (int(r[f"{a} Bytes/Bulk Avg"]) == tl and int(r[f"{a} Packet/Bulk Avg"]) == n and
               (got == rate or (exact_int and got == rate - 1)))


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(p, proto, src, dst, sport, dport):
    if p["dir"] == 1:
        src, dst, sport, dport = dst, src, dport, sport
    payload = b"\x41" * p["len"]
    if proto == 1:
        t, c = p["icmp"]
        l4 = struct.pack("!BBHHH", t, c, 0, 1, 1)
        l4 = l4[:2] + struct.pack("!H", csum(l4)) + l4[4:]
    elif proto == 6:
        opt = p["hdr"] - 20
        l4 = struct.pack("!HHIIBBHHH", sport, dport, 1, 1, (p["hdr"] // 4) << 4, p["flags"],
                         p["win"], 0, 0) + b"\x01" * opt
    else:
        l4 = struct.pack("!HHHH", sport, dport, 8 + p["len"], 0)
    tot = 20 + len(l4) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 0, 0, 64, proto, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + l4 + payload


def ts_us(s):
    d = datetime.strptime(s, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
    return int(d.timestamp()) * 1000000 + d.microsecond


def addr(base, i):
    return bytes([base, (i >> 16) & 255, (i >> 8) & 255, i & 255])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flowforest", required=True)
    ap.add_argument("--data", default=os.environ.get("FLOWFOREST_DATA", "../shared/data"))
    ap.add_argument("--report")
    ap.add_argument("--keep")
    ap.add_argument("--min-rows", type=float, default=0.99)
    a = ap.parse_args()

    ddir = os.path.join(a.data, "cicids2017-improved-sample")
    files = sorted(f for f in glob.glob(os.path.join(ddir, "*.csv"))
                   if not os.path.basename(f).startswith("data_header"))
    if not files:
        print(f"no {ddir}: skipping the CIC conformance test")
        return 77
    mapped, why = load_mapped(a.flowforest)

    rows, header, skipped = [], None, {}
    bulk_rows = bulk_eq = 0
    for fn in files:
        with open(fn, newline="") as f:
            rd = csv.DictReader(f)
            header = header or rd.fieldnames
            for r in rd:
                for res in bulk_check(r):
                    bulk_rows += 1
                    bulk_eq += res
                nf, nb = int(r["Total Fwd Packet"]), int(r["Total Bwd packets"])
                if nf + nb > 4:
                    continue
                pk, reason = rebuild(r)
                if pk is None:
                    skipped[reason] = skipped.get(reason, 0) + 1
                    continue
                rows.append((r, pk))
    considered = len(rows) + sum(skipped.values())

    work = a.keep or tempfile.mkdtemp(prefix="ff-cic-")
    os.makedirs(work, exist_ok=True)
    pcap, out = os.path.join(work, "rebuilt.pcap"), os.path.join(work, "flows.csv")
    frames = []
    for i, (r, pk) in enumerate(rows):
        proto = int(r["Protocol"])
        t0 = ts_us(r["Timestamp"])
        src, dst = addr(10, i + 1), addr(11, i + 1)
        for p in pk:
            frames.append((t0 + p["t"], i, frame(p, proto, src, dst, int(r["Src Port"]),
                                                  int(r["Dst Port"]))))
    frames.sort(key=lambda x: (x[0], x[1]))
    with open(pcap, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for t, _, fr in frames:
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)
    subprocess.run([a.flowforest, "extract", "-q", "--format", "cic", pcap, "-o", out],
                   check=True)

    got = {}
    with open(out, newline="") as f:
        rd = csv.DictReader(f)
        our_header = rd.fieldnames
        for g in rd:
            ip = g["Src IP"].split(".")
            if ip[0] != "10":
                ip = g["Dst IP"].split(".")
            i = (int(ip[1]) << 16 | int(ip[2]) << 8 | int(ip[3])) - 1
            got.setdefault(i, []).append(g)

    cols = [c for c in header if c not in ID_COLS]
    missing = [c for c in cols if c not in our_header]
    col_eq = {c: 0 for c in cols}
    col_bad = {c: [] for c in cols}
    col_nz = {c: 0 for c in cols}
    inf_zero = near_int = 0
    rows_eq = rows_eq_mapped = 0
    split_rows = 0
    # rows of a kind whose differences have a known cause
    known = {1: "ICMP: CIC counts neither an ICMP header nor its data (lengths 0); "
                "flowforest counts the 8-byte header (docs/cic-definitions.md)"}
    for i, (r, pk) in enumerate(rows):
        g = got.get(i, [])
        if len(g) != 1:
            split_rows += 1
            for c in cols:
                col_bad[c].append((r, f"{len(g)} flows", "flowforest ended the flow elsewhere"))
            continue
        g = g[0]
        all_eq = mapped_eq = True
        for c in cols:
            want = r[c].strip()
            have = g.get(c, "")
            if c == "Timestamp":
                eq = have == want
            elif num(want) is None:
                # Infinity / NaN for a zero duration: flowforest's 0
                eq = have.strip() == "0"
                inf_zero += eq
            else:
                # the floor of CIC's value; where CIC's double arithmetic
                # lands a hair below an exact integer (1449999.9999999998
                # for 1450000), that integer
                w = num(want)
                col_nz[c] += w != 0
                eq = have != "" and int(have) == math.floor(w)
                if not eq and have != "" and abs(int(have) - w) <= 1e-9 * max(1.0, abs(w)):
                    eq = True
                    near_int += 1
            if eq:
                col_eq[c] += 1
            else:
                col_bad[c].append((r, have, known.get(int(r["Protocol"]), "")))
                all_eq = False
                if c in mapped:
                    mapped_eq = False
        rows_eq += all_eq
        rows_eq_mapped += mapped_eq

    n = len(rows)
    lines = []
    lines.append("## Conformance with CIC-IDS2017 (improved)\n")
    lines.append("Generated by `tests/cic_conformance.py` (run by `tests/test_cic_conformance.c`):")
    lines.append("every row of the sample in `../shared/data/cicids2017-improved-sample`")
    lines.append("with at most 4 packets is rebuilt as packets, extracted with")
    lines.append("`flowforest extract --format cic`, and compared column by column")
    lines.append("(integers against the floor of CIC's value).\n")
    lines.append(f"- rows with at most 4 packets: {considered}; rebuilt: {n}")
    for k, v in sorted(skipped.items(), key=lambda x: -x[1]):
        lines.append(f"  - not rebuilt ({k}): {v}")
    pct = lambda x: f"{100.0 * x / n:.2f} %" if n else "n/a"
    lines.append(f"- rebuilt rows equal on every mapped column: {rows_eq_mapped} ({pct(rows_eq_mapped)})")
    lines.append(f"- rebuilt rows equal on every column: {rows_eq} ({pct(rows_eq)})")
    if split_rows:
        lines.append(f"- rows that flowforest did not see as exactly one flow: {split_rows}")
    eq_cols = [c for c in cols if col_eq[c] == n]
    lines.append(f"- columns equal on every rebuilt row: {len(eq_cols)} of {len(cols)} "
                 f"({100.0 * len(eq_cols) / len(cols):.1f} %)")
    if missing:
        lines.append(f"- columns missing in flowforest's output: {', '.join(missing)}")
    lines.append(f"- CIC's Infinity or NaN (zero duration) where flowforest writes 0: {inf_zero} values")
    lines.append(f"- CIC's double a hair below the exact integer flowforest writes "
                 f"(e.g. 1449999.9999999998 for 1450000): {near_int} values")
    bad = [c for c in cols if col_eq[c] != n]
    if not bad:
        lines.append("\nNo column differs on any rebuilt row.")
    else:
        lines.append("\n| column | mapped | rows equal | example of a difference "
                     "(CIC -> flowforest) | remark |")
        lines.append("|---|---|---|---|---|")
        for c in bad:
            ex = col_bad[c][0]
            st, reason = why.get(c, ("", ""))
            causes = sorted({b[2] for b in col_bad[c] if b[2]})
            lines.append(f"| {c} | {'yes' if c in mapped else 'no'} | {col_eq[c]} "
                         f"({pct(col_eq[c])}) | {ex[0][c]} -> {ex[1]} (row id {ex[0]['id']}) "
                         f"| {'; '.join(causes) or reason or st} |")
    lines.append(f"\nBulk columns, which flows of at most 4 packets never reach: in "
                 f"{bulk_rows} directions of rows of any size, the bulk follows from other "
                 f"columns (4+ packets, all with payload, gaps up to 1 s, no payload the other "
                 f"way: one bulk of all of them); CIC's Bytes/Bulk, Packet/Bulk and Bulk Rate "
                 f"agree with flowforest's definition in {bulk_eq}.")
    # how much each column was put to the test: rows where CIC's value is
    # not 0 (a column that is 0 in every rebuilt row proves little)
    lines.append("\nRebuilt rows in which CIC's value is not 0, per column (how much each")
    lines.append("column is exercised; the small flows leave bulk columns at 0):\n")
    lines.append(", ".join(f"{c} {col_nz[c]}" for c in cols if c != "Timestamp"))
    report = "\n".join(lines) + "\n"
    if a.report:
        with open(a.report, "w") as f:
            f.write(report)
    print(report)
    if not a.keep:
        for p in (pcap, out):
            os.unlink(p)
        os.rmdir(work)
    ok = n and rows_eq_mapped >= a.min_rows * n and bulk_eq >= a.min_rows * bulk_rows
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
