"""A horizon run's results folder (written atomically, with its manifest) and JSON document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign_sim.analysis.horizon import HorizonResult
from campaign_sim.results.folder import manifest, results_folder
from campaign_sim.results.run import header
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.priors import priors_frame, used_priors

__all__ = ["horizon_json", "write_horizon"]


def horizon_json(scenario: Scenario, result: HorizonResult) -> dict[str, Any]:
    """What ``campaign-sim horizon --format json`` prints (and horizon.json holds)."""
    return {
        **header(scenario, result.campaigns, result.seed),
        "horizon": result.horizon,
        "brands": result.brands,
        "campaigns_per_brand": result.per_brand,
        "sampling": "random",
        "independent_exact": result.independent_exact,
        "strategies": result.to_dict(),
    }


def write_horizon(
    out: str | Path,
    scenario: Scenario,
    result: HorizonResult,
    *,
    seconds: float,
    settings: dict[str, Any] | None = None,
) -> Path:
    """horizon.csv (a row per strategy and statistic), brands.csv (a row per brand and
    strategy), horizon.json, priors.csv and manifest.json, atomically at ``out``."""
    out = Path(out)
    with results_folder(out) as writer:
        writer.csv("horizon.csv", result.frame())
        writer.csv("brands.csv", result.brands_frame())
        writer.json("horizon.json", horizon_json(scenario, result))
        writer.csv("priors.csv", priors_frame(used_priors(scenario)))
        writer.json(
            "manifest.json",
            manifest(
                command="horizon",
                scenario=scenario,
                seed=result.seed,
                campaigns=result.campaigns,
                timings={"simulate": round(seconds, 3)},
                settings={
                    "horizon": result.horizon,
                    "brands": result.brands,
                    "campaigns_per_brand": result.per_brand,
                    "strategies": list(result.strategies),
                    "sampling": "random",
                    "antithetic": False,
                    **(settings or {}),
                },
                files=writer.files + ["manifest.json"],
            ),
        )
    return out
