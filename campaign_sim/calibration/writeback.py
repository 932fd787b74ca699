"""The calibrated priors file: the scenario's base priors with a ``calibration`` block.

Everything the base file says is kept as written (its priors stay the reference the
persistent scores are measured against); the block adds the joint posterior of the
persistent scores, the order value, provenance per quantity and what the data did not touch
(docs/calibration.md, "The written file"). Named creators' own effects are names
``@handle/quantity`` of the joint Gaussian, with an entry each in ``quantities``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaign_sim.calibration.result import Calibration, CreatorUpdate
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.resolve import load_priors_file

__all__ = ["base_priors", "calibrated_document"]


def base_priors(scenario: Scenario) -> tuple[str, dict[str, Any]]:
    """The scenario's base priors file (path) and its document as read."""
    folder = Path(scenario.source).parent if scenario.source else None
    _, origin, data = load_priors_file(scenario.model.priors.base, folder)
    return origin, data


def _rounded(value: float) -> float:
    return float(f"{value:.6g}")


def calibrated_document(scenario: Scenario, calibration: Calibration) -> dict[str, Any]:
    """The priors file to write (a mapping, in the order a reader expects)."""
    origin, data = base_priors(scenario)
    provenance = calibration.provenance
    block: dict[str, Any] = {
        "method": provenance["method"],
        "date": provenance["date"],
        "data": provenance["data"],
        "product": provenance["product"],
    }
    if calibration.names:
        block["persistent"] = {
            "names": list(calibration.names),
            "mean": [round(float(m), 6) for m in calibration.mean],
            "covariance": [[round(float(v), 8) for v in row] for row in calibration.covariance],
            "priors": {name: calibration.priors.get(name, name) for name in calibration.names},
        }
    if calibration.spreads():
        block["spread"] = {name: _rounded(tau) for name, tau in calibration.spreads().items()}
    if calibration.aov is not None:
        p5, p95 = (float(v) for v in calibration.aov.ppf([0.05, 0.95]))
        block["aov"] = {"family": "lognormal", "range": [_rounded(p5), _rounded(p95)]}
    block["quantities"] = [
        {
            "name": u.name,
            "rows": u.rows,
            "creators": u.creators,
            "campaigns": u.campaigns,
            "prior": _summary(u.prior),
            "posterior": _summary(u.posterior),
            "shrink": round(u.shrink, 4),
            "conflict_percentile": None
            if u.conflict_percentile is None
            else round(u.conflict_percentile, 3),
            **({"note": u.note} if u.note else {}),
        }
        for u in calibration.updates
    ] + [_creator_entry(c) for c in calibration.creators]
    block["untouched"] = list(calibration.untouched)
    if provenance.get("importance_sampling"):
        block["numerical_error"] = provenance["importance_sampling"]
    if provenance.get("notes"):
        block["notes"] = dict(provenance["notes"])
    out = {key: value for key, value in data.items() if key != "calibration"}
    out["name"] = f"{data.get('name', 'priors')}-calibrated"
    out["description"] = (
        f"{data.get('name', 'priors')} priors calibrated with {provenance['data']['file']} "
        f"({provenance['data']['rows']} rows) on {provenance['date']}; the persistent levels "
        f"are in `calibration` (docs/calibration.md). Based on {Path(origin).name}."
    )
    out["calibration"] = block
    return out


def _creator_entry(update: CreatorUpdate) -> dict[str, Any]:
    """A named creator's own effect in ``quantities``: their rows, the effect's prior and
    posterior (normal-score scale), their own spread and their usual rate before and after."""
    return {
        "name": update.name,
        "pool": update.pool,
        "rows": update.rows,
        "creators": 1,
        "campaigns": update.campaigns,
        "own_effect": {
            "prior": {"mean": update.prior_mean, "sd": update.prior_sd},
            "posterior": {"mean": round(update.mean, 6), "sd": round(update.sd, 6)},
        },
        "creator_spread": _rounded(update.spread),
        "own_spread": {
            "prior": _rounded(update.spread),
            "posterior": _rounded(update.own_spread),
            "floor": _rounded(update.floor),
        },
        "prior": _summary(update.usual_prior),
        "posterior": _summary(update.usual_posterior),
        "note": "their usual rate (own campaign part 0) in a campaign at the pool's posterior "
        "mean level",
    }


def _summary(summary: Any) -> dict[str, float]:
    return {
        "median": _rounded(summary.median),
        "p5": _rounded(summary.p5),
        "p95": _rounded(summary.p95),
    }
