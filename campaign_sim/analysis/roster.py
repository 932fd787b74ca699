"""Per-creator answers for roster strategies (MODEL.md §10, issue 15 item 3): what each named
creator is likely to bring, and their share of the strategy's profit risk.

Pure computation on the engine's per-campaign arrays (:attr:`Outcomes.creators`, metrics
:data:`~campaign_sim.engine.vectorized.CREATOR_METRICS`); nothing is simulated here.

**Units.** Money (revenue, cost, profit, CPA, CPE) is in the scenario's currency per campaign;
orders, conversions and engagements are counts per campaign; ``booked``, ``p_payback`` and
``risk_share`` are fractions (0.25 = 25%).

**Over which campaigns.** A creator of a roster group without a budget is booked in every
campaign; one of a group with a budget is booked only where their fee still fits
(``booked`` < 1). Means and percentiles of orders, revenue, cost and profit are over *every*
campaign of the strategy, 0 where the creator is not booked: what they bring to the strategy,
so that their mean profits and the rest of the strategy's add up to its mean profit.
``p_payback`` is conditional on being booked. ``cpa`` and ``cpe`` are ratios of sums, which are
the same over booked campaigns as over all.

**Ranking.** By mean profit, highest first. Means within :data:`~campaign_sim.analysis.ties.
RELATIVE` of each other are equal (:func:`~campaign_sim.analysis.ties.snap`: float noise never
ranks one creator above another) and equal creators are ordered by handle. The rest of
:mod:`~campaign_sim.analysis.ties` (ties within Monte Carlo error, the fewer-resources
preference) is about choosing a plan; this table gives each mean its standard error instead.

**Standard errors** (``*_se`` columns, Monte Carlo) follow
:func:`campaign_sim.analysis.mcse.mean_error`: ``sd / sqrt(n)`` under plain random sampling,
the spread of seed-block means (blocks of 1,024 campaigns are independent replicates) under
Latin hypercube, Sobol or antithetic sampling. A risk share's is the delta method's (the
standard error of the mean of each campaign's influence on the ratio of covariances).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from campaign_sim.analysis.mcse import mean_error
from campaign_sim.analysis.ties import RELATIVE, snap
from campaign_sim.engine.vectorized import Outcomes
from campaign_sim.errors import InputError, shown
from campaign_sim.random.sampling import Sampling
from campaign_sim.scenario.plan import Scenario

__all__ = [
    "COLUMNS",
    "NOTES",
    "REST",
    "creator_table",
    "named_strategies",
    "risk_shares",
    "roster_frame",
]

#: The ``creator`` of the row that holds the rest of the strategy: its tier groups (pool
#: creators) and its fixed cost, so that the risk shares of a strategy sum to 1.
REST = "(rest of the strategy)"

#: The table's columns, in order, with their units.
COLUMNS = {
    "strategy": "strategy name",
    "rank": "1 = the highest mean profit (empty on the rest row)",
    "creator": f"the canonical handle, without its @ (the rest row: {REST!r})",
    "pool": "tier/platform of the roster row",
    "roster": "the roster file",
    "roster_row": "the creator's spreadsheet row in it",
    "booked": "share of campaigns the creator is booked in (fraction)",
    "orders_mean": "attributed orders per campaign, mean over every campaign",
    "orders_p5": "P5 of attributed orders per campaign",
    "orders_p95": "P95 of attributed orders per campaign",
    "conversions_mean": "orders the campaign caused, per campaign, mean",
    "revenue_mean": "revenue per campaign (currency), mean",
    "cost_mean": "cost per campaign: fee, commission, tax on it, gifted product, overhead",
    "profit_mean": "gross margin x revenue - cost, per campaign (currency), mean",
    "profit_mean_se": "standard error of profit_mean (Monte Carlo)",
    "profit_p5": "P5 of profit per campaign (outcome interval)",
    "profit_p95": "P95 of profit per campaign (outcome interval)",
    "p_payback": "P(profit >= 0 | booked): the creator's own revenue pays back their own "
    "cost, fee and overhead included",
    "p_payback_se": "standard error of p_payback (Monte Carlo)",
    "cpa": "cost per conversion: sum of cost / sum of conversions (currency)",
    "cpe": "cost per engagement: sum of cost / sum of engagements (currency)",
    "risk_share": "Euler share of the strategy's profit risk, Cov(profit_j, profit) / "
    "Var(profit); the strategy's rows sum to 1",
    "risk_share_se": "standard error of risk_share (Monte Carlo, delta method)",
}

#: What the table's edge cases mean, as tables and files state them.
NOTES = {
    "payback": "P(payback) = P(profit >= 0 | booked): the creator's own gross margin covers "
    "their own cost (fee with commission and tax, gifted product, overhead).",
    "ratios": "CPA and CPE are sums of cost over sums of conversions (engagements); inf: cost "
    "but no conversions (engagements) in any campaign; empty: never booked.",
    "shares": "Risk share: the Euler allocation Cov(profit_j, profit) / Var(profit) of the "
    "strategy's profit; with the rest of the strategy (tier groups, fixed cost) they sum to 1.",
    "no_variance": "The strategy's profit does not vary over campaigns: risk shares are "
    "undefined (empty).",
}


def named_strategies(scenario: Scenario) -> tuple[str, ...]:
    """The strategies of ``scenario`` that book named creators (roster groups), in order."""
    return tuple(
        s.name for s in scenario.strategies if any(g.creator is not None for g in s.groups)
    )


def _check(scenario: Scenario, strategy: str) -> None:
    """``strategy`` exists and books named creators, else an InputError naming it."""
    scenario.strategy(strategy)  # an unknown name: InputError with the known ones
    named = named_strategies(scenario)
    if strategy not in named:
        others = (
            f"; strategies with named creators: {', '.join(named)}"
            if named
            else "; the scenario has no roster groups"
        )
        raise InputError.single(
            scenario.source,
            f"strategies.{strategy}",
            f"strategy {shown(strategy)} books no named creators (no roster group){others}",
        )


def _ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` of two sums: inf for a positive numerator over 0, NaN for
    0 / 0."""
    if denominator > 0:
        return numerator / denominator
    return math.inf if numerator > 0 else math.nan


def _zero_variance(profit: np.ndarray) -> bool:
    """The strategy's profit is the same in every campaign (within float noise)."""
    if profit.size < 2:
        return True
    sd = float(profit.std())
    return sd <= RELATIVE * float(np.abs(profit).max())


def risk_shares(
    parts: Sequence[np.ndarray], total: np.ndarray, sampling: Sampling | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Euler allocation of ``total``'s variance to ``parts`` (per-campaign arrays that sum to
    ``total``): ``Cov(part, total) / Var(total)`` each (fractions that sum to 1), and their
    standard errors (delta method on the per-campaign terms, seed blocks as replicates when
    ``sampling`` is given; NaN without it). NaN shares when ``total`` does not vary."""
    total = np.asarray(total, dtype=float)
    k = len(parts)
    if _zero_variance(total):
        return np.full(k, math.nan), np.full(k, math.nan)
    centred = total - total.mean()
    var = float(np.mean(centred * centred))
    shares = np.empty(k)
    errors = np.full(k, math.nan)
    for i, part in enumerate(parts):
        part = np.asarray(part, dtype=float)
        product = (part - part.mean()) * centred
        shares[i] = float(np.mean(product)) / var
        if sampling is not None:
            # influence of each campaign on the ratio mean(product) / mean(centred^2)
            influence = (product - shares[i] * centred * centred) / var
            errors[i] = mean_error(influence, sampling).se
    return shares, errors


def _rest(total: np.ndarray, parts: Sequence[np.ndarray]) -> np.ndarray:
    """``total`` less the sum of ``parts``, campaign by campaign; exactly 0 where that is float
    noise (within :data:`~campaign_sim.analysis.ties.RELATIVE` of ``total``'s largest value:
    a strategy of named creators only, without a fixed cost)."""
    rest = total - sum(parts, np.zeros_like(total))
    if float(np.abs(rest).max(initial=0.0)) <= RELATIVE * float(np.abs(total).max(initial=0.0)):
        return np.zeros_like(total)
    return rest


def _se(values: np.ndarray, sampling: Sampling) -> float:
    return mean_error(values, sampling).se if np.isfinite(values).any() else math.nan


def creator_table(outcomes: Outcomes, scenario: Scenario, strategy: str) -> pd.DataFrame:
    """One row per named creator of ``strategy``, ranked by mean profit (the module's rule),
    then the row :data:`REST` (the strategy's tier groups and fixed cost). Columns
    :data:`COLUMNS` (units there and in the module's docstring).

    The rest row holds the strategy's profit, revenue and cost less its named creators'
    (campaign by campaign), its risk share and the profit statistics; the per-creator columns
    (pool, booked, orders, P(payback), CPA, CPE) are empty on it. ``risk_share`` sums to 1 over
    the strategy's rows (NaN, with :data:`NOTES` ``no_variance``, when its profit does not
    vary). Raises :class:`~campaign_sim.errors.InputError` when ``strategy`` does not exist or
    books no named creators.
    """
    _check(scenario, strategy)
    plan = scenario.strategy(strategy)
    named = outcomes.creators.get(strategy, {})
    sampling = outcomes.sampling
    groups = [g for g in plan.groups if g.creator is not None]
    total = outcomes.values[strategy]["profit"]
    handles = [g.creator.handle for g in groups if g.creator is not None]
    parts = [named[h]["profit"] for h in handles]
    # the shares from the exact remainder (they then sum to 1 to float precision), the rest
    # row's statistics without its float noise
    shares, share_errors = risk_shares([*parts, total - sum(parts, 0.0)], total, sampling)
    rest = _rest(total, parts)
    if not rest.any():  # float noise only: the rest holds nothing, nor any risk
        shares[-1], share_errors[-1] = 0.0, 0.0
    rows = []
    for i, group in enumerate(groups):
        creator = group.creator
        assert creator is not None
        m = named[creator.handle]
        booked = m["booked"] > 0.5
        profit = m["profit"]
        paid_back = np.where(booked, (profit >= 0).astype(float), np.nan)
        rows.append(
            {
                "strategy": strategy,
                "creator": creator.handle,
                "pool": group.pool,
                "roster": creator.roster,
                "roster_row": creator.row,
                "booked": float(booked.mean()),
                "orders_mean": float(m["orders"].mean()),
                "orders_p5": float(np.percentile(m["orders"], 5)),
                "orders_p95": float(np.percentile(m["orders"], 95)),
                "conversions_mean": float(m["conversions"].mean()),
                "revenue_mean": float(m["revenue"].mean()),
                "cost_mean": float(m["cost"].mean()),
                "profit_mean": float(profit.mean()),
                "profit_mean_se": _se(profit, sampling),
                "profit_p5": float(np.percentile(profit, 5)),
                "profit_p95": float(np.percentile(profit, 95)),
                "p_payback": float(np.nanmean(paid_back)) if booked.any() else math.nan,
                "p_payback_se": _se(paid_back, sampling) if booked.any() else math.nan,
                "cpa": _ratio(float(m["cost"].sum()), float(m["conversions"].sum()))
                if booked.any()
                else math.nan,
                "cpe": _ratio(float(m["cost"].sum()), float(m["engagements"].sum()))
                if booked.any()
                else math.nan,
                "risk_share": float(shares[i]),
                "risk_share_se": float(share_errors[i]),
            }
        )
    order = _ranked(rows)
    ranked = [dict(rows[i], rank=r + 1) for r, i in enumerate(order)]
    values = outcomes.values[strategy]

    def rest_of(metric: str) -> float:
        if metric not in values:
            return math.nan
        return float(_rest(values[metric], [named[h][metric] for h in handles]).mean())

    ranked.append(
        {
            "strategy": strategy,
            "rank": math.nan,
            "creator": REST,
            "revenue_mean": rest_of("revenue"),
            "cost_mean": rest_of("cost"),
            "profit_mean": float(rest.mean()),
            "profit_mean_se": _se(rest, sampling),
            "profit_p5": float(np.percentile(rest, 5)),
            "profit_p95": float(np.percentile(rest, 95)),
            "risk_share": float(shares[-1]),
            "risk_share_se": float(share_errors[-1]),
        }
    )
    frame = pd.DataFrame(ranked, columns=list(COLUMNS))
    frame["rank"] = frame["rank"].astype("Int64")
    frame["roster_row"] = frame["roster_row"].astype("Int64")
    return frame


def _ranked(rows: list[dict]) -> list[int]:
    """Row indices by mean profit, highest first; equal means (ties.snap) by handle."""
    means = snap([-row["profit_mean"] for row in rows])
    return sorted(range(len(rows)), key=lambda i: (means[i], rows[i]["creator"]))


def roster_frame(
    outcomes: Outcomes, scenario: Scenario, strategies: Sequence[str] | None = None
) -> pd.DataFrame:
    """:func:`creator_table` of each of ``strategies`` (default: every strategy that books
    named creators, :func:`named_strategies`), one below the other: the tidy roster table
    (``roster.csv``). Raises :class:`~campaign_sim.errors.InputError` when the scenario has no
    roster groups or a strategy books no named creators."""
    names = tuple(strategies) if strategies else named_strategies(scenario)
    if not names:
        raise InputError.single(
            scenario.source,
            "strategies",
            "no strategy books named creators: per-creator answers need a roster group "
            "(a group with `roster: FILE`)",
        )
    frames = [creator_table(outcomes, scenario, name) for name in names]
    return pd.concat(frames, ignore_index=True)
