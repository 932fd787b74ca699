"""Excel workbook of a results folder (openpyxl): one sheet per table.

Numbers are stored as numbers with number formats from the metric registry (percentages for ROI
and shares, thousands separators for money and counts; no numeric column left in General),
header rows are named in words, bold on a fill, frozen and filtered, and columns are sized to
their content. A sweep's workbook opens on its best plan. No cell names a folder of the machine
that made the results: absolute paths show relative to the repository or the scenario's folder,
or as their file name. Text that a spreadsheet would run as a formula (it starts with =, +, -,
@ or a tab) is stored as a string cell with Excel's quote prefix: it shows as typed and never
runs.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.analysis.frontier import interval
from campaign_sim.reports.i18n import METRIC_KINDS, Text, column_kind, metric_kind
from campaign_sim.reports.optimize import ROLE_KEYS, SETTING_KEYS
from campaign_sim.reports.results import Results, finite
from campaign_sim.reports.sweep import join_words, value_kind
from campaign_sim.results.folder import FORMULA_PREFIXES

__all__ = ["build_workbook"]

FORMATS = {
    "fraction": "0.0%",
    "prob": "0.00%",
    "money": "#,##0",
    "money_small": "#,##0.00",
    "ratio": "0.00",
    "count": "#,##0",
    "real": "0.000",
    "id": "0",
    "general": "General",
}
HEADER_FILL = "DDE6F0"
MAX_WIDTH = 60
#: Header text wider than this (characters) wraps instead of widening its column.
HEADER_WIDTH = 28


@dataclass(frozen=True)
class Column:
    """A sheet column: header text, source field, number format (None: by row, or by value),
    ``by_row``: the format of one row's cell, ``note``: the header's comment."""

    header: str
    field: str
    fmt: str | None = None
    note: str | None = None
    by_row: Callable[[dict], str | None] | None = None


def number_format(metric: str) -> str:
    """Excel number format for a metric's values."""
    if metric in ("cpm", "cpe", "cpa", "cpm_unique"):
        return FORMATS["money_small"]
    return FORMATS[metric_kind(metric)]


def value_format(values: Sequence[Any]) -> str:
    """A number format for numbers of no known kind, from their size: whole numbers with
    separators, fractions with three decimals."""
    numbers = [float(v) for v in values if _is_number(v) and math.isfinite(float(v))]
    if not numbers:
        return FORMATS["real"]
    if all(v.is_integer() for v in numbers) or max(abs(v) for v in numbers) >= 1000:
        return FORMATS["count"]
    if max(abs(v) for v in numbers) >= 1:
        return "#,##0.00"
    return FORMATS["real"]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _cell_value(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if _is_number(value):
        return 12 if fmt != FORMATS["money"] else 14
    text = str(value)
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _put(cell: Any, value: Any) -> None:
    """Store ``value``; text that would run as a formula stays text (quote prefix)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def _header(sheet: Any, columns: Sequence[Column], widths: list[int]) -> None:
    """Bold header cells on a fill, wrapped, with their comments; the row as tall as the
    most wrapped header."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    lines = 1
    for j, column in enumerate(columns, start=1):
        cell = sheet.cell(1, j)
        _put(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.note:
            cell.comment = Comment(column.note, "campaign-sim", width=300, height=120)
        width = min(MAX_WIDTH, max(8, widths[j - 1]))
        lines = max(lines, math.ceil((_width(column.header, None) + 1) / max(1, width - 1)))
    sheet.row_dimensions[1].height = 15 * min(lines, 6)


def write_sheet(
    book: Any,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[dict],
    *,
    row_format: str | None = None,
) -> Any:
    """A sheet with a bold frozen header, one row per dict, formats by column (or by the
    column's ``by_row``, or the row's ``row_format`` field, e.g. the metric of a summary row;
    numbers no format names get one from their size)."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", title)[:31])
    widths = [min(HEADER_WIDTH, _width(c.header, None)) + 2 for c in columns]
    for i, row in enumerate(rows, start=2):
        for j, column in enumerate(columns, start=1):
            value = _cell_value(row.get(column.field))
            cell = sheet.cell(i, j)
            _put(cell, value)
            if isinstance(value, str) and len(value) > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif _is_number(value):
                cell.number_format = _cell_format(column, row, row_format, value)
            widths[j - 1] = max(widths[j - 1], _width(value, column.fmt) + 2)
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(8, width))
    _header(sheet, columns, widths)
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _cell_format(column: Column, row: dict, row_format: str | None, value: Any) -> str:
    fmt = column.fmt
    if fmt is None and column.by_row is not None:
        fmt = column.by_row(row)
    if fmt is None and row_format is not None:
        fmt = row.get(row_format)
    if not fmt or fmt == FORMATS["general"]:
        fmt = value_format([value])
    return str(fmt)


# -- column names in words -------------------------------------------------------------------

#: Columns of the commands' tables and the message that names them.
NAMED = {
    "strategy": "col.strategy",
    "label": "col.label",
    "metric": "col.metric",
    "campaigns": "col.campaigns",
    "n": "col.campaigns",
    "input": "col.input",
    "quantity": "col.quantity",
    "tier": "col.tier",
    "platform": "col.platform",
    "prob_loss": "col.prob_loss",
    "prob_loss_ci_low": "col.prob_loss_ci_low",
    "prob_loss_ci_high": "col.prob_loss_ci_high",
    "roi_target": "col.roi_target",
    "prob_above_target": "col.prob_above",
    "prob_above_target_ci_low": "col.prob_above_ci_low",
    "prob_above_target_ci_high": "col.prob_above_ci_high",
    "value_at_risk": "col.var",
    "expected_shortfall": "col.es",
    "expected_shortfall_se": "col.es_se",
    "correlation": "col.correlation",
    "at_low": "col.at_low",
    "at_high": "col.at_high",
    "swing": "col.swing",
    "booked": "col.booked",
    "risk_share": "col.risk_share",
    "point": "xlsx.point",
    "seed": "xlsx.seed",
    "scenario_sha256": "xlsx.scenario_sha256",
    "efficient": "xlsx.efficient",
    "output": "xlsx.output",
    "rank": "xlsx.rank",
    "group": "xlsx.group",
    "aggregate": "xlsx.aggregate",
    "part": "xlsx.part",
    "s1": "xlsx.s1",
    "st": "xlsx.st",
    "spearman": "xlsx.spearman",
    "srrc": "xlsx.srrc",
    "contribution": "xlsx.contribution",
    "rank_r2": "xlsx.rank_r2",
    "variance": "xlsx.variance",
    "base_samples": "xlsx.base_samples",
    "day": "xlsx.day",
    "paid_back_share": "xlsx.paid_back_share",
    "met": "xlsx.met",
    "kind": "xlsx.kind",
    "where": "xlsx.where",
    "key": "xlsx.key",
    "low_quantile": "xlsx.low_quantile",
    "high_quantile": "xlsx.high_quantile",
    "low_value": "xlsx.low_value",
    "high_value": "xlsx.high_value",
    "base": "xlsx.base",
    "creator": "xlsx.creator",
    "pool": "xlsx.pool",
    "roster": "xlsx.roster",
    "roster_row": "xlsx.roster_row",
    "p_payback": "xlsx.p_payback",
}
#: Statistics a column name ends with, and the message that names them (longest first).
STATS = {
    "mean_ci_low": "col.ci_low",
    "mean_ci_high": "col.ci_high",
    "n_undefined": "col.n_undefined",
    "half_width": "xlsx.half_width",
    "ci_low": "xlsx.ci_low",
    "ci_high": "xlsx.ci_high",
    "mean": "col.mean",
    "p5": "col.p5",
    "p25": "col.p25",
    "p50": "col.p50",
    "p75": "col.p75",
    "p95": "col.p95",
    "sd": "col.sd",
    "se": "col.se",
}
#: Number formats of columns whose name says nothing of their unit.
KINDS = {
    "point": "id",
    "seed": "id",
    "rank": "id",
    "day": "id",
    "roster_row": "id",
    "base_samples": "count",
    "campaigns": "count",
    "n": "count",
    "s1": "fraction",
    "st": "fraction",
    "contribution": "fraction",
    "booked": "fraction",
    "risk_share": "fraction",
    "p_payback": "prob",
    "low_quantile": "fraction",
    "high_quantile": "fraction",
    "spearman": "real",
    "srrc": "real",
    "rank_r2": "real",
    "correlation": "real",
}


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]


def axis_words(name: str, text: Text) -> str:
    """A swept key path in words: its last key (a prior quantity, or word by word where the
    locale has the word), with the group it belongs to: ``strategies.*.groups[1].share`` ->
    "Share (group 2)"."""
    last = re.sub(r"\[\d+\]", "", name).rsplit(".", 1)[-1]
    if text.has(f"quantity.{last}"):
        said = text.quantity(last)
    else:
        said = join_words([_word(w, text) for w in last.split("_") if w], text)
    group = re.search(r"groups\[(\d+)\]", name)
    if group is not None:
        said += f" ({text('xlsx.group_n', n=int(group.group(1)) + 1)})"
    prior = PRIOR_PATH.search(name)
    if prior is not None:  # linked paths of one axis read apart: "(nano TikTok engagement rate)"
        tier, platform, quantity = prior.groups()
        where = text.tier(tier) if platform is None else pool_words(f"{tier}/{platform}", text)
        what = f"{where}{'' if text.zh else ' '}{text.quantity(quantity)}"
        said += f"（{what}）" if text.zh else f" ({what})"
    return _capital(said)


#: A prior's key path: its tier, platform (if any) and quantity.
PRIOR_PATH = re.compile(r"priors\.tiers\.(\w+)(?:\.platforms\.(\w+))?\.(\w+)\.\w+$")


def _word(word: str, text: Text) -> str:
    """One word of a swept name in the locale's words (``swept.<word>``, ``tier.<word>``)."""
    for key in (f"swept.{word}", f"tier.{word}"):
        if text.has(key):
            return text(key)
    return word


def heading(column: str, text: Text, axes: Sequence[str] = ()) -> str:
    """A table column in words: ``roi_mean_ci_low`` -> "ROI · 95% CI of mean, low", ``s1`` ->
    "First-order index", a swept path by :func:`axis_words`, anything else with spaces."""
    if column in NAMED:
        return text(NAMED[column])
    if column in axes:
        return axis_words(column, text)
    if column in METRIC_KINDS:
        return text.metric(column)
    if column in STATS:
        return text(STATS[column])
    for stat, key in STATS.items():
        if column.endswith(f"_{stat}"):
            base = column.removesuffix(f"_{stat}")
            return f"{heading(base, text, axes)} · {text(key)}"
    return _capital(column.replace("_", " "))


def column_format(column: str) -> str | None:
    """Number format of a column of a command's table, from its name (None: from its values)."""
    if column in KINDS:
        return FORMATS[KINDS[column]]
    if column in METRIC_KINDS:
        return number_format(column)
    for stat in STATS:
        if column.endswith(f"_{stat}"):
            if stat == "n_undefined":
                return FORMATS["count"]
            return column_format(column.removesuffix(f"_{stat}"))
    return FORMATS.get(value_kind(column))


#: Columns in the unit of the row's output (swing.csv) or metric (daily.csv).
BY_OUTPUT = ("base", "at_low", "at_high", "swing", "swing_se")
BY_METRIC = ("mean", "p5", "p25", "p50", "p75", "p95", "sd", "se")


def _row_rule(column: str, frame: pd.DataFrame) -> Callable[[dict], str | None] | None:
    """The format of a column whose unit depends on its row, if it has one."""
    if column in BY_OUTPUT and "output" in frame:
        return lambda row: number_format(str(row.get(RAW_OUTPUT, row.get("output"))))
    if column in BY_METRIC and "metric" in frame:
        return lambda row: number_format(str(row.get("metric")))
    if column in ("low_value", "high_value") and "quantity" in frame:
        return lambda row: _quantity_format(str(row.get("quantity")), row.get(column))
    return None


def _quantity_format(quantity: str, value: Any) -> str:
    if quantity in ("aov", "fee", "overhead", "gifted_cost"):
        return FORMATS["money"]
    if quantity.endswith(("_rate", "_share", "probability")):
        return FORMATS["prob"]
    return value_format([value])


def table_columns(name: str, frame: pd.DataFrame, text: Text, axes: Sequence[str]) -> list[Column]:
    """The columns of a command's table: named in words (the file's own name in the header's
    comment), formatted by name, by row or by their values."""
    out = []
    for column in map(str, frame.columns):
        words = heading(column, text, axes)
        by_row = _row_rule(column, frame)
        fmt = None if by_row is not None else column_format(column)
        if fmt is None and by_row is None and pd.api.types.is_numeric_dtype(frame[column]):
            fmt = value_format(list(frame[column]))
        note = text("xlsx.source_column", column=column, file=name)
        out.append(Column(words, column, fmt, note, by_row))
    return out


# -- the sheets ------------------------------------------------------------------------------


def _summary_sheet(book: Any, results: Results, text: Text) -> None:
    frame = results.summary
    if frame is None:
        return
    estimate, outcome = text("method.estimate"), text("method.outcome")
    columns = [
        Column(text("col.strategy"), "strategy"),
        Column(text("col.label"), "label"),
        Column(text("col.metric"), "metric_label"),
        Column(text("col.mean"), "mean"),
        Column(text("col.ci_low"), "mean_ci_low", note=estimate),
        Column(text("col.ci_high"), "mean_ci_high", note=estimate),
        Column(text("col.p5"), "p5", note=outcome),
        Column(text("col.p25"), "p25"),
        Column(text("col.p50"), "p50"),
        Column(text("col.p75"), "p75"),
        Column(text("col.p95"), "p95", note=outcome),
        Column(text("col.sd"), "sd"),
        Column(text("col.se"), "se"),
        Column(text("col.n"), "n", FORMATS["count"]),
        Column(text("col.n_undefined"), "n_undefined", FORMATS["count"]),
    ]
    rows = []
    for record in frame.to_dict("records"):
        metric = str(record["metric"])
        rows.append(
            {
                **record,
                "label": results.label(str(record["strategy"])),
                "metric_label": text.metric(metric),
                "_fmt": number_format(metric),
            }
        )
    write_sheet(book, text("sheet.summary"), columns, rows, row_format="_fmt")


def _risk_sheet(book: Any, results: Results, text: Text) -> None:
    frame = results.risk
    if frame is None:
        return
    prob, money = FORMATS["prob"], FORMATS["money"]
    columns = [
        Column(text("col.strategy"), "strategy"),
        Column(text("col.label"), "label"),
        Column(text("col.campaigns"), "campaigns", FORMATS["count"]),
        Column(text("col.prob_loss"), "prob_loss", prob),
        Column(text("col.prob_loss_ci_low"), "prob_loss_ci_low", prob),
        Column(text("col.prob_loss_ci_high"), "prob_loss_ci_high", prob),
        Column(text("col.roi_target"), "roi_target", FORMATS["fraction"]),
        Column(text("col.prob_above"), "prob_above_target", prob),
        Column(text("col.prob_above_ci_low"), "prob_above_target_ci_low", prob),
        Column(text("col.prob_above_ci_high"), "prob_above_target_ci_high", prob),
        Column(text("col.var"), "value_at_risk", money),
        Column(text("col.es"), "expected_shortfall", money),
        Column(text("col.es_se"), "expected_shortfall_se", money),
    ]
    rows = [{**r, "label": results.label(str(r["strategy"]))} for r in frame.to_dict("records")]
    write_sheet(book, text("sheet.risk"), columns, rows)


def _percentile_sheet(book: Any, results: Results, text: Text) -> None:
    frame = results.quantiles
    if frame is None:
        return
    wide = frame.pivot_table(index="q", columns=["strategy", "metric"], values="value", sort=False)
    columns = [Column(text("col.quantile"), "q", "0%")]
    for strategy, metric in wide.columns:
        columns.append(
            Column(
                f"{results.label(strategy)} · {text.metric(metric)}",
                f"{strategy}|{metric}",
                number_format(metric),
            )
        )
    rows = [
        {"q": q, **{f"{s}|{m}": wide.loc[q, (s, m)] for s, m in wide.columns}} for q in wide.index
    ]
    write_sheet(book, text("sheet.percentiles"), columns, rows)


def comparison_columns(a: str, b: str, text: Text) -> list[Column]:
    """The comparison sheet's columns, named by the strategies' labels ``a`` and ``b``:
    "Mean: Nano-heavy", "Difference Nano-heavy − Micro-heavy · 95% CI, low", "P(Nano-heavy
    better)"."""
    prob, estimate, outcome = FORMATS["prob"], text("method.estimate"), text("method.outcome")
    diff, better = text("col.diff_of", a=a, b=b), text("col.prob_better", a=a)

    def of(what: str, key: str) -> str:
        return f"{what} · {text(key)}"

    return [
        Column(text("col.a"), "a_label"),
        Column(text("col.b"), "b_label"),
        Column(text("col.metric"), "metric_label"),
        Column(text("col.n"), "n", FORMATS["count"]),
        Column(text("col.mean_of", metric=a), "mean_a"),
        Column(text("col.mean_of", metric=b), "mean_b"),
        Column(diff, "mean_diff"),
        Column(of(diff, "col.se"), "mean_diff_se"),
        Column(of(diff, "xlsx.ci_low"), "mean_diff_ci_low", note=estimate),
        Column(of(diff, "xlsx.ci_high"), "mean_diff_ci_high", note=estimate),
        Column(of(diff, "col.p5"), "diff_p5", note=outcome),
        Column(of(diff, "col.p50"), "diff_p50"),
        Column(of(diff, "col.p95"), "diff_p95", note=outcome),
        Column(better, "prob_a_better", prob),
        Column(of(better, "xlsx.ci_low"), "prob_a_better_ci_low", prob, note=estimate),
        Column(of(better, "xlsx.ci_high"), "prob_a_better_ci_high", prob, note=estimate),
        Column(text("xlsx.correlation_of", a=a, b=b), "correlation", FORMATS["real"]),
    ]


def _comparison_sheet(book: Any, results: Results, text: Text) -> None:
    """A - B per metric, headed by the two strategies' labels (comparison.csv holds one pair)."""
    frame = results.comparison
    if frame is None or frame.empty:
        return
    first = frame.iloc[0]
    a, b = results.label(str(first["a"])), results.label(str(first["b"]))
    columns = comparison_columns(a, b, text)
    rows = []
    for r in frame.to_dict("records"):
        metric = str(r["metric"])
        rows.append(
            {
                **r,
                "a_label": results.label(str(r["a"])),
                "b_label": results.label(str(r["b"])),
                "metric_label": text.metric(metric),
                "_fmt": number_format(metric),
            }
        )
    write_sheet(book, text("sheet.comparison"), columns, rows, row_format="_fmt")


# -- the best plan of a sweep ----------------------------------------------------------------

_OPERATORS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "="}


def _in_words(value: Any, column: str, text: Text) -> str:
    """A number as the reports write it, by its column's kind."""
    kind = column_kind(column)
    if not finite(value):
        return str(value)
    if kind == "prob":
        return text.prob(value, 1)
    if kind == "fraction":
        return text.pct(value, 1)
    if kind == "money":
        return text.money(value)
    return f"{float(value):,.4g}"


def _limit_words(limit: str, text: Text, axes: Sequence[str]) -> tuple[str, str]:
    """(column, words) of a risk limit: ``"prob_loss <= 0.55"`` -> "P(loss) ≤ 55.0%"."""
    match = re.fullmatch(r"\s*(\w+)\s*(<=|>=|==|<|>)\s*(\S+)\s*", limit)
    if match is None:
        return "", limit
    column, operator, value = match.groups()
    number = float(value) if _is_number_text(value) else value
    words = f"{heading(column, text, axes)} {_OPERATORS[operator]} "
    return column, words + _in_words(number, column, text)


def _is_number_text(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _goal_words(goal: str, text: Text, axes: Sequence[str]) -> tuple[str, str]:
    """(column, words) of ``"max:profit_mean"``: "maximise mean profit" (a column the sweep's
    words do not know by its heading)."""
    from campaign_sim.reports import sweep

    sense, _, column = goal.rpartition(":")
    key = "xlsx.minimise" if sense == "min" else "xlsx.maximise"
    said = sweep.label(column, text)
    what = heading(column, text, axes) if said == column else sweep.in_sentence(said, text)
    return column, text(key, what=what)


#: Statistics of the chosen plan shown besides its objective and limits.
BEST_STATISTICS = (
    "roi_mean",
    "profit_mean",
    "revenue_mean",
    "cost_mean",
    "conversions_mean",
    "cpa_mean",
    "prob_loss",
    "value_at_risk",
    "expected_shortfall",
)


def _statistic_row(item: str, column: str, row: pd.Series | None, value: Any = None) -> dict:
    """A best-plan row: the value of ``column``, its 95% CI, P5 and P95 where the table has
    them, formatted by the column."""
    stem = column.removesuffix("_mean")
    out: dict[str, Any] = {"item": item, "_fmt": column_format(column)}
    if row is not None and column in row:
        value = row[column] if value is None else value
        bounds = interval(row, column)
        if bounds is not None:
            out["low"], out["high"] = bounds
        if column.endswith("_mean"):
            out["p5"], out["p95"] = row.get(f"{stem}_p5"), row.get(f"{stem}_p95")
    out["value"] = value
    return out


def best_rows(results: Results, text: Text) -> list[dict]:
    """The rows of the best-plan sheet, from best.json and the chosen plan's row of sweep.csv:
    the question (objective, limits, how many plans meet them), then the plan (strategy,
    point, settings), its objective and limits with their intervals and whether each limit
    holds across its interval, and its other statistics."""
    data = results.json("best.json") or {}
    axes = axis_columns(results)
    objective, goal = _goal_words(str(data.get("objective", "max:profit_mean")), text, axes)
    limits = [_limit_words(str(limit), text, axes) for limit in data.get("risk_limits") or []]
    rows: list[dict] = [{"item": text("xlsx.objective"), "value": goal}]
    rows += [{"item": text("xlsx.limit"), "value": words} for _, words in limits]
    for key, label in (("candidates", "xlsx.candidates"), ("feasible", "xlsx.feasible")):
        rows.append({"item": text(label), "value": data.get(key), "_fmt": "#,##0"})
    best = data.get("best")
    if not best:
        limit_text = text.list_sep().join(words for _, words in limits) or "—"
        none = text("headline.sweep_none", limits=limit_text, n=data.get("candidates", 0))
        return rows + [{"item": text("xlsx.sheet_best"), "value": none}]
    row = _chosen_row(results, best)
    rows.append({"item": text("col.strategy"), "value": results.label(str(best["strategy"]))})
    rows.append({"item": text("xlsx.point"), "value": best["point"], "_fmt": "0"})
    for name, value in (best.get("settings") or {}).items():
        rows.append({"item": axis_words(name, text), "value": value, "_fmt": column_format(name)})
    first = _statistic_row(heading(objective, text, axes), objective, row, best.get("value"))
    first["low"], first["high"] = best.get("ci") or (None, None)
    rows.append(first)
    shown = {objective}
    for limit, (column, words) in zip(best.get("limits") or [], limits, strict=False):
        out = _statistic_row(words, column, row, limit.get("value"))
        out["low"], out["high"] = limit.get("ci") or (None, None)
        met = limit.get("met_across_ci")
        out["holds"] = None if met is None else _capital(text("yes" if met else "no"))
        rows.append(out)
        shown.add(column)
    for column in BEST_STATISTICS:
        if column not in shown and row is not None and column in row:
            rows.append(_statistic_row(heading(column, text, axes), column, row))
    return rows


def _chosen_row(results: Results, best: dict) -> pd.Series | None:
    table = results.table("sweep.csv")
    if table is None or "point" not in table or "strategy" not in table:
        return None
    rows = table[(table["point"] == best["point"]) & (table["strategy"] == best["strategy"])]
    return None if rows.empty else rows.iloc[0]


def _best_sheet(book: Any, results: Results, text: Text) -> None:
    if results.json("best.json") is None:
        return
    estimate, outcome = text("method.estimate"), text("method.outcome")
    columns = [
        Column(text("col.key"), "item"),
        Column(text("col.value"), "value"),
        Column(text("xlsx.ci_low"), "low", note=estimate),
        Column(text("xlsx.ci_high"), "high", note=estimate),
        Column(text("col.p5"), "p5", note=outcome),
        Column(text("col.p95"), "p95", note=outcome),
        Column(text("xlsx.holds"), "holds"),
    ]
    write_sheet(book, text("xlsx.sheet_best"), columns, best_rows(results, text), row_format="_fmt")


# -- an optimiser's folder -------------------------------------------------------------------

#: Scored plans shown on their sheet (scored.csv holds every one, best first).
SCORED_ROWS = 200
Z95 = 1.959963984540054
#: The judged plans' roles (campaign_sim.optimize.run) and the assumption settings
#: (campaign_sim.optimize.robust) in words: the deck's words (reports.optimize).
ROLES = {**ROLE_KEYS, "strategy": "opt.role.strategy"}
SETTINGS = SETTING_KEYS
#: Columns of the optimiser's tables and the message that names them.
OPT_NAMED = {
    "role": "col.opt_role",
    "plan": "col.opt_plan",
    "setting": "col.opt_setting",
    "chosen": "xlsx.opt_is_chosen",
    "meets_limits": "xlsx.opt_meets_limits",
    "best_here": "xlsx.opt_best_here",
    "chosen_tied_with_best": "xlsx.opt_chosen_tied",
    "tied_with_chosen": "xlsx.opt_tied",
    "prob_loss_limit": "xlsx.opt_prob_loss_limit",
    "pool": "xlsx.opt_pool",
    "creators": "xlsx.opt_creators",
    "cost": "xlsx.opt_pilot_cost",
    "value": "xlsx.opt_pilot_value",
    "perfect": "xlsx.opt_pilot_perfect",
    "changed": "xlsx.opt_pilot_changed",
    "replicates": "xlsx.opt_pilot_replicates",
    "effective_brands": "xlsx.opt_pilot_brands",
}
#: Number formats of the optimiser's columns whose name says nothing of their unit.
OPT_FORMATS = {
    "prob_loss_limit": FORMATS["prob"],
    "creators": FORMATS["count"],
    "cost": FORMATS["money"],
    "changed": FORMATS["fraction"],
    "replicates": FORMATS["count"],
    "effective_brands": "#,##0.0",
}
#: Columns in the unit of the objective.
IN_OBJECTIVE = ("difference", "difference_se", "value", "se", "perfect")
#: Number formats of a decision's level by its kind: creators hired, a share of the budget
#: (shown as the share, the tables' step counts times the step), a roster creator booked (1).
DECISION_FORMATS = {"count": FORMATS["count"], "share": "0%", "creator": FORMATS["id"]}
_POOL = re.compile(r"\b([a-z]+)/([a-z]+)\b")


@dataclass(frozen=True)
class Optimised:
    """What the optimiser's sheets need of its folder: the objective's column, its decisions
    (name -> kind), the budget share of one step of a share decision (None: no share, or no
    share chosen to tell it by) and the chosen plan's row of judged.csv."""

    objective: str
    decisions: dict[str, str]
    step: float | None
    chosen: pd.Series | None

    @classmethod
    def of(cls, results: Results) -> Optimised:
        data = results.json("optimize.json") or {}
        plan = results.table("plan.csv")
        decisions = {} if plan is None else dict(zip(plan["decision"], plan["kind"], strict=True))
        judged = results.table("judged.csv")
        chosen = None
        if judged is not None and not judged.empty:
            rows = judged[judged["role"].map(lambda r: "chosen" in _roles(r))]
            chosen = None if rows.empty else rows.iloc[0]
        objective = str(data.get("objective", "max:profit_mean")).rpartition(":")[2]
        kinds = {str(k): str(v) for k, v in decisions.items()}
        return cls(objective, kinds, _share_step(plan), chosen)

    def level(self, column: str, value: Any) -> Any:
        """A decision's level as shown: a share decision's step count as its budget share."""
        if self.decisions.get(column) == "share" and self.step is not None and finite(value):
            return float(value) * self.step
        return value


def _share_step(plan: pd.DataFrame | None) -> float | None:
    """The budget share of one step, from a share decision plan.csv shows chosen."""
    if plan is None or "share" not in plan:
        return None
    chosen = plan[(plan["kind"] == "share") & (plan["level"] > 0)]
    return None if chosen.empty else float(chosen["share"].iloc[0] / chosen["level"].iloc[0])


def _roles(role: Any) -> list[str]:
    """A judged plan's roles: ``"frontier, nothing"`` -> ["frontier", "nothing"]."""
    return [part.strip() for part in str(role).split(",") if part.strip()]


def role_words(role: Any, text: Text) -> str:
    """A judged plan's roles in words; a strategy's as "strategy"."""
    words = []
    for part in _roles(role):
        key = ROLES.get(part.split(" ", 1)[0] if part.startswith("strategy ") else part)
        words.append(text(key) if key else part)
    return _capital(text.list_sep().join(words))


def pool_words(name: str, text: Text) -> str:
    """``nano/tiktok`` -> "nano TikTok" (translated, as the deck's opt.cell); a roster handle
    as it is."""
    return _POOL.sub(
        lambda m: text("opt.cell", tier=text.tier(m[1]), platform=text.platform(m[2])), name
    )


def plan_words(plan: Any, text: Text) -> str:
    """A plan as the optimiser labels it, its pools in words; nobody as the deck says it
    ("hiring nobody")."""
    if str(plan) == "nobody":
        return text("opt.nobody")
    return pool_words(str(plan), text)


def opt_heading(column: str, text: Text, opt: Optimised) -> str:
    """A column of the optimiser's tables in words."""
    if column in opt.decisions:
        where = pool_words(column, text)
        if opt.decisions[column] == "share":
            key = "xlsx.opt_share_of" if opt.step is not None else "xlsx.opt_steps_of"
            return text(key, where=where)
        return where
    if column in OPT_NAMED:
        return text(OPT_NAMED[column])
    if column == "difference":
        return text("xlsx.opt_difference", metric=heading(opt.objective, text))
    if column == "difference_se":
        return f"{opt_heading('difference', text, opt)} · {text('col.se')}"
    if column.endswith("_in_sample"):
        base = heading(column.removesuffix("_in_sample"), text)
        return text("xlsx.opt_in_sample_of", what=base)
    return heading(column, text)


def opt_format(column: str, opt: Optimised) -> str | None:
    """Number format of a column of the optimiser's tables."""
    if column in opt.decisions:
        if opt.decisions[column] == "share" and opt.step is None:
            return FORMATS["count"]
        return DECISION_FORMATS.get(opt.decisions[column], FORMATS["count"])
    if column in OPT_FORMATS:
        return OPT_FORMATS[column]
    if column in IN_OBJECTIVE:
        return column_format(opt.objective)
    return column_format(column.removesuffix("_in_sample"))


def _opt_rows(frame: pd.DataFrame, text: Text, opt: Optimised) -> list[dict]:
    """A table's rows with plans, roles and settings in words, booleans as yes / no and
    share decisions as shares."""
    rows = []
    for record in frame.to_dict("records"):
        row = {}
        for key, value in record.items():
            if key in opt.decisions:
                value = opt.level(str(key), value)
            elif isinstance(value, (bool, np.bool_)):
                value = _capital(text("yes" if value else "no"))
            elif key == "plan":
                value = plan_words(value, text)
            elif key == "role":
                value = role_words(value, text)
            elif key == "setting":
                value = text(SETTINGS[value]) if value in SETTINGS else value
            elif key == "pool":
                value = pool_words(str(value), text)
            row[str(key)] = value
        rows.append(row)
    return rows


def _opt_sheet(
    book: Any, title: str, name: str, frame: pd.DataFrame, text: Text, opt: Optimised
) -> Any:
    columns = [
        Column(
            opt_heading(str(c), text, opt),
            str(c),
            opt_format(str(c), opt),
            text("xlsx.source_column", column=c, file=name),
        )
        for c in frame.columns
    ]
    return write_sheet(book, title, columns, _opt_rows(frame, text, opt))


#: The chosen plan's statistics on its sheet, in this order (then any other it has).
OPT_STATISTICS = (
    "prob_loss",
    "expected_shortfall",
    "value_at_risk",
    "prob_above_target",
    "roi_mean",
    "cost_mean",
    "creators_mean",
)


def optimise_rows(results: Results, text: Text) -> list[dict]:
    """The rows of an optimiser's Best plan sheet: the question (objective, limits, the
    search), the plan (each decision's level, creators and expected fees), its statistics on
    fresh campaigns with their 95% CIs beside the search's in-sample values (limits: met or
    not), and how it compares with each scenario strategy and with hiring nobody (paired
    difference of the objective, 95%)."""
    data = results.json("optimize.json") or {}
    opt = Optimised.of(results)
    objective, goal = _goal_words(str(data.get("objective", "max:profit_mean")), text, [])
    limits = [(str(x), *_limit_words(str(x), text, [])) for x in data.get("limits") or []]
    rows: list[dict] = [{"item": text("xlsx.objective"), "value": goal}]
    rows += [{"item": text("xlsx.limit"), "value": words} for _, _, words in limits]
    rows += _search_rows(data, text)
    rows.append({"item": text("col.opt_plan"), "value": plan_words(data.get("plan"), text)})
    beats = data.get("beats_spending_nothing")
    if beats is not None:
        said = _capital(text("yes" if beats else "no"))
        rows.append({"item": text("xlsx.opt_beats_nothing"), "value": said})
    rows += _decision_rows(results.table("plan.csv"), text)
    rows += _statistic_rows(data, opt, limits, text)
    rows += _versus_rows(results.table("judged.csv"), opt, text)
    robust = results.table("robustness.csv")
    if robust is not None and not robust.empty:
        rows.append(_robust_row(robust, text))
    return rows


#: The optimiser's search methods in words.
METHODS = {"local search": "xlsx.opt_method_local", "exhaustive": "xlsx.opt_method_exhaustive"}
#: The search's counts on the Best plan sheet: (message, field of optimize.json's search).
SEARCH_COUNTS = (
    ("xlsx.opt_plans_scored", "plans_scored"),
    ("xlsx.opt_starts", "starting_points"),
    ("xlsx.opt_found_by", "found_by"),
)


def _search_rows(data: dict, text: Text) -> list[dict]:
    """How the plan was found: the tightening, the method, plans scored, starting points
    (local search), campaigns searched and judged."""
    search = data.get("search") or {}
    method = str(search.get("method", ""))
    count = FORMATS["count"]
    out: list[dict] = [
        {"item": text("xlsx.opt_tighten"), "value": data.get("tighten_se"), "_fmt": "0.0#"},
        {
            "item": text("xlsx.opt_search"),
            "value": text(METHODS[method]) if method in METHODS else method,
        },
    ]
    for key, field in SEARCH_COUNTS[: 1 if method == "exhaustive" else None]:
        out.append({"item": text(key), "value": search.get(field), "_fmt": count})
    fresh = (data.get("fresh_campaigns") or {}).get("count")
    out.append({"item": text("xlsx.opt_campaigns"), "value": data.get("campaigns"), "_fmt": count})
    out.append({"item": text("xlsx.opt_fresh"), "value": fresh, "_fmt": count})
    return out


def _decision_rows(plan: pd.DataFrame | None, text: Text) -> list[dict]:
    """Each decision of plan.csv: a share's budget share and budget; a count's creators, a
    roster creator's booking, and their expected fees; then the plan's fees or budget in
    all."""
    if plan is None or plan.empty:
        return []
    money = FORMATS["money"]
    out: list[dict] = []
    for r in plan.to_dict("records"):
        where, kind = pool_words(str(r["decision"]), text), str(r["kind"])
        if kind == "share":
            share = {"value": r.get("share"), "_fmt": DECISION_FORMATS["share"]}
            out.append({"item": text("xlsx.opt_share_of", where=where), **share})
            budget = {"value": r.get("budget"), "_fmt": money}
            out.append({"item": text("xlsx.opt_budget_of", where=where), **budget})
            continue
        if kind == "creator":
            said = _capital(text("yes" if r["level"] else "no"))
            out.append({"item": text("xlsx.opt_booked", where=where), "value": said})
        else:
            creators = {"value": r.get("creators"), "_fmt": FORMATS["count"]}
            out.append({"item": text("xlsx.opt_creators_of", where=where), **creators})
        fees = {"value": r.get("expected_fees"), "_fmt": money}
        out.append({"item": text("xlsx.opt_fees_of", where=where), **fees})
    for column, key in (
        ("expected_fees", "xlsx.opt_fees_total"),
        ("budget", "xlsx.opt_budget_total"),
    ):
        if column in plan:
            total = float(plan[column].fillna(0).sum())
            out.append({"item": text(key), "value": total, "_fmt": money})
    return out


def _statistic_rows(
    data: dict, opt: Optimised, limits: list[tuple[str, str, str]], text: Text
) -> list[dict]:
    """The chosen plan's statistics: fresh value and 95% CI from judged.csv's chosen row,
    in-sample beside; a limit's row says whether the fresh value meets it."""
    row = opt.chosen
    if row is None:
        return []
    names = list((data.get("statistics") or {}).keys())
    order = [opt.objective, *(n for n in OPT_STATISTICS if n != opt.objective)]
    names = [n for n in order if n in row] + [n for n in names if n not in order and n in row]
    out = []
    for name in names:
        entry: dict[str, Any] = {
            "item": heading(name, text),
            "value": row.get(name),
            "low": row.get(f"{name}_ci_low"),
            "high": row.get(f"{name}_ci_high"),
            "in_sample": row.get(f"{name}_in_sample"),
            "_fmt": column_format(name),
        }
        met = [_meets(limit, row.get(name)) for limit, column, _ in limits if column == name]
        if met and met[0] is not None:
            entry["met"] = _capital(text("yes" if all(met) else "no"))
        out.append(entry)
    return out


def _meets(limit: str, value: Any) -> bool | None:
    """Whether ``value`` meets ``"prob_loss <= 0.55"`` (None: not a number)."""
    match = re.fullmatch(r"\s*\w+\s*(<=|>=)\s*(\S+)\s*", limit)
    if match is None or not finite(value) or not _is_number_text(match[2]):
        return None
    bound = float(match[2])
    return float(value) <= bound if match[1] == "<=" else float(value) >= bound


def _versus_rows(judged: pd.DataFrame | None, opt: Optimised, text: Text) -> list[dict]:
    """The chosen plan's objective minus each scenario strategy's and hiring nobody's, paired
    on the same fresh campaigns, with its 95% interval (judged.csv: difference = it - chosen)."""
    if judged is None or opt.chosen is None:
        return []
    what = heading(opt.objective, text)
    out = []
    for r in judged.to_dict("records"):
        roles = _roles(r["role"])
        if "chosen" in roles or not any(x == "nothing" or x.startswith("strategy ") for x in roles):
            continue
        if not (finite(r.get("difference")) and finite(r.get("difference_se"))):
            continue
        ahead, half = -float(r["difference"]), Z95 * float(r["difference_se"])
        other = text("opt.role.nothing") if r["plan"] == "nobody" else r["plan"]
        out.append(
            {
                "item": text("xlsx.opt_versus", plan=other, metric=what),
                "value": ahead,
                "low": ahead - half,
                "high": ahead + half,
                "_fmt": column_format(opt.objective),
            }
        )
    return out


def _robust_row(robust: pd.DataFrame, text: Text) -> dict:
    """Under how many of the other assumption settings the chosen plan stays the best (or
    tied) and meets the limits."""
    kept = robust[robust["chosen"].astype(bool) & (robust["setting"] != "as stated")]
    best = kept["best_here"].astype(bool) | kept["chosen_tied_with_best"].fillna(False).astype(bool)
    holds = int((kept["meets_limits"].astype(bool) & best).sum())
    return {"item": text("xlsx.opt_robust", n=len(kept)), "value": holds, "_fmt": FORMATS["count"]}


def _optimise_sheets(book: Any, results: Results, text: Text) -> None:
    """Best plan, Judged plans, Frontier, Robustness, Pilot (when run) and the best
    SCORED_ROWS scored plans, each with worded headers and formats."""
    if results.json("optimize.json") is None:
        return
    opt = Optimised.of(results)
    estimate = text("method.estimate")
    columns = [
        Column(text("col.key"), "item"),
        Column(text("xlsx.opt_fresh_value"), "value"),
        Column(text("xlsx.ci_low"), "low", note=estimate),
        Column(text("xlsx.ci_high"), "high", note=estimate),
        Column(text("xlsx.opt_in_sample"), "in_sample", note=text("xlsx.opt_in_sample_note")),
        Column(text("xlsx.opt_met"), "met"),
    ]
    rows = optimise_rows(results, text)
    write_sheet(book, text("xlsx.sheet_best"), columns, rows, row_format="_fmt")
    for name, key in (
        ("judged.csv", "xlsx.opt_sheet_judged"),
        ("frontier.csv", "sheet.frontier"),
        ("robustness.csv", "xlsx.opt_sheet_robustness"),
        ("pilot.csv", "xlsx.opt_sheet_pilot"),
    ):
        frame = results.table(name)
        if frame is not None and not frame.empty:
            _opt_sheet(book, text(key), name, frame, text, opt)
    scored = results.table("scored.csv")
    if scored is not None and not scored.empty:
        sheet = _opt_sheet(
            book, text("xlsx.opt_sheet_scored"), "scored.csv", scored.head(SCORED_ROWS), text, opt
        )
        if len(scored) > SCORED_ROWS:
            more = text("xlsx.opt_more", shown=SCORED_ROWS, n=text.count(len(scored)))
            _put(sheet.cell(sheet.max_row + 1, 1), more)


# -- assumptions and the manifest ------------------------------------------------------------


def prior_format(row: dict) -> str:
    """Number format of a prior's mean, median, P5 and P95, from its unit: rates and shares
    as percentages, money with separators, anything else by its size."""
    unit = str(row.get("unit") or "")
    if unit.startswith(("fraction", "probability")):
        return FORMATS["prob"]
    if unit.startswith("currency"):
        return FORMATS["money"]
    return value_format([row.get("p5"), row.get("p95")])


PRIOR_COLUMNS = (
    ("col.tier", "tier", None),
    ("col.platform", "platform", None),
    ("col.quantity", "quantity", None),
    ("col.unit", "unit", None),
    ("col.family", "family", None),
    ("col.parameters", "parameters", None),
    ("col.mean", "mean", prior_format),
    ("col.median", "median", prior_format),
    ("col.p5", "p5", prior_format),
    ("col.p95", "p95", prior_format),
    ("col.conversion_base", "conversion_base", None),
    ("col.assumption", "assumption_text", None),
    ("col.sources", "sources", None),
    ("col.note", "note", None),
    ("col.origin", "origin", None),
)


def _assumption_sheet(book: Any, results: Results, text: Text) -> None:
    frame = results.priors
    if frame is None:
        return
    present = [(h, f, r) for h, f, r in PRIOR_COLUMNS if f in frame or f == "assumption_text"]
    columns = [Column(text(h), f, by_row=r) for h, f, r in present]
    rows = []
    for r in frame.to_dict("records"):
        assumption = bool(r.get("assumption")) if r.get("assumption") is not None else False
        rows.append({**r, "assumption_text": text("yes") if assumption else text("no")})
    write_sheet(book, text("sheet.assumptions"), columns, rows)


def flatten(data: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts as (dotted key, value) pairs; lists as one comma-separated value."""
    if isinstance(data, dict):
        out: list[tuple[str, Any]] = []
        for key, value in data.items():
            out += flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(data, list):
        return [(prefix, ", ".join(str(v) for v in data))]
    return [(prefix, data)]


def _manifest_format(key: str, value: Any) -> str | None:
    """Whole numbers with separators (a seed without), other numbers to three decimals."""
    if not _is_number(value):
        return None
    if isinstance(value, int):
        return FORMATS["id"] if "seed" in key else FORMATS["count"]
    return "#,##0.0##"


def _manifest_sheet(book: Any, results: Results, text: Text) -> None:
    paths = Paths.of(results)
    rows = [
        {"key": k, "value": v, "_fmt": _manifest_format(k, v)}
        for k, v in flatten(paths.clean(results.manifest))
    ]
    columns = [Column(text("col.key"), "key"), Column(text("col.value"), "value")]
    write_sheet(book, text("sheet.manifest"), columns, rows, row_format="_fmt")


# -- the other commands' tables --------------------------------------------------------------

KNOWN_TABLES = ("summary.csv", "risk.csv", "quantiles.csv", "comparison.csv", "priors.csv")
#: Sheet names of the tables other commands write (sweep, timeline, sensitivity).
TABLE_SHEETS = {
    "sweep.csv": "sheet.sweep",
    "points.csv": "sheet.points",
    "frontier.csv": "sheet.frontier",
    "daily.csv": "sheet.daily",
    "payback.csv": "sheet.payback",
    "split.csv": "xlsx.sheet_split",
    "sensitivity.csv": "sheet.sensitivity",
    "swing.csv": "sheet.swing",
    "sobol.csv": "sheet.sobol",
    "convergence.csv": "sheet.convergence",
    "roster.csv": "sheet.roster",
}


def sheet_title(name: str, text: Text) -> str:
    """Sheet title of a table file: translated where known, e.g. heatmap_feed.csv ->
    "Heatmap feed"."""
    key = TABLE_SHEETS.get(name)
    if key is not None:
        return text(key)
    stem = name.removesuffix(".csv")
    if stem.startswith("heatmap_"):
        return f"{text('sheet.heatmap')} {stem.removeprefix('heatmap_')}"
    return stem


def axis_columns(results: Results) -> list[str]:
    """The swept axes and the paths linked to them, as the sweep's tables name them."""
    names: list[str] = []
    for axis in results.settings.get("axes") or []:
        names.append(str(axis.get("name")))
        names += [str(linked.get("name")) for linked in axis.get("linked") or []]
    return names


def frame_sheet(book: Any, title: str, frame: pd.DataFrame, columns: list[Column]) -> None:
    """A command's table as a sheet."""
    write_sheet(book, title, columns, frame.to_dict("records"))


_HEATMAP_COLUMN = re.compile(r"(?P<value>.+) at (?P<axis>.+)=(?P<level>[^=]*)")


def heatmap_columns(frame: pd.DataFrame, text: Text, axes: Sequence[str]) -> list[Column]:
    """A heatmap's columns in words: the first axis down, then "Profit · Mean at budget =
    NT$600,000" for each value of the second axis across."""
    first = str(frame.columns[0])
    out = [Column(axis_words(first, text), first, column_format(first))]
    for column in map(str, frame.columns[1:]):
        match = _HEATMAP_COLUMN.fullmatch(column)
        if match is None:
            out.append(Column(heading(column, text, axes), column, column_format(column)))
            continue
        value, axis, level = match["value"], match["axis"], match["level"]
        number = float(level) if _is_number_text(level) else level
        words = text(
            "xlsx.heatmap_at",
            metric=heading(value, text, axes),
            axis=axis_words(axis, text),
            level=_in_words(number, axis, text) if _is_number(number) else level,
        )
        fmt = column_format(value) or value_format(list(frame[column]))
        out.append(
            Column(words, column, fmt, text("xlsx.source_column", column=column, file="heatmap"))
        )
    return out


def _table_sheets(book: Any, results: Results, text: Text) -> None:
    axes = axis_columns(results)
    for name in other_tables(results):
        frame = results.table(name)
        if frame is None:
            continue
        if name.startswith("heatmap_") and frame.shape[1] >= 2:
            columns = heatmap_columns(frame, text, axes)
        else:
            columns = table_columns(name, frame, text, axes)
            frame = sensitivity_words(name, frame, results, text)
        frame_sheet(book, sheet_title(name, text), frame, columns)


#: The output's own name, kept beside its words (not a column of the sheet).
RAW_OUTPUT = "_output"
#: The parts of a sensitivity's variance split (split.csv) and the message that names them.
PARTS = {
    "persistent": "input.part_persistent",
    "campaign": "input.part_campaign",
    "creators": "input.creator_luck",
}


def sensitivity_words(name: str, frame: pd.DataFrame, results: Results, text: Text) -> pd.DataFrame:
    """A sensitivity table (split, sensitivity, swing, sobol.csv) with its strategies, output
    and inputs in words, as the deck names them; other tables as they are."""
    from campaign_sim.reports import sensitivity

    if name not in ("split.csv", "sensitivity.csv", "swing.csv", "sobol.csv"):
        return frame
    frame = frame.copy()
    if "strategy" in frame:
        frame["strategy"] = [results.label(str(s)) for s in frame["strategy"]]
    if "output" in frame:
        frame[RAW_OUTPUT] = frame["output"]  # the rows' number formats read it
        frame["output"] = [text.metric(str(o)) for o in frame["output"]]
    if name in ("sensitivity.csv", "swing.csv") and "input" in frame:
        frame["input"] = [sensitivity.input_name(r, text) for r in frame.to_dict("records")]
    elif name == "sobol.csv" and "input" in frame:
        frame["input"] = [sensitivity.sobol_name(str(v), text) for v in frame["input"]]
    elif name == "split.csv" and {"input", "part"} <= set(frame.columns):
        frame["input"] = [
            text(PARTS[str(p)]) if p in PARTS else i
            for p, i in zip(frame["part"], frame["input"], strict=True)
        ]
    return frame


def other_tables(results: Results) -> list[str]:
    """CSV tables of the folder beyond run/compare's own, e.g. a sweep's: those of
    :data:`TABLE_SHEETS` in its order, then the others (heatmaps) by name."""
    order = list(TABLE_SHEETS)
    names = sorted(p.name for p in results.folder.glob("*.csv") if p.name not in KNOWN_TABLES)
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


# -- no paths of the machine that made the results -------------------------------------------

_POSIX_IN_TEXT = re.compile(r"(?<![\w.:/~\\-])/[^\s/,;:'\"()<>\[\]{}|]+(?:/[^\s/,;'\"()<>|]+)+")
_WINDOWS_IN_TEXT = re.compile(r"(?<![\w])(?:[A-Za-z]:|\\\\[^\s\\]+)[\\/][^\s,;'\"()<>|]*")
_WINDOWS_PATH = re.compile(r"(?:[A-Za-z]:|\\\\[^\s\\]+)[\\/][^\n]*")


@dataclass(frozen=True)
class Paths:
    """Shows absolute paths without the folders of the machine that wrote them: relative to
    the repository (the folder holding the ``campaign_sim`` package) or to the scenario's
    folder, else as the file name."""

    roots: tuple[PurePosixPath, ...]

    @classmethod
    def of(cls, results: Results) -> Paths:
        import campaign_sim

        roots = [PurePosixPath(Path(campaign_sim.__file__).resolve().parents[1].as_posix())]
        scenario = str((results.manifest.get("scenario") or {}).get("path") or "")
        if PurePosixPath(scenario).is_absolute():
            roots.append(PurePosixPath(os.path.normpath(scenario)).parent)
        return cls(tuple(root for root in roots if len(root.parts) > 1))

    def short(self, path: str) -> str:
        """One absolute path, relative or as its file name."""
        if _WINDOWS_PATH.fullmatch(path):
            return PureWindowsPath(path).name
        posix = PurePosixPath(os.path.normpath(path))
        for root in self.roots:
            if posix.is_relative_to(root) and posix != root:
                return posix.relative_to(root).as_posix()
        return posix.name

    def __call__(self, value: str) -> str:
        """``value`` with every absolute path in it shortened."""
        whole = value.strip()
        if (
            "\n" not in whole
            and ", " not in whole
            and (_WINDOWS_PATH.fullmatch(whole) or whole.startswith("/"))
        ):
            return self.short(whole)
        value = _WINDOWS_IN_TEXT.sub(lambda m: self.short(m.group(0)), value)
        return _POSIX_IN_TEXT.sub(lambda m: self._trimmed(m.group(0)), value)

    def _trimmed(self, path: str) -> str:
        tail = len(path) - len(path.rstrip("."))
        return self.short(path[: len(path) - tail]) + path[len(path) - tail :]

    def clean(self, data: Any) -> Any:
        """Nested dicts and lists with their strings' paths shortened."""
        if isinstance(data, dict):
            return {key: self.clean(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self.clean(value) for value in data]
        return self(data) if isinstance(data, str) else data


def _portable(book: Any, paths: Paths) -> None:
    """Shorten the absolute paths in every text cell of the workbook."""
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    shown = paths(cell.value)
                    if shown != cell.value:
                        _put(cell, shown)


def build_workbook(results: Results, text: Text) -> bytes:
    """The workbook as .xlsx bytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    if results.command == "optimize":
        _optimise_sheets(book, results, text)
    else:
        for sheet in (
            _summary_sheet,
            _best_sheet,
            _risk_sheet,
            _percentile_sheet,
            _comparison_sheet,
        ):
            sheet(book, results, text)
        _table_sheets(book, results, text)
    _assumption_sheet(book, results, text)
    _manifest_sheet(book, results, text)
    _portable(book, Paths.of(results))
    book.properties.title = results.scenario_name
    book.properties.creator = "campaign-sim"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
