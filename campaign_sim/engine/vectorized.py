"""The vectorized engine: every strategy's campaign totals, chunk by chunk (docs/model.md).

Per creator j of campaign c: audience A = F (1 - phi), engagements E = d k A ER, reach
R = d k A RR, conversions C = base CR S_c (base = E, R or d A). Per campaign: revenue
AOV sum C, gross profit margin * revenue, cost sum(fee k paid + overhead) + fixed cost, and
the ratios ROI, ROAS, CPM, CPE, CPA. Chunks are independent, so they run in any order or on
any number of processes and give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from campaign_sim.engine.draws import (
    Amplification,
    CampaignDraws,
    ChunkDraws,
    GroupDraws,
    Layout,
    PoolDraws,
    draw_chunk,
)
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import DEFAULT_CHUNK, Chunk, run_settings
from campaign_sim.metrics import ENGINE_OUTCOMES
from campaign_sim.random.counts import count_quantile
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.scenario.plan import Scenario

__all__ = [
    "CREATOR_METRICS",
    "METRICS",
    "Outcomes",
    "amplified_terms",
    "attributed_orders",
    "campaign_frame",
    "campaign_metrics",
    "chunk_outcomes",
    "creator_metrics",
    "creator_terms",
    "group_totals",
    "not_reached_terms",
    "term_scales",
    "unique_reach",
    "money_metrics",
    "outcomes_kernel",
    "repeat_revenue",
    "simulate",
]

#: Per-campaign outcomes, with their units (:data:`campaign_sim.metrics.ENGINE_OUTCOMES`).
METRICS = ENGINE_OUTCOMES


@dataclass(frozen=True)
class Outcomes:
    """Per-campaign outcomes of every strategy: ``values[strategy][metric]``, shape (campaigns,),
    for the metrics the scenario keeps (``Scenario.outcomes``)."""

    strategies: tuple[str, ...]
    values: dict[str, dict[str, np.ndarray]]
    campaigns: int
    seed: int
    sampling: Sampling = RANDOM
    # Each named creator's own outcomes (CREATOR_METRICS): creators[strategy][handle][metric].
    creators: dict[str, dict[str, dict[str, np.ndarray]]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        scenario: Scenario,
        arrays: dict[Hashable, np.ndarray],
        campaigns: int,
        seed: int,
        sampling: Sampling,
    ) -> Outcomes:
        """From the runner's ``{(strategy, metric): outcomes}``."""
        names = tuple(s.name for s in scenario.strategies)
        values = {
            name: {metric: arrays[name, metric] for metric in scenario.outcomes} for name in names
        }
        creators = {
            s.name: {
                g.creator.handle: {m: arrays[s.name, g.creator.handle, m] for m in CREATOR_METRICS}
                for g in s.groups
                if g.creator is not None
            }
            for s in scenario.strategies
        }
        named = {name: found for name, found in creators.items() if found}
        return cls(names, values, campaigns, seed, sampling, named)

    def frame(self) -> pd.DataFrame:
        """Tidy table: one row per campaign and strategy, one column per metric."""
        return campaign_frame(self.strategies, self.values, self.campaigns)


def campaign_frame(
    strategies: tuple[str, ...], values: dict[str, dict[str, np.ndarray]], campaigns: int
) -> pd.DataFrame:
    """``values[strategy][metric]`` (shape (campaigns,)) as a tidy table: a row per campaign
    and strategy, a column per metric."""
    parts = []
    for name in strategies:
        part = pd.DataFrame(values[name])
        part.insert(0, "strategy", name)
        part.insert(0, "campaign", np.arange(campaigns))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


#: Per-creator terms summed into group totals, per deliverable (times the group's
#: deliverables) or per creator.
_PER_DELIVERABLE = ("E", "R", "C", "Ea", "Ra", "Ca", "fee")
_PER_CREATOR = ("product", "gifted", "overhead", "creators", "delivered", "N", "Na")


def group_totals(
    scenario: Scenario, draws: ChunkDraws
) -> Iterator[tuple[GroupDraws, dict[str, np.ndarray]]]:
    """Every strategy group of a chunk with its per-campaign totals (shape (campaigns,)):
    engagements E, reach R and conversions C before the shock, and their amplified parts Ea,
    Ra, Ca; fees (currency, gifted creators excluded), their commission and tax, gifted
    creators' product cost, overhead; creators hired, gifted and delivered; and ``unique``:
    log P(a person of the group's platform niche is not reached by the group) (docs/model.md,
    Unique reach). The engine and the plan preview both add these."""
    per_key = {name: creator_terms(scenario, pool) for name, pool in draws.pools.items()}
    per_key |= {
        f"@{pool}": creator_terms(scenario, named, draws.campaign.shock)
        for pool, named in draws.creators.items()
    }
    funnel = scenario.funnel
    for group in draws.groups:
        plan = group.slots.group
        terms = per_key[group.key]
        scales = term_scales(scenario, terms, plan.deliverables)
        sums = {
            key: scale * _summed(terms[key][group.rows], group.hired)
            for key, scale in scales.items()
        }
        sums["commission"] = funnel.agency_commission * sums["fee"]
        sums["fee_tax"] = funnel.fee_tax * sums["fee"]
        niche = draws.campaign.funnel.niche.get(plan.platform)
        if niche is not None:
            logp = not_reached_terms(terms, group.rows, plan.deliverables, niche)
            sums["unique"] = _summed(logp, group.hired)
        yield group, sums


def term_scales(
    scenario: Scenario, terms: dict[str, np.ndarray], deliverables: int
) -> dict[str, int]:
    """What each per-creator term of :func:`creator_terms` is multiplied by in a group's
    totals: the per-deliverable terms by the deliverables (conversions on followers count
    once per creator), the per-creator terms by 1; a group's total of ``key`` is
    ``scale * sum over its hired creators``."""
    once = ("C",) if scenario.conversion_base == "followers" else ()
    return {
        key: deliverables if key in _PER_DELIVERABLE and key not in once else 1
        for key in (*_PER_DELIVERABLE, *_PER_CREATOR)
        if key in terms
    }


def _summed(rows: np.ndarray, hired: np.ndarray | None) -> np.ndarray:
    """Per-campaign sum of the hired creators' values (rows, campaigns)."""
    return rows.sum(axis=0) if hired is None else np.einsum("ij,ij->j", rows, hired)


def not_reached_terms(
    terms: dict[str, np.ndarray], rows: slice, k: int, niche: np.ndarray
) -> np.ndarray:
    """Each creator's log P(a person of the niche is not reached by them), shape (rows,
    campaigns): a creator reaches ``A (1 - (1 - RR)^k)`` different people over ``k``
    deliverables, a random part of the niche's ``niche`` people, independently of the other
    creators (so a group's log-probability is the sum over its creators)."""
    audience, rate = terms["audience"][rows], terms["reach_rate"][rows]
    logp = np.log1p(-np.minimum(rate, 1.0))  # one buffer, worked on in place
    logp *= k
    np.expm1(logp, out=logp)
    logp *= audience  # minus the different people the creator reaches
    logp /= -niche
    np.minimum(logp, 1 - 1e-12, out=logp)  # a creator's share of the niche
    np.log1p(np.negative(logp, out=logp), out=logp)
    return logp


#: Campaign totals a strategy adds over its groups.
_TOTALS = (
    "E",
    "R",
    "C",
    "Ea",
    "Ra",
    "Ca",
    "N",
    "Na",
    "fees",
    "commission",
    "fee_tax",
    "product",
    "overhead",
    "gifted",
    "creators",
    "delivered",
    "cost",
)


def chunk_outcomes(scenario: Scenario, draws: ChunkDraws) -> dict[str, dict[str, np.ndarray]]:
    """Campaign totals of every strategy for one chunk of draws."""
    return _chunk_outcomes(scenario, draws)[0]


def _chunk_outcomes(
    scenario: Scenario, draws: ChunkDraws
) -> tuple[dict[str, dict[str, np.ndarray]], dict[tuple[str, str], dict[str, np.ndarray]]]:
    """Campaign totals of every strategy, and each named creator's own outcomes by
    (strategy, handle) (:func:`creator_metrics`), for one chunk of draws."""
    n = draws.campaigns
    totals: dict[str, dict[str, np.ndarray]] = {
        s.name: {key: np.zeros(n) for key in _TOTALS} for s in scenario.strategies
    }
    unique: dict[str, dict[str, np.ndarray]] = {s.name: {} for s in scenario.strategies}
    creators = {}
    for group, sums in group_totals(scenario, draws):
        acc = totals[group.slots.strategy]
        creator = group.slots.group.creator
        if creator is not None:
            booked = np.ones(n) if group.hired is None else group.hired[0].astype(float)
            creators[group.slots.strategy, creator.handle] = creator_metrics(
                scenario, draws.campaign, sums, booked
            )
        for key, summed in sums.items():
            if key == "unique":
                platform = group.slots.group.platform
                seen = unique[group.slots.strategy]
                seen[platform] = seen.get(platform, 0.0) + summed
                continue
            if key in ("fee", "commission", "fee_tax", "product", "overhead"):
                acc["cost"] += summed
            acc["fees" if key == "fee" else key] += summed
    niche = draws.campaign.funnel.niche
    strategies = {
        name: campaign_metrics(scenario, draws.campaign, acc, unique_reach(unique[name], niche))
        for name, acc in totals.items()
    }
    return strategies, creators


#: A named creator's own outcomes per campaign (MODEL.md §10; docs/rosters.md): booked (1 or
#: 0), attributed orders, orders the campaign caused (conversions), revenue, cost (fees with
#: commission and tax, product, overhead), profit, engagements and reach. Their profits and
#: the rest of the strategy's (its tier groups', less the fixed cost) add up to its profit.
CREATOR_METRICS = (
    "booked",
    "orders",
    "conversions",
    "revenue",
    "cost",
    "profit",
    "engagements",
    "reach",
)


def creator_metrics(
    scenario: Scenario, campaign: CampaignDraws, sums: dict[str, np.ndarray], booked: np.ndarray
) -> dict[str, np.ndarray]:
    """A named creator's outcomes (:data:`CREATOR_METRICS`) from their group's totals."""
    drawn = campaign.funnel
    orders = sums.get("N", 0.0) + sums.get("Na", 0.0)
    conversions = orders * drawn.incrementality * (1 - drawn.leakage)
    revenue = campaign.aov * conversions
    cost = sums["fee"] + sums["commission"] + sums["fee_tax"] + sums["overhead"]
    cost = cost + sums.get("product", 0.0)
    return {
        "booked": booked,
        "orders": np.broadcast_to(orders, booked.shape).astype(float),
        "conversions": np.broadcast_to(conversions, booked.shape).astype(float),
        "revenue": np.broadcast_to(revenue, booked.shape).astype(float),
        "cost": cost,
        "profit": scenario.gross_margin * revenue - cost,
        "engagements": sums["E"] + sums.get("Ea", 0.0),
        "reach": sums["R"] + sums.get("Ra", 0.0),
    }


def unique_reach(
    not_reached: dict[str, np.ndarray], niche: dict[str, np.ndarray]
) -> np.ndarray | None:
    """Different people reached directly: per platform niche, its people times P(reached)."""
    if not not_reached:
        return None
    return sum(niche[p] * -np.expm1(logp) for p, logp in not_reached.items())


def campaign_metrics(
    scenario: Scenario,
    campaign: CampaignDraws,
    acc: dict[str, np.ndarray],
    unique: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """A strategy's per-campaign outcomes from its totals ``acc`` (:data:`_TOTALS`): whole
    attributed orders, the share the campaign caused, revenue, repeat revenue over the
    horizon, cost lines and the ratios (docs/model.md)."""
    drawn = campaign.funnel
    direct = attributed_orders(acc["C"] * campaign.shock, drawn.orders, scenario) + acc["N"]
    amplified = (
        attributed_orders(acc["Ca"] * campaign.shock, drawn.amplified_orders, scenario) + acc["Na"]
    )
    caused = drawn.incrementality * (1 - drawn.leakage)
    attributed = direct + amplified
    conversions = attributed * caused
    revenue = campaign.aov * conversions
    cost = acc["cost"] + scenario.fixed_cost
    engagements = acc["E"] + acc["Ea"]
    reach = acc["R"] + acc["Ra"]
    unique_reach = np.full(cost.shape, np.nan) if unique is None else unique + acc["Ra"]
    repeat = repeat_revenue(scenario, campaign, conversions)
    first = money_metrics(revenue, scenario.gross_margin, cost)
    over = money_metrics(revenue + repeat[1], scenario.gross_margin, cost, repeat)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            **first,
            "conversions": conversions,
            "engagements": engagements,
            "reach": reach,
            "cpm": 1000 * cost / reach,
            "cpe": cost / engagements,
            "cpa": cost / conversions,
            "creators": acc["creators"],
            "delivered": acc["delivered"],
            "amplified_reach": acc["Ra"],
            "amplified_engagements": acc["Ea"],
            "amplified_orders": amplified * caused,
            "unique_reach": unique_reach,
            "frequency": reach / unique_reach,
            "cpm_unique": 1000 * cost / unique_reach,
            "attributed_orders": attributed,
            "attributed_revenue": campaign.aov * attributed,
            "repeat_orders": repeat[0],
            "revenue_horizon": over["revenue"],
            "profit_horizon": over["profit"],
            "roi_horizon": over["roi"],
            "fees": acc["fees"],
            "commission": acc["commission"],
            "fee_tax": acc["fee_tax"],
            "product_cost": acc["product"],
            "gifted": acc["gifted"],
            "overhead_cost": acc["overhead"] + scenario.fixed_cost,
        }


def attributed_orders(expected: np.ndarray, u: np.ndarray | None, scenario: Scenario) -> np.ndarray:
    """A campaign's attributed orders: whole numbers drawn around ``expected`` (Poisson, or
    negative binomial with the scenario's dispersion) from the uniforms ``u``, or the
    expected orders themselves when the scenario counts them so (``u`` None)."""
    if u is None:
        return expected
    return count_quantile(u, expected, scenario.funnel.orders_dispersion)


def repeat_revenue(
    scenario: Scenario, campaign: CampaignDraws, customers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Repeat orders of ``customers`` new customers over the horizon (undiscounted), their
    discounted revenue (currency) and its gross margin; zeros without repeat buyers."""
    repeat = scenario.funnel.repeat
    drawn = campaign.funnel
    if repeat is None or drawn.repeat_share is None or drawn.repeat_rate is None:
        zero = np.zeros(customers.shape)
        return zero, zero, scenario.gross_margin
    per_month = customers * drawn.repeat_share * drawn.repeat_rate
    orders = per_month * repeat.months
    value = campaign.aov * per_month * repeat.discounted_months()
    return orders, value, repeat.margin


def money_metrics(
    revenue: np.ndarray,
    margin: float,
    cost: np.ndarray,
    repeat: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> dict[str, np.ndarray]:
    """ROI, ROAS, profit, revenue, gross profit and cost of campaigns (currency; ROI a
    fraction); a zero cost gives infinite or undefined ratios. ``repeat``: (orders, revenue,
    margin) of repeat orders inside ``revenue``, whose gross profit uses their own margin."""
    gross_profit = margin * revenue
    if repeat is not None:
        gross_profit = gross_profit + (repeat[2] - margin) * repeat[1]
    profit = gross_profit - cost
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "roi": profit / cost,
            "roas": revenue / cost,
            "profit": profit,
            "revenue": revenue,
            "gross_profit": gross_profit,
            "cost": cost,
        }


def creator_terms(
    scenario: Scenario, pool: PoolDraws, shock: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Per-creator terms for one deliverable, shape (rows, campaigns) (docs/model.md). With
    the campaigns' ``shock``, a named creator's: their own attributed orders N and Na, drawn
    from their own uniforms, in place of the conversions C and Ca (MODEL.md §10)."""
    delivered = pool.delivered
    reached_audience = pool.audience * delivered
    engagements = reached_audience * pool.engagement_rate
    reach = reached_audience * pool.reach_rate
    base = {"engagements": engagements, "reach": reach, "followers": reached_audience}[
        scenario.conversion_base
    ]
    paid = delivered if scenario.fees_on_delivery else 1.0
    fee = pool.fee * paid
    terms = {
        "E": engagements,
        "R": reach,
        "C": base * pool.conversion_rate,
        "fee": fee,
        "overhead": pool.overhead,
        "creators": np.ones_like(pool.fee),
        "delivered": delivered.astype(float),
        "audience": reached_audience,
        "reach_rate": pool.reach_rate,
    }
    if pool.gifts is not None:
        gifted, product = pool.gifts
        terms["fee"] = np.where(gifted, 0.0, fee)
        terms["product"] = np.where(gifted, product, 0.0)
        terms["gifted"] = gifted.astype(float)
    if pool.amplified is not None:
        terms.update(amplified_terms(scenario, pool.amplified, engagements))
    if shock is not None:
        _own_orders(scenario, pool, terms, shock)
    return terms


def _own_orders(
    scenario: Scenario, pool: PoolDraws, terms: dict[str, np.ndarray], shock: np.ndarray
) -> None:
    """Named creators' attributed orders over all their deliverables, direct N and amplified
    Na: whole numbers from each creator's own uniforms (Poisson or negative binomial, as the
    scenario counts orders), or expected. Their conversions C and Ca become 0: the pools'
    creators' orders are drawn from C and Ca per strategy, a named creator's here."""
    assert pool.named is not None
    k = pool.named.deliverables
    for index, (conversions, orders) in enumerate((("C", "N"), ("Ca", "Na"))):
        if conversions not in terms:
            continue
        once = conversions == "C" and scenario.conversion_base == "followers"
        expected = terms[conversions] * shock * (1.0 if once else k)
        u = None if pool.named.orders is None else pool.named.orders[index]
        terms[orders] = attributed_orders(expected, u, scenario)
        terms[conversions] = np.zeros_like(expected)


def amplified_terms(
    scenario: Scenario, amplified: Amplification, engagements: np.ndarray
) -> dict[str, np.ndarray]:
    """Reach Ra, engagements Ea and conversions Ca past the followers, per deliverable:
    ``Ra = E (share rate x people per share + user post rate x people per user post)``,
    ``Ea = Ra x amplified engagement rate``, ``Ca`` = the amplified conversion base (Ea on
    engagements, else Ra) x amplified conversion rate."""
    reach = engagements * (
        amplified.share_rate * amplified.reach_per_share
        + amplified.user_post_rate * amplified.reach_per_user_post
    )
    engaged = reach * amplified.engagement_rate
    base = engaged if scenario.conversion_base == "engagements" else reach
    return {"Ra": reach, "Ea": engaged, "Ca": base * amplified.conversion_rate}


def outcomes_kernel(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    sampling: Sampling,
    chunk: Chunk,
    horizon: int = 1,
) -> dict[Hashable, np.ndarray]:
    """The runner's kernel: ``{(strategy, metric): outcomes}`` of one chunk of campaigns
    (``horizon``: campaigns per brand sharing the persistent parts, see :func:`draw_chunk`)."""
    draws = draw_chunk(scenario, layout, seed, chunk.block_list, sampling=sampling, horizon=horizon)
    kept = scenario.outcomes
    strategies, creators = _chunk_outcomes(scenario, draws)
    out: dict[Hashable, np.ndarray] = {
        (name, metric): metrics[metric] for name, metrics in strategies.items() for metric in kept
    }
    for (name, handle), metrics in creators.items():
        out |= {(name, handle, metric): metrics[metric] for metric in CREATOR_METRICS}
    return out


def simulate(
    scenario: Scenario,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    executor: Executor | str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    sampling: Sampling | str | None = None,
    horizon: int = 1,
) -> Outcomes:
    """Simulate ``campaigns`` campaigns of every strategy (defaults: the scenario's settings).

    ``horizon``: consecutive campaigns ``c`` with the same ``c // horizon`` are one brand's and
    share the persistent parts of every level, shared factor and the shock (MODEL.md §8); the
    default 1 simulates independent next campaigns.

    ``sampling``: a :class:`~campaign_sim.random.sampling.Sampling` or a method name (random,
    lhs, sobol); None takes the scenario's ``simulation.sampling`` and ``simulation.antithetic``.
    ``executor`` (serial, processes, dask), ``workers`` (0: every core) and ``scheduler``: where
    the chunks run (:func:`~campaign_sim.engine.executors.make_executor`).

    Memory: one chunk of draws (~ chunk_size x creator slots x 8 bytes per quantity) plus the
    per-campaign outcomes kept for the statistics (14 metrics x 8 bytes per campaign and
    strategy), checked before anything is drawn (:mod:`campaign_sim.engine.limits`). The
    numbers do not depend on ``chunk_size``, ``workers`` or the executor.
    """
    with run_settings(
        scenario,
        campaigns=campaigns,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
    ) as run:
        kernel = partial(
            outcomes_kernel, scenario, Layout.of(scenario), run.seed, run.sampling, horizon=horizon
        )
        arrays = run.collect(kernel, progress=progress)
        return Outcomes.of(scenario, arrays, run.campaigns, run.seed, run.sampling)
