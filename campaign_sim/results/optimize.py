"""An optimisation's results folder: the chosen plan, the plans judged on fresh campaigns, the
frontier (table, and a chart of every judged plan on risk and return), the assumption
settings, every plan scored, and the manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim.optimize.run import OptimizeResult
from campaign_sim.optimize.summary import summary_dict
from campaign_sim.results.folder import manifest, results_folder

__all__ = ["write_optimize"]


def write_optimize(out: str | Path, result: OptimizeResult, settings: dict[str, Any]) -> Path:
    """Write the folder atomically: plan.csv, judged.csv, frontier.csv, frontier.png/.svg,
    scored.csv/.parquet, robustness.csv, timeline.csv and pilot.csv (when run),
    optimize.json and manifest.json."""
    from campaign_sim.reports.optimize import folder_charts

    out = Path(out)
    with results_folder(out) as writer:
        writer.csv("plan.csv", result.plan_frame())
        writer.csv("judged.csv", result.judged)
        writer.csv("frontier.csv", result.frontier)
        if len(result.robustness):
            writer.csv("robustness.csv", result.robustness)
        scored = result.scored_frame()
        writer.csv("scored.csv", scored)
        writer.parquet("scored.parquet", scored)
        if result.timeline is not None:
            writer.csv("timeline.csv", result.timeline)
        if result.pilot is not None:
            writer.csv("pilot.csv", pd.DataFrame([vars(result.pilot)]))
        writer.json("optimize.json", summary_dict(result))
        settings = {
            "executor": result.executor,
            "sampling": result.sampling.method,
            "antithetic": result.sampling.antithetic,
            "fresh_campaigns": {"first": result.fresh_first, "count": result.fresh_campaigns},
            "objective": f"{'max' if result.problem.maximise else 'min'}:"
            f"{result.problem.objective.name}",
            "limits": [str(limit) for limit in result.problem.limits],
            "search": result.search.method,
            "plans_scored": len(result.search.scored),
            "resumed_items": result.search.resumed,
            **settings,
        }
        timings = {"optimize": round(result.seconds, 3)}
        written = manifest(
            command="optimize",
            scenario=result.scenario,
            seed=result.seed,
            campaigns=result.campaigns,
            timings=timings,
            settings=settings,
        )
        for name, data in folder_charts(writer.folder, written).items():
            (writer.folder / name).write_bytes(data)
            writer.files.append(name)
        written["files"] = sorted(writer.files + ["manifest.json"])
        writer.json("manifest.json", written)
    return out
