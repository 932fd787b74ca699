"""The report of a sweep: curves with outcome bands along the first axis, the risk-return
frontier with its efficient plans and the chosen one, two-axis heatmaps, and what the best
plan is. Reads sweep.csv, frontier.csv, best.json and heatmap_<strategy>.csv."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.reports.i18n import Text, column_kind
from campaign_sim.reports.plotting import (
    BREAK_EVEN,
    OFFSETS,
    RINGS,
    figure,
    place_label,
    renderer,
    value_axis,
)
from campaign_sim.reports.results import Results, finite
from campaign_sim.reports.texttable import TextTable

__all__ = [
    "axes",
    "axis_label",
    "format_value",
    "goal",
    "label",
    "limit_text",
    "plan",
    "points",
    "swept_name",
    "table",
]

MAX_PANELS = 4
#: Colour of the risk limits drawn on the frontier.
LIMIT = "#CC3311"


def axes(results: Results) -> list[str]:
    """Names of the swept axes, in the sweep's order."""
    return [str(a["name"]) for a in results.settings.get("axes") or [] if "name" in a]


def goal(goal: str) -> tuple[str, str]:
    """``"max:profit_mean"`` -> ("max", "profit_mean")."""
    sense, _, column = goal.rpartition(":")
    return sense or "max", column


def _numeric(values: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(values))


#: Last words of a swept name that say it is no amount of money, whatever comes before
#: (``fee_shared``: the share of a fee's variance shared by a pool, not a fee).
NOT_MONEY = ("shared", "persistent", "spread", "sigma")


def value_kind(column: str) -> str:
    """How a swept axis or table column is formatted (:func:`column_kind`), a name whose last
    word is in NOT_MONEY by that word: ``fee_shared`` -> "number", not "money"."""
    kind = column_kind(column)
    word = re.sub(r"\[\d+\]", "", column).rsplit(".", 1)[-1].rsplit("_", 1)[-1]
    return column_kind(word) if kind == "money" and word in NOT_MONEY else kind


def format_value(value: Any, column: str, text: Text) -> str:
    """An axis or table value by its column's kind."""
    kind = value_kind(column)
    if not finite(value):
        return text.na if value is None or isinstance(value, float) else str(value)
    if kind == "fraction":
        return text.pct(value)
    if kind == "prob":
        return text.prob(value, 1)
    if kind == "money":
        return text.money(value)
    return f"{float(value):,.4g}"


def axis_label(name: str, names: list[str]) -> str:
    """A swept key path by its last key (``strategies.*.budget`` -> ``budget``), unless two
    axes would then read the same."""
    short = re.sub(r"\[\d+\]", "", name).rsplit(".", 1)[-1]
    others = [re.sub(r"\[\d+\]", "", n).rsplit(".", 1)[-1] for n in names if n != name]
    return name if short in others else short


#: Words of swept names and key paths that have a label.
SWEPT = {
    "budget": "swept.budget",
    "share": "swept.share",
    "gross": "swept.gross",
    "margin": "swept.margin",
    "aov": "swept.aov",
    "count": "swept.count",
    "managers": "swept.managers",
    "creator": "swept.creator",
    "spread": "swept.spread",
    "fee": "swept.fee",
    "shared": "swept.shared",
}


def swept_name(name: str, names: list[str], text: Text) -> str:
    """A swept axis in words: ``nano_share`` -> "nano share" (zh-TW: 奈米占比), a key path by
    its last key (``strategies.*.budget`` -> "budget")."""
    words = re.split(r"[\s_.*]+|\[\d+\]", axis_label(name, names))
    return join_words([text(SWEPT[w]) if w in SWEPT else text.tier(w) for w in words if w], text)


def join_words(words: list[str], text: Text) -> str:
    """Words of a name joined: with spaces in English; in Chinese without, but with a space
    between two Latin words (a word the locale does not know stays readable)."""
    if not text.zh:
        return " ".join(words)
    out = ""
    for word in words:
        latin = out[-1:].isascii() and out[-1:].isalnum() and word[:1].isascii()
        out += (" " if latin else "") + word
    return out


def setting_text(name: str, value: Any, names: list[str], text: Text) -> str:
    """A swept axis and its value: "budget = NT$600,000" (zh-TW: 預算 = NT$600,000)."""
    return f"{swept_name(name, names, text)} = {format_value(value, name, text)}"


def _point_text(settings: dict, names: list[str], text: Text) -> str:
    sep = "，" if text.zh else ", "
    return sep.join(setting_text(n, settings[n], names, text) for n in names if n in settings)


def curves(results: Results, text: Text, colour: dict[str, str], *, metric: str) -> Any:
    """Mean of ``metric`` along the first axis with its P5-P95 band, a panel per value of the
    second axis (other axes held at their first value)."""
    table = results.table("sweep.csv")
    names = [n for n in axes(results) if table is not None and n in table]
    if table is None or not names or f"{metric}_mean" not in table:
        return None
    x_name = names[0]
    if results.settings.get("zip"):
        names = names[:1]
    for other in names[2:]:
        table = table[table[other] == table[other].iloc[0]]
    panels = [None]
    if len(names) > 1:
        values = list(dict.fromkeys(table[names[1]]))
        picks = np.unique(np.linspace(0, len(values) - 1, min(MAX_PANELS, len(values))).round())
        panels = [values[int(i)] for i in picks]
    with figure(ncols=len(panels), sharey=True, squeeze=False) as (fig, grid):
        for ax, panel in zip(grid[0], panels, strict=True):
            rows = table if panel is None else table[table[names[1]] == panel]
            for strategy in results.ordered_strategies:
                part = rows[rows["strategy"] == strategy]
                if part.empty:
                    continue
                x = part[x_name].to_numpy() if _numeric(part[x_name]) else np.arange(len(part))
                c = colour.get(strategy, "#333333")
                ax.fill_between(
                    x, part[f"{metric}_p5"], part[f"{metric}_p95"], color=c, alpha=0.15, linewidth=0
                )
                ax.plot(
                    x,
                    part[f"{metric}_mean"],
                    "o-",
                    color=c,
                    linewidth=2.4,
                    markersize=5,
                    label=results.label(strategy),
                )
                if not _numeric(part[x_name]):
                    ax.set_xticks(x, [str(v) for v in part[x_name]])
            ax.axhline(0, color=BREAK_EVEN, linewidth=1.2)
            ax.set_xlabel(swept_name(x_name, names, text))
            if _numeric(rows[x_name]):
                value_axis(ax.xaxis, x_name, text)
            value_axis(ax.yaxis, metric, text)
            if panel is not None:
                ax.set_title(setting_text(names[1], panel, names, text))
        grid[0][0].set_ylabel(text.metric(metric))
        handles, labels = grid[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
        return fig


def _limits(results: Results) -> list[tuple[str, float, str]]:
    """The risk limits of best.json as (column, value, limit as written)."""
    out = []
    for limit in (results.json("best.json") or {}).get("risk_limits") or []:
        match = re.fullmatch(r"\s*(\w+)\s*(<=|>=|==|<|>)\s*(\S+)\s*", str(limit))
        if match is not None and _is_number(match.group(3)):
            out.append((match.group(1), float(match.group(3)), str(limit)))
    return out


def _draw_limits(ax: Any, results: Results, text: Text, ret: str, risk: str) -> list[str]:
    """Each risk limit on the frontier's own columns as a dashed line; the texts of the other
    limits (not on these axes), for the legend."""
    others = []
    for column, value, limit in _limits(results):
        said = text("label.limit", limit=limit_text(limit, text))
        if column == risk:
            ax.axvline(value, color=LIMIT, linestyle="--", linewidth=1.6, label=said)
        elif column == ret:
            ax.axhline(value, color=LIMIT, linestyle="--", linewidth=1.6, label=said)
        else:
            others.append(limit_text(limit, text))
    return others


def _plan_points(ax: Any, table: pd.DataFrame, ret: str, risk: str) -> np.ndarray:
    """Every plan of the frontier in display pixels."""
    values = table[[risk, ret]].to_numpy(dtype=float)
    return ax.transData.transform(values[np.isfinite(values).all(axis=1)])


def _cluster_labels(
    ax: Any, results: Results, table: pd.DataFrame, text: Text, ret: str, risk: str
) -> list[Any]:
    """A label under each group of plans sharing a value of the second swept axis (the
    clusters a budget makes), e.g. "budget = NT$600,000"."""
    names = [n for n in axes(results) if n in table]
    if len(names) < 2 or results.settings.get("zip"):
        return []
    key = names[1]
    groups = list(dict.fromkeys(table[key]))
    if len(groups) > 8:
        return []
    out = []
    for value in groups:
        part = table[table[key] == value]
        x, y = float(part[risk].median()), float(part[ret].min())
        note = ax.annotate(
            setting_text(key, value, names, text),
            xy=(x, y),
            xytext=(0, -14),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=12,
            color="#333333",
        )
        note.set_in_layout(False)
        out.append(note)
    return out


def frontier(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Every plan's return against its risk; efficient plans ringed and joined; the chosen
    plan starred and labelled where no plan is; the risk limits on these axes as dashed
    lines; each group of the second axis labelled; the legend outside the plot."""
    from matplotlib.lines import Line2D

    table = results.table("frontier.csv")
    goals = results.settings.get("frontier") or {}
    ret = goal(str(goals.get("return", "max:roi_mean")))[1]
    risk = goal(str(goals.get("risk", "min:prob_loss")))[1]
    if table is None or ret not in table or risk not in table:
        return None
    best = (results.json("best.json") or {}).get("best")
    with figure() as (fig, ax):
        for strategy in results.ordered_strategies:
            part = table[table["strategy"] == strategy]
            if part.empty:
                continue
            c = colour.get(strategy, "#333333")
            ax.scatter(
                part[risk],
                part[ret],
                s=40,
                color=c,
                alpha=0.45,
                linewidths=0,
                label=results.label(strategy),
            )
            good = part[part["efficient"].astype(bool)] if "efficient" in part else part[:0]
            ax.scatter(good[risk], good[ret], s=110, facecolor=c, edgecolor="black", linewidths=1.5)
        efficient = table[table["efficient"].astype(bool)] if "efficient" in table else None
        if efficient is not None and len(efficient) > 1:
            line = efficient.sort_values(risk)
            ax.plot(
                line[risk],
                line[ret],
                color="black",
                linewidth=1.2,
                alpha=0.7,
                label=text("legend.efficient"),
            )
        chosen = table[:0]
        if best:
            chosen = table[
                (table["point"] == best["point"]) & (table["strategy"] == best["strategy"])
            ]
            if not chosen.empty:
                ax.scatter(
                    chosen[risk],
                    chosen[ret],
                    marker="*",
                    s=700,
                    color="#F0E442",
                    edgecolor="black",
                    linewidths=1.5,
                    zorder=5,
                    label=text("legend.chosen"),
                )
        others = _draw_limits(ax, results, text, ret, risk)
        ax.axhline(0, color=BREAK_EVEN, linewidth=1.2)
        value_axis(ax.xaxis, risk, text)
        value_axis(ax.yaxis, ret, text)
        ax.set_xlabel(label(risk, text))
        ax.set_ylabel(label(ret, text))
        low, high = ax.get_ylim()
        ax.set_ylim(low - 0.1 * (high - low), high + 0.2 * (high - low))  # room for labels
        handles, labels = ax.get_legend_handles_labels()
        if others:
            handles.append(Line2D([], [], linestyle="none"))
            labels.append(text("legend.other_limits", limits=text.list_sep().join(others)))
        fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(labels)))
        renderer(fig)
        clusters = _cluster_labels(ax, results, table, text, ret, risk)
        taken = [c.get_window_extent(renderer(fig)) for c in clusters]
        if not chosen.empty and best:
            note = _point_text(best.get("settings") or {}, axes(results), text)
            place_label(
                ax,
                f"{results.label(str(best['strategy']))}\n{note}",
                (float(chosen[risk].iloc[0]), float(chosen[ret].iloc[0])),
                points=_plan_points(ax, table, ret, risk),
                taken=taken,
                offsets=tuple((2 * dx, 2 * dy) for dx, dy in OFFSETS) + RINGS,
                fontsize=12,
                arrowprops={"arrowstyle": "-", "color": "#555555", "shrinkB": 12},
                bbox={
                    "boxstyle": "round,pad=0.25",
                    "facecolor": "white",
                    "alpha": 0.85,
                    "linewidth": 0,
                },
            )
        return fig


#: Statistics of a column (``profit_mean``) and the message that puts them in words.
STATS = {"mean": "stat.mean", "p5": "stat.p5", "p50": "stat.p50", "p95": "stat.p95"}


def label(column: str, text: Text) -> str:
    """A column in words for an axis or a header: ``profit_mean`` -> "Mean profit",
    ``roi_p5`` -> "ROI P5", ``prob_loss`` -> "P(loss)" (translated where known); a column it
    cannot read as it is."""
    if column == "prob_loss":
        return text("col.prob_loss")
    if column == "expected_shortfall":
        return text("col.es")
    if column == "value_at_risk":
        return text("col.var")
    metric, _, stat = column.rpartition("_")
    key = STATS.get(stat)
    if key is None or not metric:
        return column
    words = text(key, metric=in_sentence(text.metric(metric), text))
    return words[:1].upper() + words[1:]


def in_sentence(words: str, text: Text) -> str:
    """A label inside an English sentence: "profit", "expected shortfall", but "ROI" and
    "P(loss)" as they are; Chinese as it is."""
    if text.zh or words[:2].isupper() or words[1:2] == "(":
        return words
    return words[:1].lower() + words[1:]


def _heatmaps(results: Results) -> dict[str, np.ndarray]:
    """Strategy -> its heatmap's values (rows: the first column's values), for those with one."""
    out = {}
    for strategy in results.ordered_strategies:
        if results.has(f"heatmap_{strategy}.csv"):
            frame = results.table(f"heatmap_{strategy}.csv")
            if frame is not None and frame.shape[1] >= 2:
                out[strategy] = frame.iloc[:, 1:].to_numpy(dtype=float)
    return out


def heat_scale(results: Results) -> tuple[str, Any] | None:
    """The colour map and norm every heatmap panel of the objective shares: diverging around
    zero (RdBu, one linear slope from -m to m, m the largest amount, so a shade means the same
    amount of gain or loss) when the values of all panels cross it, viridis otherwise."""
    from matplotlib.colors import Normalize

    values = np.concatenate([v.ravel() for v in _heatmaps(results).values()] or [np.empty(0)])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    lo, hi = float(values.min()), float(values.max())
    if lo < 0 < hi:
        top = max(-lo, hi)
        return "RdBu", Normalize(-top, top)
    return "viridis", Normalize(lo, hi if hi > lo else lo + 1)


def cell_format(results: Results, column: str, text: Text) -> Any:
    """One format for every cell of the heatmaps of ``column``: money in one unit (M or k;
    萬 or 億 in Chinese) chosen by the largest amount of all panels, percent for shares."""
    kind = column_kind(column)
    if kind in ("fraction", "prob"):
        return text.pct
    if kind != "money":
        return lambda v: f"{v:.3g}"
    values = np.concatenate([v.ravel() for v in _heatmaps(results).values()] or [np.zeros(1)])
    top = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    if text.zh:
        unit, suffix = (1e8, "億") if top >= 1e8 else (1e4, "萬") if top >= 1e4 else (1, "")
        digits = 1 if unit > 1 else 0
    else:
        unit, suffix = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e3 else (1, "")
        digits = 2 if unit == 1e6 else 0
    return lambda v: f"{round(v / unit, digits) + 0.0:,.{digits}f}{suffix}"  # no "-0"


def _column_value(column: Any, x_name: str, text: Text) -> str:
    """A heatmap column (``profit_mean at budget=600000``) by its axis value."""
    raw = str(column).rpartition("=")[2] if "=" in str(column) else str(column)
    return format_value(float(raw), x_name, text) if _is_number(raw) else raw


def heatmap(results: Results, text: Text, colour: dict[str, str], *, strategy: str) -> Any:
    """The objective over the two axes for one strategy, each cell labelled in one unit; the
    colour map and norm shared by every strategy's panel."""
    from matplotlib.ticker import FuncFormatter

    frame = results.table(f"heatmap_{strategy}.csv")
    scale = heat_scale(results)
    if frame is None or frame.shape[1] < 2 or scale is None:
        return None
    y_name = str(frame.columns[0])
    values = frame.iloc[:, 1:].to_numpy(dtype=float)
    objective = goal(str(results.settings.get("objective", "max:profit_mean")))[1]
    x_name = next((n for n in axes(results) if n != y_name), "")
    if not np.isfinite(values).any():
        return None
    cell = cell_format(results, objective, text)
    with figure() as (fig, ax):
        image = ax.imshow(values, cmap=scale[0], norm=scale[1], aspect="auto")
        rows, cols = values.shape
        if rows * cols <= 150:
            for i in range(rows):
                for j in range(cols):
                    v = values[i, j]
                    if not np.isfinite(v):
                        continue
                    r, g, b, _ = image.cmap(image.norm(v))
                    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                    ax.text(
                        j,
                        i,
                        cell(v),
                        ha="center",
                        va="center",
                        fontsize=11,
                        color="white" if dark else "black",
                    )
        ax.set_xticks(range(cols), [_column_value(c, x_name, text) for c in frame.columns[1:]])
        ax.set_yticks(range(rows), [format_value(v, y_name, text) for v in frame.iloc[:, 0]])
        ax.set_xlabel(swept_name(x_name, axes(results), text))
        ax.set_ylabel(swept_name(y_name, axes(results), text))
        ax.grid(False)
        bar = fig.colorbar(image, ax=ax)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: cell(v)))
        bar.set_label(label(objective, text))
        return fig


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def plan(results: Results, text: Text) -> list[tuple]:
    """(key, title, caption, draw) of a sweep's charts."""
    names = axes(results)
    x = swept_name(names[0], names, text) if names else ""
    out: list[tuple] = []
    for metric in ("roi", "profit"):
        name = text.metric(metric)
        out.append(
            (
                f"sweep-{metric}",
                text("chart.sweep", metric=name, axis=x),
                text("caption.sweep", metric=in_sentence(name, text)),
                partial(curves, metric=metric),
            )
        )
    goals = results.settings.get("frontier") or {}
    risk = goal(str(goals.get("risk", "min:prob_loss")))[1]
    out.append(
        (
            "frontier",
            text("chart.frontier"),
            text("caption.frontier", risk=in_sentence(label(risk, text), text)),
            frontier,
        )
    )
    objective = goal(str(results.settings.get("objective", "max:profit_mean")))[1]
    for strategy in results.ordered_strategies:
        if results.has(f"heatmap_{strategy}.csv"):
            frame = results.table(f"heatmap_{strategy}.csv")
            y = str(frame.columns[0]) if frame is not None else ""
            other = next((n for n in names if n != y), "")
            values = {
                "metric": label(objective, text),
                "x": swept_name(other, names, text),
                "y": swept_name(y, names, text),
                "s": results.label(strategy),
            }
            out.append(
                (
                    f"heatmap-{strategy}",
                    text("chart.heatmap", **values),
                    text("caption.heatmap", metric=values["metric"]),
                    partial(heatmap, strategy=strategy),
                )
            )
    return out


# -- what the report says --------------------------------------------------------------------


_OPERATORS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "="}


def limit_text(limit: str, text: Text) -> str:
    """``"prob_loss <= 0.5"`` -> "P(loss) ≤ 50.0%"; left as it is if it does not parse."""
    match = re.fullmatch(r"\s*(\w+)\s*(<=|>=|==|<|>)\s*(\S+)\s*", limit)
    if match is None:
        return limit
    column, operator, value = match.groups()
    try:
        number = float(value)
    except ValueError:
        return limit
    return f"{label(column, text)} {_OPERATORS[operator]} {format_value(number, column, text)}"


def points(results: Results, text: Text) -> list[str]:
    """How many plans qualify, whether the limits hold across their CIs, the frontier."""
    data = results.json("best.json") or {}
    out = []
    if data:
        out.append(
            text(
                "bullet.sweep_feasible",
                feasible=data.get("feasible", 0),
                n=data.get("candidates", 0),
            )
        )
    for limit in (data.get("best") or {}).get("limits") or []:
        ci = limit.get("ci") or [None, None]
        column = str(limit.get("limit", "")).split()[0]
        key = "bullet.limit_sure" if limit.get("met_across_ci") else "bullet.limit_unsure"
        out.append(
            text(
                key,
                limit=limit_text(str(limit.get("limit", "")), text),
                value=format_value(limit.get("value"), column, text),
                lo=format_value(ci[0], column, text),
                hi=format_value(ci[1], column, text),
            )
        )
    table = results.table("frontier.csv")
    if table is not None and "efficient" in table:
        out.append(
            text("bullet.efficient", n=int(table["efficient"].astype(bool).sum()), total=len(table))
        )
    out.append(
        text("bullet.sweep_seed", campaigns=text.count(results.campaigns), seed=results.seed)
    )
    return out


def table(results: Results, text: Text) -> TextTable | None:
    """The efficient plans: strategy, axis values, return [CI], risk [CI]."""
    frame = results.table("frontier.csv")
    goals = results.settings.get("frontier") or {}
    ret = goal(str(goals.get("return", "max:roi_mean")))[1]
    risk = goal(str(goals.get("risk", "min:prob_loss")))[1]
    if frame is None or "efficient" not in frame or ret not in frame or risk not in frame:
        return None
    names = [n for n in axes(results) if n in frame]
    rows = []
    for row in frame[frame["efficient"].astype(bool)].sort_values(risk).to_dict("records"):
        cells = [results.label(str(row["strategy"]))]
        cells += [format_value(row[n], n, text) for n in names]
        for column in (ret, risk):
            lo, hi = row.get(f"{column}_ci_low"), row.get(f"{column}_ci_high")
            interval = (
                " " + text.interval(format_value(lo, column, text), format_value(hi, column, text))
                if finite(lo) and finite(hi)
                else ""
            )
            cells.append(format_value(row[column], column, text) + interval)
        rows.append(cells)
    header = [
        text("col.strategy"),
        *(swept_name(n, names, text) for n in names),
        f"{label(ret, text)} [{text('word.ci95')}]",
        f"{label(risk, text)} [{text('word.ci95')}]",
    ]
    return TextTable(header, rows) if rows else None
