"""Terminal tables (rich) for the horizon view: K campaigns of one brand, against independent
campaigns."""

from __future__ import annotations

from rich.console import Console

from campaign_sim.analysis.horizon import Estimate, HorizonResult, StrategyHorizon
from campaign_sim.cli.tables.layout import Cell, Col, Grid, Paragraph, band, with_interval
from campaign_sim.cli.tables.summary import fmt

__all__ = ["horizon_tables"]


def _estimate(estimate: Estimate, kind: str = "") -> Cell:
    """A value with its estimate interval in brackets (the value alone when it has none)."""
    value = fmt(estimate.value, kind)
    if estimate.ci_low != estimate.ci_low:  # NaN: no interval
        return value
    return with_interval(value, fmt(estimate.ci_low, kind), fmt(estimate.ci_high, kind))


def _campaigns(k: int) -> str:
    return "1 campaign" if k == 1 else f"{k} campaigns"


def _caption(r: StrategyHorizon, k: int) -> str:
    """What the strategy's numbers say, in words."""
    many = _campaigns(k)
    return (
        f"P(at least one loss in {many}) is the risk over the horizon: the chance that a "
        f"brand running {many} of {r.strategy} loses money in at least one, "
        f"{fmt(r.prob_any_loss.value, 'prob')} here against "
        f"{fmt(r.independent_prob_any_loss.value, 'prob')} if its campaigns were independent. "
        f"A brand's own P(loss), once its persistent parts are known, lies between "
        f"{fmt(r.conditional_p5, 'prob')} and {fmt(r.conditional_p95, 'prob')} for 90% of "
        f"brands: the next campaign's {fmt(r.prob_loss.value, 'prob')} is an average over "
        "brands whose risks differ."
    )


def horizon_tables(result: HorizonResult, currency: str, console: Console) -> None:
    """Per strategy: P(loss) of the next campaign, P(at least one loss in K), total profit
    over K (mean, P5 – P95, median, P(total < 0)) and the spread of P(loss | persistent
    level), each beside its value if campaigns were independent."""
    k = result.horizon
    for name in result.strategies:
        r = result.results[name]
        many = _campaigns(k)
        table = Grid(
            [
                Col("", justify="left", key=True, text=True),
                Col(f"{many} of one brand\n(persistent parts shared)"),
                Col("if campaigns were\nindependent"),
            ],
            title=f"{r.label} ({name}): {many} of one brand; simulated {result.brands:,} "
            f"brands x {result.per_brand:,} campaigns; money in {currency}",
            caption=_caption(r, k),
        )
        table.add_row(
            "P(loss), next campaign",
            _estimate(r.prob_loss, "prob"),
            _estimate(r.prob_loss, "prob"),
        )
        table.add_row(
            f"P(at least one loss in {k})",
            _estimate(r.prob_any_loss, "prob"),
            _estimate(r.independent_prob_any_loss, "prob"),
        )
        table.add_row(
            f"total profit over {k}: mean",
            _estimate(r.total_mean),
            _estimate(r.independent_total_mean),
        )
        table.add_row(
            f"total profit over {k}: P5 – P95",
            band(fmt(r.total_p5), fmt(r.total_p95)),
            band(fmt(r.independent_total_p5), fmt(r.independent_total_p95)),
        )
        table.add_row(
            f"total profit over {k}: median",
            fmt(r.total_p50),
            fmt(r.independent_total_p50),
        )
        table.add_row(
            f"P(total profit over {k} < 0)",
            _estimate(r.prob_total_loss, "prob"),
            _estimate(r.independent_prob_total_loss, "prob"),
        )
        same = fmt(r.prob_loss.value, "prob")
        table.add_row(
            "P(loss | persistent level) over brands: P5 – P95",
            band(fmt(r.conditional_p5, "prob"), fmt(r.conditional_p95, "prob")),
            f"{same} for all",
        )
        table.add_row(
            "P(loss | persistent level): median",
            fmt(r.conditional_p50, "prob"),
            f"{same} for all",
        )
        table.add_row(
            "P(loss | persistent level): sd between brands, binomial noise removed",
            fmt(r.conditional_sd, "prob"),
            fmt(0.0, "prob"),
        )
        table.add_row(
            f"binomial se of one brand's P(loss) ({result.per_brand:,} campaigns)",
            fmt(r.conditional_se, "prob"),
            "–",
        )
        table.print(console)
        console.print()
    reuse = (
        ""
        if result.independent_exact
        else f" With {k} campaigns and only {result.brands:,} brands, the independent totals "
        "take some campaigns from the same brand: not quite independent."
    )
    console.print(
        Paragraph(
            "The persistent parts (each pool's level, the shared fee factors, the product's "
            f"appeal) are drawn once per brand and shared by all its campaigns; the rest is new "
            f"in each. P(loss | persistent level): a brand's loss fraction over its "
            f"{result.per_brand:,} campaigns. If independent: 1 - (1 - P(loss))^{k}, and totals "
            f"of {_campaigns(k)}, each from a different brand.{reuse} Brackets: estimate intervals "
            "(95%, Monte Carlo); P5 – P95: outcome intervals (where 90% of brands land)."
        )
    )
