"""What naming creators costs the vectorized engine (issue 15): a roster of N candidates
against a count group of the same N creators of the same pool, in the same run.

Each named creator reads their own stream (one generator per quantity and seed block), and
their whole orders are drawn per creator, where a count group's are drawn per strategy; the
baseline is the count group, timed in the same process. Prints seconds per 10,000 campaigns
(best of 3) for N = 30 (the example shortlist's size), 100 and 300.

    python benchmarks/bench_roster.py
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml

from campaign_sim.engine.vectorized import simulate
from campaign_sim.scenario.loading import load_scenario

CAMPAIGNS = 10_000


def scenario_of(folder: Path, size: int, named: bool):  # type: ignore[no-untyped-def]
    rows = ["creator,platform,tier,followers,deliverables,quoted_fee"]
    rows += [f"c{i:03d},instagram,nano,{2000 + 25 * i},1,{3000 + 10 * i}" for i in range(size)]
    (folder / "roster.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    group = (
        {"roster": "roster.csv"}
        if named
        else {"tier": "nano", "platform": "instagram", "count": size}
    )
    data = {
        "name": f"bench roster {size}",
        "economics": {"aov": {"family": "lognormal", "range": [600, 1200]}, "gross_margin": 0.55},
        "strategies": {"a": {"groups": [group]}},
        "priors": {"base": "article"},
        "simulation": {"campaigns": CAMPAIGNS, "seed": 1},
    }
    path = folder / f"{'named' if named else 'count'}-{size}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_scenario(path)


def best_of(scenario, repeats: int = 3) -> float:  # type: ignore[no-untyped-def]
    simulate(scenario, campaigns=1024)  # quantile tables built
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        simulate(scenario, campaigns=CAMPAIGNS)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for size in (30, 100, 300):
            count = best_of(scenario_of(folder, size, named=False))
            named = best_of(scenario_of(folder, size, named=True))
            print(
                f"{size:>4} creators, {CAMPAIGNS:,} campaigns: count group {count:.2f} s, "
                f"roster {named:.2f} s ({named / count:.1f}x)"
            )


if __name__ == "__main__":
    main()
