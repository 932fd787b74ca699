"""Sweeps: axes and paths, exact points, common random numbers, resume, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from helpers import FIXED_SCENARIO, ROOT, deep_update

from campaign_sim import load_scenario, simulate, summarize
from campaign_sim.cli import main
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_priors_file, read_yaml
from campaign_sim.sweep.paths import expand, set_path
from campaign_sim.sweep.run import PointStore, fingerprint, run_sweep, table_columns
from campaign_sim.sweep.spec import evaluate, make_sweep, parse_vary

MIX = ROOT / "scenarios/mix-coffee.yaml"
COFFEE = ROOT / "scenarios/coffee-launch.yaml"


@pytest.fixture(scope="module")
def coffee() -> tuple[dict, dict]:
    _, _, priors = load_priors_file("article", None)
    return read_yaml(COFFEE), priors


# --- paths -------------------------------------------------------------------------------


@pytest.mark.exact
def test_wildcards_expand_to_existing_keys(coffee) -> None:
    data, priors = coffee
    assert expand("strategies.*.budget", data, priors) == [
        "strategies.nano_heavy.budget",
        "strategies.micro_heavy.budget",
    ]
    assert len(expand("strategies.micro_heavy.groups[*].deliverables", data, priors)) == 3
    # A prior the scenario does not override is still a valid path.
    assert expand("priors.tiers.micro.platforms.youtube.fee.range", data, priors) == [
        "priors.tiers.micro.platforms.youtube.fee.range"
    ]


@pytest.mark.exact
@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("economics.gross_margn", "nearest valid path: 'economics.gross_margin'"),
        ("strategies.nano.budget", "nearest valid path: 'strategies.nano_heavy.budget'"),
        ("budget", "nearest valid path: 'strategies.nano_heavy.budget'"),
        ("budgett", "nearest valid path: 'strategies.nano_heavy.budget'"),
        ("strategies.micro_heavy.groups[3].share", "has 3 item.*groups\\[2\\].share'"),
        ("priors.tiers.nanoo.fee", "nearest valid path: 'priors.tiers.nano.fee'"),
        ("economics.gross_margin.low", "holds a single value"),
        ("economics..aov", "cannot read key path"),
    ],
)
def test_bad_paths_name_the_nearest_valid_one(coffee, path: str, message: str) -> None:
    data, priors = coffee
    with pytest.raises(InputError, match=message):
        expand(path, data, priors)


@pytest.mark.exact
def test_setting_a_prior_the_scenario_does_not_override(coffee) -> None:
    data, priors = coffee
    data = json.loads(json.dumps(data))
    set_path(data, "priors.tiers.nano.conversion_rate.range", [0.02, 0.04], priors)
    spec = data["priors"]["tiers"]["nano"]["conversion_rate"]
    base = priors["tiers"]["nano"]["conversion_rate"]
    # The base family and conversion base are kept; the figures it was fitted to are not.
    assert spec == {k: v for k, v in base.items() if k not in ("sources", "note")} | {
        "range": [0.02, 0.04]
    }
    assert "sources" in base  # the shared base data is untouched


# --- axes and values --------------------------------------------------------------------


@pytest.mark.exact
def test_grid_values_include_the_stop_and_round() -> None:
    axis = parse_vary("x=0:1:0.1")
    values = axis.values.values()
    assert values == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert parse_vary("x=0:1/5").values.values() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert parse_vary("x=1:10:3").values.values() == [1, 4, 7, 10]
    assert parse_vary("x=a,2,0.5").values == ["a", 2, 0.5]
    named = parse_vary("nano: strategies.a.groups[0].share=0,1;strategies.a.groups[1].share=1-x")
    assert (named.name, named.path) == ("nano", "strategies.a.groups[0].share")
    assert named.also == {"strategies.a.groups[1].share": "1-x"}
    assert evaluate("1 - x", 0.7) == 0.3
    assert evaluate("2 * (x + 1) ** 2 / 4", 1) == 2.0


@pytest.mark.exact
@pytest.mark.parametrize("text", ["x=0:1:-0.1", "x", "x=0:1:0.1;y", "x=1:0:0:0", "x=0:1:0"])
def test_bad_vary(text: str) -> None:
    with pytest.raises(InputError):
        parse_vary(text)


@pytest.mark.exact
def test_expressions_are_arithmetic_only() -> None:
    with pytest.raises(ValueError, match="not arithmetic"):
        evaluate("__import__('os').getcwd()", 1)
    with pytest.raises(ValueError, match="cannot evaluate"):
        evaluate("1 / x", 0)


@pytest.mark.exact
def test_cartesian_and_zipped_points() -> None:
    axes = [parse_vary("economics.gross_margin=0.4,0.5"), parse_vary("economics.fixed_cost=0,1,2")]
    with pytest.raises(InputError, match="as many values"):
        make_sweep(MIX, axes, zipped=True)
    assert len(make_sweep(MIX, axes).points) == 6
    zipped = make_sweep(MIX, [axes[0], parse_vary("economics.fixed_cost=0,1")], zipped=True)
    assert [p.values for p in zipped.points] == [
        {"economics.gross_margin": 0.4, "economics.fixed_cost": 0},
        {"economics.gross_margin": 0.5, "economics.fixed_cost": 1},
    ]


@pytest.mark.exact
def test_axis_columns_must_be_unique() -> None:
    axes = [parse_vary("economics.gross_margin=0.4"), parse_vary("economics.gross_margin=0.5")]
    with pytest.raises(InputError, match="used twice or reserved"):
        make_sweep(MIX, axes)


@pytest.mark.exact
def test_a_bad_point_names_its_values_and_key_path() -> None:
    axis = parse_vary("strategies.feed.groups[0].share=0.5,0.7")  # 0.7 + 0.5 > 1
    with pytest.raises(InputError, match=r"sweep point 1 \(.*=0.7\).*add up to 1.2"):
        make_sweep(MIX, [axis])


@pytest.mark.exact
def test_a_prior_range_axis_refits_the_prior_the_scenario_did_not_override() -> None:
    vary = "priors.tiers.nano.conversion_rate.range=[[0.02, 0.04], [0.03, 0.06]]"
    sweep = make_sweep(MIX, [parse_vary(vary)])
    assert [p.values for p in sweep.points] == [
        {"priors.tiers.nano.conversion_rate.range": "[0.02, 0.04]"},
        {"priors.tiers.nano.conversion_rate.range": "[0.03, 0.06]"},
    ]
    for point, (lo, hi) in zip(sweep.points, [(0.02, 0.04), (0.03, 0.06)], strict=True):
        prior = next(
            p
            for p in point.scenario.priors
            if (p.tier, p.platform, p.quantity) == ("nano", None, "conversion_rate")
        )
        assert prior.dist.family == "beta" and prior.sources == ()
        assert prior.dist.ppf([0.05, 0.95]) == pytest.approx([lo, hi], rel=1e-6)


@pytest.mark.exact
def test_bad_axis_path_in_a_sweep_file(tmp_path: Path) -> None:
    sweep = {"scenario": str(MIX), "axes": [{"path": "strategies.*.budjet", "values": [1]}]}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep), encoding="utf-8")
    with pytest.raises(InputError, match=r"axes\[0\].path.*'strategies.feed.budget'"):
        make_sweep(path)


# --- exact results ----------------------------------------------------------------------


@pytest.mark.exact
def test_fixed_scenario_points_are_hand_computable(write_scenario) -> None:
    path = write_scenario()
    sweep = make_sweep(
        path,
        [
            parse_vary("economics.gross_margin=0.4,0.5,0.6"),
            parse_vary("strategies.a.groups[0].count=1:3:1"),
        ],
    )
    table = run_sweep(sweep).table
    assert len(table) == 9 and table["point"].tolist() == list(range(9))
    # Per creator: 2 posts x 5,000 followers x 5% = 500 engagements, x 10% = 50 orders of
    # NT$1,000. Cost: n x (2 x 10,000 fee + 500 overhead) + 1,000 fixed.
    for row in table.itertuples():
        n, margin = row[table.columns.get_loc("strategies.a.groups[0].count") + 1], row[2]
        cost = n * 20_500 + 1_000
        profit = margin * n * 50_000 - cost
        assert row.profit_mean == pytest.approx(profit, rel=1e-12)
        assert row.roi_mean == pytest.approx(profit / cost, rel=1e-12)
        assert row.prob_loss == (1.0 if profit < 0 else 0.0)
        assert row.cost_p5 == pytest.approx(cost) and row.creators_mean == n


@pytest.mark.exact
def test_share_zero_hires_no_one(write_scenario) -> None:
    data = deep_update(
        FIXED_SCENARIO,
        {
            "strategies": {
                "a": {
                    "budget": 100_000,
                    "groups": [
                        {"tier": "nano", "platform": "instagram", "deliverables": 2, "share": 0.5},
                        {"tier": "nano", "platform": "instagram", "deliverables": 1, "count": 1},
                    ],
                }
            }
        },
    )
    sweep = make_sweep(write_scenario(data), [parse_vary("strategies.a.groups[0].share=0,0.5")])
    table = run_sweep(sweep).table
    # Share 0 hires no one; share 0.5 buys floor(50,000 / 20,000) = 2 creators; plus 1 counted.
    assert table["creators_mean"].tolist() == [1.0, 3.0]


@pytest.mark.reproducibility
def test_a_point_equals_a_direct_run_of_its_scenario() -> None:
    sweep = make_sweep(MIX, [parse_vary("strategies.*.budget=600000,800000")])
    table = run_sweep(sweep, campaigns=2000, seed=5).table
    base = load_scenario(MIX)  # budget 600,000: the first point
    summary = summarize(simulate(base, campaigns=2000, seed=5), roi_target=base.roi_target)
    first = table[table["point"] == 0].set_index("strategy")
    for name in ("feed", "video"):
        assert first.loc[name, "roi_mean"] == summary.metrics[name]["roi"].mean
        assert first.loc[name, "profit_p95"] == summary.metrics[name]["profit"].p95
        assert first.loc[name, "prob_loss"] == summary.risk[name].prob_loss
        assert first.loc[name, "expected_shortfall"] == summary.risk[name].expected_shortfall


@pytest.mark.exact
@pytest.mark.parametrize("engine", ["vectorized", "timeline"])
def test_table_columns_are_known_before_the_sweep_runs(write_scenario, engine: str) -> None:
    sweep = make_sweep(write_scenario(), [parse_vary("m:economics.gross_margin=0.5")])
    table = run_sweep(sweep, campaigns=50, engine=engine).table
    assert list(table.columns) == table_columns(sweep, engine)


@pytest.mark.reproducibility
def test_points_share_common_random_numbers() -> None:
    # Only the feed strategy changes: the video strategy sees identical campaigns at every
    # point, so its statistics are equal to the last bit.
    vary = "strategies.feed.groups[0].share=0.2:0.8:0.3;strategies.feed.groups[1].share=1-x"
    table = run_sweep(make_sweep(MIX, [parse_vary(vary)]), campaigns=2000, seed=9).table
    video = table[table["strategy"] == "video"].drop(columns=["point", *table.columns[1:3]])
    assert len(video.drop_duplicates()) == 1
    feed = table[table["strategy"] == "feed"]
    assert feed["roi_mean"].nunique() == 3


# --- resume -----------------------------------------------------------------------------


class Killed(Exception):
    pass


@pytest.mark.reproducibility
def test_an_interrupted_sweep_resumes_to_the_same_table(tmp_path: Path) -> None:
    sweep = make_sweep(MIX, [parse_vary("economics.gross_margin=0.45:0.6:0.05")])
    whole = run_sweep(sweep, campaigns=1500, seed=3).table

    key = fingerprint(sweep, 1500, 3)
    store = PointStore(tmp_path / "partial", key)
    finished: list[int] = []

    def kill_after_two(index: int) -> None:
        finished.append(index)
        if len(finished) == 2:
            raise Killed

    with pytest.raises(Killed):
        run_sweep(sweep, campaigns=1500, seed=3, store=store, on_point=kill_after_two)
    assert len(list((tmp_path / "partial").glob("point-*.json"))) == 2

    store = PointStore(tmp_path / "partial", key)
    assert not store.restarted
    resumed = run_sweep(sweep, campaigns=1500, seed=3, store=store)
    assert resumed.resumed == 2
    pd.testing.assert_frame_equal(resumed.table, whole, check_exact=True)

    # Other arguments: the store starts afresh rather than mixing results.
    other = PointStore(tmp_path / "partial", fingerprint(sweep, 1500, 4))
    assert other.restarted and not list((tmp_path / "partial").glob("point-*.json"))
    assert run_sweep(sweep, campaigns=1500, seed=4, store=other).resumed == 0


@pytest.mark.exact
def test_the_fingerprint_covers_scenario_campaigns_and_seed() -> None:
    sweep = make_sweep(MIX, [parse_vary("economics.gross_margin=0.5,0.6")])
    other = make_sweep(MIX, [parse_vary("economics.gross_margin=0.5,0.61")])
    keys = {
        fingerprint(sweep, 100, 1),
        fingerprint(sweep, 101, 1),
        fingerprint(sweep, 100, 2),
        fingerprint(other, 100, 1),
    }
    assert len(keys) == 4
    assert fingerprint(sweep, 100, 1) == fingerprint(
        make_sweep(MIX, [parse_vary("economics.gross_margin=0.5,0.6")]), 100, 1
    )


# --- command line -----------------------------------------------------------------------


@pytest.mark.cli
def test_cli_sweep_writes_tidy_tables_and_a_manifest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            str(MIX),
            "--vary",
            "strategies.*.groups[0].share=0.3,0.6;strategies.*.groups[1].share=1-x",
            "--vary",
            "strategies.*.budget=600000,700000",
            "-n",
            "1000",
            "-s",
            "4",
            "-o",
            str(out),
            "--format",
            "json",
            "-q",
            "--risk-limit",
            "prob_loss<=0.9",
            "--objective",
            "roi",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["points"] == 4 and len(data["rows"]) == 8
    assert data["best"]["objective"] == "max:roi_mean"
    table = pd.read_parquet(out / "sweep.parquet")
    pd.testing.assert_frame_equal(table, pd.read_csv(out / "sweep.csv"), check_exact=False)
    assert list(table.columns[:5]) == [
        "point",
        "strategies.*.groups[0].share",
        "strategies.*.groups[1].share",
        "strategies.*.budget",
        "strategy",
    ]
    assert {"roi_mean_ci_low", "prob_loss_ci_high", "expected_shortfall", "cpa_p95"} <= set(
        table.columns
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["sha256"] == load_scenario(MIX).digest
    assert manifest["seed"] == 4 and manifest["settings"]["points"] == 4
    heatmaps = sorted(p.name for p in out.glob("heatmap_*.csv"))
    assert heatmaps == ["heatmap_feed.csv", "heatmap_video.csv"]
    assert not (tmp_path / "out.partial").exists()


@pytest.mark.cli
def test_cli_sweep_file_and_table(tmp_path: Path) -> None:
    sweep = ROOT / "scenarios/sweeps/conversion-aov.yaml"
    result = CliRunner().invoke(
        main, ["sweep", str(sweep), "-n", "500", "-o", str(tmp_path / "o"), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "Pareto-efficient" in result.stdout and "Best plan" in result.stdout
    points = pd.read_csv(tmp_path / "o/points.csv")
    assert len(points) == 3  # zipped


@pytest.mark.cli
@pytest.mark.reproducibility
def test_cli_resumes_from_the_partial_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["sweep", str(MIX), "--vary", "economics.fixed_cost=0,1000,2000", "-n", "800"]
    sweep = make_sweep(MIX, [parse_vary("economics.fixed_cost=0,1000,2000")])
    store = PointStore(tmp_path / "out.partial", fingerprint(sweep, 800, None))

    def stop(index: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        run_sweep(sweep, campaigns=800, store=store, on_point=stop)
    result = CliRunner().invoke(main, [*args, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "resumed 1 of 3 points" in result.stderr
    fresh = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "fresh"), "-q"])
    assert fresh.exit_code == 0
    assert (out / "sweep.csv").read_text() == (tmp_path / "fresh/sweep.csv").read_text()
    # --fresh ignores finished points on purpose.
    with pytest.raises(Killed):
        run_sweep(sweep, campaigns=800, store=PointStore(store.folder, store.key), on_point=stop)
    again = CliRunner().invoke(main, [*args, "-o", str(out), "-q", "--fresh"])
    assert again.exit_code == 0 and "resumed" not in again.stderr


@pytest.mark.cli
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vary", "economics.gross_margn=0.5"], "economics.gross_margin"),
        ([], "nothing to sweep"),
        (["--vary", "economics.gross_margin=0.5,2"], "less than or equal to 1"),
        (["--vary", "economics.gross_margin=0.5", "--risk-limit", "p_loss<0.1"], "prob_loss"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        main, ["sweep", str(MIX), "-n", "200", "-q", "-o", str(tmp_path / "o"), *args]
    )
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    # Found before anything ran: no results and no finished points.
    assert not (tmp_path / "o").exists() and not (tmp_path / "o.partial").exists()


@pytest.mark.exact
def test_example_sweep_files_are_valid() -> None:
    for path in sorted((ROOT / "scenarios/sweeps").glob("*.yaml")):
        sweep = make_sweep(path)
        assert sweep.points and sweep.source == str(path)
    assert len(make_sweep(ROOT / "scenarios/sweeps/nano-share.yaml").points) == 33


# --- timeline engine --------------------------------------------------------------------


@pytest.mark.exact
def test_timeline_settings_need_the_timeline_engine(write_scenario) -> None:
    path = write_scenario()
    with pytest.raises(InputError, match="--engine timeline"):
        make_sweep(path, [parse_vary("timeline.managers=1,2")])


@pytest.mark.reproducibility
def test_a_timeline_sweep_point_equals_a_direct_timeline_run(write_scenario) -> None:
    from campaign_sim.analysis.stats import summarize_values
    from campaign_sim.engine.timeline import simulate_timeline

    path = write_scenario()
    sweep = make_sweep(path, [parse_vary("timeline.managers=1,3")], engine="timeline")
    table = run_sweep(sweep, campaigns=300, seed=2, engine="timeline").table
    for point in sweep.points:
        direct = simulate_timeline(point.scenario, campaigns=300, seed=2).totals["a"]
        row = table[table["point"] == point.index].iloc[0]
        for metric in ("profit", "lost_share", "manager_utilisation"):
            assert row[f"{metric}_mean"] == summarize_values(metric, direct[metric]).mean
    # One manager for three creators queues more than three: utilisation is higher.
    assert table["manager_utilisation_mean"].iloc[0] > table["manager_utilisation_mean"].iloc[1]


@pytest.mark.cli
@pytest.mark.reproducibility
@pytest.mark.slow
def test_a_sigkilled_cli_sweep_resumes_to_identical_files(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    args = [sys.executable, "-m", "campaign_sim", "sweep", str(MIX), "-n", "3000", "-q"]
    args += ["--vary", "strategies.*.budget=600000:1150000:50000"]  # 12 points
    partial = tmp_path / "killed.partial"
    process = subprocess.Popen(
        [*args, "-o", str(tmp_path / "killed")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(partial.glob("point-*.json")) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    finished = len(list(partial.glob("point-*.json")))
    assert 1 <= finished < 12 and not (tmp_path / "killed").exists()

    resumed = subprocess.run(
        [*args, "-o", str(tmp_path / "killed")], capture_output=True, text=True, check=True
    )
    assert f"resumed {finished} of 12 points" in resumed.stderr
    subprocess.run([*args, "-o", str(tmp_path / "whole")], capture_output=True, check=True)
    for name in ("sweep.csv", "sweep.parquet", "frontier.csv", "best.json"):
        assert (tmp_path / "killed" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()
    assert not partial.exists()
