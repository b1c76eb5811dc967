#!/usr/bin/env python3
"""Builds the side-by-side table of benchmarks/peers/run.sh from its raw outputs.

    report.py RAW_DIR TARGETS [--md FILE] [--header TEXT_FILE]

RAW_DIR/TARGET/METRIC.REP.{json,txt} are iperf3 -J outputs (iperf1, iperf4), wrk --latency outputs (close, ka) and
idle_conns.py lines (mem). Each cell is the median over the repetitions (the
RSS-per-idle-connection row takes the largest, see below); "Portcullis/best peer" divides Portcullis's
median by the best of the peers' (PEERS below) on that row, and "meets" says whether Portcullis is at least as
good as that best peer (higher is better for rates, lower for latency and memory). "beyond noise" tests, for each
rate and latency row, whether Portcullis and that best peer differ by more than the run's noise: the reps paired
(rep i of one against rep i of the other), Wilcoxon's signed-rank test, exact, two-sided, at 5% (wilcoxon()).
Below the table, each of those rows is also compared rep by rep (see paired()), and with a twin (a second,
identical Portcullis: run.sh --twin) the same test between the two copies shows what the noise alone does.
"""
import glob
import json
import math
import os
import re
import statistics
import sys

NAMES = {"direct": "direct", "portcullis": "Portcullis (epoll, default)", "portcullis-nio": "Portcullis (NIO)",
         "portcullis-uring": "Portcullis (io_uring)", "portcullis-twin": "Portcullis (twin)",
         "haproxy": "HAProxy", "nginx": "nginx-stream", "nginx-hc": "nginx-stream (proxy_half_close on)",
         "haproxy-pin": "HAProxy (cpu-map)", "nginx-pin": "nginx-stream (half-close, worker_cpu_affinity auto)"}
PEERS = ["haproxy", "nginx", "nginx-hc", "haproxy-pin", "nginx-pin"]
OURS = ["portcullis", "portcullis-nio", "portcullis-uring"]
TRANSPORT = {"portcullis": "epoll", "portcullis-nio": "NIO", "portcullis-uring": "io_uring"}
TWIN = "portcullis-twin"
ALPHA = 0.05


def wrk(path):
    text = open(path).read()
    out = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if m:
        out["p99_ms"] = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    out["errors"] = errors
    out["error_lines"] = [l.strip() for l in text.splitlines() if "errors" in l or "Non-2xx" in l or "FAILED" in l]
    return out


def iperf(path):
    try:
        data = json.load(open(path))
        if "error" in data:
            return None
        return data["end"]["sum_received"]["bits_per_second"] / 1e9
    except (ValueError, KeyError, OSError):
        return None


def mem(path):
    line = open(path).read().strip().splitlines()
    kv = dict(x.split("=", 1) for x in line[-1].split()) if line else {}
    return kv


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def collect(raw, target):
    d = os.path.join(raw, target)
    r = {"iperf1": [], "iperf4": [], "close_rps": [], "ka_rps": [], "ka_p99": [], "mem": [], "errors": 0,
         "runs_failed": 0, "notes": [], "mem_raw": [], "heap": []}
    for p in by_rep(glob.glob(f"{d}/iperf1.*.json")):
        r["iperf1"].append(iperf(p))
    for p in by_rep(glob.glob(f"{d}/iperf4.*.json")):
        r["iperf4"].append(iperf(p))
    r["runs_failed"] += sum(v is None for v in r["iperf1"] + r["iperf4"])
    for kind in ("close", "ka"):
        for p in by_rep(glob.glob(f"{d}/{kind}.*.txt")):
            w = wrk(p)
            r[f"{kind}_rps"].append(w["rps"])
            if kind == "ka":
                r["ka_p99"].append(w.get("p99_ms"))
            r["errors"] += w["errors"]
            if w["errors"]:
                r["notes"].append(f"{os.path.basename(p)}: " + "; ".join(w["error_lines"]))
            if w["rps"] is None:
                r["runs_failed"] += 1
    for p in by_rep(glob.glob(f"{d}/mem.*.txt")):
        kv = mem(p)
        r["mem_raw"].append(kv)
        try:
            r["mem"].append(float(kv["bytes_per_conn"]))
            if "heap_bytes_per_conn" in kv:
                r["heap"].append(float(kv["heap_bytes_per_conn"]))
        except (KeyError, ValueError):
            r["runs_failed"] += 1
    return r


PAIRED_ROWS = (("iperf1", True, "TCP throughput, 1 stream"), ("iperf4", True, "TCP throughput, 4 streams"),
               ("close_rps", True, "new connections/s"), ("ka_rps", True, "kept-alive requests/s"),
               ("ka_p99", False, "kept-alive p99"))


def paired(res, ours, peers):
    """Per rep, each of ours against the peer that is best on that row by its median (the table's best peer),
    and against the best peer of that same rep.

    Pairing by rep cancels drift between reps (another job on the machine), which whole-column medians do not.
    Why the first comparison: the table divides by the best of several noisy medians, and the largest of several
    noisy figures sits above their true level: with five peers of equal speed and 5 reps of +-8% (one standard
    deviation) each, a proxy exactly as fast as they are shows 0.95 on average there and at least 1 in one run of
    six (selection_bias.py beside this script). Against one peer, rep
    by rep, an equal proxy shows about 1. The per-rep best of all peers is the harder bar still."""
    lines = []
    for t in ours:
        for key, higher, label in PAIRED_ROWS:
            medians = {p: med(res[p][key]) for p in peers}
            medians = {p: m for p, m in medians.items() if m is not None}
            if not medians or not res[t][key]:
                continue
            top = (max if higher else min)(medians, key=medians.get)
            for against, pick in ((f"{NAMES[top]} (best median)", lambda i: res[top][key][i]
                                   if i < len(res[top][key]) else None),
                                  ("that rep's best peer", lambda i: best_of_rep(res, peers, key, i, higher))):
                ratios = []
                for i, v in enumerate(res[t][key]):
                    b = pick(i)
                    if v is not None and b is not None and b > 0:
                        ratios.append(v / b)
                if ratios:
                    wins = sum(r >= 1 if higher else r <= 1 for r in ratios)
                    lines.append(f"{NAMES[t]} {label}, per rep against {against}: "
                                 f"{', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f}; "
                                 f"at least equal in {wins} of {len(ratios)})")
    return lines


def wilcoxon(diffs):
    """Two-sided p-value of Wilcoxon's signed-rank test that the paired differences are centred on 0, and the
    side they lean to (the signed rank sum: > 0 when the positive differences outweigh the negative ones); None
    when no difference is non-zero. Zeros are dropped and tied magnitudes get their average rank (the usual
    handling); the null distribution is exact, by counting all 2^n sign patterns (n <= 60, far beyond any run).
    With n pairs the smallest possible p is 2 / 2^n: 5 reps can never show a difference at 5% (0.0625), 6 can
    only when every pair goes the same way (0.031)."""
    d = [x for x in diffs if x != 0]
    n = len(d)
    if n == 0:
        return None
    if n > 60:
        raise ValueError(f"{n} pairs: the exact count is meant for a benchmark's reps")
    order = sorted(range(n), key=lambda i: abs(d[i]))
    ranks = [0.0] * n
    i = 0
    while i < n:
        j = i
        while j + 1 < n and abs(d[order[j + 1]]) == abs(d[order[i]]):
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    # In half-rank units every rank is an integer, so the sums are exact.
    halves = [int(round(2 * r)) for r in ranks]
    total = sum(halves)
    w = sum(h for h, x in zip(halves, d) if x > 0)
    counts = {0: 1}
    for h in halves:
        nxt = dict(counts)
        for sum_, c in counts.items():
            nxt[sum_ + h] = nxt.get(sum_ + h, 0) + c
        counts = nxt
    # Under the null W is symmetric about total / 2 (in half-ranks): as extreme means as far from it or further.
    dev = abs(2 * w - total)
    extreme = sum(c for sum_, c in counts.items() if abs(2 * sum_ - total) >= dev)
    return min(1.0, extreme / 2 ** n), 2 * w - total


def beyond_noise(ours, theirs, higher):
    """Whether `ours` and `theirs` (per-rep values, paired by rep) differ beyond the noise, as a table cell:
    "better", "worse" or "level", with the p-value and the number of pairs."""
    pairs = [(a, b) for a, b in zip(ours, theirs) if a is not None and b is not None and a > 0 and b > 0]
    if len(pairs) < 2:
        return "n/a"
    diffs = [math.log(a / b) for a, b in pairs]
    test = wilcoxon(diffs)
    if test is None:
        return f"level (all {len(pairs)} reps equal)"
    p, lean = test
    if p >= ALPHA:
        return f"level (p {p:.2f}, {len(pairs)} reps)"
    return f"{'better' if (lean > 0) == higher else 'worse'} (p {p:.3f}, {len(pairs)} reps)"


def twins(res):
    """The A/A control: the twin against the first Portcullis on each paired row, rep by rep, with the same test
    as the table's "beyond noise". Two copies of one build on one machine differ only by the noise (and by
    anything the run does unevenly to targets, which would show here first)."""
    lines = []
    for key, higher, label in PAIRED_ROWS:
        a, b = res[TWIN][key], res["portcullis"][key]
        ratios = [x / y for x, y in zip(a, b) if x is not None and y is not None and y > 0]
        if not ratios:
            continue
        lines.append(f"Two copies of Portcullis, {label}, twin / first per rep: "
                     f"{', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f}, "
                     f"range {min(ratios):.2f}-{max(ratios):.2f}; beyond noise: {beyond_noise(a, b, higher)})")
    return lines


def best_of_rep(res, peers, key, i, higher):
    values = [res[p][key][i] for p in peers if i < len(res[p][key]) and res[p][key][i] is not None]
    return (max(values) if higher else min(values)) if values else None


def by_rep(paths):
    """METRIC.REP.ext files in rep order (rep 10 after rep 9, not after rep 1)."""
    return sorted(paths, key=lambda p: int(os.path.basename(p).split(".")[1]))


def fmt(v, digits):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}"


def main():
    raw, targets = sys.argv[1], sys.argv[2].split(",")
    md = sys.argv[sys.argv.index("--md") + 1] if "--md" in sys.argv else None
    header = sys.argv[sys.argv.index("--header") + 1] if "--header" in sys.argv else None
    res = {t: collect(raw, t) for t in targets}
    direct_p99 = med(res["direct"]["ka_p99"]) if "direct" in res else None

    # (label, key function, higher is better, digits, the per-rep values the noise test pairs, or None)
    rows = [
        ("TCP throughput, 1 stream (Gbit/s)", lambda r: med(r["iperf1"]), True, 2, "iperf1"),
        ("TCP throughput, 4 streams (Gbit/s)", lambda r: med(r["iperf4"]), True, 2, "iperf4"),
        ("New connections/s (HTTP, Connection: close)", lambda r: med(r["close_rps"]), True, 0, "close_rps"),
        ("Requests/s over kept-alive connections", lambda r: med(r["ka_rps"]), True, 0, "ka_rps"),
        ("p99 latency, kept-alive (ms)", lambda r: med(r["ka_p99"]), False, 2, "ka_p99"),
        # Per rep, ours minus the peer is the same difference with or without direct's p99 taken off both.
        ("Added p99 vs direct (ms)",
         lambda r: None if med(r["ka_p99"]) is None or direct_p99 is None else med(r["ka_p99"]) - direct_p99,
         False, 2, "ka_p99"),
        # A process reuses memory it freed in an earlier rep (malloc arenas, an already-touched Java heap), so
        # its RSS only grows the first time it holds the connections: the row takes the largest growth.
        ("Memory per idle connection (bytes, RSS growth, largest rep)",
         lambda r: max(r["mem"]) if r["mem"] else None, False, 0, None),
        ("Live Java heap per idle connection (bytes, after full GC; JVM only)",
         lambda r: med(r["heap"]), False, 0, None),
        ("wrk errors, all runs (socket + non-2xx)", lambda r: r["errors"], False, 0, None),
        ("Failed runs (no result)", lambda r: r["runs_failed"], False, 0, None),
    ]
    ours = [t for t in OURS if t in targets]
    peers = [t for t in PEERS if t in targets]
    head = ["metric"] + [NAMES[t] for t in targets] + [f"{NAMES[t]} / best peer" for t in ours] + \
        [f"meets ({TRANSPORT[t]})" for t in ours] + [f"beyond noise ({TRANSPORT[t]})" for t in ours]
    table = []
    for label, fn, higher, digits, key in rows:
        vals = {t: fn(res[t]) for t in targets}
        if label == "Added p99 vs direct (ms)" and "direct" in vals:
            vals["direct"] = None
        if label.startswith("Memory per idle") and "direct" in vals:
            vals["direct"] = None
        if label.startswith("Live Java heap"):
            # No peer has a Java heap: compare with the peers' RSS per connection, the memory they do use.
            pv = [max(res[t]["mem"]) for t in peers if res[t]["mem"]]
        else:
            pv = [vals[t] for t in peers if vals[t] is not None]
        best = (max(pv) if higher else min(pv)) if pv else None
        # The peer that best is from, for the paired test (the same one paired() compares with).
        top = next((t for t in peers if vals[t] == best), None) if key else None
        cells = [label] + [fmt(vals[t], digits) for t in targets]
        ratios, meets = [], []
        noise = [beyond_noise(res[t][key], res[top][key], higher) if top else "n/a" for t in ours]
        for t in ours:
            v = vals[t]
            if v is None or best is None:
                ratios.append("n/a")
                meets.append("n/a")
                continue
            if best > 0 and v >= 0:
                ratios.append(f"{v / best:.2f}")
            elif best == 0 and v == 0:
                ratios.append("1.00")
            else:
                ratios.append("n/a")
            meets.append("yes" if (v >= best if higher else v <= best) else "no")
        table.append(cells + ratios + meets + noise)

    widths = [max(len(str(row[i])) for row in [head] + table) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row))
             for row in [head] + table]
    text = "\n".join(lines)
    print(text)

    notes = []
    for t in targets:
        for n in res[t]["notes"]:
            notes.append(f"{NAMES[t]}: {n}")
        for i, kv in enumerate(res[t]["mem_raw"]):
            if kv:
                notes.append(f"{NAMES[t]} idle run {i + 1}: opened {kv.get('opened')}, proxy->backend "
                             f"{kv.get('backend')}, RSS {kv.get('rss_before_kib')} -> {kv.get('rss_after_kib')} KiB, "
                             f"{kv.get('bytes_per_conn')} B/conn, connect errors {kv.get('errors')}, "
                             f"closed by proxy while held {kv.get('closed_by_peer')}"
                             + (f", live heap {kv['heap_before_kib']} -> {kv['heap_after_kib']} KiB "
                                f"({kv['heap_bytes_per_conn']} B/conn)" if "heap_bytes_per_conn" in kv else ""))
        vals = {k: [round(x, 3) if isinstance(x, float) else x for x in res[t][k]]
                for k in ("iperf1", "iperf4", "close_rps", "ka_rps", "ka_p99", "mem", "heap")}
        notes.append(f"{NAMES[t]} all runs: {vals}")
    notes += paired(res, ours, peers)
    if TWIN in targets and "portcullis" in targets:
        notes += twins(res)
    print()
    print("\n".join(notes))

    if md:
        with open(md, "w") as f:
            if header:
                f.write(open(header).read().rstrip() + "\n\n")
            f.write("| " + " | ".join(head) + " |\n")
            f.write("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|\n")
            for row in table:
                f.write("| " + " | ".join(str(c) for c in row) + " |\n")
            f.write("\nEvery run (medians above are over these):\n\n")
            for n in notes:
                f.write(f"- {n}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
