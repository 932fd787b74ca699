"""Terminal tables (rich) for sweeps: each plan's return and risk, and the best plan."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from campaign_sim.analysis.frontier import Best, Goal, interval
from campaign_sim.cli.tables.summary import fmt

__all__ = ["best_text", "sweep_table"]


def _metric(column: str) -> str:
    """The metric a column is about, for formatting (``roi_mean`` -> ``roi``)."""
    if column.startswith("prob_"):
        return "prob"
    return column.split("_")[0]


def _with_ci(row: Any, column: str) -> str:
    metric = _metric(column)
    bounds = interval(row, column)
    text = fmt(row[column], metric)
    if bounds is None:
        return text
    return f"{text} [{fmt(bounds[0], metric)}, {fmt(bounds[1], metric)}]"


def sweep_table(
    frontier: pd.DataFrame,
    table: pd.DataFrame,
    axes: list[str],
    ret: Goal,
    risk: Goal,
    currency: str,
    console: Console,
) -> None:
    """A row per point and strategy, in sweep order, efficient plans starred."""
    efficient = frontier["efficient"].reindex(table.index)
    out = Table(
        title=f"Sweep: {table['point'].nunique()} points x {table['strategy'].nunique()} "
        f"strategies, {int(table['campaigns'].iloc[0]):,} campaigns each, money in {currency}",
        title_justify="left",
    )
    for column in (
        *axes,
        "strategy",
        "mean ROI [95% CI]",
        "ROI P5 – P95",
        "mean profit [95% CI]",
        "P(loss) [95% CI]",
        "expected shortfall",
        "frontier",
    ):
        out.add_column(column, justify="left" if column in (*axes, "strategy") else "right")
    for index, row in table.iterrows():
        out.add_row(
            *(f"{row[a]:g}" if isinstance(row[a], float) else str(row[a]) for a in axes),
            str(row["strategy"]),
            _with_ci(row, "roi_mean"),
            f"{fmt(row['roi_p5'], 'roi')} – {fmt(row['roi_p95'], 'roi')}",
            _with_ci(row, "profit_mean"),
            _with_ci(row, "prob_loss"),
            fmt(row["expected_shortfall"]),
            "*" if efficient[index] else "",
        )
    out.caption = (
        f"* Pareto-efficient for {ret.column} against {risk.column}: no other plan has more "
        "return at no more risk. Brackets: estimate intervals (95%); P5 – P95: outcome interval."
    )
    console.print(out)


def best_text(best: Best, currency: str) -> str:
    """One paragraph: the best plan, its objective with CI, and each limit with its CI."""
    goal = f"{'maximise' if best.goal.maximise else 'minimise'} {best.goal.column}"
    limits = " and ".join(str(limit) for limit in best.limits) or "no risk limit"
    if best.point is None:
        return (
            f"Best plan ({goal}, {limits}): none of the {best.candidates} plans meets the "
            "limits. Loosen a limit or widen the sweep."
        )
    metric = _metric(best.goal.column)
    settings = ", ".join(
        f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}" for k, v in best.settings.items()
    )
    text = (
        f"Best plan ({goal}, {limits}; {best.feasible} of {best.candidates} plans qualify): "
        f"strategy {best.strategy} at point {best.point} ({settings}): "
        f"{best.goal.column} = {fmt(best.value, metric)}"  # type: ignore[arg-type]
    )
    if best.value_interval is not None:
        low, high = best.value_interval
        text += f" [95% CI {fmt(low, metric)}, {fmt(high, metric)}]"
    for limit in best.limits:
        value = best.limit_values[limit.column]
        bounds = best.limit_intervals[limit.column]
        lm = _metric(limit.column)
        text += f"; {limit.column} = {fmt(value, lm)}"
        if bounds is not None:
            text += f" [95% CI {fmt(bounds[0], lm)}, {fmt(bounds[1], lm)}]"
            if not best.confident(limit):
                text += " (the limit is met by the estimate but not across its whole CI)"
    return text + f". Money in {currency}."
