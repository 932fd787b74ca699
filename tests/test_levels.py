"""Levels and shared factors (MODEL.md §8): what a prior's range describes, and how the pool's
campaign-level draws behave, in both engines and under every sampling method."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import FIXED_SCENARIO, FIXED_TIER, ROOT, deep_update
from scipy import special, stats

from campaign_sim.engine.draws import Layout, cheapest_fee, draw_chunk
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import InputError
from campaign_sim.random.levels import level_centre, pearson_of_spearman, spearman_of_pearson
from campaign_sim.random.sampling import Sampling
from campaign_sim.random.streams import block_ranges
from campaign_sim.scenario.loading import load_scenario
from campaign_sim.scenario.priors_schema import QUANTITIES

ER_RANGE = [0.05, 0.088]
ROOT_COFFEE = ROOT / "scenarios" / "coffee-launch.yaml"
FEE_RANGE = [5000, 20000]


def priors_with(**nano: object) -> dict:
    """All-fixed priors with some nano quantities replaced."""
    return {
        "name": "p",
        "shock_sigma": 0,
        "tiers": {"nano": {**FIXED_TIER, **nano, "platforms": {"instagram": {}}}},
    }


def scenario_with(write_scenario, count: int = 3, data: dict | None = None, **nano: object):
    base = deep_update(
        FIXED_SCENARIO,
        {
            "strategies": {
                "a": {"groups": [{"tier": "nano", "platform": "instagram", "count": count}]}
            }
        },
    )
    return load_scenario(write_scenario(deep_update(base, data or {}), priors=priors_with(**nano)))


def pool_of(scenario, campaigns: int, *, horizon: int = 1, sampling=None, seed: int = 1):
    draws = draw_chunk(
        scenario,
        Layout.of(scenario),
        seed,
        list(block_ranges(campaigns)),
        sampling=sampling or Sampling(),
        horizon=horizon,
    )
    return draws.pools["nano/instagram"], draws


# --- what a prior describes -----------------------------------------------------------------


@pytest.mark.exact
def test_defaults_follow_the_quantity(write_scenario):
    plan = scenario_with(
        write_scenario,
        engagement_rate={"family": "beta", "range": ER_RANGE},
        fee={"family": "lognormal", "range": FEE_RANGE},
    )
    priors = plan.strategies[0].groups[0].priors
    assert (priors["engagement_rate"].describes, priors["engagement_rate"].creator_spread) == (
        "level",
        0.5,
    )
    assert (priors["fee"].describes, priors["fee"].shared) == ("creators", 0.2)
    assert priors["followers"].describes == "creators"  # a bare number: every creator's value
    assert priors["conversion_rate"].creator_spread == 0  # fixed: no spread unless stated


@pytest.mark.exact
def test_the_shipped_priors_state_what_every_prior_describes():
    from campaign_sim.scenario.resolve import load_priors_file

    prior_set, _, _ = load_priors_file("article", None)
    stated = 0
    for tier in prior_set.tiers.values():
        for holder in (tier, *tier.platforms.values()):
            for quantity in QUANTITIES:
                spec = getattr(holder, quantity)
                if spec is None:
                    continue
                if quantity in ("delivery_probability", "gifted_share"):  # one number each
                    assert spec.describes is None
                    continue
                assert spec.describes in ("level", "creators"), quantity
                assert spec.describes_note, quantity
                stated += 1
    assert stated > 40


@pytest.mark.exact
def test_a_spearman_shared_share_is_converted(write_scenario):
    fee = {"family": "lognormal", "range": FEE_RANGE, "shared_spearman": 0.3}
    prior = scenario_with(write_scenario, fee=fee).strategies[0].groups[0].priors["fee"]
    assert prior.shared == pytest.approx(2 * math.sin(math.pi * 0.3 / 6), rel=1e-15)
    assert prior.shared != 0.3
    assert spearman_of_pearson(pearson_of_spearman(0.3)) == pytest.approx(0.3, rel=1e-14)


# --- level priors ---------------------------------------------------------------------------


@pytest.mark.statistical
def test_the_level_keeps_the_stated_range(write_scenario):
    er = {"family": "beta", "range": ER_RANGE, "describes": "level", "creator_spread": 0.5}
    plan = scenario_with(write_scenario, engagement_rate=er)
    pool, _ = pool_of(plan, 40_000)
    level = pool.levels["engagement_rate"].value
    dist = plan.strategies[0].groups[0].dist("engagement_rate")
    # The level is the fitted prior itself: its P5 / P95 are the stated range (to 1e-6) ...
    np.testing.assert_allclose(dist.ppf([0.05, 0.95]), ER_RANGE, rtol=1e-6)
    # ... and the campaigns' levels are draws from it (KS, fixed seed).
    assert stats.kstest(level, lambda x: dist.cdf(x)).pvalue > 1e-3
    # Each creator's marginal is wider than the range: the range was about averages.
    lo, hi = np.quantile(pool.engagement_rate, [0.05, 0.95])
    assert lo < ER_RANGE[0] * 0.8 and hi > ER_RANGE[1] * 1.2


@pytest.mark.statistical
@pytest.mark.parametrize("spread", [0.3, 1.0])
def test_creators_spread_around_a_fixed_level_as_stated(write_scenario, spread):
    er = {"family": "fixed", "value": 0.06, "describes": "level", "creator_spread": spread}
    pool, _ = pool_of(scenario_with(write_scenario, engagement_rate=er), 8192)
    centre = float(level_centre(np.array([0.06]), spread, "logit")[0])
    scores = (special.logit(pool.engagement_rate.ravel()) - centre) / spread
    assert stats.kstest(scores, "norm").pvalue > 1e-3
    # The pool's mean creator is the level (MC se of the mean of 24,576 creators).
    se = pool.engagement_rate.std() / math.sqrt(pool.engagement_rate.size)
    assert abs(pool.engagement_rate.mean() - 0.06) < 4 * se


@pytest.mark.statistical
def test_a_pools_average_converges_to_its_level_not_to_a_constant(write_scenario):
    er = {"family": "beta", "range": ER_RANGE, "describes": "level", "creator_spread": 0.5}
    pool, _ = pool_of(scenario_with(write_scenario, count=4000, engagement_rate=er), 300)
    level = pool.levels["engagement_rate"].value
    average = pool.engagement_rate.mean(axis=0)
    # 4,000 creators: the average's own noise is ~0.5 x 6.6% / sqrt(4000) ~ 0.05 points.
    noise = pool.engagement_rate.std(axis=0) / math.sqrt(4000)
    assert np.all(np.abs(average - level) < 5 * noise)
    assert level.std() > 20 * noise.mean()  # the level moves from campaign to campaign
    assert np.corrcoef(average, level)[0, 1] > 0.99


@pytest.mark.exact
def test_zero_creator_spread_is_a_pool_of_equal_creators(write_scenario):
    level = {
        "family": "lognormal",
        "range": FEE_RANGE,
        "describes": "level",
        "creator_spread": 0,
        "persistent": 0.25,
    }
    same = {"family": "lognormal", "range": FEE_RANGE, "shared": 1}
    a, _ = pool_of(scenario_with(write_scenario, count=5, fee=level), 2048)
    b, _ = pool_of(scenario_with(write_scenario, count=5, fee=same), 2048)
    for pool in (a, b):
        np.testing.assert_array_equal(pool.fee, np.broadcast_to(pool.fee[0], pool.fee.shape))
    # Both draw the pool's value from the same campaign-level stream.
    np.testing.assert_allclose(a.fee, b.fee, rtol=1e-5)


# --- creator priors with a shared factor ----------------------------------------------------


@pytest.mark.statistical
@pytest.mark.parametrize("shared", [0.25, 0.75])
def test_a_shared_factor_keeps_the_marginal_and_correlates_creators(write_scenario, shared):
    fee = {"family": "lognormal", "range": FEE_RANGE, "shared": shared}
    plan = scenario_with(write_scenario, count=2, fee=fee)
    pool, _ = pool_of(plan, 20_000)
    dist = plan.strategies[0].groups[0].dist("fee")
    assert stats.kstest(pool.fee[0], lambda x: dist.cdf(x)).pvalue > 1e-3
    z = special.ndtri(dist.cdf(pool.fee))
    r = np.corrcoef(z[0], z[1])[0, 1]
    se = (1 - shared**2) / math.sqrt(20_000)  # sd of a sample correlation
    assert abs(r - shared) < 4 * se


@pytest.mark.statistical
def test_a_shared_spearman_gives_that_rank_correlation(write_scenario):
    fee = {"family": "lognormal", "range": FEE_RANGE, "shared_spearman": 0.4}
    pool, _ = pool_of(scenario_with(write_scenario, count=2, fee=fee), 20_000)
    got = stats.spearmanr(pool.fee[0], pool.fee[1]).statistic
    assert got == pytest.approx(0.4, abs=0.03)  # se of Spearman's rho of 20,000 pairs < 0.01


@pytest.mark.statistical
def test_followers_fee_copula_keeps_its_rank_correlation_with_a_shared_fee(write_scenario):
    fee = {"family": "lognormal", "range": FEE_RANGE, "shared": 0.5}
    followers = {"family": "loguniform", "low": 1000, "high": 10000}
    plan = scenario_with(
        write_scenario,
        count=3,
        data={"correlations": {"followers_fee": 0.5}},
        fee=fee,
        followers=followers,
    )
    pool, _ = pool_of(plan, 20_000)
    got = stats.spearmanr(pool.followers.ravel(), pool.fee.ravel()).statistic
    assert got == pytest.approx(0.5, abs=0.02)


@pytest.mark.exact
def test_a_copula_the_shared_share_leaves_no_room_for_is_refused(write_scenario):
    fee = {"family": "lognormal", "range": FEE_RANGE, "shared": 0.9}
    with pytest.raises(InputError, match=r"correlations\.followers_fee: .*at most ±0\.3"):
        scenario_with(write_scenario, data={"correlations": {"followers_fee": 0.5}}, fee=fee)


@pytest.mark.statistical
def test_budget_cap_is_safe_with_correlated_fees(write_scenario):
    fee = {"family": "lognormal", "range": FEE_RANGE, "shared": 0.95}
    data = {
        "strategies": {
            "a": {"groups": [{"tier": "nano", "platform": "instagram", "budget": 200_000}]}
        }
    }
    plan = load_scenario(
        write_scenario(deep_update(FIXED_SCENARIO, data), priors=priors_with(fee=fee))
    )
    group = plan.strategies[0].groups[0]
    cap = Layout.of(plan).slots[0].rows
    # The cap prices a campaign whose pool factor sits at its 1e-12 quantile.
    assert cheapest_fee(group.priors["fee"]) < float(group.dist("fee").ppf(1e-6))
    _, draws = pool_of(plan, 50_000)
    hired = draws.groups[0].hired.sum(axis=0)
    assert hired.max() < cap
    # Hand count: creators hired in draw order while the fees so far fit the budget.
    fees = draws.pools["nano/instagram"].fee
    expected = (np.cumsum(fees, axis=0) <= 200_000 * (1 + 1e-9)).sum(axis=0)
    np.testing.assert_array_equal(hired, expected)


# --- persistent and campaign parts ----------------------------------------------------------


@pytest.mark.exact
def test_a_horizon_shares_the_persistent_parts_by_construction(write_scenario):
    er = {"family": "beta", "range": ER_RANGE, "persistent": 0.5}
    plan = scenario_with(write_scenario, engagement_rate=er, data={"shock": {"sigma": 0.3}})
    one, one_draws = pool_of(plan, 3000)
    four, four_draws = pool_of(plan, 3000, horizon=4)
    persistent = four.levels["engagement_rate"].persistent.reshape(-1, 4)
    assert np.all(persistent == persistent[:, :1])  # one brand, one persistent draw
    assert len(np.unique(persistent[:, 0])) == persistent.shape[0]  # brands differ
    campaign = four.levels["engagement_rate"].campaign
    np.testing.assert_array_equal(campaign, one.levels["engagement_rate"].campaign)
    shock_persistent = four_draws.campaign.shock_parts[0].reshape(-1, 4)
    assert np.all(shock_persistent == shock_persistent[:, :1])
    # Brand b's persistent draw is what campaign b draws in a run of independent campaigns.
    np.testing.assert_array_equal(persistent[:, 0], one.levels["engagement_rate"].persistent[:750])


@pytest.mark.statistical
def test_the_split_keeps_the_one_campaign_distribution(write_scenario):
    for share in (0.0, 0.5, 1.0):
        er = {"family": "beta", "range": ER_RANGE, "persistent": share}
        pool, _ = pool_of(scenario_with(write_scenario, engagement_rate=er), 20_000)
        level = pool.levels["engagement_rate"].value
        lo, hi = np.quantile(level, [0.05, 0.95])
        assert lo == pytest.approx(ER_RANGE[0], rel=0.02)
        assert hi == pytest.approx(ER_RANGE[1], rel=0.02)


# --- reproducibility ------------------------------------------------------------------------


def _level_scenario(write_scenario, extra_pool: bool = False):
    nano_er = {"family": "beta", "range": ER_RANGE}
    priors = priors_with(
        engagement_rate=nano_er,
        fee={"family": "lognormal", "range": FEE_RANGE},
        reach_rate={"family": "beta", "range": [0.15, 0.45]},
    )
    priors["tiers"]["nano"]["platforms"]["tiktok"] = {}
    groups = [{"tier": "nano", "platform": "instagram", "count": 5}]
    if extra_pool:
        groups.append({"tier": "nano", "platform": "tiktok", "count": 7})
    data = deep_update(FIXED_SCENARIO, {"shock": {"sigma": 0.3}})
    data["strategies"] = {"a": {"groups": groups}}
    return load_scenario(write_scenario(data, priors=priors))


@pytest.mark.reproducibility
@pytest.mark.parametrize(
    "sampling", [Sampling(), Sampling("lhs"), Sampling("sobol", antithetic=True)]
)
def test_adding_a_pool_leaves_other_pools_draws(write_scenario, sampling):
    alone, _ = pool_of(_level_scenario(write_scenario), 2048, sampling=sampling)
    both, _ = pool_of(_level_scenario(write_scenario, extra_pool=True), 2048, sampling=sampling)
    for name in ("engagement_rate", "fee", "reach_rate"):
        np.testing.assert_array_equal(getattr(alone, name), getattr(both, name))
    np.testing.assert_array_equal(
        alone.levels["engagement_rate"].value, both.levels["engagement_rate"].value
    )


@pytest.mark.reproducibility
@pytest.mark.parametrize("horizon", [1, 3])
def test_levels_give_the_same_numbers_for_any_chunking(write_scenario, horizon):
    plan = _level_scenario(write_scenario, extra_pool=True)
    whole = simulate(plan, campaigns=5000, seed=2, chunk_size=8192, horizon=horizon)
    for kwargs in ({"chunk_size": 1024}, {"chunk_size": 2048, "workers": 2}):
        part = simulate(plan, campaigns=5000, seed=2, horizon=horizon, **kwargs)
        for metric, values in whole.values["a"].items():
            np.testing.assert_array_equal(values, part.values["a"][metric], err_msg=metric)


@pytest.mark.statistical
def test_antithetic_pairs_mirror_the_campaign_level_draws(write_scenario):
    plan = _level_scenario(write_scenario)
    pool, _ = pool_of(plan, 2048, sampling=Sampling("lhs", antithetic=True))
    level = pool.levels["engagement_rate"]
    np.testing.assert_allclose(level.campaign[0::2], -level.campaign[1::2], atol=1e-9)
    np.testing.assert_allclose(level.persistent[0::2], -level.persistent[1::2], atol=1e-9)


# --- the comparison the tool exists to make -------------------------------------------------


@pytest.mark.statistical
def test_shared_uncertainty_widens_a_many_creator_mix(write_scenario):
    """Drawn per creator, ignorance of a level averages away over many creators; as a level it
    does not: the ROI spread of 200 creators grows when the range describes the level."""

    def roi_sd(er: dict) -> float:
        plan = scenario_with(write_scenario, count=200, engagement_rate=er)
        return float(simulate(plan, campaigns=4000, seed=3).values["a"]["roi"].std())

    creators = roi_sd({"family": "beta", "range": ER_RANGE, "describes": "creators"})
    level = roi_sd({"family": "beta", "range": ER_RANGE, "describes": "level"})
    assert level > 4 * creators


# --- bad input ------------------------------------------------------------------------------

BAD_POOL_KEYS = [
    ("typo", {"describes": "levels"}, r"describes: .*'level' or 'creators'"),
    ("wrong type", {"creator_spread": "wide"}, r"creator_spread: .*number"),
    ("nan", {"creator_spread": math.nan}, r"creator_spread: .*finite"),
    ("inf", {"persistent": math.inf}, r"persistent: .*finite"),
    ("huge", {"creator_spread": 1e300}, r"creator_spread: .*less than or equal to 3"),
    (
        "shared above 1",
        {"describes": "creators", "shared": 2},
        r"shared: .*less than or equal to 1",
    ),
    ("negative shared", {"describes": "creators", "shared": -0.1}, r"shared: .*greater than or"),
    (
        "both shared keys",
        {"describes": "creators", "shared": 0.1, "shared_spearman": 0.1},
        r"not both",
    ),
    (
        "shared on a level",
        {"shared": 0.3},
        r"engagement_rate\.shared: .*describes the pool's level",
    ),
    ("spread on creators", {"describes": "creators", "creator_spread": 0.3}, r"creator_spread"),
    ("unknown key", {"creator_sprad": 0.3}, r"did you mean 'creator_spread'"),
    ("level_is typo", {"level_is": "medain"}, r"level_is: .*'mean' or 'median'"),
    ("level_is on creators", {"describes": "creators", "level_is": "median"}, r"level_is"),
]


@pytest.mark.cli
@pytest.mark.parametrize(
    ("case", "keys", "message"), BAD_POOL_KEYS, ids=[c[0] for c in BAD_POOL_KEYS]
)
def test_bad_pool_keys_exit_2_with_the_file_and_key(write_scenario, case, keys, message):
    from click.testing import CliRunner

    from campaign_sim.cli import main

    er = {"family": "beta", "range": ER_RANGE, **keys}
    data = deep_update(FIXED_SCENARIO, {"priors": {"tiers": {"nano": {"engagement_rate": er}}}})
    path = write_scenario(data)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(path) in result.output
    assert "priors.tiers.nano.engagement_rate" in result.output
    assert __import__("re").search(message, result.output), result.output


@pytest.mark.cli
@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ({"describes": "level"}, r"a probability is one number"),
        ({"persistent": 0.5}, r"a probability is one number"),
    ],
)
def test_a_delivery_probability_has_no_level(write_scenario, keys, message):
    data = deep_update(
        FIXED_SCENARIO,
        {
            "priors": {
                "tiers": {
                    "nano": {"delivery_probability": {"family": "fixed", "value": 0.9, **keys}}
                }
            }
        },
    )
    with pytest.raises(InputError, match=message):
        load_scenario(write_scenario(data))


@pytest.mark.exact
def test_persistent_without_a_shared_part_is_refused(write_scenario):
    followers = {"family": "loguniform", "low": 1000, "high": 10000, "persistent": 0.5}
    data = deep_update(FIXED_SCENARIO, {"priors": {"tiers": {"nano": {"followers": followers}}}})
    with pytest.raises(InputError, match=r"followers\.persistent: nothing to split"):
        load_scenario(write_scenario(data))


@pytest.mark.exact
def test_a_level_of_a_creators_quantity_needs_its_spread(write_scenario):
    fee = {"family": "lognormal", "range": FEE_RANGE, "describes": "level"}
    data = deep_update(FIXED_SCENARIO, {"priors": {"tiers": {"nano": {"fee": fee}}}})
    with pytest.raises(InputError, match=r"fee\.describes: this fee level needs `creator_spread`"):
        load_scenario(write_scenario(data))


@pytest.mark.cli
@pytest.mark.parametrize(
    ("value", "message"),
    [(".nan", "finite"), ("1.5", "less than or equal to 1"), ("yes", "number")],
)
def test_bad_shock_persistent_exits_2(write_scenario, value, message):
    from click.testing import CliRunner

    from campaign_sim.cli import main

    path = write_scenario()
    text = path.read_text(encoding="utf-8") + f"shock:\n  sigma: 0.3\n  persistent: {value}\n"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "shock.persistent" in result.output and message in result.output


# --- overriding only the pool keys ------------------------------------------------------------


@pytest.mark.exact
def test_a_scenario_may_change_only_a_priors_pool_keys(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\neconomics: {aov: 800, gross_margin: 0.5}\n"
        "strategies:\n  a: {groups: [{tier: nano, platform: instagram, count: 3}]}\n"
        "priors:\n  tiers:\n    nano:\n      engagement_rate: {persistent: 0.9}\n"
        "      platforms:\n        instagram:\n          fee: {shared_spearman: 0.5}\n"
        "correlations: {followers_fee: 0.5}\n",
        encoding="utf-8",
    )
    base = load_scenario(ROOT_COFFEE).strategies[0].groups[0].priors
    priors = load_scenario(path).strategies[0].groups[0].priors
    er, fee = priors["engagement_rate"], priors["fee"]
    # The base prior's distribution, sources and spread, with the one key changed.
    assert er.dist == base["engagement_rate"].dist
    assert er.sources == base["engagement_rate"].sources
    assert (er.describes, er.creator_spread, er.persistent) == ("level", 0.5, 0.9)
    assert fee.dist == base["fee"].dist
    assert fee.shared == pytest.approx(pearson_of_spearman(0.5), rel=1e-15)
    assert fee.persistent == base["fee"].persistent
    assert er.key_path == "priors.tiers.nano.engagement_rate"


@pytest.mark.exact
def test_switching_what_a_prior_describes_drops_the_other_kinds_keys(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\neconomics: {aov: 800, gross_margin: 0.5}\n"
        "strategies:\n  a: {groups: [{tier: nano, platform: instagram, count: 3}]}\n"
        "priors:\n  tiers:\n    nano:\n      engagement_rate: {describes: creators}\n",
        encoding="utf-8",
    )
    er = load_scenario(path).strategies[0].groups[0].priors["engagement_rate"]
    assert (er.describes, er.creator_spread, er.shared) == ("creators", 0.0, 0.0)


@pytest.mark.cli
@pytest.mark.parametrize(
    ("update", "message"),
    [
        ("{creator_sprad: 1}", r"unknown key 'creator_sprad' \(did you mean 'creator_spread'\?\)"),
        ("{rnage: [1, 2]}", r"needs `family`.*only pool keys"),
        ("{creator_spread: 0.2}", r"fee\.creator_spread: this fee prior describes individual"),
        ("{persistent: .nan}", r"fee\.persistent: must be a finite number"),
    ],
)
def test_bad_pool_key_updates_exit_2(tmp_path, update, message):
    from click.testing import CliRunner

    from campaign_sim.cli import main

    path = tmp_path / "s.yaml"
    path.write_text(
        "name: t\neconomics: {aov: 800, gross_margin: 0.5}\n"
        "strategies:\n  a: {groups: [{tier: nano, platform: instagram, count: 3}]}\n"
        "priors:\n  tiers:\n    nano:\n      platforms:\n        instagram:\n"
        f"          fee: {update}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert __import__("re").search(message, result.output), result.output


@pytest.mark.exact
def test_a_pool_update_in_a_priors_file_has_nothing_to_change(write_scenario):
    priors = priors_with(engagement_rate={"persistent": 0.5})
    with pytest.raises(InputError, match=r"engagement_rate: changes only the pool keys"):
        load_scenario(write_scenario(priors=priors))


@pytest.mark.statistical
@pytest.mark.parametrize("scale_case", ["rate", "money"])
def test_a_median_level_is_the_pools_median_creator(write_scenario, scale_case):
    """``level_is: median`` is MODEL.md §8's formula as written, x = g^-1(g(L) + tau eta): the
    pool's median creator is the level; the default (mean) centres creators so that their
    mean is."""
    if scale_case == "rate":
        spec = {"family": "fixed", "value": 0.06, "describes": "level", "creator_spread": 1.0}
        quantity, g = "engagement_rate", special.logit
    else:
        spec = {"family": "fixed", "value": 10000, "describes": "level", "creator_spread": 1.0}
        quantity, g = "fee", np.log
    level = spec["value"]
    median, _ = pool_of(
        scenario_with(write_scenario, **{quantity: {**spec, "level_is": "median"}}), 4096
    )
    mean, _ = pool_of(scenario_with(write_scenario, **{quantity: spec}), 4096)
    a, b = getattr(median, quantity).ravel(), getattr(mean, quantity).ravel()
    # Median reading: g(x) - g(L) is exactly tau eta, standard normal after / tau.
    assert stats.kstest(g(a) - g(level), "norm").pvalue > 1e-3
    # Mean reading: the same creators, shifted so that their mean is the level.
    assert abs(b.mean() / level - 1) < 4 * b.std() / level / math.sqrt(b.size)
    assert np.median(a) == pytest.approx(level, rel=0.05)
    assert a.mean() > 1.1 * level  # the median reading's mean is well above the level
