"""The report of a timeline: fan charts of cumulative profit by day, the payback-day
histogram, and when each strategy pays back. Reads daily.csv, payback.csv, summary.csv and
summary.json."""

from __future__ import annotations

from typing import Any

import numpy as np

from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import BREAK_EVEN, figure, money_axis, percent_axis
from campaign_sim.reports.results import Results
from campaign_sim.reports.texttable import TextTable

__all__ = ["plan", "points", "ranked", "table", "window"]


def _payback(results: Results) -> dict[str, dict]:
    """Strategy -> summary.json's payback entry (never_share, its CI, day quantiles)."""
    data = results.json("summary.json") or {}
    return {
        name: entry["payback"]
        for name, entry in (data.get("strategies") or {}).items()
        if isinstance(entry, dict) and isinstance(entry.get("payback"), dict)
    }


def window(results: Results) -> float | None:
    return (results.settings.get("timeline") or {}).get("window_days")


def _window_line(ax: Any, results: Results, text: Text, step: bool) -> None:
    """The window's last day as a dotted line, its legend label saying what happens there:
    fees still owed for content that never went live are paid that day (``step``)."""
    days = window(results)
    if not days:
        return
    last = int(days) - 1
    label = text("legend.window_end", day=last)
    if step:
        label = text("legend.window_end_fees", day=last)
    ax.axvline(last, color="#777777", linestyle=":", linewidth=1.8, label=label)


def _fee_step(part: Any, results: Results) -> bool:
    """Whether the median cumulative profit falls on the window's last day (fees still owed
    paid then) by more than 2% of the series' range."""
    days = window(results)
    median = part.set_index("day")["p50"]
    if not days or int(days) - 2 not in median.index or int(days) - 1 not in median.index:
        return False
    drop = float(median[int(days) - 2] - median[int(days) - 1])
    return drop > 0.02 * max(float(median.max() - median.min()), 1e-9)


def fan(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Cumulative profit by day per strategy: P5-P95 and P25-P75 bands, median line, the
    window's last day marked and explained; the legend below the panels."""
    daily = results.table("daily.csv")
    if daily is None:
        return None
    profit = daily[daily["metric"] == "profit"]
    names = [n for n in results.ordered_strategies if (profit["strategy"] == n).any()]
    if not names:
        return None
    with figure(ncols=len(names), sharey=True, squeeze=False) as (fig, grid):
        for ax, name in zip(grid[0], names, strict=True):
            part = profit[profit["strategy"] == name].sort_values("day")
            day, c = part["day"].to_numpy(), colour.get(name, "#333333")
            ax.fill_between(
                day,
                part["p5"],
                part["p95"],
                color=c,
                alpha=0.15,
                linewidth=0,
                label=text("legend.p5_p95"),
            )
            ax.fill_between(
                day,
                part["p25"],
                part["p75"],
                color=c,
                alpha=0.3,
                linewidth=0,
                label=text("legend.p25_p75"),
            )
            ax.plot(day, part["p50"], color=c, linewidth=2.6, label=text("legend.median"))
            ax.axhline(0, color=BREAK_EVEN, linewidth=1.4)
            _window_line(ax, results, text, _fee_step(part, results))
            ax.set_title(results.label(name))
            ax.set_xlabel(text("axis.day"))
            money_axis(ax.yaxis, text)
        grid[0][0].set_ylabel(text("axis.cum_profit", currency=text.currency_label))
        handles, labels = grid[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(4, len(labels)))
        return fig


def payback_bins(
    days: np.ndarray, paid_back: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Bins of ``width`` days from day 0 and the share of campaigns paying back in each, from
    the share paid back by the end of each day (a CDF that ends below 1 by the never-paid
    share). The shares add up to the CDF's last value."""
    horizon = int(days.max()) + 1
    edges = np.arange(0, horizon + width, width)
    edges[-1] = min(edges[-1], horizon)
    cdf = np.concatenate([[0.0], paid_back])
    known = np.concatenate([[-1], days])
    # Paid back inside [start, end): the CDF at the end of day end - 1 minus at day start - 1.
    at = np.interp(edges - 1, known, cdf, left=0.0)
    return edges, np.diff(at)


def _fitted_end(shares: list[np.ndarray], edges: list[np.ndarray]) -> float:
    """The x limit of the payback days: the end of the last bin where any strategy pays back
    (at least 0.05% of campaigns)."""
    ends = [
        float(e[1:][s > 5e-4].max()) for s, e in zip(shares, edges, strict=True) if (s > 5e-4).any()
    ]
    return max(ends) if ends else float(max(e[-1] for e in edges))


def payback_histogram(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Share of campaigns by payback day (bins of a few days, the axis ending after the last
    bin anyone pays back in) and, in a panel of its own, the share that never pays back as a
    bar per strategy labelled with its count of campaigns and share."""
    frame = results.table("payback.csv")
    if frame is None:
        return None
    names = [n for n in results.ordered_strategies if (frame["strategy"] == n).any()]
    if not names:
        return None
    horizon = int(frame["day"].max()) + 1
    width = max(1, round(horizon / 30))
    never = _payback(results)
    with figure(ncols=2, gridspec_kw={"width_ratios": [4, 1.1]}) as (fig, (ax, side)):
        bar = width / (len(names) + 0.5)
        shares, all_edges, nevers = [], [], []
        for i, name in enumerate(names):
            part = frame[frame["strategy"] == name].sort_values("day")
            edges, share = payback_bins(
                part["day"].to_numpy(), part["paid_back_share"].to_numpy(dtype=float), width
            )
            shares.append(share)
            all_edges.append(edges)
            c = colour.get(name, "#333333")
            ax.bar(
                edges[:-1] + i * bar,
                share,
                width=bar,
                align="edge",
                color=c,
                label=results.label(name),
            )
            cdf_end = float(part["paid_back_share"].iloc[-1])
            nevers.append(float((never.get(name) or {}).get("never_share", 1 - cdf_end)))
        _window_line(ax, results, text, False)
        ax.set_xlim(0, _fitted_end(shares, all_edges) + width / 2)
        percent_axis(ax.yaxis, 1 if max(float(s.max()) for s in shares) < 0.1 else 0)
        ax.set_xlabel(text("axis.payback_day"))
        ax.set_ylabel(text("axis.share"))
        _never_bars(side, results, text, names, nevers, colour)
        handles, labels = ax.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(labels)))
        return fig


def _never_bars(
    ax: Any,
    results: Results,
    text: Text,
    names: list[str],
    nevers: list[float],
    colour: dict[str, str],
) -> None:
    """One bar per strategy: the share of campaigns that never pay back inside the horizon,
    labelled "n (share)" (n of ``results.campaigns``)."""
    x = np.arange(len(names))
    for xi, name, share in zip(x, names, nevers, strict=True):
        (patch,) = ax.bar([xi], [share], width=0.7, color=colour.get(name, "#333333"))
        patch.set_gid(f"never:{name}")
        count = round(share * results.campaigns)
        ax.annotate(
            f"{text.count(count)}\n({text.prob(share)})",
            xy=(xi, share),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=12,
            fontweight="bold",
        )
    ax.set_ylim(0, 1.25)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    percent_axis(ax.yaxis)
    ax.set_xticks(x, [""] * len(names))
    ax.set_xlim(-0.6, len(names) - 0.4)
    ax.grid(axis="x", visible=False)
    ax.set_title(text("label.never_title"), fontsize=14)
    ax.set_xlabel(
        text("axis.never_n", n=text.count(results.campaigns)),
        fontsize=12,
    )


def plan(results: Results, text: Text) -> list[tuple]:
    """(key, title, caption, draw) of a timeline's charts."""
    names = ", ".join(results.label(n) for n in results.ordered_strategies)
    return [
        ("profit-fan", text("chart.fan", s=names), text("caption.fan"), fan),
        ("payback-days", text("chart.payback"), text("caption.payback"), payback_histogram),
    ]


# -- what the report says --------------------------------------------------------------------


def ranked(results: Results) -> list[tuple[str, dict]]:
    payback = _payback(results)
    return sorted(
        ((n, payback[n]) for n in results.ordered_strategies if n in payback),
        key=lambda item: item[1].get("never_share", 1.0),
    )


def points(results: Results, text: Text) -> list[str]:
    """Payback days, deliverables lost to the window, manager load, per strategy."""
    out = []
    for name, entry in ranked(results):
        out.append(
            text(
                "bullet.payback",
                s=results.label(name),
                p5=text.count(entry.get("p5_day")),
                p95=text.count(entry.get("p95_day")),
                never=text.prob(entry.get("never_share")),
            )
        )
    for name in results.ordered_strategies:
        lost = results.metric(name, "lost_share")
        load = results.metric(name, "manager_utilisation")
        if lost is not None and load is not None:
            out.append(
                text(
                    "bullet.lost",
                    s=results.label(name),
                    lost=text.pct(lost["mean"], 1),
                    load=text.pct(load["mean"]),
                )
            )
    return out


def table(results: Results, text: Text) -> TextTable | None:
    """Per strategy: paid back [CI], payback day median (P5-P95), lost share, ROI."""
    rows = []
    for name, entry in ranked(results):
        ci = entry.get("never_share_ci") or [None, None]
        paid = (
            f"{text.prob(1 - entry['never_share'], 1)} "
            f"{text.interval(text.prob(1 - ci[1], 1), text.prob(1 - ci[0], 1))}"
            if None not in ci
            else text.prob(1 - entry["never_share"], 1)
        )
        lost = results.metric(name, "lost_share")
        roi = results.metric(name, "roi")
        rows.append(
            [
                results.label(name),
                paid,
                f"{text.count(entry.get('p50_day'))} ({text.count(entry.get('p5_day'))} – "
                f"{text.count(entry.get('p95_day'))})",
                text.pct(lost["mean"], 1) if lost is not None else text.na,
                text.pct(roi["p50"], 1) if roi is not None else text.na,
            ]
        )
    header = [
        text("col.strategy"),
        text("col.paid_back"),
        text("col.payback_day"),
        text("col.lost_share"),
        text("col.p50_roi"),
    ]
    return TextTable(header, rows) if rows else None
