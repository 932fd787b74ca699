"""Failing late (issue 10, class 10): a results folder that cannot be written is refused before
the simulation, naming --out and the path, never a hidden temporary one; nothing is left
behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from campaign_sim.cli import main
from campaign_sim.engine import runner
from campaign_sim.errors import InputError
from campaign_sim.results.folder import check_out

COMMANDS = ("run", "compare", "timeline", "sensitivity", "sweep")


@pytest.fixture
def no_simulation(monkeypatch):
    """Any simulation is a failure: the destination must be refused before one starts."""

    def refuse(*args, **kwargs):
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr(runner, "collect", refuse)


def arguments(command: str, scenario: Path, out: Path) -> list[str]:
    if command == "compare":
        return ["compare", str(scenario), "a", "b", "--out", str(out), "-q"]
    if command == "sweep":
        return ["sweep", str(scenario), "--vary", "economics.aov=900,1000", "-o", str(out), "-q"]
    return [command, str(scenario), "--out", str(out), "-q"]


@pytest.fixture
def two_strategies(write_scenario):
    from helpers import FIXED_SCENARIO, deep_update

    strategy = FIXED_SCENARIO["strategies"]["a"]
    return write_scenario(deep_update(FIXED_SCENARIO, {"strategies": {"b": strategy}}))


def refused(result, path: str, why: str) -> None:
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert result.stderr.startswith(f"Error: --out: cannot write results to '{path}': {why}")
    assert ".tmp" not in result.stderr  # the path the user gave, never a hidden one


@pytest.mark.cli
@pytest.mark.parametrize("command", COMMANDS)
def test_proc_and_root_are_refused_before_the_run(two_strategies, command, no_simulation):
    result = CliRunner().invoke(main, arguments(command, two_strategies, Path("/proc/x")))
    refused(result, "/proc/x", "no folder can be made in '/proc'")
    result = CliRunner().invoke(main, arguments(command, two_strategies, Path("/")))
    refused(result, "/", "the root of the file system cannot be a results folder")


@pytest.mark.cli
@pytest.mark.parametrize("command", COMMANDS)
def test_a_file_on_the_way_is_refused_before_the_run(
    two_strategies, tmp_path, command, no_simulation
):
    plain = tmp_path / "notes.txt"
    plain.write_text("keep me", encoding="utf-8")
    out = plain / "results"
    result = CliRunner().invoke(main, arguments(command, two_strategies, out))
    refused(result, str(out), f"'{plain}' is a file, not a folder")
    result = CliRunner().invoke(main, arguments(command, two_strategies, plain))
    assert result.exit_code == 2 and "is a file" in result.stderr  # click's own check
    assert plain.read_text(encoding="utf-8") == "keep me"


@pytest.mark.cli
@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_of_something_else_is_refused_before_the_run(
    two_strategies, tmp_path, command, no_simulation
):
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.md").write_text("do not delete", encoding="utf-8")
    result = CliRunner().invoke(main, arguments(command, two_strategies, precious))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --out: refusing to replace '{precious}': it is not")
    assert sorted(p.name for p in precious.iterdir()) == ["chapter1.md"]


@pytest.mark.cli
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_parent_is_refused_before_the_run(two_strategies, tmp_path, no_simulation):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = CliRunner().invoke(main, arguments("run", two_strategies, locked / "out"))
        refused(result, str(locked / "out"), f"no folder can be made in '{locked}'")
    finally:
        locked.chmod(0o700)


@pytest.mark.cli
def test_a_sweep_refused_for_its_out_leaves_no_partial_store(two_strategies, tmp_path):
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {
                "scenario": two_strategies.name,
                "axes": [{"path": "economics.aov", "values": [900, 1000]}],
                "campaigns": 100,
            }
        ),
        encoding="utf-8",
    )
    plain = tmp_path / "plain"
    plain.write_text("", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(main, ["sweep", str(sweep), "-o", str(plain / "s"), "-q"])
    refused(result, str(plain / "s"), f"'{plain}' is a file, not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.exact
def test_check_out_leaves_nothing_behind(tmp_path):
    out = tmp_path / "deep" / "er" / "results"
    assert check_out(out) == out
    assert list(tmp_path.iterdir()) == []  # not even the missing parents
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "manifest.json").write_text("{}", encoding="utf-8")
    check_out(tmp_path / "done")  # an earlier result: replaced by the next
    check_out(tmp_path / "empty")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["done"]
    with pytest.raises(InputError, match=r"^--report-out: cannot write results to '/'"):
        check_out(Path("/"), "--report-out")
