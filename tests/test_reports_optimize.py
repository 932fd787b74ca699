"""The optimiser's report: the executive summary's rules on synthetic folders built for each
case, and a real optimize folder's deck, workbook, Markdown and charts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from campaign_sim.reports import optimize
from campaign_sim.reports.charts import drawing
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import colours, renderer, text_box
from campaign_sim.reports.results import Results, load_results

ROOT = Path(__file__).resolve().parents[1]
EN, ZH = Text("en", "TWD"), Text("zh-TW", "TWD")
STRATEGIES = {"nano_heavy": "Nano-heavy", "micro_heavy": "Micro-heavy"}


def _row(role: str, plan: str, profit: float, ploss: float, diff: float, **extra) -> dict:
    """A judged.csv row: mean profit and P(loss) with 95% CIs of +-1,000 and +-1 pt."""
    return {
        "role": role,
        "plan": plan,
        "nano/tiktok": extra.pop("count", ""),
        "profit_mean_in_sample": profit,
        "profit_mean": profit,
        "profit_mean_ci_low": profit - 1000,
        "profit_mean_ci_high": profit + 1000,
        "prob_loss": ploss,
        "prob_loss_ci_low": max(0.0, ploss - 0.01),
        "prob_loss_ci_high": min(1.0, ploss + 0.01),
        "expected_shortfall": extra.pop("es", -50_000.0),
        "difference": diff,
        "difference_se": extra.pop("se", 100.0),
        "tied_with_chosen": extra.pop("tied", False),
    }


def _folder(tmp_path: Path, rows: list[dict], *, beats: bool = True, name: str = "f") -> Path:
    """A synthetic optimize results folder holding ``rows`` as judged.csv."""
    folder = tmp_path / name
    folder.mkdir()
    chosen = rows[0]
    manifest = {
        "tool": "campaign-sim",
        "command": "optimize",
        "version": "test",
        "scenario": {"name": "Coffee", "currency": "TWD"},
        "strategies": STRATEGIES,
        "seed": 7,
        "campaigns": 1000,
        "settings": {"objective": "max:profit_mean"},
    }
    summary = {
        "plan": chosen["plan"],
        "objective": "max:profit_mean",
        "limits": ["prob_loss <= 0.75"],
        "tighten_se": 1.0,
        "beats_spending_nothing": beats,
        "search": {"method": "exhaustive", "plans_scored": 41, "starting_points": 0},
        "campaigns": 1000,
        "fresh_campaigns": {"first": 1024, "count": 1000},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "optimize.json").write_text(json.dumps(summary))
    count = int(chosen["nano/tiktok"] or 0)
    plan = {"decision": "nano/tiktok", "kind": "count", "level": count, "creators": count}
    pd.DataFrame([{**plan, "expected_fees": 7_500.0 * count}]).to_csv(
        folder / "plan.csv", index=False
    )
    pd.DataFrame(rows).to_csv(folder / "judged.csv", index=False)
    (folder / "frontier.csv").write_text("prob_loss_limit,plan\n")
    return folder


def _strategies(chosen_profit: float) -> list[dict]:
    """The two strategies and hiring nobody, each worse than a plan making ``chosen_profit``."""
    return [
        _row("nothing", "nobody", 0.0, 0.0, -chosen_profit),
        _row("strategy nano_heavy", "Nano-heavy", -20_000.0, 0.7, -chosen_profit - 20_000),
        _row("strategy micro_heavy", "Micro-heavy", -90_000.0, 0.95, -chosen_profit - 90_000),
    ]


def _said(folder: Path, text: Text = EN) -> tuple[str, str]:
    said = optimize.summary(load_results(folder, check=True), text)
    assert said is not None
    return said


@pytest.mark.exact
def test_a_plan_that_wins_and_is_safe_enough_says_what_to_hire_and_its_risk(tmp_path):
    rows = [_row("chosen", "40 nano/tiktok", 60_000.0, 0.3, 0.0, count=40, es=-81_234.0)]
    case, said = _said(_folder(tmp_path, rows + _strategies(60_000.0)))
    assert case == "plan"
    assert said.startswith(
        "Hire 40 nano TikTok: mean profit NT$60,000 (95% CI NT$59,000 to NT$61,000)"
    )
    # ahead of the better strategy (Nano-heavy, -20,000) by 80,000; the bad case as a profit
    assert "NT$80,000 more than Nano-heavy" in said
    assert "loses money in 30.0% of campaigns (expected shortfall -NT$81,234)" in said


@pytest.mark.exact
def test_a_plan_that_still_loses_in_most_campaigns_is_called_risky(tmp_path):
    rows = [_row("chosen", "40 nano/tiktok", 5_000.0, 0.61, 0.0, count=40)]
    case, said = _said(_folder(tmp_path, rows + _strategies(5_000.0)))
    assert case == "risky"
    assert "but it still loses money in 61.0% of campaigns" in said


@pytest.mark.exact
def test_runners_up_within_monte_carlo_error_make_the_choice_a_region(tmp_path):
    rows = [
        _row("chosen", "40 nano/tiktok", 60_000.0, 0.3, 0.0, count=40),
        _row("runner-up", "39 nano/tiktok", 59_900.0, 0.3, -100.0, tied=True),
        _row("runner-up", "38 nano/tiktok", 58_000.0, 0.3, -2_000.0),
    ]
    folder = _folder(tmp_path, rows + _strategies(60_000.0))
    case, said = _said(folder)
    assert case == "tied"
    assert said.startswith("Hire 40 nano TikTok or one of 1 plans as good")
    points = optimize.points(load_results(folder), EN)
    assert any(
        p.startswith("1 other plans are within Monte Carlo error of it (39 nano TikTok)")
        for p in points
    )


@pytest.mark.exact
def test_when_nothing_beats_spending_nothing_the_summary_says_hire_nobody(tmp_path):
    rows = [
        _row("chosen, nothing", "nobody", 0.0, 0.0, 0.0),
        _row("strategy nano_heavy", "Nano-heavy", -20_000.0, 0.7, -20_000.0),
        _row("strategy micro_heavy", "Micro-heavy", -90_000.0, 0.95, -90_000.0),
    ]
    folder = _folder(tmp_path, rows, beats=False)
    case, said = _said(folder)
    assert case == "nothing"
    assert said.startswith("Hire nobody: no plan beats spending nothing under P(loss) ≤ 75.0%.")
    assert (
        "The better of the scenario's strategies, Nano-heavy, makes a mean profit of -NT$20,000"
        in said
    )
    assert "loses money in 70.0% of them" in said
    case, said = _said(folder, ZH)
    assert case == "nothing" and said.startswith("不聘任何人")


@pytest.mark.exact
def test_the_points_give_each_paired_difference_with_its_interval(tmp_path):
    rows = [_row("chosen", "40 nano/tiktok", 60_000.0, 0.3, 0.0, count=40)]
    folder = _folder(tmp_path, rows + _strategies(60_000.0))
    points = optimize.points(load_results(folder), EN)
    # 1.96 x 100 = 196: the 95% half-width of the paired difference
    assert "Against Nano-heavy: mean profit +NT$80,000 ± NT$196 for the plan" in " ".join(points)
    assert points[0].startswith("P(loss) ≤ 75.0%: met on the fresh campaigns, 30.0%")


@pytest.mark.exact
def test_plan_words_translate_cells_and_keep_strategy_labels():
    results = Results(Path("."), {"strategies": STRATEGIES})
    row = {"role": "runner-up", "plan": "1 nano/instagram + 75 nano/tiktok"}
    assert optimize.plan_words(results, row, EN) == "1 nano Instagram + 75 nano TikTok"
    assert optimize.plan_words(results, row, ZH) == "1 位奈米 Instagram、75 位奈米 TikTok"
    strategy = {"role": "strategy micro_heavy", "plan": "Micro-heavy"}
    assert optimize.plan_words(results, strategy, ZH) == "Micro-heavy"


# -- a real optimize folder ----------------------------------------------------------------
def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "campaign_sim", *args], capture_output=True, text=True, cwd=ROOT
    )


def _copy(folder: Path, to: Path) -> Path:
    """A copy of the results folder ``folder``'s files at ``to`` (to edit without harm)."""
    to.mkdir()
    for path in folder.iterdir():
        if path.is_file():
            (to / path.name).write_bytes(path.read_bytes())
    return to


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("optimize") / "opt"
    done = _run(
        "optimize",
        "scenarios/coffee-launch.yaml",
        "-n",
        "2000",
        "--fresh-campaigns",
        "2000",
        "--restarts",
        "2",
        "--out",
        str(folder),
        "-q",
    )
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.cli
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_an_optimize_folder_gets_a_whole_report(real, lang, tmp_path):
    out = tmp_path / lang
    done = _run("report", str(real), "--lang", lang, "--format", "pptx,xlsx,md", "--out", str(out))
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    assert {f"opt-{lang}.pptx", f"opt-{lang}.xlsx", f"opt-{lang}.md"} <= names
    page = (out / f"opt-{lang}.md").read_text(encoding="utf-8")
    judged = pd.read_csv(real / "judged.csv")
    chosen = judged[judged["role"].str.contains("chosen")].iloc[0]
    text = Text(lang, "TWD")
    # the headline's numbers are judged.csv's chosen row, on the fresh campaigns
    assert text.money(chosen["profit_mean"]) in page
    assert text.prob(chosen["prob_loss"], optimize.PROB_DIGITS) in page
    assert text.money(chosen["expected_shortfall"]) in page
    assert (out / "charts" / "plans.png").is_file()
    assert (out / "charts" / "plan-differences.png").is_file()


@pytest.mark.cli
@pytest.mark.slow
def test_the_folder_holds_the_plans_chart_and_its_manifest_the_objective(real):
    manifest = json.loads((real / "manifest.json").read_text())
    assert manifest["settings"]["objective"] == "max:profit_mean"
    assert {"frontier.png", "frontier.svg", "manifest.json"} <= set(manifest["files"])
    assert (real / "frontier.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.cli
@pytest.mark.slow
def test_a_judged_table_cut_short_is_named_before_any_report_is_built(real, tmp_path):
    broken = _copy(real, tmp_path / "broken")
    (broken / "judged.csv").write_text("role,plan\nchosen,nobody\n")
    done = _run("report", str(broken), "--format", "md")
    assert done.returncode == 2
    assert "judged.csv" in done.stderr and "profit_mean" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (broken / "report-en").exists()


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_the_plans_chart_labels_stay_inside_and_apart(real, lang):
    results = load_results(real)
    text = Text(lang, "TWD")
    with drawing(results, text):
        fig = optimize.draw_plans(results, text, colours(results))
    draw = renderer(fig)
    canvas = fig.bbox
    axis = fig.axes[0]
    boxes = [text_box(note, draw) for note in axis.texts]
    assert len(boxes) >= 4  # the chosen plan, nobody and both strategies are labelled
    for box in boxes:
        assert canvas.x0 <= box.x0 and box.x1 <= canvas.x1
        assert canvas.y0 <= box.y0 and box.y1 <= canvas.y1
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1 :])
    legend = axis.get_legend().get_window_extent(draw)
    assert legend.y1 <= axis.get_window_extent(draw).y0  # below the axes: it covers no point


@pytest.mark.exact
def test_a_chosen_plan_that_loses_on_average_is_not_recommended(tmp_path):
    rows = [_row("chosen", "40 nano/tiktok", -5_000.0, 0.55, 0.0, count=40)]
    folder = _folder(tmp_path, rows + _strategies(-5_000.0), beats=False)
    case, said = _said(folder)
    assert case == "nothing"
    assert "The best plan that hires, 40 nano TikTok, makes a mean profit of -NT$5,000" in said


@pytest.mark.exact
def test_the_judged_table_signs_its_differences_as_the_bullets_and_the_chart_do(tmp_path):
    """Issue 17, one convention: the table's difference is the chosen plan minus the row's
    plan, as the bullets and the differences chart say it (judged.csv holds row minus chosen);
    headers start with a capital, intervals read [a, b] as in the other kinds."""
    rows = [_row("chosen", "40 nano/tiktok", 60_000.0, 0.3, 0.0, count=40)]
    results = load_results(_folder(tmp_path, rows + _strategies(60_000.0)), check=True)
    table = optimize.judged_table(results, EN)
    assert table is not None
    assert table.header[2] == "Mean profit [95% CI]"
    assert table.header[5] == "Chosen plan minus this: mean profit ± 95%"
    by_plan = {r[0]: r for r in table.rows}
    # Nano-heavy makes -20,000 against the chosen 60,000: the chosen plan is 80,000 ahead
    assert by_plan["Nano-heavy"][5].startswith("+NT$80,000 ± ")
    assert by_plan["Nano-heavy"][2] == "-NT$20,000 [-NT$21,000, -NT$19,000]"
    points = "\n".join(optimize.points(results, EN))
    assert "Against Nano-heavy: mean profit +NT$80,000 ± " in points
    assert optimize.stat_label("roi_mean", EN) == "mean ROI"  # not "mean roi"


@pytest.mark.exact
def test_a_roster_plan_is_named_by_its_count_and_the_others_by_what_they_change(tmp_path):
    """Issue 17, action titles that fit: a roster plan of ten creators listed every handle in
    each title (and the judged table ran over nine slides); now the chosen plan is "10
    creators" and another plan says what it adds to or drops from it."""
    handles = [f"@c{i}" for i in range(10)]
    chosen = _row("chosen", " + ".join(handles), 60_000.0, 0.3, 0.0)
    other = _row("runner-up", " + ".join([*handles[1:], "@new"]), 59_000.0, 0.3, -1000.0)
    folder = _folder(tmp_path, [chosen, other, *_strategies(60_000.0)])
    pd.DataFrame(
        [
            {"decision": h, "kind": "creator", "level": int(h in handles), "creators": 1.0}
            for h in [*handles, "@new"]
        ]
    ).assign(expected_fees=5000.0).to_csv(folder / "plan.csv", index=False)
    results = load_results(folder, check=True)
    case, said = _said(folder)
    assert said.startswith("Hire 10 creators: ") and "@c1" not in said
    table = optimize.judged_table(results, EN)
    assert [r[0] for r in table.rows[:2]] == ["10 creators", "chosen plan +@new −@c0"]
    booked = optimize.plan_table(results, EN)
    assert table is not None and booked is not None
    assert booked.header[0] == "Creator booked"
    assert [r[0] for r in booked.rows] == handles  # not @new, which the plan does not book


@pytest.mark.cli
def test_a_bad_report_format_is_named_at_the_option_given():
    done = _run("optimize", "scenarios/coffee-launch.yaml", "--report=pdf", "-q")
    assert done.returncode == 2
    assert "--report: unknown report format 'pdf'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.cli
@pytest.mark.slow
def test_a_folder_from_before_the_manifest_named_its_objective_still_reports(real, tmp_path):
    from campaign_sim.reports import build_report

    older = _copy(real, tmp_path / "older")
    manifest = json.loads((older / "manifest.json").read_text())
    del manifest["settings"]["objective"], manifest["settings"]["limits"]
    (older / "manifest.json").write_text(json.dumps(manifest))
    built = build_report(older, formats="md", out=tmp_path / "report")
    page = next(p for p in built.files if p.endswith(".md"))
    assert "Hire " in (built.folder / page).read_text(encoding="utf-8")
