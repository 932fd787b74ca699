"""The plan preview in the terminal: a table per strategy, fitted to the width (layout.py)."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console

from campaign_sim.cli.tables.layout import Cell, Col, Grid, Paragraph

__all__ = ["plan_tables"]


def _money(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:,.0f}"


def _count(value: float) -> str:
    if math.isnan(value):
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _spread(row: Any, name: str, show: Any) -> Cell:
    """The mean and, where it varies, its P5 – P95 beside it (below it when narrow)."""
    mean, low, high = row[f"{name}_mean"], row[f"{name}_p5"], row[f"{name}_p95"]
    if low == high:
        return show(mean)
    return show(mean), f"[{show(low)} – {show(high)}]"


def plan_tables(preview: Any, console: Console) -> None:
    """Per strategy: each group's hires, fees, overhead and reach; the total against the
    budget. Money in the scenario's currency, per campaign: mean [P5 – P95]."""
    currency = preview.scenario.currency
    for strategy in preview.strategies.itertuples(index=False):
        rows = preview.groups[preview.groups["strategy"] == strategy.strategy]
        table = Grid(
            [
                Col("group", justify="left", key=True, text=True, floor=14),
                *(Col(c) for c in ("creators", "posts", "fees", "overhead", "reach")),
            ],
            title=f"{strategy.label} ({strategy.strategy}), {currency} per campaign",
        )
        for row in rows.to_dict(orient="records"):
            hiring = "count" if row["hiring"] == "count" else f"budget {_money(row['fee_budget'])}"
            table.add_row(
                f"{row['group']}\n{hiring}",
                _spread(row, "creators", _count),
                _count(row["deliverables_mean"]),
                _spread(row, "fees", _money),
                _money(row["overhead_mean"]),
                _count(round(row["reach_mean"])),
            )
        table.print(console)
        total = f"{_money(strategy.total_mean)} [{_money(strategy.total_p5)} – "
        total += f"{_money(strategy.total_p95)}]"
        lines = [
            f"fees {_money(strategy.fees_mean)} + overhead {_money(strategy.overhead_mean)} "
            f"+ fixed cost {_money(strategy.fixed_cost)} = {total}",
        ]
        if not math.isnan(strategy.budget):
            lines += [
                f"budget {_money(strategy.budget)} covers fees only: fees pass it in "
                f"{strategy.prob_fees_over_budget:.0%} of campaigns,",
                f"fees + overhead + fixed cost in {strategy.prob_total_over_budget:.0%}.",
            ]
        for line in lines:
            console.print(Paragraph(line))
        console.print()
    console.print(
        Paragraph(
            f"Means and P5 – P95 over the first {preview.campaigns:,} campaigns of seed "
            f"{preview.seed}, drawn by the engine itself."
        )
    )
