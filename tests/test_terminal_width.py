"""Tables fit the terminal: every table-printing command at 80, 120 and 200 columns prints no
line wider than the terminal and never splits a number or an interval across lines."""

from __future__ import annotations

import io
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT
from rich.cells import cell_len

from campaign_sim.cli import main

pytestmark = pytest.mark.cli

COFFEE = str(ROOT / "scenarios/coffee-launch.yaml")
WIDTHS = (80, 120, 200)
#: Wide enough that nothing is split or stacked: the reference for the numbers printed.
REFERENCE = 1000

#: Each table-printing command, small (the results folder is appended).
COMMANDS: dict[str, list[str]] = {
    "run": ["run", COFFEE, "-n", "256", "-q"],
    "compare": ["compare", COFFEE, "-n", "256", "-q"],
    "sweep": ["sweep", COFFEE, "--vary", "budget:strategies.*.budget=600000,900000"]
    + ["-n", "128", "-q"],
    "sweep-2-axes": [
        "sweep",
        COFFEE,
        "--vary",
        "economics.aov=800,1200",
        "--vary",
        "strategies.nano_heavy.groups[0].count=20,40",
        "-n",
        "64",
        "-q",
    ],
    "timeline": ["timeline", COFFEE, "-n", "64", "-q"],
    "horizon": ["horizon", COFFEE, "--horizon", "4", "--brands", "8", "-q"],
    "sensitivity": ["sensitivity", COFFEE, "-n", "64", "--top", "6", "-q"],
    "priors": ["priors", COFFEE],
    "priors-set": ["priors"],
    "priors-all": ["priors", COFFEE, "--all"],
    "plan": ["plan", COFFEE],
}
#: Commands without a results folder.
NO_FOLDER = {"priors", "priors-set", "priors-all", "plan"}

#: A number as printed: sign, digits with thousands separators, decimals, exponent, percent.
NUMBER = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+]\d+)?%?")
#: Numbers that differ from run to run (plan's time estimate), left out of the comparison.
VOLATILE = re.compile(r"about\s+[\d,.]+\s+s\b")
#: What separates a table's cells on a line.
BORDERS = re.compile(r"[│┃]")


def _invoke(command: str, width: int, out: Path) -> str:
    """The command's stdout with ``COLUMNS=width``."""
    args = [*COMMANDS[command]]
    if command not in NO_FOLDER:
        args += ["-o", str(out / f"{command}-{width}")]
    result = CliRunner(env={"COLUMNS": str(width)}).invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@cache
def _reference(command: str, out: Path) -> str:
    return _invoke(command, REFERENCE, out)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("width")


def segments(line: str) -> list[str]:
    """A line's cells (between table borders), or the whole line outside a table."""
    return [s.strip() for s in BORDERS.split(line)]


def split_intervals(lines: list[str]) -> list[str]:
    """Where a cell's line ends inside a number or an interval (a digit and its separator:
    ``-414,960,``) and the same cell goes on, on the next line, with a number."""
    found = []
    for above, below in zip(lines, lines[1:], strict=False):
        for top, bottom in zip(segments(above), segments(below), strict=False):
            if re.search(r"\d[,.]$", top) and re.match(r"[-+]?\d", bottom):
                found.append(f"{top!r} / {bottom!r}")
    return found


def test_number_pattern_and_split_check_catch_splits():
    # The checks themselves: a number cut at its separator, an interval cut at its space.
    assert NUMBER.findall("-409,541 [-414,960, -404,122] 1.093e+04 +0.858 95%") == [
        "-409,541",
        "-414,960",
        "-404,122",
        "1.093e+04",
        "+0.858",
        "95%",
    ]
    assert split_intervals(["│ -409,541 [-414,960, │", "│ -404,122] │"])
    assert split_intervals(["│ 1,0 │", "│ 00 │"]) == []  # caught by the count of numbers
    assert NUMBER.findall("1,0") == ["1", "0"]
    assert split_intervals(["│ -18.3% │", "│ [-20.9%, -15.7%] │"]) == []


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", COMMANDS)
def test_tables_fit_the_terminal(command: str, width: int, out: Path):
    printed = _invoke(command, width, out)
    lines = printed.splitlines()
    assert lines, command
    too_wide = [line for line in lines if cell_len(line) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}: {too_wide[0]!r}"

    # No number split across lines: every number printed wide is printed whole at this width
    # (a split one loses its whole form), and every number printed here is one printed wide
    # (a fragment is none).
    reference = Counter(NUMBER.findall(VOLATILE.sub("", _reference(command, out))))
    here = Counter(NUMBER.findall(VOLATILE.sub("", printed)))
    missing = reference - here
    assert not missing, f"numbers split or lost at {width} columns: {sorted(missing)[:10]}"
    fragments = set(here) - set(reference)
    assert not fragments, f"number fragments at {width} columns: {sorted(fragments)[:10]}"
    assert not split_intervals(lines), split_intervals(lines)[:5]


@pytest.mark.parametrize(
    "command",
    ["run", "sweep", "sensitivity", "timeline", "horizon", "priors", "priors-set", "priors-all"]
    + ["plan"],
)
def test_wide_terminals_get_one_table_per_table(command: str, out: Path):
    # From 120 columns nothing is split into a second table (80 may split).
    for width in (120, 200):
        assert _invoke(command, width, out).count("┏") == _reference(command, out).count("┏")


def test_a_narrow_terminal_stacks_intervals_and_splits_tables(out: Path):
    narrow = _invoke("sweep", 80, out)
    wide = _reference("sweep", out)
    assert re.search(r"│\s+-?[\d.]+% │", narrow)  # the mean ROI alone on its line ...
    assert re.search(r"│\s+\[-?[\d.]+%, -?[\d.]+%\] │", narrow)  # ... its interval below
    assert re.search(r"-?[\d.]+% \[-?[\d.]+%, -?[\d.]+%\]", wide)  # side by side when wide
    assert narrow.count("┏") == 2 and wide.count("┏") == 1
    assert narrow.count("budget") >= 2  # the key columns repeated in the second table


def test_stdout_width_follows_columns_and_the_terminal(monkeypatch: pytest.MonkeyPatch):
    from rich.console import Console

    from campaign_sim.cli.output import WIDE, stdout

    monkeypatch.setenv("COLUMNS", "97")
    assert stdout().width == 97
    monkeypatch.delenv("COLUMNS")
    assert stdout().width == WIDE  # not a terminal (pytest captures stdout): the wide default

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdout", Terminal())
    assert stdout().is_terminal
    assert stdout().width == Console().width  # a terminal: rich's own detection
