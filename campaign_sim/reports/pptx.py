"""PowerPoint deck of a results folder (python-pptx, 16:9).

Slides: title; the executive summary (its title is the decision and its risk in one sentence,
the numbers behind it below); what we compare (budget split, what each strategy buys); one
slide per chart with a short caption; the tables as native, editable tables; the assumptions
that matter and the priors the strategies use; the method; the appendix (every prior). Every
slide's title is an action title (a sentence that says the finding) and every slide has
speaker notes saying how to read it. Numbers never break across lines: minus signs are U+2212
(no break after them) and a number and its unit are joined by a no-break space. Every run of
text names an East Asian typeface, so Chinese renders in a CJK font.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator, Sequence
from typing import Any

from campaign_sim.reports.charts import Chart
from campaign_sim.reports.fonts import SLIDE_EA_FONT
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.story import Section, Story, sentence
from campaign_sim.reports.texttable import TextTable

__all__ = ["ASSUMPTION_ROWS", "build_deck"]

SLIDE_W, SLIDE_H = 13.333, 7.5  # inches, 16:9
MARGIN = 0.6
ASSUMPTION_ROWS = 11
TABLE_ROWS = 12
DENSE_ROWS = 16
SOURCE_CHARS = 170
DARK = (0x1F, 0x2A, 0x37)
GREY = (0x55, 0x5F, 0x6B)
HEADER = (0x0B, 0x4F, 0x8A)


def _inches(value: float) -> Any:
    from pptx.util import Inches

    return Inches(value)


def _style_runs(frame: Any, size: float, *, bold: bool = False, colour=DARK) -> None:
    """Font size, weight and colour of every run in a text frame."""
    for paragraph in frame.paragraphs:
        for run in paragraph.runs:
            _style_run(run, size, bold=bold, colour=colour)


def _style_run(run: Any, size: float, *, bold: bool, colour: tuple[int, int, int]) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(*colour)


def _runs(deck: Any) -> Iterator[Any]:
    """Every text run of the deck, in text boxes, placeholders and table cells."""
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = []
            if shape.has_text_frame:
                frames.append(shape.text_frame)
            if getattr(shape, "has_table", False) and shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    yield from paragraph.runs


def _east_asian(deck: Any, lang: str) -> None:
    """Name the East Asian typeface and tag the language of every run, so that PowerPoint
    uses a Chinese font for Chinese characters and substituting viewers (LibreOffice) pick
    Traditional glyph shapes."""
    tag = "{http://schemas.openxmlformats.org/drawingml/2006/main}ea"
    for run in _runs(deck):
        rpr = run._r.get_or_add_rPr()
        ea = rpr.find(tag)
        if ea is None:
            ea = rpr.makeelement(tag, {})
            rpr.append(ea)
        ea.set("typeface", SLIDE_EA_FONT)
        rpr.set("lang", "zh-TW" if lang == "zh-TW" else "en-US")
        rpr.set("altLang", "en-US" if lang == "zh-TW" else "zh-TW")


def _textbox(
    slide: Any,
    box: tuple[float, float, float, float],
    lines: Sequence[str],
    size: float,
    *,
    bold: bool = False,
    colour=DARK,
    bullets: bool = False,
) -> Any:
    from pptx.util import Pt

    shape = slide.shapes.add_textbox(*(_inches(v) for v in box))
    frame = shape.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = keep_whole(f"• {line}" if bullets else line)
        paragraph.space_after = Pt(size * 0.6)
    _style_runs(frame, size, bold=bold, colour=colour)
    return shape


def _summary(slide: Any, headline: str, points: Sequence[str]) -> None:
    """The executive summary: its title is the decision and the risk in one sentence (as large
    as its length allows), the points that back it below in one flowing text box."""
    from pptx.util import Pt

    size = 26 if _width(headline) <= 120 else 22 if _width(headline) <= 200 else 19
    shape = slide.shapes.title
    shape.left, shape.top = _inches(MARGIN), _inches(0.3)
    shape.width, shape.height = _inches(SLIDE_W - 2 * MARGIN), _inches(2.0)
    shape.text_frame.text = no_orphan(keep_whole(headline))
    shape.text_frame.word_wrap = True
    from pptx.enum.text import PP_ALIGN

    shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    _style_runs(shape.text_frame, size, bold=True, colour=HEADER)
    box = _textbox(slide, (MARGIN, 2.5, SLIDE_W - 2 * MARGIN, 4.6), [], 15)
    frame = box.text_frame
    for i, point in enumerate(points):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = keep_whole(f"• {point}")
        paragraph.space_after = Pt(8)
        for run in paragraph.runs:
            _style_run(run, 16 if len(points) <= 6 else 14, bold=False, colour=GREY)


#: A minus sign before a number or an amount (a line may break after "-", never after "−").
_MINUS = re.compile(r"(?<![\w.])-(?=[\d.]|[A-Z]{0,3}[$€¥£])")
#: The space between a number and its unit, or after a comparison sign.
_UNIT_SPACE = re.compile(r"(?<=[\d%]) (?=pts\b|個百分點)|(?<=[≤≥<>=]) (?=[−\d]|[A-Z]{0,3}[$€¥£])")


def keep_whole(value: str) -> str:
    """``value`` with its numbers unbreakable: U+2212 minus signs, no-break spaces before units
    ("+4.0 pts") and after comparison signs ("≥ −NT$800,000")."""
    return _UNIT_SPACE.sub("\u00a0", _MINUS.sub("\u2212", value))


#: Chinese characters (not their punctuation).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: A title's last Chinese character (with its closing punctuation) and what comes before it.
_LAST = re.compile(rf"(.)([{_CJK}][^{_CJK}\w]*)$")


def no_orphan(value: str) -> str:
    """``value`` with its last Chinese character joined to what comes before it (a word joiner,
    U+2060, or a no-break space for a space), so that no line break can leave that character
    alone on the last line of a title or a table cell, whatever the renderer's font widths."""
    match = _LAST.search(value)
    if match is None or match.group(1) in "\u2060\u00a0":
        return value
    joined = "\u00a0" if match.group(1) == " " else match.group(1) + "\u2060"
    return value[: match.start(1)] + joined + match.group(2)


def _notes(slide: Any, notes: str) -> None:
    """The slide's speaker notes."""
    slide.notes_slide.notes_text_frame.text = keep_whole(notes)


def _title(slide: Any, text: str, size: float = 28) -> None:
    text = no_orphan(keep_whole(text))
    size = size if _width(text) <= 60 else min(size, 22) if _width(text) <= 110 else 18
    shape = slide.shapes.title
    shape.left, shape.top = _inches(MARGIN), _inches(0.3)
    shape.width, shape.height = _inches(SLIDE_W - 2 * MARGIN), _inches(0.9)
    shape.text_frame.text = text
    shape.text_frame.word_wrap = True
    from pptx.enum.text import PP_ALIGN

    shape.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    _style_runs(shape.text_frame, size, bold=True, colour=HEADER)


def _table(
    slide: Any,
    table: TextTable,
    box: tuple[float, float, float, float],
    widths: Sequence[float],
    size: float,
) -> Any:
    from pptx.dml.color import RGBColor

    rows, cols = len(table.rows) + 1, len(table.header)
    shape = slide.shapes.add_table(rows, cols, *(_inches(v) for v in box))
    grid = shape.table
    for j, width in enumerate(widths):
        grid.columns[j].width = _inches(width)
    for j, value in enumerate(table.header):
        cell = grid.cell(0, j)
        cell.text = no_orphan(two_lines(keep_whole(value), widths[j], size))
        cell.fill.solid()
        cell.fill.fore_color.rgb = RGBColor(*HEADER)
        _style_runs(cell.text_frame, size, bold=True, colour=(0xFF, 0xFF, 0xFF))
    for i, row in enumerate(table.rows, start=1):
        for j, value in enumerate(row):
            cell = grid.cell(i, j)
            cell.text = no_orphan(keep_whole(value))
            _style_runs(cell.text_frame, size)
    return shape


#: Chinese text: characters and full-width punctuation.
_ASIAN = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
#: Characters a line may not start with, or end with.
_NO_START, _NO_END = "）]】」』。，、：；！？%", "（[【「『"


def two_lines(value: str, width: float, size: float) -> str:
    """A Chinese header that wraps in a column ``width`` inches wide at ``size`` points broken
    by hand (a line break, U+000B) into two lines of about equal width, between Chinese
    characters or at a space, never inside a word or a number: left to LibreOffice, the last
    line held a lone character ("每人內容↵數", "費用占↵比")."""
    room = (width - 0.2) * 72  # points: the column less the cell's margins

    def wide(part: str) -> float:  # points: a Chinese character 1 em, others about 0.62 em
        return sum(size if ord(c) >= 0x2E80 else 0.62 * size for c in part)

    if not _ASIAN.search(value) or not room < wide(value) <= 2 * room:
        return value
    best, where = math.inf, 0
    for i in range(1, len(value)):
        before, after = value[i - 1], value[i]
        cjk = ord(before) >= 0x2E80 or ord(after) >= 0x2E80
        if not (cjk or after == " ") or after in _NO_START or before in _NO_END:
            continue
        first, last = value[:i].rstrip(), value[i:].lstrip()
        if len(last) < 2 or "\u2060" in (before, after):
            continue
        widest = max(wide(first), wide(last))
        if widest < best:
            best, where = widest, i
    if not where or best > room:  # no two lines that fit: leave the wrapping to the renderer
        return value
    return value[:where].rstrip() + "\v" + value[where:].lstrip()


def _pages(rows: list[list[str]], size: int) -> list[list[list[str]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


def _lines(cell: str, width: float, size: float) -> int:
    """Lines ``cell`` wraps to in a column ``width`` inches wide at ``size`` points, as
    :func:`column_widths` measures text (words never break)."""
    room = max(width - 0.25, 0.1) / (0.0095 * size)  # characters per line
    lines, used = 1, 0.0
    for word in _words(cell):
        length = _width(word) + (1 if used else 0)
        if used and used + length > room:
            lines, used = lines + 1, float(_width(word))
        else:
            used += length
    return lines


def _fitting_pages(
    table: TextTable, width: float, most: int, height: float, size: float = 12
) -> list[list[list[str]]]:
    """The table's rows in slides of at most ``most`` rows whose estimated height (header
    included, each row its wrapped lines) fits ``height`` inches: long cells wrap, so rows of
    two lines take more room than one-line rows."""
    widths = column_widths(table, width, size)
    line = size * 1.2 / 72  # inches per line of text

    def tall(row: list[str]) -> float:
        return line * max(_lines(c, w, size) for c, w in zip(row, widths, strict=True)) + 0.12

    room = height - tall(table.header)
    pages: list[list[list[str]]] = [[]]
    used = 0.0
    for row in table.rows:
        needed = tall(row)
        if pages[-1] and (len(pages[-1]) >= most or used + needed > room):
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += needed
    return pages


def _width(value: str) -> int:
    """Display width of text: CJK characters count double."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in value)


def _words(cell: str) -> list[str]:
    """The pieces a line may not break inside: Latin words and numbers; each CJK character
    stands alone (Chinese text breaks between any two characters)."""
    return re.findall(r"[^ \t\n\u2e80-\uffff]+|[\u2e80-\uffff]", keep_whole(cell)) or [""]


def column_widths(table: TextTable, total: float, size: float = 12) -> list[float]:
    """Column widths (inches) adding up to ``total``: every column at least as wide as its
    longest word or number (they never break), the rest shared by the columns with long text.
    Widths are estimated from display widths at ``size`` points (CJK counts double)."""

    def inches(chars: float) -> float:
        return chars * 0.0095 * size + 0.25  # per (bold) character, plus the cell's margins

    cells = [[header, *(row[j] for row in table.rows)] for j, header in enumerate(table.header)]
    least = [inches(max(_width(w) for c in col for w in _words(c))) for col in cells]
    want = [  # a header may wrap to two lines, no more (Chinese breaks between any characters)
        max(low, inches(min(45, max(_width(col[0]) / 2, *(_width(c) for c in col[1:] or [""])))))
        for low, col in zip(least, cells, strict=True)
    ]
    if sum(want) <= total:
        return [w * total / sum(want) for w in want]
    if sum(least) >= total:
        return [w * total / sum(least) for w in least]
    spare = (total - sum(least)) / (sum(want) - sum(least))
    return [low + (w - low) * spare for low, w in zip(least, want, strict=True)]


def _short(value: str, limit: int = SOURCE_CHARS) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _page(title: str, page: int, pages: int, stop: str) -> str:
    """A continued slide's title: "(2/3)" after it ("（2/3）" after a Chinese sentence)."""
    if page == 0:
        return title
    return f"{title}（{page + 1}/{pages}）" if stop == "。" else f"{title} ({page + 1}/{pages})"


def _table_slides(deck: Any, layout: Any, section: Section, width: float, stop: str) -> None:
    """A table section over as many slides as its rows need, each with its action title
    (continued pages numbered), its note and its speaker notes."""
    rows_per_slide = TABLE_ROWS if not section.note else TABLE_ROWS - 4
    room = (5.8 if section.note else 7.0) - 1.4  # down to the note, or the slide's foot
    small = 9 if section.dense else 12
    most = DENSE_ROWS if section.dense else rows_per_slide
    pages = _fitting_pages(section.table, width, most, room, small)
    for page, chunk in enumerate(pages):
        slide = deck.slides.add_slide(layout)
        title = section.title or section.heading
        _title(slide, _page(title, page, len(pages), stop))
        table = TextTable(section.table.header, chunk)
        size = small if section.dense else 12 if len(chunk) <= 8 else 11
        widths = column_widths(table, width, size)
        _table(slide, table, (MARGIN, 1.4, width, 0.5), widths, size)
        if section.note:
            _textbox(slide, (MARGIN, 5.9, width, 1.2), section.note, 13, colour=GREY)
        _notes(slide, section.notes or section.heading)


def _chart_slide(
    deck: Any, layout: Any, story: Story, chart: Chart, width: float, text: Text
) -> None:
    """A chart under its action title, its label and caption below it."""
    slide = deck.slides.add_slide(layout)
    _title(slide, story.chart_title(chart.key, chart.title))
    picture_w = 11.4
    picture_h = picture_w * chart.size_px[1] / chart.size_px[0]
    picture = slide.shapes.add_picture(
        io.BytesIO(chart.png),
        _inches((SLIDE_W - picture_w) / 2),
        _inches(1.2),
        _inches(picture_w),
        _inches(picture_h),
    )
    picture._element.nvPicPr.cNvPr.set("descr", f"{chart.title}. {chart.caption}")
    caption = text("label.caption", title=chart.title, caption=chart.caption)
    _textbox(slide, (MARGIN, 1.25 + picture_h, width, 0.75), [caption], 12, colour=GREY)
    space = "" if story.stop == "。" else " "  # Chinese sentences run on without spaces
    _notes(slide, f"{chart.caption}{space}{story.notes.get('chart', '')}".strip())


def build_deck(story: Story, charts: Sequence[Chart], text: Text) -> bytes:
    """The deck as .pptx bytes."""
    from pptx import Presentation

    deck = Presentation()
    deck.slide_width, deck.slide_height = _inches(SLIDE_W), _inches(SLIDE_H)
    title_layout, title_only = deck.slide_layouts[0], deck.slide_layouts[5]
    deck.core_properties.title = story.title
    deck.core_properties.author = "campaign-sim"
    deck.core_properties.language = text.lang

    slide = deck.slides.add_slide(title_layout)
    slide.shapes.title.left, slide.shapes.title.top = _inches(MARGIN), _inches(2.2)
    slide.shapes.title.width = _inches(SLIDE_W - 2 * MARGIN)
    slide.shapes.title.height = _inches(1.8)
    # the cover names the report: not a finding, no full stop
    slide.shapes.title.text_frame.text = no_orphan(story.title)
    slide.shapes.title.text_frame.word_wrap = True
    _style_runs(slide.shapes.title.text_frame, 36, bold=True, colour=HEADER)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = _inches(MARGIN), _inches(4.2)
    subtitle.width, subtitle.height = _inches(SLIDE_W - 2 * MARGIN), _inches(1.0)
    subtitle.text_frame.text = story.subtitle
    _style_runs(subtitle.text_frame, 18, colour=GREY)
    _notes(slide, story.notes.get("title", story.subtitle))

    slide = deck.slides.add_slide(title_only)
    _summary(slide, story.headline, story.points)
    _notes(slide, story.notes.get("summary", story.headline))
    width = SLIDE_W - 2 * MARGIN

    for section in story.compare:
        _table_slides(deck, title_only, section, width, story.stop)
    for chart in charts:
        _chart_slide(deck, title_only, story, chart, width, text)
    for section in [*story.tables, *story.key_assumptions]:
        _table_slides(deck, title_only, section, width, story.stop)

    slide = deck.slides.add_slide(title_only)
    _title(slide, story.method_title or sentence(text("slide.method"), story.stop))
    _textbox(slide, (MARGIN, 1.35, width, 5.8), story.method, 16, bullets=True)
    _notes(slide, story.notes.get("method", ""))

    if story.assumptions is not None and story.assumptions.rows:
        pages = _pages(story.assumptions.rows, ASSUMPTION_ROWS)
        for page, chunk in enumerate(pages):
            slide = deck.slides.add_slide(title_only)
            heading = story.appendix_title or sentence(text("slide.assumptions"), story.stop)
            _title(slide, _page(heading, page, len(pages), story.stop), 24)
            table = TextTable(story.assumptions.header, [[*r[:-1], _short(r[-1])] for r in chunk])
            _table(slide, table, (MARGIN, 1.2, width, 0.5), [0.9, 1.05, 1.9, 1.15, 1.9, 5.23], 10)
            _notes(slide, story.notes.get("appendix", ""))

    _east_asian(deck, text.lang)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()
