"""A sweep's results folder: the table, frontier, best plan, heatmaps and manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim.results.folder import manifest, results_folder
from campaign_sim.sweep.analyse import SweepReport

__all__ = ["heatmap_csv", "write_sweep"]


def heatmap_csv(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """A heatmap (first axis down, second across) with headers that name all three: the first
    column is the first axis, the others ``<value> at <second axis>=<level>``."""
    out = frame.reset_index()
    across = frame.columns.name
    out.columns = [str(frame.index.name)] + [f"{value} at {across}={c}" for c in frame.columns]
    return out


def write_sweep(out: str | Path, report: SweepReport, settings: dict[str, Any]) -> Path:
    """Write the results folder atomically: sweep.csv/.parquet, points.csv, frontier.csv,
    best.json, heatmap_<strategy>.csv (two axes), sweep.json and manifest.json."""
    out = Path(out)
    result = report.result
    with results_folder(out) as writer:
        writer.csv("sweep.csv", result.table)
        writer.parquet("sweep.parquet", result.table)
        writer.csv("points.csv", result.points_frame())
        writer.csv("frontier.csv", report.frontier)
        writer.json("best.json", report.best.to_dict())
        for strategy, frame in report.heatmaps.items():
            writer.csv(f"heatmap_{strategy}.csv", heatmap_csv(frame, report.best.goal.column))
        writer.json("sweep.json", report.to_dict())
        base = result.sweep.base
        writer.json(
            "manifest.json",
            manifest(
                command="sweep",
                scenario=base,
                seed=result.seed if result.seed is not None else base.seed,
                campaigns=result.campaigns if result.campaigns is not None else base.campaigns,
                timings={"sweep": round(result.seconds, 3)},
                settings={
                    "sweep": result.sweep.source,
                    "axes": result.sweep.describe(),
                    "zip": result.sweep.zipped,
                    "engine": result.engine,
                    "points": len(result.sweep.points),
                    "fingerprint": result.fingerprint,
                    "resumed_points": result.resumed,
                    "frontier": {"return": str(report.ret), "risk": str(report.risk)},
                    "objective": str(report.best.goal),
                    "risk_limits": [str(limit) for limit in report.best.limits],
                    **settings,
                },
                files=writer.files + ["manifest.json"],
            ),
        )
    return out
