"""Benchmark the vectorized engine on bench-A (docs/benchmarks.md says how to read it).

Measures, in one run so that ratios are comparable:
- engine time for 10,000 and 1,000,000 campaigns (serial), campaigns/s and creator-slots/s;
- peak RSS of a fresh process running 100,000 and 1,000,000 campaigns (memory must stay flat);
- the floors: numpy's default generator drawing 440 uniform doubles per campaign, and drawing
  the same counts from the model's own distributions (beta, lognormal, log-uniform, Bernoulli);
- both cores: chunks on 2 processes, the same numbers as serial, and the speed-up;
- levels and shared factors (MODEL.md §8) on and off: bench-A as it is (its priors state no
  ``describes``, so the code's defaults apply: engagement, reach and conversion are levels,
  fees have a shared factor, the shock a persistent part) against a copy in which every prior
  describes independent creators (shared 0, persistent 0) and the shock has no persistent
  part, i.e. the model before levels; best of ``--repeat`` runs each, and the ratio on / off.

Usage: python benchmarks/bench_engine.py [--campaigns 1000000] [--repeat 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from campaign_sim.engine.vectorized import simulate  # noqa: E402
from campaign_sim.scenario.loading import load_scenario  # noqa: E402

BENCH_A = ROOT / "scenarios" / "bench" / "bench-a.yaml"
CHUNK = 16_384
# VmHWM (KiB) is the process's own peak; ru_maxrss would inherit the parent's peak on Linux.
PEAK = "next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM'))"


def slots(scenario) -> int:
    return sum(g.count for s in scenario.strategies for g in s.groups)


def independent(scenario):
    """``scenario`` with levels and shared factors off: every prior describes independent
    creators (creator spread 0, shared 0, persistent 0) and the shock has no persistent part.
    Groups and the scenario's prior list keep sharing the same Prior objects."""
    off = {
        id(p): replace(p, describes="creators", creator_spread=0.0, shared=0.0, persistent=0.0)
        for p in scenario.priors
    }

    def swap(prior):
        if id(prior) not in off:  # a group's own prior (a scenario override)
            off[id(prior)] = replace(
                prior, describes="creators", creator_spread=0.0, shared=0.0, persistent=0.0
            )
        return off[id(prior)]

    strategies = tuple(
        replace(
            s,
            groups=tuple(
                replace(g, priors={q: swap(p) for q, p in g.priors.items()}) for g in s.groups
            ),
        )
        for s in scenario.strategies
    )
    return replace(
        scenario,
        strategies=strategies,
        priors=tuple(off[id(p)] for p in scenario.priors),
        shock_persistent=0.0,
    )


def best_seconds(scenario, campaigns: int, repeat: int) -> float:
    """The fastest of ``repeat`` serial runs (the outcomes dropped before the next)."""
    best = float("inf")
    for _ in range(repeat):
        seconds, outcomes = engine_seconds(scenario, campaigns)
        del outcomes
        best = min(best, seconds)
    return best


def engine_seconds(scenario, campaigns: int, workers: int = 1) -> tuple[float, object]:
    started = time.perf_counter()
    outcomes = simulate(scenario, campaigns=campaigns, seed=1, workers=workers)
    return time.perf_counter() - started, outcomes


def uniform_floor(campaigns: int, per_campaign: int) -> float:
    rng = np.random.default_rng(1)
    started = time.perf_counter()
    for first in range(0, campaigns, CHUNK):
        rng.random((min(CHUNK, campaigns - first), per_campaign))
    return time.perf_counter() - started


def own_distributions_floor(scenario, campaigns: int) -> float:
    """numpy drawing every quantity of every slot from its own distribution family."""
    rng = np.random.default_rng(1)
    groups = [g for s in scenario.strategies for g in s.groups]
    started = time.perf_counter()
    for first in range(0, campaigns, CHUNK):
        n = min(CHUNK, campaigns - first)
        rng.lognormal(np.log(scenario.aov.median()), scenario.aov.sigma, n)
        rng.lognormal(0.0, scenario.shock_sigma, n)
        for g in groups:
            size = (g.count, n)
            followers = g.dist("followers")
            np.exp(rng.uniform(np.log(followers.low), np.log(followers.high), size))
            rng.random(size)  # delivery: Bernoulli by comparison
            for quantity in ("engagement_rate", "reach_rate", "conversion_rate"):
                beta = g.dist(quantity)
                rng.beta(beta.alpha, beta.beta, size)
            fee = g.dist("fee")
            rng.lognormal(np.log(fee.median_), fee.sigma, size)
    return time.perf_counter() - started


def child_peak_rss(campaigns: int, *, keep_outcomes: bool = True) -> float:
    """Peak RSS (MiB) of a fresh process that simulates ``campaigns`` campaigns, keeping every
    campaign's outcomes (``simulate``) or only reducing each chunk (``iter_chunks``)."""
    run = (
        "from campaign_sim.engine.vectorized import simulate; simulate(s, campaigns=%d, seed=1)"
        if keep_outcomes
        else "from campaign_sim.engine.draws import Layout\n"
        "from campaign_sim.engine.runner import chunks_of, run_settings\n"
        "from campaign_sim.engine.vectorized import outcomes_kernel\n"
        "run, layout = run_settings(s, campaigns=%d, seed=1), Layout.of(s)\n"
        "for chunk in chunks_of(run.campaigns, run.chunk_size):\n"
        "    arrays = outcomes_kernel(s, layout, run.seed, run.sampling, chunk)\n"
        "    sum(float(v.sum()) for (_, m), v in arrays.items() if m == 'profit')"
    ) % campaigns
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from campaign_sim.scenario.loading import load_scenario; "
        f"s = load_scenario({str(BENCH_A)!r})\n"
        f"{run}\nprint({PEAK})"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of each levels on/off case (best kept)"
    )
    args = parser.parse_args()
    load_before = os.getloadavg()

    scenario = load_scenario(BENCH_A)
    per_campaign_slots = slots(scenario)
    random_numbers = 2 + 6 * per_campaign_slots
    off_scenario = independent(scenario)
    simulate(scenario, campaigns=2048, seed=0)  # build the quantile tables once
    simulate(off_scenario, campaigns=2048, seed=0)

    small, _ = engine_seconds(scenario, 10_000)
    big, serial = engine_seconds(scenario, args.campaigns)
    parallel_s, parallel = engine_seconds(scenario, args.campaigns, workers=2)
    identical = all(
        np.array_equal(parallel.values[n][m], serial.values[n][m], equal_nan=True)
        for n in serial.strategies
        for m in serial.values[n]
    )
    del serial, parallel
    floor_uniform = uniform_floor(args.campaigns, random_numbers)
    floor_own = own_distributions_floor(scenario, args.campaigns)
    # Levels on and off, one after the other in each size so that the load is alike.
    levels = {}
    for n in (10_000, args.campaigns):
        levels[n] = {
            "off": best_seconds(off_scenario, n, args.repeat),
            "on": best_seconds(scenario, n, args.repeat),
        }
    rss = {n: child_peak_rss(n) for n in (100_000, args.campaigns)}
    stream_rss = {n: child_peak_rss(n, keep_outcomes=False) for n in (100_000, args.campaigns)}

    figures = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}",
        "creator_slots_per_campaign": per_campaign_slots,
        "random_numbers_per_campaign": random_numbers,
        "engine_10k_s": round(small, 3),
        "engine_s": round(big, 3),
        "campaigns": args.campaigns,
        "campaigns_per_s": round(args.campaigns / big),
        "creator_slots_per_s": round(args.campaigns * per_campaign_slots / big),
        "floor_uniform_s": round(floor_uniform, 3),
        "floor_own_distributions_s": round(floor_own, 3),
        "engine_over_uniform_floor": round(big / floor_uniform, 2),
        "engine_over_own_distributions_floor": round(big / floor_own, 2),
        "two_workers_s": round(parallel_s, 3),
        "two_workers_speedup": round(big / parallel_s, 2),
        "two_workers_identical": identical,
        "peak_rss_mib": {str(k): round(v) for k, v in rss.items()},
        "peak_rss_streaming_mib": {str(k): round(v) for k, v in stream_rss.items()},
        "levels_repeat": args.repeat,
        "levels_off_s": {str(k): round(v["off"], 3) for k, v in levels.items()},
        "levels_on_s": {str(k): round(v["on"], 3) for k, v in levels.items()},
        "levels_on_over_off": {str(k): round(v["on"] / v["off"], 2) for k, v in levels.items()},
        "levels_on_over_uniform_floor": round(levels[args.campaigns]["on"] / floor_uniform, 2),
        "levels_off_over_uniform_floor": round(levels[args.campaigns]["off"] / floor_uniform, 2),
        "levels_on_over_own_distributions_floor": round(
            levels[args.campaigns]["on"] / floor_own, 2
        ),
        "load_average_start_end": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    width = max(map(len, figures))
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
