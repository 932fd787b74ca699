"""A timeline run's results folder (written atomically, with its manifest) and JSON summary."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from campaign_sim import __version__
from campaign_sim.analysis.timeline import TimelineResult
from campaign_sim.results.folder import manifest, results_folder
from campaign_sim.scenario.plan import Scenario

__all__ = ["timeline_json", "write_timeline_results"]


def _settings(result: TimelineResult, extra: dict) -> dict:
    plan = asdict(result.plan)
    plan["production"] = {pool: d.describe() for pool, d in result.plan.production.items()}
    return {"timeline": plan, "horizon_days": result.horizon_days, **extra}


def timeline_json(scenario: Scenario, result: TimelineResult) -> dict:
    """What ``campaign-sim timeline --format json`` prints: header and per-strategy summary."""
    return {
        "scenario": {"name": scenario.name, "path": scenario.source, "sha256": scenario.digest},
        "campaigns": result.campaigns,
        "seed": result.seed,
        "version": __version__,
        "currency": scenario.currency,
        "confidence": 0.95,
        "window_days": result.plan.window_days,
        "attribution_days": result.plan.attribution_days,
        "horizon_days": result.horizon_days,
        "managers": result.plan.managers,
        "strategies": result.to_dict(),
    }


def write_timeline_results(
    out: str | Path,
    scenario: Scenario,
    result: TimelineResult,
    *,
    seconds: float,
    settings: dict,
    save_outcomes: bool = False,
) -> Path:
    """daily.csv/.parquet (fan charts), payback.csv, summary.csv, summary.json, manifest.json;
    totals.parquet (every campaign) with ``save_outcomes``. Returns the folder."""
    out = Path(out)
    daily = result.daily_frame()
    with results_folder(out) as writer:
        writer.csv("daily.csv", daily)
        writer.parquet("daily.parquet", daily)
        writer.csv("payback.csv", result.payback_frame())
        writer.csv("summary.csv", result.summary_frame())
        writer.json("summary.json", timeline_json(scenario, result))
        if save_outcomes:
            writer.parquet("totals.parquet", result.totals_frame())
        writer.json(
            "manifest.json",
            manifest(
                command="timeline",
                scenario=scenario,
                seed=result.seed,
                campaigns=result.campaigns,
                timings={"simulate": round(seconds, 3)},
                settings=_settings(result, settings),
                files=writer.files + ["manifest.json"],
            ),
        )
    return out
