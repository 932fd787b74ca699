"""Stated outcomes as a check: figures the sources state about whole mixes against what the
priors imply (issue 13 item 9; docs/priors.md, "Stated figures against the priors").

For each entry of a priors file's ``stated:`` section, its mix is simulated as a one-strategy
scenario and the stated figure is placed in the simulated distribution of its metric: the
model's P5 / P50 / P95, the percentile of the figure (the share of campaigns at or below it)
and a verdict. Pairs of stated figures that cannot both hold whatever the model's other
priors are flagged by :func:`conflicts` (the fee rule, documented there).

Nothing here changes a prior: the check measures the model, it does not tune it.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.errors import InputError, Problem
from campaign_sim.scenario.loading import scenario_from_dict
from campaign_sim.scenario.plan import GroupPlan, Scenario
from campaign_sim.scenario.priors_schema import StatedFigure
from campaign_sim.scenario.resolve import load_priors_file
from campaign_sim.scenario.warnings import UnusedOverrideWarning

__all__ = [
    "DEFAULT_CAMPAIGNS",
    "DEFAULT_ECONOMICS",
    "DEFAULT_SEED",
    "Conflict",
    "StatedCheck",
    "StatedResult",
    "check_stated",
    "conflicts",
    "mix_scenario",
    "percentile_of",
    "verdict",
]

#: Campaigns simulated per stated figure, and the fixed seed of the check.
DEFAULT_CAMPAIGNS = 10_000
DEFAULT_SEED = 1

#: The economics a mix is simulated with when no scenario gives them: the coffee launch's
#: (scenarios/coffee-launch.yaml): order value lognormal NT$600 – 1,200 (90%), gross margin
#: 55%, conversion per engagement, fees always paid, no fixed cost. Only ROAS and CPA depend
#: on them (ROAS on the order value, neither on the margin).
DEFAULT_ECONOMICS: dict[str, Any] = {
    "aov": {"family": "lognormal", "range": [600, 1200]},
    "gross_margin": 0.55,
    "conversion_base": "engagements",
    "fees_paid": "always",
    "fixed_cost": 0,
}

#: Stated metrics that are a cost per unit of a per-creator count, with the units per figure:
#: CPM is per 1,000 reached, CPE per engagement (the fee rule of :func:`conflicts`).
_PER_UNIT = {"cpm": (1000.0, "people reached"), "cpe": (1.0, "engagements")}

_STRATEGY = "stated"


@dataclass(frozen=True)
class StatedCheck:
    """One stated figure against the model. ``low``/``high``: the stated range (a value: both
    the value; at_least: the bound and infinity). ``pct_low``/``pct_high``: the share of the
    simulated campaigns at or below ``low`` and ``high`` (fractions; ``pct_high`` is 1 for an
    at_least bound). ``p5``, ``p50``, ``p95``: the model's quantiles of the metric (its unit:
    TWD for cpm, cpe, cpa and cost, a ratio for roas, people or engagements for counts), over
    the campaigns where it is finite (``n_undefined`` others)."""

    name: str
    figure: str
    source: str
    metric: str
    kind: str  # range, value or at_least
    low: float
    high: float
    p5: float
    p50: float
    p95: float
    pct_low: float
    pct_high: float
    verdict: str
    campaigns: int
    n_undefined: int
    note: str | None

    @property
    def stated(self) -> str:
        """The stated figure in the check's terms: ``300 – 700``, ``4.2``, ``≥ 150,000``."""
        if self.kind == "range":
            return f"{_num(self.low)} – {_num(self.high)}"
        if self.kind == "at_least":
            return f"≥ {_num(self.low)}"
        return _num(self.low)

    def cells(self) -> dict[str, str]:
        """The check as display strings (terminal and Markdown tables): stated, P5, P50, P95,
        percentile (of lo – hi for a range) and verdict."""
        pct = _pct(self.pct_low)
        if self.kind == "range":
            pct = f"{pct} – {_pct(self.pct_high)}"
        return {
            "stated": self.stated,
            "p5": _num(self.p5),
            "p50": _num(self.p50),
            "p95": _num(self.p95),
            "percentile": pct,
            "verdict": self.verdict,
        }


def _pct(x: float) -> str:
    """A share of campaigns as a percentile: ``P0``, ``P0.02``, ``P7.2``, ``P99.16``, ``P100``
    (never rounded to P0 or P100 unless it is)."""
    if not math.isfinite(x):
        return "n/a"
    value = 100 * x
    if value in (0.0, 100.0):
        return f"P{value:.0f}"
    if value < 1:
        return f"P{value:.2g}"
    if value > 99:
        return "P" + f"{value:.2f}".rstrip("0").rstrip(".")
    return f"P{value:.3g}"


@dataclass(frozen=True)
class Conflict:
    """The fee rule applied to a CPM or CPE figure (see :func:`conflicts`): ``needed_low`` –
    ``needed_high`` people reached (CPM) or engagements (CPE) per deliverable that the fee
    prior's P5 – P95 (``fee_p5``, ``fee_p95``, TWD per deliverable) buys at the stated range;
    ``share_possible``: the share of the tier's creators with at least ``needed_low``
    followers under the follower prior (``followers_low`` – ``followers_high``)."""

    name: str
    metric: str
    stated: str
    fee_figure: str
    fee_p5: float
    fee_p95: float
    needed_low: float
    needed_high: float
    unit: str
    followers_low: float
    followers_high: float
    share_possible: float
    conflict: bool
    message: str


@dataclass(frozen=True)
class StatedResult:
    """Every stated figure of a priors file checked, and the fee rule's findings."""

    priors: str
    economics: str  # where the economics came from
    checks: tuple[StatedCheck, ...]
    conflicts: tuple[Conflict, ...]
    campaigns: int
    seed: int

    def to_df(self) -> pd.DataFrame:
        """One row per stated figure."""
        rows = [{**asdict(c), "stated": c.stated} for c in self.checks]
        return pd.DataFrame(rows)

    def conflicts_df(self) -> pd.DataFrame:
        """One row per CPM or CPE figure the fee rule was applied to."""
        return pd.DataFrame([asdict(c) for c in self.conflicts])


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def percentile_of(values: np.ndarray, x: float) -> float:
    """The share of ``values`` at or below ``x`` (the empirical CDF; a fraction)."""
    return float(np.mean(values <= x)) if values.size else math.nan


def verdict(kind: str, low: float, high: float, p5: float, p95: float) -> str:
    """Where a stated figure lies against the model's outcome interval P5 – P95.

    A ``value``: inside, below or above. A ``range`` [low, high]: overlaps (any part inside),
    below or above (wholly outside). An ``at_least`` bound: above when the bound exceeds P95
    (the model reaches the stated figure in fewer than 5% of campaigns), below when it is
    under P5 (the model exceeds it in over 95%), else inside."""
    if not (math.isfinite(p5) and math.isfinite(p95)):
        return "undefined"
    if (high if kind == "range" else low) < p5:
        return "below"
    if low > p95:
        return "above"
    return "overlaps" if kind == "range" else "inside"


#: The sections of a scenario that a stated figure's mix takes from it (the funnel, whether
#: fees follow followers, the niche audience); repeat buyers are not in first-order figures.
MIX_SETTINGS = ("funnel", "correlations", "niche")


def mix_scenario(
    figure: StatedFigure,
    priors_path: str,
    *,
    economics: dict[str, Any] | None = None,
    overrides: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    campaigns: int = DEFAULT_CAMPAIGNS,
    seed: int = DEFAULT_SEED,
) -> Scenario:
    """A one-strategy scenario of ``figure``'s mix on the priors file ``priors_path``, with
    ``economics`` (default :data:`DEFAULT_ECONOMICS`), a scenario's prior ``overrides`` (its
    ``priors.tiers``) and ``settings`` (its sections of :data:`MIX_SETTINGS`). A group's
    stated ``followers`` replace the follower prior of its tier and platform by a log-uniform
    on those bounds."""
    groups = [
        {"tier": g.tier, "platform": g.platform, "count": g.count, "deliverables": g.deliverables}
        for g in figure.mix
    ]
    used = {g.tier for g in figure.mix}
    # Overrides of tiers this mix does not hire would only warn that they change nothing.
    tiers: dict[str, Any] = copy.deepcopy({t: v for t, v in (overrides or {}).items() if t in used})
    for g in figure.mix:
        if g.followers is not None:
            platforms = tiers.setdefault(g.tier, {}).setdefault("platforms", {})
            platforms.setdefault(g.platform, {})
            platforms[g.platform] = {
                **platforms[g.platform],
                "followers": {
                    "family": "loguniform",
                    "low": g.followers[0],
                    "high": g.followers[1],
                    "describes": "creators",
                    "shared": 0.0,
                },
            }
    data = {
        **{key: value for key, value in (settings or {}).items() if key in MIX_SETTINGS},
        "name": f"stated: {figure.name}",
        "economics": economics if economics is not None else DEFAULT_ECONOMICS,
        "strategies": {_STRATEGY: {"groups": groups}},
        "priors": {"base": str(Path(priors_path).resolve()), "tiers": tiers},
        "simulation": {"campaigns": campaigns, "seed": seed},
    }
    with warnings.catch_warnings():
        # A platform override of a hired tier that this mix does not use changes nothing here.
        warnings.simplefilter("ignore", UnusedOverrideWarning)
        return scenario_from_dict(data)


def _mix_problems(exc: InputError, index: int) -> list[Problem]:
    """A mix scenario's problems at the stated entry's key paths."""
    out = []
    for problem in exc.problems:
        path = problem.path.replace(f"strategies.{_STRATEGY}.groups", f"stated[{index}].mix")
        path = path.replace("priors.tiers.", f"stated[{index}].mix: ")
        out.append(Problem(path, problem.message))
    return out


def check_stated(
    priors: str = "article",
    *,
    relative_to: Path | None = None,
    economics: dict[str, Any] | None = None,
    economics_from: str | None = None,
    overrides: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    campaigns: int = DEFAULT_CAMPAIGNS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
) -> StatedResult:
    """Check every stated figure of the prior set ``priors`` (shipped name or path).

    ``overrides``: a scenario's ``priors.tiers``, applied to every mix that hires the tier;
    ``settings``: its funnel, correlations and niche sections (:data:`MIX_SETTINGS`).
    ``campaigns`` per figure, the same ``seed`` for each; ``progress(campaigns)`` as chunks
    finish. An InputError names the priors file and ``stated[i]...`` for a mix it cannot
    simulate (an unknown tier or platform, a budget problem)."""
    from campaign_sim.engine.vectorized import simulate

    model, origin, _ = load_priors_file(priors, relative_to)
    checks, scenarios, problems = [], [], []
    for index, figure in enumerate(model.stated):
        try:
            scenarios.append(
                mix_scenario(
                    figure,
                    origin,
                    economics=economics,
                    overrides=overrides,
                    settings=settings,
                    campaigns=campaigns,
                    seed=seed,
                )
            )
        except InputError as exc:
            problems += _mix_problems(exc, index)
    if problems:
        raise InputError(origin, problems)
    for figure, scenario in zip(model.stated, scenarios, strict=True):
        outcomes = simulate(scenario, campaigns=campaigns, seed=seed, progress=progress)
        checks.append(_check(figure, stated_values(figure.metric, outcomes.values[_STRATEGY])))
    found = tuple(
        c
        for figure, scenario in zip(model.stated, scenarios, strict=True)
        if (c := _fee_rule(figure, scenario)) is not None
    )
    return StatedResult(
        priors=model.name,
        economics=economics_from or "the coffee launch's (default)",
        checks=tuple(checks),
        conflicts=found,
        campaigns=campaigns,
        seed=seed,
    )


def stated_values(metric: str, values: dict[str, np.ndarray]) -> np.ndarray:
    """Per-campaign values of a stated figure's ``metric``: an engine outcome, or
    ``orders_per_engagement``, attributed orders per engagement (what a "share of engaged fans
    who used the code" measures)."""
    if metric == "orders_per_engagement":
        with np.errstate(divide="ignore", invalid="ignore"):
            return values.get("attributed_orders", values["conversions"]) / values["engagements"]
    return values[metric]


def _check(figure: StatedFigure, values: np.ndarray) -> StatedCheck:
    finite = values[np.isfinite(values)]
    if figure.range is not None:
        kind, low, high = "range", float(figure.range[0]), float(figure.range[1])
    elif figure.at_least is not None:
        kind, low, high = "at_least", float(figure.at_least), math.inf
    else:
        kind, low, high = "value", float(figure.value), float(figure.value)  # type: ignore[arg-type]
    p5, p50, p95 = (
        (float(q) for q in np.percentile(finite, [5, 50, 95])) if finite.size else [math.nan] * 3
    )
    return StatedCheck(
        name=figure.name,
        figure=figure.figure,
        source=figure.source,
        metric=figure.metric,
        kind=kind,
        low=low,
        high=high,
        p5=p5,
        p50=p50,
        p95=p95,
        pct_low=percentile_of(finite, low),
        pct_high=percentile_of(finite, high),
        verdict=verdict(kind, low, high, p5, p95),
        campaigns=int(values.size),
        n_undefined=int(values.size - finite.size),
        note=figure.note,
    )


def conflicts(result: StatedResult) -> tuple[Conflict, ...]:
    """The fee rule's findings that are conflicts (``conflict`` true)."""
    return tuple(c for c in result.conflicts if c.conflict)


def _fee_rule(figure: StatedFigure, scenario: Scenario) -> Conflict | None:
    """The fee rule, for a CPM or CPE figure about a single group (else None).

    A creator's fee per deliverable divided by a cost per 1,000 reached (per engagement) is
    the reach (engagements) one deliverable must have. At the fee prior's P5 and the top of
    the stated range, the least it must have is ``fee_P5 × 1000 / CPM_hi`` people reached
    (``fee_P5 / CPE_hi`` engagements); at the P95 fee and the bottom of the range, the most,
    ``fee_P95 × 1000 / CPM_lo``. Neither reach nor engagements can exceed a creator's
    followers (reach and engagement rates are fractions of them), so a creator needs at
    least that many followers. The two figures cannot both hold when fewer than half of the
    tier's creators under the follower prior have that many: even the cheapest reading asks
    most of the tier's creators for more people than follow them. The rule uses only the fee
    and follower figures, not the model's reach or engagement rates; the overhead is left
    out (it would only raise the need)."""
    if figure.metric not in _PER_UNIT or len(figure.mix) != 1:
        return None
    per, unit = _PER_UNIT[figure.metric]
    low, high = figure.range if figure.range is not None else (figure.value, figure.value)
    if low is None or high is None or low <= 0:
        return None
    group: GroupPlan = scenario.strategies[0].groups[0]
    fee = group.priors["fee"]
    followers = group.dist("followers")
    fee_p5, fee_p95 = (float(q) for q in fee.dist.ppf(np.array([0.05, 0.95])))
    needed_low, needed_high = fee_p5 * per / high, fee_p95 * per / low
    f_low, f_high = followers.support()
    share = float(1 - followers.cdf(needed_low))
    fee_figure = (
        f"{fee.sources[0][0]} ({fee.sources[0][1]})" if fee.sources else fee.dist.describe()
    )
    pool = f"{group.tier} {group.platform}"
    stated = f"{_num(low)} – {_num(high)}" if low != high else _num(low)
    conflict = share < 0.5
    who = (
        f"no {group.tier} creator has that many followers"
        if share <= 0
        else f"{'only ' if conflict else ''}{share:.0%} of {group.tier} creators have at least "
        f"{_num(needed_low)} followers"
    )
    message = (
        f"{figure.name}: a {figure.metric.upper()} of NT${stated} and the {pool} fee "
        f"(prior P5 – P95 NT${_num(fee_p5)} – {_num(fee_p95)} per deliverable; {fee_figure}) "
        f"need {_num(needed_low)} – {_num(needed_high)} {unit} per deliverable; "
        f"{who} (follower prior {_num(f_low)} – {_num(f_high)})"
        + (": they cannot both hold." if conflict else ": no conflict from these figures alone.")
    )
    return Conflict(
        name=figure.name,
        metric=figure.metric,
        stated=stated,
        fee_figure=fee_figure,
        fee_p5=fee_p5,
        fee_p95=fee_p95,
        needed_low=needed_low,
        needed_high=needed_high,
        unit=unit,
        followers_low=float(f_low),
        followers_high=float(f_high),
        share_possible=share,
        conflict=conflict,
        message=message,
    )
