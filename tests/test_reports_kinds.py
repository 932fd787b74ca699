"""Reports of sweep, timeline and sensitivity folders: their charts, headline and tables hold
the numbers of the folder's own files. One small folder of each kind per session."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from campaign_sim.cli import main
from campaign_sim.reports import build_report, load_results
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import DPI, FIGSIZE
from campaign_sim.reports.sensitivity import input_name
from campaign_sim.reports.story import tell
from campaign_sim.reports.sweep import axis_label, format_value, heat_scale, label, limit_text
from campaign_sim.reports.timeline import payback_bins
from campaign_sim.scenario.loading import load_scenario
from campaign_sim.scenario.priors import priors_frame

PPTX = pytest.importorskip("pptx")
OPENPYXL = pytest.importorskip("openpyxl")
PIL_IMAGE = pytest.importorskip("PIL.Image")

pytestmark = pytest.mark.exact

COFFEE = str(EXAMPLES[0])
MIX = str(Path(COFFEE).with_name("mix-coffee.yaml"))
FORMATS = "pptx,xlsx,png"


def _invoke(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def sweep_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "mix-sweep"
    _invoke(
        [
            "sweep",
            MIX,
            "--vary",
            "strategies.*.budget=400000,800000",
            "--vary",
            "economics.gross_margin=0.4,0.6",
            "--risk-limit",
            "prob_loss<=0.9",
            "-n",
            "256",
            "--out",
            str(out),
            "-q",
        ]
    )
    return out, build_report(out, formats=FORMATS)


@pytest.fixture(scope="session")
def timeline_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("timeline") / "coffee-timeline"
    _invoke(["timeline", COFFEE, "-n", "120", "--out", str(out), "-q"])
    return out, build_report(out, formats=FORMATS, lang="zh-TW")


@pytest.fixture(scope="session")
def sensitivity_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("sensitivity") / "coffee-sensitivity"
    _invoke(["sensitivity", COFFEE, "-n", "200", "--out", str(out), "-q"])
    return out, build_report(out, formats=FORMATS)


def _headline(report) -> str:
    """The executive summary's action title, no-break characters as typed."""
    (name,) = [f for f in report.files if f.endswith(".pptx")]
    deck = PPTX.Presentation(report.folder / name)
    return deck.slides[1].shapes.title.text.replace("\u2212", "-").replace("\u00a0", " ")


def _charts(report) -> set[str]:
    size = tuple(round(v * DPI) for v in FIGSIZE)
    names = set()
    for name in report.files:
        if name.endswith(".png"):
            with PIL_IMAGE.open(report.folder / name) as image:
                assert image.size == size
            names.add(Path(name).stem)
    return names


def _book(report):
    (name,) = [f for f in report.files if f.endswith(".xlsx")]
    return OPENPYXL.load_workbook(report.folder / name)


@pytest.mark.slow  # its session fixture runs a sweep and builds a report: >2 s
def test_sweep_report_charts_headline_and_sheets(sweep_report):
    folder, report = sweep_report
    results = load_results(folder)
    assert _charts(report) == {
        "sweep-roi",
        "sweep-profit",
        "frontier",
        *(f"heatmap-{s}" for s in results.strategies),
    }
    best = json.loads((folder / "best.json").read_text(encoding="utf-8"))["best"]
    text = Text("en", "TWD")
    budget, margin = (
        best["settings"]["strategies.*.budget"],
        best["settings"]["economics.gross_margin"],
    )
    sweep = pd.read_csv(folder / "sweep.csv")
    row = sweep[(sweep["point"] == best["point"]) & (sweep["strategy"] == best["strategy"])]
    ploss, es = float(row["prob_loss"].iloc[0]), float(row["expected_shortfall"].iloc[0])
    # the executive summary (issue 17): the best plan and how often it still loses
    where = f"{results.label(best['strategy'])} at budget {text.money(budget)}"
    if best["value"] < 0:  # the best plan still loses money on average: said so
        start = f"The best plan, {where}, gross margin {100 * margin:.0f}%, still loses money on "
        start += "average: mean profit"
    elif ploss > 0.5:
        start = f"The best plan, {where}, gross margin {100 * margin:.0f}%, makes a mean profit of"
    else:
        start = f"Choose {where}, gross margin {100 * margin:.0f}%: mean profit"
    assert _headline(report).startswith(f"{start} {text.money(best['value'])} (95% CI ")
    assert f"loses money in {text.prob(ploss)} of campaigns" in _headline(report).replace(
        "losing", "loses"
    )
    assert f"(expected shortfall {text.money(es)})" in _headline(report)
    book = _book(report)
    sheet = book["Sweep"]
    assert sheet.max_row == len(sweep) + 1
    header = [c.value for c in sheet[1]]
    column = header.index("ROI · Mean") + 1
    cell = sheet.cell(2, column)
    assert cell.value == pytest.approx(sweep["roi_mean"][0]) and cell.number_format == "0.0%"
    assert {f"Heatmap {s}" for s in results.strategies} <= set(book.sheetnames)
    frontier = pd.read_csv(folder / "frontier.csv")
    (section,) = [s for s in tell(results, text).tables if s.heading == "Efficient plans"]
    assert len(section.table.rows) == int(frontier["efficient"].sum())


@pytest.mark.needs_cjk_font  # the timeline report is in Traditional Chinese
def test_timeline_report_in_chinese(timeline_report):
    folder, report = timeline_report
    assert _charts(report) == {"profit-fan", "payback-days"}
    payback = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["strategies"]
    shares = {n: 1 - e["payback"]["never_share"] for n, e in payback.items()}
    best = max(shares, key=shares.get)
    zh = Text("zh-TW", "TWD")
    headline = _headline(report)
    assert headline.startswith(
        f"{payback[best]['label']}在 {zh.prob(shares[best])} 的模擬活動中回本"
    )
    book = _book(report)
    assert book["每日序列"].max_row == len(pd.read_csv(folder / "daily.csv")) + 1
    assert book.sheetnames[0] == "摘要"


def test_sensitivity_report_names_the_top_contributor_and_the_widest_swing(sensitivity_report):
    """The headline names what explains most of the variance (issue 17: the input with the
    largest share, unless creator luck of split.csv explains more); the swing answers its own,
    labelled question ("what if this input sat at its P10 or P90?") in the bullets."""
    folder, report = sensitivity_report
    assert {"tornado", "drivers"} <= _charts(report)
    results = load_results(folder)
    first = results.ordered_strategies[0]
    split = pd.read_csv(folder / "split.csv")
    shares = split[split["strategy"] == first].set_index("part")["s1"]
    drivers = pd.read_csv(folder / "sensitivity.csv")
    top = drivers[drivers["strategy"] == first].sort_values("rank").iloc[0]
    text = Text("en", "TWD")
    headline = _headline(report)
    if shares["creators"] > top["contribution"]:
        assert f"creator luck: each creator's own draws explain {text.pct(shares['creators'])}" in (
            headline
        )
    else:  # the shock is named as the product's appeal, any other input by its name
        name = "the shock" if top["quantity"] == "shock" else input_name(top.to_dict(), text)
        assert f"{name} explains {text.pct(top['contribution'])}" in headline
    swing = pd.read_csv(folder / "swing.csv")
    # Priors of independent creators swung all at once are not pool-level inputs: not reported.
    part = swing[(swing["strategy"] == first) & (swing["kind"] != "all creators")]
    top = part.loc[(part["at_high"] - part["at_low"]).abs().idxmax()]
    (name,) = [f for f in report.files if f.endswith(".pptx")]
    deck = PPTX.Presentation(report.folder / name)
    said = "\n".join(p.text for p in deck.slides[1].shapes[1].text_frame.paragraphs)
    said = said.replace("\u2212", "-").replace("\u00a0", " ")  # no-break characters as typed
    assert (
        f"What if one input sat at its P10 or at its P90, everything else random? For "
        f"{results.label(first)}, the widest swing of ROI comes from "
        f"{input_name(top.to_dict(), text)}: from "
        f"{text.pct(top['at_low'], 1)} at its P10 to {text.pct(top['at_high'], 1)} at its P90."
    ) in said
    assert "Sensitivity" in _book(report).sheetnames


def test_payback_bins_add_up_to_the_share_that_pays_back():
    days = np.arange(10)
    paid = np.array([0, 0, 0.1, 0.1, 0.3, 0.3, 0.3, 0.5, 0.6, 0.6])
    edges, share = payback_bins(days, paid, 3)
    assert list(edges) == [0, 3, 6, 9, 10]
    np.testing.assert_allclose(share, [0.1, 0.2, 0.3, 0.0])
    assert share.sum() == pytest.approx(paid[-1])


def test_limits_axes_and_values_read_as_words():
    text = Text("en", "TWD")
    assert axis_label("strategies.*.budget", ["strategies.*.budget", "economics.aov"]) == "budget"
    names = ["strategies.a.groups[0].share", "strategies.b.groups[1].share"]
    assert axis_label(names[0], names) == names[0]  # both would read "share"
    assert limit_text("prob_loss<=0.1", text) == "P(loss) ≤ 10.0%"
    assert limit_text("roi_p5 >= -0.2", text) == "ROI P5 ≥ -20%"
    assert limit_text("nonsense", text) == "nonsense"
    assert format_value(0.25, "nano_share", text) == "25%"
    assert format_value(1500000, "budget", text) == "NT$1,500,000"


@pytest.mark.needs_cjk_font  # the timeline report is in Traditional Chinese
def test_assumptions_come_from_the_scenario_file_only_while_it_is_unchanged(
    timeline_report, tmp_path
):
    folder, report = timeline_report
    priors = priors_frame(load_scenario(COFFEE).priors)
    sheet = _book(report)["假設"]
    assert sheet.max_row == len(priors) + 1
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("report-*"))
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["scenario"]["sha256"] = "0" * 64  # as if the scenario file had been edited since
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert load_results(copy).priors is None
    assert load_results(folder).priors is not None


#: A pool as the files write it (``nano/instagram``) and a group's budget, for the English names.
POOL = re.compile(r"\b(nano|micro|mid|macro)/(instagram|tiktok|youtube)\b")
PLATFORMS = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}


def _in_words(name: str) -> str:
    """A file's input name as the English deck writes it: pools and budgets in words."""
    name = POOL.sub(lambda m: f"{m[1]} · {PLATFORMS[m[2]]}", name)
    return re.sub(r"\(budget (\d[\d,]*)\)", r"(budget NT$\1)", name)


def test_input_names_are_rebuilt_from_their_columns(sensitivity_report):
    """English names are the files' own with each pool in words ("nano · Instagram", issue 17:
    no raw pool names in an English deck) and a group's budget in the currency."""
    folder, _ = sensitivity_report
    en, zh = Text("en", "TWD"), Text("zh-TW")
    for name in ("sensitivity.csv", "swing.csv"):
        rows = pd.read_csv(folder / name).to_dict("records")
        assert any(POOL.search(r["input"]) for r in rows)  # the case is exercised
        said = [input_name(r, en) for r in rows]
        assert said == [_in_words(r["input"]) for r in rows]
        assert not [s for s in said if POOL.search(s)]
        chinese = [input_name(r, zh) for r in rows]
        assert not [c for c in chinese if "prior" in c or "mean of" in c or "(AOV)" in c]
    assert input_name({"input": "something new", "quantity": "new"}, zh) == "something new"


def test_sweep_columns_read_as_words():
    """A sweep's statistics as words, not column names (issue 17: no "Profit (Mean)")."""
    en, zh = Text("en", "TWD"), Text("zh-TW", "TWD")
    assert label("profit_mean", en) == "Mean profit"
    assert label("roi_mean", en) == "Mean ROI"
    assert label("profit_p50", en) == "Median profit"
    assert label("roi_p5", en) == "ROI P5"
    assert label("prob_loss", en) == "P(loss)"
    assert label("profit_mean", zh) == "平均利潤"
    assert label("nonsense", en) == "nonsense"


class _Heatmaps:
    """Results with one heatmap per strategy, for the colour scale."""

    def __init__(self, panels: dict[str, list[list[float]]]) -> None:
        self.panels = panels
        self.ordered_strategies = list(panels)

    def has(self, name: str) -> bool:
        return name.removeprefix("heatmap_").removesuffix(".csv") in self.panels

    def table(self, name: str) -> pd.DataFrame:
        values = self.panels[name.removeprefix("heatmap_").removesuffix(".csv")]
        frame = pd.DataFrame(values, columns=[f"v={j}" for j in range(len(values[0]))])
        frame.insert(0, "y", range(len(values)))
        return frame


def test_heatmaps_share_one_linear_scale_around_zero():
    """Panels of one metric share a colour scale (issue 17); across zero it is one straight
    slope from -m to m, so a shade means the same amount of gain as of loss."""
    results = _Heatmaps({"a": [[-1.09e6, -0.4e6]], "b": [[0.33e6, -0.2e6]]})
    cmap, norm = heat_scale(results)
    assert cmap == "RdBu"
    assert float(norm(0.0)) == pytest.approx(0.5)
    assert float(norm(-1.09e6)) == pytest.approx(0.0)
    assert float(norm(0.33e6)) - 0.5 == pytest.approx(0.5 - float(norm(-0.33e6)))
    cmap, norm = heat_scale(_Heatmaps({"a": [[-3.0, -1.0]], "b": [[-2.0, -1.5]]}))
    assert cmap == "viridis" and float(norm(-3.0)) == 0 and float(norm(-1.0)) == 1


@pytest.mark.needs_cjk_font  # the names are measured in the font the deck uses
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_driver_names_do_not_overlap(sensitivity_report, lang):
    """The drivers' names beside their bars (issue 17: cut off; then three-line names ran into
    each other): no two labels of a panel overlap and none leaves the canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from campaign_sim.reports.charts import drawing
    from campaign_sim.reports.sensitivity import drivers

    folder, _ = sensitivity_report
    results = load_results(folder)
    text = Text(lang, "TWD")
    with drawing(results, text):  # the fonts and style the report draws with
        fig = drivers(results, text, {})
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
    width, height = fig.bbox.width, fig.bbox.height
    for ax in fig.axes:
        boxes = sorted(
            (t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()),
            key=lambda b: b.y0,
        )
        assert len(boxes) >= 5  # the case has names to place
        for low, high in zip(boxes, boxes[1:], strict=False):
            assert low.y1 <= high.y0 + 0.5, (low, high)
        assert all(b.x0 >= 0 and b.x1 <= width and b.y0 >= 0 and b.y1 <= height for b in boxes)


def test_swept_names_read_in_words_and_a_share_of_a_fee_is_no_money():
    """A swept axis of the levels sweep (issue 17: zh-TW 'creatorspread', 'feeshared
    NT$0.40'): its words in each language, and fee_shared, a share of a fee's variance, as a
    number, not an amount of money."""
    from campaign_sim.reports.sweep import swept_name

    en, zh = Text("en", "TWD"), Text("zh-TW", "TWD")
    assert swept_name("fee_shared", ["fee_shared"], en) == "fee shared"
    assert swept_name("creator_spread", ["creator_spread"], zh) == "創作者離散程度"
    assert swept_name("fee_shared", ["fee_shared"], zh) == "費用共同部分"
    assert swept_name("odd_name", ["odd_name"], zh) == "odd name"  # unknown words kept apart
    assert format_value(0.4, "fee_shared", en) == "0.4"
    assert format_value(0.4, "priors.tiers.nano.platforms.tiktok.fee.shared", en) == "0.4"
    assert format_value(600_000, "strategies.*.budget", en) == "NT$600,000"
    assert format_value(1200, "aov", en) == "NT$1,200"
