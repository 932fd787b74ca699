"""Measure variance reduction: sampling methods and common random numbers, over many seeds.

For each sampling method, the scenario runs with ``--seeds`` independent seeds; the standard
deviation of the seeds' mean ROI is the *true* standard error of one run. Random sampling's
standard error, sd / sqrt(n) (exact for independent campaigns), squared, over a method's true
one squared is the variance reduction; times the speed ratio it is the efficiency gain
(campaigns of random sampling one campaign is worth, per second). The script also reports the
standard error each run reports (root mean square over seeds), to check it is honest.

Common random numbers: the nano-minus-micro mean ROI difference from one run (shared streams)
against the same difference with strategy B simulated on another seed (independent streams).

Precision: campaigns each method needs for ``--precision`` 0.005 and 0.0025.

    python benchmarks/variance_reduction.py [SCENARIO] [--campaigns 8192] [--seeds 30]
        [--tables sampling,crn,precision]

Prints Markdown tables (docs/sensitivity.md quotes them).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np

from campaign_sim.analysis.compare import compare
from campaign_sim.analysis.convergence import run_to_precision
from campaign_sim.analysis.stats import summarize
from campaign_sim.engine.vectorized import simulate
from campaign_sim.random.sampling import Sampling
from campaign_sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
METHODS = [Sampling(m, a) for a in (False, True) for m in ("random", "lhs", "sobol")]
OTHER_SEED = 1_000_003  # strategy B's seed offset for independent streams


def sampling_table(plan, campaigns: int, seeds: int) -> None:
    names = [s.name for s in plan.strategies]
    print(f"\n### Sampling: {campaigns:,} campaigns, {seeds} seeds, mean ROI\n")
    print(
        "| sampling | strategy | mean of means | true se (sd over seeds) | reported se (rms) "
        "| variance reduction | s per run | efficiency |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    means = {s: [] for s in METHODS}
    reported = {s: [] for s in METHODS}
    seconds = {s: [] for s in METHODS}
    for seed in range(seeds):
        for sampling in METHODS:  # interleaved, so that changing load hits every method alike
            started = time.perf_counter()
            outcomes = simulate(plan, campaigns=campaigns, seed=seed, sampling=sampling)
            seconds[sampling].append(time.perf_counter() - started)
            summary = summarize(outcomes)
            means[sampling].append([summary.metrics[n]["roi"].mean for n in names])
            reported[sampling].append([summary.metrics[n]["roi"].se for n in names])
    # Random sampling's standard error is known far better from the within-run sd / sqrt(n)
    # (30 x n campaigns) than from the spread of 30 means: it is the baseline.
    base = METHODS[0]
    base_sd = np.sqrt(np.mean(np.square(reported[base]), axis=0))
    base_time = float(np.median(seconds[base]))
    for sampling in METHODS:
        sd = np.std(means[sampling], axis=0, ddof=1)
        run_time = float(np.median(seconds[sampling]))
        for i, name in enumerate(names):
            reduction = (base_sd[i] / sd[i]) ** 2
            print(
                f"| {sampling.label} | {name} | {np.mean(means[sampling], axis=0)[i]:+.4f} "
                f"| {sd[i]:.5f} | {np.sqrt(np.mean(np.square(reported[sampling]), axis=0))[i]:.5f} "
                f"| {reduction:.1f}x | {run_time:.3f} | {reduction * base_time / run_time:.1f}x |"
            )
    print(
        f"\nWith {seeds} seeds a standard deviation over seeds is itself uncertain by about "
        f"{100 / np.sqrt(2 * (seeds - 1)):.0f}% (one se), a variance ratio by about "
        f"{100 * np.sqrt(4 / (seeds - 1)):.0f}%."
    )


def crn_table(plan, campaigns: int, seeds: int) -> None:
    a, b = (s.name for s in plan.strategies[:2])
    shared, independent, paired_se, unpaired_se = [], [], [], []
    for seed in range(seeds):
        one = simulate(plan, campaigns=campaigns, seed=seed)
        other = simulate(plan, campaigns=campaigns, seed=seed + OTHER_SEED)
        ra, rb, rb_other = (x.values[n]["roi"] for x, n in ((one, a), (one, b), (other, b)))
        shared.append(ra.mean() - rb.mean())
        independent.append(ra.mean() - rb_other.mean())
        paired_se.append(compare(one, a, b).differences["roi"].mean_diff_se)
        unpaired_se.append(np.sqrt(ra.var(ddof=1) / ra.size + rb_other.var(ddof=1) / rb.size))
    sd_shared, sd_independent = np.std(shared, ddof=1), np.std(independent, ddof=1)
    print(f"\n### Common random numbers: {a} minus {b}, mean ROI, {campaigns:,} campaigns\n")
    print("| streams | mean difference | true se (sd over seeds) | reported se (mean) |")
    print("|---|---:|---:|---:|")
    print(
        f"| shared (one run) | {np.mean(shared):+.4f} | {sd_shared:.5f} "
        f"| {np.mean(paired_se):.5f} |"
    )
    print(
        f"| independent (B on another seed) | {np.mean(independent):+.4f} | {sd_independent:.5f} "
        f"| {np.mean(unpaired_se):.5f} |"
    )
    print(
        f"\nVariance reduction from common random numbers: {(sd_independent / sd_shared) ** 2:.1f}x"
    )


def precision_table(plan, targets: tuple[float, ...] = (0.005, 0.0025)) -> None:
    print("\n### Campaigns to reach a precision (mean ROI and P(loss), 95% CI half-width)\n")
    methods = [Sampling("random"), Sampling("random", True), Sampling("lhs"), Sampling("sobol")]
    print("| target half-width | " + " | ".join(m.label for m in methods) + " |")
    print("|---|" + "---:|" * len(methods))
    for target in targets:
        cells = []
        for sampling in methods:
            run = run_to_precision(
                plan, precision=target, max_campaigns=2_000_000, sampling=sampling
            )
            cells.append(f"{run.campaigns:,}" + ("" if run.converged else " (cap)"))
        print(f"| {target:g} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/coffee-launch.yaml"))
    parser.add_argument("--campaigns", type=int, default=8192)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument(
        "--tables", default="sampling,crn,precision", help="comma-separated tables to print"
    )
    args = parser.parse_args()
    tables = set(args.tables.split(","))
    plan = load_scenario(args.scenario)
    print(
        f"Scenario {Path(args.scenario).name}; Python {platform.python_version()}, "
        f"{platform.machine()}; median seconds per run (machine shared, times are indicative)."
    )
    if "sampling" in tables:
        sampling_table(plan, args.campaigns, args.seeds)
    if "crn" in tables:
        crn_table(plan, args.campaigns, args.seeds)
    if "precision" in tables:
        precision_table(plan)


if __name__ == "__main__":
    main()
