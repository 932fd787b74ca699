"""The optimiser's answer in the terminal: the plan, in-sample against fresh campaigns, the
plans compared, the frontier, the assumption settings, then the answer in words."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console

from campaign_sim.cli.tables.layout import Col, Grid, Paragraph, band
from campaign_sim.optimize.run import OptimizeResult
from campaign_sim.optimize.summary import headline, value_text

__all__ = ["optimize_tables"]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def optimize_tables(result: OptimizeResult, console: Console) -> None:
    """Every table of an optimisation, fitted to the console's width."""
    _plan(result, console)
    _in_and_out(result, console)
    _compared(result, console)
    if len(result.frontier) > 1:
        _frontier(result, console)
    if len(result.robustness):
        _robustness(result, console)
    if result.timeline is not None:
        _timeline(result, console)
    for line in headline(result):
        console.print(Paragraph(line))


def _plan(result: OptimizeResult, console: Console) -> None:
    currency = result.scenario.currency
    table = Grid(
        [
            Col("decision", justify="left", key=True, text=True),
            Col("plan"),
            Col(f"expected fees\n({currency})", short="fees"),
        ],
        title=f"Chosen plan: {result.label}",
    )
    for row in result.plan_frame().to_dict("records"):
        if row["kind"] == "share":
            level = f"{row['share']:.0%} of budget"
            fees = f"{row['budget']:,.0f}"
        elif row["kind"] == "creator":
            level = "book" if row["level"] else "—"
            fees = f"{row['expected_fees']:,.0f}"
        else:
            level = f"{row['level']:,}"
            fees = f"{row['expected_fees']:,.0f}"
        table.add_row(row["decision"], level, fees)
    table.print(console)


def _in_and_out(result: OptimizeResult, console: Console) -> None:
    chosen = result.judged.iloc[0]
    table = Grid(
        [
            Col("statistic", justify="left", key=True, text=True),
            Col(f"in-sample\n({result.campaigns:,})", short="in-\nsample"),
            Col(f"fresh campaigns\n({result.fresh_campaigns:,})", short="fresh"),
            Col("fresh 95% CI", short="95% CI"),
        ],
        title="The chosen plan: in-sample (searched on) against fresh campaigns",
    )
    for stat in result.problem.statistics:
        name = stat.name
        table.add_row(
            name,
            value_text(stat, result.chosen.estimates[name]),
            value_text(stat, chosen[name]),
            band(
                value_text(stat, chosen[f"{name}_ci_low"]),
                value_text(stat, chosen[f"{name}_ci_high"]),
            ),
        )
    table.print(console)


def _compared(result: OptimizeResult, console: Console) -> None:
    problem = result.problem
    objective = problem.objective
    table = Grid(
        [
            Col("plan", justify="left", key=True, text=True, floor=16),
            Col("role", justify="left", text=True, floor=8),
            Col(objective.name, short="obj."),
            Col("P(loss)"),
            Col("minus chosen\n± 95%", short="diff."),
            Col("tied"),
        ],
        title=f"Plans on the same {result.fresh_campaigns:,} fresh campaigns (paired)",
    )
    risk = next(s for s in problem.statistics if s.name == "prob_loss")
    for row in result.judged.to_dict("records"):
        first = row["role"] == "chosen"
        sign = "+" if row["difference"] >= 0 else ""
        shown = f"{sign}{value_text(objective, row['difference'])}"
        diff = "" if first else (shown, f"± {value_text(objective, 1.96 * row['difference_se'])}")
        table.add_row(
            row["plan"],
            row["role"],
            value_text(objective, row[objective.name]),
            value_text(risk, row["prob_loss"]),
            diff,
            "" if first else ("yes" if row["tied_with_chosen"] else "no"),
        )
    table.print(console)


def _frontier(result: OptimizeResult, console: Console) -> None:
    objective = result.problem.objective
    risk = next(s for s in result.problem.statistics if s.name == "prob_loss")
    name = objective.name
    table = Grid(
        [
            Col("P(loss)\nlimit", key=True),
            Col("best plan", justify="left", text=True, floor=16),
            Col(f"{name}\nin-sample", short="in-\nsample"),
            Col(f"{name}\nfresh", short="fresh"),
            Col("P(loss)\nfresh", short="P(loss)"),
        ],
        title="Frontier: the best plan as the P(loss) limit varies (chart: frontier.png)",
    )
    for row in result.frontier.to_dict("records"):
        table.add_row(
            value_text(risk, row["prob_loss_limit"]),
            row["plan"],
            value_text(objective, row[f"{name}_in_sample"]),
            value_text(objective, row[name]),
            value_text(risk, row["prob_loss"]),
        )
    table.print(console)


def _robustness(result: OptimizeResult, console: Console) -> None:
    objective = result.problem.objective
    risk = next(s for s in result.problem.statistics if s.name == "prob_loss")
    frame = result.robustness
    table = Grid(
        [
            Col("assumption setting", justify="left", key=True, text=True),
            Col(f"{objective.name}\n(chosen)", short="obj."),
            Col("P(loss)\n(chosen)", short="P(loss)"),
            Col("meets\nlimits", short="limits"),
            Col("still best\nor tied", short="best"),
        ],
        title="The chosen plan under other assumptions (same fresh campaigns)",
    )
    for row in frame[frame["chosen"]].to_dict("records"):
        still = bool(row["best_here"]) or bool(row["chosen_tied_with_best"])
        table.add_row(
            row["setting"],
            value_text(objective, row[objective.name]),
            value_text(risk, row["prob_loss"]),
            "yes" if row["meets_limits"] else "no",
            "yes" if still else "no",
        )
    table.print(console)


def _timeline(result: OptimizeResult, console: Console) -> None:
    assert result.timeline is not None
    table = Grid(
        [
            Col("engine", justify="left", key=True, text=True),
            Col("profit mean"),
            Col("P(loss)"),
        ],
        title=f"The chosen plan on the timeline engine (calendar, managers) and the vectorized "
        f"one, on the same {int(result.timeline['campaigns'].iloc[0]):,} campaigns",
    )
    for row in result.timeline.to_dict("records"):
        table.add_row(row["engine"], f"{row['profit_mean']:,.0f}", f"{row['prob_loss']:.1%}")
    table.print(console)
