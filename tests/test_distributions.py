"""Distributions: quantile fits reproduce their inputs, samplers match the exact inverse CDF."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from campaign_sim.random import distributions as d

RANGE_FITS = [
    (d.Beta, (0.05, 0.088), 0.9),
    (d.Beta, (0.2, 0.5), 0.8),
    (d.Beta, (0.001, 0.3), 0.9),
    (d.LogNormal, (5000, 20000), 0.9),
    (d.LogNormal, (600, 1200), 0.5),
    (d.LogUniform, (1000, 10000), 1.0),
    (d.LogUniform, (1000, 10000), 0.9),
    (d.Uniform, (2.0, 5.0), 1.0),
    (d.Uniform, (2.0, 5.0), 0.9),
    (d.Normal, (-1.0, 3.0), 0.9),
]


@pytest.mark.exact
@pytest.mark.parametrize(("family", "bounds", "coverage"), RANGE_FITS)
def test_fitted_quantiles_reproduce_the_stated_range(family, bounds, coverage):
    fitted = family.from_range(*bounds, coverage)
    tail = (1 - coverage) / 2
    got = fitted.ppf([tail, 1 - tail])
    np.testing.assert_allclose(got, bounds, rtol=1e-6)


@pytest.mark.exact
def test_truncated_normal_fit_accounts_for_the_truncation():
    fitted = d.Normal.from_range(1.0, 3.0, 0.9, low=0.0)
    np.testing.assert_allclose(fitted.ppf([0.05, 0.95]), [1.0, 3.0], rtol=1e-6)
    assert fitted.support() == (0.0, math.inf)


@pytest.mark.exact
def test_lognormal_fit_is_closed_form():
    fitted = d.LogNormal.from_range(600, 1200, 0.9)
    assert fitted.median() == pytest.approx(math.sqrt(600 * 1200), rel=1e-12)
    assert fitted.sigma == pytest.approx(math.log(2) / (2 * 1.6448536269514722), rel=1e-12)


ALL = [
    d.Beta(2.0, 30.0),
    d.LogNormal(1000.0, 0.4),
    d.LogUniform(1000.0, 10000.0),
    d.Uniform(-1.0, 2.0),
    d.Normal(5.0, 2.0, 0.0, math.inf),
    d.Triangular(1.0, 2.0, 5.0),
    d.Pert(1.0, 2.0, 5.0),
]


@pytest.mark.exact
@pytest.mark.parametrize("dist", ALL, ids=lambda x: x.family)
def test_cdf_inverts_ppf(dist):
    q = np.linspace(0.001, 0.999, 101)
    np.testing.assert_allclose(dist.cdf(dist.ppf(q)), q, rtol=1e-9, atol=1e-12)


@pytest.mark.exact
@pytest.mark.parametrize("dist", ALL, ids=lambda x: x.family)
def test_sampler_matches_the_exact_inverse_cdf(dist):
    rng = np.random.default_rng(3)
    body = rng.uniform(1e-4, 1 - 1e-4, 200_000)
    tails = np.concatenate(
        [10 ** rng.uniform(-12, -1, 20_000), 1 - 10 ** rng.uniform(-12, -1, 20_000)]
    )
    sampler = dist.sampler()
    exact_body, exact_tails = dist.ppf(body), dist.ppf(tails)
    scale = np.abs(exact_body).max()
    # Interpolation error: 2e-6 of the scale in the body, 1e-3 in the outer tails.
    assert np.max(np.abs(sampler(body) - exact_body)) < 2e-6 * scale
    assert np.max(np.abs(sampler(tails) - exact_tails)) < 1e-3 * np.abs(exact_tails).max()


@pytest.mark.statistical
@pytest.mark.parametrize("dist", ALL, ids=lambda x: x.family)
def test_sampled_mean_within_four_standard_errors(dist):
    x = dist.rvs(400_000, rng=np.random.default_rng(11))
    se = x.std() / math.sqrt(x.size)
    assert abs(x.mean() - dist.mean()) < 4 * se


@pytest.mark.exact
def test_pert_is_the_rescaled_beta():
    pert = d.Pert(0.0, 3.0, 10.0)
    ref = stats.beta(1 + 4 * 0.3, 1 + 4 * 0.7, loc=0, scale=10)
    assert pert.mean() == pytest.approx(ref.mean())
    assert pert.mean() == pytest.approx((0 + 4 * 3 + 10) / 6)


@pytest.mark.exact
def test_fixed_is_a_point_mass():
    fixed = d.Fixed(7.5)
    assert fixed.is_fixed
    np.testing.assert_array_equal(fixed.sampler()(np.array([0.0, 0.5, 0.999])), [7.5] * 3)
    assert fixed.ppf(0.3) == 7.5 and fixed.mean() == 7.5


@pytest.mark.exact
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: d.Beta.from_range(0.2, 1.5), "0 < lo < hi < 1"),
        (lambda: d.LogNormal.from_range(-5, 10), "lo"),
        (lambda: d.LogNormal.from_range(5, 10, 1.0), "coverage < 1"),
        (lambda: d.Beta.from_range(0.1, 0.2, 0.0), "coverage"),
    ],
)
def test_impossible_fits_raise_fit_error(call, message):
    with pytest.raises(d.FitError, match=message):
        call()


@pytest.mark.exact
def test_every_family_is_registered():
    assert set(d.FAMILIES) == {
        "fixed",
        "uniform",
        "loguniform",
        "lognormal",
        "normal",
        "beta",
        "triangular",
        "pert",
    }
