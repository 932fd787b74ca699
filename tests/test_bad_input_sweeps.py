"""Bad sweep input, options and overrides (issue 10, classes 4, 7, 8 and 9 for sweeps):
every case ends cleanly (exit 2, the file or option and the key named, no traceback, no
results or partial folder), suggestions come from the right set, numbers are read and never
evaluated, and prior overrides that do nothing are caught."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import FIXED_PRIORS, FIXED_SCENARIO, FIXED_TIER, ROOT, deep_update
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign_sim.analysis.frontier import parse_goal, parse_limit
from campaign_sim.cli import main
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_scenario, scenario_from_dict
from campaign_sim.scenario.warnings import InputWarning, UnusedOverrideWarning
from campaign_sim.sweep import spec
from campaign_sim.sweep.analyse import Questions
from campaign_sim.sweep.run import table_columns
from campaign_sim.sweep.spec import MAX_POINTS, evaluate, make_sweep, parse_vary

MIX = ROOT / "scenarios/mix-coffee.yaml"
NANO_SHARE = ROOT / "scenarios/sweeps/nano-share.yaml"
GOOD_AXIS = {"path": "economics.gross_margin", "values": [0.5]}


def sweep_file(tmp_path: Path, **changes: Any) -> Path:
    """A sweep file over mix-coffee.yaml with one good axis, changed by ``changes``."""
    data = {"scenario": str(MIX), "axes": [GOOD_AXIS]} | changes
    path = tmp_path / "bad-sweep.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def sweep_fails(tmp_path: Path, *args: str) -> str:
    """``campaign-sim sweep ARGS`` exits 2 with a clean message and writes nothing: stderr."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", *args, "-n", "100", "-q", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: "), result.stderr
    assert not out.exists() and not out.with_name("out.partial").exists()
    return result.stderr


# --- problems in a sweep file name the file and the key ----------------------------------


@pytest.mark.cli
@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        (
            {"objective": "proft"},
            "objective",
            "no column 'proft' in the sweep table (did you mean 'profit'?)",
        ),
        (
            {"risk_limit": ["prob_loss<=0.5", "prob_los<=0.2"]},
            "risk_limit[1]",
            "no column 'prob_los' in the sweep table (did you mean 'prob_loss'?)",
        ),
        ({"risk_limit": ["prob_loss=0.5"]}, "risk_limit[0]", "write COLUMN<=VALUE"),
        ({"risk_limit": "label<=1"}, "risk_limit[0]", "no column 'label'"),
        ({"risk_limit": ["prob_loss<=1e999"]}, "risk_limit[0]", "not a finite number"),
        (
            {"frontier_risk": "expected_shortfal"},
            "frontier_risk",
            "did you mean 'expected_shortfall'?",
        ),
        ({"frontier_return": "best:roi"}, "frontier_return", "write max:COLUMN or min:COLUMN"),
    ],
)
def test_a_sweep_files_questions_name_the_file_and_key(tmp_path, changes, key, message) -> None:
    path = sweep_file(tmp_path, **changes)
    stderr = sweep_fails(tmp_path, str(path))
    assert f"{path}: {key}: " in stderr and message in stderr, stderr
    assert "--objective" not in stderr and "--risk-limit" not in stderr
    assert "_se'" not in stderr  # never a standard error as the suggestion


@pytest.mark.cli
def test_every_problem_of_a_sweep_file_in_one_pass(tmp_path) -> None:
    axes = [
        {"path": "economics.gross_margn", "values": [0.5]},
        {"path": "strategies.*.budjet", "values": [1], "also": {"strategies.*.budgte": "1 - x"}},
    ]
    path = sweep_file(tmp_path, axes=axes, objective="proft", risk_limit=["prob_los<1"])
    stderr = sweep_fails(tmp_path, str(path))
    assert f"{path}: 5 problems" in stderr, stderr
    for key in (
        "axes[0].path",
        "axes[1].path",
        "axes[1].also.strategies",
        "objective:",
        "risk_limit[0]",
    ):
        assert key in stderr
    assert "nearest valid path: 'economics.gross_margin'" in stderr


@pytest.mark.cli
def test_the_same_problem_from_a_flag_names_the_flag(tmp_path) -> None:
    stderr = sweep_fails(
        tmp_path,
        str(MIX),
        "--vary",
        "economics.gross_margin=0.5",
        "--objective",
        "proft",
        "--risk-limit",
        "prob_los<=0.1",
        "--frontier-risk",
        "value_at_rsk",
    )
    assert "--objective: no column 'proft' in the sweep table (did you mean 'profit'?)" in stderr
    assert (
        "--risk-limit: no column 'prob_los' in the sweep table (did you mean 'prob_loss'?)"
        in stderr
    )
    assert "--frontier-risk: " in stderr and "did you mean 'value_at_risk'?" in stderr
    assert "profit_se" not in stderr


@pytest.mark.cli
@pytest.mark.parametrize(
    ("axis", "key", "message"),
    [
        (
            {"path": "economics.gross_margin", "values": {"start": 0, "stop": 1}},
            "axes[0].values",
            "exactly one of `step` or `num`",
        ),
        (
            {"path": "economics.gross_margin", "values": 5},
            "axes[0].values",
            "give a list of values",
        ),
        ({"path": "economics.gross_margin", "values": []}, "axes[0]", "at least one value"),
        (
            {
                "path": "economics.gross_margin",
                "values": {"start": 0, "stop": float("inf"), "step": 1},
            },
            "axes[0].values.stop",
            "finite",
        ),
        (
            {
                "path": "economics.gross_margin",
                "values": {"start": 0, "stop": 1e300, "step": 1e-300},
            },
            "axes[0].values",
            "more than 100,000",
        ),
        (
            {"path": "economics.gross_margin", "values": {"start": 0, "stop": 1, "num": 10**12}},
            "axes[0].values",
            "1,000,000,000,000 values: more than 100,000",
        ),
        (
            {"path": "economics.gross_margin", "values": [0.5, float("nan")]},
            "axes[0].values[1]",
            "finite",
        ),
        (
            {
                "path": "economics.gross_margin",
                "values": [0.5],
                "also": {"economics.fixed_cost": [1]},
            },
            "axes[0].also.economics.fixed_cost",
            "a number or an expression in x",
        ),
        (
            {
                "path": "economics.gross_margin",
                "values": [0.5],
                "also": {"economics.fixed_cost": "__import__('os')"},
            },
            "axes[0].also.economics.fixed_cost",
            "not arithmetic in x",
        ),
        (
            {
                "path": "economics.gross_margin",
                "values": [0.5],
                "also": {"economics.fixed_cost": "9**9**9"},
            },
            "axes[0].also.economics.fixed_cost",
            "exponent 3.8742e+08 is beyond ±100",
        ),
        (
            {
                "path": "economics.gross_margin",
                "values": [0.5],
                "also": {"economics.fixed_cost": "1 / (x - 0.5)"},
            },
            "axes[0].also.economics.fixed_cost",
            "division by zero",
        ),
    ],
)
def test_bad_axes_in_a_sweep_file(tmp_path, axis, key, message) -> None:
    path = sweep_file(tmp_path, axes=[axis])
    stderr = sweep_fails(tmp_path, str(path))
    assert f"{key}: " in stderr and message in stderr, stderr
    assert str(path) in stderr
    for leak in ("list[any]", "function-", ".grid", "Grid", ".float", ".str:"):
        assert leak not in stderr  # no union branch in a key path


@pytest.mark.cli
def test_a_value_no_scenario_holds_is_refused(tmp_path) -> None:
    path = tmp_path / "dates.yaml"
    path.write_text(
        f"scenario: {MIX}\naxes:\n  - path: economics.gross_margin\n"
        "    values: [0.5, 2024-01-01]\n",
        encoding="utf-8",
    )
    stderr = sweep_fails(tmp_path, str(path))
    assert "axes[0].values[1]: a date is not a value of a scenario" in stderr


@pytest.mark.cli
def test_the_base_scenario_is_checked_as_the_sweep_files_key(tmp_path) -> None:
    path = sweep_file(tmp_path, scenario="no-such.yaml")
    assert f"{path}: scenario: 'no-such.yaml': no such file" in sweep_fails(tmp_path, str(path))
    path = sweep_file(tmp_path, scenario=str(NANO_SHARE))
    assert "is a sweep file: name the scenario it sweeps" in sweep_fails(tmp_path, str(path))
    path = sweep_file(tmp_path, scenario=str(ROOT / "scenarios/priors/article.yaml"))
    assert f"{path}: scenario: " in sweep_fails(tmp_path, str(path))
    assert "is a priors file: name a scenario" in sweep_fails(tmp_path, str(path))


@pytest.mark.cli
def test_empty_settings_are_no_settings(tmp_path) -> None:
    for key in ("objective", "frontier_return", "frontier_risk"):
        path = sweep_file(tmp_path, **{key: ""})
        assert f"{path}: {key}: " in sweep_fails(tmp_path, str(path))


@pytest.mark.cli
def test_an_axis_of_mixed_kinds_is_one_column_of_text(tmp_path) -> None:
    axis = {"path": "economics.aov", "values": [{"family": "lognormal", "range": [600, 1200]}, 900]}
    out = tmp_path / "out"
    args = ["sweep", str(sweep_file(tmp_path, axes=[axis])), "-n", "64", "-q", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    points = (out / "points.csv").read_text(encoding="utf-8").splitlines()
    assert points[2].startswith("1,900,") and '""family"": ""lognormal""' in points[1]
    assert (out / "sweep.parquet").exists()


@pytest.mark.cli
def test_too_many_points_are_refused_with_the_count_before_any_is_built(
    tmp_path, monkeypatch
) -> None:
    def never(*args: Any) -> None:
        raise AssertionError("a point was built")

    monkeypatch.setattr(spec, "_point", never)
    axes = [
        {"path": "economics.gross_margin", "values": {"start": 0, "stop": 1, "num": 1000}},
        {"path": "economics.fixed_cost", "values": {"start": 0, "stop": 1000, "step": 1}},
    ]
    stderr = sweep_fails(tmp_path, str(sweep_file(tmp_path, axes=axes)))
    assert "axes: 1,000 x 1,001 = 1,001,000 points: more than 100,000" in stderr
    vary = ["--vary", "economics.gross_margin=0:1/400", "--vary", "economics.fixed_cost=0:1000/400"]
    assert "160,000 points: more than 100,000" in sweep_fails(tmp_path, str(MIX), *vary)


@pytest.mark.cli
def test_huge_values_are_never_echoed_whole(tmp_path) -> None:
    path = sweep_file(tmp_path, objective="p" * 100_000, risk_limit=["q" * 100_000 + "<=1"])
    stderr = sweep_fails(tmp_path, str(path))
    assert len(stderr) < 1_000 and "…" in stderr
    stderr = sweep_fails(tmp_path, str(MIX), "--vary", "economics." + "g" * 5_000 + "=1")
    assert len(stderr) < 1_000 and "at most 300" in stderr


# --- --vary: numbers are read, never evaluated ---------------------------------------------


@pytest.mark.cli
@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ("economics.gross_margin=9**9**9", "'9**9**9' is not a number"),
        ("economics.gross_margin=0.5,2*3", "'2*3' is not a number"),
        ("economics.gross_margin=0:inf:1", "'inf' is not a number"),
        ("economics.gross_margin=0:1:1:1", "cannot read values '0:1:1:1'"),
        ("economics.gross_margin=0:1/1e9", "'1e9' is not a whole number of points"),
        ("economics.gross_margin=0:1e308:1e-308", "more than 100,000"),
        ("economics.gross_margin=0:1/1000000", "1,000,000 values: more than 100,000"),
        (
            "economics.gross_margin=0.5;economics.fixed_cost=9**9**9",
            "exponent 3.8742e+08 is beyond ±100",
        ),
        ("economics.gross_margin=0.5;economics.fixed_cost=x*1e308*10", "not a finite number"),
        ("economics.gross_margin=0.5;economics.fixed_cost=open(x)", "not arithmetic in x"),
        ("economics.gross_margin=0.5;economics.fixed_cost=" + "x+" * 200 + "x", "at most 200"),
    ],
)
def test_bad_vary_values_exit_2_at_once(tmp_path, vary: str, message: str) -> None:
    started = time.perf_counter()
    stderr = sweep_fails(tmp_path, str(MIX), "--vary", vary)
    assert time.perf_counter() - started < 30
    assert stderr.startswith("Error: --vary: ") and message in stderr, stderr


@pytest.mark.cli
def test_a_huge_power_does_not_hang_the_command_line(tmp_path) -> None:
    code = "import sys; from campaign_sim.cli import main; sys.exit(main())"
    args = ["sweep", str(MIX), "--vary", "economics.gross_margin=0.5;economics.fixed_cost=9**9**9"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "-q", "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "beyond ±100" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.cli
def test_zip_problems_name_the_flag_or_the_key(tmp_path) -> None:
    args = ["--vary", "economics.gross_margin=0.5,0.6", "--vary", "economics.fixed_cost=1"]
    stderr = sweep_fails(tmp_path, str(MIX), *args, "--zip")
    assert stderr.startswith("Error: --zip: axes: zipped axes need as many values each")
    axes = [GOOD_AXIS, {"path": "economics.fixed_cost", "values": [1, 2]}]
    path = sweep_file(tmp_path, axes=axes, zip=True)
    assert f"{path}: zip: zipped axes need as many values each" in sweep_fails(tmp_path, str(path))


@pytest.mark.cli
def test_every_bad_vary_path_in_one_pass(tmp_path) -> None:
    stderr = sweep_fails(
        tmp_path, str(MIX), "--vary", "economics.gross_margn=0.5;economics.fixed_cst=1-x"
    )
    assert "--vary: 2 problems" in stderr
    assert "nearest valid path: 'economics.gross_margin'" in stderr
    assert "nearest valid path: 'economics.fixed_cost'" in stderr


@pytest.mark.exact
def test_vary_values_are_numbers_or_yaml_scalars() -> None:
    assert parse_vary("x=1e6,2.5e-1,-3,+4").values == [1000000, 0.25, -3, 4]
    assert parse_vary("x=a,true,2,0.5").values == ["a", True, 2, 0.5]
    assert parse_vary("x=[[1, 2], [3, 4]]").values == [[1, 2], [3, 4]]
    assert parse_vary("x=-1:1:0.5").values.values() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert parse_vary("x=0:1/3").values.values() == [0.0, 0.5, 1.0]
    assert parse_vary("x=1;y=0.5;z=2 * x").also == {"y": 0.5, "z": "2 * x"}
    for bad in ("x=9**9**9", "x=1+1", "x=0:1:1e999", "x=0:10/2.5", "x=0:1/0"):
        with pytest.raises(InputError):
            parse_vary(bad)


@pytest.mark.exact
def test_the_expression_evaluator_is_small_and_bounded() -> None:
    assert evaluate("1 - x", 0.7) == 0.3
    assert evaluate("2 * (x + 1) ** 2 / 4", 1) == 2.0
    assert evaluate("x ** 0.5", 4) == 2.0
    assert evaluate("-x + +1", 3) == -2.0
    assert evaluate(0.25, 7) == 0.25  # a constant
    started = time.perf_counter()
    for expression, message in [
        ("9**9**9", "exponent 3.8742e+08 is beyond ±100"),
        ("x ** 101", "beyond ±100"),
        ("x * 1e308 * 10", "not a finite number"),
        ("(-8) ** (1 / 3)", "not a real number"),
        ("True + x", "not arithmetic"),
        ("x if x else 1", "not arithmetic"),
        ("[x]", "not arithmetic"),
        ("x.real", "not arithmetic"),
        ("1j * x", "not arithmetic"),
        ("1 +", "cannot read"),
        ("x" * 201, "at most 200"),
        ("1 / x", "division by zero"),
    ]:
        with pytest.raises(ValueError, match=re.escape(message)):
            evaluate(expression, 0 if expression == "1 / x" else 2)
    with pytest.raises(ValueError, match="is not a number"):
        evaluate("1 - x", "a")
    with pytest.raises(ValueError, match="too large"):
        evaluate("1 - x", 10**400)
    assert time.perf_counter() - started < 5


@pytest.mark.exact
def test_the_point_count_is_bounded_through_the_api() -> None:
    with pytest.raises(InputError, match="more than 100,000"):
        parse_vary(f"x=0:1/{MAX_POINTS + 1}")
    axes = [
        parse_vary("economics.gross_margin=0:1/1000"),
        parse_vary("economics.fixed_cost=0:1/101"),
    ]
    with pytest.raises(InputError, match=r"1,000 x 101 = 101,000 points"):
        make_sweep(MIX, axes)


# --- suggestions from the right set --------------------------------------------------------


@pytest.fixture(scope="module")
def columns() -> list[str]:
    return table_columns(make_sweep(MIX, [parse_vary("economics.gross_margin=0.5")]))


@pytest.mark.exact
@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("proft", "profit"),
        ("roii", "roi"),
        ("revnue", "revenue"),
        ("profit_mea", "profit_mean"),
        ("expected_shortfal", "expected_shortfall"),
        ("prob_los", "prob_loss"),
        ("roi_p05", "roi_p5"),
    ],
)
def test_objective_suggestions_are_metrics_and_estimates(columns, name, suggestion) -> None:
    with pytest.raises(InputError, match=rf"did you mean '{suggestion}'\?") as caught:
        parse_goal(name, columns)
    assert caught.value.problems[0].path == "--objective"
    with pytest.raises(InputError, match=rf"did you mean '{suggestion}'\?"):
        parse_limit(f"{name}<=1", columns)


@pytest.mark.exact
def test_identities_are_neither_objectives_nor_limits(columns) -> None:
    for name in ("strategy", "label", "point", "campaigns", "seed"):
        with pytest.raises(InputError, match=f"no column '{name}'"):
            parse_goal(name, columns)
        with pytest.raises(InputError, match=f"no column '{name}'"):
            parse_limit(f"{name}<=1", columns)


@pytest.mark.exact
def test_questions_name_flags_or_file_keys_and_report_every_problem(columns) -> None:
    asked = {"ret": "roi_men", "risk": "prob_los", "objective": "proft", "limits": ["a<1", "b"]}
    with pytest.raises(InputError) as flags:
        Questions.parse(columns, **asked)
    assert flags.value.source is None
    assert [p.path for p in flags.value.problems] == [
        "--frontier-return",
        "--frontier-risk",
        "--objective",
        "--risk-limit",
        "--risk-limit",
    ]
    with pytest.raises(InputError) as keys:
        Questions.parse(columns, **asked, source="s.yaml")
    assert keys.value.source == "s.yaml"
    assert [p.path for p in keys.value.problems] == [
        "frontier_return",
        "frontier_risk",
        "objective",
        "risk_limit[0]",
        "risk_limit[1]",
    ]
    good = Questions.parse(columns, objective="roi", limits=["prob_loss<=10%"], source="s.yaml")
    assert str(good.goal) == "max:roi_mean" and good.limits[0].value == 0.1


# --- validate recognises sweep and priors files --------------------------------------------


@pytest.mark.cli
def test_validate_recognises_good_sweep_and_priors_files() -> None:
    sweeps = sorted((ROOT / "scenarios/sweeps").glob("*.yaml"))
    priors = ROOT / "scenarios/priors/article.yaml"
    result = CliRunner().invoke(main, ["validate", str(MIX), *map(str, sweeps), str(priors)])
    assert result.exit_code == 0, result.output
    assert f"{NANO_SHARE}: ok (sweep over ../mix-coffee.yaml; 33 points)" in result.stdout
    assert f"{priors}: ok (priors set article)" in result.stdout
    assert f"{MIX}: ok (" in result.stdout
    assert "unknown key" not in result.output


@pytest.mark.cli
def test_validate_reports_a_bad_sweep_file_as_a_sweep_file(tmp_path) -> None:
    bad = sweep_file(
        tmp_path, axes=[{"path": "economics.gross_margn", "values": [0.5]}], objective="proft"
    )
    result = CliRunner().invoke(main, ["validate", str(NANO_SHARE), str(bad)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{NANO_SHARE}: ok (sweep over" in result.stdout
    assert f"{bad} (sweep file): 2 problems" in result.stderr
    assert "axes[0].path: economics.gross_margn" in result.stderr
    assert (
        "objective: no column 'proft' in the sweep table (did you mean 'profit'?)" in result.stderr
    )
    assert "unknown key 'scenario'" not in result.stderr


@pytest.mark.cli
def test_validate_names_a_bad_point_of_a_sweep(tmp_path) -> None:
    axis = {"path": "strategies.feed.groups[0].share", "values": [0.5, 0.7]}
    result = CliRunner().invoke(main, ["validate", str(sweep_file(tmp_path, axes=[axis]))])
    assert result.exit_code == 2
    assert "(sweep file): " in result.stderr and "at sweep point 1" in result.stderr


@pytest.mark.cli
def test_validate_reports_every_problem_of_a_priors_file(tmp_path) -> None:
    data = deep_update(
        FIXED_PRIORS,
        {"tiers": {"nano": {"fe": 3, "fee": {"family": "lognormal", "range": [5, 1]}}}},
    )
    path = tmp_path / "my-priors.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"{path} (priors file): ")
    assert "tiers.nano: unknown key 'fe' (did you mean 'fee'?)" in result.stderr
    path.write_text(yaml.safe_dump(deep_update(FIXED_PRIORS, {"tiers": {"nano": {"fee": -5}}})))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{path} (priors file): tiers.nano.fee: money cannot be negative" in result.stderr
    good = tmp_path / "good-priors.yaml"
    good.write_text(yaml.safe_dump(FIXED_PRIORS), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(good)])
    assert result.exit_code == 0 and f"{good}: ok (priors set fixed)" in result.stdout


# --- prior overrides that do nothing -------------------------------------------------------

#: Priors with two tiers on two platforms; the fixed scenario uses nano on instagram only.
TWO_TIERS = {
    "name": "two",
    "shock_sigma": 0,
    "tiers": {
        tier: {**FIXED_TIER, "platforms": {"instagram": {}, "tiktok": {}}}
        for tier in ("nano", "micro")
    },
}


def overriding(tiers: dict) -> dict:
    return deep_update(FIXED_SCENARIO, {"priors": {"tiers": tiers}})


@pytest.mark.exact
@pytest.mark.parametrize(
    ("tiers", "key", "suggestion"),
    [
        ({"nnao": {"fee": 5}}, "priors.tiers.nnao", "nano"),
        ({"micr": {"fee": 5}}, "priors.tiers.micr", "micro"),
        (
            {"nano": {"platforms": {"instgram": {"fee": 5}}}},
            "priors.tiers.nano.platforms.instgram",
            "instagram",
        ),
        (
            {"nano": {"platforms": {"tiktk": {"fee": 5}}}},
            "priors.tiers.nano.platforms.tiktk",
            "tiktok",
        ),
    ],
)
def test_an_override_of_a_misspelt_tier_or_platform_is_an_error(
    write_scenario, tiers, key, suggestion
) -> None:
    path = write_scenario(overriding(tiers), priors=TWO_TIERS)
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    problems = {p.path: p.message for p in caught.value.problems}
    assert key in problems, problems
    assert f"(did you mean '{suggestion}'?)" in problems[key]


@pytest.mark.exact
@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ({"micro": {"fee": 5}}, "priors.tiers.micro: overrides a tier no strategy uses"),
        (
            {"nano": {"platforms": {"tiktok": {"fee": 5}}}},
            "priors.tiers.nano.platforms.tiktok: overrides a platform no strategy uses for "
            "tier nano",
        ),
    ],
)
def test_an_override_no_strategy_uses_warns(write_scenario, tiers, message) -> None:
    path = write_scenario(overriding(tiers), priors=TWO_TIERS)
    with pytest.warns(UnusedOverrideWarning, match=f"^{path}: {message}") as caught:
        scenario = load_scenario(path)
    assert len(caught) == 1 and issubclass(caught[0].category, InputWarning)
    assert scenario.strategies[0].groups[0].pool == "nano/instagram"


@pytest.mark.exact
def test_overrides_that_are_used_are_silent(write_scenario) -> None:
    data = overriding({"nano": {"fee": 9000, "platforms": {"instagram": {"fee": 8000}}}})
    # A tier of the scenario's own, unknown to the priors set, that a group uses.
    data = deep_update(
        data, {"priors": {"tiers": {"giga": {**FIXED_TIER, "platforms": {"instagram": {}}}}}}
    )
    data["strategies"]["b"] = {
        "groups": [{"tier": "giga", "platform": "instagram", "deliverables": 1, "count": 1}]
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scenario = scenario_from_dict(data, source=write_scenario(data, priors=TWO_TIERS))
    assert [g.tier for s in scenario.strategies for g in s.groups] == ["nano", "giga"]


@pytest.mark.cli
def test_the_command_line_prints_an_unused_override_once(write_scenario, tmp_path) -> None:
    path = write_scenario(overriding({"micro": {"fee": 5}}), priors=TWO_TIERS)
    line = f"warning: {path}: priors.tiers.micro: overrides a tier no strategy uses"
    for args in (
        ["run", str(path), "-n", "50", "-q", "-o", str(tmp_path / "run")],
        [
            "sweep",
            str(path),
            "--vary",
            "economics.fixed_cost=0,10,20",
            "-n",
            "50",
            "-q",
            "-o",
            str(tmp_path / "sweep"),
        ],
        ["validate", str(path)],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert result.stderr.count(line) == 1, result.stderr
        assert "UserWarning" not in result.stderr and "warnings.warn" not in result.stderr


@pytest.mark.cli
def test_the_command_line_refuses_a_misspelt_override(write_scenario, tmp_path) -> None:
    path = write_scenario(
        overriding({"nano": {"platforms": {"instgram": {"fee": 5}}}}), priors=TWO_TIERS
    )
    for command in (["run", str(path), "-n", "50"], ["validate", str(path)]):
        result = CliRunner().invoke(
            main, [*command, "-o", str(tmp_path / "o")] if command[0] == "run" else command
        )
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "priors.tiers.nano.platforms.instgram: no platform 'instgram'" in result.stderr
        assert "(did you mean 'instagram'?)" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.cli
@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"campaigns": "200"}, "campaigns"),
        ({"campaigns": True}, "campaigns"),
        ({"campaigns": 20.5}, "campaigns"),
        ({"seed": "7"}, "seed"),
        ({"seed": -1}, "seed"),
        ({"zip": "true"}, "zip"),
        (
            {
                "axes": [
                    {"path": "economics.fixed_cost", "values": {"start": "0", "stop": 1, "step": 1}}
                ]
            },
            "axes[0].values.start",
        ),
        (
            {
                "axes": [
                    {"path": "economics.fixed_cost", "values": {"start": 0, "stop": 1, "num": True}}
                ]
            },
            "axes[0].values.num",
        ),
    ],
)
def test_a_sweep_files_numbers_are_numbers(tmp_path, changes, key) -> None:
    path = sweep_file(tmp_path, **changes)
    assert f"{path}: {key}: " in sweep_fails(tmp_path, str(path))


@pytest.mark.exact
def test_a_whole_float_is_a_count() -> None:
    settings = spec.SweepFile(scenario="x.yaml", campaigns=200.0, seed=7.0)
    assert (settings.campaigns, settings.seed) == (200, 7)
    assert isinstance(settings.campaigns, int)


@pytest.mark.exact
def test_vary_values_that_expand_or_nest_are_refused_quickly() -> None:
    rows = ["[1,1,1,1,1,1,1,1,1]"] + [f"[{','.join(['*' + chr(96 + i)] * 9)}]" for i in range(1, 8)]
    bomb = "[" + ", ".join(f"&{chr(97 + i)} {row}" for i, row in enumerate(rows)) + "]"
    started = time.perf_counter()
    with pytest.raises(InputError, match="a value of more than 10,000 items"):
        parse_vary(f"x={bomb}")
    with pytest.raises(InputError, match="nested 3,000 deep|nested 3000 deep"):
        parse_vary("x=" + "[" * 3000 + "]" * 3000)
    with pytest.raises(InputError, match=r"nested 26 deep: at most 20"):
        parse_vary("x=[" + "[" * 25 + "1" + "]" * 25 + "]")
    deep: Any = 1
    for _ in range(25):
        deep = [deep]
    with pytest.raises(InputError, match=r"values\[0\]: a value nested more than 20 deep"):
        spec.validate(spec.AxisSpec, {"path": "x", "values": [deep]}, "s.yaml")
    with pytest.raises(InputError, match="12,001 characters: at most 10,000"):
        parse_vary("x=" + ",".join(["1"] * 6000))
    assert time.perf_counter() - started < 10


# --- property: any text gives a value or a clean error -------------------------------------


@pytest.mark.exact
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="x0123456789.+-*/()e %^", max_size=60))
def test_any_expression_evaluates_or_fails_cleanly(expression: str) -> None:
    try:
        value = evaluate(expression, 3)
    except ValueError:
        return
    assert isinstance(value, float) and value == value and abs(value) != float("inf")


@pytest.mark.exact
@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=120)
    | st.builds(
        lambda path, values: f"{path}={values}",
        st.sampled_from(["x", "a.b", "n:a.b[0]", "a.*"]),
        st.text(alphabet="0123456789.,:/;=[]{}e-+*x ", max_size=60),
    )
)
def test_any_vary_text_parses_or_fails_cleanly(text: str) -> None:
    try:
        axis = parse_vary(text)
    except InputError as exc:
        assert exc.problems and all(len(str(p)) < 2_500 for p in exc.problems)
        return
    count = axis.count
    assert 1 <= count <= MAX_POINTS
