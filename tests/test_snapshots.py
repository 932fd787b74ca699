"""Saved outputs of every command on the example scenarios, fixed seeds: a change that alters a
number shows here.

The saved files live in ``tests/snapshots/<case>/``. They change only on purpose:

    python -m pytest tests/test_snapshots.py --update-snapshots

and the commit that does it says why (CHANGELOG.md too when users see other numbers).
Floating-point values compare to 1e-12 relative; text compares exactly.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from campaign_sim.cli import main

pytestmark = [pytest.mark.reproducibility, pytest.mark.cli]

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).with_name("snapshots")
#: 0.2.0's outputs, before levels and shared factors: what the independent-creators model
#: must still give (never updated).
INDEPENDENT = SNAPSHOTS / "independent"
#: Version 0.3.0's outputs, before the funnel past first attributed orders.
VERSION_0_3 = SNAPSHOTS / "v0.3"
#: Where the shipped prior sets are found (their path is the machine's, not the result's).
PRIOR_SETS = ROOT / "campaign_sim" / "scenario" / "prior_sets"
#: Keys that say when, where or by which version a result was produced, not what it is.
VOLATILE = {
    "version",
    "timings",
    "timings_s",
    "created",
    "python",
    "platform",
    "packages",
    "argv",
    "out",
    "seconds",
}

#: case name -> (command-line arguments after the command's results folder, files to keep)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "run-coffee": (
        ["run", "scenarios/coffee-launch.yaml", "-n", "3000", "--format", "json"],
        ["summary.csv", "risk.csv", "quantiles.csv", "priors.csv", "summary.json"],
    ),
    "run-coffee-csv": (
        ["run", "scenarios/coffee-launch.yaml", "-n", "1000", "--format", "csv"],
        [],
    ),
    "run-skincare-sobol": (
        [
            "run",
            "scenarios/skincare.yaml",
            "-n",
            "2048",
            "--sampling",
            "sobol",
            "--antithetic",
            "--format",
            "json",
        ],
        ["summary.csv", "risk.csv"],
    ),
    "run-mix-precision": (
        ["run", "scenarios/mix-coffee.yaml", "--precision", "0.03", "--format", "json"],
        ["summary.csv", "convergence.csv"],
    ),
    "run-bench-a": (
        ["run", "scenarios/bench/bench-a.yaml", "-n", "2048", "--format", "json"],
        ["summary.csv"],
    ),
    "compare-coffee": (
        ["compare", "scenarios/coffee-launch.yaml", "-n", "3000", "--format", "json"],
        ["comparison.csv", "comparison.json", "summary.csv", "risk.csv"],
    ),
    "compare-mix": (
        ["compare", "scenarios/mix-coffee.yaml", "-n", "2000", "--format", "json"],
        ["comparison.csv", "summary.csv"],
    ),
    "sweep-nano-share": (
        ["sweep", "scenarios/sweeps/nano-share.yaml", "-n", "512", "--format", "json", "-q"],
        ["sweep.csv", "points.csv", "frontier.csv", "best.json"],
    ),
    "sweep-managers": (
        ["sweep", "scenarios/sweeps/managers.yaml", "-n", "128", "--format", "json", "-q"],
        ["sweep.csv", "frontier.csv", "best.json"],
    ),
    "sweep-vary": (
        [
            "sweep",
            "scenarios/coffee-launch.yaml",
            "--vary",
            "economics.aov=800,1200",
            "--vary",
            "strategies.nano_heavy.groups[0].count=20,40",
            "-n",
            "512",
            "--format",
            "json",
            "-q",
        ],
        ["sweep.csv", "frontier.csv", "best.json"],
    ),
    "timeline-coffee": (
        ["timeline", "scenarios/coffee-launch.yaml", "-n", "300", "--format", "json", "-q"],
        ["daily.csv", "payback.csv", "summary.csv"],
    ),
    "timeline-hundred": (
        [
            "timeline",
            "scenarios/timeline/hundred-nano.yaml",
            "-n",
            "200",
            "-m",
            "1",
            "--format",
            "json",
            "-q",
        ],
        ["daily.csv", "payback.csv", "summary.csv"],
    ),
    "sensitivity-coffee": (
        ["sensitivity", "scenarios/coffee-launch.yaml", "-n", "1024", "--format", "json", "-q"],
        ["sensitivity.csv", "swing.csv"],
    ),
    "sensitivity-sobol": (
        ["sensitivity", "scenarios/skincare.yaml", "-n", "64", "--sobol", "--format", "json", "-q"],
        ["sobol.csv"],
    ),
    "optimize-coffee": (
        [
            "optimize",
            "scenarios/coffee-launch.yaml",
            "-n",
            "1000",
            "--fresh-campaigns",
            "1000",
            "--restarts",
            "2",
            "--no-robustness",
            "--format",
            "json",
            "-q",
        ],
        ["plan.csv", "judged.csv", "frontier.csv"],
    ),
}

#: Cases of commands that versions 0.2 and 0.3 did not have (no saved outputs of theirs).
NEWER = {"optimize-coffee"}
#: Cases that versions 0.2 and 0.3 ran, whose saved outputs they must reproduce.
HISTORICAL = [case for case in CASES if case not in NEWER]

#: report cases: (results case, report files whose content is kept)
REPORTS = {
    "report-run": "run-coffee",
    "report-compare": "compare-coffee",
    "report-sweep": "sweep-nano-share",
    "report-timeline": "timeline-coffee",
    "report-sensitivity": "sensitivity-coffee",
    "report-optimize": "optimize-coffee",
}


#: Text that says when, where or by which version: (pattern, stand-in).
SCRUBBED = [
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?"), "<time>"),
    # not \b: a date in Markdown emphasis ("· 2026-12-02_") has a word character after it
    (re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)"), "<date>"),
    (re.compile(r"campaign-sim \d+\.\d+\.\d+\S*"), "campaign-sim <version>"),
    (re.compile(r"/tmp/[^\s`'\"]+"), "<tmp>"),
]


def scrub(text: str) -> str:
    text = text.replace(str(PRIOR_SETS), "<prior_sets>").replace(str(ROOT), "<root>")
    for pattern, stand_in in SCRUBBED:
        text = pattern.sub(stand_in, text)
    return text


def normalised(value: Any) -> Any:
    """``value`` without its volatile keys and text."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, str):
        return scrub(value)
    return value


def assert_close(saved: Any, now: Any, where: str) -> None:
    """Equal structures; floats within 1e-12 relative."""
    if isinstance(saved, dict) and isinstance(now, dict):
        assert list(saved) == list(now), f"{where}: keys {list(saved)} != {list(now)}"
        for key in saved:
            assert_close(saved[key], now[key], f"{where}.{key}")
    elif isinstance(saved, list) and isinstance(now, list):
        assert len(saved) == len(now), f"{where}: {len(saved)} items != {len(now)}"
        for i, (a, b) in enumerate(zip(saved, now, strict=True)):
            assert_close(a, b, f"{where}[{i}]")
    elif isinstance(saved, float) and isinstance(now, (int, float)) and not isinstance(now, bool):
        same = math.isclose(saved, now, rel_tol=1e-12, abs_tol=1e-12) or (
            math.isnan(saved) and math.isnan(now)
        )
        assert same, f"{where}: {saved!r} != {now!r}"
    else:
        assert saved == now, f"{where}: {saved!r} != {now!r}"


def csv_records(text: str) -> Any:
    from io import StringIO

    frame = pd.read_csv(StringIO(text), keep_default_na=False, na_values=[""])
    rows = normalised(json.loads(frame.to_json(orient="values")))
    return {"columns": list(frame.columns), "rows": rows}


def workbook_values(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values (formats aside)."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        sheets[sheet.title] = normalised_rows(rows)
    return sheets


def normalised_rows(rows: list[list[Any]]) -> list[list[Any]]:
    """Manifest rows that name the version, timings or paths dropped."""
    return [
        [normalised(c) for c in row]
        for row in rows
        if not (
            row
            and isinstance(row[0], str)
            and {row[0].split(".")[0], row[0].split(".")[-1]} & VOLATILE
        )
    ]


def markdown_text(path: Path) -> str:
    return scrub(path.read_text(encoding="utf-8"))


def capture(case: str, args: list[str], files: list[str], out: Path) -> dict[str, Any]:
    """Run one case; what it printed and the kept files, normalised."""
    result = CliRunner().invoke(main, [*args, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    stdout = result.stdout
    kept: dict[str, Any] = {
        "stdout": normalised(json.loads(stdout)) if "json" in args else csv_records(stdout)
    }
    for name in files:
        text = (out / name).read_text(encoding="utf-8")
        kept[name] = normalised(json.loads(text)) if name.endswith(".json") else csv_records(text)
    return kept


def saved_path(case: str, folder: Path = SNAPSHOTS) -> Path:
    return folder / f"{case}.json"


def check(case: str, kept: Any, update: bool, folder: Path = SNAPSHOTS) -> None:
    path = saved_path(case, folder)
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(kept, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    assert path.exists(), f"no saved output for {case}: run with --update-snapshots"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert_close(saved, json.loads(json.dumps(kept)), case)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Results folders of the cases, by case name (filled as cases run)."""
    return {}


@pytest.fixture
def update(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_command_output_unchanged(
    case: str, tmp_path_factory: pytest.TempPathFactory, folders: dict, update: bool, monkeypatch
) -> None:
    monkeypatch.chdir(ROOT)
    args, files = CASES[case]
    out = tmp_path_factory.mktemp(case) / "results"
    check(case, capture(case, args, files, out), update)
    folders[case] = out


@pytest.mark.slow
@pytest.mark.parametrize("case", HISTORICAL)
def test_independent_creators_reproduce_the_first_model(
    case: str, tmp_path_factory: pytest.TempPathFactory, update: bool, monkeypatch
) -> None:
    """Every prior describing independent creators (shared 0) and no persistent shock: the
    numbers of version 0.2.0, before levels and shared factors (MODEL.md §8), exactly. The
    saved outputs in ``snapshots/independent/`` are 0.2.0's and are never updated."""
    from campaign_sim.scenario import loading, resolve

    monkeypatch.setattr(resolve, "_pool_model", lambda *args: {"describes": "creators"})
    monkeypatch.setattr(loading, "_shock_persistent", lambda *args: 0.0)
    _funnel_off(monkeypatch)
    monkeypatch.chdir(ROOT)
    args, files = CASES[case]
    out = tmp_path_factory.mktemp(case) / "results"
    saved = json.loads(saved_path(case, INDEPENDENT).read_text(encoding="utf-8"))
    now = json.loads(json.dumps(capture(case, args, files, out)))
    assert_close(_as_before(saved), _as_before(now, saved), case)


@pytest.mark.slow
@pytest.mark.parametrize("case", HISTORICAL)
def test_the_funnel_switched_off_reproduces_version_0_3(
    case: str, tmp_path_factory: pytest.TempPathFactory, monkeypatch
) -> None:
    """Every mechanism past first attributed orders off (no amplification, expected orders,
    no unique reach, no followers-fee correlation the scenario does not state): the numbers
    of version 0.3.0, exactly. The saved outputs in ``snapshots/v0.3/`` are never updated."""
    _funnel_off(monkeypatch)
    monkeypatch.chdir(ROOT)
    args, files = CASES[case]
    out = tmp_path_factory.mktemp(case) / "results"
    saved = json.loads(saved_path(case, VERSION_0_3).read_text(encoding="utf-8"))
    now = json.loads(json.dumps(capture(case, args, files, out)))
    assert_close(_as_before(saved), _as_before(now, saved), case)


def _funnel_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load scenarios with the funnel of version 0.3.0: no amplification, expected orders,
    no unique reach, fees independent of followers unless the scenario says otherwise."""
    from campaign_sim.scenario import loading
    from campaign_sim.scenario.plan import FunnelPlan

    monkeypatch.setattr(loading, "funnel_plan", lambda *args: FunnelPlan())
    monkeypatch.setattr(
        loading, "_followers_fee", lambda model, base: model.correlations.followers_fee or 0.0
    )


def _as_before(value: Any, shape: Any = None) -> Any:
    """``value`` without what an older version could not have written: the scenario's hash
    (the priors file now states more) and the keys and metrics the older output (``shape``)
    lacks."""
    if isinstance(value, dict) and "columns" in value and "rows" in value:  # a CSV file
        names = value["columns"]
        keep = [
            i
            for i, name in enumerate(names)
            if "sha256" not in name and (shape is None or name in shape["columns"])
        ]
        rows = value["rows"]
        for key in ("metric", "quantity"):
            if shape is not None and key in names and key in shape["columns"]:
                # A long table: the rows of metrics (priors) the older output had.
                at, was = names.index(key), shape["columns"].index(key)
                known = {row[was] for row in shape["rows"]}
                rows = [row for row in rows if row[at] in known]
        return {
            "columns": [names[i] for i in keep],
            "rows": [[row[i] for i in keep] for row in rows],
        }
    if isinstance(value, dict):
        return {
            k: _as_before(v, None if shape is None else shape.get(k))
            for k, v in value.items()
            if k != "sha256" and (shape is None or k in shape)
        }
    if isinstance(value, list) and isinstance(shape, list) and len(shape) == len(value):
        return [_as_before(v, s) for v, s in zip(value, shape, strict=True)]
    if isinstance(value, list):
        return [_as_before(v) for v in value]
    return value


@pytest.mark.slow
@pytest.mark.parametrize("case", list(REPORTS))
def test_report_content_unchanged(
    case: str, tmp_path_factory: pytest.TempPathFactory, folders: dict, update: bool, monkeypatch
) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("pptx")
    monkeypatch.chdir(ROOT)
    source = REPORTS[case]
    if source not in folders:  # run alone: make its results folder first
        args, _ = CASES[source]
        out = tmp_path_factory.mktemp(source) / "results"
        CliRunner().invoke(main, [*args, "--out", str(out)], catch_exceptions=False)
        folders[source] = out
    from campaign_sim.reports import build_report

    target = tmp_path_factory.mktemp(case) / "report"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing CJK font only changes glyphs, not content
        built = build_report(folders[source], formats=["md", "xlsx"], lang="en", out=target)
    kept = {
        "files": sorted(built.files),
        "markdown": markdown_text(next(target.glob("*.md"))),
        "workbook": workbook_values(next(target.glob("*.xlsx"))),
    }
    check(case, kept, update)
