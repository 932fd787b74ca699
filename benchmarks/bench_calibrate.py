"""How long `calibrate` takes on 500 observed creators (issue 14: "in seconds").

A simulated observed file of 500 creator rows: four pools of coffee-launch (nano and micro on
Instagram, nano TikTok, micro YouTube) over five past campaigns, every column filled, and the
same with followers missing on every row (the slowest case: each row integrated over its
tier's followers). Prints seconds per calibration (best of 3) and the importance sampler's
draws.

    python benchmarks/bench_calibrate.py
"""

from __future__ import annotations

import time

import numpy as np

from campaign_sim.calibration.pilot import Pilot, simulate_pilot
from campaign_sim.calibration.update import calibrate
from campaign_sim.scenario.loading import load_scenario

DESIGN = {"nano/instagram": 40, "micro/instagram": 20, "nano/tiktok": 30, "micro/youtube": 10}
CAMPAIGNS = 5  # 100 creators per campaign, 500 rows


def best_of(scenario, pilot, repeats: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = calibrate(scenario, pilot)
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    scenario = load_scenario("scenarios/coffee-launch.yaml")
    pilot = simulate_pilot(scenario, DESIGN, CAMPAIGNS, {}, np.random.default_rng(0))
    seconds, result = best_of(scenario, pilot)
    print(
        f"{len(pilot.rows)} rows, followers known:   {seconds:.2f} s "
        f"({result.provenance['importance_sampling']['draws']} importance draws)"
    )  # type: ignore[attr-defined]
    hidden = pilot.rows.copy()
    hidden["followers"] = np.nan
    seconds, result = best_of(scenario, Pilot(hidden, pilot.truth))
    print(f"{len(hidden)} rows, followers missing: {seconds:.2f} s")


if __name__ == "__main__":
    main()
