"""Stated outcomes as a check (campaign_sim.analysis.stated, `campaign-sim check`)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import FIXED_PRIORS

from campaign_sim.analysis.stated import check_stated, conflicts, percentile_of, verdict
from campaign_sim.cli.main import main
from campaign_sim.errors import InputError

#: One all-fixed nano Instagram creator, one post: cost 10,000 fee + 500 overhead; reach
#: 5,000 x 0.3 = 1,500 people, so CPM = 1000 x 10,500 / 1,500 = 7,000 exactly; engagements
#: 5,000 x 0.05 = 250, CPE = 42.
ONE = [{"tier": "nano", "platform": "instagram", "count": 1}]


def _priors(tmp_path: Path, *stated: dict, followers: object = None) -> str:
    data = copy.deepcopy(FIXED_PRIORS)
    if followers is not None:
        data["tiers"]["nano"]["followers"] = followers
    data["stated"] = list(stated)
    path = tmp_path / "stated-priors.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def _figure(name: str = "f", metric: str = "cpm", mix: list | None = None, **figure) -> dict:
    return {
        "name": name,
        "figure": "as stated",
        "source": "test",
        "metric": metric,
        "mix": mix if mix is not None else ONE,
        **figure,
    }


def _check(tmp_path: Path, *stated: dict, **options):
    return check_stated(_priors(tmp_path, *stated), campaigns=200, seed=3, **options)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_figure(metirc="cpm"), r"stated\[0\]: unknown key 'metirc' \(did you mean 'metric'\?\)"),
        (_figure(metric="cmp", value=1), r"stated\[0\]\.metric: .*\(did you mean 'cpm'\?\)"),
        (_figure(range=[1, 2], value=3), r"stated\[0\]: .*exactly one of `range`, `value`"),
        (_figure(), r"stated\[0\]: .*exactly one of `range`, `value` or `at_least`"),
        (_figure(range=[5, 2]), r"stated\[0\]: .*range \[5, 2\] must have lo < hi"),
        (
            _figure(value=1, mix=[{"tier": "nano", "platform": "instagram", "cuont": 3}]),
            r"stated\[0\]\.mix\[0\]: unknown key 'cuont' \(did you mean 'count'\?\)",
        ),
        (
            _figure(value=1, mix=[{**ONE[0], "followers": [5000, 3000]}]),
            r"stated\[0\]\.mix\[0\]: .*followers \[5000, 3000\] must have low < high",
        ),
        (_figure(value=1, mix=[]), r"stated\[0\]\.mix: .*at least 1 item"),
    ],
)
def test_schema_rejects_bad_entries(tmp_path: Path, entry: dict, message: str) -> None:
    path = _priors(tmp_path, entry)
    with pytest.raises(InputError, match=message) as caught:
        check_stated(path, campaigns=10)
    assert "stated-priors.yaml" in str(caught.value)


@pytest.mark.exact
def test_an_unknown_tier_of_a_mix_is_named_at_its_key_path(tmp_path: Path) -> None:
    mix = [{"tier": "nanno", "platform": "instagram", "count": 1}]
    with pytest.raises(InputError, match=r"stated\[0\]\.mix\[0\]\.tier: .*did you mean 'nano'"):
        _check(tmp_path, _figure(value=1, mix=mix))


@pytest.mark.exact
def test_repeated_names_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"stated: stated figures need distinct names; repeated: f"
    ):
        _check(tmp_path, _figure(value=1), _figure(value=2))


@pytest.mark.cli
def test_a_bad_entry_exits_2_with_file_and_key(tmp_path: Path) -> None:
    path = _priors(tmp_path, _figure(metirc="cpm"))
    result = CliRunner().invoke(main, ["check", "--set", path, "-q"])
    assert result.exit_code == 2
    assert "stated-priors.yaml" in result.output
    assert "stated[0]: unknown key 'metirc' (did you mean 'metric'?)" in result.output


@pytest.mark.exact
@pytest.mark.parametrize(
    ("figure", "verdict_", "pct_low", "pct_high"),
    [
        ({"range": [6000, 8000]}, "overlaps", 0.0, 1.0),
        ({"range": [7000, 8000]}, "overlaps", 1.0, 1.0),  # at or below: the constant counts
        ({"range": [100, 200]}, "below", 0.0, 0.0),
        ({"range": [9000, 12000]}, "above", 1.0, 1.0),
        ({"value": 7000}, "inside", 1.0, 1.0),
        ({"value": 6999}, "below", 0.0, 0.0),
        ({"value": 7001}, "above", 1.0, 1.0),
    ],
)
def test_cpm_of_an_all_fixed_creator_is_exact(
    tmp_path: Path, figure: dict, verdict_: str, pct_low: float, pct_high: float
) -> None:
    (check,) = _check(tmp_path, _figure(**figure)).checks
    assert (check.p5, check.p50, check.p95) == (7000, 7000, 7000)
    assert (check.verdict, check.pct_low, check.pct_high) == (verdict_, pct_low, pct_high)
    assert check.n_undefined == 0


@pytest.mark.exact
@pytest.mark.parametrize(
    ("bound", "verdict_", "pct"),
    [(20000, "above", 1.0), (15000, "inside", 1.0), (10000, "below", 0.0)],
)
def test_at_least_places_the_bound(tmp_path: Path, bound: float, verdict_: str, pct: float) -> None:
    """10 fixed creators reach 10 x 1,500 = 15,000 people."""
    mix = [{"tier": "nano", "platform": "instagram", "count": 10}]
    (check,) = _check(tmp_path, _figure(metric="reach", at_least=bound, mix=mix)).checks
    assert check.p50 == 15000
    assert (check.verdict, check.pct_low, check.high) == (verdict_, pct, math.inf)
    assert check.stated == f"≥ {bound:,}"


@pytest.mark.exact
def test_stated_followers_replace_the_follower_prior_for_the_check(tmp_path: Path) -> None:
    """Followers log-uniform on [3,000, 4,000]: reach per creator 0.3 x followers, so 5
    creators' reach lies in [4,500, 6,000]."""
    mix = [{"tier": "nano", "platform": "instagram", "count": 5, "followers": [3000, 4000]}]
    result = _check(tmp_path, _figure(metric="reach", at_least=1, mix=mix))
    (check,) = result.checks
    assert 4500 <= check.p5 < check.p50 < check.p95 <= 6000


@pytest.mark.exact
def test_percentile_and_verdict_by_hand() -> None:
    import numpy as np

    values = np.arange(1, 101, dtype=float)
    assert percentile_of(values, 5) == 0.05
    assert percentile_of(values, 0) == 0.0
    assert verdict("range", 1, 2, 5, 95) == "below"
    assert verdict("range", 1, 5, 5, 95) == "overlaps"
    assert verdict("at_least", 96, math.inf, 5, 95) == "above"
    assert verdict("value", 50, 50, math.nan, 95) == "undefined"


@pytest.mark.exact
def test_fee_rule_on_a_hand_case(tmp_path: Path) -> None:
    """Fee fixed at NT$10,000, followers log-uniform 1,000 - 10,000. A CPM of 100 - 200 needs
    10,000 x 1000 / 200 = 50,000 reached per post: no nano creator has that many followers.
    A CPM of 2,000 - 5,000 needs 2,000: 1 - log10(2) = 69.9% have that many."""
    followers = {"family": "loguniform", "low": 1000, "high": 10000}
    path = _priors(
        tmp_path,
        _figure("cheap", range=[100, 200]),
        _figure("dear", range=[2000, 5000]),
        _figure("cpe", metric="cpe", range=[10, 20]),
        _figure("reach", metric="reach", value=1),
        followers=followers,
    )
    result = check_stated(path, campaigns=50)
    rules = {c.name: c for c in result.conflicts}
    assert set(rules) == {"cheap", "dear", "cpe"}  # only CPM and CPE figures
    cheap, dear, cpe = rules["cheap"], rules["dear"], rules["cpe"]
    assert (cheap.needed_low, cheap.needed_high) == pytest.approx((50_000, 100_000))
    assert cheap.share_possible == 0 and cheap.conflict
    assert "cannot both hold" in cheap.message and "no nano creator" in cheap.message
    assert dear.needed_low == pytest.approx(2000)
    assert dear.share_possible == pytest.approx(1 - math.log10(2))
    assert not dear.conflict
    assert (cpe.needed_low, cpe.needed_high, cpe.unit) == (500, 1000, "engagements")
    assert [c.name for c in conflicts(result)] == ["cheap"]


@pytest.mark.exact
def test_the_article_micro_cpm_conflicts_with_its_fee_prior() -> None:
    """The brief's case: NT$30,000 / 0.7 = 42,857 people per post at the P5 fee."""
    result = check_stated("article", campaigns=200)
    rule = next(c for c in result.conflicts if c.name == "micro-cpm")
    assert rule.conflict
    assert rule.fee_p5 == pytest.approx(30_000, rel=1e-6)
    assert rule.needed_low == pytest.approx(30_000 * 1000 / 700, rel=1e-6)


@pytest.mark.cli
@pytest.mark.parametrize("columns", ["80", "120"])
def test_cli_table(tmp_path: Path, columns: str) -> None:
    path = _priors(tmp_path, _figure("one-cpm", range=[6000, 8000]))
    result = CliRunner(env={"COLUMNS": columns}).invoke(
        main, ["check", "--set", path, "-n", "100", "-q"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "one-cpm" in result.output and "overlaps" in result.output
    assert "7,000" in result.output
    assert max(len(line) for line in lines) <= int(columns)


@pytest.mark.cli
def test_cli_json_and_csv(tmp_path: Path) -> None:
    path = _priors(tmp_path, _figure("one-cpm", range=[6000, 8000]))
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--set", path, "-n", "100", "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["campaigns"], data["seed"]) == (100, 1)
    (check,) = data["checks"]
    assert (check["name"], check["p50"], check["verdict"]) == ("one-cpm", 7000, "overlaps")
    assert data["fee_rule"][0]["name"] == "one-cpm"
    result = runner.invoke(main, ["check", "--set", path, "-n", "100", "--format", "csv", "-q"])
    assert result.exit_code == 0, result.output
    header, row = result.output.splitlines()
    assert header.startswith("name,figure,source,metric,kind,low,high,p5,p50,p95")
    assert row.startswith("one-cpm,")


@pytest.mark.cli
def test_cli_with_a_scenario_takes_its_economics(write_scenario) -> None:
    path = write_scenario()
    result = CliRunner().invoke(main, ["check", str(path), "-n", "50", "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["priors"] == "fixed" and data["checks"] == []
    assert "scenario.yaml" in data["economics"]


@pytest.mark.exact
def test_a_scenarios_prior_overrides_apply_to_its_check(tmp_path: Path) -> None:
    # The all-fixed creator's fee 10,000 (+ overhead 500) gives CPM 7,000; a scenario that
    # overrides the fee to 4,000 gives 1000 x 4,500 / 1,500 = 3,000 exactly.
    overrides = {"nano": {"platforms": {"instagram": {"fee": 4000}}, "followers": 5000}}
    (check,) = _check(tmp_path, _figure(value=3000), overrides=overrides).checks
    assert (check.p5, check.p50, check.p95) == (3000, 3000, 3000)
    assert check.verdict == "inside"


@pytest.mark.cli
def test_cli_with_a_scenario_applies_its_overrides(tmp_path: Path) -> None:
    priors = _priors(tmp_path, _figure(value=3000))
    data = {
        "name": "s",
        "economics": {"aov": 1000, "gross_margin": 0.5},
        "strategies": {"a": {"groups": [{"tier": "nano", "platform": "instagram", "count": 1}]}},
        "priors": {
            "base": Path(priors).name,
            "tiers": {"nano": {"platforms": {"instagram": {"fee": 4000}}}},
        },
    }
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(path), "-n", "50", "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    (check,) = json.loads(result.output)["checks"]
    assert check["p50"] == 3000 and check["verdict"] == "inside"


@pytest.mark.exact
def test_orders_per_engagement_are_attributed_orders_over_engagements():
    # A case's "38% of engaged fans used the code": attributed orders per engagement, which
    # are the caused orders when nothing says otherwise (incrementality 1, no leakage).
    from campaign_sim.analysis.stated import stated_values

    values = {"conversions": np.array([30.0, 0.0]), "engagements": np.array([100.0, 0.0])}
    np.testing.assert_array_equal(stated_values("orders_per_engagement", values), [0.3, np.nan])
    values["attributed_orders"] = np.array([50.0, 1.0])
    np.testing.assert_array_equal(stated_values("orders_per_engagement", values), [0.5, np.inf])
    assert stated_values("reach", {"reach": values["engagements"]}) is values["engagements"]
