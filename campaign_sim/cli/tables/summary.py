"""Terminal tables (rich) for summaries, comparisons and prior listings."""

from __future__ import annotations

import math
from collections.abc import Iterable

from rich.console import Console

from campaign_sim.analysis.compare import Comparison
from campaign_sim.analysis.stats import Summary
from campaign_sim.cli.tables.layout import Col, Grid, band, with_interval
from campaign_sim.metrics import REPORTED, kind_of

__all__ = [
    "COST_LINES",
    "comparison_tables",
    "fmt",
    "metric_label",
    "ordered",
    "prior_value",
    "summary_tables",
]

#: The lines that add up to ``cost``, campaign by campaign, in the order tables show them.
COST_LINES = ("fees", "commission", "fee_tax", "product_cost", "overhead_cost")

#: A row's label in the terminal (English); ``{months}``: the repeat buyers' horizon.
LABELS = {
    "roi": "ROI",
    "roas": "ROAS",
    "profit": "profit",
    "revenue": "revenue",
    "cost": "cost",
    "conversions": "conversions",
    "engagements": "engagements",
    "reach": "reach",
    "cpm": "CPM",
    "cpe": "CPE",
    "cpa": "CPA",
    "creators": "creators",
    "gifted": "gifted creators",
    "amplified_reach": "amplified reach",
    "amplified_engagements": "amplified engagements",
    "amplified_orders": "amplified orders",
    "unique_reach": "unique reach",
    "frequency": "frequency",
    "cpm_unique": "CPM of unique reach",
    "attributed_orders": "attributed orders",
    "attributed_revenue": "attributed revenue",
    "repeat_orders": "repeat orders over {months} months",
    "revenue_horizon": "revenue over {months} months",
    "profit_horizon": "profit over {months} months",
    "roi_horizon": "ROI over {months} months",
    "fees": "+ creator fees",
    "commission": "+ agency commission",
    "fee_tax": "+ tax on fees",
    "product_cost": "+ gifted product",
    "overhead_cost": "+ overhead, fixed cost",
}
#: Metrics on first purchases only: labelled so when the scenario has repeat buyers.
FIRST_PURCHASES = ("roi", "roas", "profit", "revenue")


def metric_label(metric: str, months: int | None = None, *, lines: bool = False) -> str:
    """A metric's row label: ``ROI, first purchases`` and ``ROI over 12 months`` when the
    scenario has repeat buyers over ``months`` months, ``ROI`` without; ``cost = sum of:``
    when its cost lines (``lines``) follow it."""
    label = LABELS.get(metric, metric).format(months=months)
    if months is not None and metric in FIRST_PURCHASES:
        return f"{label}, first purchases"
    if metric == "cost" and lines:
        return "cost = sum of:"
    return label


def ordered(metrics: Iterable[str]) -> list[str]:
    """``metrics`` in the registry's order, but the cost lines right below ``cost`` and gifted
    creators below ``creators``."""
    order = list(metrics)
    for follows, moved in (("cost", COST_LINES), ("creators", ("gifted",))):
        here = [m for m in moved if m in order]
        if follows not in order or not here:
            continue
        rest = [m for m in order if m not in here]
        at = rest.index(follows) + 1
        order = rest[:at] + here + rest[at:]
    return order


def months_note(months: int | None) -> str:
    """What "first purchases" and "over N months" mean, when the scenario has repeat buyers."""
    if months is None:
        return ""
    return (
        f"\nFirst purchases: the first orders the campaign caused; over {months} months: with "
        "the repeat orders of those new customers (revenue and profit discounted)."
    )


def fmt(value: float, metric: str = "") -> str:
    """Human format by the metric's kind (``prob``: a probability): percentages for fractions
    such as ROI, two decimals for ratios such as ROAS, thousands separators for money."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    kind = kind_of(metric) if metric else None
    if kind == "fraction" or metric == "prob":
        return f"{100 * value:.1f}%"
    if kind == "ratio":
        return f"{value:.2f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def summary_tables(
    summary: Summary, currency: str, console: Console, *, months: int | None = None
) -> None:
    """Per strategy: mean with its estimate interval, and the P5 - P95 outcome interval.
    ``months``: the repeat buyers' horizon (None: no repeat buyers)."""
    ci = f"{100 * summary.confidence:.0f}% CI of mean"
    for name in summary.strategies:
        metrics = ordered(m for m in REPORTED if m in summary.metrics[name])
        lines = any(m in metrics for m in COST_LINES)
        note = (
            "\nCost lines (+) add up to cost campaign by campaign, so their means add up to its "
            "mean (percentiles do not add)."
            if lines
            else ""
        )
        table = Grid(
            [
                Col("metric", justify="left", key=True, text=True),
                Col("mean", stack="mean"),
                Col(f"{ci}\n(estimate interval)", short=ci, stack="mean"),
                Col("MC se"),
                Col("P5"),
                Col("median"),
                Col("P95"),
            ],
            title=f"{summary.labels[name]} ({name}) — {summary.campaigns:,} campaigns,"
            f" money in {currency}",
            caption="P5 – P95 is the outcome interval: where 90% of campaigns land. "
            "MC se: Monte Carlo standard error of the mean." + note + months_note(months),
        )
        for metric in metrics:
            s = summary.metrics[name][metric]
            undefined = f" ({s.n_undefined:,} undefined)" if s.n_undefined else ""
            table.add_row(
                metric_label(metric, months, lines=lines) + undefined,
                fmt(s.mean, metric),
                f"{fmt(s.mean_ci_low, metric)} – {fmt(s.mean_ci_high, metric)}",
                fmt(s.se, metric),
                fmt(s.p5, metric),
                fmt(s.p50, metric),
                fmt(s.p95, metric),
            )
        table.print(console)
    target = fmt(summary.risk[summary.strategies[0]].roi_target, "roi")
    risk = Grid(
        [
            Col("strategy", justify="left", key=True, text=True),
            Col("P(loss)"),
            Col(f"P(ROI > {target})", short=f"P(ROI >\n{target})"),
            Col("VaR (5%, profit)", short="VaR (5%)\nprofit"),
            Col("expected shortfall (worst 5%)", short="expected\nshortfall\n(worst 5%)"),
        ],
        title="Risk profile",
        caption="Brackets and ± are estimate intervals (95%). Both risk measures are profits, "
        "negative = a loss: value at risk (VaR), the profit 5% of campaigns fall below (their "
        "P5); expected shortfall, the mean profit of the worst 5%."
        + ("\nLoss, ROI and profit here are on first purchases." if months is not None else ""),
    )
    for name in summary.strategies:
        r = summary.risk[name]
        risk.add_row(
            summary.labels[name],
            with_interval(
                fmt(r.prob_loss, "prob"),
                fmt(r.prob_loss_ci_low, "prob"),
                fmt(r.prob_loss_ci_high, "prob"),
            ),
            fmt(r.prob_above_target, "prob"),
            fmt(r.value_at_risk),
            (fmt(r.expected_shortfall), f"± {fmt(1.96 * r.expected_shortfall_se)}"),
        )
    risk.print(console)


def comparison_tables(
    comparison: Comparison,
    labels: dict[str, str],
    console: Console,
    *,
    months: int | None = None,
) -> None:
    """A minus B per compared metric; ``months``: the repeat buyers' horizon (None: none)."""
    a, b = labels.get(comparison.a, comparison.a), labels.get(comparison.b, comparison.b)
    table = Grid(
        [
            Col("metric", justify="left", key=True, text=True),
            Col("mean A", stack="means"),
            Col("mean B", stack="means"),
            Col("mean difference [95% CI]", short="mean\ndifference\n[95% CI]"),
            Col("difference P5 – P95", short="difference\nP5 – P95"),
            Col("P(A better) [95% CI]", short="P(A better)\n[95% CI]"),
        ],
        title=f"{a} minus {b}, paired over {comparison.campaigns:,} campaigns "
        "(common random numbers)",
        caption=f"A = {comparison.a}, B = {comparison.b}. A better: higher ROI, profit, revenue "
        "and orders; lower cost." + months_note(months),
    )
    for metric, d in comparison.differences.items():
        label = metric_label(metric, months)
        table.add_row(
            f"{label} ({d.better} is better)" if d.better != "neither" else label,
            fmt(d.mean_a, metric),
            fmt(d.mean_b, metric),
            with_interval(
                diff(d.mean_diff, metric),
                diff(d.mean_diff_ci_low, metric),
                diff(d.mean_diff_ci_high, metric),
            ),
            band(diff(d.diff_p5, metric), diff(d.diff_p95, metric)),
            with_interval(
                fmt(d.prob_a_better, "prob"),
                fmt(d.prob_a_better_ci_low, "prob"),
                fmt(d.prob_a_better_ci_high, "prob"),
            ),
        )
    table.print(console)


def diff(value: float, metric: str) -> str:
    """A difference A - B: of a rate in percentage points (``+40.3 pts``, as the reports say),
    else in the metric's own unit, signed."""
    if kind_of(metric) == "fraction" and value == value:
        return f"{100 * value:+.1f} pts"
    text = fmt(value, metric)
    return text if text.startswith("-") or text == "n/a" else "+" + text


def prior_value(value: float, unit: str) -> str:
    """A prior's statistic in its unit: rates and probabilities as percentages, money and
    followers with thousands separators (no scientific notation)."""
    if unit.startswith(("fraction", "probability")):
        return f"{100 * value:.3g}%"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
