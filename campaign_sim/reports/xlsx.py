"""Excel workbook of a results folder (openpyxl): one sheet per table.

Numbers are stored as numbers with number formats (percentages for ROI and probabilities,
thousands separators for money), header rows are frozen and bold, columns are sized to their
content. Text that a spreadsheet would run as a formula (it starts with =, +, -, @ or a tab)
is stored as a string cell with Excel's quote prefix: it shows as typed and never runs.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from campaign_sim.reports.i18n import Text, column_kind, metric_kind
from campaign_sim.reports.results import Results
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
    "general": "General",
}
HEADER_FILL = "DDE6F0"
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    """A sheet column: header text, source field, number format (or None for text/by row)."""

    header: str
    field: str
    fmt: str | None = None
    note: str | None = None


def number_format(metric: str) -> str:
    """Excel number format for a metric's values."""
    if metric in ("cpm", "cpe", "cpa"):
        return FORMATS["money_small"]
    return FORMATS[metric_kind(metric)]


def _cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _width(value: Any, fmt: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 12 if fmt != FORMATS["money"] else 14
    text = str(value)
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _put(cell: Any, value: Any) -> None:
    """Store ``value``; text that would run as a formula stays text (quote prefix)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_sheet(
    book: Any,
    title: str,
    columns: Sequence[Column],
    rows: Sequence[dict],
    *,
    row_format: str | None = None,
) -> Any:
    """A sheet with a bold frozen header, one row per dict, formats by column (or by the
    row's ``row_format`` field, e.g. the metric of a summary row)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", title)[:31])
    widths = [_width(c.header, None) + 2 for c in columns]
    for j, column in enumerate(columns, start=1):
        cell = sheet.cell(1, j)
        _put(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.note:
            cell.comment = Comment(column.note, "campaign-sim")
    for i, row in enumerate(rows, start=2):
        for j, column in enumerate(columns, start=1):
            value = _cell_value(row.get(column.field))
            cell = sheet.cell(i, j)
            _put(cell, value)
            if isinstance(value, str):
                if len(value) > MAX_WIDTH:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                fmt = column.fmt
                if fmt is None and row_format is not None:
                    fmt = row.get(row_format)
                if fmt:
                    cell.number_format = fmt
            widths[j - 1] = max(widths[j - 1], _width(value, column.fmt) + 2)
    for j, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(8, width))
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = sheet.dimensions
    return sheet


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


def _comparison_sheet(book: Any, results: Results, text: Text) -> None:
    frame = results.comparison
    if frame is None:
        return
    prob = FORMATS["prob"]
    columns = [
        Column(text("col.a"), "a_label"),
        Column(text("col.b"), "b_label"),
        Column(text("col.metric"), "metric_label"),
        Column(text("col.n"), "n", FORMATS["count"]),
        Column(text("col.mean_a"), "mean_a"),
        Column(text("col.mean_b"), "mean_b"),
        Column(text("col.diff"), "mean_diff"),
        Column(text("col.diff_se"), "mean_diff_se"),
        Column(text("col.diff_ci_low"), "mean_diff_ci_low", note=text("method.estimate")),
        Column(text("col.diff_ci_high"), "mean_diff_ci_high", note=text("method.estimate")),
        Column(text("col.diff_p5"), "diff_p5", note=text("method.outcome")),
        Column(text("col.diff_p50"), "diff_p50"),
        Column(text("col.diff_p95"), "diff_p95", note=text("method.outcome")),
        Column(text("col.prob_a"), "prob_a_better", prob),
        Column(text("col.prob_a_ci_low"), "prob_a_better_ci_low", prob),
        Column(text("col.prob_a_ci_high"), "prob_a_better_ci_high", prob),
        Column(text("col.correlation"), "correlation", FORMATS["real"]),
    ]
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


PRIOR_COLUMNS = (
    ("col.tier", "tier", None),
    ("col.platform", "platform", None),
    ("col.quantity", "quantity", None),
    ("col.unit", "unit", None),
    ("col.family", "family", None),
    ("col.parameters", "parameters", None),
    ("col.mean", "mean", "General"),
    ("col.median", "median", "General"),
    ("col.p5", "p5", "General"),
    ("col.p95", "p95", "General"),
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
    present = [(h, f, fmt) for h, f, fmt in PRIOR_COLUMNS if f in frame or f == "assumption_text"]
    columns = [Column(text(h), f, fmt) for h, f, fmt in present]
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


def _manifest_sheet(book: Any, results: Results, text: Text) -> None:
    rows = [{"key": k, "value": v} for k, v in flatten(results.manifest)]
    columns = [Column(text("col.key"), "key"), Column(text("col.value"), "value", "General")]
    write_sheet(book, text("sheet.manifest"), columns, rows)


KNOWN_TABLES = ("summary.csv", "risk.csv", "quantiles.csv", "comparison.csv", "priors.csv")
#: Sheet names of the tables other commands write (sweep, timeline, sensitivity).
TABLE_SHEETS = {
    "sweep.csv": "sheet.sweep",
    "points.csv": "sheet.points",
    "frontier.csv": "sheet.frontier",
    "daily.csv": "sheet.daily",
    "payback.csv": "sheet.payback",
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


def column_format(name: str) -> str:
    """Number format of a column of another command's table, from its name."""
    kind = column_kind(name)
    if kind == "money" and name.lower().startswith(("cpm", "cpe", "cpa")):
        return FORMATS["money_small"]
    return FORMATS.get(kind, FORMATS["general"])


def frame_sheet(book: Any, title: str, frame: pd.DataFrame) -> None:
    """Any tidy table as a sheet: its own column names, formats from the column names."""
    columns = [Column(str(c), str(c), column_format(str(c))) for c in frame.columns]
    write_sheet(book, title, columns, frame.to_dict("records"))


def other_tables(results: Results) -> list[str]:
    """CSV tables of the folder beyond run/compare's own, e.g. a sweep's, in file order."""
    names = sorted(p.name for p in results.folder.glob("*.csv"))
    return [n for n in names if n not in KNOWN_TABLES]


def build_workbook(results: Results, text: Text) -> bytes:
    """The workbook as .xlsx bytes."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in (_summary_sheet, _risk_sheet, _percentile_sheet, _comparison_sheet):
        sheet(book, results, text)
    for name in other_tables(results):
        frame = results.table(name)
        if frame is not None:
            frame_sheet(book, sheet_title(name, text), frame)
    _assumption_sheet(book, results, text)
    _manifest_sheet(book, results, text)
    book.properties.title = results.scenario_name
    book.properties.creator = "campaign-sim"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
