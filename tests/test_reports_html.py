"""The self-contained HTML report: one document with every chart inside, the story's numbers read
from the results CSVs, nothing fetched from elsewhere; opened in a real headless Chromium
(Debian's ``chromium``, installed by .ci/run) for a screenshot, its console and its width.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import shutil
import subprocess
from html import escape, unescape
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from campaign_sim.cli import main
from campaign_sim.reports import build_report, load_results
from campaign_sim.reports.charts import PLANS, Chart
from campaign_sim.reports.html import CSS, build_html, is_numeric
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.story import Story, sentence, tell
from campaign_sim.reports.texttable import TextTable

pytest.importorskip("matplotlib")
PIL_IMAGE = pytest.importorskip("PIL.Image")

COFFEE = str(EXAMPLES[0])
#: Elements that have no end tag in HTML.
VOID = {"meta", "link", "img", "br", "hr", "input", "source", "area", "base", "col", "wbr"}
WIDTHS = (1280, 800, 390)
#: CSS px across an A4 page inside the print margins (210 mm less 2 x 12 mm, at 96 px per inch).
A4_PX = round((210 - 2 * 12) / 25.4 * 96)


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("html") / "coffee"
    result = CliRunner().invoke(
        main, ["compare", COFFEE, "-n", "1024", "--seed", "5", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


class _Pages(dict):
    """Per language, built when first asked for: the HTML report (with the PNG charts beside
    it) and the chart keys. zh-TW needs a CJK font, and its tests skip without one."""

    def __init__(self, compare_dir: Path, tmp_path_factory) -> None:
        super().__init__()
        self.compare_dir, self.factory = compare_dir, tmp_path_factory

    def __missing__(self, lang: str) -> tuple[Path, list[str]]:
        folder = self.factory.mktemp(f"report-{lang}")
        built = build_report(self.compare_dir, formats="html,png", lang=lang, out=folder)
        (page,) = [f for f in built.files if f.endswith(".html")]
        keys = [Path(f).stem for f in built.files if f.endswith(".png")]
        self[lang] = (built.folder / page, keys)
        return self[lang]


@pytest.fixture(scope="session")
def pages(compare_dir, tmp_path_factory) -> dict[str, tuple[Path, list[str]]]:
    return _Pages(compare_dir, tmp_path_factory)


class Document(HTMLParser):
    """Tags, ids, references and cells of a page; fails on an end tag that closes nothing open."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.counts: dict[str, int] = {}
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.urls: list[str] = []  # url(#id) in attributes
        self.cells: list[tuple[str, str]] = []  # (class, text) of every <td>
        self.decls: list[str] = []
        self._cell: list[str] | None = None
        self._cell_class = ""
        self.unbalanced: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decls.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.counts[tag] = self.counts.get(tag, 0) + 1
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(str(values["id"]))
        self.hrefs += [str(v) for k, v in attrs if k in ("href", "xlink:href") and v]
        self.urls += re.findall(r"url\(#([^)]+)\)", " ".join(str(v) for _, v in attrs if v))
        if tag == "td":
            self._cell, self._cell_class = [], str(values.get("class") or "")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.unbalanced.append(f"</{tag}> with {self.open[-3:]} open")
            return
        self.open.pop()
        if tag == "td" and self._cell is not None:
            self.cells.append((self._cell_class, "".join(self._cell)))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: str) -> Document:
    doc = Document()
    doc.feed(page)
    doc.close()
    return doc


# -- the file --------------------------------------------------------------------------------


@pytest.mark.exact
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_html_is_one_balanced_document_that_needs_nothing_else(pages, lang):
    path, keys = pages[lang]
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>\n")
    doc = _parse(page)
    assert doc.decls == ["DOCTYPE html"]
    assert not doc.unbalanced and not doc.open
    assert {
        t: doc.counts.get(t) for t in ("html", "head", "body", "title", "style")
    } == dict.fromkeys(("html", "head", "body", "title", "style"), 1)
    assert doc.counts.get("script", 0) == 0  # nothing to run to read it
    for outside in ("http://", "https://", 'src="//', 'href="//', "@import", "@font-face"):
        assert outside not in page, outside
    assert all(src.startswith("data:") for src in re.findall(r'\bsrc="([^"]*)"', page))
    assert len(doc.ids) == len(set(doc.ids))  # ids of every SVG made unique in the page
    assert doc.hrefs and all(r.startswith("#") for r in doc.hrefs)  # within the page
    targets = {r.removeprefix("#") for r in doc.hrefs} | set(doc.urls)
    assert doc.urls and targets <= set(doc.ids)  # every glyph and clip path reference resolves
    assert len(keys) >= 4
    for key in keys:  # every chart, inline, under its action title and with its caption
        part = re.search(
            rf'</h2></hgroup>\n<figure id="chart-{key}">\n<svg[^>]*viewBox=.*?'
            r"<figcaption>[^\n]+</figcaption>\n</figure>",
            page,
            re.S,
        )
        assert part is not None, key
    expected = {"en": "en", "zh-TW": "zh-Hant"}[lang]
    assert f'<html lang="{expected}">' in page


@pytest.mark.exact
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_html_says_the_headline_and_the_results_numbers(pages, compare_dir, lang):
    path, _ = pages[lang]
    page = path.read_text(encoding="utf-8")
    text = Text(lang, "TWD")
    story = tell(load_results(compare_dir), text)
    shown = unescape(re.sub(r"<[^>]+>", "", page))
    assert story.headline in shown and story.title in shown
    cells = _parse(page).cells
    summary = pd.read_csv(compare_dir / "summary.csv").set_index(["strategy", "metric"])
    risk = pd.read_csv(compare_dir / "risk.csv").set_index("strategy")
    for strategy in ("nano_heavy", "micro_heavy"):
        roi = summary.loc[(strategy, "roi")]
        ci = text.interval(text.pct(roi["mean_ci_low"], 1), text.pct(roi["mean_ci_high"], 1))
        mean = f"{text.pct(roi['mean'], 1)} {ci}"
        loss = text.prob(risk.loc[strategy, "prob_loss"], 1)
        assert ("num", mean) in cells  # right-aligned and kept on one line
        assert any(c == "num" and v.startswith(loss + " [") for c, v in cells)
    if lang == "zh-TW":
        assert "勝過" in story.headline


def _titles(story: Story, compare_dir: Path, keys: list[str], text: Text) -> list[str]:
    """The action title of every part, in the deck's order: the executive summary, what we
    compare, the charts, the tables and assumptions that matter, the method, the appendix."""
    results = load_results(compare_dir)
    charts = [(key, label) for key, label, *_ in PLANS[results.command](results, text)]
    assert {key for key, _ in charts} >= set(keys)
    sections = [*story.tables, *story.key_assumptions]
    return [
        story.headline,
        *(s.title or s.heading for s in story.compare),
        *(story.chart_title(key, label) for key, label in charts if key in keys),
        *(s.title or s.heading for s in sections),
        story.method_title or sentence(text("slide.method"), story.stop),
        story.appendix_title,
    ]


def _shown(page: str) -> str:
    """The page's text as read (tags dropped, references resolved)."""
    return unescape(re.sub(r"<[^>]+>", "", page))


@pytest.mark.exact
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_html_tells_every_part_of_the_story_in_the_decks_order(pages, compare_dir, lang):
    path, keys = pages[lang]
    page = path.read_text(encoding="utf-8")
    text = Text(lang, "TWD")
    story = tell(load_results(compare_dir), text)
    assert story.compare and story.key_assumptions and story.tables  # every kind of part
    headings = [_shown(h) for h in re.findall(r"<h2>(.*?)</h2>", page)]
    assert headings == _titles(story, compare_dir, keys, text)
    parts = page.split("<section")[1:]
    assert len(parts) == len(headings)
    shown = _shown(page)
    tables = [*story.compare, *story.tables, *story.key_assumptions]
    table_parts = parts[1 : 1 + len(story.compare)] + parts[1 + len(story.compare) + len(keys) :]
    for section, part in zip(tables, map(_shown, table_parts), strict=False):
        assert section.heading in part  # its label above its action title
        assert all(note in part for note in section.note)  # each table with its note
        assert section.notes in part  # and how to read it
        assert all(row[0] in part for row in section.table.rows)
    assert all(point in shown for point in story.points)
    assert all(line.replace("`", "") in shown for line in story.method)  # `x` as code
    for slide in ("summary", "chart", "method", "appendix"):
        assert shown.count(story.notes[slide]) == 1, slide  # the chart note once, not per chart
    assert story.notes["title"] not in shown  # it speaks of the deck
    assert story.assumptions is not None
    appendix = _shown(parts[-1])
    assert all(row[2] in appendix and row[4] in appendix for row in story.assumptions.rows)


@pytest.mark.exact
def test_html_escapes_every_text_and_falls_back_to_png(pages, compare_dir):
    text = Text("en", "TWD")
    story = tell(load_results(compare_dir), text)
    hostile = '<script>alert("x")</script> & <b>'
    section = dataclasses.replace(
        story.compare[0],
        heading=f"{hostile}:",
        title=hostile,
        note=[hostile],
        notes=hostile,
        table=TextTable([hostile, "n"], [[hostile, "1"]]),
    )
    story = dataclasses.replace(
        story,
        title=hostile,
        headline=hostile,
        points=[hostile],
        compare=[section],
        method_title=hostile,
        notes={**story.notes, "chart": hostile},
    )
    png = PIL_IMAGE.new("RGB", (30, 20), "white")
    buffer = BytesIO()
    png.save(buffer, format="PNG")
    chart = Chart("x", hostile, hostile, buffer.getvalue(), None, (30, 20))
    page = build_html(story, [chart], text).decode("utf-8")
    assert "<section" in page and "<script" not in page and "<b>" not in page
    # title element, h1, headline, point, the part's label, title, table header and cell, note
    # and notes, the chart's title (its label as a sentence: the label is not repeated above
    # it), caption, notes and alt text, the method's title
    assert page.count("&lt;script&gt;") == 15
    (data,) = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert base64.b64decode(data) == buffer.getvalue()
    assert f'alt="{escape(hostile)}"' in page


@pytest.mark.exact
def test_numbers_stay_whole_in_text_and_cells(pages, compare_dir):
    text = Text("en", "TWD")
    story = tell(load_results(compare_dir), text)
    point = "Break-even needs ≥ -NT$800,000 and +4.0 pts; P5 at 2026 & 12.35萬 < 3%."
    table = TextTable(["Item", "P5 – P95 [95% CI]"], [["ROI", "-71% – 70% [-72%, 69%]"]])
    section = dataclasses.replace(story.compare[0], table=table, note=[], notes="")
    story = dataclasses.replace(story, points=[point], compare=[section])
    page = build_html(story, [], text).decode("utf-8")
    spans = re.findall(r'<span class="nw">([^<]*)</span>', page.split("<li>")[1].split("</li>")[0])
    assert spans == ["≥ -NT$800,000", "+4.0 pts", "2026", "12.35萬", "&lt; 3%"]  # not P5's 5
    # a numeric cell breaks only before its interval and after a range's dash
    cell = '<td class="num"><span class="nw">-71% –</span> <span class="nw">70%</span> '
    assert cell + '<span class="nw">[-72%, 69%]</span></td>' in page


@pytest.mark.exact
def test_numbers_are_told_from_words():
    for cell in (
        "-20.5% [-21.1%, -20.0%]",
        "-20.5% [-21.1%，-20.0%]",
        "-NT$481,286",
        "+42.5 pts [+41.2 pts, +43.9 pts]",
    ):
        assert is_numeric(cell), cell
    for cell in (
        ">99.9%",
        "1e+04 – 3e+04",
        "12.35萬",
        "-1.2 個百分點",
        "n/a",
        "—",  # n/a in Chinese
        "NT$14,846 ± NT$252",
    ):
        assert is_numeric(cell), cell
    for cell in (
        "Nano-heavy 奈米為主",
        "ROI",
        "1,000 – 10,000 followers (definitions)",
        "",
        "nano",
        "— nano",
    ):
        assert not is_numeric(cell), cell


@pytest.mark.cli
def test_report_command_writes_the_html_and_lists_it(compare_dir, tmp_path):
    out = tmp_path / "r"
    result = CliRunner().invoke(
        main, ["report", str(compare_dir), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    files = result.stdout.split()
    assert [Path(f).name for f in files] == ["coffee-en.html", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["formats"] == ["html"]
    assert manifest["files"] == ["coffee-en.html", "manifest.json"]  # no chart files beside it


# -- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)")
    return found


def _browse(chromium: str, url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on ``url`` with its own profile; console messages go to stderr."""
    done = subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _console(stderr: str) -> list[str]:
    """The page's console messages (errors, warnings, logs, uncaught exceptions)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


#: Run in a page that shows the report in an iframe of a given width (headless windows are at
#: least 500 px wide; an iframe is exactly as wide as it is told): writes what it measured
#: into the page's title, which --dump-dom prints. wide: elements past the page's right edge
#: (outside the boxes tables scroll in); scrolls: tables wider than their box; broken: pieces
#: that must stay on one line (numbers) drawn on more than one; headings: the h2 texts.
MEASURE = """addEventListener("load", function () {
  var frame = document.getElementById("report"), view = frame.contentWindow;
  var root = frame.contentDocument.documentElement;
  function all(selector) { return [].slice.call(root.querySelectorAll(selector)); }
  function name(e) { return e.tagName + "." + (e.getAttribute("class") || ""); }
  var wide = all("body *").filter(function (e) {  // inside an <svg>: clipped by it
    return e.getBoundingClientRect().right > root.clientWidth + 0.5 && !e.closest(".table-wrap")
      && !e.ownerSVGElement;
  }).slice(0, 5).map(name);
  var scrolls = all(".table-wrap").filter(function (e) {
    return e.scrollWidth > e.clientWidth + 0.5;
  }).map(function (e) { return e.closest("section") ? e.closest("section").id : name(e); });
  var broken = all(".nw").filter(function (e) {
    var lines = {};
    [].slice.call(e.getClientRects()).forEach(function (r) { lines[Math.round(r.top)] = 1; });
    return Object.keys(lines).length > 1;
  }).slice(0, 5).map(function (e) { return e.textContent; });
  document.title = JSON.stringify({scroll: root.scrollWidth, client: root.clientWidth,
    inner: view.innerWidth, wide: wide, scrolls: scrolls, broken: broken,
    nw: all(".nw").length,
    headings: all("h2").map(function (e) { return e.textContent; }),
    fetched: view.performance.getEntriesByType("resource").length});
});"""


def _measure(chromium: str, page: str, width: int, tmp_path: Path) -> dict:
    """What the browser measures of ``page`` shown ``width`` CSS px wide."""
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(
        "<!DOCTYPE html><html><head><title>-</title><style>body{margin:0}"
        "iframe{border:0;display:block}</style></head><body>"
        f'<iframe id="report" width="{width}" height="2000" srcdoc="{escape(page)}"></iframe>'
        f"<script>{MEASURE}</script></body></html>",
        encoding="utf-8",
    )
    done = _browse(
        chromium,
        probe.as_uri(),
        tmp_path / f"profile-{width}",
        "--window-size=1400,2000",
        "--dump-dom",
    )
    title = re.search(r"<title>(.*?)</title>", done.stdout, re.S)
    assert title is not None, done.stdout[:500]
    return {**json.loads(unescape(title.group(1))), "console": _console(done.stderr)}


def _as_printed(page: str) -> str:
    """``page`` with its print rules applied on screen (an iframe cannot be told to print)."""
    assert CSS.count("@media print {") == 1
    return page.replace("@media print {", "@media all {", 1)


@pytest.mark.cli
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_chromium_renders_the_report_without_console_errors(
    chromium, pages, compare_dir, lang, tmp_path
):
    path, keys = pages[lang]
    shot = tmp_path / "page.png"
    done = _browse(
        chromium, path.as_uri(), tmp_path / "p1", "--window-size=1280,2000", f"--screenshot={shot}"
    )
    assert _console(done.stderr) == []
    with PIL_IMAGE.open(shot) as image:
        assert image.size == (1280, 2000)
        grey = image.convert("L")
        dark = sum(grey.histogram()[:128])
        assert dark > 0.01 * 1280 * 2000  # text and charts drawn, not a blank page
    dom = _browse(chromium, path.as_uri(), tmp_path / "p2", "--window-size=1280,2000", "--dump-dom")
    assert _console(dom.stderr) == []
    text = Text(lang, "TWD")
    story = tell(load_results(compare_dir), text)
    shown = _shown(dom.stdout)  # the page as the browser read it
    for said in [story.title, story.headline, *story.points]:
        assert said in shown, said
    risk = pd.read_csv(compare_dir / "risk.csv").set_index("strategy")
    for strategy in ("nano_heavy", "micro_heavy"):  # the key numbers, from the results CSVs
        assert text.prob(risk.loc[strategy, "prob_loss"]) in shown
        assert text.money(risk.loc[strategy, "expected_shortfall"]) in shown
        assert text.money(risk.loc[strategy, "value_at_risk"]) in shown
    tables = len(story.compare) + len(story.tables) + len(story.key_assumptions) + 1
    assert dom.stdout.count("<svg") == len(keys) and dom.stdout.count("<table") == tables


@pytest.mark.cli
@pytest.mark.needs_font
def test_chromium_prints_the_report_on_a4(chromium, pages, tmp_path):
    path, _ = pages["en"]
    pdf = tmp_path / "report.pdf"
    done = _browse(
        chromium, path.as_uri(), tmp_path / "p", "--no-pdf-header-footer", f"--print-to-pdf={pdf}"
    )
    assert _console(done.stderr) == []
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert len(boxes) >= 5  # the story on several pages (its own @page size: A4)
    assert all(abs(float(w) - 595.28) < 1 and abs(float(h) - 841.89) < 1 for w, h in boxes)


#: (CSS px wide, printed): a desktop, a small laptop or tablet, a phone, an A4 page.
VIEWS = [*((w, False) for w in WIDTHS), (A4_PX, True)]


@pytest.mark.cli
@pytest.mark.needs_font
@pytest.mark.parametrize(("width", "printed"), VIEWS, ids=["1280", "800", "390", "a4-print"])
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_nothing_in_the_report_is_wider_than_the_page(
    chromium, pages, compare_dir, lang, width, printed, tmp_path
):
    path, keys = pages[lang]
    page = path.read_text(encoding="utf-8")
    got = _measure(chromium, _as_printed(page) if printed else page, width, tmp_path)
    assert got["inner"] == width  # measured at the width asked for
    assert got["scroll"] <= got["client"] and got["wide"] == [], got
    if width >= 700:  # only a phone scrolls a table in its box; on paper it would be cut
        assert got["scrolls"] == [], got["scrolls"]
    assert got["nw"] > 100 and got["broken"] == []  # no number broken across lines
    text = Text(lang, "TWD")
    story = tell(load_results(compare_dir), text)
    assert got["headings"] == _titles(story, compare_dir, keys, text)
    assert got["fetched"] == 0 and got["console"] == []


@pytest.mark.cli
@pytest.mark.needs_font
def test_the_browser_checks_see_an_error_and_a_wide_page(chromium, tmp_path):
    """The checks above can fail: a page with a console error, a too-wide block, a table too
    wide for its box and a number broken across lines fails them."""
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
        '<div style="width:900px">wide</div>'
        '<section id="s"><div class="table-wrap" style="overflow-x:auto"><table><tr>'
        '<td style="white-space:nowrap">a cell far wider than a phone is, kept on one line</td>'
        "</tr></table></div></section>"
        '<p style="width:4em"><span class="nw">-NT$1, 234, 567</span></p>'
        '<script>console.error("planted")</script></body></html>'
    )
    got = _measure(chromium, page, 390, tmp_path)
    assert got["scroll"] > got["client"] and got["wide"] == ["DIV."]
    assert got["scrolls"] == ["s"] and got["broken"] == ["-NT$1, 234, 567"]
    assert any('"planted"' in line for line in got["console"])
