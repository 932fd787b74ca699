"""The command line through click's CliRunner: outputs, files, exit codes."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from helpers import BAD_SCENARIOS, EXAMPLES, FIXED_SCENARIO, deep_update

from campaign_sim.cli import main

pytestmark = pytest.mark.cli

COFFEE = str(EXAMPLES[0])


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version_and_help(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and "campaign-sim, version" in result.output
    for command in ("run", "compare", "validate", "schema", "priors"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage:" in result.output


def test_run_json_holds_every_required_statistic(runner, tmp_path):
    out = tmp_path / "r"
    result = runner.invoke(
        main,
        [
            "run",
            COFFEE,
            "-n",
            "3000",
            "--seed",
            "4",
            "--out",
            str(out),
            "--format",
            "json",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["seed"] == 4 and data["campaigns"] == 3000
    assert len(data["scenario"]["sha256"]) == 64
    for name, entry in data["strategies"].items():
        for metric in (
            "roi",
            "roas",
            "profit",
            "cost",
            "revenue",
            "conversions",
            "cpe",
            "cpm",
            "cpa",
        ):
            stats = entry[metric]
            assert set(stats) >= {"mean", "mean_ci", "p5", "p50", "p95"}, (name, metric)
            assert stats["mean_ci"][0] <= stats["mean"] <= stats["mean_ci"][1]
            assert stats["p5"] <= stats["p50"] <= stats["p95"]
        assert 0 <= entry["prob_loss"] <= 1
        assert entry["expected_shortfall"] <= entry["profit"]["p5"]


def test_run_writes_a_results_folder_with_a_manifest(runner, tmp_path):
    out = tmp_path / "r"
    result = runner.invoke(
        main,
        [
            "run",
            COFFEE,
            "-n",
            "2000",
            "--seed",
            "4",
            "--out",
            str(out),
            "--save-outcomes",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "95% CI of mean" in result.stdout  # the table labels the estimate interval
    files = {p.name for p in out.iterdir()}
    assert files == {
        "summary.csv",
        "risk.csv",
        "quantiles.csv",
        "priors.csv",
        "summary.json",
        "outcomes.parquet",
        "manifest.json",
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["campaigns"] == 2000
    assert manifest["version"] and len(manifest["scenario"]["sha256"]) == 64
    assert set(manifest["files"]) == files
    import pandas as pd

    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert len(outcomes) == 2000 * 2
    summary = pd.read_csv(out / "summary.csv")
    roi = summary[(summary.metric == "roi")].set_index("strategy")
    for name, group in outcomes.groupby("strategy"):
        assert roi.loc[name, "mean"] == pytest.approx(group["roi"].mean(), rel=1e-9)
    assert not list(tmp_path.glob(".*tmp"))  # no temporary folder left behind


@pytest.mark.reproducibility
def test_same_seed_same_json(runner, tmp_path):
    args = ["run", COFFEE, "-n", "1500", "--seed", "8", "--format", "json", "--quiet"]
    one = runner.invoke(main, [*args, "--out", str(tmp_path / "1")])
    two = runner.invoke(main, [*args, "--out", str(tmp_path / "2"), "--chunk-size", "1024"])
    assert json.loads(one.stdout)["strategies"] == json.loads(two.stdout)["strategies"]


def test_csv_format_is_the_tidy_summary(runner, tmp_path):
    result = runner.invoke(
        main,
        ["run", COFFEE, "-n", "1000", "--format", "csv", "--quiet", "--out", str(tmp_path / "r")],
    )
    assert result.exit_code == 0
    header = result.stdout.splitlines()[0].split(",")
    assert header[:3] == ["strategy", "metric", "n"]
    assert {"mean_ci_low", "mean_ci_high", "p5", "p95"} <= set(header)


def test_compare_json(runner, tmp_path):
    result = runner.invoke(
        main,
        [
            "compare",
            COFFEE,
            "nano_heavy",
            "micro_heavy",
            "-n",
            "3000",
            "--format",
            "json",
            "--quiet",
            "--out",
            str(tmp_path / "c"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["comparison"]
    assert data["a"] == "nano_heavy" and data["b"] == "micro_heavy"
    for metric in ("roi", "profit"):
        low, high = data[metric]["mean_diff_ci"]
        assert low <= data[metric]["mean_diff"] <= high
        plow, phigh = data[metric]["prob_a_better_ci"]
        assert plow <= data[metric]["prob_a_better"] <= phigh
    assert (tmp_path / "c" / "comparison.csv").exists()


def test_compare_table_and_unknown_strategy(runner, tmp_path):
    result = runner.invoke(
        main, ["compare", COFFEE, "-n", "1000", "--quiet", "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0 and "P(A better)" in result.stdout
    result = runner.invoke(
        main,
        [
            "compare",
            COFFEE,
            "nano_heavy",
            "micro_heavvy",
            "-n",
            "100",
            "--quiet",
            "--out",
            str(tmp_path / "d"),
        ],
    )
    assert result.exit_code == 2
    assert "did you mean 'micro_heavy'" in result.stderr
    assert "Traceback" not in result.output


def test_validate_reports_good_and_bad_files(runner, write_scenario):
    bad = write_scenario(deep_update(FIXED_SCENARIO, {"economics": {"gross_margn": 0.5}}))
    result = runner.invoke(main, ["validate", COFFEE, str(bad)])
    assert result.exit_code == 2
    assert f"{COFFEE}: ok" in result.stdout
    assert "did you mean 'gross_margin'" in result.stderr
    assert runner.invoke(main, ["validate", *map(str, EXAMPLES)]).exit_code == 0


@pytest.mark.parametrize(
    "data",
    [
        deep_update(FIXED_SCENARIO, {"economics": {"fixed_cost": -1}}),
        deep_update(
            FIXED_SCENARIO,
            {
                "strategies": {
                    "a": {"groups": [{"tier": "nano", "platform": "instagram", "budget": 10}]}
                }
            },
        ),
    ],
)
def test_bad_scenarios_exit_2_without_traceback(runner, write_scenario, data, tmp_path):
    result = runner.invoke(main, ["run", str(write_scenario(data)), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


def test_bad_yaml_exits_2(runner, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    result = runner.invoke(main, ["run", str(path)])
    assert result.exit_code == 2 and "not valid YAML" in result.stderr


def test_usage_errors_exit_2(runner):
    assert runner.invoke(main, ["run"]).exit_code == 2
    assert runner.invoke(main, ["run", COFFEE, "--campaigns", "0"]).exit_code == 2
    assert runner.invoke(main, ["run", COFFEE, "--format", "xml"]).exit_code == 2


def test_out_refuses_to_replace_a_folder_that_is_not_a_result(runner, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    result = runner.invoke(main, ["run", COFFEE, "-n", "100", "--quiet", "--out", str(precious)])
    assert result.exit_code == 2 and "refusing to replace" in result.stderr
    assert (precious / "thesis.txt").read_text() == "do not delete"


def test_rerun_replaces_an_earlier_result(runner, tmp_path):
    out = tmp_path / "r"
    for seed in ("1", "2"):
        assert (
            runner.invoke(
                main, ["run", COFFEE, "-n", "500", "--seed", seed, "--quiet", "--out", str(out)]
            ).exit_code
            == 0
        )
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2


def test_schema_is_json_schema_with_the_scenario_keys(runner):
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"name", "economics", "strategies", "priors", "simulation"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_priors_lists_fits_and_sources(runner):
    result = runner.invoke(main, ["priors", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    nano_er = next(
        r
        for r in rows
        if r["tier"] == "nano" and r["quantity"] == "engagement_rate" and r["platform"] == "(all)"
    )
    assert nano_er["family"] == "beta"
    assert nano_er["p5"] == pytest.approx(0.05, rel=1e-6)
    assert nano_er["p95"] == pytest.approx(0.088, rel=1e-6)
    assert "Mavrck" in nano_er["sources"]
    result = runner.invoke(main, ["priors", COFFEE])
    assert result.exit_code == 0 and "engagement_rate" in result.stdout


@pytest.mark.parametrize(
    ("case", "data", "message"), BAD_SCENARIOS, ids=[b[0] for b in BAD_SCENARIOS]
)
def test_every_class_of_bad_input_exits_2_with_its_message(
    runner, write_scenario, case, data, message
):
    result = runner.invoke(main, ["validate", str(write_scenario(data))])
    assert result.exit_code == 2, case
    assert re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.output


@pytest.mark.cli
@pytest.mark.parametrize("command", ["priors", "check"])
def test_an_unknown_prior_set_is_a_usage_error_naming_set(command):
    result = CliRunner().invoke(main, [command, "--set", "nope"])
    assert result.exit_code == 2
    assert "Invalid value for '--set': 'nope' is neither a shipped prior set" in result.output
    assert "Traceback" not in result.output
