"""The funnel past first attributed orders (issue 13): every mechanism on its own in an
all-fixed, hand-computed campaign (amplification, repeat buyers, fee from followers, gifted
creators, incrementality and leakage, agency commission and tax, whole orders); each switched
off reproduces the numbers without it; both engines and every chunk size agree with all on."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from helpers import FIXED_PRIORS, FIXED_SCENARIO, FIXED_TIER, ROOT, deep_update, group
from scipy import stats

from campaign_sim.engine.draws import Layout, draw_chunk
from campaign_sim.engine.timeline import simulate_timeline
from campaign_sim.engine.vectorized import simulate
from campaign_sim.random.streams import block_ranges
from campaign_sim.scenario.loading import load_scenario, read_yaml, scenario_from_dict

#: A niche of a million people: unique reach is then hand-computable too. Each FIXED_SCENARIO
#: creator reaches 5,000 x (1 - 0.7^2) = 2,550 different people over its two posts.
NICHE = {"niche": {"people": {"default": 1_000_000}}}
UNIQUE_DIRECT = 1e6 * (1 - (1 - 2550 / 1e6) ** 3)

#: Amplification, every quantity fixed: per engagement 0.02 shares x 100 people + 0.01 user
#: posts x 200 people = 4 people reached past the followers.
AMPLIFIED = {
    "share_rate": 0.02,
    "reach_per_share": 100,
    "user_post_rate": 0.01,
    "reach_per_user_post": 200,
    "amplified_engagement_rate": 0.01,
    "amplified_conversion_rate": 0.05,
}


def _priors(**nano) -> dict:
    """FIXED_PRIORS (nano: FIXED_TIER, 5,000 followers, 5% engagement, 30% reach, 10%
    conversion, fee 10,000, overhead 500) with the nano tier's quantities changed."""
    priors = deep_update(FIXED_PRIORS, {"tiers": {"nano": nano}})
    assert priors["tiers"]["nano"] == {**FIXED_TIER, "platforms": {"instagram": {}}, **nano}
    return priors


def _run(write_scenario, data, priors=None, *, campaigns=20, seed=3, name="a"):
    scenario = load_scenario(write_scenario(data, priors=priors))
    return simulate(scenario, campaigns=campaigns, seed=seed).values[name]


def _assert_all(v: dict, expected: dict) -> None:
    """Every outcome the run keeps is the hand computation, to rtol 1e-12."""
    assert set(expected) == set(v)
    for metric, value in expected.items():
        np.testing.assert_allclose(v[metric], value, rtol=1e-12, err_msg=metric)


def _base_expected(cost: float = 62_500, conversions: float = 150, reach: float = 9000) -> dict:
    """The FIXED_SCENARIO campaign (tests/test_engine.py): 1,500 engagements, 150 orders,
    NT$150,000 revenue, 75,000 gross profit, cost 62,500."""
    revenue = 1000 * conversions
    return {
        "engagements": 1500,
        "conversions": conversions,
        "revenue": revenue,
        "gross_profit": 0.5 * revenue,
        "cost": cost,
        "profit": 0.5 * revenue - cost,
        "roi": (0.5 * revenue - cost) / cost,
        "roas": revenue / cost,
        "reach": reach,
        "cpm": 1000 * cost / reach,
        "cpe": cost / 1500,
        "cpa": cost / conversions,
        "creators": 3,
        "delivered": 3,
        "unique_reach": UNIQUE_DIRECT,
        "frequency": reach / UNIQUE_DIRECT,
        "cpm_unique": 1000 * cost / UNIQUE_DIRECT,
    }


# --- (1) amplification -----------------------------------------------------------------------


@pytest.mark.exact
@pytest.mark.parametrize(
    ("base", "direct", "amplified"),
    [
        # Per creator and post: A = 5,000, E = 250, R = 1,500; Ra = 250 x 4 = 1,000,
        # Ea = 1,000 x 1% = 10. 3 creators x 2 posts = 6 creator-posts.
        # engagements: direct 6 x 250 x 10% = 150; amplified 6 x 10 x 5% = 3.
        ("engagements", 150, 3),
        # reach: direct 6 x 1,500 x 10% = 900; amplified on Ra: 6 x 1,000 x 5% = 300.
        ("reach", 900, 300),
        # followers: direct once per creator 3 x 5,000 x 10% = 1,500; amplified per post on
        # Ra (the amplified audience is new people each post): 6 x 1,000 x 5% = 300.
        ("followers", 1500, 300),
    ],
)
def test_amplified_reach_engagements_and_orders_by_hand(write_scenario, base, direct, amplified):
    data = deep_update(FIXED_SCENARIO, {**NICHE, "economics": {"conversion_base": base}})
    v = _run(write_scenario, data, _priors(**AMPLIFIED))
    # Reach 9,000 direct + 6 x 1,000 amplified = 15,000; engagements 1,500 + 60 = 1,560.
    # Amplified reach counts as unique (new people): unique = UNIQUE_DIRECT + 6,000.
    conversions = direct + amplified
    unique = UNIQUE_DIRECT + 6000
    expected = _base_expected(conversions=conversions, reach=15_000)
    expected |= {
        "engagements": 1560,
        "cpe": 62_500 / 1560,
        "unique_reach": unique,
        "frequency": 15_000 / unique,
        "cpm_unique": 1000 * 62_500 / unique,
        "amplified_reach": 6000,
        "amplified_engagements": 60,
        "amplified_orders": amplified,
    }
    _assert_all(v, expected)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("share_rate", "user_post_rate", "per_engagement"),
    [(0.02, 0, 0.02 * 100), (0, 0.01, 0.01 * 200), (0.03, 0.005, 0.03 * 100 + 0.005 * 200)],
)
def test_shares_and_user_posts_each_add_reach(
    write_scenario, share_rate, user_post_rate, per_engagement
):
    # 1,500 engagements x people per engagement; engagements 1% of them; orders 5% of those.
    priors = _priors(**{**AMPLIFIED, "share_rate": share_rate, "user_post_rate": user_post_rate})
    v = _run(write_scenario, deep_update(FIXED_SCENARIO, NICHE), priors)
    reach = 1500 * per_engagement
    np.testing.assert_allclose(v["amplified_reach"], reach, rtol=1e-12)
    np.testing.assert_allclose(v["reach"], 9000 + reach, rtol=1e-12)
    np.testing.assert_allclose(v["amplified_engagements"], 0.01 * reach, rtol=1e-12)
    np.testing.assert_allclose(v["conversions"], 150 + 0.05 * 0.01 * reach, rtol=1e-12)


# --- (2) repeat buyers -----------------------------------------------------------------------


def _discount_sum(months: int, rate: float) -> float:
    """sum_{m=1..months} (1 + r)^(-m/12), as a geometric series q (1 - q^months) / (1 - q)."""
    if rate == 0:
        return float(months)
    q = (1 + rate) ** (-1 / 12)
    return q * (1 - q**months) / (1 - q)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("repeat", "margin"),
    [
        # 12 months, 20% buy again 0.5 times a month, 60% margin, 10% a year:
        # 150 new customers -> 30 repeating -> 15 repeat orders a month -> 180 in 12 months;
        # PV = 1,000 x 15 x sum (1.1)^(-m/12) = 15,000 x 11.40 = about 171,000.
        (
            {
                "months": 12,
                "share": 0.2,
                "orders_per_month": 0.5,
                "margin": 0.6,
                "discount_rate": 0.1,
            },
            0.6,
        ),
        # One month, not discounted, the economics' margin (0.5): 15 orders, PV 15,000.
        ({"months": 1, "share": 0.2, "orders_per_month": 0.5}, 0.5),
        # 36 months, 5% a year, half buy again once every 4 months: 75 x 0.25 = 18.75 a month.
        (
            {
                "months": 36,
                "share": 0.5,
                "orders_per_month": 0.25,
                "margin": 0.3,
                "discount_rate": 0.05,
            },
            0.3,
        ),
    ],
)
def test_repeat_revenue_over_the_horizon_by_hand(write_scenario, repeat, margin):
    v = _run(write_scenario, deep_update(FIXED_SCENARIO, {**NICHE, "repeat": repeat}))
    per_month = 150 * repeat["share"] * repeat["orders_per_month"]
    value = 1000 * per_month * _discount_sum(repeat["months"], repeat.get("discount_rate", 0))
    # Gross profit over the horizon: 50% of the first purchases + the repeat margin of the PV.
    profit_horizon = 0.5 * 150_000 + margin * value - 62_500
    expected = _base_expected() | {
        "repeat_orders": per_month * repeat["months"],
        "revenue_horizon": 150_000 + value,
        "profit_horizon": profit_horizon,
        "roi_horizon": profit_horizon / 62_500,
    }
    # roi, roas, profit and revenue stay first purchases: 0.2, 2.4, 12,500, 150,000.
    _assert_all(v, expected)
    assert expected["roi"] == pytest.approx(0.2)


# --- (3) fee from followers ------------------------------------------------------------------

#: Followers and fee random (fee: a creators prior sharing 0.2 with the pool, the default).
RANDOM_FEE = {
    "followers": {"family": "loguniform", "low": 1000, "high": 20000},
    "fee": {"family": "lognormal", "range": [5000, 20000]},
}


@pytest.mark.statistical
@pytest.mark.parametrize(
    ("stated", "prior_set", "target"),
    [
        (None, 0.7, 0.7),  # not stated: the prior set's followers_fee_spearman
        (0.4, 0.7, 0.4),  # stated: the scenario's
        (-0.3, 0.0, -0.3),
    ],
)
def test_fee_follows_followers_at_the_stated_rank_correlation(
    write_scenario, stated, prior_set, target
):
    priors = deep_update(_priors(**RANDOM_FEE), {"followers_fee_spearman": prior_set})
    data = deep_update(FIXED_SCENARIO, group(deliverables=2, count=10))
    data["correlations"] = {"followers_fee": stated}
    scenario = load_scenario(write_scenario(data, priors=priors))
    assert scenario.rho_followers_fee == target
    n = 16 * 1024
    draws = draw_chunk(scenario, Layout.of(scenario), 4, list(block_ranges(n)))
    pool = draws.pools["nano/instagram"]
    followers, fee = pool.followers, pool.fee  # (10 creators, n campaigns)
    # The rank correlation holds over creators and campaigns (docs/model.md, Correlations).
    rho = stats.spearmanr(followers.ravel(), fee.ravel()).statistic
    # Campaigns are independent, creators of one campaign share the fee factor: the standard
    # error from 16 batches of 1,024 whole campaigns.
    batches = [
        stats.spearmanr(f.ravel(), x.ravel()).statistic
        for f, x in zip(np.split(followers, 16, axis=1), np.split(fee, 16, axis=1), strict=True)
    ]
    se = np.std(batches, ddof=1) / math.sqrt(len(batches))
    assert abs(rho - target) < 4 * se, (rho, target, se)
    # The fee's marginal is kept: its mean within 4 se (se from per-campaign means), and one
    # creator's fee over independent campaigns passes a KS test against the prior.
    prior = scenario.strategies[0].groups[0].dist("fee")
    per_campaign = fee.mean(axis=0)
    se_fee = per_campaign.std(ddof=1) / math.sqrt(n)
    assert abs(fee.mean() - prior.mean()) < 4 * se_fee
    assert stats.kstest(fee[0], prior.cdf).pvalue > 1e-3


@pytest.mark.statistical
def test_count_group_mean_fee_is_unchanged_by_the_copula(write_scenario):
    # cost = fees x 2 posts + 3 x 500 overhead + 1,000 fixed: mean fee per post
    # = (cost - 2,500) / 6, the prior's mean with the copula on (0.7) as off.
    priors = deep_update(_priors(**RANDOM_FEE), {"followers_fee_spearman": 0.7})
    scenario = load_scenario(write_scenario(FIXED_SCENARIO, priors=priors))
    assert scenario.rho_followers_fee == 0.7
    fee = (simulate(scenario, campaigns=20_000, seed=8).values["a"]["cost"] - 2500) / 6
    truth = scenario.strategies[0].groups[0].dist("fee").mean()
    se = fee.std(ddof=1) / math.sqrt(fee.size)
    assert abs(fee.mean() - truth) < 4 * se


# --- (4) gifted creators ---------------------------------------------------------------------


@pytest.mark.exact
def test_gifted_creators_cost_their_product_not_a_fee(write_scenario):
    # Everyone takes a product-only deal of NT$2,000: no fees, product 3 x 2,000 = 6,000,
    # overhead 3 x 500 = 1,500 (+ 1,000 fixed = overhead_cost 2,500): cost 8,500.
    # Revenue unchanged (150,000): gross profit 75,000, profit 66,500.
    v = _run(
        write_scenario,
        deep_update(FIXED_SCENARIO, NICHE),
        _priors(gifted_share=1, gifted_cost=2000),
    )
    expected = _base_expected(cost=8500) | {
        "fees": 0,
        "product_cost": 6000,
        "gifted": 3,
        "overhead_cost": 2500,
    }
    _assert_all(v, expected)


@pytest.mark.statistical
def test_half_of_the_creators_take_a_gifted_deal(write_scenario):
    n = 20_000
    v = _run(
        write_scenario,
        FIXED_SCENARIO,
        _priors(gifted_share=0.5, gifted_cost=2000),
        campaigns=n,
        seed=5,
    )
    gifted = v["gifted"]
    # Each of 3 creators independently with probability 0.5: share within 4 se.
    se = math.sqrt(0.5 * 0.5 / (3 * n))
    assert abs(gifted.mean() / 3 - 0.5) < 4 * se
    assert set(np.unique(gifted)) == {0, 1, 2, 3}
    # Per campaign, exactly: g gifted creators cost 2,000 each, the others 2 x 10,000.
    np.testing.assert_allclose(v["product_cost"], 2000 * gifted, rtol=1e-12)
    np.testing.assert_allclose(v["fees"], 20_000 * (3 - gifted), rtol=1e-12)
    np.testing.assert_allclose(v["cost"], 20_000 * (3 - gifted) + 2000 * gifted + 2500, rtol=1e-12)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("share", "commission", "creators", "cost"),
    [
        # Fees only: 3 x 10,000 fits 35,000, a fourth does not; cost 30,000 + 3 x 500 + 1,000.
        (0, 0, 3, 30_000 + 1500 + 1000),
        # Everyone gifted at 2,000: 35,000 / 2,000 = 17.5 -> 17 creators;
        # cost 17 x 2,000 + 17 x 500 + 1,000 = 43,500.
        (1, 0, 17, 34_000 + 8500 + 1000),
        # A commission is a share of fees: a product-only deal pays none, still 17 creators.
        (1, 0.15, 17, 34_000 + 8500 + 1000),
    ],
)
def test_a_budget_buys_more_creators_with_gifted_deals(
    write_scenario, share, commission, creators, cost
):
    priors = _priors(gifted_share=share, gifted_cost=2000)
    data = deep_update(
        FIXED_SCENARIO,
        {"economics": {"agency_commission": commission}, **group(deliverables=1, budget=35_000)},
    )
    v = _run(write_scenario, data, priors)
    np.testing.assert_array_equal(v["creators"], creators)
    np.testing.assert_allclose(v["cost"], cost, rtol=1e-12)
    # Orders follow the creators: 250 engagements x 10% = 25 per creator.
    np.testing.assert_allclose(v["conversions"], 25 * creators, rtol=1e-12)
    if share:
        np.testing.assert_array_equal(v["gifted"], creators)
        np.testing.assert_allclose(v["product_cost"], 2000 * creators, rtol=1e-12)


# --- (5) incrementality and leakage ----------------------------------------------------------


@pytest.mark.exact
def test_incremental_revenue_by_hand(write_scenario):
    # 150 attributed orders; 60% caused by the campaign, 25% of them through leaked codes:
    # 150 x 0.6 x 0.75 = 67.5 caused -> revenue 67,500, gross profit 33,750, profit -28,750.
    data = deep_update(
        FIXED_SCENARIO,
        {**NICHE, "funnel": {"incrementality": 0.6, "attribution_leakage": 0.25}},
    )
    v = _run(write_scenario, data)
    expected = _base_expected(conversions=67.5) | {
        "attributed_orders": 150,
        "attributed_revenue": 150_000,
    }
    _assert_all(v, expected)
    assert expected["roi"] == pytest.approx(-0.46)


# --- (6) agency commission and tax on fees ---------------------------------------------------


@pytest.mark.exact
def test_commission_and_fee_tax_cost_lines_by_hand(write_scenario):
    # Fees 3 x 2 x 10,000 = 60,000; commission 15% = 9,000; tax 5% = 3,000; overhead 1,500
    # and fixed 1,000 (overhead_cost 2,500): cost 74,500, profit 75,000 - 74,500 = 500.
    data = deep_update(
        FIXED_SCENARIO, {**NICHE, "economics": {"agency_commission": 0.15, "fee_tax": 0.05}}
    )
    v = _run(write_scenario, data)
    expected = _base_expected(cost=74_500) | {
        "fees": 60_000,
        "commission": 9000,
        "fee_tax": 3000,
        "overhead_cost": 2500,
    }
    _assert_all(v, expected)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("deliverables", "budget", "creators"),
    [
        # All-in 10,000 x 1.2 = 12,000 a creator: 2 fit 35,000 (fees alone: 3 would).
        (1, 35_000, 2),
        (1, 36_000, 3),  # 3 x 12,000 = 36,000: exactly the budget still fits
        # Two posts: 24,000 a creator; 60,000 buys 2 (fees alone, 20,000 each: 3).
        (2, 60_000, 2),
    ],
)
def test_budget_groups_hire_at_the_all_in_cost(write_scenario, deliverables, budget, creators):
    data = deep_update(
        FIXED_SCENARIO,
        {
            "economics": {"agency_commission": 0.15, "fee_tax": 0.05},
            **group(deliverables=deliverables, budget=budget),
        },
    )
    v = _run(write_scenario, data)
    np.testing.assert_array_equal(v["creators"], creators)
    fees = creators * deliverables * 10_000
    np.testing.assert_allclose(v["fees"], fees, rtol=1e-12)
    np.testing.assert_allclose(v["cost"], 1.2 * fees + 500 * creators + 1000, rtol=1e-12)


# --- (7) whole orders ------------------------------------------------------------------------


def _two_orders(orders: dict) -> dict:
    """One creator, one post: 250 engagements x 0.8% = 2 expected orders; strategy b has two
    such creators (4 expected)."""
    data = deep_update(FIXED_SCENARIO, {"funnel": orders, **group(deliverables=1, count=1)})
    data["strategies"]["b"] = {
        "groups": [{"tier": "nano", "platform": "instagram", "deliverables": 1, "count": 2}]
    }
    return data


TWO_ORDERS_PRIORS = _priors(conversion_rate=0.008)


@pytest.mark.statistical
def test_poisson_orders_of_a_creator_expected_to_sell_two(write_scenario):
    n = 100_000
    scenario = load_scenario(
        write_scenario(_two_orders({"orders": "poisson"}), priors=TWO_ORDERS_PRIORS)
    )
    values = simulate(scenario, campaigns=n, seed=21).values
    orders = values["a"]["conversions"]
    np.testing.assert_array_equal(orders, np.round(orders))  # whole numbers
    # P(0 orders) = e^-2 = 0.135, standard error sqrt(p (1 - p) / n) = 0.0011.
    p0 = math.exp(-2)
    assert abs((orders == 0).mean() - p0) < 4 * math.sqrt(p0 * (1 - p0) / n)
    # Mean 2, variance 2: standard error sqrt(2 / n).
    assert abs(orders.mean() - 2) < 4 * math.sqrt(2 / n)
    assert abs(orders.var(ddof=1) / orders.mean() - 1) < 0.03  # var/mean se about 0.0045 x 2
    # One uniform per campaign for every strategy (common random numbers): twice the
    # expected orders never sell fewer.
    assert np.all(values["b"]["conversions"] >= orders)
    assert (values["b"]["conversions"] > orders).mean() > 0.5


@pytest.mark.statistical
def test_negative_binomial_orders_are_overdispersed(write_scenario):
    n = 100_000
    data = _two_orders({"orders": "negative_binomial", "orders_dispersion": 3.0})
    orders = _run(write_scenario, data, TWO_ORDERS_PRIORS, campaigns=n, seed=22)["conversions"]
    np.testing.assert_array_equal(orders, np.round(orders))
    assert abs(orders.mean() - 2) < 4 * math.sqrt(3 * 2 / n)
    # Mean 2, dispersion 3: size 2 / (3 - 1) = 1, p = 1/3, so P(0) = p^size = 1/3.
    assert abs((orders == 0).mean() - 1 / 3) < 4 * math.sqrt(2 / 9 / n)
    # variance / mean = 3 within 4 se; se of the ratio from 50 batches of 2,000 campaigns.
    ratio = orders.var(ddof=1) / orders.mean()
    batches = orders.reshape(50, -1)
    per_batch = batches.var(axis=1, ddof=1) / batches.mean(axis=1)
    se = per_batch.std(ddof=1) / math.sqrt(50)
    assert abs(ratio - 3) < 4 * se, (ratio, se)


@pytest.mark.exact
def test_expected_orders_are_the_expectation(write_scenario):
    # orders: expected keeps 250 x 0.008 = 2 orders (and 4 for b) in every campaign.
    scenario = load_scenario(
        write_scenario(_two_orders({"orders": "expected"}), priors=TWO_ORDERS_PRIORS)
    )
    values = simulate(scenario, campaigns=50, seed=21).values
    np.testing.assert_allclose(values["a"]["conversions"], 2, rtol=1e-12)
    np.testing.assert_allclose(values["b"]["conversions"], 4, rtol=1e-12)
    np.testing.assert_allclose(values["a"]["revenue"], 2000, rtol=1e-12)


# --- (8) every mechanism switched off is the model without it --------------------------------

#: Random creators and campaigns (so equality is not between constants), Poisson orders, a
#: count strategy and a budget strategy.
RANDOM_PRIORS = deep_update(
    FIXED_PRIORS,
    {
        "shock_sigma": 0.3,
        "tiers": {
            "nano": {
                "followers": {"family": "loguniform", "low": 1000, "high": 10000},
                "delivery_probability": 0.9,
                "engagement_rate": {"family": "beta", "range": [0.03, 0.08]},
                "conversion_rate": {"family": "beta", "range": [0.01, 0.03]},
                "fee": {"family": "lognormal", "range": [5000, 20000]},
                "overhead": {"family": "uniform", "low": 300, "high": 700},
            }
        },
    },
)
RANDOM_SCENARIO = deep_update(
    FIXED_SCENARIO,
    {
        "economics": {"aov": {"family": "lognormal", "range": [600, 1200]}},
        "funnel": {"orders": "poisson"},
        "strategies": {
            "b": {
                "groups": [
                    {"tier": "nano", "platform": "instagram", "deliverables": 1, "budget": 60_000}
                ]
            }
        },
    },
)

#: (case, scenario changes, nano prior changes): off, and a switched-on twin that must differ.
OFF = [
    (
        "share_rate 0",
        {},
        {**AMPLIFIED, "share_rate": 0, "user_post_rate": 0},
    ),
    ("amplification false", {"funnel": {"amplification": False}}, AMPLIFIED),
    ("gifted_share 0", {}, {"gifted_share": 0, "gifted_cost": 2000}),
    ("commission 0", {"economics": {"agency_commission": 0, "fee_tax": 0}}, {}),
    ("incrementality 1", {"funnel": {"incrementality": 1, "attribution_leakage": 0}}, {}),
    ("followers_fee 0", {"correlations": {"followers_fee": 0}}, {}),
]
ON = {
    "share_rate 0": ({}, {**AMPLIFIED, "user_post_rate": 0}, "reach"),
    "amplification false": ({"funnel": {"amplification": True}}, AMPLIFIED, "reach"),
    "gifted_share 0": ({}, {"gifted_share": 0.3, "gifted_cost": 2000}, "cost"),
    "commission 0": ({"economics": {"agency_commission": 0.1, "fee_tax": 0}}, {}, "cost"),
    "incrementality 1": (
        {"funnel": {"incrementality": 0.9, "attribution_leakage": 0}},
        {},
        "revenue",
    ),
    "followers_fee 0": ({"correlations": {"followers_fee": 0.5}}, {}, "cost"),
}


def _outcomes(write_scenario, data, priors, campaigns=3000):
    scenario = load_scenario(write_scenario(data, priors=priors))
    return scenario, simulate(scenario, campaigns=campaigns, seed=17).values


@pytest.mark.exact
@pytest.mark.parametrize(("case", "changes", "prior_changes"), OFF, ids=[c[0] for c in OFF])
def test_each_mechanism_switched_off_reproduces_the_numbers_without_it(
    write_scenario, case, changes, prior_changes
):
    plain, reference = _outcomes(write_scenario, RANDOM_SCENARIO, RANDOM_PRIORS)
    priors = deep_update(RANDOM_PRIORS, {"tiers": {"nano": prior_changes}})
    off, got = _outcomes(write_scenario, deep_update(RANDOM_SCENARIO, changes), priors)
    assert off.outcomes == plain.outcomes
    for name in reference:
        for metric in plain.outcomes:
            np.testing.assert_array_equal(
                got[name][metric], reference[name][metric], err_msg=f"{case}: {name} {metric}"
            )
    # The comparison can fail: the mechanism switched on changes the numbers.
    on_changes, on_priors, metric = ON[case]
    priors = deep_update(RANDOM_PRIORS, {"tiers": {"nano": on_priors}})
    _, on = _outcomes(write_scenario, deep_update(RANDOM_SCENARIO, on_changes), priors)
    assert not np.array_equal(on["a"][metric], reference["a"][metric])


@pytest.mark.exact
def test_repeat_buyers_who_never_return_change_nothing(write_scenario):
    plain, reference = _outcomes(write_scenario, RANDOM_SCENARIO, RANDOM_PRIORS)
    repeat = {"repeat": {"months": 12, "share": 0, "orders_per_month": 0.5, "discount_rate": 0.1}}
    on, got = _outcomes(write_scenario, deep_update(RANDOM_SCENARIO, repeat), RANDOM_PRIORS)
    assert set(plain.outcomes) < set(on.outcomes)
    for name in reference:
        for metric in plain.outcomes:
            np.testing.assert_array_equal(got[name][metric], reference[name][metric])
        np.testing.assert_array_equal(got[name]["repeat_orders"], 0)
        np.testing.assert_array_equal(got[name]["revenue_horizon"], got[name]["revenue"])
        np.testing.assert_array_equal(got[name]["roi_horizon"], got[name]["roi"])


# --- (9, 10) everything on: both engines, every chunk size -----------------------------------

COFFEE = ROOT / "scenarios/coffee-launch.yaml"


def _everything_on():
    d = read_yaml(COFFEE)
    d["economics"].update(agency_commission=0.15, fee_tax=0.05)
    d["funnel"] = {
        "orders": "negative_binomial",
        "orders_dispersion": 2.0,
        "incrementality": {"family": "uniform", "low": 0.5, "high": 0.9},
        "attribution_leakage": 0.1,
    }
    d["repeat"] = {
        "months": 6,
        "share": {"family": "beta", "range": [0.1, 0.3]},
        "orders_per_month": {"family": "lognormal", "range": [0.2, 0.6]},
        "discount_rate": 0.1,
        "margin": 0.6,
    }
    amp = {"user_post_rate": {"family": "beta", "range": [0.002, 0.01]}, "gifted_share": 0.3}
    for tier in ("nano", "micro"):
        d.setdefault("priors", {}).setdefault("tiers", {}).setdefault(tier, {}).update(amp)
    d["timeline"] = {"window_days": 120, "attribution_days": 800, "managers": "unlimited"}
    scenario = scenario_from_dict(d, source=COFFEE)
    assert scenario.mechanisms >= {
        "amplification",
        "unique_reach",
        "attribution",
        "repeat",
        "finance",
        "gifted",
        "cost_lines",
    }
    return scenario


CROSS_ENGINE = (
    "roi",
    "cost",
    "conversions",
    "revenue",
    "profit",
    "engagements",
    "attributed_orders",
    "amplified_orders",
    "repeat_orders",
    "revenue_horizon",
    "profit_horizon",
    "roi_horizon",
    "fees",
    "commission",
    "fee_tax",
    "product_cost",
)


@pytest.mark.cross_engine
def test_both_engines_agree_with_every_mechanism_on():
    scenario = _everything_on()
    result = simulate_timeline(scenario, campaigns=150, seed=11)
    outcomes = simulate(scenario, campaigns=150, seed=11)
    for name in result.strategies:
        assert result.totals[name]["lost"].sum() == 0
        for metric in CROSS_ENGINE:
            np.testing.assert_allclose(
                result.totals[name][metric],
                outcomes.values[name][metric],
                rtol=1e-9,
                err_msg=f"{name} {metric}",
            )
        # Not vacuous: whole orders, amplified and repeat orders, gifts and finance all show.
        v = outcomes.values[name]
        assert np.all(v["attributed_orders"] == np.round(v["attributed_orders"]))
        for metric in ("repeat_orders", "commission", "product_cost"):
            assert np.all(v[metric] > 0), metric
        assert (v["amplified_orders"] > 0).mean() > 0.5  # a whole count: sometimes 0
        assert np.all(v["conversions"] < v["attributed_orders"])


@pytest.mark.reproducibility
def test_every_mechanism_on_does_not_depend_on_chunk_size():
    scenario = _everything_on()
    reference = simulate(scenario, campaigns=5000, seed=12, chunk_size=1024)
    other = simulate(scenario, campaigns=5000, seed=12, chunk_size=3000)
    for name in reference.strategies:
        for metric in scenario.outcomes:
            np.testing.assert_array_equal(
                other.values[name][metric],
                reference.values[name][metric],
                err_msg=f"{name} {metric}",
            )


@pytest.mark.exact
@pytest.mark.filterwarnings("default")
def test_an_amplified_conversion_rate_of_another_base_is_refused():
    """The shipped second-hand conversion rates are per engagement: a scenario that converts
    on reach must give its own (as for conversion_rate), or switch amplification off."""
    from campaign_sim.errors import InputError
    from campaign_sim.scenario.warnings import UnusedOverrideWarning

    warnings.simplefilter("ignore", UnusedOverrideWarning)  # mid and macro: checked, not hired
    data = read_yaml(ROOT / "scenarios" / "coffee-launch.yaml")
    data["economics"]["conversion_base"] = "reach"
    rate = {"family": "beta", "range": [0.001, 0.004], "base": "reach"}
    tiers = data.setdefault("priors", {}).setdefault("tiers", {})
    for tier in ("nano", "micro", "mid", "macro"):  # every tier of the set is checked
        tiers.setdefault(tier, {})["conversion_rate"] = rate
    with pytest.raises(
        InputError,
        match=r"amplified conversion rate is per engagements.*"
        r"funnel.amplification: false",
    ):
        scenario_from_dict(data, source="s.yaml")
    off = deep_update(data, {"funnel": {"amplification": False}})
    assert "amplification" not in scenario_from_dict(off, source="s.yaml").mechanisms
    for tier in ("nano", "micro", "mid", "macro"):
        tiers[tier]["amplified_conversion_rate"] = {**rate, "range": [0.0005, 0.002]}
    assert "amplification" in scenario_from_dict(data, source="s.yaml").mechanisms
