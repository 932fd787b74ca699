"""Numbers that were silently off (issue 10, class 11): a budget share that lost a creator to
float noise, sweep plans ranked by noise, a zero-width interval from one campaign, a percentage
written as a fraction, a strategy compared with itself; and one sign for value at risk and
expected shortfall (class 12). Hand-computed cases."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import FIXED_PRIORS, FIXED_SCENARIO, deep_update

from campaign_sim.analysis.frontier import Goal, Limit, best_plan, pareto_efficient
from campaign_sim.analysis.stats import summarize_values
from campaign_sim.analysis.ties import equal, preferred, snap, tied
from campaign_sim.cli import main
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import InputError
from campaign_sim.pipeline import pair
from campaign_sim.scenario.loading import load_scenario
from campaign_sim.scenario.warnings import InputWarning


def invoke(args: list) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def share_scenario(write_scenario, share: float, budget: float = 100_000, fee: float = 2_900):
    priors = deep_update(FIXED_PRIORS, {"tiers": {"nano": {"fee": fee}}})
    group = {"tier": "nano", "platform": "instagram", "deliverables": 1, "share": share}
    data = deep_update(FIXED_SCENARIO, {"strategies": {"a": {"budget": budget, "groups": [group]}}})
    return load_scenario(write_scenario(data, priors=priors))


# --- (a) a budget share times a budget is compared with a tolerance ---------------------------


@pytest.mark.exact
def test_a_share_of_a_budget_buys_what_it_should(write_scenario):
    """0.29 x 100,000 is 28,999.999999999996 in floats: ten fees of 2,900 (29,000) fit it."""
    scenario = share_scenario(write_scenario, 0.29)
    assert scenario.strategies[0].groups[0].budget == 0.29 * 100_000 < 29_000
    outcomes = simulate(scenario, campaigns=5)
    assert outcomes.values["a"]["creators"].tolist() == [10.0] * 5
    # Cost: 10 x 2,900 in fees, 10 x 500 overhead, 1,000 fixed.
    assert outcomes.values["a"]["cost"].tolist() == [10 * 2_900 + 10 * 500 + 1_000] * 5


@pytest.mark.exact
def test_the_tolerance_is_relative_and_tiny(write_scenario):
    """A budget short of ten fees by more than float noise still buys nine: 28,999.99 does."""
    for budget, hired in ((29_000, 10), (28_999.99, 9), (29_000 * (1 + 1e-12), 10)):
        scenario = share_scenario(write_scenario, 1.0, budget=budget)
        assert simulate(scenario, campaigns=2).values["a"]["creators"].tolist() == [hired] * 2


# --- (b) ties: one rule ------------------------------------------------------------------------


@pytest.mark.exact
def test_equal_within_1e9_relative():
    assert equal(1.0, 1.0 + 6e-11) and equal(-403_550.8421216437, -403_550.84212167)
    assert not equal(1.0, 1.0 + 2e-9)
    assert equal(0.0, 0.0) and equal(math.inf, math.inf) and not equal(math.nan, math.nan)
    assert equal(np.array([1.0, 2.0]), np.array([1.0 + 1e-12, 2.1])).tolist() == [True, False]
    # Each run of equal numbers becomes its smallest; NaN stays.
    snapped = snap([3.0, 1.0 + 1e-12, 1.0, 2.0, np.nan, 1.0 - 1e-12])
    assert snapped[:4].tolist() == [3.0, 1.0 - 1e-12, 1.0 - 1e-12, 2.0]
    assert math.isnan(snapped[4]) and snapped[5] == 1.0 - 1e-12


@pytest.mark.exact
def test_tied_within_each_others_monte_carlo_error():
    assert tied(100.0, 95.0, (90.0, 110.0), (85.0, 105.0))  # each inside the other's CI
    assert not tied(100.0, 80.0, (90.0, 110.0), (70.0, 90.1))  # 100 is outside [70, 90.1]
    assert not tied(100.0, 95.0, None, (85.0, 105.0))  # no interval: only equality ties
    assert tied(100.0, 100.0 * (1 + 1e-10), None, None)


def managers_table(noise: tuple[float, ...]) -> pd.DataFrame:
    """Managers 1 to 4 of a timeline sweep: 2, 3 and 4 finish in time, their mean profits
    equal up to float noise (relative ``noise``, more noise: more profit)."""
    rows = []
    profits = (-629_540.8, *(-403_550.8 * (1 - n) for n in noise))
    for point, (managers, profit) in enumerate(zip((1, 2, 3, 4), profits, strict=True)):
        rows.append(
            {
                "point": point,
                "managers": managers,
                "strategy": "nano_100",
                "profit_mean": profit,
                "profit_mean_ci_low": profit - 64_000,
                "profit_mean_ci_high": profit + 64_000,
                "prob_loss": 0.875 if managers > 1 else 0.977,
                "cost_mean": 1_160_000.0,
            }
        )
    return pd.DataFrame(rows)


@pytest.mark.exact
def test_float_noise_does_not_pick_the_best_plan():
    """Without ties the noise (6e-11 relative, for 4 managers) made 4 managers the best plan;
    tied, the rule prefers the smallest team."""
    table = managers_table((0.0, 2e-11, 6e-11))
    assert table["profit_mean"].idxmax() == 3  # what ranking by the bare numbers picked
    best = best_plan(table, Goal("profit_mean", True), [], ["managers"])
    assert (best.point, best.settings) == (1, {"managers": 2})
    assert best.ties == ((2, "nano_100"), (3, "nano_100"))


@pytest.mark.exact
def test_float_noise_does_not_decide_efficiency():
    """2, 3 and 4 managers at the same risk and returns equal to 6e-11: all efficient, as equal
    plans are; 1 manager (less profit, more risk) is not."""
    table = managers_table((6e-11, 0.0, 3e-11))
    profits = table["profit_mean"].to_numpy()
    assert len(set(profits.tolist())) == 4  # distinct floats
    mask = pareto_efficient(profits, table["prob_loss"].to_numpy())
    assert mask.tolist() == [False, True, True, True]
    # Noise on the risk too: 0.875 and 0.875 + 1e-12 are one risk.
    risks = np.array([0.977, 0.875, 0.875 + 1e-12, 0.875])
    assert pareto_efficient(table["profit_mean"].to_numpy(), risks).tolist() == mask.tolist()


@pytest.mark.exact
def test_monte_carlo_ties_prefer_fewer_resources_then_lower_cost():
    """Profits 100 [90, 110] with 40 creators and 98 [89, 107] with 30: tied, fewer creators
    win; a third, 130 [125, 135], is not tied with them and wins outright when it qualifies."""
    table = pd.DataFrame(
        {
            "point": [0, 1, 2],
            "budget": [800, 600, 900],
            "strategy": ["s", "s", "s"],
            "profit_mean": [100.0, 98.0, 130.0],
            "profit_mean_ci_low": [90.0, 89.0, 125.0],
            "profit_mean_ci_high": [110.0, 107.0, 135.0],
            "creators_mean": [40.0, 30.0, 50.0],
            "cost_mean": [800.0, 600.0, 900.0],
            "prob_loss": [0.1, 0.1, 0.3],
        }
    )
    goal = Goal("profit_mean", True)
    best = best_plan(table, goal, [Limit("prob_loss", "<=", 0.2)], ["budget"])
    assert (best.point, best.value, best.ties) == (1, 98.0, ((0, "s"),))
    assert best_plan(table, goal, [], ["budget"]).point == 2
    # Same creators: the smaller setting, then the lower cost, then the earlier point.
    same = table.assign(creators_mean=40.0)
    assert preferred(same.iloc[:2], ["budget"]) == 1
    assert preferred(same.iloc[:2].assign(budget=700), ["budget"]) == 1  # cost 600 < 800
    assert preferred(same.iloc[:2].assign(budget=700, cost_mean=5.0), ["budget"]) == 0


@pytest.mark.exact
def test_a_limit_met_up_to_float_noise_is_met():
    """P(loss) 0.1 computed as 0.1 + 2e-17 meets prob_loss <= 0.1; 0.1 + 1e-6 does not."""
    table = pd.DataFrame(
        {
            "point": [0, 1],
            "strategy": ["s", "s"],
            "profit_mean": [10.0, 20.0],
            "prob_loss": [0.1 - 0.05, 0.1 + 2e-17],
        }
    )
    goal, limit = Goal("profit_mean", True), Limit("prob_loss", "<=", 0.1)
    assert best_plan(table, goal, [limit], []).point == 1
    table.loc[1, "prob_loss"] = 0.1 + 1e-6
    assert best_plan(table, goal, [limit], []).point == 0


# --- (c) one campaign: no interval --------------------------------------------------------------


@pytest.mark.exact
def test_one_campaign_has_no_interval():
    s = summarize_values("roi", np.array([0.25]))
    assert s.n == 1 and s.mean == 0.25 and s.p5 == 0.25
    assert all(math.isnan(v) for v in (s.sd, s.se, s.mean_ci_low, s.mean_ci_high))
    two = summarize_values("roi", np.array([0.0, 1.0]))
    assert two.sd == pytest.approx(math.sqrt(0.5)) and two.mean_ci_low < 0.5 < two.mean_ci_high


@pytest.mark.cli
def test_run_of_one_campaign_says_the_interval_is_undefined(write_scenario, tmp_path):
    path = write_scenario(
        deep_update(FIXED_SCENARIO, {"strategies": {"b": FIXED_SCENARIO["strategies"]["a"]}})
    )
    result = invoke(["compare", path, "-n", 1, "-o", tmp_path / "out", "-q", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "fewer than 2 campaigns the estimate intervals" in result.stderr
    data = json.loads(result.stdout)
    roi = data["strategies"]["a"]["roi"]
    assert roi["mean_ci"] == [None, None] and roi["se"] is None and roi["n"] == 1
    assert data["strategies"]["a"]["expected_shortfall_se"] is None
    table = invoke(["run", path, "-n", 1, "-o", tmp_path / "out", "-q"])
    assert "n/a – n/a" in table.stdout and "± n/a" in table.stdout


# --- (d) a percentage written as a fraction ----------------------------------------------------


@pytest.mark.cli
def test_roi_target_that_looks_like_a_percentage_warns(write_scenario, tmp_path):
    path = write_scenario(deep_update(FIXED_SCENARIO, {"simulation": {"roi_target": 20}}))
    result = invoke(["run", path, "-o", tmp_path / "out", "-q", "--format", "json"])
    assert result.exit_code == 0, result.output
    expected = (
        f"warning: {path}: simulation.roi_target: 20 is a fraction, an ROI target of "
        "+2,000%; for 20% write 0.2"
    )
    assert result.stderr.count(expected) == 1
    assert invoke(["validate", path]).stderr.count(expected) == 1
    with pytest.warns(InputWarning, match=r"simulation\.roi_target: 20 is a fraction"):
        load_scenario(path)


@pytest.mark.exact
def test_roi_targets_that_are_fractions_do_not_warn(write_scenario):
    for target in (0, 0.2, 1, -0.5):
        path = write_scenario(deep_update(FIXED_SCENARIO, {"simulation": {"roi_target": target}}))
        with warnings.catch_warnings():
            warnings.simplefilter("error", InputWarning)
            load_scenario(path)


# --- (e) a strategy compared with itself --------------------------------------------------------


@pytest.mark.cli
def test_compare_a_strategy_with_itself_is_refused(write_scenario, tmp_path):
    strategies = {"b": FIXED_SCENARIO["strategies"]["a"]}
    path = write_scenario(deep_update(FIXED_SCENARIO, {"strategies": strategies}))
    out = tmp_path / "out"
    result = invoke(["compare", path, "a", "a", "-o", out])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr == (
        "Error: A, B: both are 'a': compare needs two different strategies; the others: b\n"
    )
    assert not out.exists()
    with pytest.raises(InputError, match="compare needs two different strategies"):
        pair(load_scenario(path), "b", "b")
    assert pair(load_scenario(path), "b", "a") == ("b", "a")


# --- class 12: one sign for the risk measures ---------------------------------------------------


@pytest.mark.exact
def test_value_at_risk_is_the_tables_p5_of_profit():
    """Profits 0, 10, ..., 190 (20 campaigns): P5 by linear interpolation is 0.05 x 19 x 10 =
    9.5 (the order statistic rule gave -0, a loss of 0); the worst 5% is one campaign, so the
    expected shortfall is 0. Both are profits."""
    from campaign_sim.analysis.stats import risk_of

    profit = np.arange(20.0) * 10
    r = risk_of("s", profit[::-1].copy(), profit / 100, 0.0)
    assert r.value_at_risk == pytest.approx(9.5)
    assert r.value_at_risk == summarize_values("profit", profit).p5
    assert r.expected_shortfall == 0.0
    losses = -profit  # 0, -10, ..., -190: a loss in 95% of campaigns
    r = risk_of("s", losses, losses / 100, 0.0)
    assert r.value_at_risk == pytest.approx(-180.5)  # -190 + 0.95 x 10: negative, a loss
    assert r.expected_shortfall == -190.0 and r.value_at_risk > r.expected_shortfall


@pytest.mark.cli
def test_one_sign_in_the_terminal_csv_and_json(tmp_path):
    """The coffee launch: VaR and expected shortfall both negative (losses), VaR equal to the
    P5 of profit in every output, labelled as a profit."""
    from helpers import EXAMPLES

    coffee = EXAMPLES[0]
    out = tmp_path / "out"
    result = invoke(["run", coffee, "-n", 2000, "-o", out, "-q", "--format", "json"])
    assert result.exit_code == 0, result.output
    for entry in json.loads(result.stdout)["strategies"].values():
        assert entry["value_at_risk"] == entry["profit"]["p5"] < 0
        assert entry["expected_shortfall"] < entry["value_at_risk"]
    risk = pd.read_csv(out / "risk.csv")
    summary = pd.read_csv(out / "summary.csv")
    p5 = summary[summary["metric"] == "profit"].set_index("strategy")["p5"]
    assert (risk.set_index("strategy")["value_at_risk"] == p5).all()
    table = invoke(["run", coffee, "-n", 2000, "-o", out, "-q"])
    assert "VaR (5%, profit)" in table.stdout and "negative = a loss" in table.stdout


@pytest.mark.exact
def test_value_at_risk_is_safer_when_higher_on_a_frontier():
    from campaign_sim.analysis.frontier import SAFER_WHEN_HIGHER

    assert {"expected_shortfall", "value_at_risk"} <= set(SAFER_WHEN_HIGHER)
