"""The zh-TW reports are wholly Chinese (issue 17, item 6): the deck's text (every slide's text
frames, table cells and speaker notes), its charts' text and the Markdown report of a compare,
a sweep, a timeline, a sensitivity and a named-creator (roster) folder hold no English word
beyond a short, fixed allow-list; their sentences use full-width punctuation; and no slide
title can end on a line of one Chinese character.

Exempt from the check, as data rather than generated labels: what the scenario names (its own
name, the strategies' labels, the named creators' @handles), the sources column of the
priors, the hash, dates and paths of the run, inline code (a command as typed) and link
targets. Everything else is the reports' own words: a word found here is fixed in the reports,
never added to ALLOWED.

Folders are small (the test reads words, not statistics) and the charts are drawn but not
rasterised (their text is read from the figures; the deck gets a 1-pixel picture).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from campaign_sim.cli import main
from campaign_sim.reports import build_report, load_results
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.pptx import no_orphan
from campaign_sim.reports.sensitivity import group_name, pool_name

PPTX = pytest.importorskip("pptx")

pytestmark = pytest.mark.exact

COFFEE = str(EXAMPLES[0])
MIX = Path(COFFEE).with_name("mix-coffee.yaml")
TIMELINE = Path(COFFEE).parent / "timeline" / "hundred-nano.yaml"
ROSTER = Path(COFFEE).with_name("coffee-roster.yaml")

#: The only Latin words a zh-TW report may hold: platforms as their owners write them, metric
#: abbreviations, the currency's symbol, the tool's name, the names of two methods and of the
#: hash. Percentiles (P5, P95, P0.5, P5-P95...) are matched by PERCENTILE.
ALLOWED = frozenset(
    {
        "Instagram",
        "TikTok",
        "YouTube",
        "ROI",
        "ROAS",
        "CPM",
        "CPE",
        "CPA",
        "VaR",
        "NT$",
        "campaign-sim",
        "Sobol",
        "SHA-256",
    }
)
PERCENTILE = re.compile(r"P\d+(?:\.\d+)?(?:-P\d+(?:\.\d+)?)?")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*\$?")
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Half-width punctuation touching a Chinese character or following Chinese punctuation
#: ("。 (2/3)").
HALF_WIDTH = re.compile(rf"[{CJK}][,:;()]|[,:;()][{CJK}]|[。，、：；（）] ?[,:;()]")
#: A title that ends on a Chinese character (and closing punctuation).
ENDS_CJK = re.compile(rf"(.)[{CJK}][^{CJK}\w]*$")
#: Characters the deck uses to keep numbers and title ends whole.
JOINERS = {"\u2060": "", "\u00a0": " ", "\u2212": "-"}
PLACEHOLDER = "§"
#: The smallest valid PNG: the deck needs a picture, not the chart's pixels.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _invoke(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def _sweep_file(folder: Path) -> Path:
    """A small sweep of the nano share (a named axis with a linked one) and the budget."""
    path = folder / "nano-share.yaml"
    path.write_text(
        f"scenario: {MIX.as_posix()}\n"
        "axes:\n"
        "  - name: nano_share\n"
        "    path: strategies.*.groups[0].share\n"
        "    values: [0.2, 1.0]\n"
        "    also:\n"
        "      strategies.*.groups[1].share: 1 - x\n"
        "  - name: budget\n"
        "    path: strategies.*.budget\n"
        "    values: [600000, 1000000]\n"
        "campaigns: 96\n"
        "seed: 5\n"
        "objective: profit\n"
        'risk_limit: ["prob_loss<=0.95", "expected_shortfall>=-950000"]\n'
        "frontier_return: roi_mean\n"
        "frontier_risk: expected_shortfall\n",
        encoding="utf-8",
    )
    return path


def _plain(value: str) -> str:
    for joiner, typed in JOINERS.items():
        value = value.replace(joiner, typed)
    return value


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """kind -> (results folder, zh-TW report, the charts' texts)."""
    root = tmp_path_factory.mktemp("zh")
    runs = {
        "compare": ["compare", COFFEE, "-n", "256"],
        "sweep": ["sweep", str(_sweep_file(root))],
        "timeline": ["timeline", str(TIMELINE), "-n", "96"],
        "sensitivity": ["sensitivity", COFFEE, "-n", "64", "--sobol"],
        "roster": ["compare", str(ROSTER), "-n", "64"],
    }
    out = {}
    for kind, args in runs.items():
        if kind == "sensitivity":
            pytest.importorskip("SALib")
        folder = root / kind
        _invoke([*args, "--out", str(folder), "-q"])
        texts: list[str] = []

        def render(fig, fmt, texts=texts):
            from matplotlib.text import Text as Label

            fig.draw_without_rendering()
            texts += [t.get_text() for t in fig.findobj(Label) if t.get_visible()]
            return PIXEL

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("campaign_sim.reports.charts.render", render)
            report = build_report(folder, formats="pptx,md", lang="zh-TW")
        out[kind] = (folder, report, texts)
    return out


def _exempt(folder: Path, report) -> list[str]:
    """What the run and the scenario name (words, not numbers), longest first."""
    results = load_results(folder)
    manifest = results.manifest
    scenario = manifest.get("scenario") or {}
    values = [
        results.scenario_name,
        *results.strategies.values(),
        str(manifest.get("version", "")),
        str(manifest.get("created", "")),
        str(scenario.get("path", "")),
        str(scenario.get("sha256", ""))[:16],
        str(folder),
        *report.files,
    ]
    return sorted({v for v in values if v}, key=len, reverse=True)


def _scrub(value: str, exempt: list[str]) -> str:
    value = re.sub(r"`[^`]*`|\]\([^)]*\)|@[\w.]+", PLACEHOLDER, _plain(value))
    for item in exempt:
        value = value.replace(item, PLACEHOLDER)
    return re.sub(r"\d{4}-\d{2}-\d{2}", PLACEHOLDER, value)  # the report's date


def _deck(report) -> list[tuple[str, str]]:
    """(where, text) of every text frame, table cell (but the sources column) and speaker
    notes of the deck."""
    (name,) = [f for f in report.files if f.endswith(".pptx")]
    deck = PPTX.Presentation(report.folder / name)
    sources = Text("zh-TW")("col.sources")
    out = []
    for number, slide in enumerate(deck.slides, start=1):
        where = f"slide {number}"
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append((where, shape.text_frame.text))
            if shape.has_table:
                rows = [[c.text for c in row.cells] for row in shape.table.rows]
                keep = [j for j, h in enumerate(rows[0]) if _plain(h) != sources]
                out += [(f"{where} table", row[j]) for row in rows for j in keep]
        out.append((f"{where} notes", slide.notes_slide.notes_text_frame.text))
    return out


def _markdown(report) -> list[tuple[str, str]]:
    """(where, text) of every line of the Markdown report, its tables' cells but sources."""
    (name,) = [f for f in report.files if f.endswith(".md")]
    sources = Text("zh-TW")("col.sources")
    out, skip = [], None
    for line in (report.folder / name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            out.append(("md", line))
            skip = None
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if skip is None:
            skip = cells.index(sources) if sources in cells else -1
        out += [("md table", c) for j, c in enumerate(cells) if j != skip]
    return out


def _english(value: str) -> list[str]:
    return [w for w in WORD.findall(value) if w not in ALLOWED and not PERCENTILE.fullmatch(w)]


KINDS = ["compare", "sweep", "timeline", "sensitivity", "roster"]


@pytest.mark.needs_cjk_font
@pytest.mark.parametrize("kind", KINDS)
def test_zh_tw_deck_and_markdown_hold_no_english_word(reports, kind):
    folder, report, _ = reports[kind]
    exempt = _exempt(folder, report)
    found = {}
    for where, value in [*_deck(report), *_markdown(report)]:
        for word in _english(_scrub(value, exempt)):
            found.setdefault(word, f"{where}: {_plain(value)[:120]}")
    assert not found, "\n".join(f"{w!r} in {v}" for w, v in found.items())


@pytest.mark.needs_cjk_font
@pytest.mark.parametrize("kind", KINDS)
def test_zh_tw_charts_hold_no_english_word(reports, kind):
    folder, report, texts = reports[kind]
    assert texts  # the charts were drawn
    exempt = _exempt(folder, report)
    found = {w: t for t in texts for w in _english(_scrub(t, exempt))}
    assert not found, found


@pytest.mark.needs_cjk_font
@pytest.mark.parametrize("kind", KINDS)
def test_zh_tw_sentences_use_full_width_punctuation(reports, kind):
    folder, report, texts = reports[kind]
    exempt = _exempt(folder, report)
    values = [v for _, v in [*_deck(report), *_markdown(report)]] + texts
    bad = [v for v in values if HALF_WIDTH.search(_scrub(v, exempt))]
    assert not bad, bad[:5]


@pytest.mark.needs_cjk_font
@pytest.mark.parametrize("kind", KINDS)
def test_zh_tw_titles_and_cells_never_end_on_a_line_of_one_character(reports, kind):
    """A title or a table cell that ends on a Chinese character joins it to what comes before (a
    word joiner after a Chinese character, a no-break space after a number), so a line break
    cannot leave it alone on the last line, whatever the renderer's font widths."""
    _, report, _ = reports[kind]
    (name,) = [f for f in report.files if f.endswith(".pptx")]
    deck = PPTX.Presentation(report.folder / name)
    titles = [s.shapes.title.text_frame.text for s in deck.slides if s.shapes.title is not None]
    assert len(titles) == len(deck.slides)
    cells = [
        cell.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    ]
    for said in (titles, cells):  # a table's header "每人內容數" wrapped to a lone "數"
        ending = [t for t in said if ENDS_CJK.search(t)]
        assert ending  # the check has titles and cells to check
        loose = [t for t in ending if ENDS_CJK.search(t).group(1) not in "\u2060\u00a0"]
        assert not loose, loose[:5]


def test_groups_and_pools_of_the_drivers_read_in_chinese():
    """The drivers' groups (written in English by the engine) rebuilt in Chinese; English
    keeps the file's own words, and a group it cannot read stays as it is."""
    zh, en = Text("zh-TW", "TWD"), Text("en", "TWD")
    group = "nano/instagram #2 (budget 180,000)"
    assert group_name(group, zh) == "奈米 · Instagram第 2 組（預算 NT$180,000）"
    assert group_name("micro/tiktok #4 (1 creator)", zh) == "微型 · TikTok第 4 組（1 位創作者）"
    assert group_name("nano/youtube #1 (20 creators)", zh).endswith("（20 位創作者）")
    assert group_name("nano/instagram @beanlab", zh) == "奈米 · Instagram @beanlab"
    assert group_name("campaign", zh) == "campaign"  # not a pool: the caller names it
    assert group_name(group, en) == group
    assert pool_name("micro", zh) == "微型" and pool_name("nano/instagram", en) == "nano/instagram"


def test_a_title_never_ends_on_a_lone_chinese_character():
    assert no_orphan("各策略買到的成果。") == "各策略買到的成\u2060果。"
    assert no_orphan("回本天數中位數為第 38 天。") == "回本天數中位數為第 38\u00a0天。"
    assert no_orphan("ROI 22%.") == "ROI 22%."  # ends on no Chinese character
    assert no_orphan(no_orphan("成果。")) == no_orphan("成果。")  # joined once


def test_chart_labels_wrap_between_words_never_inside_a_number_and_its_word():
    from campaign_sim.reports.sensitivity import _wrap

    label = "微型 · Instagram第 4 組（1 位創作者）：觸及率（自身抽樣平均）"
    wrapped = _wrap(label, 36, 3)
    assert wrapped.replace("\n", "") == label  # whole, broken only where a line may break
    assert "1 位" in wrapped and "第 4 組" in wrapped
    assert all(not line.startswith(("）", "：")) for line in wrapped.splitlines())
    assert all(not line.endswith("（") for line in wrapped.splitlines())
    english = "nano/instagram #2 (budget 180,000): engagement rate (mean of own draws)"
    assert (
        _wrap(english, 36)
        == "nano/instagram #2 (budget 180,000):\nengagement rate (mean of own draws)"
    )
    assert _wrap(english, 20) == "nano/instagram #2\n(budget 180,000):…"


def test_an_interval_between_numbers_takes_a_half_width_comma_after_words_a_full_width_one():
    """LibreOffice breaks "[−19.3%，−17.4%]" as Chinese text, inside a number (after its
    sign); "[−19.3%, −17.4%]" it breaks at the space, as in English."""
    zh = Text("zh-TW", "TWD")
    assert zh.interval("−19.3%", "−17.4%") == "[−19.3%, −17.4%]"
    assert zh.interval("+38.3 個百分點", "+46.4 個百分點") == "[+38.3 個百分點，+46.4 個百分點]"
    assert Text("en", "TWD").interval("1.2%", "3.4%") == "[1.2%, 3.4%]"


@pytest.mark.needs_cjk_font
@pytest.mark.parametrize("kind", KINDS)
def test_zh_tw_deck_cells_never_join_two_numbers_by_a_full_width_comma(reports, kind):
    _, report, _ = reports[kind]
    cells = [text for where, text in _deck(report) if where.endswith("table")]
    joined = [c for c in cells if re.search(r"[\d%]，[−+-]?\w{0,3}\$?\d", _plain(c))]
    assert cells and not joined, joined[:5]


def test_a_chinese_header_too_wide_for_its_column_breaks_in_two_balanced_lines():
    """Left to LibreOffice, "每人內容數" in a 0.96-inch column at 12 pt wrapped to a lone "數";
    broken by hand (U+000B, a line break) it reads 每人 / 內容數, never inside a word or a
    number, and a header that fits, or that two lines cannot hold, is left as it is."""
    from campaign_sim.reports.pptx import two_lines

    assert two_lines("每人內容數", 0.96, 12) == "每人\v內容數"
    assert two_lines("平均值：創作者人數", 1.59, 12) == "平均值：\v創作者人數"
    assert two_lines("費用占比", 0.82, 12) == "費用\v占比"
    for fits in ("平均值：CPM", "策略"):
        assert two_lines(fits, 1.45, 12) == fits
    long = "差異 Nano-heavy 奈米為主 − Micro-heavy 微型為主 [95% 信賴區間]"
    assert two_lines(long, 1.0, 12) == long  # three lines or more: the renderer wraps it
    assert two_lines("Expected fees", 0.5, 12) == "Expected fees"  # English wraps at spaces
    for header, width in (("平均值：Micro-heavy 微型為主", 2.2), ("預期短缺 5%（利潤）", 1.2)):
        first, _, last = two_lines(header, width, 12).partition("\v")
        assert len(last) >= 2 and header in (first + last, f"{first} {last}"), (first, last)
        assert not (first[-1].isascii() and first[-1].isalnum() and last[0].isascii()), header
