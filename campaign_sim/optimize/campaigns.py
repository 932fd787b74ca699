"""One fixed set of simulated campaigns on which every candidate plan is scored (MODEL.md §11).

Sample-average approximation with common random numbers: the campaigns are drawn once, for
the largest plan of each decision (its ``high`` count, the budget of its largest share, or the
candidate booked), and a candidate plan's campaign totals are read off them:

* a **count** of ``n`` creators of a pool adds the first ``n`` rows of the pool's draws:
  prefix sums over rows, one row of them per count;
* a **share** hires ``N_c(b) = #{k : fees of rows 1..k <= b (1 + tol)}`` creators in campaign
  ``c`` (the engine's hiring rule), read from the cumulative fees once per level;
* a roster **candidate** adds their own row (a subset sum).

Row ``k`` of a pool's draws is the same however many rows are drawn, so these totals are the
totals a full simulation of the same plan adds (the same terms in the same rows), and the
campaign-level part is the engine's own :func:`~campaign_sim.engine.vectorized.
campaign_metrics`: whole orders, attribution, repeat buyers and every ratio.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, fields, replace
from functools import partial
from typing import Any

import numpy as np

from campaign_sim.engine.draws import (
    BUDGET_TOLERANCE,
    CampaignDraws,
    FunnelDraws,
    Layout,
    cheapest_hire,
    draw_chunk,
)
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.limits import format_bytes, memory_limit
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, collect
from campaign_sim.engine.vectorized import (
    campaign_metrics,
    creator_terms,
    not_reached_terms,
    term_scales,
    unique_reach,
)
from campaign_sim.errors import InputError
from campaign_sim.optimize.decisions import Decision
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.scenario.plan import Scenario, StrategyPlan

__all__ = ["CampaignSet", "check_memory", "draw_campaign_set", "search_scenario"]

#: Arrays kept per creator row and campaign: the prefix sums of every added term and of the
#: unique-reach log-probability, twice while the runner's copy is transposed.
_ROW_VALUES = 2 * 16

#: The totals a plan adds over its decisions (the engine's names).
_ADDED = (
    *("E", "R", "C", "Ea", "Ra", "Ca", "N", "Na"),
    *("fee", "product", "overhead", "gifted", "creators", "delivered"),
)
_SEARCH = "_search"


def search_scenario(scenario: Scenario, decisions: tuple[Decision, ...]) -> Scenario:
    """The scenario whose one strategy holds every decision at its largest level: the rows
    the campaign set draws."""
    groups = []
    for decision in decisions:
        # A decision fixed at 0 still draws one row (never used): its pool's place is kept.
        group = decision.group_at(max(decision.high, 1))
        assert group is not None
        groups.append(group)
    budget = max((d.budget for d in decisions if d.kind == "share"), default=0.0) or None
    strategy = StrategyPlan(_SEARCH, _SEARCH, budget, tuple(groups))
    return replace(scenario, strategies=(strategy,))


@dataclass(frozen=True)
class CampaignSet:
    """The drawn campaigns ``first .. first + campaigns - 1`` and each decision's prefix sums.

    ``cum[d][key]``: decision ``d``'s total of ``key`` over its first ``k`` rows, shape (rows +
    1, campaigns); ``hires[d]``: a share decision's rows hired at each level, shape (levels,
    campaigns) (None for counts and candidates); ``logp[d]``: prefix sums of log P(a niche
    person is not reached), or None without unique reach. ``persistent[pool, quantity]``:
    the persistent normal score of each pool level (and ``["campaign", "shock"]``: the
    shock's), shape (campaigns,): what a pilot would learn about (MODEL.md §8). Campaigns
    ``c`` with the same ``c // horizon`` are one brand's and share them."""

    scenario: Scenario
    decisions: tuple[Decision, ...]
    first: int
    campaigns: int
    seed: int
    sampling: Sampling
    campaign: CampaignDraws
    cum: tuple[dict[str, np.ndarray], ...]
    hires: tuple[np.ndarray | None, ...]
    logp: tuple[np.ndarray | None, ...]
    persistent: dict[tuple[str, str], np.ndarray]
    horizon: int = 1

    def rows(self, plans: np.ndarray) -> list[np.ndarray]:
        """Per decision, the rows each plan adds in each campaign, shape (plans, campaigns) for
        shares, (plans, 1) otherwise."""
        out = []
        for d, decision in enumerate(self.decisions):
            level = plans[:, d] - decision.low
            hires = self.hires[d]
            out.append(hires[level] if hires is not None else plans[:, d : d + 1])
        return out

    def totals(self, plans: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """Every plan's campaign totals (the engine's names, shape (plans, campaigns)) and its
        unique reach before amplification (None when the scenario has no niche)."""
        plans = np.asarray(plans, dtype=np.int64).reshape(-1, len(self.decisions))
        shape = (plans.shape[0], self.campaigns)
        acc = {key: np.zeros(shape) for key in _ADDED}
        not_reached: dict[str, np.ndarray] = {}
        columns = np.arange(self.campaigns)
        for d, rows in enumerate(self.rows(plans)):
            for key, cum in self.cum[d].items():
                acc[key] += _gather(cum, rows, columns)
            logp = self.logp[d]
            if logp is not None:
                platform = self.decisions[d].group.platform
                not_reached[platform] = not_reached.get(platform, 0.0) + _gather(
                    logp, rows, columns
                )
        funnel = self.scenario.funnel
        fees = acc.pop("fee")
        acc["fees"] = fees
        acc["commission"] = funnel.agency_commission * fees
        acc["fee_tax"] = funnel.fee_tax * fees
        acc["cost"] = fees + acc["commission"] + acc["fee_tax"] + acc["product"] + acc["overhead"]
        return acc, unique_reach(not_reached, self.campaign.funnel.niche)

    def outcomes(self, plans: np.ndarray) -> dict[str, np.ndarray]:
        """Every engine outcome of each plan, shape (plans, campaigns): what a full simulation
        of the plan gives on these campaigns."""
        acc, unique = self.totals(plans)
        return campaign_metrics(self.scenario, self.campaign, acc, unique)


def set_rows(scenario: Scenario, decision: Decision) -> int:
    """Creator rows a decision's campaign set holds: its largest count, the most creators its
    largest share could hire (the engine's budget cap), or one."""
    if decision.kind == "count":
        return max(decision.high, 1)
    if decision.kind == "creator":
        return 1
    cheapest = cheapest_hire(decision.group, scenario.funnel)
    return int(math.floor(decision.share_budget(decision.high) * 1.000001 / cheapest)) + 1


def check_memory(
    scenario: Scenario,
    decisions: tuple[Decision, ...],
    campaigns: int,
    source: str | None,
    prefix: str = "optimize",
) -> None:
    """Refuse a campaign set that would not fit the memory limit, naming the decision that
    needs the most rows, or the campaigns (:func:`campaign_sim.engine.limits.memory_limit`)."""
    limit, why = memory_limit()
    rows = [set_rows(scenario, d) for d in decisions]
    need = sum(rows) * campaigns * _ROW_VALUES * 8.0
    if need <= limit:
        return
    biggest = decisions[int(np.argmax(rows))]
    lead = f"{prefix}." if prefix else ""
    many = max(rows) > 1000
    key = (biggest.bound_key or f"{lead}cells.{biggest.name}") if many else f"{lead}campaigns"
    what = "the budget that sets its default max" if key.endswith("budget") else "its max"
    raise InputError.single(
        source,
        key,
        f"the campaigns the search scores on would take {format_bytes(need)} "
        f"({campaigns:,} campaigns x {sum(rows):,} creator rows, {max(rows):,} of them for "
        f"{biggest.name}), more than the {format_bytes(limit)} allowed ({why}): lower "
        f"{what if many else 'the campaigns'}",
    )


def _gather(cum: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Each plan's prefix sum in every campaign: at its row count (shape (plans, 1)), or at
    its rows hired in each campaign (shape (plans, campaigns))."""
    return cum[rows, columns] if rows.shape[1] > 1 else cum[rows[:, 0]]


Key = tuple[Any, ...]


def draw_campaign_set(
    scenario: Scenario,
    decisions: tuple[Decision, ...],
    *,
    campaigns: int,
    seed: int,
    first: int = 0,
    sampling: Sampling = RANDOM,
    horizon: int = 1,
    chunk_size: int = DEFAULT_CHUNK,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> CampaignSet:
    """Draw campaigns ``first .. first + campaigns - 1`` (``first`` a multiple of the seed block)
    for every decision at its largest level, chunk by chunk on ``executor``; ``horizon``:
    campaigns per brand sharing the persistent parts (:func:`~campaign_sim.engine.draws.
    draw_chunk`)."""
    search = search_scenario(scenario, decisions)
    kernel = partial(_kernel, search, Layout.of(search), decisions, seed, sampling, horizon)
    arrays: dict[Key, np.ndarray] = collect(  # type: ignore[assignment]
        kernel,
        first + campaigns,
        chunk_size=chunk_size,
        executor=executor,
        start=first,
        progress=progress,
    )
    cum: tuple[dict[str, np.ndarray], ...] = tuple({} for _ in decisions)
    for key, value in arrays.items():
        if key[0] == "cum":
            cum[key[1]][key[2]] = np.ascontiguousarray(value.T)
    hires = tuple(
        np.ascontiguousarray(arrays["hires", d].T) if ("hires", d) in arrays else None
        for d in range(len(decisions))
    )
    logp = tuple(
        np.ascontiguousarray(arrays["logp", d].T) if ("logp", d) in arrays else None
        for d in range(len(decisions))
    )
    return CampaignSet(
        search,
        decisions,
        first,
        campaigns,
        seed,
        sampling,
        _campaign_draws(arrays),
        cum,
        hires,
        logp,
        {key[1:]: value for key, value in arrays.items() if key[0] == "persistent"},
        horizon,
    )


def _kernel(
    scenario: Scenario,
    layout: Layout,
    decisions: tuple[Decision, ...],
    seed: int,
    sampling: Sampling,
    horizon: int,
    chunk: Chunk,
) -> dict[Hashable, np.ndarray]:
    """One chunk: each decision's prefix sums (campaigns first, for the runner), the
    campaign-level draws and the pools' persistent scores."""
    draws = draw_chunk(scenario, layout, seed, chunk.block_list, sampling=sampling, horizon=horizon)
    out: dict[Hashable, np.ndarray] = {}
    terms_of: dict[str, dict[str, np.ndarray]] = {}
    for d, (decision, group) in enumerate(zip(decisions, draws.groups, strict=True)):
        key = group.key
        if key not in terms_of:
            shock = draws.campaign.shock if key.startswith("@") else None
            terms_of[key] = creator_terms(scenario, draws.arrays(key), shock)
        terms = terms_of[key]
        k = decision.group.deliverables
        for name, scale in term_scales(scenario, terms, k).items():
            out["cum", d, name] = _prefix(scale * terms[name][group.rows])
        niche = draws.campaign.funnel.niche.get(decision.group.platform)
        if niche is not None:
            out["logp", d] = _prefix(not_reached_terms(terms, group.rows, k, niche))
        if decision.kind == "share":
            out["hires", d] = _hires(scenario, draws.arrays(key), group.rows, decision).T
    for pool, drawn in draws.pools.items():
        for quantity, level in drawn.levels.items():
            out["persistent", pool, quantity] = level.persistent
    campaign = draws.campaign
    if campaign.shock_parts is not None:
        out["persistent", "campaign", "shock"] = campaign.shock_parts[0]
    out["campaign", "shock"] = campaign.shock
    out["campaign", "aov"] = campaign.aov
    for field in fields(FunnelDraws):
        value = getattr(campaign.funnel, field.name)
        if field.name == "niche":
            out |= {("niche", platform): people for platform, people in value.items()}
        elif value is not None:
            out["funnel", field.name] = value
    return out


def _prefix(rows: np.ndarray) -> np.ndarray:
    """Sums over the first 0, 1, ..., rows rows, campaigns first: shape (campaigns, rows + 1)."""
    out = np.zeros((rows.shape[1], rows.shape[0] + 1))
    np.cumsum(rows.T, axis=1, out=out[:, 1:])
    return out


def _hires(scenario: Scenario, pool, rows: slice, decision: Decision) -> np.ndarray:
    """A share decision's creators hired at each level, shape (levels, campaigns): the rows
    whose fees so far (with commission and tax, or a product-only deal's cost) fit the
    level's budget, the engine's rule (:func:`campaign_sim.engine.draws._hire`)."""
    fees = pool.fee[rows] * decision.group.deliverables
    factor = scenario.funnel.fee_factor
    if factor != 1:
        fees = fees * factor
    if pool.gifts is not None:
        fees = np.where(pool.gifts[0][rows], pool.gifts[1][rows], fees)
    spent = np.cumsum(fees, axis=0)
    levels = np.arange(decision.low, decision.high + 1)
    budgets = np.array([decision.share_budget(int(level)) for level in levels])
    return (spent[None, :, :] <= budgets[:, None, None] * (1 + BUDGET_TOLERANCE)).sum(axis=1)


def _campaign_draws(arrays: dict[Key, np.ndarray]) -> CampaignDraws:
    """The campaign-level draws of the whole set, from the runner's arrays."""
    funnel = {
        field.name: arrays.get(("funnel", field.name))
        for field in fields(FunnelDraws)
        if field.name != "niche"
    }
    niche = {key[1]: value for key, value in arrays.items() if key[0] == "niche"}
    return CampaignDraws(
        arrays["campaign", "shock"],
        arrays["campaign", "aov"],
        FunnelDraws(**funnel, niche=niche),  # type: ignore[arg-type]
    )
