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
    """Per strategy: each group's hires, fees (with their commission and tax, and gifted
    creators' product cost, when the scenario has them), overhead and reach; then the cost
    lines against the budget. Money in the scenario's currency, per campaign: mean [P5 – P95]."""
    scenario = preview.scenario
    currency = scenario.currency
    finance = "finance" in scenario.mechanisms
    gifted = "gifted" in scenario.mechanisms
    for strategy in preview.strategies.itertuples(index=False):
        rows = preview.groups[preview.groups["strategy"] == strategy.strategy]
        table = Grid(
            [
                Col("group", justify="left", key=True, text=True, floor=14),
                *(Col(c) for c in ("creators", "posts", "fees")),
                *([Col("commission\n+ tax")] if finance else []),
                *([Col("gifted"), Col("gifted\nproduct")] if gifted else []),
                *(Col(c) for c in ("overhead", "reach")),
            ],
            title=f"{strategy.label} ({strategy.strategy}), {currency} per campaign",
        )
        for row in rows.to_dict(orient="records"):
            hiring = {
                "count": "count",
                "named": "named",
                "budget": f"budget {_money(row['fee_budget'])}",
                "booked": f"booked within {_money(row['fee_budget'])}",
            }[row["hiring"]]
            table.add_row(
                f"{row['group']}\n{hiring}",
                _spread(row, "creators", _count),
                _count(row["deliverables_mean"]),
                _spread(row, "fees", _money),
                *([_money(row["commission_mean"] + row["fee_tax_mean"])] if finance else []),
                *([_count(row["gifted_mean"]), _money(row["product_mean"])] if gifted else []),
                _money(row["overhead_mean"]),
                _count(round(row["reach_mean"])),
            )
        table.print(console)
        _cost_lines(strategy, finance, gifted, console)
        console.print()
    console.print(
        Paragraph(
            f"Means and P5 – P95 over the first {preview.campaigns:,} campaigns of seed "
            f"{preview.seed}, drawn by the engine itself."
        )
    )


def _cost_lines(strategy: Any, finance: bool, gifted: bool, console: Console) -> None:
    """The strategy's cost lines: what its budget buys (fees, with their commission and tax,
    and gifted creators' product), then overhead and the fixed cost; how often each passes
    the budget."""
    total = f"{_money(strategy.total_mean)} [{_money(strategy.total_p5)} – "
    total += f"{_money(strategy.total_p95)}]"
    if not (finance or gifted):
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
        return
    bought = ["fees", *(["commission", "tax"] if finance else [])]
    bought += ["gifted product"] if gifted else []
    buys = f"{', '.join(bought[:-1])} and {bought[-1]}"
    table = Grid(
        [
            Col("cost line", justify="left", key=True, text=True),
            Col("mean [P5 – P95]", short="mean\n[P5 – P95]"),
        ],
        title=f"Cost lines per campaign: the budget buys {buys}; overhead and the fixed cost "
        "come on top",
    )
    table.add_row("fees", _money(strategy.fees_mean))
    if finance:
        table.add_row("+ agency commission", _money(strategy.commission_mean))
        table.add_row("+ tax on fees", _money(strategy.fee_tax_mean))
    if gifted:
        table.add_row("+ gifted product", _money(strategy.product_mean))
    table.add_row(
        "= what the budget buys",
        (_money(strategy.buys_mean), f"[{_money(strategy.buys_p5)} – {_money(strategy.buys_p95)}]"),
    )
    table.add_row("+ overhead", _money(strategy.overhead_mean))
    table.add_row("+ fixed cost", _money(strategy.fixed_cost))
    table.add_row("= cost", tuple(total.split(" ", 1)))
    table.print(console)
    if not math.isnan(strategy.budget):
        for line in (
            f"budget {_money(strategy.budget)} covers {buys}: they pass it in "
            f"{strategy.prob_fees_over_budget:.0%} of campaigns,",
            f"with overhead and fixed cost in {strategy.prob_total_over_budget:.0%}.",
        ):
            console.print(Paragraph(line))
