"""The value of a pilot for the optimiser (campaign_sim.optimize.pilot)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from campaign_sim.calibration.prior import robust_logpdf
from campaign_sim.calibration.result import Calibration
from campaign_sim.engine.draws import mean_hire
from campaign_sim.optimize.campaigns import draw_campaign_set
from campaign_sim.optimize.decisions import Decision
from campaign_sim.optimize.pilot import (
    brand_scores,
    choose,
    likelihood_weights,
    pilot_weights,
    preposterior_value,
    value_of_pilot,
)
from campaign_sim.scenario.loading import load_scenario

COFFEE = Path(__file__).resolve().parents[1] / "scenarios" / "coffee-launch.yaml"


def _table(brands: int, horizon: int, plans: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random per-campaign values (plans, brands * horizon) and each campaign's brand."""
    rng = np.random.default_rng(seed)
    brand_of = np.repeat(np.arange(brands), horizon)
    level = rng.normal(0, 1, (plans, brands))[:, brand_of]
    return level + rng.normal(0, 0.5, (plans, brands * horizon)), brand_of


def _utility(values: np.ndarray, brands: int, horizon: int) -> np.ndarray:
    """U_d(b): each plan's mean over each brand's campaigns, by hand (plans, brands)."""
    return values.reshape(values.shape[0], brands, horizon).mean(axis=2)


@pytest.mark.exact
def test_choose_weighted_means_by_hand():
    values = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0], [0.0, 0.0, 9.0]])
    assert choose(values, np.ones(3)) == 2  # means 2, 2, 3
    assert choose(values, np.array([1.0, 1.0, 0.0])) == 1  # 1.5, 2, 0
    assert choose(values, np.array([3.0, 1.0, 0.0])) == 1  # 1.25, 2, 0
    assert choose(values, np.array([1.0, 0.0, 1.0])) == 2  # 2, 2, 4.5
    assert choose(values, 7.0 * np.array([1.0, 1.0, 0.0])) == 1  # only ratios matter


@pytest.mark.exact
def test_choose_ties_go_to_the_lowest_index():
    values = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [0.0, 0.0]])
    assert choose(values, np.ones(2)) == 0  # 2, 2, 2, 0
    assert choose(values, np.array([0.0, 1.0])) == 0
    assert choose(values, np.array([1.0, 0.0])) == 2


@pytest.mark.exact
def test_choose_keeps_to_the_limits():
    values = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 2.0], [0.0, 0.0, 9.0]])
    risk = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    # flat weights: risk means 1/3, 2/3, 2/3
    assert choose(values, np.ones(3), [(risk, 0.5)]) == 0
    assert choose(values, np.ones(3), [(risk, 0.7)]) == 2
    # weights (1, 1, 0): values 1.5, 2, 0; risk 0, 1, 0.5
    assert choose(values, np.array([1.0, 1.0, 0.0]), [(risk, 0.5)]) == 0
    # two limits: plan 2 is excluded by the second (cost means 1, 1, 5)
    cost = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [5.0, 5.0, 5.0]])
    assert choose(values, np.ones(3), [(risk, 0.7), (cost, 2.0)]) == 0
    # no plan meets the limit: the smallest excess (plan 0, 1/3 - 0.1) wins
    assert choose(values, np.ones(3), [(risk, 0.1)]) == 0


@pytest.mark.exact
def test_choose_rejects_bad_weights():
    values = np.zeros((2, 3))
    with pytest.raises(ValueError, match="non-negative"):
        choose(values, np.array([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="non-negative"):
        choose(values, np.zeros(3))
    with pytest.raises(ValueError, match="campaigns"):
        choose(values, np.ones(2))
    with pytest.raises(ValueError, match="NaN"):
        choose(np.array([[np.nan, 1.0], [0.0, 0.0]]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="NaN"):
        choose(values[:, :2], np.ones(2), [(np.array([[0.0, 1.0], [np.nan, 0.0]]), 1.0)])


@pytest.mark.exact
def test_flat_weights_are_worth_exactly_nothing():
    values, brand_of = _table(brands=6, horizon=4, plans=5, seed=1)
    current = choose(values, np.ones(values.shape[1]))
    truths = np.array([0, 1, 2, 3, 4, 5, 0, 3])
    for scale in (1.0, 0.37, 1e-9):
        weights = np.full((len(truths), 6), scale)
        assert preposterior_value(values, brand_of, weights, truths, current)[::2] == (0.0, 0.0)


@pytest.mark.exact
def test_indicator_weights_give_the_evpi_by_hand():
    brands, horizon = 7, 5
    values, brand_of = _table(brands, horizon, plans=6, seed=2)
    utility = _utility(values, brands, horizon)
    current = choose(values, np.ones(values.shape[1]))
    truths = np.array([0, 1, 2, 3, 4, 5, 6, 2, 2])
    value, se, changed = preposterior_value(
        values, brand_of, np.eye(brands)[truths], truths, current
    )
    gains = utility.max(axis=0)[truths] - utility[current, truths]
    assert value == pytest.approx(gains.mean(), rel=1e-12, abs=1e-12)
    assert se == pytest.approx(gains.std(ddof=1) / np.sqrt(len(truths)), rel=1e-9)
    assert changed == np.mean(utility.argmax(axis=0)[truths] != current)
    assert value > 0  # the table is made so that brands' best plans differ


@pytest.mark.exact
def test_indicator_weights_with_a_limit_give_the_constrained_evpi_by_hand():
    brands, horizon = 6, 4
    values, brand_of = _table(brands, horizon, plans=5, seed=3)
    risk, _ = _table(brands, horizon, plans=5, seed=4)
    bound = 0.2
    current = choose(values, np.ones(values.shape[1]), [(risk, bound)])
    utility = _utility(values, brands, horizon)
    allowed = _utility(risk, brands, horizon) <= bound
    assert allowed.any(axis=0).all()  # every brand has a plan within the limit
    best = np.where(allowed, utility, -np.inf).max(axis=0)
    truths = np.arange(brands)
    value, _, _ = preposterior_value(
        values, brand_of, np.eye(brands), truths, current, [(risk, bound)]
    )
    assert value == pytest.approx(np.mean(best - utility[current]), rel=1e-12)


@pytest.mark.exact
def test_sample_information_is_worth_at_most_perfect_information():
    brands, horizon = 8, 3
    for seed in range(20):
        values, brand_of = _table(brands, horizon, plans=6, seed=seed)
        rng = np.random.default_rng(100 + seed)
        truths = rng.integers(brands, size=30)
        weights = rng.lognormal(0, 2, (30, brands))
        current = choose(values, np.ones(values.shape[1]))
        evsi, _, _ = preposterior_value(values, brand_of, weights, truths, current)
        evpi, _, _ = preposterior_value(values, brand_of, np.eye(brands)[truths], truths, current)
        assert evsi <= evpi + 1e-12


@pytest.mark.statistical
def test_bayesian_weights_match_the_exact_preposterior_value():
    """A discrete signal with a known likelihood table: the Monte Carlo value matches the
    exact EVSI, sum_y p(y) max_d E[U_d | y] - E[U_current], within 4 standard errors.
    (Squared likelihoods as weights miss it by 4.8 standard errors here, flat ones by more.)"""
    brands, horizon, signals = 6, 4, 6
    values, brand_of = _table(brands, horizon, plans=8, seed=7)
    utility = _utility(values, brands, horizon)
    likelihood = np.random.default_rng(8).dirichlet(np.ones(signals), brands)  # p(y | b)
    current = choose(values, np.ones(values.shape[1]))
    p_y = likelihood.mean(axis=0)
    exact = 0.0
    for y in range(signals):
        posterior = likelihood[:, y] / likelihood[:, y].sum()
        exact += p_y[y] * (utility @ posterior).max()
    exact -= utility[current].mean()
    assert exact > 0.05  # informative enough to test
    rng = np.random.default_rng(9)
    truths = rng.integers(brands, size=4000)
    y = np.array([rng.choice(signals, p=likelihood[b]) for b in truths])
    weights = likelihood[:, y].T
    value, se, changed = preposterior_value(values, brand_of, weights, truths, current)
    assert abs(value - exact) < 4 * se
    assert 0 < changed < 1


def _calibration(names, mean, covariance) -> Calibration:
    return Calibration(
        updates=(),
        names=tuple(names),
        mean=np.array(mean),
        covariance=np.array(covariance),
        predictive=pd.DataFrame(),
        untouched=(),
        provenance={},
    )


@pytest.mark.exact
def test_likelihood_weights_are_posterior_over_robust_prior_on_shared_names():
    cov = [[0.5, 0.0, 0.0], [0.0, 0.6, -0.1], [0.0, -0.1, 0.4]]
    calibration = _calibration(["a/x", "a/conv", "shock"], [0.3, -0.2, 0.5], cov)
    rng = np.random.default_rng(3)
    # "a/x" is not in the set: left out; "a/other" is not in the posterior: flat
    scores = {name: rng.normal(0, 1, 9) for name in ("a/conv", "shock", "a/other")}
    weights = likelihood_weights(calibration, scores)
    z = np.stack([scores["a/conv"], scores["shock"]], axis=1)
    marginal = stats.multivariate_normal([-0.2, 0.5], np.array(cov)[1:, 1:])
    log_w = marginal.logpdf(z) - robust_logpdf(z).sum(axis=1)
    expected = np.exp(log_w - log_w.max())
    np.testing.assert_allclose(weights, expected, rtol=1e-10)
    assert weights.max() == 1.0
    flat = likelihood_weights(_calibration(["b/x"], [0.0], [[1.0]]), scores)
    assert np.array_equal(flat, np.ones(9))


@pytest.mark.exact
def test_brand_scores_read_one_value_per_brand():
    shock = np.repeat([0.1, -0.4, 2.0], 4)[:10]
    level = np.repeat([1.0, 2.0, 3.0], 4)[:10]
    persistent = {("campaign", "shock"): shock, ("nano/instagram", "fee"): level}
    campaign_set = SimpleNamespace(horizon=4, first=0, campaigns=10, persistent=persistent)
    brand_of, scores = brand_scores(campaign_set)  # type: ignore[arg-type]
    assert brand_of.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
    assert scores["shock"].tolist() == [0.1, -0.4, 2.0]
    assert scores["nano/instagram/fee"].tolist() == [1.0, 2.0, 3.0]
    level[5] = 0.0
    with pytest.raises(ValueError, match="differ within a brand"):
        brand_scores(campaign_set)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="horizon"):
        brand_scores(_with_horizon(campaign_set))  # type: ignore[arg-type]


def _with_horizon(campaign_set: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(**{**vars(campaign_set), "horizon": 1})


@pytest.fixture(scope="module")
def coffee():
    """The coffee launch, 2 count decisions (0-12 nano Instagram, 0-12 nano TikTok), 40 brands
    x 25 campaigns, every plan's profit and the plan chosen now."""
    scenario = load_scenario(COFFEE)
    groups = {}
    for group in scenario.groups:
        groups.setdefault(group.pool, group)
    decisions = tuple(
        Decision(pool, "count", replace(groups[pool], count=1, budget=None), 0, 12)
        for pool in ("nano/instagram", "nano/tiktok")
    )
    campaign_set = draw_campaign_set(
        scenario, decisions, campaigns=1000, seed=scenario.seed, horizon=25
    )
    plans = np.array(list(itertools.product(range(13), range(13))))
    values = campaign_set.outcomes(plans)["profit"]
    current = choose(values, np.ones(values.shape[1]))
    return SimpleNamespace(
        scenario=scenario, set=campaign_set, values=values, current=current, group=groups
    )


@pytest.mark.statistical
@pytest.mark.slow
def test_value_of_a_coffee_pilot_lies_between_nothing_and_perfect(coffee):
    result = value_of_pilot(
        coffee.scenario,
        coffee.set,
        coffee.values,
        coffee.current,
        "nano/instagram",
        12,
        replicates=30,
        seed=0,
    )
    assert result.replicates == 30 and result.creators == 12
    assert result.cost == pytest.approx(
        12 * mean_hire(coffee.group["nano/instagram"], coffee.scenario.funnel), rel=1e-12
    )
    assert result.se > 0
    assert -3 * result.se <= result.value <= result.perfect + 3 * result.se
    assert result.perfect > 0
    assert 0 <= result.changed <= 1
    assert 1 <= result.effective_brands <= 40
    # the same replicates, through the parts: the same numbers
    weights, truths = pilot_weights(
        coffee.scenario, coffee.set, "nano/instagram", 12, replicates=30, seed=0
    )
    brand_of, _ = brand_scores(coffee.set)
    again = preposterior_value(coffee.values, brand_of, weights, truths, coffee.current)
    assert again == (result.value, result.se, result.changed)
    # each brand once before any twice
    assert len(set(truths[:30].tolist())) == 30
    # a pilot whose weights are flat is worth exactly nothing on these campaigns
    ones = np.ones_like(weights)
    flat = preposterior_value(coffee.values, brand_of, ones, truths, coffee.current)
    assert flat[0] == 0.0 and flat[2] == 0.0
    # the weights are the likelihood: judged by the posterior over the brands instead of the
    # truth, the value is the same in expectation (paired; weights squared or square-rooted
    # miss by about 1.5 and 2 standard errors at 100 replicates; at these 30 only grossly
    # wrong weights are caught)
    utility = np.stack([np.bincount(brand_of, row) for row in coffee.values]) / 25
    posterior = weights / weights.sum(axis=1, keepdims=True)
    chosen = np.array([choose(coffee.values, weights[s, brand_of]) for s in range(30)])
    gain = utility[chosen] - utility[coffee.current]  # (replicates, brands)
    judged = (posterior * gain).sum(axis=1)
    by_truth = gain[np.arange(30), truths]
    assert by_truth.mean() == pytest.approx(result.value, rel=1e-12)
    diff = by_truth - judged
    assert abs(diff.mean()) < 4 * diff.std(ddof=1) / np.sqrt(30)
    # the pilot is informative: the truth brand's weight ranks high among the 40 (a
    # percentile of 0.5 on average for weights unrelated to the truth; sd 0.29 / sqrt(30))
    rank = (weights < weights[np.arange(30), truths][:, None]).mean(axis=1)
    assert rank.mean() > 0.5 + 4 * 0.29 / np.sqrt(30)
