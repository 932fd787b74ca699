"""What the commands print: data on stdout (tables, JSON, CSV), progress and notes on stderr."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

__all__ = [
    "build_report_quietly",
    "echo_json",
    "note",
    "progress_bar",
    "stderr",
    "stdout",
    "warn",
]


#: The width of stdout when it is not a terminal and ``COLUMNS`` is not set (a file, a pipe).
WIDE = 160


def _columns() -> bool:
    """``COLUMNS`` holds a width (rich then takes it)."""
    return os.environ.get("COLUMNS", "").isdigit()


class _Consoles:
    """rich consoles made on use (importing rich costs start-up time)."""

    def __init__(self) -> None:
        self._err: Any = None

    @property
    def out(self) -> Any:
        """A console at the width of the moment, made on each call (a test runs many commands
        at many widths): rich's detection (``COLUMNS``, else the terminal's size), or `WIDE`
        when stdout is not a terminal and ``COLUMNS`` is not set."""
        from rich.console import Console

        console = Console(soft_wrap=False)
        if not _columns() and not console.is_terminal:
            console.width = WIDE
        elif console.width < 1:  # COLUMNS=0
            console.width = 80
        return console

    @property
    def err(self) -> Any:
        if self._err is None:
            from rich.console import Console

            self._err = Console(stderr=True)
        return self._err


_consoles = _Consoles()


def stdout() -> Any:
    """The console for tables on stdout."""
    return _consoles.out


def stderr() -> Any:
    """The console for progress and notes on stderr."""
    return _consoles.err


def note(text: str) -> None:
    """A line on stderr (rich markup allowed)."""
    stderr().print(text)


def warn(text: str) -> None:
    note(f"[yellow]warning:[/yellow] {text}")


def echo_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (NaN and infinities as null)."""
    from campaign_sim.results.folder import json_ready

    click.echo(json.dumps(json_ready(data), indent=2, ensure_ascii=False))


@contextmanager
def progress_bar(
    label: str, total: int, unit: str = "campaigns", *, quiet: bool = False
) -> Iterator[Callable[..., None]]:
    """A transient progress bar on stderr; yields ``update(done, total=None, step=None)``:
    ``step`` names a phase of its own bar (sensitivity's rank, swing and sobol)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} " + unit),
        TimeRemainingColumn(),
        console=stderr(),
        transient=True,
        disable=quiet,
    ) as progress:
        tasks: dict[str | None, Any] = {None: progress.add_task(label, total=total)}

        def update(done: int, planned: int | None = None, step: str | None = None) -> None:
            if step not in tasks:
                tasks[step] = progress.add_task(step or label, total=planned)
            progress.update(tasks[step], completed=done, total=planned)

        yield update


def build_report_quietly(folder: Path, formats: Any, lang: str) -> None:
    """Build the report of ``folder`` after a simulating command (whose stdout holds its own
    data): only a note on stderr."""
    from campaign_sim.reports import build_report

    built = build_report(folder, formats=formats, lang=lang)
    note(f"report written to {built.folder}/")
