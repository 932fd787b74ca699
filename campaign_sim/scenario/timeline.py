"""The timeline section of a scenario, resolved into what the timeline engine needs (MODEL.md §6).

Durations are in days: the engine's clock counts calendar days from the campaign start (day
0). Manager work is given in manager-hours and turned into days of one manager's time by the
hours a manager gives the campaign per day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from campaign_sim.errors import InputError, Problem
from campaign_sim.random import distributions as dist
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.schema import Timeline
from campaign_sim.scenario.strict import suggest

__all__ = ["TimelinePlan", "decay_weights", "lag_weights", "timeline_plan"]


@dataclass(frozen=True)
class TimelinePlan:
    """Everything the timeline engine reads, checked once against the scenario."""

    window_days: int  # posts go live on days 0 .. window_days - 1
    attribution_days: int  # conversions count on offsets 0 .. attribution_days - 1 of a post
    managers: int | None  # None: unlimited, nobody queues
    manager_hours_per_day: float  # hours a manager gives the campaign per day
    onboarding_days: float  # one manager's days per creator
    review_rounds: int  # per deliverable
    review_days: float  # one manager's days per round
    revision_days: float  # creator's days between rounds
    production: dict[str, dist.Distribution]  # pool (tier/platform) -> days per deliverable
    half_life_days: dict[str, float]  # platform -> engagement half-life (days)
    purchase_lag_days: float  # mean days from engagement to order
    fee_on_signing: float  # fraction of fees paid on day 0 (fees paid always)
    start_day: int  # no post before this day
    every_days: int  # posting days: start_day + i * every_days
    per_slot: int | None  # most posts per posting day; None: no limit
    repeat_days: int = 0  # days of repeat buying after the last first order (30 per month)

    @property
    def first_order_days(self) -> int:
        """Days in which first orders count: the last falls on day first_order_days - 1."""
        return self.window_days + self.attribution_days - 1

    @property
    def horizon_days(self) -> int:
        """Days of the daily series: first orders, then the repeat buyers' months."""
        return self.first_order_days + self.repeat_days

    def engagement_kernel(self, platform: str) -> np.ndarray:
        """Share of a post's engagements on each day after it goes live, over the horizon."""
        return decay_weights(self.half_life_days[platform], self.horizon_days)

    def conversion_kernel(self, platform: str) -> np.ndarray:
        """Share of a post's orders on each day after it goes live, cut at the attribution
        window: engagement decay convolved with the purchase lag (length attribution_days)."""
        days = self.attribution_days
        kernel = np.convolve(
            decay_weights(self.half_life_days[platform], days),
            lag_weights(self.purchase_lag_days, days),
        )
        return kernel[:days]


def decay_weights(half_life: float, days: int) -> np.ndarray:
    """Share of engagements on days 0 .. days - 1 after posting, exponential decay with
    ``half_life`` days (0: all on the day of posting); the shares over all days sum to 1."""
    if half_life == 0:
        return np.eye(1, days).ravel()
    q = 2.0 ** (-1.0 / half_life)
    return (1 - q) * q ** np.arange(days)


def lag_weights(mean: float, days: int) -> np.ndarray:
    """Probability that an order comes 0 .. days - 1 days after its engagement: geometric with
    the given mean (0: same day)."""
    if mean == 0:
        return np.eye(1, days).ravel()
    r = mean / (1 + mean)
    return (1 - r) * r ** np.arange(days)


def timeline_plan(scenario: Scenario, *, managers: int | None | str = "scenario") -> TimelinePlan:
    """Resolve ``scenario.model.timeline`` for the scenario's pools.

    ``managers`` overrides the scenario's team size (an int, or None for unlimited).
    """
    settings: Timeline = scenario.model.timeline
    problems: list[Problem] = []
    pools = {(g.tier, g.platform) for s in scenario.strategies for g in s.groups}
    tiers = {p.tier for p in scenario.priors}
    platforms = {p.platform for p in scenario.priors if p.platform is not None}
    production = _resolve_production(settings, pools, tiers, platforms, problems)
    half_life = _resolve_half_life(settings, pools, platforms, problems)
    if problems:
        raise InputError(scenario.source, problems)
    team = settings.managers if managers == "scenario" else managers
    hours = settings.manager_hours_per_day
    return TimelinePlan(
        window_days=settings.window_days,
        attribution_days=settings.attribution_days,
        managers=None if team in (None, "unlimited") else int(team),  # type: ignore[arg-type]
        manager_hours_per_day=hours,
        onboarding_days=settings.onboarding_hours / hours,
        review_rounds=settings.review_rounds,
        review_days=settings.review_hours / hours,
        revision_days=settings.revision_days,
        production=production,
        half_life_days=half_life,
        purchase_lag_days=settings.purchase_lag_days,
        fee_on_signing=settings.fee_on_signing,
        start_day=settings.posting.start_day,
        every_days=settings.posting.every_days,
        per_slot=None if settings.posting.per_slot == "unlimited" else settings.posting.per_slot,
        repeat_days=0
        if scenario.funnel.repeat is None
        else DAYS_PER_MONTH * scenario.funnel.repeat.months,
    )


#: A month of repeat buying on the calendar (docs/timeline.md, Repeat buyers).
DAYS_PER_MONTH = 30


def _resolve_production(
    settings: Timeline,
    pools: set[tuple[str, str]],
    tiers: set[str],
    platforms: set[str],
    problems: list[Problem],
) -> dict[str, dist.Distribution]:
    table = settings.production_days
    user_set = "production_days" in settings.model_fields_set
    built: dict[str, dist.Distribution] = {}
    for key, spec in table.items():
        path = f"timeline.production_days.{key}"
        tier, _, platform = key.partition("/")
        if user_set and key != "default":
            if tier not in tiers:
                problems.append(
                    Problem(
                        path,
                        f"no tier '{tier}'{suggest(tier, tiers)}; tiers: "
                        f"{', '.join(sorted(tiers))} (keys: default, tier, tier/platform)",
                    )
                )
                continue
            if platform and platform not in platforms:
                problems.append(
                    Problem(
                        path,
                        f"no platform '{platform}'{suggest(platform, platforms)}; "
                        f"platforms: {', '.join(sorted(platforms))}",
                    )
                )
                continue
        try:
            built[key] = spec.build()
        except dist.FitError as exc:
            problems.append(Problem(path, str(exc)))
            continue
        if built[key].support()[0] < 0:
            problems.append(
                Problem(
                    path,
                    f"a production time cannot be negative, but "
                    f"{built[key].describe()} goes down to {built[key].support()[0]:g}",
                )
            )
    out = {}
    for tier, platform in sorted(pools):
        for key in (f"{tier}/{platform}", tier, "default"):
            if key in built:
                out[f"{tier}/{platform}"] = built[key]
                break
        else:
            if not any(p.path.startswith("timeline.production_days") for p in problems):
                problems.append(
                    Problem(
                        "timeline.production_days",
                        f"no production time for "
                        f"{tier}/{platform}: add a `default` key or `{tier}/{platform}`",
                    )
                )
    return out


def _resolve_half_life(
    settings: Timeline, pools: set[tuple[str, str]], platforms: set[str], problems: list[Problem]
) -> dict[str, float]:
    table = settings.half_life_days
    if "half_life_days" in settings.model_fields_set:
        for key in table:
            if key != "default" and key not in platforms:
                problems.append(
                    Problem(
                        f"timeline.half_life_days.{key}",
                        f"no platform '{key}'{suggest(key, platforms)}; platforms: "
                        f"{', '.join(sorted(platforms))} (or default)",
                    )
                )
    out = {}
    for _, platform in sorted(pools):
        value = table.get(platform, table.get("default"))
        if value is None:
            problems.append(
                Problem(
                    "timeline.half_life_days",
                    f"no half-life for platform {platform}: add it or a `default` key",
                )
            )
        else:
            out[platform] = float(value)
    return out
