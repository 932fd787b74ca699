"""A self-contained HTML report: one UTF-8 file for mail or chat, readable offline and printable.

It says what the deck says, in the deck's order (the story): the executive summary (the
decision and its risk, the points behind it), what we compare, each chart under its action
title with its caption, every table under its action title with its note, the assumptions that
matter, the method and every prior as an appendix; each part closes with the deck's speaker
notes as a line on how to read it. Charts are inline SVG (their text drawn as paths, so no font
is needed) or, without one, base64 PNG. No scripts, web fonts or other external resources; the
CSS is inline, reads from 360 px to 1400 px wide (a table too wide for a phone scrolls inside
its own box, never the page; from 800 px every table fits) and prints on A4 (charts and short
parts never split across pages, a table's header repeated on each page). Numbers never break
across lines: numeric cells and every number in running text are kept on one line.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from html import escape

from campaign_sim.reports.charts import Chart
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.story import Section, Story, sentence
from campaign_sim.reports.texttable import TextTable

__all__ = ["build_html", "html_lang"]

#: The ``lang`` attribute of each report language (BCP 47: Traditional Chinese script).
HTML_LANGS = {"en": "en", "zh-TW": "zh-Hant"}
#: Characters of a prior's sources in the appendix, as in the deck (complete in the workbook).
SOURCE_CHARS = 170
#: The attribute of a part that must not be split across printed pages (a chart, the summary,
#: a table of at most KEEP_ROWS rows: a longer one splits between rows, its header repeated).
KEEP = {"class": "keep"}
KEEP_ROWS = 15

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: #fff; color: #1b1b1b; line-height: 1.55; font-size: 16px;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "Liberation Sans", sans-serif;
}
html:lang(zh-Hant) body {
  font-family: system-ui, -apple-system, "PingFang TC", "Microsoft JhengHei", "Noto Sans CJK TC",
    "Noto Sans TC", "Source Han Sans TC", "Heiti TC", "Noto Sans CJK JP", "Noto Sans CJK SC",
    sans-serif;
}
main { max-width: 1100px; margin: 0 auto; padding: 1.25rem 1rem 3rem; }
header { border-bottom: 2px solid #0b4f8a; padding-bottom: 0.5rem; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0.5rem 0 0.25rem; color: #0b4f8a; }
section { margin: 2.25rem 0 0; }
hgroup { margin: 0 0 0.75rem; }
.kicker { margin: 0; font-size: 0.85rem; font-weight: 600; color: #55606b;
  letter-spacing: 0.02em; }
h2 { font-size: 1.25rem; line-height: 1.35; margin: 0.1rem 0 0; color: #0b4f8a; }
#summary h2 { font-size: 1.35rem; }
h1, h2, p, li, figcaption { overflow-wrap: anywhere; }
code { font-size: 0.92em; background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
.subtitle { color: #555; margin: 0 0 0.5rem; }
.nw { white-space: nowrap; }
ul { padding-left: 1.25rem; }
li { margin: 0 0 0.35rem; }
figure { margin: 0; }
figure svg * { stroke-linejoin: round; stroke-linecap: butt; }  /* matplotlib's SVG style */
figure svg, figure img { display: block; width: 100%; max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.95rem; margin-top: 0.4rem; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 0 0 0.5rem; }
table { border-collapse: collapse; font-size: 0.92rem; font-variant-numeric: tabular-nums; }
table.dense { font-size: 0.82rem; }
th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #e3e3e3; text-align: left;
  vertical-align: top; }
thead th { background: #f3f3f3; border-bottom: 2px solid #bbb; }
td.num, th.num { text-align: right; }
td.long { min-width: 11em; }
td.label { min-width: 7.5em; }
th, td:not(.long) { word-break: keep-all; }  /* short Chinese words stay whole */
.note { color: #555; font-size: 0.9rem; margin: 0.25rem 0; }
.how { color: #55606b; font-size: 0.88rem; margin: 0.6rem 0 0; padding: 0.1rem 0 0.1rem 0.6rem;
  border-left: 3px solid #c5d3e0; }
@media (max-width: 960px) {
  table, table.dense { font-size: 0.8rem; }
  th, td { padding: 0.3rem 0.4rem; }
  th { word-break: normal; }  /* a narrow column's Chinese header may break between characters */
}
@media (max-width: 480px) {
  main { padding: 0.75rem 0.6rem 2rem; }
  h1 { font-size: 1.4rem; }
  table { font-size: 0.85rem; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  html { -webkit-print-color-adjust: exact; print-color-adjust: exact; font-size: 10pt; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  section { margin-top: 1.25rem; }
  hgroup, h2, .kicker { break-after: avoid; page-break-after: avoid; }
  hgroup, h2 { break-inside: avoid; page-break-inside: avoid; }
  p, li { orphans: 3; widows: 3; }
  .note, .how { break-before: avoid; page-break-before: avoid; }
  .keep, figure, tr, li { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table, table.dense { font-size: 7.5pt; }
  th, td { padding: 0.2rem 0.35rem; }
  thead { display: table-header-group; }
  td.long { min-width: 0; }
}
"""

#: A number as shown (comparison sign, sign, currency, %, points, 萬): kept on one line in
#: running text. Not a digit of a word ("P5", "x2", "H1").
NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(?:(?:&lt;|&gt;|[≥≤~=])[ \u00a0]?)?[-+−]?(?:[A-Z]{2}\$|[$€£¥])?"
    r"\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?(?:%|萬|億|k\b|M\b| pts| 個百分點)?"
)
#: A `command` or `file` in a message (written for Markdown).
CODE = re.compile(r"`([^`<>]+)`")
#: What a numeric table cell may hold besides digits: signs, brackets, units, "n/a".
_NUMERIC_WORDS = re.compile(r"[A-Z]{2}\$|pts|個百分點|n/a|萬|億|\d[eE][-+]?\d|[kM]\b")
_NUMERIC_REST = re.compile(r"[\s\d.,，%+\-−–—<>≥≤±~\[\]()/:×∞$€£¥]*")

#: Where a numeric cell may break: before an interval's bracket, after a range's dash.
_CELL_BREAKS = re.compile(r" (?=\[)|(?<= –) ")

#: Attributes of matplotlib's SVG that reference an element id.
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_REF = re.compile(r'(xlink:href|href)="#([^"]+)"|url\(#([^)]+)\)')


def html_lang(lang: str) -> str:
    """The HTML ``lang`` attribute of a report language: "en", "zh-Hant"."""
    return HTML_LANGS.get(lang, lang)


def _whole(said: str) -> str:
    """Escaped text with each number wrapped so that it stays on one line."""
    return NUMBER.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', said)


def _prose(value: str) -> str:
    """Escaped running text, each number kept whole on one line (quotes are left as they are:
    no character reference whose digits could be taken for a number); `code` as code."""
    return _whole(CODE.sub(r"<code>\1</code>", escape(value, False)))


def is_numeric(cell: str) -> bool:
    """Whether a table cell shows numbers only ("-20.5% [-21.1%, -20.0%]", "NT$1,234", "n/a",
    "[1.2%，3.4%]" in Chinese, where a number that cannot be computed is "—")."""
    if not any(ch.isdigit() for ch in cell) and cell.strip() not in ("n/a", "—"):
        return False
    return _NUMERIC_REST.fullmatch(_NUMERIC_WORDS.sub("", cell)) is not None


def _numeric_columns(table: TextTable) -> list[bool]:
    """Per column: every non-empty cell is numeric (and at least one is)."""
    columns = list(zip(*table.rows, strict=True)) if table.rows else []
    out = []
    for cells in columns:
        filled = [c for c in cells if c.strip()]
        out.append(bool(filled) and all(is_numeric(c) for c in filled))
    return out + [False] * (len(table.header) - len(out))


def _estimate(cell: str) -> str:
    """A numeric cell in unbreakable pieces: a line may break before an interval ("[lo, hi]")
    and after the dash of a range ("lo –", "hi") when the column is narrow; never in a number."""
    pieces = _CELL_BREAKS.split(cell)
    return " ".join(f'<span class="nw">{escape(p, False)}</span>' for p in pieces if p)


def table_html(table: TextTable, *, dense: bool = False) -> str:
    """A semantic table in its own horizontally scrolling box; numeric columns right-aligned and
    never wrapped, numbers in text cells kept whole; ``dense`` (many rows): smaller type."""
    numeric = _numeric_columns(table)

    def cls(i: int, value: str = "") -> str:
        """num: right-aligned, one line; long: wide enough to read; label: a row's name."""
        if numeric[i]:
            return ' class="num"'
        if len(value) > 60:
            return ' class="long"'
        return ' class="label"' if i == 0 and len(value) > 12 else ""

    def cell(i: int, value: str) -> str:
        shown = _estimate(value) if numeric[i] else _whole(escape(value, False))
        return f"<td{cls(i, value)}>{shown}</td>"

    head = "".join(
        f'<th scope="col"{cls(i)}>{_whole(escape(h, False))}</th>'
        for i, h in enumerate(table.header)
    )
    body = "".join(
        "<tr>" + "".join(cell(i, v) for i, v in enumerate(row)) + "</tr>\n" for row in table.rows
    )
    kind = ' class="dense"' if dense else ""
    return (
        f'<div class="table-wrap"><table{kind}>\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}</tbody>\n</table></div>"
    )


def inline_svg(svg: bytes, prefix: str, label: str) -> str:
    """matplotlib's SVG file as an element of the page: no XML prolog, DOCTYPE, metadata,
    namespace URLs or style element (its one rule is in the page's CSS), fixed size replaced by
    the page's CSS, ids prefixed (unique in the page)."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    text = re.sub(r"\s*<style[^>]*>.*?</style>", "", text, count=1, flags=re.S)  # in CSS
    opening, rest = text.split(">", 1)
    opening = re.sub(r'\s(?:xmlns(?::\w+)?|width|height|version)="[^"]*"', "", opening)
    opening += f' role="img" aria-label="{escape(label)}"'
    body = _SVG_ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', rest)

    def ref(m: re.Match[str]) -> str:
        return f'href="#{prefix}{m.group(2)}"' if m.group(2) else f"url(#{prefix}{m.group(3)})"

    return opening + ">" + _SVG_REF.sub(ref, body).rstrip()


def figure_html(chart: Chart, index: int) -> str:
    """One chart and its caption: inline SVG, or the PNG as a data URI."""
    if chart.svg is not None:
        image = inline_svg(chart.svg, f"c{index}-", chart.title)
    else:
        data = base64.b64encode(chart.png).decode("ascii")
        width, height = chart.size_px
        image = (
            f'<img src="data:image/png;base64,{data}" width="{width}" height="{height}" '
            f'alt="{escape(chart.title)}">'
        )
    return (
        f'<figure id="chart-{escape(chart.key)}">\n{image}\n'
        f"<figcaption>{_prose(chart.caption)}</figcaption>\n</figure>"
    )


def _heading(label: str, title: str) -> str:
    """A part's action title (a sentence that says its finding) under its short label (left
    out where the title is only the label as a sentence)."""
    shown = label and label != title.rstrip(".。")
    kicker = f'<p class="kicker">{escape(label)}</p>' if shown else ""
    return f"<hgroup>{kicker}<h2>{_prose(title)}</h2></hgroup>"


def _how(note: str) -> list[str]:
    """The deck's speaker notes of a part: a line saying how to read it."""
    return [f'<p class="how">{_prose(note)}</p>'] if note else []


def _part(label: str, title: str, content: Sequence[str], how: str = "", **attrs: str) -> list[str]:
    """A ``<section>`` of the page: what one slide of the deck says."""
    shown = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items() if v)
    return [f"<section{shown}>", _heading(label, title), *content, *_how(how), "</section>"]


def _list(items: Sequence[str]) -> str:
    return "<ul>\n" + "".join(f"<li>{_prose(item)}</li>\n" for item in items) + "</ul>"


def _table_part(section: Section, ident: str) -> list[str]:
    """A table under its action title, its note below it."""
    notes = [f'<p class="note">{_prose(note)}</p>' for note in section.note]
    content = [table_html(section.table, dense=section.dense), *notes]
    title = section.title or section.heading
    keep = KEEP if len(section.table.rows) <= KEEP_ROWS else {}
    return _part(section.heading, title, content, section.notes, id=ident, **keep)


def _chart_part(story: Story, chart: Chart, index: int) -> list[str]:
    """A chart under its action title, its caption below it (the reading note once, with the
    first chart: it is the same for every chart)."""
    how = story.notes.get("chart", "") if index == 1 else ""
    title = story.chart_title(chart.key, chart.title)
    return _part(chart.title, title, [figure_html(chart, index)], how, **KEEP)


def _cut(value: str, limit: int = SOURCE_CHARS) -> str:
    """Sources cut as the deck cuts them (complete in the workbook, as the appendix says)."""
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _body(story: Story, charts: Sequence[Chart], text: Text) -> list[str]:
    """The page's parts in the deck's order: the executive summary, what we compare, the
    charts, the tables and the assumptions that matter, the method, the appendix."""
    parts = [
        "<header>",
        f"<h1>{escape(story.title)}</h1>",
        f'<p class="subtitle">{_prose(story.subtitle)}</p>',
        "</header>",
    ]
    summary = [_list(story.points)]
    how = story.notes.get("summary", "")
    parts += _part(text("slide.headline"), story.headline, summary, how, id="summary", **KEEP)
    for i, section in enumerate(story.compare, 1):
        parts += _table_part(section, f"compare-{i}")
    for i, chart in enumerate(charts, 1):
        parts += _chart_part(story, chart, i)
    for i, section in enumerate([*story.tables, *story.key_assumptions], 1):
        parts += _table_part(section, f"table-{i}")
    method = sentence(text("slide.method"), story.stop)
    parts += _part(
        text("slide.method"),
        story.method_title or method,
        [_list(story.method)],
        story.notes.get("method", ""),
        id="method",
    )
    if story.assumptions is not None and story.assumptions.rows:
        table = story.assumptions
        rows = [[*row[:-1], _cut(row[-1])] for row in table.rows]
        appendix = [table_html(TextTable(table.header, rows), dense=True)]
        heading = story.appendix_title or sentence(text("slide.assumptions"), story.stop)
        how = story.notes.get("appendix", "")
        parts += _part(text("slide.assumptions"), heading, appendix, how, id="appendix")
    return parts


def build_html(story: Story, charts: Sequence[Chart], text: Text) -> bytes:
    """The report as one self-contained HTML5 document, UTF-8 encoded."""
    page = [
        "<!DOCTYPE html>",
        f'<html lang="{html_lang(text.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(story.title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        *_body(story, charts, text),
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(page).encode("utf-8")
