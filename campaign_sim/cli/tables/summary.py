"""Terminal tables (rich) for summaries, comparisons and prior listings."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table

from campaign_sim.analysis.compare import Comparison
from campaign_sim.analysis.stats import Summary
from campaign_sim.metrics import REPORTED, kind_of

__all__ = ["comparison_tables", "fmt", "priors_table", "summary_tables"]


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


def summary_tables(summary: Summary, currency: str, console: Console) -> None:
    """Per strategy: mean with its estimate interval, and the P5 - P95 outcome interval."""
    ci = f"{100 * summary.confidence:.0f}% CI of mean"
    for name in summary.strategies:
        table = Table(
            title=f"{summary.labels[name]} ({name}) — {summary.campaigns:,} campaigns,"
            f" money in {currency}",
            title_justify="left",
        )
        table.add_column("metric")
        table.add_column("mean", justify="right")
        table.add_column(f"{ci}\n(estimate interval)", justify="right")
        table.add_column("MC se", justify="right")
        table.add_column("P5", justify="right")
        table.add_column("median", justify="right")
        table.add_column("P95", justify="right")
        for metric in REPORTED:
            s = summary.metrics[name][metric]
            note = f" ({s.n_undefined:,} undefined)" if s.n_undefined else ""
            table.add_row(
                metric + note,
                fmt(s.mean, metric),
                f"{fmt(s.mean_ci_low, metric)} – {fmt(s.mean_ci_high, metric)}",
                fmt(s.se, metric),
                fmt(s.p5, metric),
                fmt(s.p50, metric),
                fmt(s.p95, metric),
            )
        table.caption = (
            "P5 – P95 is the outcome interval: where 90% of campaigns land. "
            "MC se: Monte Carlo standard error of the mean."
        )
        console.print(table)
    risk = Table(title="Risk profile", title_justify="left")
    risk.add_column("strategy")
    risk.add_column("P(loss)", justify="right")
    risk.add_column(
        f"P(ROI > {fmt(summary.risk[summary.strategies[0]].roi_target, 'roi')})", justify="right"
    )
    risk.add_column("value at risk (5%)", justify="right")
    risk.add_column("expected shortfall (worst 5%)", justify="right")
    for name in summary.strategies:
        r = summary.risk[name]
        risk.add_row(
            summary.labels[name],
            f"{fmt(r.prob_loss, 'prob')} [{fmt(r.prob_loss_ci_low, 'prob')}, "
            f"{fmt(r.prob_loss_ci_high, 'prob')}]",
            fmt(r.prob_above_target, "prob"),
            fmt(r.value_at_risk),
            f"{fmt(r.expected_shortfall)} ± {fmt(1.96 * r.expected_shortfall_se)}",
        )
    risk.caption = (
        "Brackets and ± are estimate intervals (95%). Value at risk: the loss "
        "exceeded by 5% of campaigns; expected shortfall: mean profit of the worst 5%."
    )
    console.print(risk)


def comparison_tables(comparison: Comparison, labels: dict[str, str], console: Console) -> None:
    a, b = labels.get(comparison.a, comparison.a), labels.get(comparison.b, comparison.b)
    table = Table(
        title=f"{a} minus {b}, paired over {comparison.campaigns:,} campaigns "
        "(common random numbers)",
        title_justify="left",
    )
    for column in (
        "metric",
        "mean A",
        "mean B",
        "mean difference [95% CI]",
        "difference P5 – P95",
        "P(A better) [95% CI]",
    ):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for metric, d in comparison.differences.items():
        table.add_row(
            f"{metric} ({d.better} is better)" if d.better != "neither" else metric,
            fmt(d.mean_a, metric),
            fmt(d.mean_b, metric),
            f"{fmt(d.mean_diff, metric)} [{fmt(d.mean_diff_ci_low, metric)}, "
            f"{fmt(d.mean_diff_ci_high, metric)}]",
            f"{fmt(d.diff_p5, metric)} – {fmt(d.diff_p95, metric)}",
            f"{fmt(d.prob_a_better, 'prob')} [{fmt(d.prob_a_better_ci_low, 'prob')}, "
            f"{fmt(d.prob_a_better_ci_high, 'prob')}]",
        )
    table.caption = (
        f"A = {comparison.a}, B = {comparison.b}. A better: higher ROI, profit, revenue and "
        "orders; lower cost."
    )
    console.print(table)


def priors_table(frame: pd.DataFrame, console: Console) -> None:
    table = Table(title="Priors", title_justify="left", show_lines=False)
    for column in (
        "tier",
        "platform",
        "quantity",
        "family",
        "parameters",
        "mean",
        "median",
        "P5",
        "P95",
        "sources",
    ):
        table.add_column(column, overflow="fold")
    for row in frame.itertuples():
        marker = " (assumption)" if row.assumption else ""
        table.add_row(
            row.tier,
            row.platform,
            row.quantity,
            row.family,
            row.parameters,
            f"{row.mean:.4g}",
            f"{row.median:.4g}",
            f"{row.p5:.4g}",
            f"{row.p95:.4g}",
            (row.sources or "—") + marker,
        )
    console.print(table)
