"""The Python API's edge: bad arguments raise ArgumentError with the command line's message, and
the README's "Python API" snippet runs as written."""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ROOT

from campaign_sim import load_scenario, simulate, simulate_timeline
from campaign_sim.analysis.convergence import run_to_precision
from campaign_sim.analysis.sensitivity import collect_drivers, swing
from campaign_sim.cli import main
from campaign_sim.errors import ArgumentError, InputError
from campaign_sim.pipeline import analyse_sensitivity

pytestmark = pytest.mark.exact

COFFEE = ROOT / "scenarios/coffee-launch.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(COFFEE)


#: (case, call, the argument named, the value shown): each call must raise ArgumentError with
#: "<argument>: ..." naming the value. Nothing is simulated: the checks come first.
BAD_ARGUMENTS: list[tuple[str, Callable[[Any], Any], str, str]] = [
    ("campaigns=0", lambda s: simulate(s, campaigns=0), "campaigns", "0"),
    ("campaigns=-1", lambda s: simulate(s, campaigns=-1), "campaigns", "-1"),
    ("campaigns=1.5", lambda s: simulate(s, campaigns=1.5), "campaigns", "1.5"),
    ("campaigns=True", lambda s: simulate(s, campaigns=True), "campaigns", "True"),
    ("chunk_size=0", lambda s: simulate(s, campaigns=10, chunk_size=0), "chunk_size", "0"),
    ("seed=-1", lambda s: simulate(s, campaigns=10, seed=-1), "seed", "-1"),
    ("seed='1'", lambda s: simulate(s, campaigns=10, seed="1"), "seed", "'1'"),
    ("workers=-1", lambda s: simulate(s, campaigns=10, workers=-1), "workers", "-1"),
    (
        "executor='threads'",
        lambda s: simulate(s, campaigns=10, executor="threads"),
        "executor",
        "'threads'",
    ),
    (
        "scheduler without dask",
        lambda s: simulate(s, campaigns=10, executor="serial", scheduler="tcp://127.0.0.1:1"),
        "scheduler",
        "serial",
    ),
    ("sampling='lhc'", lambda s: simulate(s, campaigns=10, sampling="lhc"), "sampling", "'lhc'"),
    (
        "precision=0",
        lambda s: run_to_precision(s, precision=0, max_campaigns=10),
        "precision",
        "0",
    ),
    (
        "precision=nan",
        lambda s: run_to_precision(s, precision=math.nan, max_campaigns=10),
        "precision",
        "nan",
    ),
    (
        "precision=inf",
        lambda s: run_to_precision(s, precision=math.inf, max_campaigns=10),
        "precision",
        "inf",
    ),
    ("timeline campaigns=0", lambda s: simulate_timeline(s, campaigns=0), "campaigns", "0"),
    ("drivers campaigns=0", lambda s: collect_drivers(s, campaigns=0), "campaigns", "0"),
]


@pytest.mark.parametrize(
    ("call", "argument", "value"),
    [case[1:] for case in BAD_ARGUMENTS],
    ids=[case[0] for case in BAD_ARGUMENTS],
)
def test_a_bad_argument_raises_argument_error(scenario, call, argument: str, value: str) -> None:
    with pytest.raises(ArgumentError) as raised:
        call(scenario)
    error = raised.value
    assert isinstance(error, InputError)  # the CLI prints it and exits with status 2
    assert isinstance(error, ValueError)  # what Python callers catch
    message = str(error)
    assert message.startswith(f"{argument}: "), message
    assert re.search(rf"(?<![\w']){re.escape(value)}(?![\w'])", message), message


def test_the_command_line_gives_the_same_message(scenario) -> None:
    """An argument the CLI passes through unchanged: the same message, exit status 2."""
    with pytest.raises(ArgumentError) as raised:
        simulate(scenario, campaigns=10, executor="serial", scheduler="tcp://127.0.0.1:1")
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(COFFEE),
            "-n",
            "10",
            "--executor",
            "serial",
            "--scheduler",
            "tcp://127.0.0.1:1",
        ],
    )
    assert result.exit_code == 2, result.output
    assert str(raised.value) in result.stderr


def test_max_campaigns_is_named_in_its_message(scenario) -> None:
    with pytest.raises(ArgumentError, match=r"^max_campaigns: .*got 0"):
        run_to_precision(scenario, precision=0.01, max_campaigns=0)


def test_swing_rejects_an_unknown_output(scenario) -> None:
    with pytest.raises(ArgumentError, match=r"^output: .*'foo'"):
        swing(scenario, campaigns=10, output="foo")


def test_analyse_sensitivity_rejects_an_unknown_output(scenario) -> None:
    with pytest.raises(ArgumentError, match=r"^output: .*'foo'"):
        analyse_sensitivity(scenario, campaigns=10, output="foo")


# -- the README's snippet ------------------------------------------------------------------


def readme_snippet() -> str:
    """The first ```python block under "## Python API" in README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Python API\n", 1)
    assert len(section) == 2, 'README.md has no "## Python API" section'
    body = section[1].split("\n## ", 1)[0]
    found = re.search(r"^```python\n(.*?)^```", body, flags=re.S | re.M)
    assert found, 'no ```python block under "## Python API"'
    return found.group(1)


def test_the_readme_snippet_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as written, in a folder where scenarios/ is the repository's: what it writes lands
    in tmp_path, not in the repository's results/."""
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    namespace: dict[str, Any] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(readme_snippet(), "README.md (Python API)", "exec"), namespace)

    written = [p for p in tmp_path.rglob("manifest.json") if "scenarios" not in p.parts]
    assert len(written) == 1, written
    folder = written[0].parent
    assert {"manifest.json", "summary.csv", "comparison.csv"} <= {p.name for p in folder.iterdir()}
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "compare"

    comparison = pd.read_csv(folder / "comparison.csv")
    assert comparison["prob_a_better"].between(0, 1).all()
    assert (comparison["a"] == "nano_heavy").all() and (comparison["b"] == "micro_heavy").all()
    result = namespace["result"]  # the snippet's comparison, as printed
    assert 0 <= result.comparison.differences["roi"].prob_a_better <= 1
    assert "prob_a_better" in printed.getvalue()
