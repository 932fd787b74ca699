"""The optimiser's frontier chart: the best plan as the P(loss) limit varies, judged on fresh
campaigns (with 95% estimate intervals) beside what the search saw in-sample."""

from __future__ import annotations

from typing import Any

from campaign_sim.reports.charts import render
from campaign_sim.reports.plotting import figure, percent_axis, style

__all__ = ["frontier_chart"]


def frontier_chart(result: Any) -> dict[str, bytes]:
    """``frontier.png`` and ``frontier.svg`` of an :class:`~campaign_sim.optimize.run.
    OptimizeResult` (empty when the frontier has no plan)."""
    import matplotlib

    frame = result.frontier
    if frame.empty:
        return {}
    objective = result.problem.objective
    name = objective.name
    fraction = objective.probability or name.startswith("roi")
    with matplotlib.rc_context(style(["DejaVu Sans"])), figure() as (fig, axis):  # type: ignore[arg-type]
        low = frame[name] - frame[f"{name}_ci_low"]
        high = frame[f"{name}_ci_high"] - frame[name]
        x_low = frame["prob_loss"] - frame["prob_loss_ci_low"]
        x_high = frame["prob_loss_ci_high"] - frame["prob_loss"]
        axis.errorbar(
            frame["prob_loss"],
            frame[name],
            xerr=[x_low, x_high],
            yerr=[low, high],
            fmt="o",
            color="#1f5f8b",
            capsize=4,
            label=f"fresh campaigns ({result.fresh_campaigns:,}), 95% CI",
        )
        axis.plot(
            frame["prob_loss_in_sample"],
            frame[f"{name}_in_sample"],
            "s",
            color="#999999",
            markerfacecolor="none",
            label=f"in-sample ({result.campaigns:,} campaigns)",
        )
        for i, row in enumerate(frame.itertuples()):
            axis.annotate(
                row.plan,
                (row.prob_loss, getattr(row, name)),
                textcoords="offset points",
                xytext=(-14, 0) if i % 2 else (14, 0),
                ha="right" if i % 2 else "left",
                va="center",
                fontsize=11,
            )
        percent_axis(axis.xaxis)
        if fraction:
            percent_axis(axis.yaxis)
        else:
            from matplotlib.ticker import StrMethodFormatter

            axis.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        axis.set_xlabel("P(loss) of the best plan at each limit")
        unit = "" if fraction else f" ({result.scenario.currency})"
        axis.set_ylabel(f"{name}{unit}")
        axis.set_title("Best plan as the P(loss) limit varies")
        axis.legend(loc="lower right")
        return {"frontier.png": render(fig, "png"), "frontier.svg": render(fig, "svg")}
