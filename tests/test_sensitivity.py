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
from scipy import special

from campaign_sim.analysis.sensitivity import (
    SWING_QUANTILES,
    Driver,
    Drivers,
    collect_drivers,
    rank_sensitivity,
    sobol_indices,
    swing,
    swing_inputs,
    variance_split,
)
from campaign_sim.analysis.sensitivity.swing import GivenFactor, _fixed
from campaign_sim.cli import main
from campaign_sim.engine.draws import Layout, draw_chunk
from campaign_sim.engine.vectorized import simulate
from campaign_sim.random import distributions as dist
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


def _plan(write_scenario, tier: dict, **changes):
    """FIXED_SCENARIO with nano priors ``tier`` and top-level ``changes``."""
    data = deep_update(FIXED_SCENARIO, {"priors": {"tiers": {"nano": tier}}, **changes})
    return load_scenario(write_scenario(data))


@pytest.mark.statistical
def test_swing_of_a_level_fixes_the_pools_mean_creator(write_scenario):
    """A level prior at its P10 fixes the pool's level, the creators' mean engagement rate:
    creators still spread around it. With the conversion rate fixed, ROI is linear in the
    creators' mean: ROI = 0.5 x 1,000 x (2 x 5,000 x 0.1 x sum of 3 ERs) / 62,500 - 1
    = 24 x mean ER - 1, so the mean ROI at the level v is 24 v - 1."""
    er = {"family": "beta", "range": [0.03, 0.08], "describes": "level", "creator_spread": 0.5}
    plan = _plan(write_scenario, {"engagement_rate": er})
    (item,) = swing_inputs(plan)
    assert (item.input, item.kind) == ("nano engagement rate level", "level")
    n = 4096
    row = swing(plan, campaigns=n).iloc[0]
    for q, column in zip(SWING_QUANTILES, ("at_low", "at_high"), strict=True):
        level = float(item.distribution.ppf(q))
        roi = simulate(_fixed(plan, item, q), campaigns=n).values["a"]["roi"]
        assert row[column] == pytest.approx(roi.mean(), rel=1e-12)  # the same draws
        assert roi.std() > 0.05  # the creators still spread around the level
        # The creators' mean is the level: within 4 standard errors.
        assert abs(roi.mean() - (24 * level - 1)) < 4 * roi.std() / math.sqrt(n)


FEE = {"family": "lognormal", "range": [5000, 20000], "describes": "creators", "shared": 0.5}


@pytest.mark.exact
def test_swing_of_a_shared_factor_keeps_each_creators_own_part(write_scenario):
    """A fee prior with a shared factor (rho 0.5): the swing fixes the pool's normal score at
    z = Phi^-1(0.1), then Phi^-1(0.9); each creator keeps its own part e_j, so every fee is
    median x exp(s (sqrt(rho) z + sqrt(1 - rho) e_j)) and fees at P90 are those at P10 times
    exp(s sqrt(rho) (z90 - z10)), campaign by campaign. Cost = 2 x sum of 3 fees + 2,500.
    Followers (creators, no shared part) are moved for all creators at once, and marked so."""
    followers = {"family": "loguniform", "low": 1000, "high": 10000}
    plan = _plan(write_scenario, {"fee": FEE, "followers": followers})
    items = swing_inputs(plan)
    assert [(i.input, i.kind) for i in items] == [
        ("nano followers prior", "all creators"),
        ("nano fee shared factor", "shared factor"),
    ]
    items = items[1:]
    table = swing(plan, campaigns=2048, output="cost").set_index("input")
    assert table.loc["nano followers prior", "swing"] == 0  # followers do not enter the cost
    row = table.loc["nano fee shared factor"]
    prior = items[0].prior
    s, z10, z90 = prior.dist.sigma, special.ndtri(0.1), special.ndtri(0.9)
    ratio = math.exp(s * math.sqrt(0.5) * (z90 - z10))
    assert row["at_high"] - 2500 == pytest.approx((row["at_low"] - 2500) * ratio, rel=1e-9)
    assert row["low_value"] == pytest.approx(float(prior.dist.ppf(0.1)))


@pytest.mark.statistical
def test_swing_of_a_shared_factor_at_its_p10(write_scenario):
    """Given the pool's score z, a fee is lognormal with median m exp(s sqrt(rho) z) and
    sigma s sqrt(1 - rho): mean cost 6 m exp(s sqrt(rho) z + s² (1 - rho) / 2) + 2,500, with
    standard deviation 2 sqrt(3) x mean fee x sqrt(exp(s² (1 - rho)) - 1)."""
    plan = _plan(write_scenario, {"fee": FEE})
    n = 8192
    row = swing(plan, campaigns=n, output="cost").iloc[0]
    dist = swing_inputs(plan)[0].prior.dist
    m, s = dist.median(), dist.sigma
    for q, column in zip(SWING_QUANTILES, ("at_low", "at_high"), strict=True):
        fee = m * math.exp(s * math.sqrt(0.5) * special.ndtri(q) + s * s * 0.5 / 2)
        sd = 2 * math.sqrt(3) * fee * math.sqrt(math.exp(s * s * 0.5) - 1)
        assert abs(row[column] - (6 * fee + 2500)) < 4 * sd / math.sqrt(n), (column, row[column])


@pytest.mark.exact
def test_given_factor_is_the_conditional_distribution():
    """GivenFactor's ppf, cdf, mean and sampler agree with the lognormal they are."""
    base = dist.LogNormal(10_000.0, 0.4)
    given = GivenFactor(base, -1.2, 0.3)
    exact = dist.LogNormal(10_000.0 * math.exp(0.4 * math.sqrt(0.3) * -1.2), 0.4 * math.sqrt(0.7))
    q = np.array([0.001, 0.1, 0.5, 0.9, 0.999])
    np.testing.assert_allclose(given.ppf(q), exact.ppf(q), rtol=1e-10)
    np.testing.assert_allclose(given.cdf(exact.ppf(q)), q, rtol=1e-9)
    np.testing.assert_allclose(given.sampler()(q), exact.ppf(q), rtol=1e-6)
    assert given.mean() == pytest.approx(exact.mean(), rel=1e-10)


@pytest.mark.exact
def test_swing_lists_a_prior_only_for_strategies_that_use_it():
    table = swing(load_scenario(COFFEE), campaigns=64)
    micro = table[table["strategy"] == "micro_heavy"]
    assert "nano/tiktok fee shared factor" not in set(micro["input"])
    nano = table[table["strategy"] == "nano_heavy"]
    assert "micro/youtube fee shared factor" not in set(nano["input"])
    assert "nano/instagram fee shared factor" in set(nano["input"])
    # Followers describe creators with no shared part: moved for all creators at once, as
    # before levels existed, and marked so (the tables and the tornado leave them out).
    assert set(table.loc[table["quantity"] == "followers", "kind"]) == {"all creators"}
    assert set(table["kind"]) == {"campaign", "level", "shared factor", "all creators"}
    # Reach does not enter ROI when conversions are per engagement: exactly no swing.
    reach = table[table["quantity"] == "reach_rate"]
    assert not reach.empty and (reach["swing"] == 0).all()


# --- the variance split: pilot, campaign, creator luck ----------------------------------------


@pytest.mark.exact
def test_draws_take_each_part_from_its_own_blocks():
    """draw_chunk(parts=...) takes the persistent parts, the campaign parts and the creators'
    own draws from the blocks given for each; without it, every part from ``blocks``."""
    plan = load_scenario(COFFEE)
    layout = Layout.of(plan)
    a, b = [(0, 0, 1024)], [(3, 3072, 1024)]
    da, db = draw_chunk(plan, layout, 7, a), draw_chunk(plan, layout, 7, b)
    same = draw_chunk(plan, layout, 7, a, parts={"persistent": a, "creators": a})
    np.testing.assert_array_equal(same.pools["nano/instagram"].fee, da.pools["nano/instagram"].fee)
    creators = draw_chunk(plan, layout, 7, a, parts={"creators": b})
    persistent = draw_chunk(plan, layout, 7, a, parts={"persistent": b})
    for q in ("engagement_rate", "fee"):
        level_a, level_b = da.pools["nano/tiktok"].levels[q], db.pools["nano/tiktok"].levels[q]
        mixed = creators.pools["nano/tiktok"].levels[q]
        np.testing.assert_array_equal(mixed.value, level_a.value)
        np.testing.assert_array_equal(
            persistent.pools["nano/tiktok"].levels[q].persistent, level_b.persistent
        )
        np.testing.assert_array_equal(
            persistent.pools["nano/tiktok"].levels[q].campaign, level_a.campaign
        )
    np.testing.assert_array_equal(creators.campaign.shock, da.campaign.shock)
    np.testing.assert_array_equal(creators.campaign.aov, da.campaign.aov)
    np.testing.assert_array_equal(persistent.campaign.aov, da.campaign.aov)
    assert persistent.campaign.shock_parts is not None and db.campaign.shock_parts is not None
    np.testing.assert_array_equal(persistent.campaign.shock_parts[0], db.campaign.shock_parts[0])
    # Fixed-count rows: the creators' own followers are B's.
    rows = creators.pools["micro/youtube"].followers.shape[0]
    np.testing.assert_array_equal(
        creators.pools["micro/youtube"].followers, db.pools["micro/youtube"].followers[:rows]
    )
    with pytest.raises(ValueError, match="parts"):
        draw_chunk(plan, layout, 7, a, parts={"pilot": b})


@pytest.mark.statistical
def test_split_of_a_level_fee_matches_the_closed_form(write_scenario):
    """Cost = 6 x L x M + 2,500 with L the fee level (lognormal sigma s, its log split into
    a persistent and a campaign part, p = 0.5) and M = mean of 3 creators' factors
    exp(tau eta - tau²/2) (tau = 0.5): E M = 1, Var M = v = (e^{tau²} - 1) / 3. With
    D = e^{s²} (1 + v) - 1: S1 pilot = (e^{s² p} - 1) / D, S1 campaign = (e^{s² (1-p)} - 1) / D,
    S1 creators = v / D, ST pilot = 1 - (e^{s² (1-p)} (1 + v) - 1) / D, and so on."""
    fee = {"family": "lognormal", "range": [5000, 20000], "describes": "level",
           "creator_spread": 0.5, "persistent": 0.5}  # fmt: skip
    plan = _plan(write_scenario, {"fee": fee})
    table = variance_split(plan, campaigns=8192, output="cost").set_index("part")
    s2, p, v = plan.strategies[0].groups[0].dist("fee").sigma ** 2, 0.5, (math.exp(0.25) - 1) / 3
    d = math.exp(s2) * (1 + v) - 1
    expected = {
        "persistent": ((math.exp(s2 * p) - 1) / d, 1 - (math.exp(s2 * (1 - p)) * (1 + v) - 1) / d),
        "campaign": ((math.exp(s2 * (1 - p)) - 1) / d, 1 - (math.exp(s2 * p) * (1 + v) - 1) / d),
        "creators": (v / d, 1 - (math.exp(s2) - 1) / d),
    }
    for part, (s1, st) in expected.items():
        row = table.loc[part]
        # Within twice the bootstrap half-width (about 4 standard errors).
        assert abs(row["s1"] - s1) < 2 * (row["s1_ci_high"] - row["s1"]), (part, row["s1"], s1)
        assert abs(row["st"] - st) < 2 * (row["st_ci_high"] - row["st"]), (part, row["st"], st)


@pytest.mark.exact
def test_no_creator_luck_when_creators_equal_their_level(write_scenario):
    """Every creator at the pool's level (spread 0) and every other creator draw fixed: the
    creators' own draws move nothing, so their indices are exactly 0."""
    er = {"family": "beta", "range": [0.03, 0.08], "describes": "level", "creator_spread": 0,
          "persistent": 0.5}  # fmt: skip
    plan = _plan(write_scenario, {"engagement_rate": er}, shock={"sigma": 0.3, "persistent": 0.5})
    table = variance_split(plan, campaigns=2048).set_index("part")
    assert table.loc["creators", "s1"] == pytest.approx(0, abs=1e-12)
    assert table.loc["creators", "st"] == pytest.approx(0, abs=1e-12)
    assert table.loc["persistent", "s1"] > 0.2 and table.loc["campaign", "s1"] > 0.2


@pytest.mark.statistical
def test_nothing_to_learn_when_the_level_is_known(write_scenario):
    """A fixed level (the family fixed) with a wide creator spread and no shock: nothing
    persists, so a pilot learns nothing (exactly 0) and creator luck is all of it (S1 ~ 1)."""
    er = {"family": "fixed", "value": 0.05, "describes": "level", "creator_spread": 1.0}
    plan = _plan(write_scenario, {"engagement_rate": er})
    table = variance_split(plan, campaigns=4096).set_index("part")
    for part in ("persistent", "campaign"):
        assert table.loc[part, "st"] == pytest.approx(0, abs=1e-12)
    row = table.loc["creators"]
    assert abs(row["s1"] - 1) < 2 * (row["s1_ci_high"] - row["s1"])
    assert abs(row["st"] - 1) < 2 * (row["st_ci_high"] - row["st"])  # AB_creators is B


@pytest.mark.reproducibility
def test_the_split_is_the_same_for_any_chunk_size_and_workers():
    plan = load_scenario(COFFEE)
    base = variance_split(plan, campaigns=2100, seed=4, chunk_size=1024)
    for kwargs in ({"chunk_size": 4096}, {"chunk_size": 2048, "workers": 2}):
        pd.testing.assert_frame_equal(variance_split(plan, campaigns=2100, seed=4, **kwargs), base)


@pytest.mark.statistical
def test_creators_own_draws_are_apart_from_their_pool_level():
    """The ranking's group inputs are the creators' own draws: uncorrelated with the pool's
    level and shared factor (within 4 / sqrt(n)), while the creators' plain mean is not."""
    n = 4096
    drivers = collect_drivers(load_scenario(COFFEE), campaigns=n, seed=2)
    names = [d.input for d in drivers.drivers["nano_heavy"]]
    x = drivers.inputs["nano_heavy"]

    def corr(a: str, b: str) -> float:
        return float(np.corrcoef(x[:, names.index(a)], x[:, names.index(b)])[0, 1])

    group = "nano/instagram #1 (20 creators)"
    level = corr("nano/instagram: engagement rate (pool level)",
                 f"{group}: engagement rate (mean of own draws)")  # fmt: skip
    fee = corr("nano/instagram: fee (shared factor)", f"{group}: fee (total of own draws)")
    assert abs(level) < 4 / math.sqrt(n) and abs(fee) < 4 / math.sqrt(n)


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
    split = pd.read_csv(out / "split.csv")
    assert list(split["part"]) == ["persistent", "campaign", "creators"]
    assert data["split"][0]["part"] == "persistent"
    assert manifest_split(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["sampling"] == "random"
    assert manifest["settings"]["output"] == "roi"
    assert "swing.csv" in manifest["files"] and "split.csv" in manifest["files"]


def manifest_split(out: Path) -> bool:
    return json.loads((out / "manifest.json").read_text())["settings"]["split"]


@pytest.mark.cli
def test_cli_sensitivity_rejects_an_unknown_strategy(tmp_path):
    result = CliRunner().invoke(
        main, ["sensitivity", str(COFFEE), "--strategy", "nano_heavvy", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert "did you mean 'nano_heavy'" in result.output


@pytest.mark.statistical
def test_the_pilot_share_agrees_with_brands_sharing_their_persistent_parts():
    """Two estimators of Var E[ROI | persistent parts] / Var ROI: the split's pick-freeze index,
    and the between-brand variance of a horizon run (brands of M campaigns share the persistent
    parts; their mean ROI's variance less the within-brand noise / M). Tolerance: 4 combined
    standard errors (the split's from its bootstrap interval, the brands' by a bootstrap)."""
    plan = load_scenario(ROOT / "scenarios" / "coffee-launch.yaml")
    split = variance_split(plan, campaigns=8192, seed=3)
    brands, per_brand = 400, 50
    roi = simulate(plan, campaigns=brands * per_brand, horizon=per_brand, seed=4).values
    rng = np.random.default_rng(0)
    for name in ("nano_heavy", "micro_heavy"):
        row = split[(split["strategy"] == name) & (split["part"] == "persistent")].iloc[0]
        se_split = (row["s1_ci_high"] - row["s1_ci_low"]) / (2 * 1.96)
        r = roi[name]["roi"].reshape(brands, per_brand)

        def share(rows: np.ndarray) -> float:
            within = rows.var(axis=1, ddof=1).mean()
            return (rows.mean(axis=1).var(ddof=1) - within / per_brand) / rows.var()

        boots = [share(r[rng.integers(0, brands, brands)]) for _ in range(200)]
        tolerance = 4 * math.hypot(se_split, float(np.std(boots)))
        assert abs(share(r) - row["s1"]) < tolerance, (name, share(r), row["s1"], tolerance)
