"""Simulation-based calibration of named creators' persistent own effects (MODEL.md §9-10),
through the written priors file.

Each replicate draws the pool's engagement score ``Zp`` from calibration's robust prior and
three named creators' own effects ``eta_p ~ N(0, 1)``, simulates :data:`CAMPAIGNS` past
campaigns through the model (a fresh campaign part each; in each, the three named creators,
``sqrt(q) eta_p + sqrt(1 - q) eta_c`` their own score, and :data:`OTHERS` creators without
history, N(0, 1) each; engagements Poisson on the audience), calibrates with
``creators=...``, writes the priors file's block, reads the joint Gaussian back and ranks
each truth in it. The named creators are three of seven rows in every campaign (43% of the
pool's rows), where reading their rows as independent creators was worst; the four others
keep their handles across campaigns, so the pool has 7 creators, below the 8 that learn the
spread, and the spread is the prior's in truth and in the fit (the learnt spread's doubt is
not carried into eta_p: creators.py's docstring).

What is checked, each over :data:`REPLICATES` replicates (ten bins, chi-square, fixed seed;
p > 0.01 as in test_calibration_sbc.py: a right posterior fails one such test 1% of the
time, at a fixed seed never or always): the probability integral transform of each named
creator's true eta_p under the written N(mean, sd^2) (exact for a Gaussian, no draws), that of
the pool's true score, and the rank of each creator's true usual rate (the derived quantity:
``g^-1(m(L(sqrt(p) Zp)) + tau sqrt(q) eta_p)``, the rate of a campaign whose campaign parts
are 0; its posterior needs the joint of Zp and eta_p) among :data:`DRAWS` draws of the
written joint. Each creator slot is tested on its own (the three of a replicate share its
pool score, so their ranks are not independent). Two negative controls must fail the same
test: the written mean with its sd taken as 0, and each creator's observed rates taken as exact
but for counting noise (no campaign parts, no own campaign-to-campaign part, the pool at its
written centre).

Numerics: the grids of calibration/creators.py are coarsened here (:data:`COARSE`: moments
move by about 1e-3, against posterior sds of 0.3-0.5; tests/test_calibration_creators.py checks
the default grids against a brute force and a refinement), to keep the test near 60 s.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import special, stats

from campaign_sim import load_scenario
from campaign_sim.calibration import creators
from campaign_sim.calibration.observation import centres, pool_model
from campaign_sim.calibration.pilot import Pilot
from campaign_sim.calibration.prior import robust_sample
from campaign_sim.calibration.update import calibrate
from campaign_sim.calibration.writeback import calibrated_document
from campaign_sim.random.levels import OWN_PERSISTENT

pytestmark = [pytest.mark.statistical, pytest.mark.slow]

REPLICATES = 200
CAMPAIGNS = 10
OTHERS = 4
NAMED = ("ana", "ben", "cai")
DRAWS = 99  # ranks 0..99, ten bins of ten
FOLLOWERS = 5000.0
POOL = "nano/instagram"
QUANTITY = "engagement_rate"
LEVEL = f"{POOL}/{QUANTITY}"
COARSE = {
    "ZP_NODES": 21,
    "CENTRE_STEP": 0.01,
    "Z_STRIDE": 16,
    "ETA_STEP": 0.1,
    "COARSE_STEP": 0.5,
    "ETA_GRID": np.arange(-80, 81) * 0.1,
}
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=1)
def _scenario():  # type: ignore[no-untyped-def]
    return load_scenario("scenarios/coffee-launch.yaml")


def _prior():  # type: ignore[no-untyped-def]
    return pool_model(_scenario(), POOL).priors[QUANTITY]


def _history(rng: np.random.Generator) -> Pilot:
    """One replicate's truths (drawn from the prior) and past campaigns, through the model."""
    scenario, prior = _scenario(), _prior()
    share = pool_model(scenario, POOL).audience_share
    p, q, tau = prior.persistent, OWN_PERSISTENT, prior.creator_spread
    truth = {LEVEL: float(robust_sample(rng, 1)[0])}
    truth.update({f"@{h}/{QUANTITY}": float(rng.standard_normal()) for h in NAMED})
    handles = [*NAMED, *(f"other{j}" for j in range(OTHERS))]
    records = []
    for k in range(CAMPAIGNS):
        z = math.sqrt(p) * truth[LEVEL] + math.sqrt(1 - p) * rng.standard_normal()
        m = float(centres(prior, np.array([z]))[0])
        own = rng.standard_normal(len(handles))
        for j, handle in enumerate(handles):
            score = own[j]
            if handle in NAMED:
                score = math.sqrt(q) * truth[f"@{handle}/{QUANTITY}"] + math.sqrt(1 - q) * score
            rate = float(special.expit(m + tau * score))
            records.append(
                {
                    "row": len(records) + 2,
                    "platform": "instagram",
                    "tier": "nano",
                    "followers": FOLLOWERS,
                    "campaign": f"c{k:02d}",
                    "product": scenario.name,
                    "creator": f"@{handle}",
                    "deliverables": 1,
                    "creators": 1,
                    "fee": np.nan,
                    "reach": np.nan,
                    "engagements": float(rng.poisson(FOLLOWERS * share * rate)),
                    "orders": np.nan,
                    "revenue": np.nan,
                }
            )
    return Pilot(pd.DataFrame(records), truth)


def _written(pilot: Pilot) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The joint Gaussian as read back from the calibration block calibrate writes."""
    calibration = calibrate(_scenario(), pilot, predictive=False, creators={h: POOL for h in NAMED})
    written = calibrated_document(_scenario(), calibration)["calibration"]
    block = yaml.load(yaml.dump({"calibration": written}, Dumper=DUMPER), Loader=LOADER)
    persistent = block["calibration"]["persistent"]
    return persistent["names"], np.array(persistent["mean"]), np.array(persistent["covariance"])


def _usual(zp: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """The usual rate's logit (a monotone map of the rate): the pool's centre in a campaign
    whose campaign part is 0, plus the creator's persistent deviation."""
    prior = _prior()
    shift = prior.creator_spread * math.sqrt(OWN_PERSISTENT)
    return centres(prior, math.sqrt(prior.persistent) * np.asarray(zp, float)) + shift * eta


def _as_exact_rates(pilot: Pilot, handle: str, pool_centre: float) -> tuple[float, float]:
    """Negative control: eta_p from the creator's observed rates taken as exact but for the
    counting noise (no campaign parts, no campaign-to-campaign own part, the pool at its
    written centre, no prior): the mean of their campaigns' logit deviations over
    ``tau sqrt(q)``, with the sd of Poisson noise alone."""
    prior, rows = _prior(), pilot.rows
    share = pool_model(_scenario(), POOL).audience_share
    mine = rows[rows["creator"] == f"@{handle}"]
    y = np.maximum(mine["engagements"].to_numpy(), 0.5)
    deviation = special.logit(y / (mine["followers"].to_numpy() * share)) - pool_centre
    shift = prior.creator_spread * math.sqrt(OWN_PERSISTENT)
    return float(deviation.mean() / shift), float(math.sqrt((1.0 / y).mean() / y.size) / shift)


def _uniform_p(u: np.ndarray) -> float:
    counts = np.bincount(np.minimum((np.asarray(u) * 10).astype(int), 9), minlength=10)
    return float(stats.chisquare(counts).pvalue)


@functools.lru_cache(maxsize=1)
def _pits() -> dict[str, np.ndarray]:
    """Per check, the replicates' probability integral transforms (ranks / (DRAWS + 1) for
    the usual rate), shape (REPLICATES,) or (REPLICATES, creators)."""
    rng = np.random.default_rng(20261215)
    out: dict[str, list] = {"pool": [], "eta": [], "usual": [], "sd0": [], "naive": []}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in COARSE.items():
            patch.setattr(creators, key, value)
        for _ in range(REPLICATES):
            pilot = _history(rng)
            truth = pilot.truth
            names, mean, cov = _written(pilot)
            i = names.index(LEVEL)
            out["pool"].append(stats.norm.cdf((truth[LEVEL] - mean[i]) / math.sqrt(cov[i, i])))
            eta, usual, sd0, naive_pits = [], [], [], []
            centre = float(_usual(np.array([mean[i]]), np.zeros(1))[0])
            for handle in NAMED:
                name = f"@{handle}/{QUANTITY}"
                j = names.index(name)
                eta.append(stats.norm.cdf((truth[name] - mean[j]) / math.sqrt(cov[j, j])))
                pair = [i, j]
                draws = rng.multivariate_normal(mean[pair], cov[np.ix_(pair, pair)], DRAWS)
                value = _usual(np.array([truth[LEVEL]]), np.array([truth[name]]))[0]
                rank = int((_usual(draws[:, 0], draws[:, 1]) < value).sum())
                usual.append((rank + 0.5) / (DRAWS + 1))
                sd0.append(float(truth[name] > mean[j]))
                naive, sd = _as_exact_rates(pilot, handle, centre)
                naive_pits.append(stats.norm.cdf((truth[name] - naive) / sd))
            out["eta"].append(eta)
            out["usual"].append(usual)
            out["sd0"].append(sd0)
            out["naive"].append(naive_pits)
    return {key: np.array(value) for key, value in out.items()}


@pytest.mark.parametrize("slot", range(len(NAMED)), ids=NAMED)
def test_each_named_creators_own_effect_is_calibrated(slot: int) -> None:
    assert _uniform_p(_pits()["eta"][:, slot]) > 0.01


@pytest.mark.parametrize("slot", range(len(NAMED)), ids=NAMED)
def test_each_named_creators_usual_rate_is_calibrated(slot: int) -> None:
    """The derived quantity: right only with the joint of the pool score and eta_p."""
    assert _uniform_p(_pits()["usual"][:, slot]) > 0.01


def test_the_pool_level_is_calibrated_with_named_creators() -> None:
    """The pool's score, fitted knowing that the named creators' rows share their eta_p."""
    assert _uniform_p(_pits()["pool"]) > 0.01


def test_the_negative_controls_fail_the_same_test() -> None:
    """The written mean with sd 0 (a PIT of 0 or 1), and the creator's observed rates taken
    as exact but for counting noise (as test_calibration_sbc.py's control)."""
    for key in ("sd0", "naive"):
        for slot in range(len(NAMED)):
            assert _uniform_p(_pits()[key][:, slot]) < 0.01, key
