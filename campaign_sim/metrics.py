"""The one list of metrics: name, unit kind, direction, where each is reported.

Everything that names metrics derives from :data:`METRICS`: the vectorized engine's outcomes,
the statistics tables and sweeps report, what a comparison pairs (and which way is "better"),
the timeline totals a sweep reports, terminal and report formatting, and the label keys of
the report languages (``metric.<name>`` in ``campaign_sim/reports/locales/*.yaml``).
To add a metric: compute it in the engine, add a :class:`Metric` here, add its label to every
locale file (a test checks that every language has every key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COMPARED",
    "ENGINE_OUTCOMES",
    "METRICS",
    "REPORTED",
    "TIMELINE_REPORTED",
    "Kind",
    "Metric",
    "better",
    "check_outcome",
    "kind_of",
    "outcomes_for",
    "reported_for",
    "MECHANISMS",
]

#: money: currency; fraction: shown as %; count: whole things (people, orders, days);
#: ratio: a plain number such as ROAS.
Kind = Literal["money", "fraction", "count", "ratio"]


@dataclass(frozen=True)
class Metric:
    """A per-campaign outcome."""

    name: str
    kind: Kind
    unit: str  # what one value means, with its unit
    higher_is_better: bool | None = None  # None: neither way is better (creators hired)
    engine: bool = False  # an outcome of the vectorized engine (per campaign)
    reported: bool = False  # in summary tables and sweeps
    compared: bool = False  # in a paired comparison of two strategies
    timeline: bool = False  # a timeline total that sweeps report
    needs: str | None = None  # shown only when the scenario uses this mechanism (MECHANISMS)

    @property
    def label_key(self) -> str:
        """The key of its label in the report languages."""
        return f"metric.{self.name}"

    @property
    def direction(self) -> str:
        """``higher``, ``lower`` or ``neither``: which way is better."""
        if self.higher_is_better is None:
            return "neither"
        return "higher" if self.higher_is_better else "lower"


def _metrics(*metrics: Metric) -> dict[str, Metric]:
    return {m.name: m for m in metrics}


#: Every metric, in the order tables show them.
METRICS: dict[str, Metric] = _metrics(
    Metric(
        "roi",
        "fraction",
        "fraction: (gross profit - cost) / cost, on first purchases",
        True,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric(
        "roas",
        "ratio",
        "revenue / cost, first purchases",
        True,
        engine=True,
        reported=True,
        timeline=True,
    ),
    Metric(
        "profit",
        "money",
        "currency: gross profit - cost, first purchases",
        True,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric(
        "revenue",
        "money",
        "currency: first purchases the campaign caused",
        True,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric("gross_profit", "money", "currency", True, engine=True),
    Metric(
        "cost",
        "money",
        "currency",
        False,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric(
        "conversions",
        "count",
        "first orders the campaign caused",
        True,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric(
        "engagements",
        "count",
        "engagements, direct and amplified",
        True,
        engine=True,
        reported=True,
        timeline=True,
    ),
    Metric(
        "reach",
        "count",
        "people reached, summed over deliverables, direct and amplified",
        True,
        engine=True,
        reported=True,
        timeline=True,
    ),
    Metric("cpm", "money", "currency per 1,000 reached", False, engine=True, reported=True),
    Metric("cpe", "money", "currency per engagement", False, engine=True, reported=True),
    Metric("cpa", "money", "currency per order", False, engine=True, reported=True),
    Metric("creators", "count", "creators hired", None, engine=True, reported=True),
    Metric("delivered", "count", "creators who delivered", True, engine=True),
    # The funnel past first attributed orders (docs/model.md, Beyond first purchases).
    Metric(
        "amplified_reach",
        "count",
        "people reached by shares and user posts",
        True,
        engine=True,
        reported=True,
        needs="amplification",
    ),
    Metric(
        "amplified_engagements",
        "count",
        "engagements from shares and user posts",
        True,
        engine=True,
        reported=True,
        needs="amplification",
    ),
    Metric(
        "amplified_orders",
        "count",
        "first orders caused through shares and user posts",
        True,
        engine=True,
        reported=True,
        needs="amplification",
    ),
    Metric(
        "unique_reach",
        "count",
        "different people reached at least once",
        True,
        engine=True,
        reported=True,
        needs="unique_reach",
    ),
    Metric(
        "frequency",
        "ratio",
        "times each person reached saw the content: reach / unique reach",
        None,
        engine=True,
        reported=True,
        needs="unique_reach",
    ),
    Metric(
        "cpm_unique",
        "money",
        "currency per 1,000 different people reached",
        False,
        engine=True,
        reported=True,
        needs="unique_reach",
    ),
    Metric(
        "attributed_orders",
        "count",
        "first orders tracking attributes to the campaign",
        None,
        engine=True,
        reported=True,
        needs="attribution",
    ),
    Metric(
        "attributed_revenue",
        "money",
        "currency: revenue of attributed first orders",
        None,
        engine=True,
        reported=True,
        needs="attribution",
    ),
    Metric(
        "repeat_orders",
        "count",
        "repeat orders of the new customers over the horizon",
        True,
        engine=True,
        reported=True,
        needs="repeat",
    ),
    Metric(
        "revenue_horizon",
        "money",
        "currency: first purchases and discounted repeat revenue over the horizon",
        True,
        engine=True,
        reported=True,
        compared=True,
        needs="repeat",
    ),
    Metric(
        "profit_horizon",
        "money",
        "currency: gross profit over the horizon - cost",
        True,
        engine=True,
        reported=True,
        compared=True,
        needs="repeat",
    ),
    Metric(
        "roi_horizon",
        "fraction",
        "fraction: (gross profit over the horizon - cost) / cost",
        True,
        engine=True,
        reported=True,
        compared=True,
        needs="repeat",
    ),
    Metric(
        "fees",
        "money",
        "currency: creators' fees",
        False,
        engine=True,
        reported=True,
        needs="cost_lines",
    ),
    Metric(
        "commission",
        "money",
        "currency: agency commission on fees",
        False,
        engine=True,
        reported=True,
        needs="finance",
    ),
    Metric(
        "fee_tax",
        "money",
        "currency: tax on fees",
        False,
        engine=True,
        reported=True,
        needs="finance",
    ),
    Metric(
        "product_cost",
        "money",
        "currency: product and shipping of gifted creators",
        False,
        engine=True,
        reported=True,
        needs="gifted",
    ),
    Metric(
        "gifted",
        "count",
        "creators on product-only deals",
        None,
        engine=True,
        reported=True,
        needs="gifted",
    ),
    Metric(
        "overhead_cost",
        "money",
        "currency: overhead and fixed cost",
        False,
        engine=True,
        reported=True,
        needs="cost_lines",
    ),
    # The timeline engine's own totals.
    Metric(
        "payback_day",
        "count",
        "day from which cumulative profit stays >= 0",
        False,
        timeline=True,
    ),
    Metric("lost_share", "fraction", "share of deliverables lost", False, timeline=True),
    Metric(
        "manager_utilisation",
        "fraction",
        "share of managers' hours used",
        None,
        timeline=True,
    ),
    Metric("posted", "count", "deliverables posted", True),
    Metric("lost", "count", "deliverables lost to the window", False),
    Metric("deliverables", "count", "deliverables contracted", None),
    Metric("last_post_day", "count", "day of the last post", False),
    Metric("manager_hours", "count", "manager-hours used", None),
)

#: What a metric may need the scenario to use before tables show it (Scenario.mechanisms).
MECHANISMS = (
    "amplification",
    "unique_reach",
    "attribution",
    "repeat",
    "finance",
    "gifted",
    "cost_lines",  # with finance or gifted: every cost line
)

#: Outcomes of the vectorized engine, with their units (the engine computes these).
ENGINE_OUTCOMES: dict[str, str] = {m.name: m.unit for m in METRICS.values() if m.engine}
#: Metrics of summary tables and sweeps.
REPORTED: tuple[str, ...] = tuple(m.name for m in METRICS.values() if m.reported)
#: Metrics a paired comparison reports.
COMPARED: tuple[str, ...] = tuple(m.name for m in METRICS.values() if m.compared)
#: Timeline totals a sweep on the timeline engine reports.
TIMELINE_REPORTED: tuple[str, ...] = tuple(m.name for m in METRICS.values() if m.timeline)


def reported_for(mechanisms: frozenset[str] | set[str]) -> tuple[str, ...]:
    """The metrics tables and sweeps report for a scenario using ``mechanisms``."""
    return tuple(
        m.name
        for m in METRICS.values()
        if m.reported and (m.needs is None or m.needs in mechanisms)
    )


def outcomes_for(mechanisms: frozenset[str] | set[str]) -> tuple[str, ...]:
    """The engine outcomes a run keeps for a scenario using ``mechanisms``."""
    return tuple(
        m.name for m in METRICS.values() if m.engine and (m.needs is None or m.needs in mechanisms)
    )


def kind_of(name: str) -> Kind:
    """The unit kind of metric ``name`` (count for names it does not know)."""
    metric = METRICS.get(name)
    return metric.kind if metric is not None else "count"


def better(name: str) -> bool:
    """True when a higher value of ``name`` is better or neither way is (P(A better) then
    means P(A > B)); False when lower is better (cost, CPM, CPE, CPA: P(A < B))."""
    metric = METRICS.get(name)
    return metric is None or metric.higher_is_better is not False


def check_outcome(name: object, argument: str = "output") -> str:
    """``name`` if it is an outcome of the engine, else an ArgumentError naming ``argument``
    with the closest outcome."""
    if isinstance(name, str) and name in ENGINE_OUTCOMES:
        return name
    from campaign_sim.errors import ArgumentError
    from campaign_sim.scenario.strict import suggest

    hint = suggest(name, ENGINE_OUTCOMES) if isinstance(name, str) else ""
    raise ArgumentError.of(
        argument, f"{name!r} is not an outcome{hint}; one of {', '.join(ENGINE_OUTCOMES)}"
    )
