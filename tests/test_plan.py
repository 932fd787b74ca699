"""The plan preview: the engine's own draws, hand-computable on fixed priors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from helpers import FIXED_SCENARIO, ROOT, deep_update

from campaign_sim import load_scenario, simulate
from campaign_sim.analysis.plan import estimate_run, preview
from campaign_sim.cli import main
from campaign_sim.sweep.spec import make_sweep


@pytest.mark.exact
def test_a_fixed_count_group_costs_what_a_hand_computes(write_scenario):
    # 3 creators x 2 deliverables x fee 10,000 + 3 x overhead 500 + fixed cost 1,000
    seen = preview(load_scenario(write_scenario()), campaigns=64)
    group = seen.groups.iloc[0]
    assert (group.creators_mean, group.creators_p5, group.creators_p95) == (3, 3, 3)
    assert group.deliverables_mean == 6
    assert group.fees_mean == 60_000 and group.overhead_mean == 1_500
    assert group.reach_mean == pytest.approx(3 * 2 * 5000 * 0.3)
    strategy = seen.strategies.iloc[0]
    assert strategy.total_mean == 62_500 and np.isnan(strategy.budget)


@pytest.mark.exact
def test_a_budget_group_hires_what_its_budget_buys_and_overhead_comes_on_top(write_scenario):
    data = deep_update(
        FIXED_SCENARIO,
        {
            "strategies": {
                "a": {
                    "budget": 45_000,
                    "groups": [
                        {"tier": "nano", "platform": "instagram", "deliverables": 2, "share": 1}
                    ],
                }
            }
        },
    )
    seen = preview(load_scenario(write_scenario(data)), campaigns=64)
    group, strategy = seen.groups.iloc[0], seen.strategies.iloc[0]
    assert group.hiring == "budget" and group.creators_mean == 2  # 2 x 20,000 <= 45,000
    assert group.fees_mean == 40_000
    assert strategy.prob_fees_over_budget == 0
    assert strategy.prob_total_over_budget == 0  # 40,000 + 1,000 + 1,000 <= 45,000


@pytest.mark.reproducibility
@pytest.mark.parametrize("name", ["coffee-launch.yaml", "mix-coffee.yaml", "skincare.yaml"])
def test_the_preview_is_the_runs_first_campaigns(name):
    """Fees + overhead + fixed cost of the preview are the run's cost, campaign for campaign
    averaged over the same first campaigns."""
    scenario = load_scenario(ROOT / "scenarios" / name)
    seen = preview(scenario, campaigns=1024)
    run = simulate(scenario, campaigns=1024)
    for row in seen.strategies.itertuples():
        cost = run.values[row.strategy]["cost"]
        assert row.total_mean == pytest.approx(cost.mean(), rel=1e-12)
        assert row.total_p5 == pytest.approx(np.percentile(cost, 5), rel=1e-12)
        hired = run.values[row.strategy]["creators"].mean()
        groups = seen.groups[seen.groups["strategy"] == row.strategy]
        assert groups["creators_mean"].sum() == pytest.approx(hired, rel=1e-12)


@pytest.mark.exact
def test_a_sweep_estimate_counts_its_points():
    sweep = make_sweep(ROOT / "scenarios/sweeps/nano-share.yaml", [])
    estimate = estimate_run(preview(sweep.base, campaigns=64), sweep, campaigns=100)
    assert estimate["points"] == 33 and estimate["campaigns"] == 100
    assert estimate["seconds"] > 0 and "33 points" in estimate["text"]


@pytest.mark.cli
def test_plan_prints_tables_json_and_csv():
    runner = CliRunner()
    table = runner.invoke(main, ["plan", str(ROOT / "scenarios/coffee-launch.yaml")])
    assert table.exit_code == 0, table.output
    assert "covers fees only" in table.stdout and "nano/instagram #2" in table.stdout
    data = json.loads(
        runner.invoke(
            main, ["plan", str(ROOT / "scenarios/mix-coffee.yaml"), "--format", "json"]
        ).stdout
    )
    assert {g["hiring"] for g in data["groups"]} == {"budget"} and data["estimate"]["seconds"] > 0
    csv = runner.invoke(main, ["plan", str(ROOT / "scenarios/skincare.yaml"), "--format", "csv"])
    assert csv.stdout.splitlines()[0].startswith("strategy,group,hiring,fee_budget")
    bad = runner.invoke(main, ["plan", str(ROOT / "scenarios/nope.yaml")])
    assert bad.exit_code == 2 and "no such file" in bad.stderr


@pytest.mark.cli
def test_priors_of_a_scenario_lists_what_it_uses_and_its_assumptions():
    runner = CliRunner()
    coffee = str(ROOT / "scenarios/coffee-launch.yaml")
    data = json.loads(runner.invoke(main, ["priors", coffee, "--format", "json"]).stdout)
    tiers = {(p["tier"], p["platform"]) for p in data["priors"]}
    assert {t for t, _ in tiers} == {"nano", "micro"}  # no mid or macro: no group hires them
    assert ("micro", "tiktok") not in tiers  # coffee-launch hires micro on instagram, youtube
    settings = {row["key"]: row for row in data["assumptions"]}
    assert settings["economics.gross_margin"]["value"] == "55%"
    assert settings["strategies.nano_heavy.budget"]["value"] == "TWD 600,000"
    assert settings["economics.aov"]["p5_p95"] == "TWD 600 – TWD 1,200"
    every = json.loads(runner.invoke(main, ["priors", coffee, "--all", "--format", "json"]).stdout)
    assert len(every["priors"]) > len(data["priors"])
    table = runner.invoke(main, ["priors", coffee]).stdout
    assert "Scenario assumptions" in table and "│ macro" not in table


@pytest.mark.exact
def test_a_scenario_written_for_the_calendar_gets_a_timeline_estimate():
    # The timeline engine runs each campaign on SimPy: two orders of magnitude slower than the
    # vectorized engine, so a scenario with a timeline section is told both.
    calendar = load_scenario(ROOT / "scenarios" / "timeline" / "hundred-nano.yaml")
    estimate = estimate_run(preview(calendar, campaigns=64), campaigns=256)
    assert estimate["timeline_seconds"] > estimate["seconds"] >= 0
    assert "On the calendar (campaign-sim timeline)" in estimate["text"]
    plain = estimate_run(preview(load_scenario(ROOT / "scenarios" / "coffee-launch.yaml")))
    assert "timeline_seconds" not in plain and "calendar" not in plain["text"]
