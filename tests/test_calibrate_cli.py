"""``campaign-sim calibrate`` and ``campaign-sim pilot`` end to end, on a simulated pilot."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from helpers import ROOT
from rich.cells import cell_len

from campaign_sim.calibration.pilot import simulate_pilot
from campaign_sim.cli import main
from campaign_sim.scenario.loading import load_scenario

pytestmark = pytest.mark.cli

COFFEE = str(ROOT / "scenarios/coffee-launch.yaml")


@pytest.fixture(scope="module")
def pilot_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    scenario = load_scenario(COFFEE)
    pilot = simulate_pilot(
        scenario, {"nano/instagram": 6, "micro/instagram": 3}, 1, {}, np.random.default_rng(3)
    )
    path = tmp_path_factory.mktemp("pilot") / "pilot.csv"
    pilot.rows.drop(columns=["row"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def calibrated(pilot_csv: Path) -> tuple[Path, str, str]:
    """The default run: (written file, stdout, stderr) at 80 columns."""
    result = CliRunner().invoke(
        main, ["calibrate", COFFEE, str(pilot_csv), "-q"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    return pilot_csv.with_name("pilot.priors.yaml"), result.stdout, result.stderr


def test_calibrate_writes_a_priors_file_that_run_loads(calibrated, tmp_path: Path) -> None:
    written, out, err = calibrated
    assert written.is_file()
    assert f"written to {written}" in " ".join(err.split())  # rich wraps stderr
    doc = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert list(doc)[-1] == "calibration"  # the base's keys first, in order
    assert doc["name"].endswith("-calibrated")
    assert "nano/instagram/engagement_rate" in doc["calibration"]["persistent"]["names"]
    result = CliRunner().invoke(
        main,
        ["run", COFFEE, "--priors", str(written), "-n", "256", "-q", "-o", str(tmp_path / "r")],
    )
    assert result.exit_code == 0, result.output


def test_the_table_says_what_changed_and_fits_80_columns(calibrated) -> None:
    _, out, _ = calibrated
    assert "What the data changed" in out
    assert "engagement rate" in out and "fee (TWD)" in out
    assert "observed counts outside their posterior P5–P95" in out
    assert "about 10% expected" in out
    assert "Untouched:" in out
    assert "%" in out and "×" in out  # rates as percentages, appeal as a multiplier
    assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_the_table_fits_120_columns(pilot_csv: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["calibrate", COFFEE, str(pilot_csv), "-q", "-o", str(tmp_path / "p.yaml")],
        env={"COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.output
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 120


def test_csv_and_json_formats_parse(pilot_csv: Path, tmp_path: Path) -> None:
    out = ["-o", str(tmp_path / "p.yaml"), "-q"]
    csv = CliRunner().invoke(main, ["calibrate", COFFEE, str(pilot_csv), "--format", "csv", *out])
    assert csv.exit_code == 0, csv.output
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert {"pool", "quantity", "posterior_median", "shrink", "conflict"} <= set(frame.columns)
    assert "aov" in set(frame["quantity"])
    done = CliRunner().invoke(main, ["calibrate", COFFEE, str(pilot_csv), "--format", "json", *out])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    assert set(doc) >= {"quantities", "predictive", "untouched", "provenance"}
    assert doc["predictive"]["checked"] > 0
    assert len(doc["quantities"]) == len(frame)


def test_report_writes_four_files_and_the_before_after_table(
    pilot_csv: Path, tmp_path: Path
) -> None:
    from PIL import Image

    report = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        ["calibrate", COFFEE, str(pilot_csv), "-o", str(tmp_path / "p.yaml")]
        + ["--report", str(report), "--campaigns", "300", "-q"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    names = {"calibration.csv", "predictive.csv", "calibration.png", "before-after.csv"}
    assert {p.name for p in report.iterdir()} == names
    with Image.open(report / "calibration.png") as image:
        assert image.format == "PNG" and image.size[0] > 1000
    ba = pd.read_csv(report / "before-after.csv")
    assert set(ba["metric"]) == {"roi_mean", "roi_p5", "roi_p95", "prob_loss", "profit_mean"}
    assert ba["original"].notna().all() and ba["calibrated"].notna().all()
    assert "Before and after" in result.stdout
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80


def test_extra_columns_are_a_warning_on_stderr(pilot_csv: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(pilot_csv)
    frame["comment"] = "x"
    path = tmp_path / "extra.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(main, ["calibrate", COFFEE, str(path), "-q", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "comment" in result.stderr
    assert (tmp_path / "extra.priors.yaml").is_file()


@pytest.mark.parametrize(
    ("cell", "column", "value"),
    [("engagements", "engagements", "lots"), ("fee", "fee", "-5")],
)
def test_bad_observed_files_exit_2_naming_row_and_column(
    pilot_csv: Path, tmp_path: Path, cell: str, column: str, value: str
) -> None:
    frame = pd.read_csv(pilot_csv).astype(object)
    frame.loc[2, cell] = value  # spreadsheet row 4
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    result = CliRunner().invoke(main, ["calibrate", COFFEE, str(path), "-q"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "bad.csv" in result.stderr and "4" in result.stderr and column in result.stderr
    assert not (tmp_path / "bad.priors.yaml").exists()


def test_a_missing_observed_file_exits_with_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["calibrate", COFFEE, str(tmp_path / "none.csv")])
    assert result.exit_code in (1, 2), result.output
    assert "none.csv" in result.stderr and "Traceback" not in result.output


def test_pilot_prints_the_sizing_table_and_csv() -> None:
    result = CliRunner().invoke(
        main,
        ["pilot", COFFEE, "nano/instagram", "--sizes", "3,12", "--replicates", "3", "-q"],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert "Pilot sizing" in result.stdout and "pts" in result.stdout
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 80
    csv = CliRunner().invoke(
        main,
        ["pilot", COFFEE, "micro/instagram", "--quantity", "fee", "--sizes", "4"]
        + ["--replicates", "2", "--format", "csv", "-q"],
    )
    assert csv.exit_code == 0, csv.output
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert list(frame["creators"]) == [4]
    assert {"expected_width", "width_p10", "width_p90", "expected_shrink", "score_sd"} <= set(
        frame.columns
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["nano/instagramm"], "did you mean 'nano/instagram'"),
        (["nano"], "not a pool"),
        (["nano/instagram", "--sizes", "3,x"], "whole number"),
        (["nano/instagram", "--sizes", "0,3"], "1 to 1,000"),
        (["nano/instagram", "--sizes", "5000"], "1 to 1,000"),
        (["nano/instagram", "--sizes", ""], "at least one"),
        (["nano/instagram", "--sizes", "3,,6"], "empty size"),
        (["nano/instagram", "--quantity", "share_rate"], "share_rate"),
    ],
)
def test_pilot_bad_options_exit_2(args: list[str], says: str) -> None:
    result = CliRunner().invoke(main, ["pilot", COFFEE, *args, "--replicates", "1", "-q"])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "Traceback" not in result.output


def test_help_has_examples_and_says_where_data_go() -> None:
    for command in ("calibrate", "pilot"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Examples:" in result.output and "stdout" in result.output
