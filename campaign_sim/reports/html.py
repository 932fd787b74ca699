"""A self-contained HTML report: one UTF-8 file for mail or chat, readable offline and printable.

What the deck says (the story: title, headline, points, tables, assumptions, method), with every
chart embedded as inline SVG (its text drawn as paths, so no font is needed) or, without one, as
a base64 PNG. No scripts, web fonts or other external resources; the CSS is inline, reads from
360 px to 1400 px wide (tables scroll inside their own box, never the page) and prints on A4.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from html import escape

from campaign_sim.reports.charts import Chart
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.story import Story
from campaign_sim.reports.texttable import TextTable

__all__ = ["build_html", "html_lang"]

#: The ``lang`` attribute of each report language (BCP 47: Traditional Chinese script).
HTML_LANGS = {"en": "en", "zh-TW": "zh-Hant"}

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
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 0.75rem; border-bottom: 1px solid #ddd;
  padding-bottom: 0.25rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.5rem; }
h1, h2, h3, p, li, figcaption { overflow-wrap: anywhere; }
code { font-size: 0.92em; background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
.subtitle { color: #555; margin: 0 0 1rem; }
.headline { font-size: 1.2rem; font-weight: 600; margin: 0 0 0.75rem; }
.nw { white-space: nowrap; }
figure { margin: 0 0 2rem; break-inside: avoid; page-break-inside: avoid; }
figure svg * { stroke-linejoin: round; stroke-linecap: butt; }  /* matplotlib's SVG style */
figure svg, figure img { display: block; width: 100%; max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.95rem; margin-top: 0.4rem; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 0 0 0.5rem; }
table { border-collapse: collapse; font-size: 0.92rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.35rem 0.6rem; border-bottom: 1px solid #e3e3e3; text-align: left;
  vertical-align: top; }
thead th { background: #f3f3f3; border-bottom: 2px solid #bbb; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
td.long { min-width: 16rem; }
td.label { min-width: 7.5em; }
th, td:not(.long) { word-break: keep-all; }  /* short Chinese words stay whole */
.note { color: #555; font-size: 0.9rem; margin: 0.25rem 0; }
@media (max-width: 480px) {
  main { padding: 0.75rem 0.6rem 2rem; }
  h1 { font-size: 1.4rem; }
  table { font-size: 0.85rem; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 7.5pt; }
  thead { display: table-header-group; }
  tr, figure { break-inside: avoid; page-break-inside: avoid; }
  td.long { min-width: 0; }
}
"""

#: A number as shown (signs, currency, %, points, 萬): kept on one line in running text.
NUMBER = re.compile(
    r"(?:&lt;|&gt;|[≥≤~])?[-+−]?(?:[A-Z]{2}\$|[$€£¥])?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?"
    r"(?:%|萬|億|k\b|M\b| pts| 個百分點)?"
)
#: A `command` or `file` in a message (written for Markdown).
CODE = re.compile(r"`([^`<>]+)`")
#: What a numeric table cell may hold besides digits: signs, brackets, units, "n/a".
_NUMERIC_WORDS = re.compile(r"[A-Z]{2}\$|pts|個百分點|n/a|萬|億|\d[eE][-+]?\d|[kM]\b")
_NUMERIC_REST = re.compile(r"[\s\d.,%+\-−–—<>≥≤±~\[\]()/:×∞$€£¥]*")

#: Attributes of matplotlib's SVG that reference an element id.
_SVG_ID = re.compile(r'\bid="([^"]+)"')
_SVG_REF = re.compile(r'(xlink:href|href)="#([^"]+)"|url\(#([^)]+)\)')


def html_lang(lang: str) -> str:
    """The HTML ``lang`` attribute of a report language: "en", "zh-Hant"."""
    return HTML_LANGS.get(lang, lang)


def _prose(value: str) -> str:
    """Escaped running text, each number kept whole on one line (quotes are left as they are:
    no character reference whose digits could be taken for a number); `code` as code."""
    said = CODE.sub(r"<code>\1</code>", escape(value, False))
    return NUMBER.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', said)


def is_numeric(cell: str) -> bool:
    """Whether a table cell shows numbers only ("-20.5% [-21.1%, -20.0%]", "NT$1,234", "n/a")."""
    if not any(ch.isdigit() for ch in cell) and cell.strip() != "n/a":
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


def table_html(table: TextTable) -> str:
    """A semantic table in its own horizontally scrolling box; numeric columns right-aligned and
    never wrapped."""
    numeric = _numeric_columns(table)

    def cls(i: int, value: str = "") -> str:
        """num: right-aligned, one line; long: wide enough to read; label: a row's name."""
        if numeric[i]:
            return ' class="num"'
        if len(value) > 60:
            return ' class="long"'
        return ' class="label"' if i == 0 and len(value) > 12 else ""

    head = "".join(f'<th scope="col"{cls(i)}>{escape(h)}</th>' for i, h in enumerate(table.header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i, v)}>{escape(v)}</td>" for i, v in enumerate(row)) + "</tr>\n"
        for row in table.rows
    )
    return (
        f'<div class="table-wrap"><table>\n<thead><tr>{head}</tr></thead>\n'
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
    """One chart with its title and caption: inline SVG, or the PNG as a data URI."""
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
        f'<figure id="chart-{escape(chart.key)}">\n<h3>{escape(chart.title)}</h3>\n{image}\n'
        f"<figcaption>{_prose(chart.caption)}</figcaption>\n</figure>"
    )


def _section(heading: str, content: Sequence[str], ident: str = "") -> list[str]:
    attr = f' id="{ident}"' if ident else ""
    return [f"<section{attr}>", f"<h2>{escape(heading)}</h2>", *content, "</section>"]


def _list(items: Sequence[str]) -> str:
    return "<ul>\n" + "".join(f"<li>{_prose(item)}</li>\n" for item in items) + "</ul>"


def _body(story: Story, charts: Sequence[Chart], text: Text) -> list[str]:
    """The page's sections in the deck's order."""
    parts = [
        "<header>",
        f"<h1>{escape(story.title)}</h1>",
        f'<p class="subtitle">{_prose(story.subtitle)}</p>',
        "</header>",
    ]
    answer = [f'<p class="headline">{_prose(story.headline)}</p>', _list(story.points)]
    parts += _section(text("slide.headline"), answer, "answer")
    if charts:
        figures = [figure_html(chart, i) for i, chart in enumerate(charts, 1)]
        parts += _section(text("md.charts"), figures, "charts")
    for section in story.tables:
        notes = [f'<p class="note">{_prose(note)}</p>' for note in section.note]
        parts += _section(section.heading, [table_html(section.table), *notes])
    if story.assumptions is not None and story.assumptions.rows:
        table = [table_html(story.assumptions)]
        parts += _section(text("slide.assumptions"), table, "assumptions")
    parts += _section(text("slide.method"), [_list(story.method)], "method")
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
