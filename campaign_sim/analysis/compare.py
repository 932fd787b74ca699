"""Paired comparison of two strategies sharing common random numbers (docs/model.md, Statistics).

Campaign ``c`` of both strategies saw the same shock and the same creators where they overlap,
so the per-campaign difference ``A - B`` is paired and its standard error is far smaller than
that of two independent runs. "A better" follows the metric's direction
(:mod:`campaign_sim.metrics`): A > B for ROI or profit, A < B for cost, CPM, CPE and CPA.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.analysis.mcse import mean_error
from campaign_sim.analysis.stats import proportion_ci
from campaign_sim.engine.vectorized import Outcomes
from campaign_sim.metrics import COMPARED, METRICS
from campaign_sim.random.sampling import RANDOM, Sampling

__all__ = ["Comparison", "MetricDifference", "compare"]


@dataclass(frozen=True)
class MetricDifference:
    """A - B for one metric over the campaigns where both are finite."""

    metric: str
    n: int
    mean_a: float
    mean_b: float
    mean_diff: float
    mean_diff_se: float
    mean_diff_ci_low: float  # estimate interval of the mean difference
    mean_diff_ci_high: float
    diff_p5: float  # outcome interval of the per-campaign difference
    diff_p50: float
    diff_p95: float
    prob_a_better: float  # P(A better than B) over campaigns: A > B, or A < B (lower is better)
    prob_a_better_ci_low: float
    prob_a_better_ci_high: float
    correlation: float  # between A and B across campaigns: high means CRN is doing its job
    better: str = "higher"  # which way is better: higher, lower (or neither: P(A > B))


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    campaigns: int
    differences: dict[str, MetricDifference]
    confidence: float

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"a": self.a, "b": self.b, **asdict(d)} for d in self.differences.values()]
        )

    def to_dict(self) -> dict:
        out: dict = {"a": self.a, "b": self.b, "campaigns": self.campaigns}
        for metric, d in self.differences.items():
            out[metric] = {
                "mean_a": d.mean_a,
                "mean_b": d.mean_b,
                "mean_diff": d.mean_diff,
                "mean_diff_ci": [d.mean_diff_ci_low, d.mean_diff_ci_high],
                "mean_diff_se": d.mean_diff_se,
                "diff_p5": d.diff_p5,
                "diff_p50": d.diff_p50,
                "diff_p95": d.diff_p95,
                "prob_a_better": d.prob_a_better,
                "prob_a_better_ci": [d.prob_a_better_ci_low, d.prob_a_better_ci_high],
                "better": d.better,
                "correlation": d.correlation,
            }
        return out


def difference(
    metric: str,
    a: np.ndarray,
    b: np.ndarray,
    confidence: float = 0.95,
    *,
    sampling: Sampling = RANDOM,
    better: str = "higher",
) -> MetricDifference:
    """A - B campaign by campaign (campaign order); P(A better) counts A > B, or A < B when
    ``better`` is "lower". With stratified ``sampling`` the standard error of the mean
    difference comes from seed-block replicates (:mod:`campaign_sim.analysis.mcse`)."""
    sign = -1.0 if better == "lower" else 1.0
    both = np.isfinite(a) & np.isfinite(b)
    with np.errstate(invalid="ignore"):
        paired = np.where(both, a - b, np.nan)
    a, b = a[both], b[both]
    n = a.size
    diff = a - b
    sd = float(diff.std(ddof=1)) if n > 1 else math.nan  # one campaign: no interval
    se = sd / math.sqrt(n) if n else math.nan
    z = float(special.ndtri(0.5 + confidence / 2))
    half = z * se
    if not sampling.iid and n > 1:
        error = mean_error(paired, sampling)
        se, half = error.se, error.half_width(confidence)
    mean = float(diff.mean()) if n else math.nan
    wins = float(np.count_nonzero(sign * diff > 0))
    wins_ci = proportion_ci(wins, n, confidence)
    if not sampling.iid and n:
        # The win indicator in campaign order (undefined campaigns left out, block by block).
        won = np.where(both, sign * np.where(both, paired, 0.0) > 0, np.nan)
        error = mean_error(won, sampling)
        if error.method == "blocks":
            half_p = error.half_width(confidence)
            wins_ci = (max(0.0, wins / n - half_p), min(1.0, wins / n + half_p))
    p5, p50, p95 = (float(v) for v in np.percentile(diff, (5, 50, 95))) if n else (math.nan,) * 3
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = float(np.corrcoef(a, b)[0, 1]) if n > 1 and a.std() and b.std() else math.nan
    return MetricDifference(
        metric,
        n,
        float(a.mean()),
        float(b.mean()),
        mean,
        se,
        mean - half,
        mean + half,
        p5,
        p50,
        p95,
        wins / n if n else math.nan,
        *wins_ci,
        corr,
        better,
    )


def compare(outcomes: Outcomes, a: str, b: str, *, confidence: float = 0.95) -> Comparison:
    """Compare strategy ``a`` with ``b`` campaign by campaign."""
    return Comparison(
        a,
        b,
        outcomes.campaigns,
        {
            m: difference(
                m,
                outcomes.values[a][m],
                outcomes.values[b][m],
                confidence,
                sampling=outcomes.sampling,
                better=METRICS[m].direction,
            )
            for m in COMPARED
            if m in outcomes.values[a]
        },
        confidence,
    )
