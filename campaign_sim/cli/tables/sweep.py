"""Terminal tables (rich) for sweeps: each plan's return and risk, and the best plan."""

from __future__ import annotations

from typing import Any

import pandas as pd
from rich.console import Console

from campaign_sim.analysis.frontier import Best, Goal, interval
from campaign_sim.cli.tables.layout import Cell, Col, Grid, Paragraph, band, dotted, with_interval
from campaign_sim.cli.tables.summary import fmt

__all__ = ["best_text", "sweep_table"]


def _metric(column: str) -> str:
    """The metric a column is about, for formatting (``roi_mean`` -> ``roi``)."""
    if column.startswith("prob_"):
        return "prob"
    return column.split("_")[0]


def _with_ci(row: Any, column: str) -> Cell:
    """The value and, where the table has its bounds, its 95% CI below or beside it."""
    metric = _metric(column)
    bounds = interval(row, column)
    text = fmt(row[column], metric)
    if bounds is None:
        return text
    return with_interval(text, fmt(bounds[0], metric), fmt(bounds[1], metric))


def _setting(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


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
    out = Grid(
        [
            *(Col(dotted(a, 24), short=dotted(a, 10), justify="left", key=True) for a in axes),
            Col("strategy", justify="left", key=True, text=True, floor=12),
            Col("frontier", short="*", justify="center", key=True),
            Col("mean ROI [95% CI]", short="mean ROI\n[95% CI]"),
            Col("ROI P5 – P95", short="ROI\nP5 – P95"),
            Col("mean profit [95% CI]", short="mean profit\n[95% CI]"),
            Col("P(loss) [95% CI]", short="P(loss)\n[95% CI]"),
            Col("expected shortfall", short="expected\nshortfall"),
        ],
        title=f"Sweep: {table['point'].nunique()} points x {table['strategy'].nunique()} "
        f"strategies, {int(table['campaigns'].iloc[0]):,} campaigns each, money in {currency}",
        caption=f"* Pareto-efficient for {ret.column} against {risk.column}: no other plan has "
        "more return at no more risk. Brackets: estimate intervals (95%); P5 – P95: outcome "
        "interval.",
    )
    for index, row in table.iterrows():
        out.add_row(
            *(_setting(row[a]) for a in axes),
            str(row["strategy"]),
            "*" if efficient[index] else "",
            _with_ci(row, "roi_mean"),
            band(fmt(row["roi_p5"], "roi"), fmt(row["roi_p95"], "roi")),
            _with_ci(row, "profit_mean"),
            _with_ci(row, "prob_loss"),
            fmt(row["expected_shortfall"]),
        )
    out.print(console)


def best_text(best: Best, currency: str) -> Paragraph:
    """One paragraph: the best plan, its objective with CI, and each limit with its CI (printed,
    it wraps between words, never inside an interval)."""
    goal = f"{'maximise' if best.goal.maximise else 'minimise'} {best.goal.column}"
    limits = " and ".join(str(limit) for limit in best.limits) or "no risk limit"
    if best.point is None:
        return Paragraph(
            f"Best plan ({goal}, {limits}): none of the {best.candidates} plans meets the "
            "limits. Loosen a limit or widen the sweep."
        )
    metric = _metric(best.goal.column)
    settings = ", ".join(f"{k} = {_setting(v)}" for k, v in best.settings.items())
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
    return Paragraph(text + f". Money in {currency}.")
