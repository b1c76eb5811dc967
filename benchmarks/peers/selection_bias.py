#!/usr/bin/env python3
"""What the "/ best peer" column of report.py shows for a proxy exactly as fast as every peer.

    selection_bias.py [--peers 5] [--trials 20000]

Each target's reps are its true speed (1.0) times a normal error of the given size; each target's figure is the
median of its reps, as in report.py. Prints, per error size and rep count, the mean of ours / best peer's median and
how often that ratio is at least 1 (docs/performance.md, "Why an equal proxy reads below 1").
"""
import argparse
import random
import statistics


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peers", type=int, default=5)
    ap.add_argument("--trials", type=int, default=20000)
    args = ap.parse_args()
    rnd = random.Random(1)
    for sigma in (0.05, 0.08):
        for reps in (3, 5):
            ratios = []
            for _ in range(args.trials):
                best = max(statistics.median(rnd.gauss(1, sigma) for _ in range(reps)) for _ in range(args.peers))
                ours = statistics.median(rnd.gauss(1, sigma) for _ in range(reps))
                ratios.append(ours / best)
            print(f"error ±{sigma:.0%}, {reps} reps, {args.peers} peers: mean ratio {statistics.mean(ratios):.3f}, "
                  f"at least 1 in {sum(r >= 1 for r in ratios) / len(ratios):.1%} of runs")


if __name__ == "__main__":
    main()
