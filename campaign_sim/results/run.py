"""The results folders of ``run``, ``compare`` and ``sensitivity``, and their JSON documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign_sim import __version__
from campaign_sim.analysis.stats import quantile_grid
from campaign_sim.pipeline import RunResult, SensitivityResult
from campaign_sim.results.folder import horizon_fields, manifest, results_folder
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.priors import priors_frame, used_priors

__all__ = ["header", "run_document", "sensitivity_document", "write_run", "write_sensitivity"]


def header(scenario: Scenario, campaigns: int, seed: int) -> dict[str, Any]:
    """What every JSON document starts with: scenario, campaigns, seed, version, currency;
    ``horizon_months`` with repeat buyers (the months the ``*_horizon`` metrics cover)."""
    return {
        "scenario": {"name": scenario.name, "path": scenario.source, "sha256": scenario.digest},
        "campaigns": campaigns,
        "seed": seed,
        "version": __version__,
        "currency": scenario.currency,
        "confidence": 0.95,
        **horizon_fields(scenario),
    }


def run_document(result: RunResult) -> dict[str, Any]:
    """What ``run`` / ``compare --format json`` print."""
    head = header(result.scenario, result.outcomes.campaigns, result.outcomes.seed)
    if result.comparison is None:
        return {**head, "strategies": result.summary.to_dict()}
    return {
        **head,
        "comparison": result.comparison.to_dict(),
        "strategies": result.summary.to_dict(),
    }


def write_run(out: str | Path, result: RunResult, *, save_outcomes: bool = False) -> Path:
    """Write ``result`` as a results folder at ``out`` (atomically): summary.csv, risk.csv,
    quantiles.csv, priors.csv, summary.json, comparison.csv/.json (compare), convergence.csv
    (a precision run), roster.csv (strategies with named creators: what each brings,
    :func:`campaign_sim.results.roster.roster_table`), outcomes.parquet (``save_outcomes``)
    and manifest.json."""
    from campaign_sim.results.roster import ROSTER, roster_table

    out = Path(out)
    outcomes, summary = result.outcomes, result.summary
    roster = roster_table(result)
    with results_folder(out) as writer:
        writer.csv("summary.csv", summary.frame())
        writer.csv("risk.csv", summary.risk_frame())
        writer.csv("quantiles.csv", quantile_grid(outcomes))
        writer.csv("priors.csv", priors_frame(used_priors(result.scenario)))
        writer.json(
            "summary.json", {**horizon_fields(result.scenario), "strategies": summary.to_dict()}
        )
        if result.comparison is not None:
            writer.csv("comparison.csv", result.comparison.frame())
            writer.json("comparison.json", result.comparison.to_dict())
        if result.convergence is not None:
            writer.csv("convergence.csv", result.convergence.history)
        if roster is not None:
            writer.csv(ROSTER, roster)
        if save_outcomes:
            writer.parquet("outcomes.parquet", outcomes.frame())
        writer.json(
            "manifest.json",
            manifest(
                command=result.command,
                scenario=result.scenario,
                seed=outcomes.seed,
                campaigns=outcomes.campaigns,
                timings={"simulate": round(result.seconds, 3)},
                settings=result.settings,
                files=writer.files + ["manifest.json"],
            ),
        )
    return out


def sensitivity_document(result: SensitivityResult) -> dict[str, Any]:
    """What ``sensitivity --format json`` prints."""
    return {
        **header(result.scenario, result.campaigns, result.seed),
        "output": result.output,
        "sensitivity": result.ranked.to_dict(orient="records"),
        "swing": result.swung.to_dict(orient="records"),
        "split": None if result.split is None else result.split.to_dict(orient="records"),
        "sobol": None if result.sobol is None else result.sobol.to_dict(orient="records"),
    }


def write_sensitivity(
    out: str | Path, result: SensitivityResult, *, settings: dict[str, Any] | None = None
) -> Path:
    """sensitivity.csv/.parquet, swing.csv/.parquet (the tornado), split.csv (the variance
    split: pilot, campaign, creator luck), sobol.csv (each when computed), priors.csv and
    manifest.json, atomically at ``out``."""
    out = Path(out)
    with results_folder(out) as writer:
        writer.csv("sensitivity.csv", result.ranked)
        writer.parquet("sensitivity.parquet", result.ranked)
        writer.csv("swing.csv", result.swung)
        writer.parquet("swing.parquet", result.swung)
        if result.split is not None:
            writer.csv("split.csv", result.split)
        if result.sobol is not None:
            writer.csv("sobol.csv", result.sobol)
        writer.csv("priors.csv", priors_frame(used_priors(result.scenario)))
        writer.json(
            "manifest.json",
            manifest(
                command="sensitivity",
                scenario=result.scenario,
                seed=result.seed,
                campaigns=result.campaigns,
                timings=result.timings,
                settings={
                    "output": result.output,
                    "strategies": list(result.strategies),
                    "sampling": result.sampling.method,
                    "antithetic": result.sampling.antithetic,
                    "swing_quantiles": [0.1, 0.9],
                    "split": result.split is not None,
                    "sobol": result.sobol is not None,
                    "executor": result.executor,
                    **(settings or {}),
                },
                files=writer.files + ["manifest.json"],
            ),
        )
    return out
