"""User-facing errors: what is wrong, in which file, at which key path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ArgumentError", "InputError", "Problem", "format_path"]


def format_path(loc: Iterable[Any]) -> str:
    """``('strategies', 'a', 'groups', 2, 'share')`` -> ``strategies.a.groups[2].share``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class InputError(Exception):
    """Bad user input: a scenario, priors or sweep file, or a command-line value.

    The CLI prints it without a traceback and exits with status 2.
    """

    def __init__(self, source: str | Path | None, problems: list[Problem]) -> None:
        self.source = str(source) if source is not None else None
        self.problems = problems
        super().__init__(str(self))

    @classmethod
    def single(cls, source: str | Path | None, path: str, message: str) -> InputError:
        return cls(source, [Problem(path, message)])

    def __str__(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        lines = [f"{head}{len(self.problems)} problems"]
        lines += [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


class ArgumentError(InputError, ValueError):
    """A bad argument of a public function (campaigns, seed, chunk size, workers, ...): the
    same message the command line gives for the option, and a ValueError for Python callers."""

    @classmethod
    def of(cls, name: str, message: str) -> ArgumentError:
        return cls(None, [Problem(name, message)])
