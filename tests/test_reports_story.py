"""What a deck says (campaign_sim.reports.story): the executive summary's wording is chosen by
rules per kind of results, checked here on synthetic Results built for each case (frames made
by a small factory, not the example scenarios), with every number in the sentence traced to
the inputs; and the built deck: every slide has speaker notes and an action title that is a
sentence, no table cell can break a number across lines, comparison headers carry the
strategies' labels, value at risk and expected shortfall share one sign convention."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from campaign_sim.reports.i18n import Text
from campaign_sim.reports.results import Results
from campaign_sim.reports.story import summary, tell

PPTX = pytest.importorskip("pptx")

pytestmark = pytest.mark.exact

EN, ZH = Text("en", "TWD"), Text("zh-TW", "TWD")
LABELS = {"a": "Alpha", "b": "Beta"}


# -- the factory: the frames Results reads, for made-up numbers -------------------------------


def _metric_row(strategy: str, metric: str, p50: float, mean: float | None = None) -> dict:
    """A summary.csv row: mean (default the median) with a CI of +-1%, P5 and P95 around it."""
    m = p50 if mean is None else mean
    spread = abs(m) * 0.5 + 1
    return {
        "strategy": strategy,
        "metric": metric,
        "n": 1000,
        "n_undefined": 0,
        "mean": m,
        "mean_ci_low": m - abs(m) * 0.01,
        "mean_ci_high": m + abs(m) * 0.01,
        "p5": p50 - spread,
        "p50": p50,
        "p95": p50 + spread,
    }


def _risk_row(strategy: str, prob_loss: float, shortfall: float) -> dict:
    return {
        "strategy": strategy,
        "campaigns": 1000,
        "prob_loss": prob_loss,
        "prob_loss_ci_low": max(prob_loss - 0.02, 0),
        "prob_loss_ci_high": min(prob_loss + 0.02, 1),
        "roi_target": 0.0,
        "prob_above_target": 1 - prob_loss,
        "prob_above_target_ci_low": max(1 - prob_loss - 0.02, 0),
        "prob_above_target_ci_high": min(1 - prob_loss + 0.02, 1),
        "value_at_risk": shortfall * 0.9,
        "expected_shortfall": shortfall,
        "expected_shortfall_se": 100.0,
    }


def _diff_row(metric: str, diff: float, ci: tuple[float, float], p_a: float) -> dict:
    return {
        "a": "a",
        "b": "b",
        "metric": metric,
        "n": 1000,
        "mean_a": diff,
        "mean_b": 0.0,
        "mean_diff": diff,
        "mean_diff_se": 1.0,
        "mean_diff_ci_low": ci[0],
        "mean_diff_ci_high": ci[1],
        "diff_p5": ci[0] - abs(diff),
        "diff_p50": diff,
        "diff_p95": ci[1] + abs(diff),
        "prob_a_better": p_a,
        "prob_a_better_ci_low": max(p_a - 0.01, 0),
        "prob_a_better_ci_high": min(p_a + 0.01, 1),
    }


def _results(command: str, tables: dict[str, Any], **manifest: Any) -> Results:
    """A Results of ``command`` over the given tables (by file name), with no folder behind it."""
    data = {
        "tool": "campaign-sim",
        "command": command,
        "strategies": dict(LABELS),
        "scenario": {"name": "synthetic", "currency": "TWD"},
        "seed": 7,
        "campaigns": 1000,
        "settings": {},
        **manifest,
    }
    frames = {k: pd.DataFrame(v) for k, v in tables.items() if k.endswith(".csv")}
    documents = {k: v for k, v in tables.items() if k.endswith(".json")}
    return Results(Path("/nonexistent/synthetic"), data, frames, documents)


def compare(
    *,
    ploss: tuple[float, float],
    es: tuple[float, float],
    profit: tuple[float, tuple[float, float], float],
    roi_p50: tuple[float, float],
    horizon: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> Results:
    """A comparison of a (Alpha) against b (Beta): P(loss), expected shortfall, the profit
    difference (mean, CI, P(a better)) and the median ROIs; with repeat buyers, each one's
    (median, mean) ROI over the horizon."""
    summary_rows = [_metric_row(s, "roi", r) for s, r in zip("ab", roi_p50, strict=True)] + [
        _metric_row(s, "profit", 1000 * r) for s, r in zip("ab", roi_p50, strict=True)
    ]
    summary_rows += [
        _metric_row(s, "roi_horizon", *h) for s, h in zip("ab", horizon or (), strict=False)
    ]
    roi_diff = roi_p50[0] - roi_p50[1]
    return _results(
        "compare",
        {
            "summary.csv": summary_rows,
            "risk.csv": [_risk_row(s, p, e) for s, p, e in zip("ab", ploss, es, strict=True)],
            "comparison.csv": [
                _diff_row("roi", roi_diff, (roi_diff - 0.01, roi_diff + 0.01), profit[2]),
                _diff_row("profit", *profit),
            ],
        },
    )


# -- compare: the rules -------------------------------------------------------------------


def test_both_lose_names_the_better_loser_its_risk_and_what_breaking_even_needs():
    results = compare(
        ploss=(0.7405, 0.9727),
        es=(-513465.08, -616453.35),
        profit=(252818.49, (248749.07, 256887.92), 0.9445),
        roi_p50=(-0.2941, -0.6689),
    )
    said = summary(results, EN)
    assert said.case == "both_lose"
    # 1 / (1 - 0.2941) - 1 = 41.7% more sales at the same cost
    assert said.text == (
        "Alpha is the better of two losing mixes on profit: it beats Beta in 94% of campaigns "
        "but still loses money in 74% of them (expected shortfall -NT$513,465), and breaking "
        "even needs 42% more sales (orders × order value) than its median campaign."
    )
    zh = summary(results, ZH).text
    assert zh.startswith("以利潤而言，Alpha是兩個虧損組合中較好的一個：它在 94% 的活動中勝過Beta")
    assert "須比其中位數活動多 42%" in zh and zh.endswith("。")


def test_both_win_says_choose_and_the_median_campaigns_roi():
    results = compare(
        ploss=(0.2, 0.4),
        es=(-120000, -90000),
        profit=(100000, (80000, 120000), 0.7),
        roi_p50=(0.35, 0.1),
    )
    said = summary(results, EN)
    assert said.case == "both_win"
    assert said.text == (
        "Choose Alpha: on profit it beats Beta in 70% of campaigns, loses money in only 20% of "
        "them (expected shortfall -NT$120,000), and its median campaign returns an ROI of 35%."
    )


def test_one_wins_when_the_winner_is_b_uses_the_complement_of_p_a_better():
    results = compare(
        ploss=(0.6, 0.3),
        es=(-200000, -150000),
        profit=(-50000, (-60000, -40000), 0.25),
        roi_p50=(-0.1, 0.12),
    )
    said = summary(results, EN)
    assert said.case == "one_wins"
    assert said.text == (
        "Choose Beta: on profit it beats Alpha in 75% of campaigns and loses money in 30% of "
        "them against 60% for Alpha (expected shortfall -NT$150,000), and its median campaign "
        "returns an ROI of 12%."
    )


def test_a_higher_mean_that_loses_more_often_is_a_trade_off():
    results = compare(
        ploss=(0.55, 0.45),
        es=(-400000, -100000),
        profit=(30000, (20000, 40000), 0.52),
        roi_p50=(-0.02, 0.01),
    )
    said = summary(results, EN)
    assert said.case == "trade_off"
    assert said.text.startswith(
        "Alpha earns more on profit (+NT$30,000 a campaign on average) but loses money in 55% of "
        "campaigns against 45% for Beta (expected shortfall -NT$400,000 against -NT$100,000)"
    )


def test_a_paired_interval_holding_zero_is_a_near_tie():
    results = compare(
        ploss=(0.48, 0.5),
        es=(-90000, -95000),
        profit=(4000, (-5000, 13000), 0.51),
        roi_p50=(0.01, 0.0),
    )
    said = summary(results, EN)
    assert said.case == "near_tie"
    assert said.text == (
        "On profit, Alpha and Beta are a near-tie (mean difference +NT$4,000 a campaign, 95% CI "
        "-NT$5,000 to +NT$13,000): Alpha loses money in 48% of campaigns and Beta in 50%, with "
        "an expected shortfall of -NT$90,000 against -NT$95,000."
    )
    assert summary(results, ZH).text.startswith("以利潤而言，Alpha與Beta幾乎打平")


# -- run: one strategy or several, without paired differences ---------------------------------


def run(rows: dict[str, tuple[float, float, float, float]], *, risk: bool = True) -> Results:
    """A run of the strategies in ``rows``: name -> (median ROI, mean profit, P(loss),
    expected shortfall); without risk.csv when ``risk`` is False."""
    summary_rows = [_metric_row(n, "roi", r) for n, (r, *_) in rows.items()]
    summary_rows += [_metric_row(n, "profit", m) for n, (_, m, *_) in rows.items()]
    tables: dict[str, Any] = {"summary.csv": summary_rows}
    if risk:
        tables["risk.csv"] = [_risk_row(n, p, e) for n, (_, _, p, e) in rows.items()]
    return _results("run", tables, strategies={n: LABELS[n] for n in rows})


def test_a_losing_run_says_how_often_it_loses_its_bad_case_and_what_breaking_even_needs():
    said = summary(run({"a": (-0.2941, -150000.0, 0.7405, -513465.08)}), EN)
    assert said.case == "run_loses"
    # 1 / (1 - 0.2941) - 1 = 41.7% more sales at the same cost
    assert said.text == (
        "Alpha loses money in 74% of simulated campaigns (expected shortfall -NT$513,465), and "
        "breaking even needs 42% more sales (orders × order value) than its median campaign."
    )
    zh = summary(run({"a": (-0.2941, -150000.0, 0.7405, -513465.08)}), ZH).text
    assert zh == (
        "Alpha在 74% 的模擬活動中虧損（預期短缺 -NT$513,465），而且要損益兩平，"
        "銷售額（訂單數 × 客單價）須比其中位數活動多 42%。"
    )


def test_a_winning_run_says_how_often_it_makes_money_and_its_median_roi():
    said = summary(run({"a": (0.35, 90000.0, 0.2, -120000.0)}), EN)
    assert said.case == "run_wins"
    assert said.text == (
        "Alpha makes money in 80% of simulated campaigns, loses money in only 20% (expected "
        "shortfall -NT$120,000), and its median campaign returns an ROI of 35%."
    )
    assert summary(run({"a": (0.35, 90000.0, 0.2, -120000.0)}), ZH).text.startswith(
        "Alpha在 80% 的模擬活動中獲利，只在 20% 的活動中虧損"
    )


def test_a_run_of_several_names_the_highest_mean_profit_not_the_highest_median_roi():
    # Beta has the higher median ROI, Alpha the higher mean profit: money decides
    rows = {"a": (-0.10, 20000.0, 0.62, -400000.0), "b": (-0.05, -60000.0, 0.55, -200000.0)}
    said = summary(run(rows), EN)
    assert said.case == "best_loses"
    # 1 / (1 - 0.10) - 1 = 11.1% more sales
    assert said.text == (
        "Alpha makes the most profit of the 2 strategies (NT$20,000 a campaign on average) but "
        "still loses money in 62% of campaigns (expected shortfall -NT$400,000), and breaking "
        "even needs 11% more sales (orders × order value) than its median campaign."
    )
    # every mean profit a loss: the most profit is the least loss, and said so
    rows = {"a": (-0.10, -20000.0, 0.62, -400000.0), "b": (-0.05, -60000.0, 0.55, -200000.0)}
    said = summary(run(rows), EN)
    assert said.case == "all_lose"
    assert said.text == (
        "Every strategy loses money on average; Alpha loses least (-NT$20,000 a campaign on "
        "average) but still loses money in 62% of campaigns (expected shortfall -NT$400,000), "
        "and breaking even needs 11% more sales (orders × order value) than its median campaign."
    )
    assert summary(run(rows), ZH).text.startswith(
        "每個策略平均都虧損；Alpha平均虧損最少（每次活動 -NT$20,000），但仍在 62% 的活動中虧損"
    )
    rows = {"a": (0.20, 50000.0, 0.3, -90000.0), "b": (0.40, 30000.0, 0.1, -20000.0)}
    said = summary(run(rows), EN)
    assert said.case == "best_wins"
    assert said.text == (
        "Choose Alpha: it makes the most profit of the 2 strategies (NT$50,000 a campaign on "
        "average), loses money in only 30% of campaigns (expected shortfall -NT$90,000), and its "
        "median campaign returns an ROI of 20%."
    )
    assert summary(run(rows), ZH).text.startswith(
        "選擇Alpha：它是 2 個策略中平均利潤最高的（每次活動 NT$50,000），只在 30% 的活動中虧損"
    )


def test_a_run_without_risk_rows_falls_back_to_its_median_roi():
    said = summary(run({"a": (0.35, 90000.0, 0.2, -120000.0)}, risk=False), EN)
    assert said.case == "run_one"
    assert said.text.startswith("Alpha: median ROI 35%, with 90% of campaigns between")


# -- sweep, timeline, sensitivity --------------------------------------------------------------

SWEEP_SETTINGS = {
    "axes": [{"name": "nano_share", "values": [0.5, 0.9]}],
    "objective": "max:profit_mean",
    "frontier": {"return": "max:roi_mean", "risk": "max:expected_shortfall"},
}


def sweep(prob_loss: float | None) -> Results:
    """A sweep of nano_share over 0.5 and 0.9 whose best plan (a at 0.9) loses money with
    probability ``prob_loss`` (None: no plan meets the limits)."""
    rows = [
        {
            "point": i,
            "nano_share": share,
            "strategy": s,
            "label": LABELS[s],
            "profit_mean": value,
            "roi_mean": value / 1e6,
            "prob_loss": 0.6 if value < 100000 else (prob_loss or 0.6),
            "expected_shortfall": -775645.15,
        }
        for i, (share, s, value) in enumerate(
            [(0.5, "a", 50000.0), (0.9, "a", 149490.59), (0.5, "b", 20000.0), (0.9, "b", 30000.0)]
        )
    ]
    best = {
        "point": 1,
        "strategy": "a",
        "settings": {"nano_share": 0.9},
        "value": 149490.59,
        "ci": [115751.31, 183229.87],
        "limits": [],
    }
    document = {
        "objective": "max:profit_mean",
        "risk_limits": ["prob_loss <= 0.55"],
        "candidates": 4,
        "feasible": 0 if prob_loss is None else 1,
        "best": None if prob_loss is None else best,
    }
    frontier = [dict(r, efficient=r["point"] == 1) for r in rows]
    return _results(
        "sweep",
        {"sweep.csv": rows, "frontier.csv": frontier, "best.json": document},
        settings=SWEEP_SETTINGS,
    )


def test_the_best_sweep_plan_that_still_loses_more_often_than_not_is_risky():
    said = summary(sweep(0.52294921875), EN)
    assert said.case == "risky"
    assert said.text == (
        "The best plan, Alpha at nano share 90%, makes a mean profit of NT$149,491 (95% CI "
        "NT$115,751 to NT$183,230) but still loses money in 52% of campaigns (expected shortfall "
        "-NT$775,645): even the best plan is more likely to lose than to win."
    )
    assert summary(sweep(0.52294921875), ZH).text.startswith("最佳方案Alpha（奈米占比 90%）")


def test_a_sweep_plan_that_mostly_wins_is_chosen_and_none_is_said():
    said = summary(sweep(0.3), EN)
    assert said.case == "best"
    assert said.text == (
        "Choose Alpha at nano share 90%: mean profit NT$149,491 (95% CI NT$115,751 to "
        "NT$183,230), losing money in 30% of campaigns (expected shortfall -NT$775,645)."
    )
    none = summary(sweep(None), EN)
    assert none.case == "none"
    assert none.text == "None of the 4 plans of the sweep meets P(loss) ≤ 55.0%."


def timeline(lost: float, load: float) -> Results:
    """A timeline of a and b: a pays back in 7.6% of campaigns, b in 5%."""
    payback = {
        "a": {"never_share": 0.924, "never_share_ci": [0.91, 0.935], "p50_day": 40.0},
        "b": {"never_share": 0.95, "never_share_ci": [0.94, 0.96], "p50_day": 45.0},
    }
    rows = [
        _metric_row(s, m, v)
        for s in "ab"
        for m, v in (("lost_share", lost), ("manager_utilisation", load), ("roi", -0.5))
    ]
    document = {"strategies": {s: {"label": LABELS[s], "payback": p} for s, p in payback.items()}}
    return _results(
        "timeline",
        {"summary.csv": rows, "summary.json": document},
        settings={"timeline": {"window_days": 60, "managers": 1}},
    )


def test_a_timeline_that_loses_posts_to_the_window_leads_with_capacity():
    said = summary(timeline(0.2891, 1.0), EN)
    assert said.case == "capacity"
    assert said.text == (
        "Alpha is held back by capacity: 28.9% of its deliverables are lost to the 60-day window "
        "with managers 100% busy, and it pays back in only 8% of campaigns."
    )
    plain = summary(timeline(0.02, 0.5), EN)
    assert plain.case == "pays"
    assert plain.text == (
        "Alpha pays back in 8% of simulated campaigns (median payback day 40), against 5% for Beta."
    )


def sensitivity(top: dict, contribution: float, luck: float) -> Results:
    """A sensitivity of a's ROI led by ``top`` (explaining ``contribution`` of the variance),
    order value next at 10%, creator luck ``luck`` (split.csv)."""
    aov = {"group": "campaign", "quantity": "aov", "aggregate": "value", "input": "aov"}
    rows = [
        {"strategy": "a", "output": "roi", "rank": 1, "contribution": contribution, "spearman": 0.7}
        | top,
        {"strategy": "a", "output": "roi", "rank": 2, "contribution": 0.1, "spearman": 0.3} | aov,
    ]
    split = [
        {"strategy": "a", "output": "roi", "part": part, "s1": s1}
        for part, s1 in (("persistent", 0.3), ("campaign", 0.4), ("creators", luck))
    ]
    return _results(
        "sensitivity",
        {"sensitivity.csv": rows, "split.csv": split},
        settings={"output": "roi"},
    )


SHOCK = {"group": "campaign", "quantity": "shock", "aggregate": "value", "input": "shock"}
LEVEL = {
    "group": "nano/instagram",
    "quantity": "engagement_rate",
    "aggregate": "pool level",
    "input": "nano/instagram: engagement rate (pool level)",
}


def test_sensitivity_led_by_the_shock_a_level_or_creator_luck():
    said = summary(sensitivity(SHOCK, 0.5729, 0.0628), EN)
    assert said.case == "shock"
    assert said.text == (
        "For Alpha, ROI rides on the product's appeal: the shock explains 57% of its variance, "
        "more than any other input (next: order value (AOV), 10%)."
    )
    said = summary(sensitivity(LEVEL, 0.4, 0.1), EN)
    assert said.case == "level"
    assert said.text == (
        "For Alpha, ROI rides on nano · Instagram: engagement rate (pool level): this pool-wide "
        "input explains 40% of its variance, more than any other input (next: order value (AOV), "
        "10%)."
    )
    said = summary(sensitivity(LEVEL, 0.3, 0.45), EN)
    assert said.case == "luck"
    assert said.text == (
        "For Alpha, ROI is mostly creator luck: each creator's own draws explain 45% of its "
        "variance, more than any single input (the largest, nano · Instagram: engagement rate "
        "(pool level), explains 30%)."
    )
    zh = summary(sensitivity(SHOCK, 0.5729, 0.0628), ZH).text
    assert zh == (
        "對Alpha而言，ROI取決於產品吸引力：衝擊解釋了 57% 的變異，多於其他任何輸入"
        "（其次：客單價，10%）。"
    )
    zh = summary(sensitivity(LEVEL, 0.4, 0.1), ZH).text  # the pool in words too
    assert zh.startswith("對Alpha而言，ROI取決於奈米 · Instagram：互動率（群體水準）：")


def _swing_row(output: str, low: float, high: float) -> dict:
    return {
        "strategy": "a",
        "output": output,
        "input": "shock (product appeal)",
        "quantity": "shock",
        "kind": "campaign",
        "base": (low + high) / 2,
        "at_low": low,
        "at_high": high,
    }


@pytest.mark.parametrize(
    ("output", "low", "high", "swing"),
    [
        ("roi", -0.7927, 0.3943, "+118.7 pts"),  # points, never "118.7%"
        ("roi", 0.20, 0.15, "-5.0 pts"),  # a swing down keeps its sign
        ("profit", -250000.0, 125000.5, "+NT$375,000"),
        ("roas", 0.9, 1.35, "+0.45"),
    ],
)
def test_the_swing_is_a_difference_in_the_outputs_own_units(output, low, high, swing):
    from campaign_sim.reports.sensitivity import table

    results = _results(
        "sensitivity",
        {"swing.csv": [_swing_row(output, low, high)]},
        settings={"output": output},
    )
    said = table(results, EN)
    assert said is not None and said.header[-1] == "Swing"
    (row,) = said.rows
    assert row[2:] == [EN.number(low, output), EN.number(high, output), swing]
    zh = table(results, ZH)
    assert zh is not None
    assert zh.rows[0][-1] == swing.replace(" pts", " 個百分點")


# -- the deck -----------------------------------------------------------------------------

#: A number's pieces a line must not break between: an ASCII minus before a digit or an amount,
#: a plain space before a unit or after a comparison sign.
BREAKABLE = re.compile(r"(?<![\w.])-(?=[\d.]|NT\$)|\d (?=pts|個百分點)|[≤≥<>] (?=[−\d]|NT\$)")


def _deck(story: Any, text: Text) -> Any:
    from campaign_sim.reports.pptx import build_deck

    return PPTX.Presentation(io.BytesIO(build_deck(story, [], text)))


def _is_sentence(title: str) -> bool:
    """A title that says something: it ends with a full stop (a continued page's "(2/3)" aside)."""
    return re.sub(r" \(\d+/\d+\)$|（\d+/\d+）$", "", title.strip()).endswith((".", "。"))


def _tables(deck: Any) -> list[tuple[str, Any]]:
    return [
        (slide.shapes.title.text, shape.table)
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
    ]


def _check_deck(deck: Any) -> None:
    for number, slide in enumerate(deck.slides, start=1):
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        assert notes.strip(), f"slide {number} has no speaker notes"
        title = slide.shapes.title.text
        if number == 1:  # the cover names the report; every other title states a finding
            assert not _is_sentence(title), f"the cover {title!r} ends like a sentence"
            continue
        assert _is_sentence(title), f"slide {number}: {title!r} is not a sentence"
    for title, table in _tables(deck):
        for row in table.rows:
            for cell in row.cells:
                assert "\n" not in cell.text and not BREAKABLE.search(cell.text), (
                    f"{title}: {cell.text!r} can break inside a number"
                )


@pytest.mark.parametrize("text", [EN, ZH], ids=["en", "zh-TW"])
def test_synthetic_decks_have_notes_sentences_and_unbreakable_numbers(text):
    cases = [
        compare(
            ploss=(0.7405, 0.9727),
            es=(-513465.08, -616453.35),
            profit=(252818.49, (248749.07, 256887.92), 1.0),
            roi_p50=(-0.2941, -0.6689),
        ),
        sweep(0.52),
        timeline(0.2891, 1.0),
        sensitivity(SHOCK, 0.57, 0.06),
    ]
    for results in cases:
        _check_deck(_deck(tell(results, text), text))


def test_comparison_headers_name_the_strategies_and_certainties_read_as_words():
    results = compare(
        ploss=(0.7405, 0.9727),
        es=(-513465.08, -616453.35),
        profit=(252818.49, (248749.07, 256887.92), 1.0),
        roi_p50=(-0.2941, -0.6689),
    )
    story = tell(results, EN)
    (section,) = [s for s in story.tables if s.heading.startswith("Alpha against Beta")]
    header = section.table.header
    assert header[1] == "Mean: Alpha" and header[2] == "Mean: Beta"
    assert "Alpha − Beta" in header[3] and header[5].startswith("P(Alpha better)")
    assert not any("Mean A" in h or "Mean B" in h for h in header)
    profit = next(r for r in section.table.rows if r[0] == "Profit")
    assert profit[5] == "in every campaign"  # not "100% [>99.9%, >99.9%]"
    from campaign_sim.reports.story import _prob_ci

    assert _prob_ci(0.9997, 0.9992, 0.9999, EN) == ">99.9%"  # no "[>99.9%, >99.9%]"
    assert _prob_ci(0.985, 0.98, 0.99, EN) == "98.5% [98.0%, 99.0%]"
    roi = next(r for r in section.table.rows if r[0] == "ROI")
    assert roi[3].split(" [")[0] == "+37.5 pts"  # a difference of rates, in points


def test_value_at_risk_and_expected_shortfall_are_both_profits_with_one_sign():
    results = compare(
        ploss=(0.7405, 0.9727),
        es=(-513465.08, -616453.35),
        profit=(252818.49, (248749.07, 256887.92), 0.9445),
        roi_p50=(-0.2941, -0.6689),
    )
    deck = _deck(tell(results, EN), EN)
    (table,) = [t for title, t in _tables(deck) if title.startswith("Alpha loses money least")]
    header = [c.text for c in table.rows[0].cells]
    var, es = (
        header.index("Value at risk 5% (profit)"),
        header.index("Expected shortfall 5% (profit)"),
    )
    risk = results.risk
    assert risk is not None
    for i, row in enumerate(list(table.rows)[1:]):
        cells = [c.text for c in row.cells]
        expected = risk.iloc[i]
        # both negative here (losses): both shown with the same minus sign, ES the worse
        assert cells[var] == "\u2212" + EN.money(-expected["value_at_risk"])
        assert cells[es] == "\u2212" + EN.money(-expected["expected_shortfall"])


# -- a real deck: every slide, en and zh-TW ----------------------------------------------------


@pytest.fixture(scope="module")
def coffee(tmp_path_factory) -> Path:
    from campaign_sim.cli import main

    out = tmp_path_factory.mktemp("story") / "coffee"
    result = CliRunner().invoke(
        main, ["compare", str(EXAMPLES[0]), "-n", "512", "--seed", "5", "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", pytest.param("zh-TW", marks=pytest.mark.needs_cjk_font)])
def test_a_built_compare_deck_says_its_csvs_on_every_slide(coffee, lang, tmp_path):
    from campaign_sim.reports import build_report

    report = build_report(coffee, formats="pptx", lang=lang, out=tmp_path / lang)
    (name,) = [f for f in report.files if f.endswith(".pptx")]
    deck = PPTX.Presentation(report.folder / name)
    _check_deck(deck)
    risk = pd.read_csv(coffee / "risk.csv").set_index("strategy")
    comparison = pd.read_csv(coffee / "comparison.csv").set_index("metric")
    headline = deck.slides[1].shapes.title.text.replace("\u2212", "-").replace("\u00a0", " ")
    text = Text(lang, "TWD")
    winner = "nano_heavy" if comparison.loc["profit", "mean_diff"] > 0 else "micro_heavy"
    assert text.prob(risk.loc[winner, "prob_loss"]) in headline
    assert text.money(risk.loc[winner, "expected_shortfall"]) in headline
    labels = pd.read_json(coffee / "manifest.json", typ="series")["strategies"]
    headers = [  # read without the word joiner that keeps a cell's last Chinese character
        [c.text.replace("\u2060", "") for c in table.rows[0].cells]
        for _, table in _tables(deck)
        if table.cell(0, 0).text.replace("\u2060", "") == text("col.metric")
    ]
    assert headers  # the comparison table: each strategy's column headed by its label
    for header in headers:
        assert labels["nano_heavy"] in header[1] and labels["micro_heavy"] in header[2]


# -- the risk-return chart's action title ----------------------------------------------------
@pytest.mark.exact
@pytest.mark.parametrize(
    ("roi_p50", "ploss", "expected"),
    [
        (
            (0.2, 0.1),
            (0.3, 0.4),
            "Alpha both makes the most on average (NT$200 mean profit a campaign) and loses "
            "money least often, in 30% of campaigns.",
        ),
        (
            (0.2, 0.1),
            (0.5, 0.4),
            "Alpha makes the most on average (NT$200 mean profit a campaign); Beta loses "
            "money least often, in 40% of campaigns.",
        ),
        (
            (-0.2, -0.1),
            (0.7, 0.8),
            "Every strategy loses money on average; Alpha loses least often, in 70% of "
            "campaigns (mean profit -NT$200).",
        ),
    ],
    ids=["one-strategy-both", "richest-and-safest-differ", "all-lose"],
)
def test_the_risk_return_title_names_the_richest_and_the_safest(roi_p50, ploss, expected):
    results = compare(
        ploss=ploss, es=(-500.0, -600.0), profit=(100.0, (90.0, 110.0), 0.9), roi_p50=roi_p50
    )
    assert tell(results, Text("en", "TWD")).chart_titles["risk-return"] == expected
    # in Chinese "loses money least often" is the lowest probability of a loss, as the risk
    # table's title says it, not 最少虧損 ("loses the least")
    zh = tell(results, ZH).chart_titles["risk-return"]
    assert "虧損機率" in zh and "最低" in zh and "最少虧損" not in zh, zh


@pytest.mark.parametrize("text", [EN, ZH], ids=["en", "zh-TW"])
def test_the_summary_slides_notes_speak_of_what_its_kind_headline_says(text):
    """A timeline's and a sensitivity's summary notes explain payback and variance shares, not
    P(loss) and expected shortfall, which their headlines never give; a compare's and a sweep's
    do."""
    risk = {"en": "expected shortfall", "zh-TW": "預期短缺"}[text.lang]
    words = {"en": ("pays back", "variance"), "zh-TW": ("回本", "變異數")}[text.lang]
    kinds = {
        "compare": compare(
            ploss=(0.7405, 0.9727),
            es=(-513465.08, -616453.35),
            profit=(252818.49, (248749.07, 256887.92), 0.9445),
            roi_p50=(-0.2941, -0.6689),
        ),
        "sweep": sweep(0.51),
        "timeline": timeline(0.02, 0.5),
        "sensitivity": sensitivity(SHOCK, 0.5729, 0.0628),
    }
    notes = {k: tell(results, text).notes["summary"].lower() for k, results in kinds.items()}
    assert risk in notes["compare"] and risk in notes["sweep"]
    assert risk not in notes["timeline"] and risk not in notes["sensitivity"]
    assert words[0] in notes["timeline"] and words[1] in notes["sensitivity"]


def test_with_repeat_buyers_the_headline_says_first_purchases_and_a_point_gives_the_horizon():
    """The headline's profit and P(loss) are on first purchases; a point gives the mean and
    median ROI with the horizon's repeat orders, which can tell a different story."""
    results = compare(
        ploss=(0.9861, 0.9996),
        es=(-626758.17, -691855.44),
        profit=(90497.66, (88252.0, 92744.0), 0.7955),
        roi_p50=(-0.6965, -0.8577),
        horizon=((-0.2373, -0.0944), (-0.6432, -0.5649)),
    )
    en, zh = Text("en", "TWD", horizon_months=12), Text("zh-TW", "TWD", horizon_months=12)
    assert summary(results, en).text.startswith(
        "Alpha is the better of two losing mixes on profit (first purchases): it beats Beta"
    )
    assert tell(results, en).points[-1] == (
        "With 12 months of repeat orders counted, mean ROI: Alpha -9% (median -24%); "
        "Beta -56% (median -64%)."
    )
    assert summary(results, zh).text.startswith("以利潤（首購）而言，Alpha是兩個虧損組合")
    assert tell(results, zh).points[-1] == (
        "計入 12 個月的回購後，平均 ROI：Alpha -9%（中位數 -24%）、Beta -56%（中位數 -64%）。"
    )
    plain = compare(
        ploss=(0.6, 0.7), es=(-1.0, -2.0), profit=(5.0, (4.0, 6.0), 0.7), roi_p50=(0, 0)
    )
    assert not any("repeat" in p for p in tell(plain, EN).points)  # no horizon, no such point


@pytest.fixture(scope="module")
def roster_compare(tmp_path_factory) -> Path:
    from campaign_sim.cli import main

    out = tmp_path_factory.mktemp("story") / "roster"
    scenario = str(EXAMPLES[0].parent / "coffee-roster.yaml")
    result = CliRunner().invoke(main, ["compare", scenario, "-n", "200", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def test_the_split_puts_a_rosters_named_creators_of_one_pool_in_one_row_booked_as_simulated(
    roster_compare,
):
    """One row per booking and pool (not one per creator, which ran to ten slides), its
    booked count the engine's: roster.csv books a creator in every campaign or in none here;
    its fees their quoted fees, those never booked at 0 (before, the pool's mean fee for every
    candidate: more than the booking's budget)."""
    from campaign_sim.reports.results import load_results
    from campaign_sim.reports.story import split_table

    results = load_results(roster_compare)
    table = split_table(results, EN)
    roster = pd.read_csv(roster_compare / "roster.csv").dropna(subset=["pool"])
    booked = roster[roster["strategy"] == "shortlist_budget"].groupby("pool")["booked"]
    assert set(booked.max().round(6)) | set(booked.min().round(6)) <= {0.0, 1.0}
    label = results.label("shortlist_budget")
    rows = [r for r in table.rows if r[0] == label]
    assert len(rows) == 6  # two named bookings of one pool each, one budget booking of four
    counts = {}
    for row in rows:
        match = re.match(r"(\d+) of (\d+) named|(\d+) named, all booked", row[3])
        assert match, row
        k, n = (int(match[1]), int(match[2])) if match[1] else (int(match[3]),) * 2
        pool = f"{row[1]}/{row[2].lower()}"
        counts[pool] = (counts.get(pool, (0, 0))[0] + k, counts.get(pool, (0, 0))[1] + n)
    assert counts == {p: (int(g.sum()), int(g.count())) for p, g in booked}
    fees = sum(int(re.sub(r"\D", "", r[5])) for r in rows if "fit NT$449,000" in r[3])
    assert 0 < fees <= 449000


@pytest.mark.exact
def test_a_run_that_never_loses_says_so_in_words():
    said = summary(run({"a": (0.23, 18500.0, 0.0, 18500.0)}), EN)
    assert said.case == "run_safe"
    assert said.text == (
        "Alpha makes money in every simulated campaign (expected shortfall NT$18,500), and its "
        "median campaign returns an ROI of 23%."
    )
    both = run({"a": (0.23, 18500.0, 0.0, 18500.0), "b": (0.1, 9000.0, 0.1, -2000.0)})
    said = summary(both, EN)
    assert said.case == "best_safe"
    assert "makes money in every simulated campaign" in said.text
    assert summary(both, ZH).text.startswith("選擇Alpha：")


@pytest.mark.exact
@pytest.mark.parametrize(
    ("roi_p50", "expected"),
    [
        ((0.2, 0.1), "Alpha has the highest median profit: NT$200 a campaign."),
        (
            (-0.2, -0.4),
            "Every strategy's median campaign loses money; Alpha loses least: -NT$200 a campaign.",
        ),
    ],
    ids=["wins", "all-lose"],
)
def test_the_key_numbers_title_says_when_every_median_campaign_loses(roi_p50, expected):
    results = compare(
        ploss=(0.4, 0.5), es=(-500.0, -600.0), profit=(100.0, (90.0, 110.0), 0.9), roi_p50=roi_p50
    )
    titles = [s.title for s in tell(results, Text("en", "TWD")).tables]
    assert expected in titles


@pytest.mark.exact
def test_a_best_sweep_plan_that_loses_on_average_says_so_and_so_do_its_heatmaps():
    results = sweep(0.8)
    best = results.json("best.json")["best"]
    best["value"], best["ci"] = -320151.0, [-350000.0, -290302.0]
    said = summary(results, EN)
    assert said.case == "losing"
    assert said.text == (
        "The best plan, Alpha at nano share 90%, still loses money on average: mean profit "
        "-NT$320,151 (95% CI -NT$350,000 to -NT$290,302), and it loses money in 80% of "
        "campaigns (expected shortfall -NT$775,645)."
    )
    results.table("sweep.csv")["profit_mean"] -= 500000.0  # every plan loses on average
    titles = tell(results, EN).chart_titles
    assert titles["heatmap-a"] == (
        "For Alpha, every plan loses money on average; it loses least at nano share 90%: "
        "-NT$350,509."
    )
    assert tell(results, ZH).chart_titles["heatmap-a"].startswith("Alpha的每個方案平均都虧損")


@pytest.mark.exact
def test_without_the_scenario_file_the_assumptions_title_claims_no_economics():
    sections = tell(sweep(0.3), EN).key_assumptions  # no scenario file behind it
    assert sections, "the sweep's settings are still shown"
    first = sections[0]
    assert first.title == (
        "These settings are known; the economics, the shock and the fee terms are not (see below)."
    )
    assert first.note and first.note[0].startswith("The results folder does not hold")
