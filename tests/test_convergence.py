"""Runs to a target precision, Monte Carlo standard errors, and the thin-tail warnings."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from campaign_sim.analysis.compare import compare
from campaign_sim.analysis.convergence import (
    _quantile_error,
    precision_of,
    run_to_precision,
    tail_warnings,
)
from campaign_sim.analysis.mcse import mean_error
from campaign_sim.analysis.stats import summarize
from campaign_sim.cli import main
from campaign_sim.engine.vectorized import Outcomes, simulate
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.random.streams import BLOCK
from campaign_sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
COFFEE = ROOT / "scenarios" / "coffee-launch.yaml"


@pytest.fixture(scope="module")
def plan():
    return load_scenario(COFFEE)


def _same(a: Outcomes, b: Outcomes) -> None:
    assert a.campaigns == b.campaigns and a.seed == b.seed
    for name in a.strategies:
        for metric, values in a.values[name].items():
            np.testing.assert_array_equal(values, b.values[name][metric])


@pytest.mark.exact
def test_iid_error_is_sd_over_root_n():
    values = np.array([1.0, 2.0, 4.0, 7.0, np.nan])
    error = mean_error(values, RANDOM)
    assert error.se == pytest.approx(np.std([1, 2, 4, 7], ddof=1) / 2)
    assert error.half_width() == pytest.approx(1.959963985 * error.se)


@pytest.mark.exact
def test_block_error_is_the_spread_of_whole_block_means():
    block_means = np.array([1.0, 3.0, 2.0, 2.0])
    values = np.concatenate([np.repeat(block_means, BLOCK), [100.0] * 10])  # partial block
    error = mean_error(values, Sampling("lhs"))
    assert error.method == "blocks" and error.dof == 3
    assert error.se == pytest.approx(np.std(block_means, ddof=1) / 2)
    assert error.half_width() == pytest.approx(3.182446305 * error.se)
    few = mean_error(values[: 3 * BLOCK + 5], Sampling("sobol"))
    assert few.method == "iid-fallback"
    assert few.se == pytest.approx(mean_error(values[: 3 * BLOCK + 5], RANDOM).se)


@pytest.mark.exact
def test_stratified_summary_reports_the_replicate_error(plan):
    outcomes = simulate(plan, campaigns=4 * BLOCK, sampling="sobol")
    roi = summarize(outcomes).metrics["nano_heavy"]["roi"]
    assert roi.se == pytest.approx(
        mean_error(outcomes.values["nano_heavy"]["roi"], outcomes.sampling).se
    )
    assert roi.se < roi.sd / math.sqrt(roi.n)  # far below the iid formula


@pytest.mark.statistical
@pytest.mark.slow
def test_replicate_error_matches_the_spread_over_seeds(plan):
    """The block-replicate standard error of one LHS run agrees with the standard deviation of
    the means of 20 independent runs (both estimate the same thing)."""
    means, errors = [], []
    for seed in range(20):
        roi = simulate(plan, campaigns=4 * BLOCK, seed=seed, sampling="lhs").values["nano_heavy"][
            "roi"
        ]
        means.append(roi.mean())
        errors.append(mean_error(roi, Sampling("lhs")).se)
    ratio = math.sqrt(np.mean(np.square(errors))) / np.std(means, ddof=1)
    # sd of 20 means: ~16% relative error; rms of 20 3-dof errors: ~9%. 3 sigma either way.
    assert 0.6 < ratio < 1.6, ratio


@pytest.mark.reproducibility
@pytest.mark.parametrize("sampling", ["random", "sobol"])
def test_converged_run_equals_a_plain_run_and_meets_the_target(plan, sampling):
    precision = 0.008 if sampling == "random" else 0.003
    result = run_to_precision(plan, precision=precision, max_campaigns=200_000, sampling=sampling)
    assert result.converged
    assert result.history["campaigns"].nunique() >= 2  # it needed more than the first batch
    assert result.campaigns % BLOCK == 0
    _same(result.outcomes, simulate(plan, campaigns=result.campaigns, sampling=sampling))
    for name in result.outcomes.strategies:
        got = precision_of(result.outcomes.values[name]["roi"], result.outcomes.sampling)
        assert got["roi_half_width"] <= precision
        assert got["prob_loss_half_width"] <= precision


@pytest.mark.reproducibility
def test_the_cap_stops_the_run_and_says_so(plan):
    result = run_to_precision(plan, precision=1e-4, max_campaigns=3000, chunk_size=BLOCK)
    assert not result.converged and result.campaigns == 3000
    _same(result.outcomes, simulate(plan, campaigns=3000))


@pytest.mark.exact
def test_precision_must_be_positive(plan):
    with pytest.raises(ValueError, match="precision"):
        run_to_precision(plan, precision=0, max_campaigns=10)


@pytest.mark.exact
def test_quantile_error_from_order_statistics():
    values = np.arange(10_000) / 10_000
    # ranks 500 -/+ 1.96 sqrt(10000 * 0.05 * 0.95) = 500 -/+ 42.7 -> 457 .. 543
    assert _quantile_error(values, 0.05) == pytest.approx((543 - 457) / 2 / 10_000)


@pytest.mark.statistical
def test_thin_tails_are_flagged_and_large_runs_are_not(plan):
    small = simulate(plan, campaigns=1000)
    warnings = tail_warnings(summarize(small), small)
    assert any("only 50 campaigns in the worst 5%" in w for w in warnings)
    assert any("P95 of ROI" in w for w in warnings)
    large = simulate(plan, campaigns=20_000)
    assert tail_warnings(summarize(large), large) == []
    few_blocks = simulate(plan, campaigns=3000, sampling="lhs")
    assert any(
        "fewer than 4 whole blocks" in w for w in tail_warnings(summarize(few_blocks), few_blocks)
    )


@pytest.mark.cli
def test_cli_run_to_precision_records_how_it_got_there(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        main,
        ["run", str(COFFEE), "--precision", "0.02", "--sampling", "sobol", "--antithetic",
         "-o", str(out), "--format", "json", "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "precision ±0.02 on mean ROI and P(loss) reached after 8,192 campaigns" in result.stderr
    assert json.loads(result.stdout)["campaigns"] == 8192
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["sampling"] == "sobol" and manifest["settings"]["antithetic"]
    assert manifest["settings"]["converged"] is True
    history = pd.read_csv(out / "convergence.csv")
    assert set(history["strategy"]) == {"nano_heavy", "micro_heavy"} and history["met"].all()


@pytest.mark.cli
def test_cli_rejects_a_non_positive_precision():
    result = CliRunner().invoke(main, ["run", str(COFFEE), "--precision", "0"])
    assert result.exit_code == 2
    assert "--precision" in result.output


@pytest.mark.exact
def test_stratified_comparison_reports_the_replicate_error_of_the_difference(plan):
    outcomes = simulate(plan, campaigns=6 * BLOCK, sampling="sobol")
    roi = compare(outcomes, "nano_heavy", "micro_heavy").differences["roi"]
    paired = outcomes.values["nano_heavy"]["roi"] - outcomes.values["micro_heavy"]["roi"]
    assert roi.mean_diff_se == pytest.approx(mean_error(paired, outcomes.sampling).se)
    assert roi.mean_diff_se < paired.std(ddof=1) / math.sqrt(paired.size)
    iid = compare(simulate(plan, campaigns=1000), "nano_heavy", "micro_heavy").differences["roi"]
    assert iid.mean_diff_ci_high - iid.mean_diff == pytest.approx(1.959963985 * iid.mean_diff_se)
