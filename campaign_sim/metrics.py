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
        "fraction: (gross profit - cost) / cost",
        True,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric("roas", "ratio", "revenue / cost", True, engine=True, reported=True, timeline=True),
    Metric(
        "profit",
        "money",
        "currency: gross profit - cost",
        True,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric(
        "revenue",
        "money",
        "currency",
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
        "orders",
        True,
        engine=True,
        reported=True,
        compared=True,
        timeline=True,
    ),
    Metric("engagements", "count", "engagements", True, engine=True, reported=True, timeline=True),
    Metric(
        "reach",
        "count",
        "people reached, summed over deliverables",
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

#: Outcomes of the vectorized engine, with their units (the engine computes these).
ENGINE_OUTCOMES: dict[str, str] = {m.name: m.unit for m in METRICS.values() if m.engine}
#: Metrics of summary tables and sweeps.
REPORTED: tuple[str, ...] = tuple(m.name for m in METRICS.values() if m.reported)
#: Metrics a paired comparison reports.
COMPARED: tuple[str, ...] = tuple(m.name for m in METRICS.values() if m.compared)
#: Timeline totals a sweep on the timeline engine reports.
TIMELINE_REPORTED: tuple[str, ...] = tuple(m.name for m in METRICS.values() if m.timeline)


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
