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
from campaign_sim.reports.charts import Chart
from campaign_sim.reports.html import build_html, is_numeric
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.story import tell

pytest.importorskip("matplotlib")
PIL_IMAGE = pytest.importorskip("PIL.Image")

COFFEE = str(EXAMPLES[0])
#: Elements that have no end tag in HTML.
VOID = {"meta", "link", "img", "br", "hr", "input", "source", "area", "base", "col", "wbr"}
WIDTHS = (1280, 390)


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
    assert len(keys) == 4
    for key in keys:  # every chart, inline, under its title and with its caption
        figure = re.search(rf'<figure id="chart-{key}">(.*?)</figure>', page, re.S)
        assert figure is not None, key
        assert re.search(r"<h3>[^<]+</h3>\s*<svg[^>]*viewBox=", figure.group(1))
        assert "<figcaption>" in figure.group(1)
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
        mean = (
            f"{text.pct(roi['mean'], 1)} [{text.pct(roi['mean_ci_low'], 1)}, "
            f"{text.pct(roi['mean_ci_high'], 1)}]"
        )
        loss = text.prob(risk.loc[strategy, "prob_loss"], 1)
        assert ("num", mean) in cells  # right-aligned and kept on one line
        assert any(c == "num" and v.startswith(loss + " [") for c, v in cells)
    if lang == "zh-TW":
        assert "勝過" in story.headline


@pytest.mark.exact
def test_html_escapes_every_text_and_falls_back_to_png(pages, compare_dir):
    text = Text("en", "TWD")
    story = tell(load_results(compare_dir), text)
    hostile = '<script>alert("x")</script> & <b>'
    story = dataclasses.replace(story, title=hostile, headline=hostile, points=[hostile])
    png = PIL_IMAGE.new("RGB", (30, 20), "white")
    buffer = BytesIO()
    png.save(buffer, format="PNG")
    chart = Chart("x", hostile, hostile, buffer.getvalue(), None, (30, 20))
    page = build_html(story, [chart], text).decode("utf-8")
    assert "<script" not in page and "<b>" not in page
    assert page.count("&lt;script&gt;") >= 5  # title element, h1, headline, point, figure
    (data,) = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert base64.b64decode(data) == buffer.getvalue()
    assert f'alt="{escape(hostile)}"' in page


@pytest.mark.exact
def test_numbers_are_told_from_words():
    for cell in ("-20.5% [-21.1%, -20.0%]", "-NT$481,286", "+42.5 pts [+41.2 pts, +43.9 pts]"):
        assert is_numeric(cell), cell
    for cell in (
        ">99.9%",
        "1e+04 – 3e+04",
        "12.35萬",
        "-1.2 個百分點",
        "n/a",
        "NT$14,846 ± NT$252",
    ):
        assert is_numeric(cell), cell
    for cell in (
        "Nano-heavy 奈米為主",
        "ROI",
        "1,000 – 10,000 followers (definitions)",
        "",
        "nano",
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
#: into the page's title, which --dump-dom prints.
MEASURE = """addEventListener("load", function () {
  var frame = document.getElementById("report"), view = frame.contentWindow;
  var root = frame.contentDocument.documentElement;
  var wide = [].slice.call(root.querySelectorAll("body *")).filter(function (e) {
    return e.getBoundingClientRect().right > root.clientWidth + 0.5 && !e.closest(".table-wrap");
  }).slice(0, 5).map(function (e) { return e.tagName + "." + e.className; });
  document.title = JSON.stringify({scroll: root.scrollWidth, client: root.clientWidth,
    inner: view.innerWidth, wide: wide,
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
        chromium, probe.as_uri(), tmp_path / "profile", "--window-size=1400,2000", "--dump-dom"
    )
    title = re.search(r"<title>(.*?)</title>", done.stdout, re.S)
    assert title is not None, done.stdout[:500]
    return {**json.loads(unescape(title.group(1))), "console": _console(done.stderr)}


@pytest.mark.cli
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_chromium_renders_the_report_without_console_errors(
    chromium, pages, compare_dir, lang, tmp_path
):
    path, _ = pages[lang]
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
    story = tell(load_results(compare_dir), Text(lang, "TWD"))
    assert escape(story.title, quote=False) in dom.stdout  # the page as the browser read it
    assert dom.stdout.count("<svg") == 4 and dom.stdout.count("<table") == len(story.tables) + 1


@pytest.mark.cli
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_nothing_in_the_report_is_wider_than_the_page(chromium, pages, lang, width, tmp_path):
    path, _ = pages[lang]
    got = _measure(chromium, path.read_text(encoding="utf-8"), width, tmp_path)
    assert got["inner"] == width  # measured at the width asked for
    assert got["scroll"] <= got["client"] and got["wide"] == [], got
    assert got["fetched"] == 0 and got["console"] == []


@pytest.mark.cli
def test_the_browser_checks_see_an_error_and_a_wide_page(chromium, tmp_path):
    """The checks above can fail: a page with a console error and a too-wide block fails them."""
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
        '<div style="width:900px">wide</div><script>console.error("planted")</script></body></html>'
    )
    got = _measure(chromium, page, 390, tmp_path)
    assert got["scroll"] > got["client"] and got["wide"] == ["DIV."]
    assert any('"planted"' in line for line in got["console"])
