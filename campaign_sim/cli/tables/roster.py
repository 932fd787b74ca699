"""The ranked roster in the terminal: a table per strategy of what each named creator brings
(:func:`campaign_sim.analysis.roster.creator_table`), fitted to the width (layout.py)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from rich.console import Console

from campaign_sim.analysis.roster import NOTES, REST
from campaign_sim.cli.tables.layout import Cell, Col, Grid, Paragraph, band
from campaign_sim.cli.tables.summary import fmt

__all__ = ["roster_tables"]


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _money(value: Any) -> str:
    if _missing(value):
        return "–"
    if math.isinf(value):
        return "∞"
    return fmt(float(value))


def _prob(value: Any) -> str:
    return "–" if _missing(value) else fmt(float(value), "prob")


def _with_se(value: str, se: Any, show: Any) -> Cell:
    """A value and its Monte Carlo standard error (``± se``) as two parts."""
    if value == "–" or _missing(se) or se == 0:
        return value
    return value, f"± {show(se)}"


def _spread(low: Any, high: Any, show: Any) -> Cell:
    if _missing(low) or _missing(high):
        return "–"
    return show(low) if low == high else band(show(low), show(high))


def _count(value: Any) -> str:
    if _missing(value):
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _who(row: dict) -> str:
    """@handle, pool and, when not booked in every campaign, how often."""
    lines = [f"@{row['creator']}", str(row["pool"])]
    if not _missing(row["booked"]) and row["booked"] == 0:
        lines.append("never booked")
    elif not _missing(row["booked"]) and row["booked"] < 1:
        lines.append(f"booked {_prob(row['booked'])}")
    return "\n".join(lines)


def roster_tables(
    frame: pd.DataFrame,
    labels: dict[str, str],
    currency: str,
    campaigns: int,
    console: Console,
) -> None:
    """Per strategy of ``frame`` (:func:`~campaign_sim.analysis.roster.roster_frame`): the
    named creators ranked by mean profit, then the rest of the strategy; per campaign: orders,
    cost and profit (mean, P5 – P95), P(payback), CPA, CPE and risk share; under a creator's
    pool, the share of campaigns they are booked in when it is not all."""
    for name, rows in frame.groupby("strategy", sort=False):
        label = labels.get(str(name), str(name))
        table = Grid(
            [
                Col("#", key=True),
                Col("creator\npool", justify="left", key=True, text=True, floor=12),
                Col("orders\nmean", stack="orders"),
                Col("orders\nP5 – P95", short="P5 –\nP95", stack="orders"),
                Col("cost\nmean"),
                Col("profit\nmean", stack="profit"),
                Col("profit\nP5 – P95", short="P5 –\nP95", stack="profit"),
                Col("P(pay-\nback)"),
                Col("CPA", stack="ratios"),
                Col("CPE", stack="ratios"),
                Col("risk\nshare"),
            ],
            title=f"{label} ({name}): named creators by mean profit; {campaigns:,} campaigns, "
            f"money in {currency} per campaign",
        )
        for row in rows.to_dict("records"):
            rest = row["creator"] == REST
            table.add_row(
                "" if _missing(row["rank"]) else str(row["rank"]),
                "rest of strategy" if rest else _who(row),
                "" if rest else _count(row["orders_mean"]),
                "" if rest else _spread(row["orders_p5"], row["orders_p95"], _count),
                _money(row["cost_mean"]),
                _with_se(_money(row["profit_mean"]), row["profit_mean_se"], _money),
                _spread(row["profit_p5"], row["profit_p95"], _money),
                "" if rest else _with_se(_prob(row["p_payback"]), row["p_payback_se"], _prob),
                "" if rest else _money(row["cpa"]),
                "" if rest else _money(row["cpe"]),
                _with_se(_prob(row["risk_share"]), row["risk_share_se"], _prob),
            )
        table.print(console)
        if rows["risk_share"].isna().all():
            console.print(Paragraph(NOTES["no_variance"]))
        console.print()
    console.print(
        Paragraph(
            "Means and P5 – P95 (outcome intervals) are over every campaign, 0 where a creator "
            "is not booked (booked: the share of campaigns a budget books them in, when not "
            "all); ± is the Monte Carlo standard error. Rest of strategy: its tier groups and "
            "fixed cost. "
            + " ".join(NOTES[k] for k in ("payback", "ratios", "shares"))
            .replace("inf:", "∞:")
            .replace("empty:", "–:")
        )
    )
