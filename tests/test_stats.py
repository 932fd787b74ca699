"""Statistics and paired comparison on hand-computable arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from campaign_sim.analysis.compare import compare, difference
from campaign_sim.analysis.stats import proportion_ci, risk_of, summarize, summarize_values
from campaign_sim.engine.vectorized import METRICS, Outcomes


@pytest.mark.exact
def test_metric_summary_on_a_known_array():
    values = np.arange(1.0, 101.0)  # 1..100
    s = summarize_values("profit", values)
    assert s.n == 100 and s.n_undefined == 0
    assert s.mean == 50.5
    assert s.sd == pytest.approx(np.std(values, ddof=1))
    assert s.se == pytest.approx(s.sd / 10)
    assert s.mean_ci_low == pytest.approx(50.5 - 1.959964 * s.se, rel=1e-6)
    assert s.p5 == pytest.approx(np.percentile(values, 5))
    assert s.p50 == 50.5


@pytest.mark.exact
def test_undefined_ratios_are_counted_not_averaged():
    s = summarize_values("cpa", np.array([10.0, 20.0, np.inf, np.nan]))
    assert s.n == 2 and s.n_undefined == 2 and s.mean == 15.0


@pytest.mark.exact
def test_wilson_interval():
    low, high = proportion_ci(10, 100)
    # Reference values of the Wilson score interval for 10/100 at 95%.
    assert low == pytest.approx(0.05523, abs=1e-4)
    assert high == pytest.approx(0.17437, abs=1e-4)
    assert proportion_ci(0, 50)[0] == pytest.approx(0.0, abs=1e-15)


@pytest.mark.exact
def test_risk_measures_on_a_known_array():
    profit = np.arange(-50.0, 50.0)  # -50..49, 100 campaigns
    roi = profit / 100
    r = risk_of("a", profit, roi, roi_target=0.2)
    assert r.prob_loss == 0.5
    assert r.prob_above_target == pytest.approx(29 / 100)  # 21..49
    assert r.expected_shortfall == pytest.approx(np.mean([-50, -49, -48, -47, -46]))
    # A profit, as the expected shortfall, by the tables' P5 rule (linear interpolation):
    # -50 + 0.05 x 99 = -45.05; it was a positive loss, the 5th order statistic: 46.
    assert r.value_at_risk == pytest.approx(-45.05)
    assert r.value_at_risk == summarize_values("profit", profit).p5


def _outcomes(a: dict, b: dict, n: int) -> Outcomes:
    full = {}
    for name, given in (("a", a), ("b", b)):
        full[name] = {m: given.get(m, np.ones(n)) for m in METRICS}
    return Outcomes(("a", "b"), full, n, 0)


@pytest.mark.statistical
def test_paired_difference_uses_the_pairs():
    rng = np.random.default_rng(0)
    shared = rng.normal(0, 10, 10_000)
    a = shared + 1.0
    b = shared + rng.normal(0, 0.1, shared.size)
    d = difference("roi", a, b)
    # The shared part cancels: the se is that of the small independent noise, not of shared.
    assert d.mean_diff_se == pytest.approx(0.1 / math.sqrt(shared.size), rel=0.05)
    assert d.mean_diff_ci_low < 1.0 < d.mean_diff_ci_high
    assert d.prob_a_better == 1.0
    assert d.correlation > 0.99


@pytest.mark.exact
def test_compare_and_summarize_fit_together():
    n = 1000
    profit_a = np.linspace(-10, 30, n)
    profit_b = np.linspace(-20, 20, n)
    outcomes = _outcomes(
        {"profit": profit_a, "roi": profit_a / 10}, {"profit": profit_b, "roi": profit_b / 10}, n
    )
    summary = summarize(outcomes, labels={"a": "Nano", "b": "Micro"})
    assert summary.risk["a"].prob_loss == pytest.approx(0.25, abs=0.001)
    assert summary.risk["b"].prob_loss == pytest.approx(0.5, abs=0.001)
    as_dict = summary.to_dict()
    assert as_dict["a"]["label"] == "Nano"
    assert set(as_dict["a"]["roi"]) >= {"mean", "mean_ci", "p5", "p50", "p95"}
    comparison = compare(outcomes, "a", "b")
    assert comparison.differences["profit"].mean_diff == pytest.approx(10.0)
    assert comparison.differences["profit"].prob_a_better == 1.0
    frame = summary.frame()
    assert set(frame["strategy"]) == {"a", "b"}
    assert len(frame) == 2 * len(METRICS)


@pytest.mark.exact
def test_a_better_follows_each_metrics_direction():
    """Higher is better for profit, lower for cost: A better = A > B, then A < B; a metric
    with no better way (creators) counts A > B."""
    cost_a = np.array([10.0, 20.0, 30.0, 40.0])
    cost_b = np.array([15.0, 15.0, 35.0, 35.0])  # A cheaper in campaigns 0 and 2
    outcomes = _outcomes(
        {"cost": cost_a, "profit": -cost_a}, {"cost": cost_b, "profit": -cost_b}, 4
    )
    differences = compare(outcomes, "a", "b").differences
    assert differences["cost"].better == "lower"
    assert differences["cost"].prob_a_better == 0.5
    assert differences["profit"].better == "higher"
    assert differences["profit"].prob_a_better == 0.5  # A's profit higher in campaigns 0, 2
    assert difference("cost", cost_a, cost_b, better="lower").prob_a_better == 0.5
    assert difference("cost", cost_a, cost_b + 100, better="lower").prob_a_better == 1.0
    assert difference("cost", cost_a, cost_b + 100).prob_a_better == 0.0  # P(A > B)


@pytest.mark.exact
def test_probability_intervals_follow_the_sampling_design():
    """Independent campaigns: Wilson. Stratified (lhs): mean +- t se of the seed-block means,
    here computed by hand from the 8 whole blocks."""
    from scipy import stats as sps

    from campaign_sim.engine.vectorized import simulate
    from campaign_sim.random.sampling import Sampling
    from campaign_sim.random.streams import BLOCK
    from campaign_sim.scenario.loading import load_scenario

    scenario = load_scenario("scenarios/coffee-launch.yaml")
    lhs = simulate(scenario, campaigns=8 * BLOCK, seed=3, sampling=Sampling("lhs"))
    risk = summarize(lhs).risk["nano_heavy"]
    loss = (lhs.values["nano_heavy"]["profit"] < 0).astype(float)
    block_means = loss.reshape(8, BLOCK).mean(axis=1)
    half = sps.t.ppf(0.975, 7) * block_means.std(ddof=1) / math.sqrt(8)
    assert risk.prob_loss_ci_low == pytest.approx(loss.mean() - half, rel=1e-12)
    assert risk.prob_loss_ci_high == pytest.approx(loss.mean() + half, rel=1e-12)

    random = simulate(scenario, campaigns=8 * BLOCK, seed=3)
    risk = summarize(random).risk["nano_heavy"]
    losses = np.count_nonzero(random.values["nano_heavy"]["profit"] < 0)
    assert (risk.prob_loss_ci_low, risk.prob_loss_ci_high) == proportion_ci(losses, 8 * BLOCK)
