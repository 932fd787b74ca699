"""Simulation-based calibration of `calibrate`, end to end through the written priors file.

Each replicate draws a truth from calibration's prior, simulates a pilot with the observation
layer (campaign_sim/calibration/pilot.py, the engine's own creator model), calibrates, writes
the priors file, reads the posterior back from it and ranks the truth among draws from it.
Over replicates the ranks are uniform when the posterior is right (chi-square, fixed seed);
a negative control that treats observed rates as exact fails the same test.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import yaml
from scipy import special, stats

from campaign_sim.calibration.pilot import simulate_pilot
from campaign_sim.calibration.update import calibrate
from campaign_sim.calibration.writeback import calibrated_document
from campaign_sim.scenario.loading import load_scenario

pytestmark = [pytest.mark.statistical, pytest.mark.slow]

REPLICATES = 200  # conversion and the derived quantity (importance sampling, ~0.25 s each)
ENGAGEMENT_REPLICATES = 400  # engagement alone (the grid, ~0.05 s each)
DRAWS = 99  # posterior draws per replicate: ranks 0..99, ten bins of ten
DESIGN = {"nano/instagram": 6, "micro/instagram": 3}
ENGAGEMENT = "nano/instagram/engagement_rate"
NANO = "nano/instagram/conversion_rate"
MICRO = "micro/instagram/conversion_rate"
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=1)
def _scenario():  # type: ignore[no-untyped-def]
    return load_scenario("scenarios/coffee-launch.yaml")


def _pilot(rng: np.random.Generator, kept: tuple[str, ...] = ("engagements", "orders")):  # type: ignore[no-untyped-def]
    pilot = simulate_pilot(_scenario(), DESIGN, 1, {}, rng)
    for column in ("fee", "reach", "engagements", "orders", "revenue"):
        if column not in kept:  # what this test checks
            pilot.rows[column] = np.nan
    return pilot


def _written_posterior(pilot, seed: int) -> tuple[list[str], np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """The posterior as read back from the calibration block of the priors file calibrate
    writes (the block alone: the rest of the file is the base priors, unchanged; one
    replicate goes through the whole file and the loader in the last test)."""
    calibration = calibrate(_scenario(), pilot, seed=seed, predictive=False)
    written = calibrated_document(_scenario(), calibration)["calibration"]
    text = yaml.dump({"calibration": written}, Dumper=DUMPER)
    block = yaml.load(text, Loader=LOADER)["calibration"]["persistent"]
    return block["names"], np.array(block["mean"]), np.array(block["covariance"])


def _uniform_p(ranks: np.ndarray) -> float:
    counts = np.bincount(np.minimum(ranks // 10, 9), minlength=10)
    return float(stats.chisquare(counts).pvalue)


@functools.lru_cache(maxsize=1)
def _ranks() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261201)
    ranks: dict[str, list[int]] = {"engagement": [], "nano": [], "derived": [], "naive": []}
    for r in range(ENGAGEMENT_REPLICATES):
        pilot = _pilot(rng, ("engagements",))
        truth = pilot.truth
        names, mean, cov = _written_posterior(pilot, seed=r)
        i = names.index(ENGAGEMENT)
        draws = mean[i] + np.sqrt(cov[i, i]) * rng.standard_normal(DRAWS)
        ranks["engagement"].append(int((draws < truth[ENGAGEMENT]).sum()))
        naive = _naive_engagement(pilot, rng)
        ranks["naive"].append(int((naive < truth[ENGAGEMENT]).sum()))
    for r in range(REPLICATES):
        pilot = _pilot(rng)
        truth = pilot.truth
        names, mean, cov = _written_posterior(pilot, seed=r)
        at = {name: i for i, name in enumerate(names)}
        draws = rng.multivariate_normal(mean, cov, DRAWS, method="cholesky")
        ranks["nano"].append(int((draws[:, at[NANO]] < truth[NANO]).sum()))
        derived = draws[:, at[NANO]] - draws[:, at[MICRO]]
        ranks["derived"].append(int((derived < truth[NANO] - truth[MICRO]).sum()))
    return {key: np.array(value) for key, value in ranks.items()}


def _naive_engagement(pilot, rng: np.random.Generator) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The negative control: the pilot's observed engagement rate taken as the exact level of
    the brand's pool (no creator spread, no campaign part, no counting noise)."""
    rows = pilot.rows[pilot.rows["tier"] == "nano"]
    rate = rows["engagements"].sum() / rows["followers"].sum()
    prior = next(
        p
        for p in _scenario().priors
        if p.tier == "nano"
        and p.quantity == "engagement_rate"
        and p.platform in (None, "instagram")
    )
    z = special.ndtri(float(prior.dist.cdf(rate)))
    persistent = z / math.sqrt(prior.persistent)
    return persistent + 0.01 * rng.standard_normal(DRAWS)


def test_engagement_level_ranks_are_uniform() -> None:
    assert _uniform_p(_ranks()["engagement"]) > 0.01


def test_conversion_level_ranks_are_uniform() -> None:
    assert _uniform_p(_ranks()["nano"]) > 0.01


def test_nano_minus_micro_conversion_ranks_are_uniform() -> None:
    """A derived quantity: only a joint posterior (with the shared shock's correlation) gets
    the difference of two pools' levels right."""
    assert _uniform_p(_ranks()["derived"]) > 0.01


def test_observed_rates_taken_as_exact_fail_the_same_test() -> None:
    assert _uniform_p(_ranks()["naive"]) < 0.01


def test_the_written_file_is_what_the_engine_reads(tmp_path) -> None:
    """One replicate through load_scenario: the engine's posterior is the file's."""
    pilot = _pilot(np.random.default_rng(7))
    calibration = calibrate(_scenario(), pilot, seed=0, predictive=False)
    path = tmp_path / "calibrated.yaml"
    path.write_text(
        yaml.safe_dump(calibrated_document(_scenario(), calibration), sort_keys=False),
        encoding="utf-8",
    )
    scenario = load_scenario("scenarios/coffee-launch.yaml", priors=path)
    assert scenario.calibrated is not None
    assert scenario.calibrated.names == calibration.names
    np.testing.assert_allclose(scenario.calibrated.mean, calibration.mean, atol=1e-6)
    factor = scenario.calibrated.factor
    np.testing.assert_allclose(factor @ factor.T, calibration.covariance, atol=1e-7)
