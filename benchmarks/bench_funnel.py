"""What the funnel past first attributed orders costs (docs/benchmarks.md, "The funnel").

Measures, in one run so that ratios are comparable (best of ``--repeat`` runs each, serial):
- bench-A (``scenarios/bench/bench-a.yaml``, whose priors state no amplification and no
  followers-fee correlation) with expected orders (the baseline, as in version 0.3) and with
  whole-number orders (Poisson, the default; negative binomial with dispersion 2);
- the coffee launch (``scenarios/coffee-launch.yaml``, the default priors) with the funnel
  off (no amplification, expected orders) and on (its defaults), and with every mechanism on
  (repeat buyers, incrementality, commission and tax, gifted deals, user posts).

Usage: python benchmarks/bench_funnel.py [--campaigns 1000000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from campaign_sim.engine.vectorized import simulate  # noqa: E402
from campaign_sim.scenario.loading import read_yaml, scenario_from_dict  # noqa: E402

BENCH_A = ROOT / "scenarios" / "bench" / "bench-a.yaml"
COFFEE = ROOT / "scenarios" / "coffee-launch.yaml"
CHUNK = 16_384

#: Every mechanism on, over a scenario's own settings.
EVERYTHING = {
    "economics": {"agency_commission": 0.15, "fee_tax": 0.05},
    "funnel": {"incrementality": {"family": "uniform", "low": 0.5, "high": 0.9}},
    "repeat": {
        "months": 12,
        "share": {"family": "beta", "range": [0.15, 0.35]},
        "orders_per_month": {"family": "lognormal", "range": [0.3, 0.8]},
        "discount_rate": 0.1,
    },
    "priors": {
        "tiers": {
            tier: {
                "gifted_share": 0.3,
                "user_post_rate": {"family": "beta", "range": [0.005, 0.02]},
            }
            for tier in ("nano", "micro")
        }
    },
}


def variant(path: Path, changes: dict) -> object:
    """The scenario at ``path`` with ``changes`` merged into its sections."""
    data = read_yaml(path)
    for section, values in changes.items():
        merged = copy.deepcopy(data.get(section) or {})
        if section == "priors":
            for tier, priors in values["tiers"].items():
                merged.setdefault("tiers", {}).setdefault(tier, {}).update(priors)
        else:
            merged.update(values)
        data[section] = merged
    return scenario_from_dict(data, source=path)


def best_seconds(scenario: object, campaigns: int, repeat: int) -> float:
    """Best time of ``repeat`` runs, after one small run that builds the quantile tables."""
    simulate(scenario, campaigns=2048)  # type: ignore[arg-type]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        simulate(scenario, campaigns=campaigns, chunk_size=CHUNK)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    n = args.campaigns
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    rows = [
        ("bench-A, expected orders (baseline)", BENCH_A, {"funnel": {"orders": "expected"}}),
        ("bench-A, Poisson orders (default)", BENCH_A, {}),
        (
            "bench-A, negative binomial orders (dispersion 2)",
            BENCH_A,
            {"funnel": {"orders": "negative_binomial", "orders_dispersion": 2}},
        ),
        (
            "coffee launch, funnel off (baseline)",
            COFFEE,
            {"funnel": {"orders": "expected", "amplification": False}},
        ),
        ("coffee launch, defaults (amplification, Poisson)", COFFEE, {}),
        ("coffee launch, every mechanism on", COFFEE, EVERYTHING),
    ]
    baseline = {}
    for label, path, changes in rows:
        seconds = best_seconds(variant(path, changes), n, args.repeat)
        base = baseline.setdefault(path, seconds)
        print(
            f"{label:52s} {seconds:7.2f} s  {n / seconds:11,.0f} campaigns/s  x{seconds / base:.2f}"
        )


if __name__ == "__main__":
    main()
