"""User-facing errors: what is wrong, in which file, at which key path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ArgumentError", "InputError", "Problem", "format_path", "shown"]

#: Longest value quoted in a message; longer ones are cut with an ellipsis.
QUOTE_LIMIT = 80
#: Longest key path and message of one problem as printed.
PATH_LIMIT = 300
MESSAGE_LIMIT = 2_000


def shown(value: object, limit: int = QUOTE_LIMIT, *, bare: bool = False) -> str:
    """``value`` quoted for a message (``'nano'``), cut to ``limit`` characters with an
    ellipsis so that a huge value is never echoed whole; ``bare``: without quotes."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 1_000:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    text = str(value)
    cut = len(text) > limit
    if cut:
        text = text[: max(limit - 1, 1)]
    text = text if bare else repr(text)
    return text + (f"… ({len(str(value)):,} characters)" if cut else "")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_path(loc: Iterable[Any]) -> str:
    """``('strategies', 'a', 'groups', 2, 'share')`` -> ``strategies.a.groups[2].share``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + shown(part, bare=True)
    return out or "(top level)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong: where (a key path, or ``(file)``), what, and the line when known."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{_cut(self.path, PATH_LIMIT)}: {_cut(self.message, MESSAGE_LIMIT)}{where}"


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
        head = f"{_cut(self.source, PATH_LIMIT)}: " if self.source else ""
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
