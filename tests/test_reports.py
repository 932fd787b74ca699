"""Planning-deck outputs: each file reopens with its own library and holds the results' numbers.

One compare results folder (coffee launch, few campaigns) and one hand-computable folder
(every quantity fixed) are made per session; their reports are built once and shared.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from helpers import EXAMPLES, FIXED_PRIORS, FIXED_SCENARIO, deep_update

from campaign_sim.cli import main
from campaign_sim.errors import InputError
from campaign_sim.reports import build_report, load_results, parse_formats
from campaign_sim.reports.charts import DPI, FIGSIZE
from campaign_sim.reports.i18n import MESSAGES, Text
from campaign_sim.reports.story import tell
from campaign_sim.results.folder import ResultsWriter

PPTX = pytest.importorskip("pptx")
OPENPYXL = pytest.importorskip("openpyxl")
PIL_IMAGE = pytest.importorskip("PIL.Image")

COFFEE = str(EXAMPLES[0])
HOSTILE_LABEL = "=SUM(1,2) 測試"
HOSTILE_NAME = "+cmd|' /C calc'!A0 情境"

#: The fixed scenario by hand (conftest): per creator 2 posts x 5,000 followers x 5% engagement
#: x 10% conversion = 50 orders of NT$1,000 at 50% margin; cost 2 x 10,000 fee + 500 overhead.
#: Strategy a (3 creators): gross profit 75,000, cost 62,500 with the fixed 1,000: ROI 20%.
#: Strategy b (1 creator): gross profit 25,000, cost 21,500: ROI 16.28%.
FIXED_ROI = {"a": 0.2, "b": 3500 / 21500}
#: The charts of a compare folder (without saved outcomes).
CHARTS = {"roi-distribution", "roi-exceedance", "risk-profile", "risk-return", "paired-difference"}


def _invoke(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="session")
def compare_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "coffee-compare"
    _invoke(["compare", COFFEE, "-n", "2048", "--seed", "3", "--out", str(out), "-q"])
    return out


@pytest.fixture(scope="session")
def fixed_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fixed")
    (folder / "fixed-priors.yaml").write_text(yaml.safe_dump(FIXED_PRIORS), encoding="utf-8")
    group = {"tier": "nano", "platform": "instagram", "deliverables": 2}
    data = deep_update(
        FIXED_SCENARIO,
        {
            "name": HOSTILE_NAME,
            "strategies": {
                "a": {"label": HOSTILE_LABEL, "groups": [{**group, "count": 3}]},
                "b": {"groups": [{**group, "count": 1}]},
            },
        },
    )
    path = folder / "fixed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = folder / "fixed-compare"
    _invoke(["compare", str(path), "a", "b", "-n", "64", "--out", str(out), "-q"])
    return out


@pytest.fixture(scope="session")
def en_report(compare_dir):
    return build_report(compare_dir, lang="en")


@pytest.fixture(scope="session")
def zh_report(compare_dir):
    return build_report(compare_dir, lang="zh-TW")


@pytest.fixture(scope="session")
def fixed_report(fixed_dir):
    return build_report(fixed_dir, formats="pptx,xlsx,md", lang="en")


def _file(report, suffix: str) -> Path:
    (name,) = [f for f in report.files if f.endswith(suffix)]
    return report.folder / name


def _sheet_rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def _plain(value: str) -> str:
    """Deck text with its no-break characters as typed: U+2212 minus, no-break spaces, no
    word joiners (a title's last two Chinese characters)."""
    return value.replace("\u2212", "-").replace("\u00a0", " ").replace("\u2060", "")


def _deck_texts(deck) -> list[list[str]]:
    """Per slide, the text of every text frame and table cell."""
    slides = []
    for slide in deck.slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        slides.append(texts)
    return slides


# -- the workbook ----------------------------------------------------------------------------


@pytest.mark.exact
def test_workbook_stores_the_results_numbers_as_formatted_numbers(en_report, compare_dir):
    book = OPENPYXL.load_workbook(_file(en_report, ".xlsx"))
    assert book.sheetnames[:4] == ["Summary", "Risk", "Percentiles", "Comparison"]
    assert {"Assumptions", "Run manifest"} <= set(book.sheetnames)
    summary = pd.read_csv(compare_dir / "summary.csv")
    rows = _sheet_rows(book["Summary"])
    assert len(rows) == len(summary)
    for row, expected in zip(rows, summary.itertuples(), strict=True):
        assert row["Strategy"].value == expected.strategy
        for column, field in (
            ("Mean", "mean"),
            ("95% CI of mean, low", "mean_ci_low"),
            ("P5", "p5"),
            ("P95", "p95"),
        ):
            cell = row[column]
            assert cell.data_type == "n"
            assert cell.value == pytest.approx(getattr(expected, field), rel=1e-12)
        if expected.metric == "roi":
            assert row["Mean"].number_format == "0.0%"
        if expected.metric == "profit":
            assert row["Mean"].number_format == "#,##0"
    risk = pd.read_csv(compare_dir / "risk.csv")
    risk_rows = _sheet_rows(book["Risk"])
    assert [r["P(loss)"].value for r in risk_rows] == pytest.approx(list(risk["prob_loss"]))
    assert risk_rows[0]["P(loss)"].number_format == "0.00%"
    comparison = pd.read_csv(compare_dir / "comparison.csv")
    better = Text("en")("col.prob_better", a=load_results(compare_dir).label(comparison["a"][0]))
    got = {r["Metric"].value: r[better].value for r in _sheet_rows(book["Comparison"])}
    assert got["ROI"] == pytest.approx(
        float(comparison.set_index("metric").loc["roi", "prob_a_better"])
    )
    percentiles = book["Percentiles"]
    assert percentiles.max_row == 102  # header + quantiles 0, 0.01, ..., 1
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [d.width for d in sheet.column_dimensions.values()]
        assert widths and min(widths) >= 8


@pytest.mark.exact
def test_workbook_lists_every_prior_with_its_sources_and_the_manifest(en_report, compare_dir):
    book = OPENPYXL.load_workbook(_file(en_report, ".xlsx"))
    priors = pd.read_csv(compare_dir / "priors.csv", keep_default_na=False)
    rows = _sheet_rows(book["Assumptions"])
    assert len(rows) == len(priors)
    assert [r["Sources"].value or "" for r in rows] == list(priors["sources"])
    assert [r["Quantity"].value for r in rows] == list(priors["quantity"])
    manifest = json.loads((compare_dir / "manifest.json").read_text(encoding="utf-8"))
    items = {r["Item"].value: r["Value"].value for r in _sheet_rows(book["Run manifest"])}
    assert items["seed"] == manifest["seed"] == 3
    assert items["scenario.sha256"] == manifest["scenario"]["sha256"]
    assert items["campaigns"] == 2048


@pytest.mark.exact
def test_workbook_text_that_looks_like_a_formula_stays_text(fixed_report, fixed_dir):
    path = _file(fixed_report, ".xlsx")
    book = OPENPYXL.load_workbook(path)
    cells = [
        c
        for sheet in book
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith(("=", "+"))
    ]
    assert {c.value for c in cells} >= {HOSTILE_LABEL, HOSTILE_NAME}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets)


@pytest.mark.exact
def test_csv_text_is_defused_and_read_back_as_written(tmp_path):
    writer = ResultsWriter(tmp_path)
    frame = pd.DataFrame({"name": ["=1+1", "@SUM(A1)", "-x", "plain"], "value": [1.0, -2.0, 3, 4]})
    writer.csv("table.csv", frame)
    raw = (tmp_path / "table.csv").read_text(encoding="utf-8").splitlines()
    assert raw[1:4] == ["'=1+1,1.0", "'@SUM(A1),-2.0", "'-x,3.0"]
    (tmp_path / "manifest.json").write_text('{"tool": "campaign-sim"}', encoding="utf-8")
    back = load_results(tmp_path).table("table.csv")
    assert list(back["name"]) == list(frame["name"])
    assert list(back["value"]) == [1.0, -2.0, 3.0, 4.0]


# -- the deck --------------------------------------------------------------------------------


@pytest.mark.exact
def test_deck_is_16_9_with_headline_charts_tables_assumptions_and_method(en_report, compare_dir):
    deck = PPTX.Presentation(_file(en_report, ".pptx"))
    assert deck.slide_width * 9 == pytest.approx(deck.slide_height * 16, rel=1e-3)
    texts = _deck_texts(deck)
    results = load_results(compare_dir)
    comparison = pd.read_csv(compare_dir / "comparison.csv").set_index("metric")
    summary = pd.read_csv(compare_dir / "summary.csv").set_index(["strategy", "metric"])
    # the executive summary (issue 17): the decision on profit, its P(loss), expected
    # shortfall and what breaking even needs, every number from the CSVs
    risk_rows = pd.read_csv(compare_dir / "risk.csv").set_index("strategy")
    p = comparison.loc["profit", "prob_a_better"]
    ma = summary.loc[("nano_heavy", "roi"), "p50"]
    en = Text("en", "TWD")
    headline = _plain(texts[1][0])
    assert headline == (
        f"{results.label('nano_heavy')} is the better of two losing mixes on profit: it beats "
        f"{results.label('micro_heavy')} in {en.prob(p)} of campaigns but still loses money in "
        f"{en.prob(risk_rows.loc['nano_heavy', 'prob_loss'])} of them (expected shortfall "
        f"{en.money(risk_rows.loc['nano_heavy', 'expected_shortfall'])}), and breaking even "
        f"needs {en.pct(1 / (1 + ma) - 1)} more sales (orders × order value) than its median "
        "campaign."
    )
    pictures = [s for s in deck.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) == len([f for f in en_report.files if f.endswith(".png")]) == len(CHARTS)
    tables = {i: sh.table for i, s in enumerate(deck.slides) for sh in s.shapes if sh.has_table}
    risk_slide = next(i for i, t in enumerate(texts) if "P(loss) [95% CI]" in t)
    risk_table = tables[risk_slide]
    assert len(risk_table.rows) == 3  # header + two strategies, editable cells
    risk = pd.read_csv(compare_dir / "risk.csv")
    assert risk_table.cell(1, 4).text.startswith(f"{100 * risk['prob_loss'][0]:.1f}%")
    priors = pd.read_csv(compare_dir / "priors.csv")
    assumption_rows = sum(
        len(t.rows) - 1 for i, t in tables.items() if texts[i][0].startswith("Appendix")
    )
    assert assumption_rows == len(priors)
    method = " ".join(next(t for t in texts if t[0].startswith("Every number comes from")))
    assert "2,048 per strategy; seed 3" in method and "Outcome interval" in method
    assert "Estimate interval" in method


@pytest.mark.exact
def test_deck_states_the_hand_computed_answer(fixed_report):
    deck = PPTX.Presentation(_file(fixed_report, ".pptx"))
    texts = _deck_texts(deck)
    assert _plain(texts[0][0]) == f"Strategy comparison: {HOSTILE_NAME}"
    a = 100 * FIXED_ROI["a"]
    # every campaign the same: a earns more in all of them, neither ever loses money
    assert _plain(texts[1][0]).startswith(
        f"Choose {HOSTILE_LABEL}: on profit it beats b in 100% of campaigns, loses money in only "
        f"0% of them (expected shortfall NT$12,500), and its median campaign returns an ROI of "
        f"{a:.0f}%."
    )
    assert "• Probability of a loss: =SUM(1,2) 測試 0%; b 0%." in texts[1][1].splitlines()
    pictures = [sh for slide in deck.slides for sh in slide.shapes if sh.shape_type == 13]
    assert all(p._element.nvPicPr.cNvPr.get("descr") for p in pictures)  # alt text


@pytest.mark.exact
def test_a_single_strategy_run_says_its_hand_computed_numbers(tmp_path):
    (tmp_path / "fixed-priors.yaml").write_text(yaml.safe_dump(FIXED_PRIORS), encoding="utf-8")
    path = tmp_path / "fixed.yaml"
    path.write_text(yaml.safe_dump(FIXED_SCENARIO), encoding="utf-8")
    out = tmp_path / "run"
    _invoke(["run", str(path), "-n", "32", "--out", str(out), "-q"])
    story = tell(load_results(out), Text("en", "TWD"))
    # every campaign the same: profit 75,000 - 62,500 = 12,500, so the worst 5% earn it too
    assert story.case == "run_safe"
    assert story.headline == (
        "a makes money in every simulated campaign (expected shortfall NT$12,500), and its "
        "median campaign returns an ROI of 20%."
    )
    zh = tell(load_results(out), Text("zh-TW", "TWD"))
    assert zh.headline == (
        "a在每一次模擬活動中都獲利（預期短缺 NT$12,500），而且其中位數活動的 ROI 為 20%。"
    )
    assert zh.title == "行銷活動模擬：all fixed"


@pytest.mark.exact
@pytest.mark.needs_cjk_font
def test_every_deck_run_names_an_east_asian_font(zh_report):
    deck = PPTX.Presentation(_file(zh_report, ".pptx"))
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    runs = [
        run
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
        for run in p.runs
    ]
    assert runs
    for run in runs:
        ea = run._r.find(f"{ns}rPr/{ns}ea")
        assert ea is not None and ea.get("typeface")
        assert run._r.find(f"{ns}rPr").get("lang") == "zh-TW"


# -- markdown and charts ---------------------------------------------------------------------


@pytest.mark.exact
def test_markdown_says_what_the_deck_says_and_links_existing_charts(en_report, compare_dir):
    page = _file(en_report, ".md").read_text(encoding="utf-8")
    story = tell(load_results(compare_dir), Text("en", "TWD"))
    assert f"**{story.headline}**" in page
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page)
    assert len(links) == len(CHARTS)
    assert all((en_report.folder / link).is_file() for link in links)
    priors = pd.read_csv(compare_dir / "priors.csv")
    table_rows = [line for line in page.splitlines() if line.startswith("| nano | ")]
    assert len(table_rows) == int((priors["tier"] == "nano").sum())
    roi = pd.read_csv(compare_dir / "comparison.csv").set_index("metric").loc["roi"]
    (row,) = [line for line in page.splitlines() if line.startswith("| ROI | ")]
    points = f"{100 * roi['mean_diff']:+.1f} pts"  # percentage points, from the file
    assert row.split(" | ")[3].startswith(points)


@pytest.mark.exact
def test_charts_are_valid_images_of_the_slide_size_with_ink(en_report):
    pngs = [f for f in en_report.files if f.endswith(".png")]
    svgs = [f for f in en_report.files if f.endswith(".svg")]
    assert {Path(f).stem for f in pngs} == {Path(f).stem for f in svgs} == CHARTS
    size = tuple(round(v * DPI) for v in FIGSIZE)
    for name in pngs:
        with PIL_IMAGE.open(en_report.folder / name) as image:
            image.verify()
        with PIL_IMAGE.open(en_report.folder / name) as image:
            assert image.format == "PNG" and image.size == size
            grey = image.convert("L")
            dark = sum(grey.histogram()[:200])
            assert dark > 0.01 * size[0] * size[1]  # drawn on, not blank
    for name in svgs:
        root = ElementTree.parse(en_report.folder / name).getroot()
        assert root.tag.endswith("svg")
        assert root.get("width") == f"{FIGSIZE[0] * 72:g}pt"


@pytest.mark.exact
def test_report_manifest_records_its_source(en_report, compare_dir):
    data = json.loads((en_report.folder / "manifest.json").read_text(encoding="utf-8"))
    source = (compare_dir / "manifest.json").read_bytes()
    assert data["command"] == "report" and data["lang"] == "en"
    assert data["source"]["manifest_sha256"] == hashlib.sha256(source).hexdigest()
    assert data["source"]["seed"] == 3
    assert data["files"] == sorted(en_report.files)
    assert "manifest.json" in data["files"]


@pytest.mark.exact
def test_reports_never_simulate(compare_dir, tmp_path, monkeypatch):
    import campaign_sim.engine.vectorized

    def refuse(*args, **kwargs):
        raise AssertionError("a report simulated")

    monkeypatch.setattr(campaign_sim.engine.vectorized, "simulate", refuse)
    built = build_report(compare_dir, formats="xlsx,md", out=tmp_path / "r")
    assert any(f.endswith(".xlsx") for f in built.files)


def _fontconfig_has_cjk() -> bool:
    """fontconfig (which LibreOffice asks for fonts) knows a Chinese font; True if fc-list is
    not there to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    done = subprocess.run(
        [fc_list, ":lang=zh-tw", "family"], capture_output=True, text=True, check=False
    )
    return bool(done.stdout.strip())


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.needs_libreoffice
@pytest.mark.needs_font
@pytest.mark.parametrize(
    "which", ["en_report", pytest.param("zh_report", marks=pytest.mark.needs_cjk_font)]
)
def test_deck_converts_to_pdf_with_libreoffice(which, request, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice is not None  # else needs_libreoffice skipped the test
    if which == "zh_report" and not _fontconfig_has_cjk():
        pytest.skip("fontconfig has no font with Chinese glyphs: apt-get install fonts-noto-cjk")
    report = request.getfixturevalue(which)
    deck = _file(report, ".pptx")
    profile = (tmp_path / "profile").as_uri()  # own profile: parallel runs do not collide
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    pdf = tmp_path / (deck.stem + ".pdf")
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    slides = len(PPTX.Presentation(deck).slides)
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == slides
    if which == "zh_report":
        assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+[^/\s]*CJK", data), "no CJK font in the PDF"


# -- Traditional Chinese ---------------------------------------------------------------------


@pytest.mark.exact
def test_catalogues_have_the_same_keys_and_placeholders():
    en, zh = MESSAGES["en"], MESSAGES["zh-TW"]
    assert set(en) == set(zh)
    fields = re.compile(r"\{(\w+)")
    for key in en:
        assert set(fields.findall(en[key])) == set(fields.findall(zh[key])), key


@pytest.mark.exact
@pytest.mark.needs_cjk_font
def test_zh_tw_outputs_are_in_chinese(zh_report):
    book = OPENPYXL.load_workbook(_file(zh_report, ".xlsx"))
    assert book.sheetnames[:4] == ["摘要", "風險", "百分位數", "比較"]
    texts = _deck_texts(PPTX.Presentation(_file(zh_report, ".pptx")))
    headline = texts[1][0]
    assert headline.startswith("以利潤而言，") and "勝過" in headline and headline.endswith("。")
    assert any(t[0].startswith("所有數字都來自") for t in texts)
    page = _file(zh_report, ".md").read_text(encoding="utf-8")
    assert "## 結論" in page and "信賴區間" in page


@pytest.mark.exact
@pytest.mark.needs_cjk_font
def test_zh_tw_text_is_drawn_with_a_cjk_font_not_boxes():
    import matplotlib
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    from campaign_sim.reports.fonts import find_cjk_font, matplotlib_families

    font = find_cjk_font()
    assert font is not None  # else needs_cjk_font skipped the test
    families = matplotlib_families("zh-TW", needs_cjk=True)
    resolved = font_manager.findfont(
        font_manager.FontProperties(family=families[0]), fallback_to_default=False
    )
    chars = {ch for text in MESSAGES["zh-TW"].values() for ch in text if ord(ch) >= 0x2E80}
    chars |= set("奈米為主微型精品咖啡新品上市測試")
    assert Path(resolved) == font.path
    with TTFont(font.path, fontNumber=font.index, lazy=True) as face:
        cmap = face.getBestCmap()
    assert not {ch for ch in chars if ord(ch) not in cmap}

    def ink(text: str) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context({"font.family": families}):
            fig = Figure(figsize=(1, 1), dpi=100)
            fig.text(0.5, 0.5, text, fontsize=40, ha="center", va="center")
            fig.savefig(buffer, format="png")
        with PIL_IMAGE.open(buffer) as image:
            return image.convert("L").tobytes()

    drawn = [ink(ch) for ch in "奈米為主"]
    blank = ink(" ")
    assert all(d != blank for d in drawn)
    assert len(set(drawn)) == 4  # four different glyphs, not one missing-glyph box


# -- command line ----------------------------------------------------------------------------


@pytest.mark.cli
def test_report_command_builds_from_a_folder_and_prints_the_files(compare_dir, tmp_path):
    out = tmp_path / "zh"
    output = _invoke(
        ["report", str(compare_dir), "--format", "xlsx", "--lang", "zh-TW", "--out", str(out)]
    )
    files = output.split()
    assert len(files) == 2 and all(Path(f).is_file() for f in files)
    assert any(f.endswith("-zh-TW.xlsx") for f in files)


@pytest.mark.cli
@pytest.mark.slow
def test_compare_with_report_builds_it_in_one_go(tmp_path):
    out = tmp_path / "c"
    printed = _invoke(
        [
            "compare",
            COFFEE,
            "-n",
            "1024",
            "-q",
            "--out",
            str(out),
            "--report",
            "md",
            "--format",
            "json",
        ]
    )
    assert (out / "report-en" / "c-en.md").is_file()
    assert (out / "report-en" / "charts" / "roi-distribution.png").is_file()
    assert json.loads(printed)["comparison"]["a"] == "nano_heavy"  # stdout stays the data


@pytest.mark.cli
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pptx,mdd"], "did you mean 'md'"),
        (["--lang", "fr"], "Invalid value for '--lang'"),
    ],
)
def test_report_command_rejects_bad_options(compare_dir, args, message):
    result = CliRunner().invoke(main, ["report", str(compare_dir), *args])
    assert result.exit_code == 2 and message in result.output


@pytest.mark.cli
def test_report_of_a_folder_without_manifest_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "has no manifest.json" in result.output
    with pytest.raises(InputError, match="is not a folder"):
        load_results(tmp_path / "missing")


@pytest.mark.exact
def test_format_lists():
    assert parse_formats("all") == ("pptx", "xlsx", "md", "html", "png", "svg")
    assert parse_formats("svg, PPTX") == ("pptx", "svg")
    with pytest.raises(InputError, match="unknown report format 'doc'"):
        parse_formats("doc")


@pytest.mark.exact
def test_number_formats_never_round_to_a_false_certainty():
    en, zh = Text("en", "TWD"), Text("zh-TW", "TWD")
    assert en.prob(0.9995) == ">99.9%" and en.prob(0.0004) == "<0.1%"
    assert en.prob(0.995) == "99.5%" and en.prob(0.72) == "72%" and en.prob(1.0) == "100%"
    assert en.pct(-0.0004) == "0%" and en.pct(-0.2919) == "-29%"
    assert en.money(-1234.6) == "-NT$1,235"
    assert en.money(12.345) == "NT$12.35"
    assert zh.money_short(123456) == "12.35萬" and en.money_short(-350000) == "-350k"
    assert en.points(0.403) == "+40.3 pts"


@pytest.mark.exact
@pytest.mark.slow
def test_saved_outcomes_add_the_campaign_by_campaign_difference(tmp_path):
    from campaign_sim.reports.distribution import paired_roi

    out = tmp_path / "saved"
    _invoke(["compare", COFFEE, "-n", "512", "--save-outcomes", "--out", str(out), "-q"])
    results = load_results(out)
    values = paired_roi(results)
    comparison = pd.read_csv(out / "comparison.csv").set_index("metric").loc["roi"]
    assert values.size == comparison["n"]
    assert np.count_nonzero(values > 0) / values.size == comparison["prob_a_better"]
    assert values.mean() == pytest.approx(comparison["mean_diff"], rel=1e-12)
    built = build_report(out, formats="png", out=tmp_path / "r")
    assert "charts/paired-difference-campaigns.png" in built.files


@pytest.mark.exact
def test_without_a_cjk_font_chinese_is_refused_and_english_warns(monkeypatch):
    from campaign_sim.reports import fonts

    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    with pytest.raises(InputError, match="apt-get install fonts-noto-cjk"):
        fonts.matplotlib_families("zh-TW", needs_cjk=True)
    with pytest.warns(UserWarning, match="Chinese names will show as boxes"):
        assert fonts.matplotlib_families("en", needs_cjk=True) == ["DejaVu Sans"]
    assert fonts.matplotlib_families("en", needs_cjk=False) == ["DejaVu Sans"]


@pytest.mark.exact
def test_a_named_font_file_must_exist_and_have_chinese_glyphs(monkeypatch, tmp_path):
    from matplotlib import font_manager

    from campaign_sim.reports import fonts

    dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=False)
    try:
        monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "missing.ttc"))
        fonts.find_cjk_font.cache_clear()
        with pytest.raises(InputError, match="is not a font file"):
            fonts.find_cjk_font()
        monkeypatch.setenv(fonts.ENV_VAR, str(dejavu))
        fonts.find_cjk_font.cache_clear()
        with pytest.raises(InputError, match="has no Chinese glyphs"):
            fonts.find_cjk_font()
    finally:
        monkeypatch.delenv(fonts.ENV_VAR)
        fonts.find_cjk_font.cache_clear()


@pytest.mark.exact
def test_without_a_cjk_font_an_english_report_warns_once_not_per_glyph(
    compare_dir, monkeypatch, tmp_path
):
    from campaign_sim.reports import fonts

    assert fonts.has_cjk(" ".join(load_results(compare_dir).strategies.values()))
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        built = build_report(compare_dir, formats="png,svg", out=tmp_path / "en")
    assert [w.category for w in caught] == [fonts.MissingFontWarning], [
        str(w.message) for w in caught
    ]
    message = str(caught[0].message)
    assert "apt-get install fonts-noto-cjk" in message and fonts.ENV_VAR in message
    assert len([f for f in built.files if f.endswith(".png")]) == len(CHARTS)
    with pytest.raises(InputError, match="zh-TW needs a font.*apt-get install fonts-noto-cjk"):
        build_report(compare_dir, formats="png", lang="zh-TW", out=tmp_path / "zh")


#: Prints what find_cjk_font makes of the environment it runs in.
FIND_FONT = """
from campaign_sim.errors import InputError
from campaign_sim.reports.fonts import find_cjk_font
try:
    print(find_cjk_font())
except InputError as error:
    print(error)
"""


def _find_font_in(cache: Path, **env: str | None) -> str:
    """What find_cjk_font says in a fresh process with matplotlib's cache folder ``cache`` and
    this test's environment changed by ``env`` (None: unset)."""
    import os
    import sys

    changed = {**os.environ, "MPLCONFIGDIR": str(cache), **env}
    done = subprocess.run(
        [sys.executable, "-c", FIND_FONT],
        env={k: v for k, v in changed.items() if v is not None},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.exact
@pytest.mark.slow  # three fresh processes, one of which builds matplotlib's font cache
def test_fonts_hidden_from_matplotlib_are_not_found(tmp_path):
    from campaign_sim.reports.fonts import ENV_VAR, find_cjk_font

    font = find_cjk_font()
    assert _find_font_in(tmp_path) == str(font)  # the cache now lists the fonts seen here
    # Under MPL_IGNORE_SYSTEM_FONTS matplotlib draws only with its own fonts, whatever its
    # font cache lists, and so no CJK font is found.
    hide = {"MPL_IGNORE_SYSTEM_FONTS": "1"}
    assert _find_font_in(tmp_path, **hide, **{ENV_VAR: None}) == "None"
    if font is not None:  # named, but hidden from matplotlib: a clear error, not boxes
        hidden = _find_font_in(tmp_path, **hide, **{ENV_VAR: str(font.path)})
        assert "MPL_IGNORE_SYSTEM_FONTS is set" in hidden and str(font.path) in hidden


@pytest.mark.exact
def test_deck_tables_of_wrapping_rows_take_fewer_rows_a_slide() -> None:
    """Rows whose cells wrap to two lines are taller: a slide holds fewer of them, so a table
    never runs into the note below it (seen on the named creators' slides); one-line rows
    still fill the slide up to its row cap."""
    from campaign_sim.reports.pptx import _fitting_pages
    from campaign_sim.reports.texttable import TextTable

    header = ["#", "creator", "profit", "interval"]
    short = TextTable(header, [[str(i), "@a", "1", "2"] for i in range(20)])
    long_cell = "NT$14,846 ± NT$252 and more words that wrap " * 3
    tall = TextTable(header, [[str(i), "@a", long_cell, long_cell] for i in range(20)])
    assert [len(p) for p in _fitting_pages(short, 12.3, 8, 4.5)] == [8, 8, 4]
    pages = _fitting_pages(tall, 12.3, 8, 4.5)
    assert max(len(p) for p in pages) < 8 and sum(len(p) for p in pages) == 20
