"""`campaign-sim report` on corrupted results folders, and without the `reports` extra.

One good folder of each kind (run, compare, sweep, timeline, sensitivity) is made per module;
each case copies one, corrupts it and asks for its report: exit status 2, the file (or
manifest key) named with what is wrong, no traceback, no report folder created, the folder
untouched. The checks run before anything is rendered, so no case needs a font. A missing
extra is simulated by blocking its import (``sys.modules[name] = None``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import EXAMPLES

from campaign_sim.cli import main
from campaign_sim.errors import InputError
from campaign_sim.reports import build_report, load_results
from campaign_sim.reports import checks as checks_module

pytestmark = pytest.mark.cli

COFFEE = str(EXAMPLES[0])
MIX = str(Path(COFFEE).with_name("mix-coffee.yaml"))
#: The workbook needs only openpyxl: no chart is rendered, no font needed.
needs_openpyxl = pytest.mark.skipif(
    find_spec("openpyxl") is None, reason="openpyxl is not installed (the 'reports' extra)"
)


def _invoke(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """One small, good results folder of each kind."""
    root = tmp_path_factory.mktemp("good")
    commands = {
        "run": ["run", COFFEE, "-n", "200", "--save-outcomes"],
        "compare": ["compare", COFFEE, "-n", "200"],
        "sweep": [
            "sweep",
            MIX,
            "--vary",
            "strategies.*.budget=400000,800000",
            "--vary",
            "economics.gross_margin=0.4,0.6",
            "-n",
            "200",
        ],
        "timeline": ["timeline", COFFEE, "-n", "200"],
        "sensitivity": ["sensitivity", COFFEE, "-n", "300"],
    }
    out = {}
    for kind, args in commands.items():
        out[kind] = root / kind
        _invoke([*args, "--out", str(out[kind]), "-q"])
    return out


@pytest.fixture
def copy(folders, tmp_path) -> Callable[[str], Path]:
    def make(kind: str) -> Path:
        target = tmp_path / f"{kind}-copy"
        shutil.copytree(folders[kind], target)
        return target

    return make


def _state(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def refused(folder: Path, *expected: str, args: tuple[str, ...] = ("--format", "xlsx")) -> str:
    """Ask for the report of ``folder``: exit 2, every ``expected`` text in the one error,
    no traceback, no report folder, nothing changed."""
    before = _state(folder)
    result = CliRunner().invoke(main, ["report", str(folder), *args])
    message = result.stderr
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert message.startswith("Error: ")
    for text in expected:
        assert text in message, message
    assert not (folder / "report-en").exists()
    assert _state(folder) == before
    return message


def _cut(path: Path, fraction: float = 0.6) -> None:
    """Cut a file short in the middle of a line, as an interrupted copy would."""
    data = path.read_bytes()
    end = int(len(data) * fraction)
    while data[end - 1 : end] in (b"\n", b"\r", b" "):
        end -= 1
    path.write_bytes(data[:end])


def _keep_lines(path: Path, lines: int) -> None:
    kept = path.read_text(encoding="utf-8").splitlines(keepends=True)[:lines]
    path.write_text("".join(kept), encoding="utf-8")


def _edit_csv(path: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    frame = pd.read_csv(path, keep_default_na=False, dtype=str)
    change(frame).to_csv(path, index=False)


def _edit_json(path: Path, change: Callable[[dict], object]) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def _set(frame: pd.DataFrame, column: str, value: str, row: int = 0) -> pd.DataFrame:
    frame.loc[row, column] = value
    return frame


# -- missing files ---------------------------------------------------------------------------
REQUIRED = [
    ("run", "summary.csv"),
    ("run", "risk.csv"),
    ("run", "quantiles.csv"),
    ("run", "priors.csv"),
    ("run", "summary.json"),
    ("compare", "summary.csv"),
    ("compare", "comparison.csv"),
    ("compare", "comparison.json"),
    ("sweep", "sweep.csv"),
    ("sweep", "points.csv"),
    ("sweep", "frontier.csv"),
    ("sweep", "best.json"),
    ("sweep", "sweep.json"),
    ("timeline", "daily.csv"),
    ("timeline", "payback.csv"),
    ("timeline", "summary.csv"),
    ("timeline", "summary.json"),
    ("sensitivity", "sensitivity.csv"),
    ("sensitivity", "swing.csv"),
    ("sensitivity", "priors.csv"),
]


@needs_openpyxl
@pytest.mark.parametrize(("kind", "name"), REQUIRED)
def test_a_missing_file_is_named(copy, kind, name):
    folder = copy(kind)
    (folder / name).unlink()
    refused(folder, f"{folder}: {name}: missing (a {kind} folder holds it)")


@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "name"),
    [("run", "outcomes.parquet"), ("sweep", "heatmap_feed.csv"), ("sweep", "heatmap_video.csv")],
)
def test_a_file_the_manifest_lists_and_the_report_reads_must_be_there(copy, kind, name):
    folder = copy(kind)
    (folder / name).unlink()
    refused(folder, f"{name}: missing (manifest.json lists it)")


@pytest.mark.parametrize(
    ("kind", "name"),
    [("sweep", "sweep.parquet"), ("timeline", "daily.parquet"), ("sensitivity", "swing.parquet")],
)
def test_the_parquet_copy_of_a_table_may_be_dropped(copy, kind, name):
    folder = copy(kind)
    (folder / name).unlink()
    load_results(folder, check=True)  # the report never reads it


@needs_openpyxl
def test_a_file_replaced_by_a_folder(copy):
    folder = copy("run")
    (folder / "risk.csv").unlink()
    (folder / "risk.csv").mkdir()
    refused(folder, "risk.csv: is not a file")


@needs_openpyxl
def test_every_problem_is_named_in_one_error(copy):
    folder = copy("compare")
    for name in ("summary.csv", "risk.csv", "comparison.json"):
        (folder / name).unlink()
    message = refused(folder, "3 problems", "summary.csv: missing", "risk.csv: missing")
    assert "comparison.json: missing" in message


# -- truncated and empty files ---------------------------------------------------------------
TRUNCATED = [
    ("run", "summary.csv"),
    ("run", "risk.csv"),
    ("run", "quantiles.csv"),
    ("run", "priors.csv"),
    ("run", "summary.json"),
    ("compare", "comparison.csv"),
    ("compare", "comparison.json"),
    ("sweep", "sweep.csv"),
    ("sweep", "points.csv"),
    ("sweep", "frontier.csv"),
    ("sweep", "best.json"),
    ("sweep", "heatmap_feed.csv"),
    ("timeline", "daily.csv"),
    ("timeline", "payback.csv"),
    ("timeline", "summary.csv"),
    ("timeline", "summary.json"),
    ("sensitivity", "sensitivity.csv"),
    ("sensitivity", "swing.csv"),
]


@needs_openpyxl
@pytest.mark.parametrize(("kind", "name"), TRUNCATED)
@pytest.mark.parametrize("fraction", [0.05, 0.6, 0.97])
def test_a_file_cut_short_is_named_as_truncated(copy, kind, name, fraction):
    folder = copy(kind)
    _cut(folder / name, fraction)
    refused(folder, f"{name}: is truncated")


@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "name"),
    [("run", "summary.csv"), ("run", "risk.csv"), ("run", "quantiles.csv"), ("sweep", "best.json")]
    + [("timeline", "summary.json"), ("sensitivity", "swing.csv"), ("compare", "comparison.csv")],
)
def test_an_empty_file_is_named(copy, kind, name):
    folder = copy(kind)
    (folder / name).write_bytes(b"")
    refused(folder, f"{name}: is empty")


@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "name", "lines", "expected"),
    [
        ("run", "summary.csv", 15, "summary.csv: has no rows for strategy 'micro_heavy'"),
        ("run", "summary.csv", 30, "summary.csv: is incomplete: 29 rows where 2 strategy × 20"),
        ("run", "risk.csv", 2, "risk.csv: has no rows for strategy 'micro_heavy' (truncated?)"),
        ("run", "quantiles.csv", 900, "quantiles.csv: is incomplete: 899 rows"),
        ("compare", "comparison.csv", 1, "comparison.csv: holds a header but no rows"),
        ("timeline", "daily.csv", 700, "daily.csv: is incomplete: 699 rows"),
        ("timeline", "payback.csv", 150, "payback.csv: is incomplete: 149 rows"),
        ("sweep", "sweep.csv", 5, "sweep.csv: holds 2 distinct values of 'point' where "),
        ("sweep", "frontier.csv", 7, "frontier.csv: is incomplete: 6 rows where 4 point × 2"),
        ("sweep", "points.csv", 3, "settings.points in manifest.json says 4 (truncated?)"),
    ],
)
def test_a_table_cut_at_a_line_break_is_incomplete(copy, kind, name, lines, expected):
    folder = copy(kind)
    _keep_lines(folder / name, lines)
    refused(folder, expected)


# -- missing columns and wrong values --------------------------------------------------------
@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "name", "column", "why"),
    [
        ("run", "summary.csv", "p50", ""),
        ("run", "risk.csv", "prob_loss", ""),
        ("run", "quantiles.csv", "value", ""),
        ("compare", "comparison.csv", "prob_a_better", ""),
        ("timeline", "daily.csv", "p95", ""),
        ("timeline", "payback.csv", "paid_back_share", ""),
        ("sweep", "sweep.csv", "roi_mean", " (settings.frontier.return in manifest.json)"),
        ("sweep", "sweep.csv", "economics.gross_margin", " (an axis of the sweep)"),
        ("sweep", "frontier.csv", "efficient", ""),
        ("sensitivity", "swing.csv", "at_low", ""),
        ("sensitivity", "sensitivity.csv", "spearman", ""),
    ],
)
def test_a_missing_column_is_named(copy, kind, name, column, why):
    folder = copy(kind)
    _edit_csv(folder / name, lambda frame: frame.drop(columns=[column]))
    refused(folder, f"{name}: missing column '{column}'{why}")


@needs_openpyxl
def test_another_table_in_place_of_one_lists_its_missing_columns(copy):
    folder = copy("run")
    (folder / "risk.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    refused(folder, "risk.csv: missing columns 'strategy', 'campaigns', 'prob_loss'", "more")


@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "name", "column", "value", "expected"),
    [
        ("run", "summary.csv", "p50", "abc", "column 'p50' should hold numbers: row 1 holds 'abc'"),
        ("run", "risk.csv", "prob_loss", "12%", "column 'prob_loss' should hold numbers"),
        ("run", "quantiles.csv", "value", "nan", "column 'value' should hold numbers"),
        ("sweep", "frontier.csv", "efficient", "maybe", "column 'efficient' should hold True"),
        ("timeline", "payback.csv", "day", "x", "column 'day' should hold numbers"),
        (
            "run",
            "risk.csv",
            "strategy",
            "nano_heavyy",
            "column 'strategy' names strategy 'nano_heavyy', which manifest.json does not have "
            "(did you mean 'nano_heavy'?)",
        ),
        (
            "compare",
            "comparison.csv",
            "b",
            "mikro_heavy",
            "column 'b' names strategy 'mikro_heavy', which manifest.json does not have "
            "(did you mean 'micro_heavy'?)",
        ),
    ],
)
def test_a_wrong_value_is_named_with_its_column_and_row(copy, kind, name, column, value, expected):
    folder = copy(kind)
    _edit_csv(folder / name, lambda frame: _set(frame, column, value))
    refused(folder, f"{name}: {expected}")


@needs_openpyxl
def test_a_row_given_twice_is_named(copy):
    folder = copy("run")
    _edit_csv(folder / "risk.csv", lambda frame: pd.concat([frame, frame.iloc[:1]]))
    refused(folder, "risk.csv: holds two rows for strategy 'nano_heavy'")


@needs_openpyxl
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a CSV table (it holds binary data"),
        (
            b"strategy,metric\n\x01nano,roi\n",
            "is not a CSV table (it holds binary data: byte 0x01 on line 2)",
        ),
        ("strategy,metric\nnaïve,roi\n".encode("latin-1"), "is not a CSV table (it is not UTF-8"),
        (
            b"just some notes\nnot, a, table\n",
            "is not a well-formed CSV table: row 1 has 3 fields where the header has 1 field",
        ),
        (b"\n", "holds no header and no rows"),
    ],
)
def test_a_file_that_is_not_a_csv_table(copy, content, expected):
    folder = copy("run")
    (folder / "summary.csv").write_bytes(content)
    refused(folder, f"summary.csv: {expected}")


@needs_openpyxl
def test_any_other_table_of_the_folder_must_read_too(copy):
    folder = copy("sensitivity")  # the workbook shows every CSV table of the folder
    (folder / "notes.csv").write_text("a,b\n1\n", encoding="utf-8")
    refused(folder, "notes.csv: is not a well-formed CSV table: row 1 has 1 field")


@needs_openpyxl
def test_a_heatmap_of_text(copy):
    folder = copy("sweep")
    _edit_csv(folder / "heatmap_video.csv", lambda frame: _set(frame, "0.6", "lots", 1))
    refused(folder, "heatmap_video.csv: column '0.6' should hold numbers: row 2 holds 'lots'")


# -- JSON documents --------------------------------------------------------------------------
@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "name", "content", "expected"),
    [
        ("sweep", "best.json", "not json", "best.json: is not valid JSON: Expecting value"),
        ("sweep", "best.json", "[1, 2]", "best.json: should hold a JSON object (got list)"),
        ("sweep", "best.json", '{"best": null}', "best.json: objective: missing"),
        ("compare", "comparison.json", '{"a": 1}', "comparison.json: a: should be text (got 1)"),
        ("run", "summary.json", '{"strategies": []}', "strategies: should be an object"),
        ("timeline", "summary.json", "\ufeff{}", "summary.json: is not valid JSON"),
        ("run", "summary.json", '{"strategies": {}} {}', "is not valid JSON: Extra data"),
    ],
)
def test_a_json_document_that_is_not_what_the_command_wrote(copy, kind, name, content, expected):
    folder = copy(kind)
    (folder / name).write_text(content, encoding="utf-8")
    refused(folder, expected)


@needs_openpyxl
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["best"].update(strategy=3),
            "best.json: best.strategy: should be text (got 3)",
        ),
        (lambda d: d["best"].pop("value"), "best.json: best.value: missing"),
        (lambda d: d.update(candidates=-1), "candidates: should be a whole number >= 0 (got -1)"),
        (lambda d: d["best"]["ci"].pop(), "best.ci: should be a list of two values or null"),
        (
            lambda d: d["best"]["limits"].append({"limit": "prob_loss <= 0.5", "ci": ["a", 1]}),
            "best.limits[0].ci[0]: should be a finite number or null (got 'a')",
        ),
        (
            lambda d: d["best"].update(ci="wide"),
            "best.ci: should be a list of two values or null (got 'wide')",
        ),
    ],
)
def test_a_sweeps_best_plan_is_checked_key_by_key(copy, change, expected):
    folder = copy("sweep")
    _edit_json(folder / "best.json", change)
    refused(folder, expected)


@needs_openpyxl
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["strategies"]["nano_heavy"]["payback"].update(never_share="most"),
            "summary.json: strategies.nano_heavy.payback.never_share: should be a finite "
            "number (got 'most')",
        ),
        (
            lambda d: d["strategies"]["micro_heavy"].pop("payback"),
            "strategies.micro_heavy.payback: missing",
        ),
        (
            lambda d: d["strategies"].pop("micro_heavy"),
            "summary.json: strategies: no entry for strategy 'micro_heavy'",
        ),
    ],
)
def test_a_timelines_payback_summary_is_checked(copy, change, expected):
    folder = copy("timeline")
    _edit_json(folder / "summary.json", change)
    refused(folder, expected)


# -- Parquet ---------------------------------------------------------------------------------
@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "name"),
    [("run", "outcomes.parquet"), ("sweep", "sweep.parquet"), ("timeline", "daily.parquet")],
)
def test_a_truncated_parquet_file_is_named(copy, kind, name):
    folder = copy(kind)
    _cut(folder / name, 0.5)
    refused(folder, f"{name}: is not a readable Parquet file (truncated?)")


@needs_openpyxl
def test_saved_outcomes_without_the_columns_the_report_reads(copy):
    folder = copy("run")
    frame = pd.read_parquet(folder / "outcomes.parquet")
    frame.drop(columns=["roi"]).to_parquet(folder / "outcomes.parquet")
    refused(folder, "outcomes.parquet: missing column 'roi'")


# -- the manifest ----------------------------------------------------------------------------
@needs_openpyxl
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "manifest.json: is empty"),
        ("not json", "manifest.json: is not valid JSON: Expecting value (line 1, column 1)"),
        ('{"tool": "campaign-sim", "comm', "manifest.json: is truncated"),
        ('{"tool": "campaign-sim",\n "command": "run",\n "seed": 1', "manifest.json: is truncated"),
        ("[1, 2]", "tool: is not a campaign-sim manifest"),
        ('{"tool": "excel"}', "tool: is not a campaign-sim manifest"),
    ],
)
def test_a_manifest_that_does_not_read(copy, content, expected):
    folder = copy("run")
    (folder / "manifest.json").write_text(content, encoding="utf-8")
    refused(folder, expected)


@needs_openpyxl
def test_a_truncated_manifest_is_named(copy):
    folder = copy("sweep")
    _cut(folder / "manifest.json")
    refused(folder, f"{folder}: manifest.json: is truncated")


@needs_openpyxl
def test_a_manifest_without_a_command(copy):
    folder = copy("compare")
    _edit_json(folder / "manifest.json", lambda d: d.pop("command"))
    refused(
        folder,
        "manifest.json: command: missing: the manifest does not say which command wrote the "
        "folder (run, compare, sweep, timeline, sensitivity or optimize)",
    )


@needs_openpyxl
@pytest.mark.parametrize(
    ("command", "suggestion"),
    [
        ("comapre", "compare"),
        ("sweeps", "sweep"),
        ("timelin", "timeline"),
        ("sensitivty", "sensitivity"),
        ("runn", "run"),
        ("frobnicate", None),
    ],
)
def test_an_unknown_command_with_did_you_mean(copy, command, suggestion):
    folder = copy("run")
    _edit_json(folder / "manifest.json", lambda d: d.update(command=command))
    message = refused(folder, f"manifest.json: command: unknown command '{command}'")
    if suggestion is None:
        assert "did you mean" not in message
    else:
        assert f"(did you mean '{suggestion}'?)" in message
    known = "run, compare, sweep, timeline, sensitivity or optimize"
    assert f"results folders are written by {known}" in message


@needs_openpyxl
@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("command", 3, "command: should be the name of a command"),
        ("command", None, "command: should be the name of a command"),
        ("campaigns", "many", "campaigns: should be a whole number >= 0 (got 'many')"),
        ("campaigns", True, "campaigns: should be a whole number >= 0 (got true)"),
        ("seed", -1, "seed: should be a whole number >= 0 or null (got -1)"),
        ("strategies", ["a"], "strategies: should be an object"),
        ("settings", "x", "settings: should be an object (got 'x')"),
        ("scenario", None, "scenario: should be an object (got null)"),
    ],
)
def test_a_manifest_field_of_the_wrong_kind(copy, key, value, expected):
    folder = copy("run")
    _edit_json(folder / "manifest.json", lambda d: d.update({key: value}))
    refused(folder, f"manifest.json: {expected}")


@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "change", "expected"),
    [
        ("run", lambda d: d["strategies"].update(nano_heavy=7), "strategies.nano_heavy: should"),
        ("run", lambda d: d.pop("strategies"), "manifest.json: strategies: missing"),
        ("sweep", lambda d: d["settings"].pop("axes"), "manifest.json: settings.axes: missing"),
        (
            "sweep",
            lambda d: d["settings"]["axes"][1].pop("name"),
            "manifest.json: settings.axes[1].name: missing",
        ),
        ("sweep", lambda d: d["settings"].update(points="4"), "settings.points: should be"),
        ("timeline", lambda d: d["settings"].pop("timeline"), "settings.timeline: missing"),
        ("sensitivity", lambda d: d["settings"].update(output=None), "settings.output: should"),
    ],
)
def test_a_manifest_without_what_its_report_reads(copy, kind, change, expected):
    folder = copy(kind)
    _edit_json(folder / "manifest.json", change)
    refused(folder, expected)


@needs_openpyxl
@pytest.mark.parametrize(
    ("kind", "command", "expected"),
    [
        ("run", "compare", "comparison.csv: missing (a compare folder holds it)"),
        ("run", "timeline", "settings.timeline: missing"),
        ("compare", "sweep", "settings.axes: missing"),
        ("sensitivity", "run", "summary.csv: missing (a run folder holds it)"),
    ],
)
def test_a_manifest_naming_the_wrong_command(copy, kind, command, expected):
    folder = copy(kind)
    _edit_json(folder / "manifest.json", lambda d: d.update(command=command))
    refused(folder, expected)


@needs_openpyxl
def test_a_frontier_goal_naming_no_column(copy):
    folder = copy("sweep")
    _edit_json(
        folder / "manifest.json", lambda d: d["settings"]["frontier"].update(risk="min:prob_lss")
    )
    refused(
        folder,
        "sweep.csv: missing column 'prob_lss' (settings.frontier.risk in manifest.json)",
        "frontier.csv: missing column 'prob_lss'",
    )


# -- nothing is built or changed, and bugs stay bugs ----------------------------------------
@needs_openpyxl
def test_an_earlier_report_is_left_as_it_was(copy):
    folder = copy("compare")
    _invoke(["report", str(folder), "--format", "xlsx"])
    report = _state(folder / "report-en")
    _cut(folder / "risk.csv")
    result = CliRunner().invoke(main, ["report", str(folder), "--format", "xlsx"])
    assert result.exit_code == 2 and "risk.csv: is truncated" in result.stderr
    assert _state(folder / "report-en") == report


@needs_openpyxl
def test_no_report_folder_is_created_at_out(copy, tmp_path):
    folder = copy("timeline")
    (folder / "payback.csv").unlink()
    out = tmp_path / "deck"
    refused(folder, "payback.csv: missing", args=("--format", "xlsx", "--out", str(out)))
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".deck")]


@needs_openpyxl
def test_build_report_raises_the_same_error(copy):
    folder = copy("run")
    _cut(folder / "quantiles.csv")
    with pytest.raises(InputError, match="quantiles.csv: is truncated"):
        build_report(folder, formats="xlsx")
    assert not (folder / "report-en").exists()


@needs_openpyxl
def test_an_unexpected_error_in_the_check_stays_a_bug(copy, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("injected bug")

    monkeypatch.setattr(checks_module, "_grid", broken)
    result = CliRunner().invoke(main, ["report", str(copy("run")), "--format", "xlsx"])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)


# -- good folders stay good ------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "timeline", "sensitivity"])
def test_every_good_folder_passes_the_check(folders, kind):
    results = load_results(folders[kind], check=True)
    assert results.command == kind
    assert results.summary is not None or kind in ("sweep", "sensitivity")


@needs_openpyxl
def test_a_sensitivity_of_fixed_priors_has_empty_tables_and_still_reports(write_scenario, tmp_path):
    out = tmp_path / "fixed-sensitivity"
    _invoke(["sensitivity", str(write_scenario()), "-n", "200", "--out", str(out), "-q"])
    assert (out / "swing.csv").read_text(encoding="utf-8").strip() == ""  # nothing to swing
    load_results(out, check=True)
    _invoke(["report", str(out), "--format", "xlsx"])
    assert (out / "report-en" / "fixed-sensitivity-en.xlsx").is_file()


# -- the reports extra -----------------------------------------------------------------------
EXTRA_HINT = "pip install 'campaign-sim[reports]'"


@pytest.mark.parametrize(
    ("blocked", "fmt", "package"),
    [
        ("matplotlib", "png", "matplotlib"),
        ("matplotlib", "svg", "matplotlib"),
        ("matplotlib", "md", "matplotlib"),
        ("pptx", "pptx", "python-pptx"),
        ("matplotlib", "pptx", "matplotlib"),
        ("openpyxl", "xlsx", "openpyxl"),
        ("fontTools", "png", "fonttools"),
        ("openpyxl", "all", "openpyxl"),
    ],
)
def test_report_without_the_extra_says_what_to_install(folders, monkeypatch, blocked, fmt, package):
    monkeypatch.setitem(sys.modules, blocked, None)
    message = refused(folders["run"], "--format: ", package, EXTRA_HINT, args=("--format", fmt))
    assert "'reports' extra" in message


def test_report_without_the_extra_names_the_output_that_needs_it(folders, monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)
    message = refused(folders["run"], args=("--format", "pptx,xlsx"))
    assert "the pptx output needs python-pptx, which is not installed" in message
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    message = refused(folders["run"], args=("--format", "all"))
    assert "pptx, md, html, png and svg need matplotlib and python-pptx" in message


@pytest.mark.parametrize(
    "args",
    [
        ["run", COFFEE, "-n", "200"],
        ["compare", COFFEE, "-n", "200"],
        ["sweep", MIX, "--vary", "economics.gross_margin=0.4,0.6", "-n", "200"],
        ["timeline", COFFEE, "-n", "200"],
        ["sensitivity", COFFEE, "-n", "300"],
    ],
    ids=["run", "compare", "sweep", "timeline", "sensitivity"],
)
@pytest.mark.parametrize(
    ("blocked", "report", "package"),
    [("matplotlib", None, "matplotlib"), ("openpyxl", "xlsx", "openpyxl")],
)
def test_report_option_without_the_extra_stops_before_simulating(
    tmp_path, monkeypatch, args, blocked, report, package
):
    monkeypatch.setitem(sys.modules, blocked, None)
    out = tmp_path / "results"
    option = ["--report"] if report is None else ["--report", report]
    result = CliRunner().invoke(main, [*args, *option, "--out", str(out), "-q"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: --report: ")
    assert package in result.stderr and EXTRA_HINT in result.stderr
    assert not out.exists()  # nothing simulated, nothing written
    assert list(tmp_path.iterdir()) == []


def test_check_extras_names_every_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    monkeypatch.setitem(sys.modules, "pptx", None)
    with pytest.raises(InputError) as caught:
        checks_module.check_extras(("pptx", "xlsx"), "--report")
    assert str(caught.value) == (
        "--report: pptx and xlsx need python-pptx and openpyxl, which are not installed "
        f"(the 'reports' extra): {EXTRA_HINT}"
    )
    checks_module.check_extras(("png",))  # matplotlib is there: no error


# -- random corruption: only clean errors or clean reports -----------------------------------
def _mutate(folder: Path, data) -> str:
    """One random corruption of one file of ``folder`` (drawn with hypothesis ``data``)."""
    from hypothesis import strategies as st

    files = sorted(p.name for p in folder.iterdir() if p.suffix in (".csv", ".json"))
    name = data.draw(st.sampled_from(files), label="file")
    path = folder / name
    raw = path.read_bytes()
    how = data.draw(
        st.sampled_from(["cut", "drop line", "cell", "bytes", "line twice"]), label="how"
    )
    lines = raw.splitlines(keepends=True)
    if how == "cut":
        raw = raw[: data.draw(st.integers(0, max(len(raw) - 1, 0)), label="at")]
    elif how in ("drop line", "line twice") and lines:
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        lines[i : i + 1] = [] if how == "drop line" else [lines[i], lines[i]]
        raw = b"".join(lines)
    elif how == "cell" and lines:
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        cells = lines[i].rstrip(b"\r\n").split(b",")
        j = data.draw(st.integers(0, len(cells) - 1), label="cell")
        cells[j] = data.draw(st.sampled_from([b"", b"x", b"-1", b"1e999", b"True", b'"']))
        lines[i] = b",".join(cells) + b"\n"
        raw = b"".join(lines)
    else:
        at = data.draw(st.integers(0, max(len(raw) - 1, 0)), label="at")
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=4)) + raw[at + 1 :]
    path.write_bytes(raw)
    return name


@needs_openpyxl
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["run", "compare", "sweep", "timeline", "sensitivity"])
def test_a_randomly_corrupted_folder_gives_a_clean_error_or_a_clean_report(folders, kind):
    import tempfile

    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=25, deadline=None, database=None, derandomize=True)
    @given(st.data())
    def check(data) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / kind
            shutil.copytree(folders[kind], folder)
            name = _mutate(folder, data)
            result = CliRunner().invoke(main, ["report", str(folder), "--format", "xlsx"])
            assert result.exit_code in (0, 2), (name, result.output)
            assert "Traceback" not in result.output
            if result.exit_code == 2:
                assert isinstance(result.exception, SystemExit)
                assert ".csv" in result.stderr or ".json" in result.stderr, result.stderr
                assert not (folder / "report-en").exists()

    check()


@needs_openpyxl
def test_a_horizon_folder_says_it_has_no_report_yet(copy):
    folder = copy("run")
    _edit_json(folder / "manifest.json", lambda d: d.update(command="horizon"))
    message = refused(folder, "manifest.json: command: a horizon folder has no report yet")
    assert "horizon.csv" in message
