"""The funnel's metrics as people read them (issue 13, items 2 and 5): terminal row labels that
say "first purchases" and "over N months", cost lines that add up to cost, the plan preview's
budget counting commission, tax and gifted product, the repeat horizon named in the JSON, and a
label for every new metric in every report language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import FIXED_PRIORS, FIXED_SCENARIO, FIXED_TIER, deep_update
from rich.cells import cell_len

from campaign_sim import load_scenario
from campaign_sim.analysis.plan import preview
from campaign_sim.cli import main
from campaign_sim.cli.tables.summary import COST_LINES
from campaign_sim.reports.i18n import LANGUAGES, Text, catalogue

pytestmark = pytest.mark.filterwarnings("error")

MONTHS = 12
#: Every funnel mechanism the tables label: commission and tax, gifted creators, repeat buyers.
FUNNEL = deep_update(
    FIXED_SCENARIO,
    {
        "economics": {"agency_commission": 0.15, "fee_tax": 0.05},
        "repeat": {
            "months": MONTHS,
            "share": 0.25,
            "orders_per_month": 0.5,
            "discount_rate": 0.1,
        },
        "strategies": {
            "a": {
                "groups": [
                    {"tier": "nano", "platform": "instagram", "deliverables": 2, "count": 3},
                    {"tier": "gifts", "platform": "instagram", "deliverables": 1, "count": 2},
                ]
            }
        },
    },
)
#: The fixed priors with a tier whose creators all take product-only deals at 3,000.
GIFT_PRIORS = deep_update(
    FIXED_PRIORS,
    {
        "tiers": {
            "gifts": {
                **FIXED_TIER,
                "gifted_share": 1,
                "gifted_cost": 3000,
                "platforms": {"instagram": {}},
            }
        }
    },
)
#: Row labels the terminal summary prints for FUNNEL.
LABELS = (
    "ROI, first purchases",
    "ROAS, first purchases",
    "profit, first purchases",
    "revenue, first purchases",
    f"ROI over {MONTHS} months",
    f"profit over {MONTHS} months",
    f"revenue over {MONTHS} months",
    f"repeat orders over {MONTHS} months",
    "cost = sum of:",
    "+ creator fees",
    "+ agency commission",
    "+ tax on fees",
    "+ gifted product",
    "+ overhead, fixed cost",
    "gifted creators",
)


def _invoke(args: list[str], width: int = 200) -> str:
    result = CliRunner(env={"COLUMNS": str(width)}).invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _label_cells(printed: str) -> list[str]:
    """The first column's text per row, its wrapped lines joined (a table's rows end where the
    next row's first cell starts; rows here have a value in their second cell)."""
    cells: list[str] = []
    for line in printed.splitlines():
        parts = line.split("│")
        if len(parts) < 3:
            continue
        first, second = parts[1].strip(), parts[2].strip()
        if second or not cells:
            cells.append(first)
        elif first:
            cells[-1] += " " + first
    return cells


@pytest.fixture
def funnel(write_scenario) -> Path:
    return write_scenario(FUNNEL, priors=GIFT_PRIORS)


@pytest.mark.cli
@pytest.mark.parametrize("width", [80, 120])
def test_run_labels_first_purchases_the_horizon_and_cost_lines(funnel: Path, width, tmp_path):
    printed = _invoke(["run", str(funnel), "-n", "64", "-q", "-o", str(tmp_path / "r")], width)
    wide = [line for line in printed.splitlines() if cell_len(line) > width]
    assert not wide, wide[:3]
    cells = _label_cells(printed)
    for label in LABELS:
        assert label in cells, (label, cells)
    assert "roi_horizon" not in printed and "fee_tax" not in printed  # no raw names
    # the cost lines sit right below cost, in order
    at = cells.index("cost = sum of:")
    assert cells[at + 1 : at + 6] == [
        "+ creator fees",
        "+ agency commission",
        "+ tax on fees",
        "+ gifted product",
        "+ overhead, fixed cost",
    ]
    assert f"over {MONTHS} months: with the repeat orders" in " ".join(printed.split())


@pytest.mark.cli
def test_without_repeat_buyers_roi_is_plain_and_cost_has_no_lines(write_scenario, tmp_path):
    printed = _invoke(["run", str(write_scenario()), "-n", "64", "-q", "-o", str(tmp_path / "r")])
    cells = _label_cells(printed)
    assert "ROI" in cells and "cost" in cells
    assert "first purchases" not in printed and "cost = sum of:" not in cells


@pytest.mark.exact
def test_cost_lines_add_up_to_cost_and_the_json_names_the_horizon(funnel: Path, tmp_path):
    out = tmp_path / "run"
    data = json.loads(
        _invoke(["run", str(funnel), "-n", "64", "-q", "-o", str(out), "--format", "json"])
    )
    assert data["horizon_months"] == MONTHS
    strategy = data["strategies"]["a"]
    lines = {line: strategy[line]["mean"] for line in COST_LINES}
    # by hand: 3 x 2 x 10,000 fees, 15% commission and 5% tax on them, 2 x 3,000 product,
    # 5 x 500 overhead + 1,000 fixed cost
    assert lines == pytest.approx(
        {
            "fees": 60_000,
            "commission": 9_000,
            "fee_tax": 3_000,
            "product_cost": 6_000,
            "overhead_cost": 3_500,
        },
        rel=1e-12,
    )
    assert sum(lines.values()) == pytest.approx(strategy["cost"]["mean"], rel=1e-12)
    assert strategy["gifted"]["mean"] == 2
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["horizon_months"] == MONTHS
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["horizon_months"] == MONTHS


@pytest.mark.exact
def test_no_repeat_buyers_no_horizon_months(write_scenario, tmp_path):
    out = tmp_path / "run"
    args = ["run", str(write_scenario()), "-n", "16", "-q", "-o", str(out), "--format", "json"]
    data = json.loads(_invoke(args))
    assert "horizon_months" not in data and "roi_horizon" not in data["strategies"]["a"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "horizon_months" not in manifest["scenario"]


@pytest.mark.exact
def test_plan_counts_commission_tax_and_gifted_product_against_the_budget(write_scenario):
    # Budget 70,000: fees 60,000 alone fit it, but with commission and tax (72,000) and the
    # gifted creators' product (6,000) the budget buys 78,000: over it in every campaign.
    data = deep_update(FUNNEL, {"strategies": {"a": {"budget": 70_000}}})
    seen = preview(load_scenario(write_scenario(data, priors=GIFT_PRIORS)), campaigns=64)
    s = seen.strategies.iloc[0]
    assert (s.fees_mean, s.commission_mean, s.fee_tax_mean, s.product_mean) == (
        pytest.approx(60_000),
        pytest.approx(9_000),
        pytest.approx(3_000),
        pytest.approx(6_000),
    )
    assert s.buys_mean == pytest.approx(78_000) and s.buys_p5 == s.buys_p95
    assert s.total_mean == pytest.approx(78_000 + 2_500 + 1_000)
    assert s.prob_fees_over_budget == 1 and s.prob_total_over_budget == 1
    gifts = seen.groups.iloc[1]
    assert gifts.fees_mean == 0 and gifts.gifted_mean == 2 and gifts.product_mean == 6_000


@pytest.mark.exact
def test_a_budget_group_hires_at_the_all_in_cost_and_the_preview_says_so(write_scenario):
    # 2 deliverables x 10,000 x (1 + 0.15 + 0.05) = 24,000 a creator: 50,000 buys two.
    data = deep_update(
        FIXED_SCENARIO,
        {
            "economics": {"agency_commission": 0.15, "fee_tax": 0.05},
            "strategies": {
                "a": {
                    "budget": 50_000,
                    "groups": [
                        {"tier": "nano", "platform": "instagram", "deliverables": 2, "share": 1}
                    ],
                }
            },
        },
    )
    seen = preview(load_scenario(write_scenario(data)), campaigns=64)
    s = seen.strategies.iloc[0]
    assert seen.groups.iloc[0].creators_mean == 2
    assert s.buys_mean == pytest.approx(48_000) and s.fees_mean == pytest.approx(40_000)
    assert s.prob_fees_over_budget == 0


@pytest.mark.cli
@pytest.mark.parametrize("width", [80, 120])
def test_plan_prints_the_cost_lines(funnel: Path, width):
    data = deep_update(FUNNEL, {"strategies": {"a": {"budget": 70_000}}})
    path = funnel.with_name("budget.yaml")
    path.write_text(json.dumps(data), encoding="utf-8")
    printed = _invoke(["plan", str(path)], width)
    assert not [line for line in printed.splitlines() if cell_len(line) > width]
    cells = _label_cells(printed)
    for label in ("fees", "+ agency commission", "+ tax on fees", "+ gifted product"):
        assert label in cells, (label, cells)
    assert "= what the budget buys" in cells and "= cost" in cells
    text = " ".join(printed.split())
    assert "78,000" in text and "81,500" in text  # what the budget buys; the cost
    assert "covers fees, commission, tax and gifted product: they pass it in 100%" in text


@pytest.mark.cli
@pytest.mark.parametrize("width", [80, 120])
def test_timeline_shows_roi_over_the_horizon_beside_roi(funnel: Path, width, tmp_path):
    args = ["timeline", str(funnel), "-n", "16", "-q", "-o", str(tmp_path / "t")]
    printed = _invoke(args, width)
    assert not [line for line in printed.splitlines() if cell_len(line) > width]
    cells = _label_cells(printed)
    labels = [c for c in cells if "ROI" in c]
    assert labels[:4] == [
        "ROI, first purchases: mean (95% CI)",
        "ROI, first purchases: P5 – P95",
        f"ROI over {MONTHS} months: mean (95% CI)",
        f"ROI over {MONTHS} months: P5 – P95",
    ]


#: Every metric of the funnel past first purchases: each needs a label in every language.
NEW_METRICS = (
    "amplified_reach",
    "amplified_engagements",
    "amplified_orders",
    "unique_reach",
    "frequency",
    "cpm_unique",
    "attributed_orders",
    "attributed_revenue",
    "repeat_orders",
    "revenue_horizon",
    "profit_horizon",
    "roi_horizon",
    "fees",
    "commission",
    "fee_tax",
    "product_cost",
    "gifted",
    "overhead_cost",
)


@pytest.mark.exact
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_new_metric_has_a_label_and_roi_says_which(lang):
    messages = catalogue(lang)
    missing = [m for m in NEW_METRICS if f"metric.{m}" not in messages]
    assert not missing, f"{lang}: no label for {missing}"
    first, horizon = {"en": ("first purchases", "horizon"), "zh-TW": ("首購", "含回購")}[lang]
    repeats, plain = Text(lang, horizon_months=MONTHS), Text(lang)
    for metric in ("roi", "roas", "profit", "revenue"):
        assert first in repeats.metric(metric), (lang, metric)
        assert first not in plain.metric(metric), (lang, metric)  # one ROI: nothing to tell
    for metric in ("roi_horizon", "profit_horizon", "revenue_horizon"):
        assert horizon in repeats.metric(metric) and str(MONTHS) in repeats.metric(metric)
    for key in ("axis.roi", "chart.roi_distribution", "headline.run_one", "slide.risk_table"):
        values = dict.fromkeys(("s", "m", "p5", "p95", "ploss"), "x")
        assert first in repeats(key, **values) and first not in plain(key, **values), key


@pytest.mark.cli
def test_the_report_labels_roi_and_lists_roi_over_the_horizon(funnel: Path, tmp_path):
    out = tmp_path / "run"
    _invoke(["run", str(funnel), "-n", "64", "-q", "-o", str(out)])
    _invoke(["report", str(out), "--format", "md", "-o", str(tmp_path / "report")])
    (md,) = (tmp_path / "report").glob("*.md")
    text = md.read_text(encoding="utf-8")
    assert "| ROI (first purchases) |" in text
    assert f"| ROI over the horizon (with repeats), {MONTHS} months |" in text
    assert "returns an ROI on first purchases of" in text  # the headline says which ROI
