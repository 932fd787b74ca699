"""Charts of a run or a comparison: ROI distribution, exceedance curve, risk profile, risk and
return of every strategy and the paired difference, from quantiles.csv, summary.csv, risk.csv
and comparison.csv."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import (
    BREAK_EVEN,
    DPI,
    PALETTE,
    figure,
    money_axis,
    percent_axis,
    place_label,
    renderer,
    text_box,
    whiskers,
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
    marks: list[tuple[str, float]] = []
    with figure() as (fig, ax):
        for name in names:
            q, v = _grid(results, name, "roi")  # type: ignore[misc]
            ax.plot(v, 1 - q, color=colour[name], linewidth=2.6, label=results.label(name))
            risk = results.risk_of(name)
            if risk is not None and finite(risk["prob_loss"]):
                p = 1 - float(risk["prob_loss"])
                ax.plot([0], [p], "o", color=colour[name], markersize=9)
                marks.append((name, p))
        ax.axvline(0, color=BREAK_EVEN, linewidth=2)
        ax.set_xlim(*_view(results, "roi"))
        ax.set_ylim(0, 1.02)
        percent_axis(ax.xaxis)
        percent_axis(ax.yaxis)
        ax.set_xlabel(text("axis.roi"))
        ax.set_ylabel(text("axis.exceed"))
        ax.legend(loc="upper right")
        dots = ax.transData.transform([(0, p) for _, p in marks]) if marks else np.empty((0, 2))
        taken: list[Any] = []
        for name, p in marks:  # the chance of not losing money, labels clear of each other
            place_label(
                ax,
                text.prob(p),
                (0, p),
                points=dots,
                taken=taken,
                color=colour[name],
                fontweight="bold",
            )
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
        left.errorbar(p, y, xerr=whiskers(p, lo, hi), fmt="none", ecolor="#333333", capsize=6)
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
        handles, labels = right.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=2)
        return fig


#: Offsets (points) tried for a strategy's label beside its point, nearest first: beside it,
#: above and below (clear of its whiskers), then diagonally further out.
RR_OFFSETS = tuple(
    (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    for r in (16, 30, 50, 80, 120, 170, 230)
    for a in (math.pi * k / 8 for k in (1, 15, 7, 9, 3, 13, 5, 11, 0, 8, 4, 12))
)
#: Marker size (points) of a strategy on the risk-return chart.
RR_MARKER = 12


def risk_return_rows(results: Results) -> list[dict[str, Any]]:
    """Per strategy with both numbers: P(loss) and its 95% CI (risk.csv), mean profit and its
    95% CI (summary.csv), in manifest order."""
    out = []
    for name in results.ordered_strategies:
        risk, profit = results.risk_of(name), results.metric(name, "profit")
        if risk is None or profit is None:
            continue
        row = {
            "strategy": name,
            "p": risk["prob_loss"],
            "p_low": risk["prob_loss_ci_low"],
            "p_high": risk["prob_loss_ci_high"],
            "m": profit["mean"],
            "m_low": profit["mean_ci_low"],
            "m_high": profit["mean_ci_high"],
        }
        if all(finite(v) for k, v in row.items() if k != "strategy"):
            out.append({k: v if k == "strategy" else float(v) for k, v in row.items()})
    return out


Segment = tuple[tuple[float, float], tuple[float, float]]


def _segment_points(ax: Any, segments: list[Segment]) -> np.ndarray:
    """Points every ~6 px along data-space segments (whiskers, the break-even line), pixels."""
    out = [np.empty((0, 2))]
    for a, b in segments:
        pa, pb = ax.transData.transform([a, b])
        n = max(2, int(np.hypot(*(pb - pa)) / 6) + 1)
        out.append(np.linspace(pa, pb, n))
    return np.concatenate(out)


def _break_even_label(ax: Any, text: Text, points: np.ndarray, taken: list[Any]) -> Any:
    """ "break-even" on the profit-0 line at its left end (else its right end), above the
    line (else below), where it covers no point or whisker."""
    draw = renderer(ax.figure)
    lo, hi = ax.get_xlim()
    note = None
    for x, dx in ((lo, 6), (hi, -6)):
        for dy in (4, -4):
            if note is not None:
                note.remove()
            note = ax.annotate(
                text("label.break_even"),
                xy=(x, 0),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx > 0 else "right",
                va="bottom" if dy > 0 else "top",
                color=BREAK_EVEN,
            )
            note.set_in_layout(False)
            box = text_box(note, draw).padded(RR_MARKER / 2)
            x_px, y_px = points.reshape(-1, 2).T
            inside = (x_px > box.x0) & (x_px < box.x1) & (y_px > box.y0) & (y_px < box.y1)
            if not inside.any():
                taken.append(text_box(note, draw))
                return note
    taken.append(text_box(note, draw))
    return note


def _leader(ax: Any, note: Any, xy: tuple[float, float], colour: str) -> None:
    """A thin line from the point at ``xy`` to its label when the label stands off it (more
    than 20 px beyond the marker), from the marker's edge to the label's nearest edge."""
    box = text_box(note, renderer(ax.figure))
    centre = ax.transData.transform(xy)
    edge = np.clip(centre, [box.x0, box.y0], [box.x1, box.y1])
    gap = float(np.hypot(*(edge - centre)))
    start = RR_MARKER * DPI / 72 / 2 + 2
    if gap <= start + 20:
        return
    ends = ax.transData.inverted().transform(
        [centre + (edge - centre) * start / gap, edge - (edge - centre) * 2 / gap]
    )
    ax.plot(ends[:, 0], ends[:, 1], color=colour, linewidth=1, gid="leader", zorder=2)


def _risk_return_limits(rows: list[dict[str, Any]]) -> tuple[tuple[float, float], ...]:
    """(x, y) limits: P(loss) from 0 to past the highest CI (at most 100%); profit over every
    CI and break-even, with room above and below for labels."""
    highest = max(r["p_high"] for r in rows)
    top = min(1.0, highest + max(0.05, 0.15 * highest))
    margin = 0.04 * top
    values = [0.0, *(r["m_low"] for r in rows), *(r["m_high"] for r in rows)]
    lo, hi = min(values), max(values)
    span = hi - lo if hi > lo else max(1.0, abs(hi))
    return (-margin, top + margin), (lo - 0.22 * span, hi + 0.22 * span)


def risk_return(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Every strategy's mean profit (y) against its P(loss) (x), each with its 95% CIs as
    whiskers, labelled with its name where the label covers no point, whisker, other label
    or the labelled break-even line; the key to the marks outside the plot."""
    from matplotlib.lines import Line2D

    rows = risk_return_rows(results)
    if not rows:
        return None
    with figure() as (fig, ax):
        for r in rows:
            ax.errorbar(
                [r["p"]],
                [r["m"]],
                xerr=whiskers(r["p"], r["p_low"], r["p_high"]),
                yerr=whiskers(r["m"], r["m_low"], r["m_high"]),
                fmt="o",
                color=colour.get(r["strategy"], PALETTE[0]),
                markersize=RR_MARKER,
                markeredgecolor="white",
                elinewidth=2,
                capsize=6,
                zorder=3,
            )
        ax.axhline(0, color=BREAK_EVEN, linewidth=1.5, zorder=1)
        (x0, x1), (y0, y1) = _risk_return_limits(rows)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        percent_axis(ax.xaxis)
        money_axis(ax.yaxis, text)
        ax.set_xlabel(text("axis.prob_loss"))
        ax.set_ylabel(text("axis.mean_profit", currency=text.currency_label))
        key = Line2D([], [], color="#555555", marker="o", markersize=9, linewidth=1.5)
        fig.legend([key], [text("legend.risk_return")], loc="outside lower center")
        renderer(fig)
        bars: list[Segment] = [
            seg
            for r in rows
            for seg in (
                ((r["p_low"], r["m"]), (r["p_high"], r["m"])),
                ((r["p"], r["m_low"]), (r["p"], r["m_high"])),
            )
        ]
        centres = ax.transData.transform([(r["p"], r["m"]) for r in rows])
        marks = np.concatenate([centres, _segment_points(ax, bars)])
        line = _segment_points(ax, [((x0, 0.0), (x1, 0.0))])
        taken: list[Any] = []
        _break_even_label(ax, text, marks, taken)
        for r in rows:
            note = place_label(
                ax,
                results.label(r["strategy"]),
                (r["p"], r["m"]),
                points=np.concatenate([marks, line]),
                taken=taken,
                offsets=RR_OFFSETS,
                radius=RR_MARKER * DPI / 72 / 2 + 3,
                color=colour.get(r["strategy"], PALETTE[0]),
                fontweight="bold",
            )
            _leader(ax, note, (r["p"], r["m"]), colour.get(r["strategy"], PALETTE[0]))
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
                xerr=whiskers(d["mean_diff"], d["mean_diff_ci_low"], d["mean_diff_ci_high"]),
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
        ("risk-return", text("chart.risk_return"), text("caption.risk_return"), risk_return),
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
