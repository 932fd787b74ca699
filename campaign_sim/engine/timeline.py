"""The timeline engine: the campaign on a calendar (docs/timeline.md).

For each chunk of campaigns it draws the creators exactly as the vectorized engine does
(:func:`campaign_sim.engine.draws.draw_chunk`: same priors, seed streams and sampling), plus each
creator's
production time from its own stream; runs every campaign's schedule on SimPy
(:mod:`campaign_sim.engine.schedule`: managers, production, reviews, posting days); and then
accrues, vectorized over campaigns, each post's engagements (per-platform decay) and orders
(purchase lag, cut at the attribution window), and pays fees on their schedule. The result is a
day-by-day cumulative cost, revenue and profit per campaign, and campaign totals.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import fields
from functools import partial
from typing import Any

import numpy as np

from campaign_sim.analysis.timeline import SERIES, TimelineResult
from campaign_sim.engine.draws import Amplification, ChunkDraws, Layout, PoolDraws, draw_chunk
from campaign_sim.engine.executors import Executor
from campaign_sim.engine.runner import Chunk, run_settings
from campaign_sim.engine.schedule import schedule_campaign
from campaign_sim.engine.vectorized import (
    amplified_terms,
    attributed_orders,
    money_metrics,
    repeat_revenue,
)
from campaign_sim.random.sampling import Sampling
from campaign_sim.random.streams import BLOCK, creator_stream, pool_stream, uniforms
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.timeline import DAYS_PER_MONTH, TimelinePlan, timeline_plan

__all__ = ["chunk_timeline", "simulate_timeline", "timeline_kernel"]

Arrays = dict[str, np.ndarray]


def chunk_timeline(
    scenario: Scenario, plan: TimelinePlan, draws: ChunkDraws, production: Arrays
) -> dict[str, tuple[Arrays, Arrays]]:
    """Per strategy: daily cumulative series (campaigns, horizon) and totals (campaigns,) for
    one chunk; ``production`` holds days per deliverable by pool, shaped as the pools."""
    out = {}
    for strategy in scenario.strategies:
        creators = _creators(scenario, draws, production, strategy.name)
        posts, busy = _schedule(plan, creators)
        out[strategy.name] = _accrue(scenario, plan, draws, creators, posts, busy)
    return out


def _creators(scenario: Scenario, draws: ChunkDraws, production: Arrays, strategy: str) -> Arrays:
    """One strategy's creator slots in hiring order, arrays of shape (slots, campaigns)."""
    parts: dict[str, list[np.ndarray]] = {}
    for group in draws.groups:
        if group.slots.strategy != strategy:
            continue
        plan = group.slots.group
        pool = draws.arrays(group.key)
        rows = group.rows
        k = plan.deliverables
        reached = pool.audience[rows] * pool.delivered[rows]
        engagements = reached * pool.engagement_rate[rows]
        reach = reached * pool.reach_rate[rows]
        base = {"engagements": engagements, "reach": reach, "followers": reached / k}[
            scenario.conversion_base
        ]
        fee = pool.fee[rows] * scenario.funnel.fee_factor
        product = np.zeros(engagements.shape)
        if pool.gifts is not None:
            gifted, cost = pool.gifts
            fee = np.where(gifted[rows], 0.0, fee)
            product = np.where(gifted[rows], cost[rows], 0.0)
        amplified: dict[str, Any] = {"Ra": 0.0, "Ea": 0.0, "Ca": np.zeros(engagements.shape)}
        if pool.amplified is not None:
            part = replace_rows(pool.amplified, rows)
            amplified = amplified_terms(scenario, part, engagements)
        columns = {
            "hired": np.ones(engagements.shape, bool) if group.hired is None else group.hired,
            "delivered": pool.delivered[rows],
            "engagements": engagements + amplified["Ea"],  # per deliverable, with amplified
            "reach": reach + amplified["Ra"],  # per deliverable, with amplified
            "conversions": base * pool.conversion_rate[rows],  # per deliverable, before shock
            "amplified_conversions": amplified["Ca"],  # per deliverable, before shock
            "fee": fee,  # per deliverable, with commission and tax
            "overhead": pool.overhead[rows],
            "product": product,  # per gifted creator
            "production": production[group.key][rows],  # days per deliverable
            "deliverables": np.full(engagements.shape[0], k),
            "platform": np.full(engagements.shape[0], plan.platform, dtype=object),
            # A named creator's uniforms of their own whole orders (NaN: drawn per strategy).
            "own_orders": _own_uniforms(pool, rows, 0, engagements.shape),
            "own_amplified_orders": _own_uniforms(pool, rows, 1, engagements.shape),
        }
        for key, value in columns.items():
            parts.setdefault(key, []).append(value)
    return {key: np.concatenate(value) for key, value in parts.items()}


def _own_uniforms(pool: PoolDraws, rows: slice, index: int, shape: tuple[int, ...]) -> np.ndarray:
    """Named creators' uniforms of their own whole direct (0) or amplified (1) orders."""
    if pool.named is None or pool.named.orders is None:
        return np.full(shape, np.nan)
    return pool.named.orders[index][rows]


def replace_rows(amplified: Amplification, rows: slice) -> Amplification:
    """The pool's amplification draws of the slots ``rows``."""
    return Amplification(**{f.name: getattr(amplified, f.name)[rows] for f in fields(amplified)})


def _schedule(plan: TimelinePlan, creators: Arrays) -> tuple[np.ndarray, np.ndarray]:
    """Go-live day of every deliverable slot (deliverables, campaigns) and manager-days worked
    per campaign, one SimPy run per campaign."""
    hired = creators["hired"].T.tolist()
    delivers = creators["delivered"].T.tolist()
    production = creators["production"].T.tolist()
    deliverables = creators["deliverables"].tolist()
    n = len(hired)
    posts = np.empty((sum(deliverables), n), dtype=np.int64)
    busy = np.empty(n)
    for c in range(n):
        days, busy[c] = schedule_campaign(plan, hired[c], delivers[c], deliverables, production[c])
        posts[:, c] = days
    return posts, busy


def _accrue(
    scenario: Scenario,
    plan: TimelinePlan,
    draws: ChunkDraws,
    creators: Arrays,
    posts: np.ndarray,
    busy: np.ndarray,
) -> tuple[Arrays, Arrays]:
    """Turn go-live days into daily cumulative money and orders, and campaign totals."""
    horizon = plan.horizon_days
    n = draws.campaigns
    owner = np.repeat(np.arange(creators["deliverables"].size), creators["deliverables"])
    platform = creators["platform"][owner]
    live = posts >= 0
    hired = creators["hired"]
    slot, campaign = np.nonzero(live)
    day = posts[slot, campaign]
    at = campaign * horizon + day  # flat (campaign, day) index of each live post

    def by_day(values: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Sum ``values`` of live posts (those in ``where``) by (campaign, go-live day)."""
        return np.bincount(
            at[where], weights=values[owner[slot[where]], campaign[where]], minlength=n * horizon
        ).reshape(n, horizon)

    # Named creators whose orders are drawn from their own uniforms (MODEL.md §10), apart.
    own = ~np.isnan(creators["own_orders"][:, 0]) if n else np.zeros(0, bool)
    named = own[owner[slot]]
    direct, amplified = np.zeros((n, horizon)), np.zeros((n, horizon))
    named_daily = {"direct": np.zeros((n, horizon)), "amplified": np.zeros((n, horizon))}
    in_window = {key: np.zeros(own.shape + (n,)) for key in named_daily}
    engagements = np.zeros(n)
    reach = np.zeros(n)
    for name in np.unique(platform):
        on = platform[slot] == name
        kernel = plan.conversion_kernel(name)
        spread = _toeplitz(kernel, horizon)
        for key, column, daily in (
            ("direct", "conversions", direct),
            ("amplified", "amplified_conversions", amplified),
        ):
            if key == "amplified" and not creators[column].any():
                continue
            daily += by_day(creators[column], on & ~named) @ spread
            if named.any():
                mine = on & named
                named_daily[key] += by_day(creators[column], mine) @ spread
                counted_share = np.cumsum(kernel)[
                    np.minimum(horizon - 1 - day[mine], kernel.size - 1)
                ]
                values = creators[column][owner[slot[mine]], campaign[mine]] * counted_share
                in_window[key] += np.bincount(
                    owner[slot[mine]] * n + campaign[mine], weights=values, minlength=own.size * n
                ).reshape(own.size, n)
        # Engagements and reach after the horizon are not counted: cumulative decay share.
        seen = np.cumsum(plan.engagement_kernel(name))[horizon - 1 - day[on]]
        for total, key in ((engagements, "engagements"), (reach, "reach")):
            total += np.bincount(
                campaign[on],
                weights=creators[key][owner[slot[on]], campaign[on]] * seen,
                minlength=n,
            )
    orders, counted = _whole_orders(scenario, draws, direct, amplified)
    if own.any():
        orders, counted = _with_own_orders(
            scenario, draws, creators, own, named_daily, in_window, orders, counted
        )
    first_revenue = np.cumsum(orders * draws.campaign.aov[:, None], axis=1)
    repeat = _repeat_orders(scenario, plan, draws, orders)

    cost = np.zeros((n, horizon))
    on_signing = 0.0 if scenario.fees_on_delivery else plan.fee_on_signing
    k = creators["deliverables"][:, None]
    cost[:, 0] = scenario.fixed_cost + (
        hired * (creators["overhead"] + creators["product"] + on_signing * k * creators["fee"])
    ).sum(axis=0)
    rest = (1 - on_signing) * creators["fee"]
    everywhere = np.ones(slot.size, bool)
    cost += by_day(rest, everywhere)
    if not scenario.fees_on_delivery:
        # Owed whether or not the post went live: settled on the window's last day.
        unpaid = hired[owner] & ~live
        cost[:, plan.window_days - 1] += (rest[owner] * unpaid).sum(axis=0)

    series = {
        "cost": np.cumsum(cost, axis=1),
        "revenue": first_revenue,
        "gross_profit": scenario.gross_margin * first_revenue,
        "conversions": np.cumsum(orders, axis=1),
    }
    if repeat is not None:  # booked on the calendar as they come in: cash, not discounted
        repeat_revenue = np.cumsum(repeat[1] * draws.campaign.aov[:, None], axis=1)
        series["revenue"] = first_revenue + repeat_revenue
        series["gross_profit"] += repeat[0] * repeat_revenue
    totals = _totals(
        scenario, plan, series, first_revenue[:, -1], engagements, reach, posts, hired[owner], busy
    )
    totals.update(_funnel_totals(scenario, draws, creators, totals, counted))
    return series, totals


def _whole_orders(
    scenario: Scenario, draws: ChunkDraws, direct: np.ndarray, amplified: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Daily first orders the campaign caused (campaigns, days), from the expected daily
    direct and amplified orders before the shock: each campaign's attributed orders drawn
    whole as the vectorized engine draws them (from the expected orders counted inside the
    attribution window), spread over the days in proportion to when they are expected, then
    the share the campaign caused. Also the attributed orders counted (totals)."""
    funnel = draws.campaign.funnel
    shock = draws.campaign.shock[:, None]
    counted = {}
    daily = np.zeros(direct.shape)
    for key, expected, u in (
        ("direct", direct * shock, funnel.orders),
        ("amplified", amplified * shock, funnel.amplified_orders),
    ):
        total = expected.sum(axis=1)
        whole = attributed_orders(total, u, scenario)
        counted[key] = whole
        if u is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                expected = expected * np.where(total > 0, whole / total, 0.0)[:, None]
        daily = daily + expected
    caused = (funnel.incrementality * (1 - funnel.leakage))[:, None]
    return daily * caused, counted


def _with_own_orders(
    scenario: Scenario,
    draws: ChunkDraws,
    creators: Arrays,
    own: np.ndarray,
    named_daily: dict[str, np.ndarray],
    in_window: dict[str, np.ndarray],
    orders: np.ndarray,
    counted: dict[str, np.ndarray],
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Daily first orders and the attributed orders counted, with the named creators'
    (``own``: their rows): each creator's whole orders drawn from their own uniforms around
    their expected orders inside the attribution window, as the vectorized engine draws them;
    their daily orders their expected ones scaled to those whole numbers."""
    funnel = draws.campaign.funnel
    shock = draws.campaign.shock
    caused = (funnel.incrementality * (1 - funnel.leakage))[:, None]
    out = dict(counted)
    for key, column in (("direct", "own_orders"), ("amplified", "own_amplified_orders")):
        expected = in_window[key][own] * shock
        whole = attributed_orders(expected, creators[column][own], scenario).sum(axis=0)
        total = expected.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(total > 0, whole / total, 0.0) * shock
        orders = orders + named_daily[key] * scale[:, None] * caused
        out[key] = counted[key] + whole
    return orders, out


def _repeat_orders(
    scenario: Scenario, plan: TimelinePlan, draws: ChunkDraws, orders: np.ndarray
) -> tuple[float, np.ndarray] | None:
    """The repeat orders' margin and daily repeat orders (campaigns, days): each day's new
    customers buy again each month after their first order, 30 days apart (docs/timeline.md,
    Repeat buyers); None without repeat buyers."""
    repeat = scenario.funnel.repeat
    funnel = draws.campaign.funnel
    if repeat is None or funnel.repeat_share is None or funnel.repeat_rate is None:
        return None
    out = np.zeros(orders.shape)
    per_month = orders * (funnel.repeat_share * funnel.repeat_rate)[:, None]
    for month in range(1, repeat.months + 1):
        lag = DAYS_PER_MONTH * month
        out[:, lag:] += per_month[:, : orders.shape[1] - lag]
    return repeat.margin, out


def _funnel_totals(
    scenario: Scenario,
    draws: ChunkDraws,
    creators: Arrays,
    totals: Arrays,
    counted: dict[str, np.ndarray],
) -> Arrays:
    """The totals past first orders, computed as the vectorized engine does from this
    calendar's counted orders: attributed and amplified orders, the repeat buyers' orders and
    discounted revenue over the horizon, and the cost lines."""
    funnel = draws.campaign.funnel
    caused = funnel.incrementality * (1 - funnel.leakage)
    attributed = counted["direct"] + counted["amplified"]
    repeat_orders, repeat_value, repeat_margin = repeat_revenue(
        scenario, draws.campaign, totals["conversions"]
    )
    over = money_metrics(
        totals["revenue"] + repeat_value,
        scenario.gross_margin,
        totals["cost"],
        (repeat_orders, repeat_value, repeat_margin),
    )
    hired = creators["hired"]
    product = (hired * creators["product"]).sum(axis=0)
    others = scenario.fixed_cost + (hired * creators["overhead"]).sum(axis=0) + product
    fees = (totals["cost"] - others) / scenario.funnel.fee_factor  # what the calendar paid
    return {
        "attributed_orders": attributed,
        "amplified_orders": counted["amplified"] * caused,
        "repeat_orders": repeat_orders,
        "revenue_horizon": over["revenue"],
        "profit_horizon": over["profit"],
        "roi_horizon": over["roi"],
        "fees": fees,
        "commission": scenario.funnel.agency_commission * fees,
        "fee_tax": scenario.funnel.fee_tax * fees,
        "product_cost": product,
    }


def _toeplitz(kernel: np.ndarray, horizon: int) -> np.ndarray:
    """Matrix T with T[s, t] = kernel[t - s]: ``daily @ T`` spreads what went live on day s."""
    lag = np.arange(horizon)[None, :] - np.arange(horizon)[:, None]
    inside = (lag >= 0) & (lag < kernel.size)
    return np.where(inside, kernel[np.clip(lag, 0, kernel.size - 1)], 0.0)


def _totals(
    scenario: Scenario,
    plan: TimelinePlan,
    series: Arrays,
    revenue: np.ndarray,
    engagements: np.ndarray,
    reach: np.ndarray,
    posts: np.ndarray,
    hired: np.ndarray,
    busy: np.ndarray,
) -> Arrays:
    """Campaign totals; ``revenue``: of first orders (the daily series also hold repeats)."""
    cost = series["cost"][:, -1]
    conversions = series["conversions"][:, -1]
    in_red = series["gross_profit"] - series["cost"] < 0
    # Paid back: in the black from that day to the horizon. Never: a loss at the horizon.
    last_red = plan.horizon_days - 1 - np.argmax(in_red[:, ::-1], axis=1)
    payback = np.where(in_red.any(axis=1), last_red + 1.0, 0.0)
    payback[in_red[:, -1]] = np.nan
    live = posts >= 0
    lost = (posts == -1).sum(axis=0)
    made = live.sum(axis=0) + lost
    last_post = np.where(live, posts, -1).max(axis=0, initial=-1).astype(float)
    last_post[last_post < 0] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            **money_metrics(revenue, scenario.gross_margin, cost),
            "conversions": conversions,
            "engagements": engagements,
            "reach": reach,
            "payback_day": payback,
            "deliverables": hired.sum(axis=0).astype(float),
            "posted": live.sum(axis=0).astype(float),
            "lost": lost.astype(float),
            "lost_share": lost / made,
            "last_post_day": last_post,
            "manager_hours": busy * plan.manager_hours_per_day,
            "manager_utilisation": (
                busy / (plan.managers * plan.window_days)
                if plan.managers is not None
                else np.full(busy.shape, np.nan)
            ),
        }


def _production(
    plan: TimelinePlan,
    draws: ChunkDraws,
    seed: int,
    blocks: list[tuple[int, int, int]],
    sampling: Sampling,
) -> Arrays:
    """Days per deliverable of every pool slot, from the pool's own stream (quantity id 201),
    and of every named creator, from theirs (with their pool's production time)."""

    def days_of(pool: str, streams: list[tuple[int, int]]) -> np.ndarray:
        """Days of ``pool``'s production time for the rows of each (stream, rows)."""
        days = plan.production[pool]
        rows = sum(count for _, count in streams)
        if days.is_fixed:
            return np.full((rows, draws.campaigns), days.mean())
        u = [
            uniforms(seed, blocks, stream, "production_days", count, sampling=sampling)
            for stream, count in streams
        ]
        return days.sampler()(np.vstack(u))

    out = {
        pool: days_of(pool, [(pool_stream(pool), a.fee.shape[0])])
        for pool, a in draws.pools.items()
    }
    for pool, named in draws.creators.items():
        assert named.named is not None
        out[f"@{pool}"] = days_of(pool, [(creator_stream(h), 1) for h in named.named.handles])
    return out


def timeline_kernel(
    scenario: Scenario,
    plan: TimelinePlan,
    layout: Layout,
    seed: int,
    sampling: Sampling,
    chunk: Chunk,
) -> dict[Hashable, np.ndarray]:
    """The runner's kernel: ``{(strategy, "daily" | "total", metric): array}`` of one chunk;
    daily series are (campaigns, horizon), totals (campaigns,)."""
    blocks = chunk.block_list
    draws = draw_chunk(scenario, layout, seed, blocks, sampling=sampling)
    production = _production(plan, draws, seed, blocks, sampling)
    out: dict[Hashable, np.ndarray] = {}
    for name, (daily, totals) in chunk_timeline(scenario, plan, draws, production).items():
        out.update({(name, "daily", key): array for key, array in daily.items()})
        out.update({(name, "total", key): array for key, array in totals.items()})
    return out


def simulate_timeline(
    scenario: Scenario,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    plan: TimelinePlan | None = None,
    chunk_size: int = BLOCK,
    workers: int = 1,
    executor: Executor | str | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> TimelineResult:
    """Run ``campaigns`` campaigns of every strategy on the calendar (defaults: the scenario's).

    ``plan`` defaults to the scenario's timeline section. Chunks of whole seed blocks run on
    the ``executor`` (serial, processes, dask; ``workers``: 0 = every core); the numbers do not
    depend on ``chunk_size``, ``workers`` or the executor. Sampling is the scenario's
    ``simulation.sampling``. Memory: 3 daily series x horizon x 8 bytes per campaign and
    strategy, checked before anything is drawn (:mod:`campaign_sim.engine.limits`).
    """
    plan = timeline_plan(scenario) if plan is None else plan
    with run_settings(
        scenario,
        campaigns=campaigns,
        seed=seed,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        usage="timeline",
        timeline=plan,
    ) as run:
        kernel = partial(
            timeline_kernel, scenario, plan, Layout.of(scenario), run.seed, run.sampling
        )
        arrays = run.collect(kernel, progress=progress)
        names = [s.name for s in scenario.strategies]
        series = {name: {m: arrays[name, "daily", m] for m in SERIES} for name in names}
        keys = [key for key in arrays if isinstance(key, tuple) and key[1] == "total"]
        totals = {name: {key[2]: arrays[key] for key in keys if key[0] == name} for name in names}
        campaigns, seed = run.campaigns, run.seed
        return TimelineResult(
            strategies=tuple(names),
            labels={s.name: s.label for s in scenario.strategies},
            campaigns=campaigns,
            seed=seed,
            plan=plan,
            gross_margin=scenario.gross_margin,
            series=series,
            totals=totals,
        )
