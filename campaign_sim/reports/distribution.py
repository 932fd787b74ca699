"""Charts of a run or a comparison: ROI distribution, exceedance curve, risk profile and the
paired difference, from quantiles.csv, summary.csv, risk.csv and comparison.csv."""

from __future__ import annotations

from typing import Any

import numpy as np

from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import (
    BREAK_EVEN,
    PALETTE,
    figure,
    money_axis,
    percent_axis,
)
from campaign_sim.reports.results import Results, finite

__all__ = ["plan"]


def _grid(results: Results, strategy: str, metric: str) -> tuple[np.ndarray, np.ndarray] | None:
    frame = results.quantiles
    if frame is None:
        return None
    rows = frame[(frame["strategy"] == strategy) & (frame["metric"] == metric)]
    rows = rows[np.isfinite(rows["value"].to_numpy(dtype=float))]
    if rows.empty:
        return None
    return rows["q"].to_numpy(dtype=float), rows["value"].to_numpy(dtype=float)


def _view(
    results: Results, metric: str, lo_q: float = 0.01, hi_q: float = 0.99
) -> tuple[float, float]:
    """x-limits covering every strategy's [lo_q, hi_q] quantiles and zero, with a margin."""
    lows, highs = [0.0], [0.0]
    for name in results.ordered_strategies:
        grid = _grid(results, name, metric)
        if grid is not None:
            q, v = grid
            lows.append(float(np.interp(lo_q, q, v)))
            highs.append(float(np.interp(hi_q, q, v)))
    lo, hi = min(lows), max(highs)
    pad = 0.04 * (hi - lo) if hi > lo else 0.1
    return lo - pad, hi + pad


def _density(q: np.ndarray, v: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """Smoothed density at ``x`` from a quantile grid: a Gaussian kernel density of the
    percentiles P1 ... P99, each standing for 1% of campaigns. None for a point mass."""
    from scipy.stats import gaussian_kde

    points = v[(q > 0.005) & (q < 0.995)]
    if points.size < 3 or np.ptp(points) <= 1e-12 * max(1.0, float(np.abs(points).max())):
        return None
    return gaussian_kde(points)(x)


#: The ROI range shown: every strategy's P0.5 to P99.5 (the quantile grid's 1% steps
#: interpolated), so only the outer 1% of campaigns lies off the chart.
VIEW_Q = (0.005, 0.995)


def roi_distribution(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Smoothed ROI density per strategy (from the 1% quantile grid) as the share of campaigns
    per percentage point of ROI, with P5, median and P95 marked and the break-even line; the
    x axis spans every strategy's P0.5 to P99.5."""
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    names = [n for n in results.ordered_strategies if _grid(results, n, "roi") is not None]
    if not names:
        return None
    view = _view(results, "roi", *VIEW_Q)
    x = np.linspace(view[0], view[1], 600)
    with figure() as (fig, ax):
        for name in names:
            q, v = _grid(results, name, "roi")  # type: ignore[misc]
            density = _density(q, v, x)
            c = colour[name]
            summary = results.metric(name, "roi")
            label = results.label(name)
            if summary is not None:
                label += f" — {text('legend.median')} {text.pct(summary['p50'])}"
            if density is None:
                ax.axvline(float(np.median(v)), color=c, linewidth=3, label=label)
            else:
                per_point = density / 100  # share of campaigns per percentage point of ROI
                ax.fill_between(x, per_point, color=c, alpha=0.18, linewidth=0)
                ax.plot(x, per_point, color=c, linewidth=2.6, label=label)
            if summary is not None:
                for key, style in (("p5", "--"), ("p50", "-"), ("p95", "--")):
                    ax.axvline(summary[key], color=c, linestyle=style, linewidth=1.6, alpha=0.9)
        ax.axvline(0, color=BREAK_EVEN, linewidth=2)
        ax.annotate(
            text("label.break_even"),
            xy=(0, 1),
            xycoords=("data", "axes fraction"),
            xytext=(6, -4),
            textcoords="offset points",
            va="top",
            color=BREAK_EVEN,
        )
        ax.set_xlim(*view)
        ax.set_ylim(bottom=0)
        percent_axis(ax.xaxis)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        percent_axis(ax.yaxis, 1)  # steps of 1, 2 or 5 tenths of a point: one decimal is exact
        ax.set_xlabel(text("axis.roi_view"))
        ax.set_ylabel(text("axis.density_pt"))
        handles, labels = ax.get_legend_handles_labels()
        grey = "#555555"
        handles += [
            Line2D([], [], color=grey, linewidth=1.6),
            Line2D([], [], color=grey, linewidth=1.6, linestyle="--"),
        ]
        labels += [
            text("legend.median_line"),
            text("legend.p5_p95_lines"),
        ]
        fig.legend(handles, labels, loc="outside upper center", ncols=2)
        return fig


def exceedance(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """P(ROI > x) against x per strategy, with the chance of not losing money marked."""
    names = [n for n in results.ordered_strategies if _grid(results, n, "roi") is not None]
    if not names:
        return None
    with figure() as (fig, ax):
        for name in names:
            q, v = _grid(results, name, "roi")  # type: ignore[misc]
            ax.plot(v, 1 - q, color=colour[name], linewidth=2.6, label=results.label(name))
            risk = results.risk_of(name)
            if risk is not None and finite(risk["prob_loss"]):
                p = 1 - float(risk["prob_loss"])
                ax.plot([0], [p], "o", color=colour[name], markersize=9)
                ax.annotate(
                    text.prob(p),
                    xy=(0, p),
                    xytext=(10, 4),
                    textcoords="offset points",
                    color=colour[name],
                    fontweight="bold",
                )
        ax.axvline(0, color=BREAK_EVEN, linewidth=2)
        ax.set_xlim(*_view(results, "roi"))
        ax.set_ylim(0, 1.02)
        percent_axis(ax.xaxis)
        percent_axis(ax.yaxis)
        ax.set_xlabel(text("axis.roi"))
        ax.set_ylabel(text("axis.exceed"))
        ax.legend(loc="upper right")
        return fig


def risk_profile(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """P(loss) with its CI; value at risk and expected shortfall as profit levels."""
    names = [n for n in results.ordered_strategies if results.risk_of(n) is not None]
    if not names:
        return None
    rows = [results.risk_of(n) for n in names]
    y = np.arange(len(names))[::-1]
    with figure(ncols=2, gridspec_kw={"width_ratios": [1, 1.4]}) as (fig, (left, right)):
        p = np.array([float(r["prob_loss"]) for r in rows])  # type: ignore[index]
        lo = np.array([float(r["prob_loss_ci_low"]) for r in rows])  # type: ignore[index]
        hi = np.array([float(r["prob_loss_ci_high"]) for r in rows])  # type: ignore[index]
        cs = [colour[n] for n in names]
        left.barh(y, p, color=cs, height=0.6)
        left.errorbar(p, y, xerr=[p - lo, hi - p], fmt="none", ecolor="#333333", capsize=6)
        for yi, top, pi in zip(y, hi, p, strict=True):
            left.annotate(
                text.prob(pi),
                xy=(top, yi),
                xytext=(10, 0),
                textcoords="offset points",
                va="center",
                fontweight="bold",
            )
        left.set_xlim(0, 1.15)
        percent_axis(left.xaxis)
        left.set_yticks(y, [results.label(n) for n in names])
        left.set_xlabel(text("axis.prob_loss"))
        left.grid(axis="y", visible=False)

        h = 0.36
        var = np.array([float(r["value_at_risk"]) for r in rows])  # type: ignore[index]
        es = np.array([float(r["expected_shortfall"]) for r in rows])  # type: ignore[index]
        es_half = np.array(
            [1.96 * float(r["expected_shortfall_se"]) for r in rows]  # type: ignore[index]
        )
        right.barh(y + h / 2, var, height=h, color=cs, alpha=0.55, label=text("legend.var"))
        right.barh(
            y - h / 2,
            es,
            height=h,
            color=cs,
            hatch="//",
            edgecolor="white",
            label=text("legend.es"),
        )
        right.errorbar(es, y - h / 2, xerr=es_half, fmt="none", ecolor="#333333", capsize=4)
        right.axvline(0, color=BREAK_EVEN, linewidth=1.5)
        right.set_yticks(y, [""] * len(names))
        right.grid(axis="y", visible=False)
        money_axis(right.xaxis, text)
        right.set_xlabel(text("axis.money", currency=text.currency_label))
        right.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
        return fig


def _fit(values: list[float], keep: float = 0.0, pad: float = 0.06) -> tuple[float, float]:
    """Axis limits around ``values`` with a margin of ``pad`` of their span; ``keep`` (the
    break-even) is included while it lies within half a span of them."""
    lo, hi = min(values), max(values)
    span = max(hi - lo, 1e-9 * max(1.0, abs(lo), abs(hi)))
    if lo - span / 2 <= keep <= hi + span / 2:
        lo, hi = min(lo, keep), max(hi, keep)
        span = hi - lo
    return lo - pad * span, hi + pad * span


def paired_difference(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """A - B for ROI and profit: P5-P95 bar, median tick, mean with its CI; each axis fitted
    to its bar and whiskers (and zero when it is near)."""
    rows: list[tuple[str, Any]] = [
        (m, d) for m in ("roi", "profit") if (d := results.difference(m)) is not None
    ]
    if not rows:
        return None
    a = str(rows[0][1]["a"])
    b = str(rows[0][1]["b"])
    c = colour.get(a, PALETTE[0])
    with figure(ncols=len(rows), squeeze=False) as (fig, axes):
        for ax, (metric, d) in zip(axes[0], rows, strict=True):
            ax.barh(
                [0],
                [d["diff_p95"] - d["diff_p5"]],
                left=[d["diff_p5"]],
                height=0.7,
                color=c,
                alpha=0.3,
                label=text("legend.p5_p95"),
            )
            ax.plot(
                [d["diff_p50"]] * 2,
                [-0.35, 0.35],
                color=c,
                linewidth=3,
                label=text("legend.median"),
            )
            ax.errorbar(
                [d["mean_diff"]],
                [0],
                xerr=[
                    [d["mean_diff"] - d["mean_diff_ci_low"]],
                    [d["mean_diff_ci_high"] - d["mean_diff"]],
                ],
                fmt="o",
                color="#111111",
                markersize=9,
                capsize=8,
                label=text("legend.mean_ci"),
            )
            ax.axvline(0, color=BREAK_EVEN, linewidth=1.5)
            ax.set_ylim(-0.45, 0.45)
            ax.set_yticks([])
            ax.grid(axis="y", visible=False)
            ax.set_title(
                text.metric(metric)
                + ("：" if text.zh else ": ")
                + text("label.a_better", a=results.label(a), p=text.prob(d["prob_a_better"])),
                color=c,
                fontweight="bold",
            )
            values = [float(d[k]) for k in ("diff_p5", "diff_p95", "mean_diff_ci_low")]
            ax.set_xlim(*_fit([*values, float(d["mean_diff_ci_high"])]))
            if metric == "roi":
                percent_axis(ax.xaxis)
                ax.set_xlabel(text("axis.diff_roi"))
            else:
                money_axis(ax.xaxis, text)
                ax.set_xlabel(text("axis.diff_profit", currency=text.currency_label))
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=3)
        fig.suptitle(f"{results.label(a)} − {results.label(b)}", fontsize=15)
        return fig


def paired_roi(results: Results) -> np.ndarray | None:
    """Per-campaign ROI of A minus B (fraction), from outcomes.parquet (``--save-outcomes``),
    over the campaigns where both are defined; None without that file or a comparison."""
    diff = results.difference("roi")
    if diff is None or not results.has("outcomes.parquet"):
        return None
    import pandas as pd

    frame = pd.read_parquet(
        results.folder / "outcomes.parquet", columns=["campaign", "strategy", "roi"]
    )
    wide = frame.pivot(index="campaign", columns="strategy", values="roi")
    a, b = str(diff["a"]), str(diff["b"])
    if a not in wide or b not in wide:
        return None
    values = (wide[a] - wide[b]).to_numpy(dtype=float)
    return values[np.isfinite(values)]


def difference_histogram(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Histogram of the per-campaign ROI difference A - B: campaigns where A wins in A's
    colour, the rest in B's, with the share where A wins."""
    values = paired_roi(results)
    diff = results.difference("roi")
    if values is None or diff is None or values.size == 0:
        return None
    a, b = str(diff["a"]), str(diff["b"])
    lo, hi = np.percentile(values, [0.5, 99.5])
    if hi <= lo:
        lo, hi = lo - 0.01, hi + 0.01
    edges = np.linspace(min(lo, 0.0), max(hi, 0.0), 61)
    counts, edges = np.histogram(values, bins=edges)  # the extreme 1% fall outside the view
    share = counts / values.size
    centres = (edges[:-1] + edges[1:]) / 2
    with figure() as (fig, ax):
        ca, cb = colour.get(a, PALETTE[0]), colour.get(b, PALETTE[1])
        ax.bar(
            centres,
            share,
            width=np.diff(edges),
            color=np.where(centres > 0, ca, cb),
            edgecolor="white",
            linewidth=0.5,
        )
        ax.axvline(0, color=BREAK_EVEN, linewidth=2)
        wins = float(np.count_nonzero(values > 0)) / values.size
        ax.annotate(
            text("label.a_better", a=results.label(a), p=text.prob(wins)),
            xy=(0.98, 0.92),
            xycoords="axes fraction",
            ha="right",
            fontweight="bold",
            color=ca,
        )
        percent_axis(ax.xaxis)
        percent_axis(ax.yaxis, 1)
        ax.set_xlabel(text("axis.diff_roi"))
        ax.set_ylabel(text("axis.share"))
        return fig


def plan(results: Results, text: Text) -> list[tuple]:
    """(key, title, caption, draw) of this kind's charts."""
    names: dict[str, str] = {}
    comparison = results.difference("roi")
    if comparison is not None:
        names = {"a": results.label(str(comparison["a"])), "b": results.label(str(comparison["b"]))}
    return [
        (
            "roi-distribution",
            text("chart.roi_distribution"),
            text("caption.roi_distribution"),
            roi_distribution,
        ),
        ("roi-exceedance", text("chart.exceedance"), text("caption.exceedance"), exceedance),
        ("risk-profile", text("chart.risk"), text("caption.risk"), risk_profile),
        (
            "paired-difference",
            text("chart.difference", **names) if names else "",
            text("caption.difference"),
            paired_difference,
        ),
        (
            "paired-difference-campaigns",
            text("chart.difference_campaigns", **names) if names else "",
            text("caption.difference_campaigns", **names) if names else "",
            difference_histogram,
        ),
    ]
