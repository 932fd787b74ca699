"""Terminal tables (rich) for a timeline run: the summary and the weekly profit fan."""

from __future__ import annotations

import math

import numpy as np
from rich.console import Console
from rich.table import Table

from .tables import fmt
from .timeline_result import TimelineResult

__all__ = ["timeline_tables"]


def _band(values: np.ndarray, metric: str = "") -> str:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return "n/a"
    p5, p95 = np.percentile(finite, [5, 95])
    return f"{fmt(float(p5), metric)} – {fmt(float(p95), metric)}"


def _mean(values: np.ndarray, metric: str = "") -> str:
    finite = values[np.isfinite(values)]
    return fmt(float(finite.mean()), metric) if finite.size else "n/a"


def timeline_tables(result: TimelineResult, currency: str, console: Console) -> None:
    """Per strategy: ROI and profit at the horizon, payback, lost deliverables, the team's
    load; then the cumulative profit at the end of each week (mean and P5 – P95)."""
    plan = result.plan
    team = "unlimited managers" if plan.managers is None else f"{plan.managers} manager(s)"
    table = Table(
        title=f"Timeline — {result.campaigns:,} campaigns, {plan.window_days}-day window, "
        f"{plan.attribution_days}-day attribution, {team}, money in {currency}",
        title_justify="left",
    )
    for column in ("", *result.strategies):
        table.add_column(column, justify="left" if not column else "right")
    rows: list[tuple[str, ...]] = []

    def row(label: str, cell) -> None:
        rows.append((label, *(cell(name) for name in result.strategies)))

    totals = result.totals
    row("ROI mean (horizon)", lambda s: _mean(totals[s]["roi"], "roi"))
    row("ROI P5 – P95", lambda s: _band(totals[s]["roi"], "roi"))
    row("profit mean", lambda s: _mean(totals[s]["profit"]))
    row("never pays back", lambda s: fmt(result.payback(s)["never_share"], "prob"))
    row("payback day, median", lambda s: fmt(result.payback(s)["p50_day"]))
    row("payback day P5 – P95", lambda s: _band(totals[s]["payback_day"]))
    row("deliverables contracted", lambda s: _mean(totals[s]["deliverables"]))
    row("lost to the window", lambda s: _mean(totals[s]["lost"]))
    row("lost share", lambda s: _mean(totals[s]["lost_share"], "prob"))
    row(
        "last post day, median",
        lambda s: fmt(
            float(np.nanmedian(totals[s]["last_post_day"]))
            if np.isfinite(totals[s]["last_post_day"]).any()
            else math.nan
        ),
    )
    row("manager-hours", lambda s: _mean(totals[s]["manager_hours"]))
    row("manager utilisation", lambda s: _mean(totals[s]["manager_utilisation"], "prob"))
    for cells in rows:
        table.add_row(*cells)
    table.caption = (
        "Payback day: from then on cumulative profit stays >= 0; "
        "P5 – P95 is the outcome interval over campaigns."
    )
    console.print(table)

    fan = Table(
        title=f"Cumulative profit ({currency}) at the end of each week: mean [P5 – P95]",
        title_justify="left",
    )
    fan.add_column("day", justify="right")
    for name in result.strategies:
        fan.add_column(name, justify="right")
    days = sorted({*range(6, result.horizon_days, 7), result.horizon_days - 1})
    profit = {name: result.daily(name, "profit") for name in result.strategies}
    for day in days:
        fan.add_row(
            str(day),
            *(
                f"{fmt(float(profit[n][:, day].mean()))} [{_band(profit[n][:, day])}]"
                for n in result.strategies
            ),
        )
    console.print(fan)
