"""The calibration's numerics: quadrature, conjugate cases by hand, grid refinement, zero rows,
huge and far-off pilots (docs/calibration.md)."""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import special

from campaign_sim.calibration import grid as grids
from campaign_sim.calibration.observation import fee_cell, pool_model, rate_cell
from campaign_sim.calibration.pilot import simulate_pilot
from campaign_sim.calibration.quadrature import count_logpmf, log_marginal
from campaign_sim.calibration.update import calibrate
from campaign_sim.calibration.writeback import calibrated_document
from campaign_sim.engine.draws import Layout, draw_chunk
from campaign_sim.errors import InputError
from campaign_sim.random.streams import block_ranges
from campaign_sim.scenario.loading import load_scenario

SCENARIO = "scenarios/coffee-launch.yaml"
ENGAGEMENT = "nano/instagram/engagement_rate"


@functools.lru_cache(maxsize=1)
def _scenario():  # type: ignore[no-untyped-def]
    return load_scenario(SCENARIO)


def _dense(y, size, offset, centre, spread, scale, dispersion=1.0):  # type: ignore[no-untyped-def]
    eta = np.linspace(-12, 12, 400_001)
    x = centre + spread * eta
    value = special.expit(x) if scale == "logit" else np.exp(x)
    lp = (
        count_logpmf(y, size * value + offset, dispersion)
        - eta**2 / 2
        - 0.5 * math.log(2 * math.pi)
    )
    top = lp.max()
    return top + math.log(np.trapezoid(np.exp(lp - top), eta))


@pytest.mark.exact
@pytest.mark.parametrize(
    "case",
    [
        (5000, 80_000, 0.0, -2.7, 0.5, "logit", 1.0),  # a sharp integrand
        (0, 3000, 0.0, -3.0, 0.5, "logit", 1.0),
        (3, 500, 0.5, -3.0, 0.5, "logit", 1.0),  # with an amplified offset
        (30, 500, 0.0, -3.0, 0.5, "logit", 3.0),  # negative binomial
        (2e6, 1e5, 0.0, 2.5, 0.3, "log", 1.0),
        (12, 1e4, 0.0, -6.0, 1.0, "logit", 1.0),
    ],
)
def test_adaptive_quadrature_matches_a_dense_trapezoid_rule(case) -> None:  # type: ignore[no-untyped-def]
    y, size, offset, centre, spread, scale, dispersion = case
    found = log_marginal(
        np.array(y), np.array(size), np.array(offset), np.array(centre), spread, scale, dispersion
    )
    assert float(found) == pytest.approx(_dense(*case), abs=2e-6)


@pytest.mark.exact
def test_fees_update_exactly_as_the_conjugate_normal_case() -> None:
    """Fee scores s_j = sqrt(rho) w_c + sqrt(1 - rho) e_j, w_c = sqrt(p) Zp + sqrt(1 - p) Zc:
    with a N(0, 1) prior on Zp the posterior is normal with precision 1 + sum rho p / v_c and
    mean sum sqrt(rho p) mean_c / v_c / precision, v_c = rho (1 - p) + (1 - rho) / n_c."""
    prior = pool_model(_scenario(), "nano/instagram").priors["fee"]
    rho, p = prior.shared, prior.persistent
    campaigns = [np.array([6000.0, 9000.0, 15000.0]), np.array([7000.0, 12000.0])]
    tables = [grids.cell_table(fee_cell(prior, fees), 0.025, grids.Z_GRID) for fees in campaigns]
    post, _ = grids.posterior_1d(tables, p, prior=grids.normal_logpdf)
    precision, weighted = 1.0, 0.0
    for fees in campaigns:
        scores = special.ndtri(prior.dist.cdf(fees))
        v = rho * (1 - p) + (1 - rho) / len(fees)
        precision += rho * p / v
        weighted += math.sqrt(rho * p) * scores.mean() / v
    assert post.mean == pytest.approx(weighted / precision, abs=1e-5)
    assert post.sd == pytest.approx(1 / math.sqrt(precision), abs=1e-5)


@pytest.mark.exact
def test_halving_the_grid_steps_moves_the_posterior_by_less_than_1e_3() -> None:
    """The stated bound on the grid's numerical error (docs/calibration.md)."""
    model = pool_model(_scenario(), "nano/instagram")
    prior = model.priors["engagement_rate"]
    rng = np.random.default_rng(3)
    followers = rng.uniform(1500, 9000, 10)
    engagements = rng.poisson(followers * 0.05).astype(float)
    cell = rate_cell(prior, engagements, followers, np.zeros(10))
    fine = grids.score_grid(grids.STEP / 2)
    coarse_post, _ = grids.posterior_1d([grids.cell_table(cell, 0.025, grids.Z_GRID)], 0.5)
    fine_post, _ = grids.posterior_1d([grids.cell_table(cell, 0.0125, fine)], 0.5, fine)
    assert abs(coarse_post.mean - fine_post.mean) < 1e-3
    assert abs(coarse_post.sd - fine_post.sd) < 1e-3


@pytest.mark.exact
def test_zero_rows_leave_the_priors_unchanged(tmp_path) -> None:
    empty = simulate_pilot(_scenario(), {"nano/instagram": 1}, 1, {}, np.random.default_rng(0))
    nothing = type(empty)(empty.rows.iloc[0:0], {})
    calibration = calibrate(_scenario(), nothing)
    assert calibration.names == () and calibration.updates == () and calibration.aov is None
    document = calibrated_document(_scenario(), calibration)
    assert "persistent" not in document["calibration"]
    path = tmp_path / "unchanged.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    scenario = load_scenario(SCENARIO, priors=path)
    assert scenario.calibrated is None
    assert [p.dist.key() for p in scenario.priors] == [p.dist.key() for p in _scenario().priors]
    assert scenario.aov.key() == _scenario().aov.key()


def _engagement_only(pilot):  # type: ignore[no-untyped-def]
    for column in ("fee", "reach", "orders", "revenue"):
        pilot.rows[column] = np.nan
    return pilot


@pytest.mark.statistical
def test_a_huge_pilot_recovers_a_far_truth_and_keeps_the_campaign_spread(tmp_path) -> None:
    """40 campaigns of 15 creators pin the persistent score (truth -3, in the prior's tail);
    the next campaign's level still varies with its campaign part, sd sqrt(1 - p)."""
    truth = -3.0
    pilot = _engagement_only(
        simulate_pilot(
            _scenario(),
            {"nano/instagram": 15},
            40,
            {ENGAGEMENT: truth},
            np.random.default_rng(14),
        )
    )
    calibration = calibrate(_scenario(), pilot, predictive=False)
    i = calibration.names.index(ENGAGEMENT)
    mean, sd = calibration.mean[i], math.sqrt(calibration.covariance[i, i])
    assert sd < 0.25
    assert abs(mean - truth) < 3 * sd
    path = tmp_path / "huge.yaml"
    path.write_text(
        yaml.safe_dump(calibrated_document(_scenario(), calibration), sort_keys=False), "utf-8"
    )
    scenario = load_scenario(SCENARIO, priors=path)
    n = 20_000
    draws = draw_chunk(scenario, Layout.of(scenario), 1, list(block_ranges(n)))
    level = draws.pools["nano/instagram"].levels["engagement_rate"]
    prior = pool_model(scenario, "nano/instagram").priors["engagement_rate"]
    p = prior.persistent
    scores = math.sqrt(p) * level.persistent + math.sqrt(1 - p) * level.campaign
    expected_sd = math.sqrt(p * sd * sd + 1 - p)
    assert scores.std() == pytest.approx(expected_sd, rel=4 / math.sqrt(2 * n))
    assert scores.mean() == pytest.approx(math.sqrt(p) * mean, abs=4 * expected_sd / math.sqrt(n))
    assert level.persistent.std() == pytest.approx(sd, rel=4 / math.sqrt(2 * n))


@pytest.mark.statistical
def test_a_pilot_far_from_the_prior_moves_the_level_to_its_data() -> None:
    """Three campaigns of 12 nano creators whose brand sits at score -4: the robust prior
    lets the data win; the posterior interval holds the truth."""
    truth = -4.0
    pilot = _engagement_only(
        simulate_pilot(
            _scenario(), {"nano/instagram": 12}, 3, {ENGAGEMENT: truth}, np.random.default_rng(5)
        )
    )
    calibration = calibrate(_scenario(), pilot, predictive=False)
    i = calibration.names.index(ENGAGEMENT)
    mean, sd = calibration.mean[i], math.sqrt(calibration.covariance[i, i])
    assert mean < -2.0
    assert mean - 2.5 * sd < truth < mean + 2.5 * sd
    update = next(u for u in calibration.updates if u.name == ENGAGEMENT)
    assert update.conflict  # the data sit in the prior's outer 1%


@pytest.mark.statistical
def test_importance_sampling_agrees_with_itself_within_its_stated_error() -> None:
    """Two seeds of the conversion block give means within 4 of their combined Monte Carlo
    standard errors (written into the file as numerical_error)."""
    pilot = simulate_pilot(
        _scenario(),
        {"nano/instagram": 8, "micro/instagram": 4},
        2,
        {},
        np.random.default_rng(9),
    )
    first = calibrate(_scenario(), pilot, seed=1, predictive=False)
    second = calibrate(_scenario(), pilot, seed=2, predictive=False)
    errors = np.array(first.provenance["importance_sampling"]["mcse_of_means"])
    errors2 = np.array(second.provenance["importance_sampling"]["mcse_of_means"])
    names = [n for n in first.names if n.endswith("conversion_rate")] + ["shock"]
    at = [first.names.index(n) for n in names]
    gap = np.abs(first.mean[at] - second.mean[at])
    assert (gap < 4 * np.sqrt(errors**2 + errors2**2)).all()


@pytest.mark.exact
def test_rows_without_followers_are_integrated_over_the_tier() -> None:
    """A row without followers: its likelihood is the mean of the likelihoods at the tier's
    follower quantiles (each the likelihood of the row with those followers)."""
    model = pool_model(_scenario(), "nano/instagram")
    prior = model.priors["engagement_rate"]
    nodes = model.follower_nodes()
    z = np.linspace(-3, 3, 7)
    y = np.array([180.0])
    hidden = rate_cell(prior, y, nodes[None, :] * model.audience_share, np.zeros(1))(z)
    each = np.array(
        [rate_cell(prior, y, np.array([f * model.audience_share]), np.zeros(1))(z) for f in nodes]
    )
    expected = special.logsumexp(each, axis=0) - math.log(len(nodes))
    np.testing.assert_allclose(hidden, expected, rtol=0, atol=1e-9)
    assert nodes.min() >= 1000 and nodes.max() <= 10_000


@pytest.mark.statistical
def test_the_creator_spread_is_learnt_from_enough_creators() -> None:
    """60 creators over 3 campaigns whose true spread is 0.9 (the prior assumes 0.5): the
    spread's P5-P95 holds the truth and excludes the assumption; fewer than MIN_CREATORS keep
    the assumption."""
    pilot = _engagement_only(
        simulate_pilot(
            _scenario(),
            {"nano/instagram": 20},
            3,
            {ENGAGEMENT: 0.0},
            np.random.default_rng(21),
            spreads={ENGAGEMENT: 0.9},
        )
    )
    update = next(u for u in calibrate(_scenario(), pilot, predictive=False).updates)
    assert update.spread is not None
    assumed, median, p5, p95 = update.spread
    assert assumed == 0.5 and p5 < 0.9 < p95 and p5 > 0.5
    few = _engagement_only(
        simulate_pilot(_scenario(), {"nano/instagram": 5}, 1, {}, np.random.default_rng(1))
    )
    assert next(u for u in calibrate(_scenario(), few, predictive=False).updates).spread is None


@pytest.mark.exact
def test_a_learnt_spread_reaches_every_group_of_its_pool(tmp_path) -> None:
    pilot = _engagement_only(
        simulate_pilot(_scenario(), {"nano/instagram": 12}, 1, {}, np.random.default_rng(4))
    )
    calibration = calibrate(_scenario(), pilot, predictive=False)
    tau = calibration.spreads()[ENGAGEMENT]
    path = tmp_path / "spread.yaml"
    document = calibrated_document(_scenario(), calibration)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    scenario = load_scenario(SCENARIO, priors=path)
    for group in scenario.groups:
        expected = float(f"{tau:.6g}") if group.pool == "nano/instagram" else 0.5
        assert group.priors["engagement_rate"].creator_spread == expected
    document["calibration"]["spread"] = {"nano/tiktok/engagement_rate": 0.4}
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    with pytest.raises(InputError, match=r"calibration\.spread\.nano/tiktok/engagement_rate"):
        load_scenario(SCENARIO, priors=path)


@pytest.mark.statistical
def test_pilot_sizing_narrows_with_creators_down_to_the_one_campaign_floor() -> None:
    """A bigger one-campaign pilot teaches more, but never more than its campaign: the
    persistent score's sd stays near sqrt(1 - p) (0.71 at p = 0.5), not 0."""
    from campaign_sim.calibration.sizing import pilot_sizing

    table = pilot_sizing(_scenario(), "nano/instagram", "engagement_rate", (3, 24), 12, seed=3)
    small, large = table.iloc[0], table.iloc[1]
    assert large["expected_width"] < small["expected_width"] < small["prior_width"]
    assert 0.6 < large["score_sd"] < small["score_sd"] < 1.0


@pytest.mark.cli
def test_the_priors_listing_says_what_a_calibration_changed(tmp_path) -> None:
    from click.testing import CliRunner

    from campaign_sim.cli.main import main

    pilot = _engagement_only(
        simulate_pilot(_scenario(), {"nano/instagram": 12}, 1, {}, np.random.default_rng(4))
    )
    calibration = calibrate(_scenario(), pilot, predictive=False)
    path = tmp_path / "calibrated.yaml"
    document = calibrated_document(_scenario(), calibration)
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    text = Path(SCENARIO).read_text(encoding="utf-8").replace("base: article", f"base: {path}")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(text, encoding="utf-8")
    shown = CliRunner().invoke(main, ["priors", str(scenario)], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert f"Calibrated: the persistent parts of {ENGAGEMENT}" in shown.stdout
    tau = calibration.spreads()[ENGAGEMENT]
    assert f"Creator spreads learnt: {ENGAGEMENT} {tau:.2g}" in shown.stdout
