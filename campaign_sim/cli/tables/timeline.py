"""Terminal tables (rich) for a timeline run: the summary and the weekly profit fan."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from rich.console import Console

from campaign_sim.analysis.timeline import TimelineResult
from campaign_sim.cli.tables.layout import Cell, Col, Grid, Paragraph, band
from campaign_sim.cli.tables.summary import fmt, metric_label, months_note
from campaign_sim.scenario.timeline import DAYS_PER_MONTH

__all__ = ["timeline_tables"]


def _finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


def _number(value: float, metric: str) -> str:
    if metric == "day":
        return "n/a" if math.isnan(value) else f"{value:.0f}"
    return fmt(value, metric)


def _band(values: np.ndarray, metric: str = "") -> Cell:
    """P5 – P95 of the finite values."""
    finite = _finite(values)
    if finite.size == 0:
        return "n/a"
    p5, p95 = np.percentile(finite, [5, 95])
    return band(_number(float(p5), metric), _number(float(p95), metric))


def _bracketed(values: np.ndarray, metric: str = "") -> str:
    """``[P5 – P95]`` of the finite values, one part."""
    return f"[{' '.join(_parts(_band(values, metric)))}]"


def _parts(cell: Cell) -> tuple[str, ...]:
    return (cell,) if isinstance(cell, str) else cell


def _mean(values: np.ndarray, metric: str = "") -> str:
    finite = _finite(values)
    return fmt(float(finite.mean()), metric) if finite.size else "n/a"


def _median_band(values: np.ndarray, metric: str = "day") -> Cell:
    finite = _finite(values)
    if finite.size == 0:
        return "n/a"
    return _number(float(np.median(finite)), metric), _bracketed(finite, metric)


def _paying(payback: np.ndarray) -> Cell:
    """How many campaigns the payback day's statistics rest on: ``n of N``."""
    return f"{int(np.isfinite(payback).sum()):,} of {payback.size:,}"


def timeline_tables(result: TimelineResult, currency: str, console: Console) -> None:
    """Per strategy: ROI and profit at the horizon, payback, lost deliverables, the team's
    load; then the cumulative profit at the end of each week (mean and P5 – P95)."""
    plan = result.plan
    team = "unlimited managers" if plan.managers is None else f"{plan.managers} manager(s)"
    console.print(
        Paragraph(
            f"Timeline: {result.campaigns:,} campaigns, {plan.window_days}-day window, "
            f"{plan.attribution_days}-day attribution, {team}; money in {currency}"
        )
    )
    table = Grid(
        [
            Col("", justify="left", key=True, text=True),
            *(Col(name, justify="right", text=False) for name in result.strategies),
        ]
    )
    totals = result.totals

    def row(label: Cell, cell: Callable[[str], Cell]) -> None:
        table.add_row(label, *(cell(name) for name in result.strategies))

    def ci(name: str, metric: str, kind: str) -> Cell:
        values = _finite(totals[name][metric])
        if values.size < 2:
            return _mean(values, kind)
        half = 1.96 * values.std(ddof=1) / math.sqrt(values.size)
        mean = float(values.mean())
        return fmt(mean, kind), f"({fmt(mean - half, kind)} – {fmt(mean + half, kind)})"

    def never(name: str) -> Cell:
        payback = result.payback(name)
        low, high = payback["never_share_ci"]
        share = payback["never_share"]
        return fmt(share, "prob"), f"({fmt(low, 'prob')} – {fmt(high, 'prob')})"

    # With repeat buyers: ROI on first purchases and over the horizon, side by side.
    horizon = all("roi_horizon" in totals[name] for name in result.strategies)
    months = plan.repeat_days // DAYS_PER_MONTH if horizon and plan.repeat_days else None
    sep = ":" if months is not None else ""  # "ROI mean"; "ROI, first purchases: mean"

    def label(metric: str) -> str:
        return metric_label(metric, months) + sep

    row((f"{label('roi')} mean", "(95% CI)"), lambda s: ci(s, "roi", "roi"))
    row(f"{label('roi')} P5 – P95", lambda s: _band(totals[s]["roi"], "roi"))
    if months is not None:
        row((f"{label('roi_horizon')} mean", "(95% CI)"), lambda s: ci(s, "roi_horizon", "roi"))
        row(f"{label('roi_horizon')} P5 – P95", lambda s: _band(totals[s]["roi_horizon"], "roi"))
    row((f"{label('profit')} mean", "(95% CI)"), lambda s: ci(s, "profit", ""))
    if months is not None:
        row((f"{label('profit_horizon')} mean", "(95% CI)"), lambda s: ci(s, "profit_horizon", ""))
    row(("never pays back", "(95% CI)"), never)
    row(("payback day: median", "[P5 – P95]"), lambda s: _median_band(totals[s]["payback_day"]))
    row(("campaigns that", "pay back"), lambda s: _paying(totals[s]["payback_day"]))
    row("deliverables contracted", lambda s: _mean(totals[s]["deliverables"]))
    row("lost to the window", lambda s: _mean(totals[s]["lost"]))
    row("lost share", lambda s: _mean(totals[s]["lost_share"], "prob"))
    row(("last post day: median", "[P5 – P95]"), lambda s: _median_band(totals[s]["last_post_day"]))
    row("manager-hours", lambda s: _mean(totals[s]["manager_hours"]))
    row("manager utilisation", lambda s: _mean(totals[s]["manager_utilisation"], "prob"))
    table.print(console)
    console.print(
        Paragraph(
            "Means over campaigns with their 95% CI (estimate interval); P5 – P95: outcome "
            "interval.\nPayback day: from then on cumulative profit stays >= 0 (among campaigns "
            "that pay back)."
            + (
                months_note(months) + " Payback and the weekly profit count repeat orders as "
                "cash, undiscounted, on their days."
                if months is not None
                else ""
            )
            + "\n"
        )
    )

    days = sorted({*range(6, result.horizon_days, 7), result.horizon_days - 1})
    profit = {name: result.daily(name, "profit") for name in result.strategies}
    fan = Grid(
        [
            Col("day", key=True),
            *(Col(name) for name in result.strategies),
        ],
        title=f"Cumulative profit ({currency}) at the end of each week: mean [P5 – P95] over "
        "campaigns",
    )
    for day in days:
        fan.add_row(
            str(day),
            *(
                (fmt(float(profit[n][:, day].mean())), _bracketed(profit[n][:, day]))
                for n in result.strategies
            ),
        )
    fan.print(console)
