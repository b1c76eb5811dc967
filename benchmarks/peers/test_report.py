#!/usr/bin/env python3
"""Tests of report.py's noise test and its verdicts (python3 -m unittest, from benchmarks/peers; the Maven build runs
them through PeerReportScriptTest)."""
import itertools
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def reference_p(diffs):
    """The signed-rank p-value the slow way: every sign pattern, its statistic, counted."""
    d = [x for x in diffs if x != 0]
    mags = sorted(abs(x) for x in d)
    rank = {m: (mags.index(m) + len(mags) - mags[::-1].index(m) - 1) / 2 + 1 for m in mags}
    observed = sum(rank[abs(x)] for x in d if x > 0)
    mean = sum(rank[abs(x)] for x in d) / 2
    hits = 0
    for signs in itertools.product((1, -1), repeat=len(d)):
        w = sum(rank[abs(x)] for x, s in zip(d, signs) if s > 0)
        hits += abs(w - mean) >= abs(observed - mean) - 1e-9
    return hits / 2 ** len(d)


class WilcoxonTest(unittest.TestCase):

    def test_wilcoxon_allOneWay_smallestPossibleP(self):
        self.assertAlmostEqual(report.wilcoxon([0.1] * 7)[0], 2 / 2 ** 7)
        self.assertAlmostEqual(report.wilcoxon([-0.1, -0.2, -0.3, -0.4, -0.5])[0], 2 / 2 ** 5)

    def test_wilcoxon_fiveReps_neverBelowFivePercent(self):
        for signs in itertools.product((1, -1), repeat=5):
            self.assertGreaterEqual(report.wilcoxon([s * (i + 1) for i, s in enumerate(signs)])[0], 0.0625)

    def test_wilcoxon_randomDiffsWithTiesAndZeros_matchesEnumeration(self):
        rnd = random.Random(7)
        for _ in range(300):
            n = rnd.randint(1, 9)
            diffs = [rnd.choice([0, 1, 2, 2, 3, -1, -2, -3, 0.5, -0.5, 4, -4]) * rnd.choice([1, 1, 2]) for _ in range(n)]
            got = report.wilcoxon(diffs)
            if all(x == 0 for x in diffs):
                self.assertIsNone(got)
            else:
                self.assertAlmostEqual(got[0], reference_p(diffs), msg=str(diffs))

    def test_wilcoxon_knownTable_matches(self):
        # n = 8, W+ = 3 (ranks 1 and 2 positive): two-sided exact p = 2 * P(W <= 3) = 2 * 5/256.
        p, lean = report.wilcoxon([0.1, 0.2, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8])
        self.assertAlmostEqual(p, 10 / 256)
        self.assertLess(lean, 0)

    def test_wilcoxon_symmetricDiffs_pIsOne(self):
        self.assertEqual(report.wilcoxon([1, -1, 2, -2, 3, -3])[0], 1.0)


class BeyondNoiseTest(unittest.TestCase):

    def test_beyondNoise_higherIsBetterAndAlwaysAhead_better(self):
        self.assertEqual(report.beyond_noise([11, 12, 13, 14, 15, 16, 17], [10] * 7, True), "better (p 0.016, 7 reps)")

    def test_beyondNoise_lowerIsBetterAndAlwaysAbove_worse(self):
        self.assertEqual(report.beyond_noise([5.0] * 7, [4.0, 4.1, 4.2, 4.3, 4.4, 4.5, 4.6], False),
                         "worse (p 0.016, 7 reps)")

    def test_beyondNoise_mixed_level(self):
        self.assertTrue(report.beyond_noise([4.1, 3.9, 4.2, 3.8, 4.0], [4.0] * 5, False).startswith("level (p "))

    def test_beyondNoise_missingReps_pairedOnTheRest(self):
        self.assertEqual(report.beyond_noise([None, 2, 2, 2, 2, 2, 2, 2], [1] * 8, True), "better (p 0.016, 7 reps)")

    def test_beyondNoise_oneRep_notApplicable(self):
        self.assertEqual(report.beyond_noise([2], [1], True), "n/a")


class ReportTest(unittest.TestCase):
    """report.py end to end on raw outputs written here: the table's verdicts and the twin's lines."""

    def setUp(self):
        self.raw = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.raw)

    def wrk(self, target, kind, rep, rps, p99_ms):
        os.makedirs(os.path.join(self.raw, target), exist_ok=True)
        with open(os.path.join(self.raw, target, f"{kind}.{rep}.txt"), "w") as f:
            f.write("  Latency Distribution\n     50%    1.00ms\n     75%    1.50ms\n     90%    2.00ms\n"
                    f"     99%    {p99_ms:.2f}ms\n  1000 requests in 5.00s, 100 KB read\n"
                    f"Requests/sec:  {rps:.2f}\nTransfer/sec:    1.00MB\n")

    def test_report_twinAndPeers_verdictsAndControlLines(self):
        for rep in range(1, 8):
            self.wrk("direct", "ka", rep, 40000, 2.0)
            self.wrk("portcullis", "ka", rep, 26000 + 100 * rep, 4.0 + 0.01 * rep)
            wobble = (150, -140, 100, -90, 60, -50, 20)[rep - 1]  # both ways: the noise alone
            self.wrk("portcullis-twin", "ka", rep, 26000 + 100 * rep + wobble, 4.0 + 0.01 * rep - wobble / 10000)
            self.wrk("haproxy", "ka", rep, 24000 + 50 * rep, 4.5)
            self.wrk("nginx", "ka", rep, 23000, 3.5 + 0.01 * rep)
        out = subprocess.run([sys.executable, report.__file__, self.raw, "direct,portcullis,portcullis-twin,haproxy,nginx"],
                             capture_output=True, text=True, check=True).stdout
        rows = {line.split("  ")[0]: line for line in out.splitlines()}
        self.assertIn("better (p 0.016, 7 reps)", rows["Requests/s over kept-alive connections"])
        # nginx has the lowest p99 in every rep: Portcullis's is worse beyond the noise, and meets says no.
        self.assertRegex(rows["p99 latency, kept-alive (ms)"], r"no\s+worse \(p 0\.016, 7 reps\)$")
        self.assertRegex(out, r"Two copies of Portcullis, kept-alive requests/s, twin / first per rep: .*"
                              r"beyond noise: level \(p [0-9.]+, 7 reps\)")


if __name__ == "__main__":
    unittest.main()
