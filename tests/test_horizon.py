"""The horizon view (campaign_sim.analysis.horizon, ``campaign-sim horizon``): K campaigns of
one brand sharing the persistent parts, against independent campaigns."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import EXAMPLES, FIXED_SCENARIO, deep_update

from campaign_sim.analysis.horizon import MIN_PER_BRAND, horizon_of, simulate_horizon
from campaign_sim.cli import main
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import ArgumentError
from campaign_sim.scenario.loading import load_scenario

COFFEE = str(EXAMPLES[0])
#: FIXED_SCENARIO's campaign: 1,500 engagements, 150 orders of 1,000, gross profit 75,000;
#: fees 3 x 2 x 10,000, overhead 3 x 500, fixed cost 1,000: cost 62,500, profit 12,500.
PROFIT = 12_500.0
GROSS = 75_000.0
SIGMA = 0.8


def _shocked(persistent: float) -> dict:
    """FIXED_SCENARIO whose only uncertainty is the shock (sigma 0.8): a loss when
    S < 62,500 / 75,000, P(loss) = Phi(ln(5/6) / 0.8) = 0.41."""
    return deep_update(FIXED_SCENARIO, {"shock": {"sigma": SIGMA, "persistent": persistent}})


def _p_loss() -> float:
    return 0.5 * math.erfc(-math.log((GROSS - PROFIT) / GROSS) / SIGMA / math.sqrt(2))


@pytest.mark.exact
def test_all_fixed_totals_are_hand_computed(write_scenario):
    scenario = load_scenario(write_scenario())
    result = simulate_horizon(scenario, horizon=3, brands=4)
    r = result.results["a"]
    assert result.per_brand == MIN_PER_BRAND and result.campaigns == 4 * MIN_PER_BRAND
    assert r.total_mean.value == pytest.approx(3 * PROFIT)
    assert r.total_mean.ci_low == pytest.approx(3 * PROFIT)  # no spread: no width
    for value in (r.total_p5, r.total_p50, r.total_p95, r.independent_total_p50):
        assert value == pytest.approx(3 * PROFIT)
    assert np.allclose(r.total, 3 * PROFIT)
    for estimate in (r.prob_loss, r.prob_any_loss, r.prob_total_loss):
        assert estimate.value == 0 and estimate.ci_low == 0 and 0 < estimate.ci_high < 1
    assert r.conditional_sd == 0 and r.conditional_se == 0
    assert r.independent_prob_any_loss.value == 0


@pytest.mark.exact
def test_a_certain_loss_is_lost_in_every_horizon(write_scenario):
    data = deep_update(FIXED_SCENARIO, {"economics": {"fixed_cost": 1000 + PROFIT + 1}})
    r = simulate_horizon(load_scenario(write_scenario(data)), horizon=5, brands=3).results["a"]
    assert r.prob_loss.value == 1 and r.prob_any_loss.value == 1
    assert r.total_mean.value == pytest.approx(-5.0)
    assert r.independent_prob_any_loss.value == 1 and r.conditional_p5 == 1


@pytest.mark.exact
def test_only_persistent_uncertainty_makes_a_brands_campaigns_identical(write_scenario):
    # p = 1: every campaign of a brand has the same shock, so a brand loses in all its
    # campaigns or in none: P(at least one loss in K) is P(loss) itself.
    result = simulate_horizon(load_scenario(write_scenario(_shocked(1.0))), horizon=4, brands=300)
    r = result.results["a"]
    assert set(np.unique(r.conditional)) <= {0.0, 1.0}
    assert r.prob_any_loss.value == r.prob_loss.value == r.prob_total_loss.value
    assert r.conditional_se == 0
    p = r.prob_loss.value
    assert r.conditional_sd == pytest.approx(math.sqrt(p * (1 - p) * 300 / 299))
    assert r.independent_prob_any_loss.value == pytest.approx(1 - (1 - p) ** 4)
    # the brand's total is 4 times its (one) campaign
    matrix = simulate(
        load_scenario(write_scenario(_shocked(1.0))), campaigns=300 * 200, horizon=200
    ).values["a"]["profit"]
    assert np.allclose(r.total, 4 * matrix.reshape(300, 200)[:, 0])


@pytest.mark.statistical
def test_per_campaign_uncertainty_gives_independent_campaigns(write_scenario):
    # Every share persistent 0: a brand's campaigns are independent, so P(at least one
    # loss in K) = 1 - (1 - p)^K within the Monte Carlo error of 1,000 brands.
    brands, k = 1000, 4
    result = simulate_horizon(
        load_scenario(write_scenario(_shocked(0.0))), horizon=k, brands=brands
    )
    r = result.results["a"]
    p = _p_loss()
    assert r.prob_loss.ci_low < p < r.prob_loss.ci_high
    expected = 1 - (1 - p) ** k
    se = math.sqrt(expected * (1 - expected) / brands)
    assert abs(r.prob_any_loss.value - expected) < 4 * se
    assert r.prob_any_loss.ci_low < expected < r.prob_any_loss.ci_high
    # No between-brand spread beyond the binomial noise of 200 campaigns.
    assert r.conditional_se == pytest.approx(math.sqrt(p * (1 - p) / 200), rel=0.05)
    assert r.conditional_sd < 0.02


@pytest.mark.statistical
def test_shared_parts_make_losses_cluster_in_brands():
    # Coffee's levels persist: a brand that loses tends to lose again, so at least one loss
    # in 4 is less likely than for independent campaigns, and brands' risks spread out.
    scenario = load_scenario(COFFEE)
    r = simulate_horizon(scenario, horizon=4, brands=200, strategies=("nano_heavy",)).results[
        "nano_heavy"
    ]
    assert r.prob_any_loss.ci_high < r.independent_prob_any_loss.ci_low
    assert r.conditional_sd > 3 * r.conditional_se
    assert r.conditional_p5 < r.prob_loss.value < r.conditional_p95


@pytest.mark.reproducibility
def test_same_numbers_across_chunk_sizes_workers_and_strategy_subsets():
    scenario = load_scenario(COFFEE)
    base = simulate_horizon(scenario, horizon=3, brands=12, seed=7)
    others = [
        simulate_horizon(scenario, horizon=3, brands=12, seed=7, chunk_size=1024),
        simulate_horizon(
            scenario,
            horizon=3,
            brands=12,
            seed=7,
            chunk_size=1024,
            workers=2,
            executor="processes",
        ),
    ]
    for other in others:
        pd.testing.assert_frame_equal(base.frame(), other.frame())
        pd.testing.assert_frame_equal(base.brands_frame(), other.brands_frame())
    alone = simulate_horizon(scenario, horizon=3, brands=12, seed=7, strategies=("micro_heavy",))
    pd.testing.assert_frame_equal(
        alone.frame().reset_index(drop=True),
        base.frame()[base.frame()["strategy"] == "micro_heavy"].reset_index(drop=True),
    )
    again = simulate_horizon(scenario, horizon=3, brands=12, seed=7)
    pd.testing.assert_frame_equal(base.brands_frame(), again.brands_frame())


@pytest.mark.exact
def test_bad_arguments_name_themselves(write_scenario):
    scenario = load_scenario(write_scenario())
    with pytest.raises(ArgumentError, match=r"horizon: must be a whole number >= 1, got 0"):
        simulate_horizon(scenario, horizon=0)
    with pytest.raises(ArgumentError, match=r"brands: must be a whole number >= 2, got 1"):
        simulate_horizon(scenario, horizon=2, brands=1)
    outcomes = simulate(scenario, campaigns=1000)
    with pytest.raises(ArgumentError, match=r"1,000 campaigns are not 3 brands"):
        horizon_of(outcomes, horizon=2, brands=3)


@pytest.mark.exact
def test_fewer_brands_than_campaigns_says_the_contrast_is_approximate(write_scenario):
    result = simulate_horizon(load_scenario(write_scenario(_shocked(0.5))), horizon=3, brands=2)
    assert not result.independent_exact
    assert result.frame().shape == (12, 10)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.cli
def test_cli_table_json_csv_and_folder(runner, tmp_path):
    out = tmp_path / "h"
    args = ["horizon", COFFEE, "--horizon", "4", "--brands", "20", "-q", "-o", str(out)]
    table = runner.invoke(main, [*args], env={"COLUMNS": "100"})
    assert table.exit_code == 0, table.output
    assert "P(at least one loss in 4 campaigns) is the risk over the horizon" in " ".join(
        table.stdout.split()
    )
    assert "estimate intervals" in table.stdout and "outcome intervals" in table.stdout
    assert "results written to" in table.stderr

    data = json.loads(runner.invoke(main, [*args, "--format", "json"]).stdout)
    assert data["horizon"] == 4 and data["brands"] == 20 and data["campaigns_per_brand"] == 200
    assert data["campaigns"] == 4000 and len(data["scenario"]["sha256"]) == 64
    entry = data["strategies"]["nano_heavy"]["prob_any_loss"]
    assert entry["ci"][0] <= entry["value"] <= entry["ci"][1]
    assert set(data["strategies"]["nano_heavy"]) >= {"label", "prob_loss", "total_profit_p95"}

    csv = runner.invoke(main, [*args, "--format", "csv"]).stdout
    assert csv.splitlines()[0].startswith("strategy,statistic,horizon,value,ci_low,ci_high")
    assert len(csv.splitlines()) == 1 + 2 * 12

    files = {p.name for p in out.iterdir()}
    assert files == {"horizon.csv", "brands.csv", "horizon.json", "priors.csv", "manifest.json"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "horizon" and manifest["settings"]["horizon"] == 4
    assert manifest["seed"] == data["seed"] and manifest["scenario"]["sha256"]
    brands = pd.read_csv(out / "brands.csv")
    assert len(brands) == 2 * 20
    assert list(brands.columns) == [
        "brand",
        "strategy",
        "conditional_prob_loss",
        "losses_in_horizon",
        "total_profit",
    ]
    saved = pd.read_csv(out / "horizon.csv")
    mean = saved.query("strategy == 'nano_heavy' and statistic == 'total_profit_mean'")
    assert mean["value"].iloc[0] == pytest.approx(
        brands.query("strategy == 'nano_heavy'")["total_profit"].mean()
    )


@pytest.mark.cli
def test_cli_help_lists_the_command_with_examples(runner):
    listing = runner.invoke(main, ["--help"]).output
    assert "horizon" in listing
    assert listing.index(" compare ") < listing.index(" horizon ") < listing.index(" report ")
    result = runner.invoke(main, ["horizon", "--help"])
    assert result.exit_code == 0 and "--horizon" in result.output and "Examples:" in result.output


@pytest.mark.cli
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--horizon", "0"], "0 is not in the range x>=1"),
        (["--horizon", "4", "--brands", "1"], "1 is not in the range x>=2"),
        ([], "Missing option '--horizon'"),
        (["--horizon", "4", "--strategy", "nope"], "no strategy 'nope'"),
        (["--horizon", "4", "--format", "xml"], "'xml' is not one of"),
        (["--horizon", "100000000000"], "--horizon: 2,000 brands x 100,000,000,000 campaigns"),
        (["--horizon", "4", "--brands", "1000000000000"], "--brands: 1,000,000,000,000 brands"),
        (["--horizon", "4", "--chunk-size", "0"], "0 is not in the range x>=1"),
    ],
)
def test_cli_bad_options_exit_2_without_traceback(runner, tmp_path, args, message):
    result = runner.invoke(main, ["horizon", COFFEE, *args, "-q", "-o", str(tmp_path / "h")])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "h").exists()


@pytest.mark.cli
def test_cli_bad_scenario_exits_2(runner, write_scenario, tmp_path):
    bad = write_scenario(deep_update(FIXED_SCENARIO, {"economics": {"gross_margn": 0.5}}))
    result = runner.invoke(main, ["horizon", str(bad), "-k", "2", "-o", str(tmp_path / "h")])
    assert result.exit_code == 2 and "gross_margn" in result.stderr
    assert "Traceback" not in result.output
