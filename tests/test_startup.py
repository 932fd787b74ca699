"""Start-up: the quick commands import only what they need (a check of modules, not of time)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import ROOT

import campaign_sim

pytestmark = [pytest.mark.cli]

#: Libraries that --help and --version must not import (numpy and scipy cost most of a second).
HEAVY = (
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "matplotlib",
    "dask",
    "distributed",
    "rich",
    "simpy",
)

#: Run the command line in-process with the given arguments; print the modules then loaded.
PROBE = """
import contextlib, io, json, sys
from campaign_sim.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(sys.argv[1:], standalone_mode=False)
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(*args: str) -> set[str]:
    """The modules loaded by a fresh interpreter that runs ``campaign-sim args``."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("option", ["--help", "--version"])
def test_help_and_version_import_no_heavy_library(option: str) -> None:
    loaded = _loaded(option)
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []


def test_validate_imports_neither_scipy_stats_nor_pandas() -> None:
    loaded = _loaded("validate", str(ROOT / "scenarios" / "coffee-launch.yaml"))
    assert "campaign_sim.scenario.loading" in loaded  # it did validate
    unwanted = ("scipy.stats", "pandas", "pyarrow", "matplotlib", "dask", "rich", "simpy")
    assert sorted(m for m in loaded if m.startswith(unwanted)) == []


@pytest.mark.exact
def test_every_public_name_resolves_lazily() -> None:
    for name in campaign_sim.__all__:
        assert getattr(campaign_sim, name) is not None, name
    assert campaign_sim.load_scenario.__module__ == "campaign_sim.scenario.loading"
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = campaign_sim.no_such_name  # type: ignore[attr-defined]


@pytest.mark.exact
def test_the_clis_literal_choices_match_the_package() -> None:
    """The CLI spells some choices out (so --help imports nothing heavy): they must be the
    package's own."""
    from campaign_sim.cli import options
    from campaign_sim.cli.commands.sensitivity import OUTPUTS
    from campaign_sim.engine.executors import EXECUTORS
    from campaign_sim.engine.runner import DEFAULT_CHUNK
    from campaign_sim.metrics import ENGINE_OUTCOMES
    from campaign_sim.random.sampling import METHODS
    from campaign_sim.reports.i18n import LANGUAGES

    assert tuple(LANGUAGES) == options.REPORT_LANGUAGES
    assert tuple(METHODS) == options.SAMPLING_METHODS
    assert options.EXECUTORS == EXECUTORS
    assert options.DEFAULT_CHUNK == DEFAULT_CHUNK
    assert tuple(ENGINE_OUTCOMES) == OUTPUTS


@pytest.mark.exact
def test_report_takes_formats_without_swallowing_the_next_argument() -> None:
    from campaign_sim.cli.main import REPORT_FORMATS, _report_alone
    from campaign_sim.reports.build import FORMATS

    assert set(REPORT_FORMATS) == {*FORMATS, "all"}
    assert _report_alone(["compare", "--report", "s.yaml"]) == ["compare", "--report=all", "s.yaml"]
    assert _report_alone(["run", "--report", "-q", "s.yaml"])[1] == "--report=all"
    assert _report_alone(["run", "s.yaml", "--report", "pptx,md"])[2:] == ["--report", "pptx,md"]
    assert _report_alone(["run", "s.yaml", "--report"]) == ["run", "s.yaml", "--report"]
