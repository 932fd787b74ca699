"""Whole-number orders by inversion (campaign_sim/random/counts.py): ``count_quantile`` is the
``u``-quantile of a Poisson (dispersion 1) or negative binomial count, the same as scipy's
``ppf``, on tiny and huge means and on uniforms in both tails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from campaign_sim.random.counts import count_quantile

#: Uniforms: a random spread over (0, 1) and both tails, down to 1e-300 and up to 1 - 1e-11
#: (closer to 1 a double CDF cannot tell neighbouring counts apart: 1 - P(N <= k) is below
#: the spacing of doubles near 1, so any two inversions may land on different counts).
U = np.concatenate(
    [
        np.random.default_rng(13).random(200),
        [1e-300, 1e-100, 1e-12, 1e-6, 0.01, 0.5, 0.99, 1 - 1e-6, 1 - 1e-9, 1 - 1e-11],
    ]
)
#: Means from a hundredth of a millionth of an order to a million orders.
MEANS = np.array([1e-12, 1e-8, 1e-4, 0.01, 0.3, 1.0, 2.0, 7.5, 30.0, 99.9, 1e3, 1e4, 1e5, 1e6])


def _scipy(u: np.ndarray, mean: np.ndarray, dispersion: float) -> np.ndarray:
    """scipy's quantile of the same count: Poisson(mean), or negative binomial with size
    mean / (d - 1) and success probability 1 / d (mean size (1 - p) / p = mean, variance
    mean / p = d mean)."""
    if dispersion == 1:
        return stats.poisson.ppf(u, mean)
    return stats.nbinom.ppf(u, mean / (dispersion - 1), 1 / dispersion)


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [1.0, 1.2, 2.0, 10.0])
def test_count_quantile_is_scipys_ppf(dispersion):
    u, mean = np.meshgrid(U, MEANS)
    got = count_quantile(u, mean, dispersion)
    assert got.shape == u.shape
    np.testing.assert_array_equal(got, _scipy(u, mean, dispersion))
    # Not vacuous: the grid reaches far into both tails of the larger means.
    assert got.max() > 1e6 and (got == 0).any()


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [1.0, 2.0, 10.0])
def test_count_quantile_on_huge_means(dispersion):
    # Tens and hundreds of millions of orders, below the far upper tail. Not above: there
    # scipy's own Poisson CDF is off (pdtr(100046591, 1e8) gives P(N > k) = 1.00e-6, summing
    # the pmf gives 1.59e-6), so a quantile found with pdtr (count_quantile) and one found
    # with pdtrik (scipy's ppf) part: u = 1 - 1e-6 gives 100046591 and 100047537.
    u = np.concatenate([np.random.default_rng(5).random(50), [1e-300, 1e-12, 1e-6, 0.999]])
    u, mean = np.meshgrid(u, [1e7, 3.3e7, 1e8])
    np.testing.assert_array_equal(count_quantile(u, mean, dispersion), _scipy(u, mean, dispersion))


@pytest.mark.exact
def test_count_quantile_is_the_smallest_count_whose_cdf_reaches_u():
    # Hand-checked Poisson(2): P(0) = e^-2 = 0.1353, P(<=1) = 3 e^-2 = 0.4060,
    # P(<=2) = 5 e^-2 = 0.6767. So u = 0.1353 (just below e^-2) -> 0, u = 0.2 -> 1,
    # u = 0.5 -> 2, u = 0.6767 (just above 5 e^-2) -> 3.
    e2 = np.exp(-2.0)
    u = np.array([e2 * (1 - 1e-9), 0.2, 0.5, 5 * e2 * (1 + 1e-9)])
    np.testing.assert_array_equal(count_quantile(u, 2.0), [0, 1, 2, 3])
    # Negative binomial, mean 2, dispersion 3: size 1, p 1/3, a geometric count with
    # P(N <= k) = 1 - (2/3)^(k + 1): 1/3, 5/9, 19/27. u = 0.3 -> 0, 0.5 -> 1, 0.7 -> 2.
    np.testing.assert_array_equal(count_quantile(np.array([0.3, 0.5, 0.7]), 2.0, 3.0), [0, 1, 2])


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [1.0, 3.0])
def test_a_mean_of_zero_gives_zero_orders(dispersion):
    u = np.array([0.0, 1e-300, 0.3, 0.999999, np.nextafter(1.0, 0.0)])
    np.testing.assert_array_equal(count_quantile(u, 0.0, dispersion), 0)
    # Mixed with positive means, element by element (broadcast u against means).
    mean = np.array([[0.0], [2.0], [0.0], [50.0]])
    inner = u[1:4]  # not 1 - 2^-53, where no double CDF tells counts apart
    got = count_quantile(inner, mean, dispersion)
    assert got.shape == (4, 3)
    np.testing.assert_array_equal(got[[0, 2]], 0)
    np.testing.assert_array_equal(got[[1, 3]], _scipy(inner, mean[[1, 3]], dispersion))


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [0.999, 0.5, 0.0, -1.0])
def test_dispersion_below_one_raises(dispersion):
    with pytest.raises(ValueError, match="dispersion"):
        count_quantile(np.array([0.5]), np.array([2.0]), dispersion)


@pytest.mark.statistical
@pytest.mark.parametrize("dispersion", [1.0, 4.0])
def test_counts_from_uniforms_have_the_stated_mean_and_variance(dispersion):
    # Mean 3: variance 3 x dispersion; within 4 standard errors over 200,000 uniforms.
    n, mean = 200_000, 3.0
    k = count_quantile(np.random.default_rng(2).random(n), mean, dispersion)
    se_mean = np.sqrt(dispersion * mean / n)
    assert abs(k.mean() - mean) < 4 * se_mean
    var = k.var(ddof=1)
    se_var = np.sqrt((((k - k.mean()) ** 4).mean() - var**2) / n)
    assert abs(var - dispersion * mean) < 4 * se_var
