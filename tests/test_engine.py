"""The vectorized engine: exact hand-computed campaigns, statistics against analytic means,
common random numbers, and numbers independent of chunk size and workers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import EXAMPLES, FIXED_SCENARIO, FIXED_TIER, deep_update
from scipy import special, stats

from campaign_sim.engine.draws import Layout, draw_chunk
from campaign_sim.engine.vectorized import simulate
from campaign_sim.random.streams import block_ranges
from campaign_sim.scenario.loading import load_scenario


@pytest.mark.exact
def test_all_fixed_campaign_matches_the_hand_computation(write_scenario):
    # 3 creators x 2 posts x 5,000 followers x 5% engagement = 1,500 engagements;
    # x 10% conversion = 150 orders x NT$1,000 = 150,000 revenue, 75,000 gross profit;
    # cost 3 x (2 x 10,000 + 500) + 1,000 = 62,500; ROI = 12,500 / 62,500 = 0.2.
    # Unique reach in a niche of 1,000,000 people: each creator reaches 5,000 x (1 - 0.7^2)
    # = 2,550 different people, so 10^6 x (1 - (1 - 0.00255)^3) of them see at least one post.
    data = deep_update(FIXED_SCENARIO, {"niche": {"people": {"default": 1_000_000}}})
    outcomes = simulate(load_scenario(write_scenario(data)), campaigns=50, seed=3)
    v = outcomes.values["a"]
    unique = 1e6 * (1 - (1 - 0.00255) ** 3)
    expected = {
        "engagements": 1500,
        "conversions": 150,
        "revenue": 150_000,
        "gross_profit": 75_000,
        "cost": 62_500,
        "profit": 12_500,
        "roi": 0.2,
        "roas": 2.4,
        "reach": 9000,
        "cpm": 1000 * 62_500 / 9000,
        "cpe": 62_500 / 1500,
        "cpa": 62_500 / 150,
        "creators": 3,
        "delivered": 3,
        "unique_reach": unique,
        "frequency": 9000 / unique,
        "cpm_unique": 1000 * 62_500 / unique,
    }
    assert set(expected) == set(v)
    for metric, value in expected.items():
        np.testing.assert_allclose(v[metric], value, rtol=1e-12, err_msg=metric)


@pytest.mark.exact
def test_fake_share_delivery_and_fees_on_delivery_exactly(write_scenario):
    priors = deep_update(
        {
            "name": "p",
            "shock_sigma": 0,
            "tiers": {"nano": {**FIXED_TIER, "platforms": {"instagram": {}}}},
        },
        {"tiers": {"nano": {"fake_share": 0.2, "delivery_probability": 0}}},
    )
    data = deep_update(FIXED_SCENARIO, {"economics": {"fees_paid": "on_delivery"}})
    v = simulate(load_scenario(write_scenario(data, priors=priors)), campaigns=10).values["a"]
    # Nobody delivers: no engagement, and fees are not paid; overhead and fixed cost remain.
    np.testing.assert_array_equal(v["engagements"], 0)
    np.testing.assert_allclose(v["cost"], 3 * 500 + 1000)
    priors["tiers"]["nano"]["delivery_probability"] = 1
    v = simulate(load_scenario(write_scenario(data, priors=priors)), campaigns=10).values["a"]
    np.testing.assert_allclose(v["engagements"], 3 * 2 * 5000 * 0.8 * 0.05)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("base", "per_creator"),
    [
        ("reach", 2 * 5000 * 0.3 * 0.1),  # per post reached, two posts
        ("followers", 5000 * 0.1),  # once per follower, however many posts
    ],
)
def test_conversion_base_is_explicit(write_scenario, base, per_creator):
    data = deep_update(FIXED_SCENARIO, {"economics": {"conversion_base": base}})
    v = simulate(load_scenario(write_scenario(data)), campaigns=5).values["a"]
    np.testing.assert_allclose(v["conversions"], 3 * per_creator)


@pytest.mark.exact
def test_budget_group_hires_while_the_next_fee_fits(write_scenario):
    data = deep_update(
        FIXED_SCENARIO,
        {
            "strategies": {
                "a": {
                    "groups": [
                        {
                            "tier": "nano",
                            "platform": "instagram",
                            "deliverables": 1,
                            "budget": 35_000,
                        }
                    ]
                }
            }
        },
    )
    v = simulate(load_scenario(write_scenario(data)), campaigns=5).values["a"]
    np.testing.assert_array_equal(v["creators"], 3)  # 30,000 fits, 40,000 does not


@pytest.mark.exact
def test_random_budget_group_never_overspends():
    scenario = load_scenario(EXAMPLES[0])
    layout = Layout.of(scenario)
    draws = draw_chunk(scenario, layout, 5, list(block_ranges(3000)))
    checked = 0
    for group in draws.groups:
        if group.hired is None:
            continue
        plan = group.slots.group
        fees = draws.pools[plan.pool].fee[group.rows] * plan.deliverables
        spent = (fees * group.hired).sum(axis=0)
        assert np.all(spent <= plan.budget)
        # Hired creators are a prefix of the draw order.
        assert np.all(np.diff(group.hired.astype(int), axis=0) <= 0)
        assert group.hired.sum(axis=0).std() > 0  # the count is random
        checked += 1
    assert checked


@pytest.mark.statistical
def test_mean_conversions_match_the_analytic_mean(write_scenario):
    """Independent draws: E[C] = n k p E[F] E[ER] E[CR] E[S], within 4 standard errors."""
    priors = {
        "name": "p",
        "shock_sigma": 0.3,
        "tiers": {
            "nano": {
                **FIXED_TIER,
                "followers": {"family": "loguniform", "low": 1000, "high": 10000},
                "delivery_probability": 0.9,
                "engagement_rate": {"family": "beta", "range": [0.05, 0.088]},
                "conversion_rate": {"family": "beta", "range": [0.05, 0.08]},
                "fee": {"family": "lognormal", "range": [5000, 20000]},
                "platforms": {"instagram": {}},
            }
        },
    }
    scenario = load_scenario(write_scenario(FIXED_SCENARIO, priors=priors))
    v = simulate(scenario, campaigns=40_000, seed=7).values["a"]
    group = scenario.strategies[0].groups[0]
    expected = (
        3
        * 2
        * 0.9
        * group.dist("followers").mean()
        * group.dist("engagement_rate").mean()
        * group.dist("conversion_rate").mean()
        * math.exp(0.3**2 / 2)
    )
    se = v["conversions"].std() / math.sqrt(v["conversions"].size)
    assert abs(v["conversions"].mean() - expected) < 4 * se
    expected_cost = 3 * (2 * group.dist("fee").mean() + 500) + 1000
    se = v["cost"].std() / math.sqrt(v["cost"].size)
    assert abs(v["cost"].mean() - expected_cost) < 4 * se


@pytest.mark.statistical
def test_estimate_interval_covers_the_known_mean_at_its_nominal_rate(write_scenario):
    """Mean ROI is known exactly when only the order value and the shock are random:
    ROI = (margin E[AOV] E[S] C - cost) / cost. Over 200 seeds the 95% CI should cover it
    in 95% +- 3 binomial standard errors (sd 1.5 points) of the runs."""
    data = deep_update(
        FIXED_SCENARIO,
        {
            "economics": {"aov": {"family": "lognormal", "range": [600, 1200]}},
            "shock": {"sigma": 0.4},
        },
    )
    scenario = load_scenario(write_scenario(data))
    truth = (0.5 * scenario.aov.mean() * math.exp(0.4**2 / 2) * 150 - 62_500) / 62_500
    covered = 0
    runs = 200
    for seed in range(runs):
        roi = simulate(scenario, campaigns=1000, seed=seed).values["a"]["roi"]
        half = 1.959964 * roi.std(ddof=1) / math.sqrt(roi.size)
        covered += abs(roi.mean() - truth) <= half
    se = math.sqrt(0.95 * 0.05 / runs)
    assert abs(covered / runs - 0.95) < 3 * se


@pytest.mark.reproducibility
def test_numbers_do_not_depend_on_chunk_size():
    scenario = load_scenario(EXAMPLES[0])
    reference = simulate(scenario, campaigns=5000, seed=11, chunk_size=1024)
    for chunk in (3000, 4096, 100_000):
        other = simulate(scenario, campaigns=5000, seed=11, chunk_size=chunk)
        for name in scenario.strategies:
            for metric in scenario.outcomes:
                np.testing.assert_array_equal(
                    other.values[name.name][metric], reference.values[name.name][metric]
                )


@pytest.mark.reproducibility
@pytest.mark.slow
def test_numbers_do_not_depend_on_workers():
    scenario = load_scenario(EXAMPLES[0])
    serial = simulate(scenario, campaigns=6000, seed=2, chunk_size=2048, workers=1)
    parallel = simulate(scenario, campaigns=6000, seed=2, chunk_size=2048, workers=2)
    for name in serial.strategies:
        for metric in scenario.outcomes:
            np.testing.assert_array_equal(
                parallel.values[name][metric], serial.values[name][metric]
            )


@pytest.mark.reproducibility
def test_same_seed_same_numbers_other_seed_other_numbers():
    scenario = load_scenario(EXAMPLES[0])
    one = simulate(scenario, campaigns=2000, seed=5).values
    two = simulate(scenario, campaigns=2000, seed=5).values
    three = simulate(scenario, campaigns=2000, seed=6).values
    name = scenario.strategies[0].name
    np.testing.assert_array_equal(one[name]["roi"], two[name]["roi"])
    assert not np.array_equal(one[name]["roi"], three[name]["roi"])


@pytest.mark.reproducibility
def test_a_strategy_sees_the_same_numbers_whatever_else_the_scenario_holds(tmp_path):
    """Common random numbers: streams are per pool and slot, not per strategy."""
    import yaml

    source = EXAMPLES[0]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    both = load_scenario(source)
    first = next(iter(data["strategies"]))
    alone_data = {**data, "strategies": {first: data["strategies"][first]}}
    alone_path = tmp_path / "alone.yaml"
    alone_path.write_text(yaml.safe_dump(alone_data, allow_unicode=True), encoding="utf-8")
    a = simulate(load_scenario(alone_path), campaigns=3000, seed=9).values[first]
    b = simulate(both, campaigns=3000, seed=9).values[first]
    np.testing.assert_array_equal(a["roi"], b["roi"])


@pytest.mark.statistical
def test_strategies_share_the_campaign_shock():
    """With CRN the two strategies' revenues are strongly correlated across campaigns."""
    scenario = load_scenario(EXAMPLES[0])
    v = simulate(scenario, campaigns=5000, seed=1).values
    names = [s.name for s in scenario.strategies]
    rho = stats.spearmanr(v[names[0]]["revenue"], v[names[1]]["revenue"]).statistic
    assert rho > 0.5


@pytest.mark.statistical
@pytest.mark.parametrize("rho", [0.6, -0.4])
def test_copulas_give_the_requested_rank_correlation(write_scenario, rho):
    priors = {
        "name": "p",
        "shock_sigma": 0,
        "tiers": {
            "nano": {
                **FIXED_TIER,
                "followers": {"family": "loguniform", "low": 1000, "high": 10000},
                "engagement_rate": {"family": "beta", "range": [0.05, 0.088]},
                "conversion_rate": {"family": "beta", "range": [0.05, 0.08]},
                "fee": {"family": "lognormal", "range": [5000, 20000]},
                "platforms": {"instagram": {}},
            }
        },
    }
    data = deep_update(
        FIXED_SCENARIO, {"correlations": {"followers_fee": rho, "engagement_conversion": rho}}
    )
    scenario = load_scenario(write_scenario(data, priors=priors))
    draws = draw_chunk(scenario, Layout.of(scenario), 1, list(block_ranges(20_000)))
    pool = draws.pools["nano/instagram"]
    # Fees are creators priors sharing 0.2 with the pool (the default): the stated rank
    # correlation holds for the creators' values, over creators and campaigns.
    assert scenario.strategies[0].groups[0].priors["fee"].shared == 0.2
    got_fee = stats.spearmanr(pool.followers.ravel(), pool.fee.ravel()).statistic
    # Engagement and conversion are level priors: the correlation is that of each creator's
    # deviations from the two levels, within a campaign (docs/model.md, Correlations).
    er, cr = (
        special.logit(a) - special.logit(a).mean(axis=0)
        for a in (pool.engagement_rate, pool.conversion_rate)
    )
    got_rate = stats.spearmanr(er.ravel(), cr.ravel()).statistic
    # Spearman's rho of 60,000 pairs has a standard error below 0.005.
    assert got_fee == pytest.approx(rho, abs=0.02)
    assert got_rate == pytest.approx(rho, abs=0.02)


@pytest.mark.reproducibility
def test_budget_rows_drawn_lazily_give_the_same_numbers(monkeypatch):
    """Fees are drawn for a guess of rows and redrawn for more when a budget could still
    hire: the result must not depend on the guess."""
    import campaign_sim.engine.draws as draws

    scenario = load_scenario(EXAMPLES[0])
    reference = simulate(scenario, campaigns=3000, seed=4)
    monkeypatch.setattr(draws, "_rows_guess", lambda slots, funnel: slots.offset + 1)
    retried = simulate(scenario, campaigns=3000, seed=4)
    for name in reference.strategies:
        for metric in scenario.outcomes:
            np.testing.assert_array_equal(
                retried.values[name][metric], reference.values[name][metric]
            )
