"""Run campaigns until the estimates are as precise as asked, and flag thin tails.

:func:`run_to_precision` simulates whole seed blocks, batch after batch, until the 95% CI of
every strategy's mean ROI and of its P(loss) has a half-width of at most ``precision`` (both
are fractions: 0.01 is one percentage point), or a cap is reached. Batches extend the same seed
layout, so the result of ``N`` campaigns is exactly a plain run of ``N`` campaigns.

:func:`tail_warnings` says when a run is too small for the tail statistics it reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.analysis.mcse import MIN_REPLICATES, mean_error
from campaign_sim.analysis.stats import MIN_FOR_ERROR, TAIL, Summary, proportion_ci
from campaign_sim.engine.draws import Layout
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, collect, run_settings
from campaign_sim.engine.vectorized import Outcomes, outcomes_kernel
from campaign_sim.errors import ArgumentError
from campaign_sim.random.sampling import Sampling
from campaign_sim.random.streams import BLOCK
from campaign_sim.scenario.plan import Scenario

__all__ = [
    "FIRST_BLOCKS",
    "MAX_GROWTH",
    "MIN_TAIL_CAMPAIGNS",
    "TAIL_REL_ERROR",
    "Convergence",
    "precision_of",
    "run_to_precision",
    "tail_warnings",
]

#: The first batch, in seed blocks: enough blocks for a replicate standard error (stratified
#: sampling) and for the first prediction of the campaigns needed to be worth trusting.
FIRST_BLOCKS = 8
#: A batch at most multiplies the campaigns run so far by this, whatever the prediction.
MAX_GROWTH = 4
#: Tail statistics (P5, P95, value at risk, expected shortfall) want this many campaigns in the
#: 5% tail, i.e. 4,000 campaigns.
MIN_TAIL_CAMPAIGNS = 200
#: ... and a Monte Carlo error of at most this share of the scale they are read against.
TAIL_REL_ERROR = 0.05
_SAFETY = 1.1  # aim a little past the predicted need: predictions use noisy standard errors


@dataclass(frozen=True)
class Convergence:
    """A run to a target precision: the outcomes, and the precision at each batch."""

    outcomes: Outcomes
    precision: float  # target half-width of the 95% CIs of mean ROI and P(loss) (fraction)
    max_campaigns: int
    converged: bool  # every strategy met the target
    history: pd.DataFrame  # a row per batch and strategy: campaigns, estimates, half-widths

    @property
    def campaigns(self) -> int:
        return self.outcomes.campaigns


def precision_of(roi: np.ndarray, sampling: Sampling, confidence: float = 0.95) -> dict:
    """Mean ROI and P(loss) of one strategy with the half-widths of their CIs (fractions).

    Independent campaigns: normal CI of the mean, Wilson interval of P(loss). Stratified
    sampling: Student t intervals from seed-block replicates for both
    (:mod:`campaign_sim.analysis.mcse`).
    """
    n = int(np.isfinite(roi).sum())
    loss = (roi < 0).astype(float)
    roi_error = mean_error(roi, sampling)
    if sampling.iid:
        low, high = proportion_ci(float(loss.sum()), roi.size, confidence)
        loss_half = (high - low) / 2
    else:
        loss_half = mean_error(loss, sampling).half_width(confidence)
    return {
        "campaigns": roi.size,
        "roi_mean": float(roi[np.isfinite(roi)].mean()) if n else math.nan,
        "roi_se": roi_error.se,
        "roi_half_width": roi_error.half_width(confidence),
        "prob_loss": float(loss.mean()),
        "prob_loss_half_width": loss_half,
    }


def run_to_precision(
    scenario: Scenario,
    *,
    precision: float,
    max_campaigns: int,
    seed: int | None = None,
    sampling: Sampling | str | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Convergence:
    """Simulate batches of whole seed blocks until every strategy's mean ROI and P(loss) have
    95% CI half-widths <= ``precision`` (fraction), or ``max_campaigns`` are done.

    Each batch aims at the campaigns the current standard errors predict (error ~ 1/sqrt(n)),
    plus 10%, at least one block more and at most ``MAX_GROWTH`` times the campaigns so far.
    ``progress(done, planned)`` is called after every chunk.
    """
    if isinstance(precision, bool) or not isinstance(precision, (int, float)) or not precision > 0:
        raise ArgumentError.of("precision", f"must be a number > 0, got {precision!r}")
    with run_settings(
        scenario,
        campaigns=max_campaigns,
        campaigns_name="max_campaigns",
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        usage="precision",
    ) as run:
        if not math.isfinite(precision):
            raise ArgumentError.of("precision", f"must be finite, got {precision!r}")
        max_campaigns, seed, sampling = run.campaigns, run.seed, run.sampling
        kernel = partial(outcomes_kernel, scenario, Layout.of(scenario), seed, sampling)
        names = tuple(s.name for s in scenario.strategies)
        parts: dict[Hashable, list[np.ndarray]] = {}  # every kernel key, batch after batch
        rows: list[dict] = []
        done, target = 0, min(max_campaigns, FIRST_BLOCKS * BLOCK)
        while True:
            reached = [done]

            def advance(size: int, planned: int = target, reached: list[int] = reached) -> None:
                reached[0] += size
                if progress is not None:
                    progress(reached[0], planned)

            batch = collect(
                kernel,
                target,
                chunk_size=run.chunk_size,
                executor=run.executor,
                start=done,
                progress=advance,
            )
            for key, values in batch.items():
                parts.setdefault(key, []).append(values)
            done = target
            worst = 0.0
            for name in names:
                roi = np.concatenate(parts[name, "roi"])
                row = {"strategy": name, **precision_of(roi, sampling)}
                row["met"] = bool(
                    row["roi_half_width"] <= precision and row["prob_loss_half_width"] <= precision
                )
                rows.append(row)
                for half in (row["roi_half_width"], row["prob_loss_half_width"]):
                    worst = max(worst, half / precision if math.isfinite(half) else math.inf)
            if worst <= 1 or done >= max_campaigns:
                break
            needed = done * worst**2 * _SAFETY if math.isfinite(worst) else 2 * done
            aim = max(done + BLOCK, min(MAX_GROWTH * done, math.ceil(needed)))
            target = min(max_campaigns, -(-aim // BLOCK) * BLOCK)
        arrays = {key: np.concatenate(values) for key, values in parts.items()}
        outcomes = Outcomes.of(scenario, arrays, done, seed, sampling)
        history = pd.DataFrame(rows)
        last = history[history["campaigns"] == done]
        return Convergence(outcomes, precision, max_campaigns, bool(last["met"].all()), history)


def _quantile_error(sorted_values: np.ndarray, q: float, confidence: float = 0.95) -> float:
    """Half the width of the distribution-free CI of the ``q`` quantile (order statistics)."""
    n = sorted_values.size
    z = float(special.ndtri(0.5 + confidence / 2))
    spread = z * math.sqrt(n * q * (1 - q))
    low = int(max(0, math.floor(n * q - spread)))
    high = int(min(n - 1, math.ceil(n * q + spread)))
    return float(sorted_values[high] - sorted_values[low]) / 2


def tail_warnings(summary: Summary, outcomes: Outcomes) -> list[str]:
    """Warnings when campaigns are too few for the tail statistics a run reports.

    The rule, per strategy:

    * fewer than ``MIN_TAIL_CAMPAIGNS`` (200) campaigns in the 5% tail: P5, P95, value at risk
      and expected shortfall each rest on a handful of campaigns;
    * the 95% CI of the ROI's P5 or P95 (distribution-free, from order statistics) is wider,
      each side, than ``TAIL_REL_ERROR`` (5%) of the P5 - P95 outcome interval;
    * the expected shortfall's standard error exceeds 5% of its size;

    and, with stratified or antithetic sampling, fewer than ``MIN_REPLICATES`` whole seed blocks:
    the standard errors then fall back to the independent-campaigns formula.
    """
    out = []
    if outcomes.campaigns < MIN_FOR_ERROR:
        out.append(
            f"{outcomes.campaigns} campaign: with fewer than {MIN_FOR_ERROR} campaigns the "
            "estimate intervals (CI of the mean, MC se, the ± of expected shortfall and of "
            f"differences) are undefined and shown as n/a; run at least {MIN_FOR_ERROR}"
        )
    if not outcomes.sampling.iid and outcomes.campaigns // BLOCK < MIN_REPLICATES:
        out.append(
            f"{outcomes.sampling.label} sampling with fewer than {MIN_REPLICATES} whole blocks "
            f"of {BLOCK:,} campaigns: standard errors use sd/sqrt(n), which ignores the "
            f"stratification; run at least {MIN_REPLICATES * BLOCK:,} campaigns"
        )
    tail = math.floor(TAIL * outcomes.campaigns)
    if tail < MIN_TAIL_CAMPAIGNS:
        out.append(
            f"only {tail:,} campaigns in the worst 5% ({outcomes.campaigns:,} campaigns): P5, "
            f"P95, value at risk and expected shortfall are rough; run at least "
            f"{math.ceil(MIN_TAIL_CAMPAIGNS / TAIL):,} campaigns"
        )
    for name in summary.strategies:
        label = summary.labels[name]
        roi = outcomes.values[name]["roi"]
        roi = np.sort(roi[np.isfinite(roi)])
        s = summary.metrics[name]["roi"]
        spread = s.p95 - s.p5
        if roi.size and spread > 0:
            for q, value in ((0.05, s.p5), (0.95, s.p95)):
                error = _quantile_error(roi, q)
                if error > TAIL_REL_ERROR * spread:
                    out.append(
                        f"{label}: P{round(100 * q)} of ROI ({100 * value:.1f}%) is uncertain by "
                        f"±{100 * error:.1f} points, more than {TAIL_REL_ERROR:.0%} of the "
                        "P5 - P95 range; run more campaigns"
                    )
        risk = summary.risk[name]
        shortfall = abs(risk.expected_shortfall)
        if shortfall > 0 and risk.expected_shortfall_se > TAIL_REL_ERROR * shortfall:
            out.append(
                f"{label}: expected shortfall's standard error is "
                f"{risk.expected_shortfall_se / shortfall:.0%} of its size; run more campaigns"
            )
    return out
