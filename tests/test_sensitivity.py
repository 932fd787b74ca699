"""Sensitivity: ranked drivers, one-at-a-time swings, Sobol indices, and the CLI command."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import FIXED_SCENARIO, deep_update

from campaign_sim.analysis.sensitivity import (
    Driver,
    Drivers,
    collect_drivers,
    rank_sensitivity,
    sobol_indices,
    swing,
    swing_inputs,
)
from campaign_sim.cli import main
from campaign_sim.engine.vectorized import simulate
from campaign_sim.random.sampling import RANDOM
from campaign_sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
COFFEE = ROOT / "scenarios" / "coffee-launch.yaml"

# FIXED_SCENARIO: 3 creators x 2 posts x 5,000 followers x ER 0.05 x CR 0.1 = 150 orders;
# cost 3 x (2 x 10,000 + 500) + 1,000 = 62,500; ROI = 0.5 x AOV x 150 x S / 62,500 - 1.
ORDERS, COST, MARGIN = 150, 62_500, 0.5


def _roi(aov: float, shock: float = 1.0, orders: float = ORDERS) -> float:
    return MARGIN * aov * orders * shock / COST - 1


@pytest.fixture
def aov_only(write_scenario):
    """Everything fixed but the order value."""
    data = deep_update(
        FIXED_SCENARIO, {"economics": {"aov": {"family": "lognormal", "range": [600, 1200]}}}
    )
    return load_scenario(write_scenario(data))


@pytest.mark.reproducibility
def test_drivers_keep_the_engines_outcomes():
    plan = load_scenario(COFFEE)
    drivers = collect_drivers(plan, campaigns=2100, seed=3)
    outcomes = simulate(plan, campaigns=2100, seed=3)
    for name in plan.strategies:
        for metric, values in outcomes.values[name.name].items():
            np.testing.assert_array_equal(drivers.outputs[name.name][metric], values)


@pytest.mark.exact
def test_a_single_uncertain_input_explains_everything(aov_only):
    ranked = rank_sensitivity(collect_drivers(aov_only, campaigns=500))
    assert list(ranked["quantity"]) == ["aov"]  # every constant input is left out
    row = ranked.iloc[0]
    assert row["spearman"] == pytest.approx(1.0)
    assert row["rank_r2"] == pytest.approx(1.0)
    assert row["contribution"] == pytest.approx(1.0)


@pytest.mark.statistical
def test_rank_regression_splits_variance_between_independent_inputs():
    """y = 3 a + b + noise with independent uniform a, b: the SRRCs are the standardised
    slopes (3, 1, noise) / sqrt(10 + 1/3 ...), and contributions add up to R²."""
    rng = np.random.default_rng(5)
    n = 20_000
    a, b, c = rng.random((3, n))
    y = 3 * a + b
    drivers = Drivers(
        ("s",),
        {"s": tuple(Driver(x, "campaign", x, "value") for x in ("a", "b", "c"))},
        {"s": np.column_stack([a, b, c])},
        {"s": {"roi": y}},
        n,
        0,
        RANDOM,
    )
    table = rank_sensitivity(drivers).set_index("input")
    assert list(table["rank"]) == [1, 2, 3]
    assert table["contribution"].sum() == pytest.approx(table["rank_r2"].iloc[0])
    # Ranks of y are nearly linear in a and b: SRRC close to 3/sqrt(10) and 1/sqrt(10).
    assert table.loc["a", "srrc"] == pytest.approx(3 / math.sqrt(10), abs=0.03)
    assert table.loc["b", "srrc"] == pytest.approx(1 / math.sqrt(10), abs=0.03)
    # c is independent of y: its Spearman CI covers 0.
    assert table.loc["c", "spearman_ci_low"] < 0 < table.loc["c", "spearman_ci_high"]


@pytest.mark.exact
def test_swing_of_the_order_value_is_exact(aov_only):
    table = swing(aov_only, campaigns=200)
    assert list(table["quantity"]) == ["aov"]
    row = table.iloc[0]
    p10, p90 = (float(aov_only.aov.ppf(q)) for q in (0.1, 0.9))
    assert row["low_value"] == pytest.approx(p10) and row["high_value"] == pytest.approx(p90)
    assert row["at_low"] == pytest.approx(_roi(p10))
    assert row["at_high"] == pytest.approx(_roi(p90))
    assert row["swing"] == pytest.approx(_roi(p90) - _roi(p10))
    assert row["swing_se"] == pytest.approx(0, abs=1e-12)


@pytest.mark.exact
def test_swing_of_a_prior_fixes_every_creators_draw(write_scenario):
    er = {"family": "beta", "range": [0.03, 0.08]}
    data = deep_update(
        FIXED_SCENARIO,
        {"priors": {"tiers": {"nano": {"engagement_rate": er}}}, "shock": {"sigma": 0.3}},
    )
    plan = load_scenario(write_scenario(data))
    names = {item.input: item for item in swing_inputs(plan)}
    assert set(names) == {"shock (product appeal)", "nano engagement rate prior"}
    table = swing(plan, campaigns=300).set_index("input")
    prior = names["nano engagement rate prior"].distribution
    low, high = (float(prior.ppf(q)) for q in (0.1, 0.9))
    shocks = simulate(plan, campaigns=300).values["a"]
    mean_shock = float(np.mean(shocks["conversions"] / shocks["engagements"] / 0.1))
    row = table.loc["nano engagement rate prior"]
    # orders = 3 x 2 x 5,000 x ER x 0.1 x S, so mean ROI at ER = v is linear in the mean shock
    assert row["at_low"] == pytest.approx(_roi(1000, mean_shock, 3000 * low))
    assert row["at_high"] == pytest.approx(_roi(1000, mean_shock, 3000 * high))
    shock = table.loc["shock (product appeal)"]
    assert shock["low_value"] == pytest.approx(math.exp(0.3 * -1.2815515655))
    ers = simulate(plan, campaigns=300).values["a"]["engagements"] / 30_000
    assert shock["at_low"] == pytest.approx(
        float(np.mean([_roi(1000, shock["low_value"], 3000 * e) for e in ers]))
    )


@pytest.mark.exact
def test_swing_lists_a_prior_only_for_strategies_that_use_it():
    table = swing(load_scenario(COFFEE), campaigns=64)
    micro = table[table["strategy"] == "micro_heavy"]
    assert "nano/tiktok fee prior" not in set(micro["input"])
    nano = table[table["strategy"] == "nano_heavy"]
    assert "micro/youtube fee prior" not in set(nano["input"])
    # Reach does not enter ROI when conversions are per engagement: exactly no swing.
    reach = table[table["quantity"] == "reach_rate"]
    assert not reach.empty and (reach["swing"] == 0).all()


@pytest.mark.statistical
def test_sobol_indices_of_a_product_of_two_lognormals(write_scenario):
    """ROI + 1 = k x AOV x S: with X = AOV (sigma_a) and S (sigma_s) independent lognormals,
    S1_aov = (e^{sa²} - 1) / (e^{sa² + ss²} - 1), ST_aov = 1 - S1_shock, and the creators'
    (all fixed) indices are exactly 0."""
    data = deep_update(
        FIXED_SCENARIO,
        {
            "economics": {"aov": {"family": "lognormal", "median": 900, "sigma": 0.3}},
            "shock": {"sigma": 0.4},
        },
    )
    plan = load_scenario(write_scenario(data))
    table = sobol_indices(plan, campaigns=8192).set_index("input")
    sa, ss = 0.3**2, 0.4**2
    total = math.exp(sa + ss) - 1
    expected = {
        "aov": ((math.exp(sa) - 1) / total, 1 - (math.exp(ss) - 1) / total),
        "shock": ((math.exp(ss) - 1) / total, 1 - (math.exp(sa) - 1) / total),
    }
    for name, (s1, st) in expected.items():
        row = table.loc[name]
        # Within twice the bootstrap half-width (about 4 standard errors).
        assert abs(row["s1"] - s1) < 2 * (row["s1_ci_high"] - row["s1"]), (name, row["s1"], s1)
        assert abs(row["st"] - st) < 2 * (row["st_ci_high"] - row["st"]), (name, row["st"], st)
    assert table.loc["creators", "st"] == pytest.approx(0, abs=1e-12)
    assert table.loc["creators", "s1"] == pytest.approx(0, abs=1e-12)


@pytest.mark.cli
def test_cli_sensitivity_writes_the_tables_and_the_manifest(tmp_path):
    out = tmp_path / "sens"
    result = CliRunner().invoke(
        main,
        ["sensitivity", str(COFFEE), "-n", "1500", "--strategy", "nano_heavy", "-o", str(out),
         "--format", "json", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {row["strategy"] for row in data["sensitivity"]} == {"nano_heavy"}
    ranked = pd.read_csv(out / "sensitivity.csv")
    assert ranked.iloc[0]["input"] == "shock (product appeal)"
    assert (out / "swing.csv").exists() and (out / "sensitivity.parquet").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["sampling"] == "random"
    assert manifest["settings"]["output"] == "roi"
    assert "swing.csv" in manifest["files"]


@pytest.mark.cli
def test_cli_sensitivity_rejects_an_unknown_strategy(tmp_path):
    result = CliRunner().invoke(
        main, ["sensitivity", str(COFFEE), "--strategy", "nano_heavvy", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert "did you mean 'nano_heavy'" in result.output
