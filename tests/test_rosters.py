"""Roster groups: named creators planned, drawn and booked (MODEL.md §10, docs/rosters.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import FIXED_PRIORS, FIXED_SCENARIO, deep_update, write_roster_scenario

from campaign_sim.engine.timeline import simulate_timeline
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_scenario

ROSTER = """creator,platform,tier,followers,deliverables,quoted_fee
@Alpha,instagram,nano,4000,2,6000
beta,instagram,nano,5000,1,
"""
#: The fixed priors with followers spread over the nano tier, so that rosters can state theirs.
PRIORS = deep_update(
    FIXED_PRIORS,
    {"tiers": {"nano": {"followers": {"family": "uniform", "low": 1000, "high": 10000}}}},
)


def _roster_scenario(write_scenario, tmp_path: Path, roster: str = ROSTER, **group) -> Path:
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    data = deep_update(FIXED_SCENARIO, {})
    data["strategies"] = {"a": {"groups": [{"roster": "roster.csv", **group}]}}
    return write_scenario(data, priors=PRIORS)


@pytest.mark.exact
def test_fixed_roster_gives_hand_computed_totals(write_scenario, tmp_path: Path) -> None:
    """Every prior fixed but followers (tests/helpers.FIXED_TIER): @alpha's 4,000 followers
    and quoted 6,000 for 2 posts replace the draws; beta's 5,000 followers too, and their
    unknown fee is the pool's 10,000. Engagements 4,000 x 0.05 x 2 = 400 and 5,000 x 0.05 =
    250; orders 10% of them, 40 and 25; revenue 1,000 per order; costs 6,000 + 500 and
    10,000 + 500, fixed cost 1,000."""
    scenario = load_scenario(_roster_scenario(write_scenario, tmp_path))
    assert [g.creator.handle for g in scenario.strategies[0].groups] == ["alpha", "beta"]
    out = simulate(scenario, campaigns=64)
    values = out.values["a"]
    np.testing.assert_array_equal(values["engagements"], 650.0)
    np.testing.assert_array_equal(values["reach"], 4000 * 0.3 * 2 + 5000 * 0.3)
    np.testing.assert_array_equal(values["conversions"], 65.0)
    np.testing.assert_array_equal(values["cost"], 6500 + 10500 + 1000)
    np.testing.assert_array_equal(values["profit"], 0.5 * 65_000 - 18_000)
    alpha, beta = out.creators["a"]["alpha"], out.creators["a"]["beta"]
    np.testing.assert_array_equal(alpha["orders"], 40.0)
    np.testing.assert_array_equal(alpha["profit"], 0.5 * 40_000 - 6500)
    np.testing.assert_array_equal(beta["profit"], 0.5 * 25_000 - 10_500)
    np.testing.assert_array_equal(beta["engagements"], 250.0)
    total = alpha["profit"] + beta["profit"] - scenario.fixed_cost
    np.testing.assert_allclose(total, values["profit"], rtol=1e-12)


@pytest.mark.exact
def test_budget_books_in_order_while_fees_fit(write_scenario, tmp_path: Path) -> None:
    """A budget of 16,500 books beta (10,000) and then alpha (6,000) in `select` order; one
    of 12,000 books beta only: booking stops at the first fee that does not fit."""
    for budget, booked in (
        (16_500, {"beta": 1.0, "alpha": 1.0}),
        (12_000, {"beta": 1.0, "alpha": 0.0}),
    ):
        path = _roster_scenario(write_scenario, tmp_path, select=["beta", "@ALPHA"], budget=budget)
        out = simulate(load_scenario(path), campaigns=32)
        for handle, share in booked.items():
            np.testing.assert_array_equal(out.creators["a"][handle]["booked"], share)
        if not booked["alpha"]:
            np.testing.assert_array_equal(out.creators["a"]["alpha"]["profit"], 0.0)


@pytest.mark.exact
def test_book_switches_a_candidate_out_and_in(write_scenario, tmp_path: Path) -> None:
    path = _roster_scenario(
        write_scenario, tmp_path, select=["alpha"], book={"alpha": False, "beta": True}
    )
    assert [g.creator.handle for g in load_scenario(path).strategies[0].groups] == ["beta"]


def _article_roster(tmp_path: Path, rows: list[str], strategies: dict) -> Path:
    return write_roster_scenario(tmp_path, rows, strategies)


ROWS = [
    "@coffee_daily,instagram,nano,4200,2,3000,,",
    "@beanlab,instagram,nano,8100,1,2500,2000,3200",
    "@latte_art,instagram,micro,35000,1,,12000,18000",
    "@brewguy,tiktok,nano,,1,,,",
]


@pytest.mark.reproducibility
def test_a_creators_numbers_do_not_depend_on_the_others(tmp_path: Path) -> None:
    """@beanlab's draws come from a stream keyed by the handle: reordering the roster,
    removing or adding candidates, and booking them in another strategy beside tier groups
    leave every number of theirs as it is (MODEL.md §10)."""
    base = load_scenario(
        _article_roster(tmp_path, ROWS, {"a": {"groups": [{"roster": "roster.csv"}]}})
    )
    reference = simulate(base).creators["a"]["beanlab"]
    variants = {
        "reversed": (ROWS[::-1], {"a": {"groups": [{"roster": "roster.csv"}]}}),
        "alone": (ROWS[1:2], {"a": {"groups": [{"roster": "roster.csv"}]}}),
        "more": (
            [*ROWS, "@extra,instagram,nano,3000,1,1000,,"],
            {
                "b": {"groups": [{"tier": "nano", "platform": "instagram", "count": 7}]},
                "a": {
                    "groups": [
                        {"tier": "micro", "platform": "instagram", "count": 2},
                        {"roster": "roster.csv"},
                    ]
                },
            },
        ),
    }
    for name, (rows, strategies) in variants.items():
        out = simulate(load_scenario(_article_roster(tmp_path, rows, strategies)))
        for metric, values in reference.items():
            np.testing.assert_array_equal(
                out.creators["a"]["beanlab"][metric], values, err_msg=f"{name}: {metric}"
            )


@pytest.mark.reproducibility
def test_two_strategies_booking_a_creator_see_the_same_creator(tmp_path: Path) -> None:
    strategies = {
        "a": {"groups": [{"roster": "roster.csv"}]},
        "b": {
            "groups": [
                {"tier": "nano", "platform": "instagram", "count": 3},
                {"roster": "roster.csv", "select": ["latte_art", "beanlab"]},
            ]
        },
    }
    out = simulate(load_scenario(_article_roster(tmp_path, ROWS, strategies)))
    for handle in ("latte_art", "beanlab"):
        for metric in ("engagements", "reach", "orders", "cost"):
            np.testing.assert_array_equal(
                out.creators["a"][handle][metric], out.creators["b"][handle][metric]
            )


@pytest.mark.statistical
def test_a_named_creator_without_history_is_a_pool_creator_in_distribution(tmp_path: Path) -> None:
    """A candidate whose followers and fee are unknown is drawn as the pool's creators are:
    their own effect sqrt(q) eta_p + sqrt(1 - q) eta_c is N(0, 1). 40 such candidates against
    a count group of 40: mean engagements per creator agree within 4 standard errors of the
    difference (independent samples)."""
    rows = [f"c{i:02d},instagram,nano,,1,,," for i in range(40)]
    strategies = {
        "named": {"groups": [{"roster": "roster.csv"}]},
        "pool": {"groups": [{"tier": "nano", "platform": "instagram", "count": 40}]},
    }
    out = simulate(load_scenario(_article_roster(tmp_path, rows, strategies)), campaigns=4096)
    named = np.stack([m["engagements"] for m in out.creators["named"].values()]).mean(axis=0)
    pool = out.values["pool"]["engagements"] / 40
    diff = named.mean() - pool.mean()
    se = np.sqrt(named.var(ddof=1) / named.size + pool.var(ddof=1) / pool.size)
    assert abs(diff) < 4 * se, (named.mean(), pool.mean(), se)


@pytest.mark.cross_engine
def test_the_timeline_engine_books_the_same_creators(tmp_path: Path) -> None:
    """The timeline engine draws the same named creators, each with their own whole orders:
    with no queue and windows long enough, every campaign total is the vectorized engine's up
    to floating point (as tests/test_timeline.py checks for the example scenarios)."""
    import yaml

    strategies = {
        "a": {
            "groups": [
                {"roster": "roster.csv"},
                {"tier": "nano", "platform": "instagram", "count": 4},
            ]
        },
        "b": {"budget": 20_000, "groups": [{"roster": "roster.csv", "share": 1.0}]},
    }
    path = _article_roster(tmp_path, ROWS, strategies)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["timeline"] = {"window_days": 120, "attribution_days": 800, "managers": "unlimited"}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    scenario = load_scenario(path)
    fast = simulate(scenario, campaigns=300)
    slow = simulate_timeline(scenario, campaigns=300)
    for name in ("a", "b"):
        assert slow.totals[name]["lost"].sum() == 0
        for metric in ("conversions", "revenue", "cost", "profit", "engagements"):
            np.testing.assert_allclose(
                slow.totals[name][metric], fast.values[name][metric], rtol=1e-9, err_msg=metric
            )


@pytest.mark.cli
@pytest.mark.parametrize(
    ("group", "roster", "message"),
    [
        (
            {"select": ["beanlb"]},
            None,
            r"select\[0\]: 'beanlb' is no candidate of .*did you mean 'beanlab'",
        ),
        ({"select": ["beanlab", "@BeanLab"]}, None, r"select\[1\]: '@BeanLab' is selected twice"),
        ({"book": {"nobody": False}}, None, r"book\.nobody: 'nobody' is no candidate"),
        ({"select": []}, None, r"select: an empty selection books no one"),
        ({"tier": "nano"}, None, r"groups\[0\]: .*roster group takes its creators' tier"),
        ({"budget": 100}, None, r"groups\[0\]\.budget: a budget of 100 books no one"),
        ({}, "missing.csv", r"roster: .*missing\.csv: no such file"),
        (
            {},
            "creator,platform,tier,quoted_fee\nbeanlab,instagram,nano,-5\n",
            r"row 2, column quoted_fee",
        ),
    ],
)
def test_bad_roster_groups_name_the_key(
    tmp_path: Path, group: dict, roster: str | None, message: str
) -> None:
    from click.testing import CliRunner

    from campaign_sim.cli.main import main

    file = "roster.csv"
    strategies = {"a": {"groups": [{"roster": file, **group}]}}
    path = _article_roster(tmp_path, ROWS, strategies)
    if roster == "missing.csv":
        strategies["a"]["groups"][0]["roster"] = roster
        path = _article_roster(tmp_path, ROWS, strategies)
    elif roster is not None:
        (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_scenario(path)
    result = CliRunner().invoke(main, ["run", str(path), "--campaigns", "100"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.cli
def test_a_creator_booked_twice_or_in_two_pools_is_refused(tmp_path: Path) -> None:
    strategies = {
        "a": {"groups": [{"roster": "roster.csv"}, {"roster": "roster.csv", "select": ["beanlab"]}]}
    }
    with pytest.raises(InputError, match=r"row 3, column creator: @beanlab is booked twice"):
        load_scenario(_article_roster(tmp_path, ROWS, strategies))


@pytest.mark.cli
def test_a_sweep_axis_switches_a_creator_in_and_out(tmp_path: Path) -> None:
    """`book.<handle>` is a sweep path whatever the handle; the point with @beanlab out of
    the booking has their engagements less, the other creators' numbers unchanged."""
    from click.testing import CliRunner

    from campaign_sim.cli.main import main

    path = _article_roster(tmp_path, ROWS, {"a": {"groups": [{"roster": "roster.csv"}]}})
    out = tmp_path / "sweep"
    args = ["sweep", str(path), "--vary", "strategies.a.groups[0].book.beanlab=true,false"]
    result = CliRunner().invoke(main, [*args, "--campaigns", "1024", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    import pandas as pd

    table = pd.read_csv(out / "sweep.csv")
    booked, left_out = table["engagements_mean"].to_numpy()
    scenario = load_scenario(path)
    beanlab = simulate(scenario, campaigns=1024).creators["a"]["beanlab"]["engagements"].mean()
    assert booked - left_out == pytest.approx(beanlab, rel=1e-9)


@pytest.mark.cli
def test_one_creator_in_two_rosters_must_agree(tmp_path: Path) -> None:
    """Two strategies share a creator's draws, so two rosters must state the same facts."""
    (tmp_path / "other.csv").write_text(
        "creator,platform,tier,followers,deliverables,quoted_fee\n@beanlab,instagram,nano,8100,1,2600\n",
        encoding="utf-8",
    )
    strategies = {
        "a": {"groups": [{"roster": "roster.csv"}]},
        "b": {"groups": [{"roster": "other.csv"}]},
    }
    with pytest.raises(
        InputError, match=r"other\.csv: row 2, column creator: @beanlab has other followers, fee"
    ):
        load_scenario(_article_roster(tmp_path, ROWS, strategies))


@pytest.mark.cli
def test_sensitivity_ranks_a_budget_booked_roster(tmp_path: Path) -> None:
    """A candidate a budget books in some campaigns only: their rates stay inputs in every
    campaign (their booking is an input of its own), so no campaign drops from the ranking."""
    from click.testing import CliRunner

    from campaign_sim.cli.main import main

    strategies = {"a": {"budget": 20_000, "groups": [{"roster": "roster.csv", "share": 1.0}]}}
    path = _article_roster(tmp_path, ROWS, strategies)
    out = tmp_path / "sensitivity"
    args = ["sensitivity", str(path), "--campaigns", "1024", "--out", str(out), "-q"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    import pandas as pd

    ranked = pd.read_csv(out / "sensitivity.csv")
    assert "micro/instagram @latte_art: creators (total)" in set(ranked["input"])


@pytest.mark.exact
def test_a_handle_with_a_dot_is_a_sweep_path_in_quotes() -> None:
    from campaign_sim.sweep.paths import expand, parse_path

    text = 'strategies.a.groups[0].book["sunday.dripper"]'
    assert parse_path(text)[-1] == "sunday.dripper"
    data = {"strategies": {"a": {"groups": [{"roster": "roster.csv"}]}}}
    assert expand(text, data, {}) == [text]


@pytest.mark.statistical
def test_an_unknown_fee_follows_the_known_followers(tmp_path: Path) -> None:
    """The article's followers-fee rank correlation (0.7) ties an unknown fee to the follower
    count the roster states: a 9,500-follower candidate's fee is above a 1,500-follower
    candidate's in most campaigns (both from the nano Instagram fee prior)."""
    rows = ["small,instagram,nano,1500,1,,,", "large,instagram,nano,9500,1,,,"]
    out = simulate(
        load_scenario(
            _article_roster(tmp_path, rows, {"a": {"groups": [{"roster": "roster.csv"}]}})
        )
    )
    small, large = out.creators["a"]["small"]["cost"], out.creators["a"]["large"]["cost"]
    assert (large > small).mean() > 0.75
    assert large.mean() > 1.5 * small.mean()


@pytest.mark.statistical
def test_a_creators_persistent_effect_is_shared_by_a_brands_campaigns(tmp_path: Path) -> None:
    """Over a horizon (campaigns of one brand share the persistent parts), a named creator's
    engagement rate correlates between a brand's campaigns more than a pool creator's slot:
    both share the pool level's persistent part, and the named creator also their own
    ``sqrt(q) eta_p`` (MODEL.md §10). Across brands neither correlates. 8,192 brand pairs:
    the correlations' standard errors are about 0.011."""
    from scipy import special

    from campaign_sim.engine.draws import Layout, draw_chunk
    from campaign_sim.random.streams import block_ranges

    strategies = {
        "a": {
            "groups": [
                {"roster": "roster.csv"},
                {"tier": "nano", "platform": "instagram", "count": 1},
            ]
        }
    }
    scenario = load_scenario(_article_roster(tmp_path, ROWS[1:2], strategies))
    draws = draw_chunk(scenario, Layout.of(scenario), 3, list(block_ranges(16_384)), horizon=2)
    named = special.logit(draws.creators["nano/instagram"].engagement_rate[0])
    pool = special.logit(draws.pools["nano/instagram"].engagement_rate[0])

    def within(x: np.ndarray) -> float:
        return float(np.corrcoef(x[0::2], x[1::2])[0, 1])

    def across(x: np.ndarray) -> float:
        return float(np.corrcoef(x[1:-1:2], x[2::2])[0, 1])

    assert within(named) > within(pool) + 0.08, (within(named), within(pool))
    assert abs(across(named)) < 0.05 and abs(across(pool)) < 0.05


@pytest.mark.statistical
def test_a_fee_range_is_uniform_whatever_the_followers(tmp_path: Path) -> None:
    """A range is what the planner knows of the fee (followers included): uniform between its
    ends, not pulled toward one end by the followers-fee copula. 10,000 campaigns: the mean
    within 4 standard errors of the midpoint (sd of a uniform: width / sqrt(12))."""
    rows = ["small,instagram,nano,1500,1,,6000,9500", "large,instagram,nano,9500,1,,6000,9500"]
    scenario = load_scenario(
        _article_roster(tmp_path, rows, {"a": {"groups": [{"roster": "roster.csv"}]}})
    )
    out = simulate(scenario, campaigns=10_000)
    overhead = scenario.strategies[0].groups[0].dist("overhead")
    se = 3500 / np.sqrt(12) / 100 + 1e-9
    for handle in ("small", "large"):
        fee = out.creators["a"][handle]["cost"] - overhead.mean() if overhead.is_fixed else None
        if fee is None:
            pytest.skip("overhead is drawn: the fee is not separable from the cost")
        assert abs(fee.mean() - 7750) < 4 * se, (handle, fee.mean())
