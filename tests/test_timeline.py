"""The timeline engine: hand-computed calendars, agreement with the vectorized engine, the
one-manager effect, reproducibility however the run is split, bad input and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from helpers import EXAMPLES, FIXED_SCENARIO, deep_update

from campaign_sim.cli import main
from campaign_sim.engine.schedule import LOST, NOT_DELIVERED, NOT_HIRED, schedule_campaign
from campaign_sim.engine.timeline import simulate_timeline
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_scenario, read_yaml, scenario_from_dict
from campaign_sim.scenario.timeline import decay_weights, lag_weights, timeline_plan

#: One manager giving 4 h a day: onboarding (4 h) takes a day, a review round (2 h) half a day.
HAND_TIMELINE = {
    "window_days": 10,
    "attribution_days": 5,
    "managers": 1,
    "manager_hours_per_day": 4,
    "onboarding_hours": 4,
    "review_rounds": 1,
    "review_hours": 2,
    "production_days": {"default": 2},
    "half_life_days": {"default": 0},
    "purchase_lag_days": 0,
    "fee_on_signing": 0.5,
}

#: Zero delays, nobody queues, everything on day 0: the vectorized engine's campaign.
INSTANT_TIMELINE = {
    "window_days": 1,
    "attribution_days": 1,
    "managers": "unlimited",
    "onboarding_hours": 0,
    "review_rounds": 0,
    "revision_days": 0,
    "production_days": {"default": 0},
    "half_life_days": {"default": 0},
    "purchase_lag_days": 0,
}

#: Realistic delays and decay, no queue, windows long enough that nothing is lost or cut.
LONG_TIMELINE = {"window_days": 120, "attribution_days": 800, "managers": "unlimited"}


def _with_timeline(path, timeline: dict):
    data = read_yaml(path)
    data["timeline"] = timeline
    return scenario_from_dict(data, source=path)


def _hand(write_scenario, **changes):
    data = deep_update(FIXED_SCENARIO, {"timeline": {**HAND_TIMELINE, **changes}})
    return load_scenario(write_scenario(data))


@pytest.mark.exact
def test_hand_computed_calendar(write_scenario):
    # Three creators (A, B, C), two posts each, one manager. Onboarding: A days 0-1, B 1-2,
    # C 2-3. Production 2 days, review half a day, first come first served:
    # A1 ready 3, reviewed 3-3.5 (day 3); B1 4-4.5 (day 4); C1 5-5.5 (day 5);
    # A2 ready 5.5, 5.5-6 (day 6); B2 ready 6.5, 6.5-7 (day 7); C2 ready 7.5, 7.5-8 (day 8).
    scenario = _hand(write_scenario)
    plan = timeline_plan(scenario)
    posts, busy = schedule_campaign(plan, [True] * 3, [True] * 3, [2] * 3, [2.0] * 3)
    assert posts == [3, 6, 4, 7, 5, 8]
    assert busy == pytest.approx(3 + 6 * 0.5)

    result = simulate_timeline(scenario, campaigns=20, seed=1)
    totals = result.totals["a"]
    # Each post: 250 engagements, 25 orders, NT$25,000 revenue, NT$12,500 gross profit, on its
    # go-live day. Day 0 pays the fixed cost, overheads and half the fees: 1,000 + 3 x (500 +
    # 0.5 x 2 x 10,000) = 32,500; each post pays the other NT$5,000 of its fee on its day.
    cost = np.full(14, 32_500.0)
    revenue = np.zeros(14)
    for day in sorted([3, 6, 4, 7, 5, 8]):
        cost[day:] += 5_000
        revenue[day:] += 25_000
    np.testing.assert_allclose(result.daily("a", "cost"), np.tile(cost, (20, 1)))
    np.testing.assert_allclose(result.daily("a", "revenue"), np.tile(revenue, (20, 1)))
    np.testing.assert_allclose(result.daily("a", "conversions")[:, -1], 150)
    # Profit -32,500 on day 0, +7,500 per post: -2,500 on day 6, +5,000 on day 7.
    np.testing.assert_array_equal(totals["payback_day"], 7)
    np.testing.assert_allclose(totals["roi"], 12_500 / 62_500)
    np.testing.assert_allclose(totals["manager_hours"], 24)
    np.testing.assert_allclose(totals["manager_utilisation"], 6 / 10)
    np.testing.assert_array_equal(totals["lost"], 0)
    np.testing.assert_array_equal(totals["last_post_day"], 8)


@pytest.mark.exact
def test_posts_after_the_window_are_lost_and_fees_still_paid(write_scenario):
    # A 6-day window keeps the posts of days 3, 4, 5; the other three are lost. Fees are paid
    # whether or not (fees_paid: always): their second halves are settled on day 5.
    result = simulate_timeline(_hand(write_scenario, window_days=6), campaigns=5, seed=1)
    totals = result.totals["a"]
    np.testing.assert_array_equal(totals["lost"], 3)
    np.testing.assert_array_equal(totals["posted"], 3)
    np.testing.assert_allclose(totals["lost_share"], 0.5)
    np.testing.assert_allclose(totals["conversions"], 75)
    np.testing.assert_allclose(totals["cost"], 62_500)
    np.testing.assert_allclose(result.daily("a", "cost")[0, 4:6], [32_500 + 2 * 5_000, 62_500])


@pytest.mark.exact
def test_fees_on_delivery_unpaid_for_lost_posts(write_scenario):
    data = deep_update(
        FIXED_SCENARIO,
        {
            "economics": {"fees_paid": "on_delivery"},
            "timeline": {**HAND_TIMELINE, "window_days": 6},
        },
    )
    totals = simulate_timeline(load_scenario(write_scenario(data)), campaigns=5).totals["a"]
    # Nothing on signing; the three live posts pay their whole fee: 1,000 + 1,500 + 30,000.
    np.testing.assert_allclose(totals["cost"], 32_500)


@pytest.mark.exact
def test_weekly_rotation_slots(write_scenario):
    # Approved on days 3, 4, 5, 6, 7, 8 (A1, B1, C1, A2, B2, C2); posting days 7, 14, 21 with
    # two posts each, in the order approved.
    scenario = _hand(
        write_scenario, window_days=30, posting={"start_day": 7, "every_days": 7, "per_slot": 2}
    )
    posts, _ = schedule_campaign(
        timeline_plan(scenario), [True] * 3, [True] * 3, [2] * 3, [2.0] * 3
    )
    assert posts == [7, 14, 7, 21, 14, 21]


@pytest.mark.exact
def test_codes_for_creators_never_hired_or_never_delivering(write_scenario):
    plan = timeline_plan(_hand(write_scenario))
    posts, busy = schedule_campaign(
        plan, [True, True, False], [False, True, True], [2] * 3, [2.0] * 3
    )
    # A never delivers but is onboarded (0-1); B onboarded 1-2, produces 2-4, reviewed 4-4.5
    # (day 4), produces 4.5-6.5, reviewed 6.5-7: approved at 7.0, live on day 7.
    assert posts == [NOT_DELIVERED, NOT_DELIVERED, 4, 7, NOT_HIRED, NOT_HIRED]
    assert busy == pytest.approx(2 + 2 * 0.5)
    posts, _ = schedule_campaign(
        timeline_plan(_hand(write_scenario, window_days=5)), [True], [True], [2], [2.0]
    )
    assert posts == [3, LOST]


@pytest.mark.exact
def test_decay_and_lag_kernels():
    np.testing.assert_allclose(decay_weights(1, 4), [0.5, 0.25, 0.125, 0.0625])
    np.testing.assert_allclose(decay_weights(3, 10_000).sum(), 1)
    np.testing.assert_array_equal(decay_weights(0, 3), [1, 0, 0])
    lag = lag_weights(2, 10_000)
    np.testing.assert_allclose(lag.sum(), 1)
    np.testing.assert_allclose((np.arange(lag.size) * lag).sum(), 2)  # its mean is 2 days


@pytest.mark.exact
def test_conversions_cut_at_the_attribution_window(write_scenario):
    # One post per creator on day 3 (no queue); half-life 1 day, no lag, a 2-day attribution
    # window: orders on days 3 and 4 only, 1/2 + 1/4 of the post's 25.
    scenario = _hand(
        write_scenario, managers="unlimited", half_life_days={"default": 1}, attribution_days=2
    )
    result = simulate_timeline(scenario, campaigns=3)
    orders = result.daily("a", "conversions")[0]
    np.testing.assert_allclose(orders[2:5], [0, 3 * 25 * 0.5, 3 * 25 * 0.75])
    np.testing.assert_allclose(result.totals["a"]["conversions"], 2 * 3 * 25 * 0.75)


@pytest.mark.cross_engine
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("timeline", [INSTANT_TIMELINE, LONG_TIMELINE], ids=["instant", "long"])
def test_agrees_with_the_vectorized_engine(path, timeline):
    # Same creators, same campaigns: with no queue and windows long enough, the campaign totals
    # are the vectorized engine's up to floating point (decay tails beyond 800 days: < 1e-16).
    scenario = _with_timeline(path, timeline)
    result = simulate_timeline(scenario, campaigns=150, seed=11)
    outcomes = simulate(scenario, campaigns=150, seed=11)
    for name in result.strategies:
        assert result.totals[name]["lost"].sum() == 0
        for metric in ("roi", "cost", "conversions", "revenue", "profit", "engagements"):
            np.testing.assert_allclose(
                result.totals[name][metric],
                outcomes.values[name][metric],
                rtol=1e-9,
                err_msg=f"{name} {metric}",
            )


@pytest.mark.cross_engine
def test_agrees_with_the_vectorized_engine_under_stratified_sampling():
    scenario = _with_timeline(EXAMPLES[-1], INSTANT_TIMELINE)
    data = {**scenario.data, "simulation": {**scenario.data["simulation"], "sampling": "lhs"}}
    scenario = scenario_from_dict(data, source=EXAMPLES[-1])
    result = simulate_timeline(scenario, campaigns=100, seed=5)
    outcomes = simulate(scenario, campaigns=100, seed=5)
    plain = simulate(_with_timeline(EXAMPLES[-1], INSTANT_TIMELINE), campaigns=100, seed=5)
    for name in result.strategies:
        np.testing.assert_allclose(
            result.totals[name]["roi"], outcomes.values[name]["roi"], rtol=1e-9
        )
        assert not np.allclose(result.totals[name]["roi"], plain.values[name]["roi"])


@pytest.mark.exact
def test_payback_table_and_summary_agree():
    result = simulate_timeline(load_scenario(EXAMPLES[0]), campaigns=60, seed=8)
    table = result.payback_frame()
    for name in result.strategies:
        paid = table[table.strategy == name]["paid_back_share"].to_numpy()
        assert np.all(np.diff(paid) >= 0)
        assert paid[-1] == pytest.approx(1 - result.payback(name)["never_share"])
        profit = result.daily(name, "profit")
        day = result.totals[name]["payback_day"]
        for c in np.flatnonzero(np.isfinite(day)):
            assert np.all(profit[c, int(day[c]) :] >= 0)
            assert day[c] == 0 or profit[c, int(day[c]) - 1] < 0


@pytest.mark.cross_engine
def test_default_timeline_runs_on_every_example():
    for path in EXAMPLES:
        scenario = load_scenario(path)
        result = simulate_timeline(scenario, campaigns=30, seed=2)
        outcomes = simulate(scenario, campaigns=30, seed=2)
        for name in result.strategies:
            for metric in ("cost", "revenue", "conversions"):
                assert np.all(np.diff(result.daily(name, metric), axis=1) >= 0)
            # Attribution and the window only ever remove orders; where nothing was lost
            # the cost is the vectorized engine's.
            assert np.all(
                result.totals[name]["conversions"]
                <= outcomes.values[name]["conversions"] * (1 + 1e-12)
            )
            kept = result.totals[name]["lost"] == 0
            np.testing.assert_allclose(
                result.totals[name]["cost"][kept], outcomes.values[name]["cost"][kept], rtol=1e-12
            )


def _hundred_nano(managers):
    data = {
        "name": "one hundred nano creators",
        "economics": {"aov": {"family": "lognormal", "range": [600, 1200]}, "gross_margin": 0.55},
        "strategies": {
            "nano": {"groups": [{"tier": "nano", "platform": "instagram", "count": 100}]}
        },
        "timeline": {"managers": managers},
    }
    return scenario_from_dict(data)


@pytest.mark.statistical
def test_one_manager_loses_posts_and_roi():
    one = simulate_timeline(_hundred_nano(1), campaigns=150, seed=4).totals["nano"]
    team = simulate_timeline(_hundred_nano(4), campaigns=150, seed=4).totals["nano"]
    # Same campaigns, same creators: the paired difference, against 4 standard errors.
    lost = one["lost"] - team["lost"]
    assert team["lost"].sum() == 0
    assert lost.mean() > 4 * lost.std(ddof=1) / np.sqrt(lost.size)
    roi = team["roi"] - one["roi"]
    assert roi.mean() > 4 * roi.std(ddof=1) / np.sqrt(roi.size)
    assert np.nanmean(one["manager_utilisation"]) > np.nanmean(team["manager_utilisation"])


@pytest.mark.slow
@pytest.mark.reproducibility
def test_same_numbers_however_split():
    data = read_yaml(EXAMPLES[0])
    data["strategies"] = {
        "few": {
            "groups": [
                {"tier": "nano", "platform": "instagram", "count": 4},
                {"tier": "micro", "platform": "youtube", "count": 1, "deliverables": 2},
            ]
        }
    }
    scenario = scenario_from_dict(data, source=EXAMPLES[0])
    runs = [
        simulate_timeline(scenario, campaigns=2100, seed=9, chunk_size=1024),
        simulate_timeline(scenario, campaigns=2100, seed=9, chunk_size=4096),
        simulate_timeline(scenario, campaigns=2100, seed=9, workers=2),
    ]
    head = simulate_timeline(scenario, campaigns=1024, seed=9)
    for run in runs[1:]:
        for metric, values in runs[0].totals["few"].items():
            np.testing.assert_array_equal(values, run.totals["few"][metric], err_msg=metric)
        np.testing.assert_array_equal(runs[0].series["few"]["cost"], run.series["few"]["cost"])
    np.testing.assert_array_equal(runs[0].totals["few"]["roi"][:1024], head.totals["few"]["roi"])
    # The production times are random: the schedule differs between campaigns.
    assert np.unique(runs[0].totals["few"]["last_post_day"]).size > 5


@pytest.mark.exact
@pytest.mark.parametrize(
    ("timeline", "match"),
    [
        ({"windw_days": 30}, r"timeline: unknown key 'windw_days' \(did you mean 'window_days'"),
        ({"managers": 0}, r"timeline\.managers"),
        ({"production_days": {"nnao": 3}}, r"production_days\.nnao: no tier 'nnao'.*'nano'"),
        ({"production_days": {"nano/tiktk": 3}}, r"no platform 'tiktk'.*'tiktok'"),
        (
            {"production_days": {"nano": {"family": "normal", "mean": 3, "sd": 1}}},
            r"production_days\.nano: a production time cannot be negative",
        ),
        ({"production_days": {"micro": 3}}, r"no production time for nano/instagram"),
        ({"half_life_days": {"instagramm": 1}}, r"no platform 'instagramm'"),
        ({"fee_on_signing": 1.5}, r"timeline\.fee_on_signing"),
    ],
)
def test_bad_timeline_settings(timeline, match):
    data = read_yaml(EXAMPLES[0])
    data["timeline"] = timeline
    with pytest.raises(InputError, match=match):
        timeline_plan(scenario_from_dict(data, source="s.yaml"))


@pytest.mark.cli
def test_cli_writes_the_results_folder(tmp_path):
    out = tmp_path / "tl"
    result = CliRunner().invoke(
        main,
        [
            "timeline",
            str(EXAMPLES[0]),
            "-n",
            "40",
            "-s",
            "3",
            "-o",
            str(out),
            "--format",
            "json",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    scenario = load_scenario(EXAMPLES[0])
    assert data["scenario"]["sha256"] == scenario.digest and data["seed"] == 3
    names = {
        "daily.csv",
        "daily.parquet",
        "payback.csv",
        "summary.csv",
        "summary.json",
        "manifest.json",
    }
    assert names <= {p.name for p in out.iterdir()}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "timeline" and manifest["scenario"]["sha256"] == scenario.digest
    daily = pd.read_parquet(out / "daily.parquet")
    assert list(daily.columns) == [
        "strategy",
        "day",
        "metric",
        "mean",
        "p5",
        "p25",
        "p50",
        "p75",
        "p95",
    ]
    horizon = 60 + 30 - 1
    assert len(daily) == len(scenario.strategies) * 4 * horizon
    last = daily[(daily.day == horizon - 1) & (daily.metric == "profit")].set_index("strategy")
    for name, summary in data["strategies"].items():
        assert last.loc[name, "mean"] == pytest.approx(summary["profit"]["mean"], rel=1e-9)
        assert 0 <= summary["payback"]["never_share"] <= 1
    assert "totals.parquet" not in {p.name for p in out.iterdir()}
    payback = pd.read_csv(out / "payback.csv")
    assert (payback.groupby("strategy")["paid_back_share"].diff().dropna() >= 0).all()


@pytest.mark.cli
def test_cli_table_and_bad_input(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        main,
        [
            "timeline",
            str(EXAMPLES[0]),
            "-n",
            "20",
            "-m",
            "unlimited",
            "-o",
            str(tmp_path / "a"),
            "-q",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert "never pays back" in ok.stdout and "unlimited managers" in ok.stdout
    saved = runner.invoke(
        main,
        [
            "timeline",
            str(EXAMPLES[0]),
            "-n",
            "20",
            "--save-outcomes",
            "-o",
            str(tmp_path / "b"),
            "-q",
            "--format",
            "json",
        ],
    )
    assert saved.exit_code == 0, saved.output
    totals = pd.read_parquet(tmp_path / "b" / "totals.parquet")
    assert len(totals) == 20 * 2 and {"campaign", "strategy", "payback_day"} <= set(totals)
    bad = runner.invoke(main, ["timeline", str(EXAMPLES[0]), "-m", "none", "-q"])
    assert bad.exit_code == 2 and "not a positive whole number or 'unlimited'" in bad.output
    missing = runner.invoke(main, ["timeline", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output


@pytest.mark.cli
def test_validate_checks_the_timeline_section(tmp_path):
    data = read_yaml(EXAMPLES[0])
    data["timeline"] = {"half_life_days": {"instagrm": 1, "default": 2}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert "timeline.half_life_days.instagrm: no platform 'instagrm'" in result.output
