"""Whole-number orders by inversion (campaign_sim/random/counts.py): ``count_quantile`` is the
``u``-quantile of a Poisson (dispersion 1) or negative binomial count, the same as scipy's
``ppf``, on tiny and huge means and on uniforms in both tails."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from campaign_sim.random import counts
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


# The pmf steps (count_quantile steps from its guess with the pmf, leaving decisions near u to
# scipy's CDF) must not change a single count. This is count_quantile as it was before them,
# stepping with scipy's CDF alone, kept verbatim as the reference the new one must equal bit
# for bit (scipy's ppf differs from both in the far tails of huge means, see above).
def _reference_count_quantile(u, mean, dispersion=1.0):
    u, mean = np.broadcast_arrays(np.asarray(u, float), np.asarray(mean, float))
    if dispersion < 1:
        raise ValueError(f"dispersion(={dispersion}) must be >= 1")
    out = np.zeros(u.shape)
    live = mean > 0
    if not live.any():
        return out
    q, mu = u[live], mean[live]
    cdf = _reference_cdf(mu, dispersion)
    z = special.ndtri(np.clip(q, 1e-300, 1 - 1e-16))
    sd = np.sqrt(dispersion * mu)
    skew = (2 * dispersion - 1) / sd
    k = np.maximum(np.floor(mu + sd * (z + skew * (z * z - 1) / 6)), 0.0)
    low = cdf(k) < q
    while low.any():
        k[low] += 1
        low[low] = cdf(k[low], low) < q[low]
    high = k > 0
    high[high] = cdf(k[high] - 1, high) >= q[high]
    while high.any():
        k[high] -= 1
        high[high] = k[high] > 0
        high[high] = cdf(k[high] - 1, high) >= q[high]
    out[live] = k
    return out


def _reference_cdf(mu, dispersion):
    if dispersion == 1:
        return lambda k, where=None: special.pdtr(k, mu if where is None else mu[where])
    size = mu / (dispersion - 1)
    p = 1 / dispersion
    return lambda k, where=None: special.betainc(size if where is None else size[where], k + 1, p)


def _cdf_at(k: np.ndarray, mean: np.ndarray, dispersion: float) -> np.ndarray:
    """scipy's P(N <= k), as the reference evaluates it."""
    return _reference_cdf(mean, dispersion)(k)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("dispersion", "n"), [(1.0, 1_000_000), (1.5, 200_000), (4.0, 200_000), (50.0, 200_000)]
)
def test_count_quantile_equals_the_reference_on_random_means(dispersion, n):
    # Means log-uniform over 1e-3..1e6 (the pmf steps stop at 1e6; above, scipy's CDF steps).
    rng = np.random.default_rng(31)
    u, mean = rng.random(n), 10 ** rng.uniform(-3, 6, n)
    got = count_quantile(u, mean, dispersion)
    np.testing.assert_array_equal(got, _reference_count_quantile(u, mean, dispersion))
    assert got.max() > 1e6 and (got == 0).mean() > 0.1


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [1.0, 1.5, 4.0, 50.0])
def test_count_quantile_equals_the_reference_at_cdf_values(dispersion):
    # u exactly at scipy's P(N <= k), a double either side, and a few guard widths either
    # side (where the pmf steps start deciding alone), for counts around and far from the mean.
    mean = 10 ** np.linspace(-3, 6, 37)
    z = np.array([-30.0, -8, -3, -1, -0.3, 0, 0.3, 1, 3, 8])
    sd = np.sqrt(dispersion * mean)
    k = np.maximum(np.floor(mean[:, None] + z * sd[:, None]), 0)
    k = np.concatenate([k, k + 1, np.zeros((mean.size, 1)), np.ones((mean.size, 1))], axis=1)
    mean = np.broadcast_to(mean[:, None], k.shape).ravel()
    c = _cdf_at(k.ravel(), mean, dispersion)
    gap = counts._GUARD * np.array([0.5, 1, 1.5, 2, 3])
    u = np.concatenate(
        [c, np.nextafter(c, 0), np.nextafter(c, 1)] + [c - g for g in gap] + [c + g for g in gap]
    )
    mean = np.tile(mean, 13)
    # Not u <= 0: the reference walks down one count at a time from its guess to 0.
    keep = (u > 0) & (u <= 1)
    u, mean = u[keep], mean[keep]
    np.testing.assert_array_equal(
        count_quantile(u, mean, dispersion), _reference_count_quantile(u, mean, dispersion)
    )


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [1.0, 4.0])
def test_count_quantile_broadcasts_plans_against_campaigns(dispersion):
    # (plans, campaigns) means with one uniform a campaign, as the plan optimiser calls it;
    # some means 0.
    rng = np.random.default_rng(8)
    plans, campaigns = 16, 2_000
    u = rng.random(campaigns)
    mean = 10 ** rng.uniform(0, np.log10(5_000), (plans, campaigns))
    mean[rng.random(mean.shape) < 0.05] = 0.0
    got = count_quantile(u, mean, dispersion)
    assert got.shape == (plans, campaigns)
    np.testing.assert_array_equal(got, _reference_count_quantile(u, mean, dispersion))
    np.testing.assert_array_equal(got[mean == 0], 0)
    # And the other way round: one mean a campaign, a uniform per plan and campaign.
    u = rng.random((plans, campaigns))
    got = count_quantile(u, mean[0], dispersion)
    assert got.shape == (plans, campaigns)
    np.testing.assert_array_equal(got, _reference_count_quantile(u, mean[0], dispersion))


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [1.0, 1.05, 1.5, 4.0, 50.0, 70.0])
def test_count_quantile_equals_the_reference_on_zero_and_tiny_means(dispersion):
    # 1.05 and 70 are outside the pmf steps' dispersions: scipy's CDF steps alone.
    u = np.concatenate(
        [[0.0, 1e-300, 1e-12, 0.5, 1 - 1e-9, 1 - 1e-12, 1.0], np.linspace(0.01, 0.99, 25)]
    )
    mean = np.array([0.0, 5e-324, 1e-300, 1e-100, 1e-30, 1e-12, 1e-6, 1e-3, 0.1])
    u, mean = np.meshgrid(u, mean)
    got = count_quantile(u, mean, dispersion)
    np.testing.assert_array_equal(got, _reference_count_quantile(u, mean, dispersion))
    np.testing.assert_array_equal(got[0], 0)


def _stepped_cdf_error(mean: np.ndarray, u: np.ndarray, dispersion: float, steps: int):
    """The largest |pmf-stepped P(N <= k) - scipy's P(N <= k)| / steps from the guess, over
    ``steps`` steps up and down, with count_quantile's own guess, pmf and recurrence."""
    k0 = counts._first_guess(u, mean, dispersion)
    cdf = counts._cdf(mean, dispersion)
    a, log_pmf, ratio = counts._pmf(mean, dispersion)
    p0 = np.exp(log_pmf(k0))
    c0 = cdf(k0)
    assert (p0 >= counts._PMF_MIN).all()
    worst, k, c, p = 0.0, k0, c0, p0
    for j in range(1, steps + 1):  # up, as in counts._walk
        p = p * ratio(k, a)
        k, c = k + 1, c + p
        worst = max(worst, np.abs(c - cdf(k)).max() / j)
    c, p = c0, p0
    for j in range(1, steps + 1):  # down, as in counts._walk, while k0 - j >= 0
        c = c - p
        down = k0 >= j
        if down.any():
            worst = max(worst, np.abs(c - cdf(k0 - j))[down].max() / j)
        p = p / ratio(np.maximum(k0 - j, 0), a)
    return worst


@pytest.mark.exact
@pytest.mark.parametrize("dispersion", [1.0, 1.1, 1.5, 4.0, 64.0])
def test_the_pmf_steps_stay_well_inside_the_guard(dispersion):
    # The guard is only sound if pmf-stepped CDFs stay within j x _GUARD of scipy's: they are
    # measured within 5e-12 a step; here within a tenth of the guard, on means up to the pmf
    # steps' largest (size 1e6) and u away from the underflowing tails.
    top = counts._pmf_mean_max(dispersion)
    mean = np.geomspace(1e-3, top, 60)
    u = np.array([1e-6, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-6])
    mean, u = (x.ravel() for x in np.meshgrid(mean, u))
    keep = np.exp(counts._pmf(mean, dispersion)[1](counts._first_guess(u, mean, dispersion)))
    keep = keep >= counts._PMF_MIN
    worst = _stepped_cdf_error(mean[keep], u[keep], dispersion, 20)
    assert worst < counts._GUARD / 10
    assert worst > 0  # the check measures something: the steps are not scipy's CDF itself


@pytest.mark.exact
def test_pmf_steps_decide_nearly_every_value():
    # The speed-up: for the optimiser's means (1 to 5,000) only values within the guard of a
    # CDF are redone with scipy's CDF, about 2 in 10^9 a step, so none in 10^5.
    rng = np.random.default_rng(4)
    u, mean = rng.random(100_000), rng.uniform(1, 5_000, 100_000)
    for dispersion in (1.0, 4.0):
        k0 = counts._first_guess(u, mean, dispersion)
        k, redo = counts._step_by_pmf(u, mean, k0, dispersion)
        assert not redo.any()
        np.testing.assert_array_equal(k, _reference_count_quantile(u, mean, dispersion))
