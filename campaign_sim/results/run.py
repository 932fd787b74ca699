"""The results folders of ``run``, ``compare`` and ``sensitivity``, and their JSON documents."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim import __version__
from campaign_sim.analysis.stats import quantile_grid
from campaign_sim.pipeline import RunResult, SensitivityResult
from campaign_sim.results.folder import horizon_fields, manifest, results_folder
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.priors import priors_frame, used_priors

__all__ = [
    "CALIBRATION",
    "calibration_record",
    "header",
    "run_document",
    "sensitivity_document",
    "write_run",
    "write_sensitivity",
]

#: The calibrated priors' prior and posterior per quantity, in a run or compare folder.
CALIBRATION = "calibration.csv"
#: Its columns: the entry of the priors file's ``calibration.quantities`` and its numbers.
CALIBRATION_COLUMNS = (
    "name",
    "pool",
    "quantity",
    "creator",
    "rows",
    "creators",
    "campaigns",
    "prior_median",
    "prior_p5",
    "prior_p95",
    "posterior_median",
    "posterior_p5",
    "posterior_p95",
    "shrink",
    "conflict_percentile",
    "conflict",
    "note",
)


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


def _calibration_row(entry: dict[str, Any]) -> dict[str, Any]:
    """One entry of ``calibration.quantities`` as a row of :data:`CALIBRATION`; shrink and
    conflict as ``calibrate`` computes them (:class:`~campaign_sim.calibration.result.
    QuantityUpdate`)."""
    from campaign_sim.calibration.result import QuantityUpdate, Summary

    name = str(entry["name"])
    creator = name.split("/", 1)[0] if name.startswith("@") else ""
    pool, _, quantity = name.rpartition("/")
    update = QuantityUpdate(
        pool=str(entry.get("pool", "")) if creator else pool,
        quantity=quantity,
        rows=int(entry.get("rows", 0)),
        creators=int(entry.get("creators", 0)),
        campaigns=int(entry.get("campaigns", 0)),
        prior=Summary(**{k: float(entry["prior"][k]) for k in ("median", "p5", "p95")}),
        posterior=Summary(**{k: float(entry["posterior"][k]) for k in ("median", "p5", "p95")}),
        conflict_percentile=entry.get("conflict_percentile"),
        note=str(entry.get("note", "")),
    )
    return {
        "name": name,
        "pool": update.pool,
        "quantity": update.quantity,
        "creator": creator,
        "rows": update.rows,
        "creators": update.creators,
        "campaigns": update.campaigns,
        **{f"prior_{k}": getattr(update.prior, k) for k in ("median", "p5", "p95")},
        **{f"posterior_{k}": getattr(update.posterior, k) for k in ("median", "p5", "p95")},
        "shrink": update.shrink,
        "conflict_percentile": update.conflict_percentile,
        "conflict": update.conflict,
        "note": update.note,
    }


def calibration_record(scenario: Scenario) -> tuple[pd.DataFrame, dict[str, Any]] | None:
    """What a report needs of a calibrated priors file (``campaign-sim calibrate``): its
    ``calibration.quantities`` as a table of :data:`CALIBRATION_COLUMNS` (prior and posterior
    median, P5, P95 of the next campaign's value, in the quantity's units) and its provenance
    for the manifest (the priors file's path and sha256, the observed data's file name, sha256
    and rows, method, date, product, the quantities left untouched); None when the scenario's
    priors have no calibration block."""
    from campaign_sim.calibration.writeback import base_priors

    origin, data = base_priors(scenario)
    block = data.get("calibration")
    if not isinstance(block, dict):
        return None
    rows = []
    for entry in block.get("quantities") or []:
        try:
            rows.append(_calibration_row(entry))
        except (KeyError, TypeError, ValueError):
            continue  # an entry edited out of shape: the loader never reads it either
    observed = block.get("data") or {}
    provenance = {
        "priors": {
            "file": origin,
            "sha256": hashlib.sha256(Path(origin).read_bytes()).hexdigest(),
        },
        "data": {
            "file": Path(str(observed.get("file", ""))).name,
            "sha256": observed.get("sha256"),
            "rows": observed.get("rows"),
        },
        "method": block.get("method"),
        "date": block.get("date"),
        "product": block.get("product"),
        "untouched": list(block.get("untouched") or []),
    }
    return pd.DataFrame(rows, columns=list(CALIBRATION_COLUMNS)), provenance


def write_run(out: str | Path, result: RunResult, *, save_outcomes: bool = False) -> Path:
    """Write ``result`` as a results folder at ``out`` (atomically): summary.csv, risk.csv,
    quantiles.csv, priors.csv, summary.json, comparison.csv/.json (compare), convergence.csv
    (a precision run), roster.csv (strategies with named creators: what each brings,
    :func:`campaign_sim.results.roster.roster_table`), calibration.csv (calibrated priors:
    :func:`calibration_record`, whose provenance the manifest's ``calibration`` holds),
    outcomes.parquet (``save_outcomes``) and manifest.json."""
    from campaign_sim.results.roster import ROSTER, roster_table

    out = Path(out)
    outcomes, summary = result.outcomes, result.summary
    roster = roster_table(result)
    calibration = calibration_record(result.scenario)
    with results_folder(out) as writer:
        writer.csv("summary.csv", summary.frame())
        writer.csv("risk.csv", summary.risk_frame())
        writer.csv("quantiles.csv", quantile_grid(outcomes))
        writer.csv("priors.csv", priors_frame(used_priors(result.scenario)))
        if calibration is not None:
            writer.csv(CALIBRATION, calibration[0])
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
        written = manifest(
            command=result.command,
            scenario=result.scenario,
            seed=outcomes.seed,
            campaigns=outcomes.campaigns,
            timings={"simulate": round(result.seconds, 3)},
            settings=result.settings,
            files=writer.files + ["manifest.json"],
        )
        if calibration is not None:
            written["calibration"] = calibration[1]
        writer.json("manifest.json", written)
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
