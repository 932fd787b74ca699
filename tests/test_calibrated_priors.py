"""Calibrated priors files (issue 14): the `calibration:` block, its checks, the engine's
persistent scores ``mean + L e``, and ``--priors FILE`` on the simulating commands."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import ROOT

from campaign_sim import load_scenario, simulate
from campaign_sim.cli import main
from campaign_sim.engine.draws import Layout, draw_chunk
from campaign_sim.engine.executors import Processes
from campaign_sim.errors import InputError
from campaign_sim.random.streams import (
    CAMPAIGN_STREAM,
    POOL_ROWS,
    block_ranges,
    brand_uniforms,
    pool_stream,
)
from campaign_sim.scenario.reading import read_yaml

pytestmark = pytest.mark.exact

COFFEE = ROOT / "scenarios/coffee-launch.yaml"
ARTICLE = ROOT / "scenarios/priors/article.yaml"
SEED = 20261201
NANO, MICRO = "nano/instagram/engagement_rate", "micro/instagram/engagement_rate"


@pytest.fixture(scope="module")
def plain():
    return load_scenario(COFFEE)


def prior_repr(scenario, name: str) -> str:
    tier, platform, quantity = name.split("/")
    for group in scenario.groups:
        if group.pool == f"{tier}/{platform}":
            return group.priors[quantity].dist.key()
    found = [p for p in scenario.priors if p.tier == tier and p.quantity == quantity]
    exact = [p for p in found if p.platform == platform] or [p for p in found if p.platform is None]
    return exact[0].dist.key()


def block(scenario, names, mean, covariance, **extra: Any) -> dict[str, Any]:
    priors = {n: prior_repr(scenario, n) for n in names if n != "shock"}
    if "shock" in names:
        priors["shock"] = "shock"
    return {
        "method": "test",
        "date": "2026-12-01",
        "data": {"file": "pilot.csv", "sha256": "0" * 64, "rows": 12},
        "product": "coffee",
        "persistent": {
            "names": list(names),
            "mean": list(mean),
            "covariance": [list(row) for row in covariance],
            "priors": priors,
        },
        "quantities": [{"pool": "nano/instagram", "quantity": "engagement_rate", "rows": 12}],
        "untouched": ["nano/instagram/share_rate"],
        **extra,
    }


def write_priors(folder: Path, calibration: dict | None, name: str = "cal.yaml", text=None) -> Path:
    """The article's priors as read, with a calibration block appended."""
    base = ARTICLE.read_text(encoding="utf-8") if text is None else text
    path = folder / name
    extra = "" if calibration is None else yaml.safe_dump({"calibration": calibration})
    path.write_text(base + "\n" + extra, encoding="utf-8")
    read_yaml(path)  # the project's reader reads it
    return path


NAMES = (NANO, MICRO, "shock")
MEAN = (0.8, -0.5, 0.3)
COV = ((0.25, 0.1, 0.05), (0.1, 0.36, -0.08), (0.05, -0.08, 0.49))


@pytest.fixture(scope="module")
def calibrated_file(tmp_path_factory, plain) -> Path:
    folder = tmp_path_factory.mktemp("calibrated")
    return write_priors(folder, block(plain, NAMES, MEAN, COV))


# -- the checks of the block, through the command line --------------------------------------


def _bad(plain, change) -> tuple[dict, str | None]:
    data = block(plain, NAMES, MEAN, COV)
    text = change(data["persistent"]) if change is not None else None
    return data, text


BAD = {
    "bad name": (
        lambda p: p.__setitem__("names", ["nano-instagram", MICRO, "shock"]),
        None,
        "calibration.persistent.names[0]",
        "tier/platform/quantity",
    ),
    "bad quantity": (
        lambda p: p.__setitem__("names", ["nano/instagram/followers", MICRO, "shock"]),
        None,
        "calibration.persistent.names[0]",
        "not 'followers'",
    ),
    "unknown tier": (
        lambda p: p.__setitem__("names", ["nanoo/instagram/engagement_rate", MICRO, "shock"]),
        None,
        "calibration.persistent.names[0]",
        "no tier 'nanoo'",
    ),
    "unknown platform": (
        lambda p: p.__setitem__("names", ["nano/myspace/engagement_rate", MICRO, "shock"]),
        None,
        "calibration.persistent.names[0]",
        "no platform 'myspace'",
    ),
    "duplicate name": (
        lambda p: p.__setitem__("names", [NANO, NANO, "shock"]),
        None,
        "calibration.persistent.names[1]",
        "given twice",
    ),
    "short mean": (
        lambda p: p.__setitem__("mean", [0.1, 0.2]),
        None,
        "calibration.persistent.mean",
        "2 values for 3 names",
    ),
    "covariance rows": (
        lambda p: p.__setitem__("covariance", p["covariance"][:2]),
        None,
        "calibration.persistent.covariance",
        "3 x 3",
    ),
    "covariance row length": (
        lambda p: p["covariance"][1].pop(),
        None,
        "calibration.persistent.covariance[1]",
        "3 x 3",
    ),
    "not symmetric": (
        lambda p: p["covariance"][0].__setitem__(1, 0.2),
        None,
        "calibration.persistent.covariance[0][1]",
        "symmetric",
    ),
    "not psd": (
        lambda p: p.__setitem__("covariance", [[1, 2, 0], [2, 1, 0], [0, 0, 1]]),
        None,
        "calibration.persistent.covariance",
        "not positive semi-definite",
    ),
    "nan": (
        lambda p: p["mean"].__setitem__(1, math.nan),
        None,
        "calibration.persistent.mean[1]",
        "finite",
    ),
    "inf covariance": (
        lambda p: p["covariance"][2].__setitem__(2, math.inf),
        None,
        "calibration.persistent.covariance[2][2]",
        "finite",
    ),
    "prior mismatch": (
        lambda p: p["priors"].__setitem__(NANO, "Beta(alpha=1.0, beta=9.0)"),
        None,
        "calibration.persistent.names[0]",
        "calibrated against another prior",
    ),
    "missing prior": (
        lambda p: p["priors"].pop(MICRO),
        None,
        "calibration.persistent.priors",
        "no prior for",
    ),
    "shock without persistent part": (
        None,
        "shock_persistent: 0.5",
        "calibration.persistent.names[2]",
        "no persistent part",
    ),
}


@pytest.mark.cli
@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_bad_calibration_exits_2_at_its_key_path(tmp_path, plain, case) -> None:
    change, line, path, message = BAD[case]
    data = block(plain, NAMES, MEAN, COV)
    if change is not None:
        change(data["persistent"])
    text = ARTICLE.read_text(encoding="utf-8")
    if line is not None:
        assert line in text
        text = text.replace(line, "shock_persistent: 0")
    priors = write_priors(tmp_path, data, text=text)
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(COFFEE),
            "--priors",
            str(priors),
            "-n",
            "10",
            "-q",
            "-o",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(priors) in result.stderr
    assert path in result.stderr and message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.cli
def test_a_missing_priors_file_exits_2_naming_it(tmp_path) -> None:
    missing = tmp_path / "nowhere.yaml"
    for command in (["run", str(COFFEE)], ["compare", str(COFFEE)], ["plan", str(COFFEE)]):
        result = CliRunner().invoke(main, [*command, "--priors", str(missing)])
        assert result.exit_code == 2, result.output
        assert "--priors" in result.stderr and "nowhere.yaml" in result.stderr
        assert "Traceback" not in result.output


def test_a_missing_priors_file_is_an_input_error_in_python(tmp_path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_scenario(COFFEE, priors=tmp_path / "nowhere.yaml")


def test_the_posterior_is_loaded_with_its_factor(plain, calibrated_file) -> None:
    scenario = load_scenario(COFFEE, priors=calibrated_file)
    posterior = scenario.calibrated
    assert plain.calibrated is None
    assert posterior is not None and posterior.names == NAMES and posterior.product == "coffee"
    np.testing.assert_array_equal(posterior.mean, MEAN)
    np.testing.assert_allclose(posterior.factor @ posterior.factor.T, COV, rtol=1e-12)
    assert np.all(np.triu(posterior.factor, 1) == 0)
    assert scenario.digest != plain.digest  # the block is part of the scenario's digest
    assert scenario.aov == plain.aov  # no calibrated order value


def test_a_calibrated_order_value_replaces_the_scenarios_with_a_notice(tmp_path, plain) -> None:
    aov = {"family": "lognormal", "range": [700, 900]}
    priors = write_priors(tmp_path, block(plain, NAMES, MEAN, COV, aov=aov))
    with pytest.warns(UserWarning, match="economics.aov .* is replaced by the calibrated"):
        scenario = load_scenario(COFFEE, priors=priors)
    assert scenario.aov != plain.aov
    assert scenario.aov.ppf(0.05) == pytest.approx(700, rel=1e-6)


def test_an_override_of_a_calibrated_prior_is_refused(tmp_path, calibrated_file) -> None:
    data = read_yaml(COFFEE)
    data["priors"] = {
        "base": str(calibrated_file),
        "tiers": {"nano": {"engagement_rate": {"family": "beta", "range": [0.02, 0.12]}}},
    }
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(InputError, match=r"names\[0\].*calibrated against another prior"):
        load_scenario(path)


# -- the engine ------------------------------------------------------------------------------


def _scores(scenario, n: int, seed: int = SEED, horizon: int = 1) -> np.ndarray:
    layout = Layout.of(scenario)
    draws = draw_chunk(scenario, layout, seed, list(block_ranges(n)), horizon=horizon)
    nano = draws.pools["nano/instagram"].levels["engagement_rate"].persistent
    micro = draws.pools["micro/instagram"].levels["engagement_rate"].persistent
    return np.vstack([nano, micro, draws.campaign.shock_parts[0]])


@pytest.mark.statistical
def test_the_persistent_scores_have_the_posteriors_mean_and_covariance(calibrated_file) -> None:
    scenario = load_scenario(COFFEE, priors=calibrated_file)
    n = 16 * 1024
    z = _scores(scenario, n)
    cov = np.array(COV)
    sd = np.sqrt(np.diag(cov))
    # Means: 4.5 standard errors sqrt(S_kk / n); covariances: 4.5 x sqrt((S_ii S_jj + S_ij^2) / n).
    assert np.all(np.abs(z.mean(axis=1) - MEAN) < 4.5 * sd / math.sqrt(n))
    se = np.sqrt((np.outer(sd**2, sd**2) + cov**2) / n)
    assert np.all(np.abs(np.cov(z) - cov) < 4.5 * se)


def test_the_scores_are_mean_plus_factor_times_the_engines_own_normal_scores(
    tmp_path, plain
) -> None:
    """Exactly ``mean + L e``, ``e`` from the streams the engine draws anyway, also when a
    listed pool (mid/instagram) is hired by no strategy; under a horizon, per brand."""
    mid = "mid/instagram/engagement_rate"
    names = (mid, NANO, "shock")
    cov = ((1.0, 0.6, 0.0), (0.6, 1.0, 0.3), (0.0, 0.3, 1.0))
    scenario = load_scenario(
        COFFEE, priors=write_priors(tmp_path, block(plain, names, (0, 0.5, 0), cov))
    )
    n, horizon = 2048, 4
    blocks = list(block_ranges(n))
    e = []
    for name in names:
        if name == "shock":
            u = brand_uniforms(SEED, blocks, CAMPAIGN_STREAM, "shock.persistent", horizon)
        else:
            pool, quantity = name.rsplit("/", 1)
            rows = POOL_ROWS[quantity] + 1
            u = brand_uniforms(SEED, blocks, pool_stream(pool), "pool.persistent", horizon, rows)
            u = u[POOL_ROWS[quantity]]
        e.append(np.asarray(__import__("scipy").special.ndtri(u)))
    factor = np.linalg.cholesky(np.array(cov))
    draws = draw_chunk(scenario, Layout.of(scenario), SEED, blocks, horizon=horizon)
    nano = draws.pools["nano/instagram"].levels["engagement_rate"].persistent
    np.testing.assert_allclose(nano, 0.5 + factor[1, 0] * e[0] + factor[1, 1] * e[1], rtol=1e-12)
    shock = draws.campaign.shock_parts[0]
    expected = factor[2, 1] * e[1] + factor[2, 2] * e[2]
    np.testing.assert_allclose(shock, expected, rtol=1e-12, atol=1e-15)
    assert np.all(nano.reshape(-1, horizon) == nano[::horizon, None])  # one brand, one level


def test_mean_0_and_identity_is_bit_identical_to_no_calibration(tmp_path, plain) -> None:
    names = ("micro/youtube/fee", NANO, "nano/tiktok/conversion_rate", "shock")
    priors = write_priors(tmp_path, block(plain, names, (0, 0, 0, 0), np.eye(4).tolist()))
    scenario = load_scenario(COFFEE, priors=priors)
    assert scenario.calibrated is not None
    got = simulate(scenario, campaigns=2500, seed=SEED, chunk_size=1024)
    expected = simulate(plain, campaigns=2500, seed=SEED, chunk_size=1024)
    for name in expected.values:
        for metric, array in expected.values[name].items():
            np.testing.assert_array_equal(got.values[name][metric], array, err_msg=metric)


@pytest.mark.reproducibility
def test_calibrated_numbers_do_not_depend_on_chunks_or_workers(calibrated_file, plain) -> None:
    scenario = load_scenario(COFFEE, priors=calibrated_file)
    one = simulate(scenario, campaigns=2500, seed=SEED, chunk_size=4096)
    chunked = simulate(scenario, campaigns=2500, seed=SEED, chunk_size=1024)
    forked = simulate(scenario, campaigns=2500, seed=SEED, chunk_size=1024, executor=Processes(2))
    before = simulate(plain, campaigns=2500, seed=SEED, chunk_size=1024)
    for name in one.values:
        for metric, array in one.values[name].items():
            np.testing.assert_array_equal(chunked.values[name][metric], array, err_msg=metric)
            np.testing.assert_array_equal(forked.values[name][metric], array, err_msg=metric)
    assert not np.array_equal(one.values[name]["roi"], before.values[name]["roi"])


# -- --priors FILE ---------------------------------------------------------------------------


@pytest.mark.cli
@pytest.mark.parametrize("command", [["run"], ["compare"]], ids=["run", "compare"])
def test_priors_option_matches_the_file_as_priors_base(tmp_path, calibrated_file, command) -> None:
    data = copy.deepcopy(read_yaml(COFFEE))
    data["priors"] = {**data.get("priors", {}), "base": str(calibrated_file)}
    written = tmp_path / "coffee-calibrated.yaml"
    written.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    common = ["-n", "3000", "-s", str(SEED), "-q", "--format", "csv"]
    runner = CliRunner()
    by_option = runner.invoke(
        main,
        [
            *command,
            str(COFFEE),
            "--priors",
            str(calibrated_file),
            *common,
            "-o",
            str(tmp_path / "a"),
        ],
    )
    in_file = runner.invoke(main, [*command, str(written), *common, "-o", str(tmp_path / "b")])
    plain = runner.invoke(main, [*command, str(COFFEE), *common, "-o", str(tmp_path / "c")])
    assert by_option.exit_code == 0, by_option.output
    assert in_file.exit_code == 0, in_file.output
    assert by_option.stdout == in_file.stdout
    assert by_option.stdout != plain.stdout


@pytest.mark.cli
def test_priors_option_is_relative_to_the_current_directory(
    tmp_path, calibrated_file, monkeypatch
) -> None:
    monkeypatch.chdir(calibrated_file.parent)
    scenario = load_scenario(COFFEE, priors=calibrated_file.name)
    assert scenario.calibrated is not None
    assert scenario.model.priors.base == str(calibrated_file)
