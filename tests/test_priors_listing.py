"""What ``campaign-sim priors`` and priors.csv say about each prior's kind (MODEL.md §8): what
its range describes, the creator spread or shared share, the persistent share, and why."""

from __future__ import annotations

import io
import json
import math

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from helpers import ROOT

from campaign_sim.cli import main
from campaign_sim.scenario.loading import load_prior_set, load_scenario
from campaign_sim.scenario.priors import (
    assumptions_frame,
    describes_text,
    priors_frame,
    used_priors,
)
from campaign_sim.scenario.priors_schema import OPTIONAL_QUANTITIES, SCALES

ARTICLE = ROOT / "scenarios/priors/article.yaml"
COFFEE = ROOT / "scenarios/coffee-launch.yaml"
POOL_COLUMNS = (
    "describes",
    "scale",
    "creator_spread",
    "shared",
    "shared_spearman",
    "persistent",
    "describes_note",
)


def _stated(path=ARTICLE):
    """(tier, platform or '(all)', quantity) -> the prior as the file writes it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for tier, entries in data["tiers"].items():
        for platform, quantities in [(None, entries), *entries.get("platforms", {}).items()]:
            for quantity, spec in quantities.items():
                if quantity != "platforms" and isinstance(spec, dict):
                    out[(tier, platform or "(all)", quantity)] = spec
    return out


@pytest.mark.exact
def test_the_columns_carry_what_the_priors_file_states():
    frame = priors_frame(load_prior_set("article")).set_index(["tier", "platform", "quantity"])
    assert set(POOL_COLUMNS) <= set(frame.columns)
    stated = {key: spec for key, spec in _stated().items() if "describes" in spec}
    assert len(stated) >= 40  # every shipped prior but delivery probabilities says
    for key, spec in stated.items():
        row = frame.loc[key]
        assert row["describes"] == spec["describes"], key
        assert row["describes_note"] == spec["describes_note"], key
        if spec["describes"] == "level":
            assert row["creator_spread"] == spec["creator_spread"], key
            assert math.isnan(row["shared"]) and math.isnan(row["shared_spearman"]), key
        else:
            assert math.isnan(row["creator_spread"]), key
            assert row["shared"] == spec.get("shared", 0.0), key
        pooled = spec["describes"] == "level" or spec.get("shared", 0) > 0
        if pooled:
            assert row["persistent"] == spec["persistent"], key
        else:
            assert math.isnan(row["persistent"]), key  # no campaign-level draw to split
    scales = frame.reset_index().groupby("quantity")["scale"].unique().to_dict()
    assert {q: list(s) for q, s in scales.items()} == {
        "followers": ["log"],
        "fake_share": ["logit"],
        "delivery_probability": ["logit"],
        "engagement_rate": ["logit"],
        "reach_rate": ["logit"],
        "conversion_rate": ["logit"],
        "fee": ["log"],
        "overhead": ["log"],
        **{q: [SCALES[q]] for q in OPTIONAL_QUANTITIES},
    }


@pytest.mark.exact
def test_the_shared_share_has_its_rank_correlation():
    frame = priors_frame(load_prior_set("article"))
    creators = frame[frame["describes"] == "creators"]
    for rho, spearman in zip(creators["shared"], creators["shared_spearman"], strict=True):
        assert spearman == pytest.approx(6 / math.pi * math.asin(rho / 2), rel=1e-15, abs=0)
    fee = creators[creators["quantity"] == "fee"].iloc[0]
    assert fee["shared"] == 0.2 and fee["shared_spearman"] == pytest.approx(0.1913, abs=1e-4)


@pytest.mark.exact
def test_a_prior_that_states_nothing_takes_the_quantitys_default():
    # bench-A's priors say no `describes`: the code's defaults (POOL_DEFAULTS) are listed.
    plan = load_scenario(ROOT / "scenarios/bench/bench-a.yaml")
    frame = priors_frame(used_priors(plan)).set_index(["tier", "platform", "quantity"])
    engagement = frame.loc[("nano", "(all)", "engagement_rate")]
    assert (engagement["describes"], engagement["creator_spread"]) == ("level", 0.5)
    assert engagement["persistent"] == 0.5 and engagement["describes_note"] == ""
    reach = frame.xs("reach_rate", level="quantity").iloc[0]
    assert (reach["describes"], reach["creator_spread"], reach["persistent"]) == ("level", 0.3, 0.5)
    fee = frame.xs("fee", level="quantity").iloc[0]
    assert (fee["describes"], fee["shared"], fee["persistent"]) == ("creators", 0.2, 0.25)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("row", "text"),
    [
        (
            {"describes": "level", "creator_spread": 0.5, "scale": "logit", "persistent": 0.5},
            "level ±0.5 logit, 50% persistent",
        ),
        (
            {"describes": "level", "creator_spread": 0.25, "scale": "log", "persistent": 0.0},
            "level ±0.25 log",
        ),
        (
            {"describes": "creators", "shared": 0.2, "persistent": 0.25},
            "creators, 20% shared, 25% persistent",
        ),
        ({"describes": "creators", "shared": 0.0, "persistent": math.nan}, "creators"),
    ],
)
def test_describes_text(row: dict, text: str):
    assert describes_text(row) == text


@pytest.mark.exact
def test_the_assumptions_list_the_shocks_persistent_share():
    frame = assumptions_frame(load_scenario(COFFEE)).set_index("key")
    assert frame.loc["shock.persistent", "value"] == "50% of its log-variance"
    assert frame.loc["shock.sigma", "value"] == "lognormal, median 1, sigma 0.42"


@pytest.fixture
def overridden(tmp_path):
    """coffee-launch with the nano engagement level's creator spread set to 0.8 and the
    shock's persistent share to 0.3."""
    data = yaml.safe_load(COFFEE.read_text(encoding="utf-8"))
    data["priors"] = {
        "base": "article",
        "tiers": {
            "nano": {
                "engagement_rate": {
                    "family": "beta",
                    "range": [0.05, 0.088],
                    "describes": "level",
                    "creator_spread": 0.8,
                    "persistent": 0.4,
                    "describes_note": "wider creators (a test)",
                }
            }
        },
    }
    data["shock"] = {"persistent": 0.3}
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.cli
def test_a_scenario_override_shows_in_priors_scenario(overridden):
    runner = CliRunner()
    result = runner.invoke(main, ["priors", str(overridden), "--format", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False, na_values=[""])
    frame = frame.set_index(["tier", "platform", "quantity"])
    engagement = frame.loc[("nano", "(all)", "engagement_rate")]
    assert (engagement["creator_spread"], engagement["persistent"]) == (0.8, 0.4)
    assert engagement["describes_note"] == "wider creators (a test)"
    # The base's own platform entry (nano TikTok) and the other tier are untouched.
    assert frame.loc[("nano", "tiktok", "engagement_rate"), "creator_spread"] == 0.5
    assert frame.loc[("micro", "(all)", "engagement_rate"), "creator_spread"] == 0.5

    as_json = json.loads(
        runner.invoke(main, ["priors", str(overridden), "--format", "json"]).stdout
    )
    keys = {row["key"]: row["value"] for row in as_json["assumptions"]}
    assert keys["shock.persistent"] == "30% of its log-variance"
    assert {"describes", "creator_spread", "shared", "persistent"} <= set(as_json["priors"][0])

    table = runner.invoke(main, ["priors", str(overridden)], env={"COLUMNS": "200"}).stdout
    assert "level ±0.8 logit, 40% persistent" in table
    assert "creators, 20% shared, 25% persistent" in table
    assert "shock.persistent" in table


@pytest.mark.cli
@pytest.mark.parametrize("args", [["priors"], ["priors", str(COFFEE), "--all"]])
def test_priors_listings_show_the_kind_at_every_width(args: list[str]):
    for width in (80, 120):
        result = CliRunner(env={"COLUMNS": str(width)}).invoke(main, args)
        assert result.exit_code == 0, result.output
        text = " ".join(result.stdout.split())
        assert "describes" in text and "persistent" in text
        assert max(len(line) for line in result.stdout.splitlines()) <= width
