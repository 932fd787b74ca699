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

__all__ = ["headline", "plan", "points", "table"]


def _payback(results: Results) -> dict[str, dict]:
    """Strategy -> summary.json's payback entry (never_share, its CI, day quantiles)."""
    data = results.json("summary.json") or {}
    return {
        name: entry["payback"]
        for name, entry in (data.get("strategies") or {}).items()
        if isinstance(entry, dict) and isinstance(entry.get("payback"), dict)
    }


def _window(results: Results) -> float | None:
    return (results.settings.get("timeline") or {}).get("window_days")


def fan(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Cumulative profit by day per strategy: P5-P95 and P25-P75 bands, median line."""
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
            window = _window(results)
            if window:
                ax.axvline(window, color="#777777", linestyle=":", linewidth=1.5)
            ax.set_title(results.label(name))
            ax.set_xlabel(text("axis.day"))
            money_axis(ax.yaxis, text)
        grid[0][0].set_ylabel(text("axis.cum_profit", currency=results.currency))
        grid[0][0].legend(loc="upper left")
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


def payback_histogram(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Share of campaigns by payback day (bins of a few days); never-paid-back share noted."""
    frame = results.table("payback.csv")
    if frame is None:
        return None
    names = [n for n in results.ordered_strategies if (frame["strategy"] == n).any()]
    if not names:
        return None
    horizon = int(frame["day"].max()) + 1
    width = max(1, round(horizon / 30))
    never = _payback(results)
    with figure() as (fig, ax):
        bar = width / (len(names) + 0.5)
        for i, name in enumerate(names):
            part = frame[frame["strategy"] == name].sort_values("day")
            edges, share = payback_bins(
                part["day"].to_numpy(), part["paid_back_share"].to_numpy(dtype=float), width
            )
            cdf_end = float(part["paid_back_share"].iloc[-1])
            c = colour.get(name, "#333333")
            left = edges[:-1] + i * bar
            label = results.label(name)
            never_share = (never.get(name) or {}).get("never_share", 1 - cdf_end)
            label += f" — {text('label.never')} {text.prob(never_share)}"
            ax.bar(left, share, width=bar, align="edge", color=c, label=label)
        window = _window(results)
        if window:
            ax.axvline(window, color="#777777", linestyle=":", linewidth=1.5)
        percent_axis(ax.yaxis, 1 if ax.get_ylim()[1] < 0.1 else 0)
        ax.set_xlabel(text("axis.payback_day"))
        ax.set_ylabel(text("axis.share"))
        ax.legend(loc="upper right")
        return fig


def plan(results: Results, text: Text) -> list[tuple]:
    """(key, title, caption, draw) of a timeline's charts."""
    names = ", ".join(results.label(n) for n in results.ordered_strategies)
    return [
        ("profit-fan", text("chart.fan", s=names), text("caption.fan"), fan),
        ("payback-days", text("chart.payback"), text("caption.payback"), payback_histogram),
    ]


# -- what the report says --------------------------------------------------------------------


def _ranked(results: Results) -> list[tuple[str, dict]]:
    payback = _payback(results)
    return sorted(
        ((n, payback[n]) for n in results.ordered_strategies if n in payback),
        key=lambda item: item[1].get("never_share", 1.0),
    )


def headline(results: Results, text: Text) -> str | None:
    """Which strategy pays back most often, and by which day."""
    ranked = _ranked(results)
    if not ranked:
        return None
    (best, entry), others = ranked[0], ranked[1:]
    values = {
        "s": results.label(best),
        "p": text.prob(1 - entry.get("never_share", 1.0)),
        "day": text.count(entry.get("p50_day")),
    }
    if not others:
        return text("headline.timeline_one", **values)
    second, other = others[0]
    return text(
        "headline.timeline",
        second=results.label(second),
        p2=text.prob(1 - other.get("never_share", 1.0)),
        **values,
    )


def points(results: Results, text: Text) -> list[str]:
    """Payback days, deliverables lost to the window, manager load, per strategy."""
    out = []
    for name, entry in _ranked(results):
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
    for name, entry in _ranked(results):
        ci = entry.get("never_share_ci") or [None, None]
        paid = (
            f"{text.prob(1 - entry['never_share'], 1)} "
            f"[{text.prob(1 - ci[1], 1)}, {text.prob(1 - ci[0], 1)}]"
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
                text.pct(lost["mean"], 1) if lost is not None else "n/a",
                text.pct(roi["p50"], 1) if roi is not None else "n/a",
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
