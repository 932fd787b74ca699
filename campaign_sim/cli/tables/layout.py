"""The one rule that fits every terminal table to the console's width.

A table is declared once, as columns (`Col`) and rows of cells; a cell is a string or a tuple of
parts (a value and its interval: ``("-18.3%", "[-20.9%, -15.7%]")``). `Grid.print` lays it out
for ``console.width`` in one of two modes:

- **wide**: every column side by side, a cell's parts on one line (``-18.3% [-20.9%, -15.7%]``);
- **stacked**: a cell's parts one below the other (the value, its interval below), the columns
  of one ``stack`` merged into one column (``mean`` above its CI), and the short headers.

and over as few tables as fit the width: when one does not, the columns are **split** over
several, in order, each repeating the key columns (what names a row). The layout is the one
with the fewest tables, wide when stacking would not save a table: wide if it fits, else
stacked if that fits, else split (wide when that takes no more tables than stacked).

Text columns (names, labels, sources) wrap at spaces, down to a floor width; a number or an
interval never wraps: every other column is as wide as its widest line. Titles and captions are
`Paragraph`s, wrapped at the console's width between `chunks`: an interval stays on one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

__all__ = ["Cell", "Col", "Grid", "Paragraph", "band", "chunks", "dotted", "with_interval"]

#: A cell: one string, or parts that sit side by side when wide and one below the other when
#: narrow (a part is never broken).
Cell = str | tuple[str, ...]

#: Columns of a table with box edges: each adds its two padding cells and one border.
_PER_COLUMN = 3


def with_interval(value: str, low: str, high: str, *, brackets: str = "[]") -> tuple[str, str]:
    """A value and its interval as two parts: ``("12", "[10, 14]")``."""
    return value, f"{brackets[0]}{low}, {high}{brackets[1]}"


def band(low: str, high: str) -> tuple[str, str]:
    """``low – high`` as two parts that stack as ``low –`` above ``high``."""
    return f"{low} –", high


def dotted(path: str, width: int = 14) -> str:
    """A key path as a header broken after its dots into lines of about ``width`` cells."""
    lines = [""]
    for piece in path.replace(".", ".\n").splitlines():
        if lines[-1] and cell_len(lines[-1] + piece) > width:
            lines.append(piece)
        else:
            lines[-1] += piece
    return "\n".join(lines)


@dataclass(frozen=True)
class Col:
    """A column. ``short``: its header when stacked (default ``header``); ``stack``: adjacent
    columns of the same stack become one column when stacked; ``key``: repeated in every table
    when the columns are split; ``text``: free text that may wrap at spaces, down to
    ``floor`` cells (never below its longest word)."""

    header: str
    short: str | None = None
    justify: Literal["left", "center", "right"] = "right"
    key: bool = False
    text: bool = False
    stack: str | None = None
    floor: int = 20


@dataclass
class _Column:
    """A column as laid out in one mode: header and cells as lines."""

    header: list[str]
    cells: list[list[str]]
    justify: Literal["left", "center", "right"]
    key: bool
    text: bool
    floor: int
    natural: int = field(init=False)
    least: int = field(init=False)

    def __post_init__(self) -> None:
        lines = [*self.header, *(line for cell in self.cells for line in cell)]
        self.natural = max((cell_len(line) for line in lines), default=1) or 1
        if self.text:
            longest = max(
                (cell_len(a) for line in lines for w in line.split() for a in _atoms(w)),
                default=1,
            )
            self.least = min(self.natural, max(longest, self.floor))
        else:
            self.least = self.natural

    def lines(self, row: int | None, width: int) -> list[str]:
        """The header's (``row`` None) or a cell's lines at ``width``: text wrapped."""
        lines = self.header if row is None else self.cells[row]
        if not self.text:
            return lines
        return [wrapped for line in lines for wrapped in _wrap(line, width)]


#: Where a word may break when it is wider than its column: after a dot or slash between
#: letters (key paths ``strategies.a.budget``, pools ``nano/tiktok``), never inside a number.
_BREAK = re.compile(r"(?<=[^\d\s][./])(?=[^\d\s])")


def _atoms(word: str) -> list[str]:
    return [a for a in _BREAK.split(word) if a]


def _wrap(line: str, width: int) -> list[str]:
    """``line`` wrapped at spaces into lines of at most ``width`` cells; a longer word broken
    after its dots or slashes (folded only if a piece is still too long)."""
    out: list[str] = []
    current = ""
    for word in line.split():
        pieces = [word]
        if cell_len(word) > width:
            pieces = [""]
            for atom in _atoms(word):
                if pieces[-1] and cell_len(pieces[-1] + atom) > width:
                    pieces.append("")
                pieces[-1] += atom
            pieces = [chunk for piece in pieces for chunk in chop_cells(piece, width)]
        for piece in pieces:
            if current and cell_len(current) + 1 + cell_len(piece) <= width and piece is word:
                current += " " + piece
            else:
                if current:
                    out.append(current)
                current = piece
    out.append(current)
    return out


def _parts(cell: Cell) -> tuple[str, ...]:
    return (cell,) if isinstance(cell, str) else tuple(cell)


class Grid:
    """Columns and rows, printed by the width rule of this module."""

    def __init__(
        self, columns: Sequence[Col], *, title: str | None = None, caption: str | None = None
    ) -> None:
        self.columns = list(columns)
        self.title = title
        self.caption = caption
        self.rows: list[tuple[Cell, ...]] = []

    def add_row(self, *cells: Cell) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(cells)

    # -- layout -------------------------------------------------------------------------

    def _laid_out(self, stacked: bool) -> list[_Column]:
        """The columns in one mode: wide (parts on one line) or stacked."""
        out: list[_Column] = []
        index = 0
        while index < len(self.columns):
            members = [index]
            name = self.columns[index].stack
            while (
                stacked
                and name is not None
                and members[-1] + 1 < len(self.columns)
                and self.columns[members[-1] + 1].stack == name
            ):
                members.append(members[-1] + 1)
            index = members[-1] + 1
            first = self.columns[members[0]]
            if stacked:
                header = [
                    line
                    for m in members
                    for line in (self.columns[m].short or self.columns[m].header).splitlines()
                ]
                cells = [
                    [line for m in members for part in _parts(row[m]) for line in part.split("\n")]
                    for row in self.rows
                ]
            else:
                header = first.header.splitlines()
                cells = [" ".join(_parts(row[members[0]])).split("\n") for row in self.rows]
            out.append(
                _Column(
                    header,
                    cells,
                    first.justify,
                    any(self.columns[m].key for m in members),
                    any(self.columns[m].text for m in members),
                    first.floor,
                )
            )
        return out

    @staticmethod
    def _split(columns: list[_Column], width: int) -> list[list[_Column]]:
        """The fewest tables that each fit ``width``: the columns in order, each table as full
        as it goes, the keys in every one."""
        keys = [c for c in columns if c.key]
        base = 1 + sum(c.least + _PER_COLUMN for c in keys)
        groups: list[list[_Column]] = [[]]
        used = base
        for column in columns:
            if column.key:
                continue
            need = column.least + _PER_COLUMN
            if groups[-1] and used + need > width:
                groups.append([])
                used = base
            groups[-1].append(column)
            used += need
        return [[c for c in columns if c.key or any(c is g for g in group)] for group in groups]

    @staticmethod
    def _widths(columns: list[_Column], width: int) -> list[int]:
        """Each column's width: numbers at their widest line; the room left goes to the text
        columns, the one that needs the least to be whole first."""
        widths = [c.least for c in columns]
        spare = width - (1 + sum(w + _PER_COLUMN for w in widths))
        for deficit, index in sorted(
            (c.natural - c.least, i) for i, c in enumerate(columns) if c.text
        ):
            grant = max(0, min(deficit, spare))
            widths[index] += grant
            spare -= grant
        return widths

    def layout(self, width: int) -> tuple[bool, list[list[_Column]]]:
        """(stacked?, the tables' columns) for a console ``width`` cells wide."""
        wide = self._split(self._laid_out(False), width)
        stacked = self._split(self._laid_out(True), width)
        return (False, wide) if len(wide) <= len(stacked) else (True, stacked)

    def tables(self, width: int) -> list[Table]:
        """The rich tables for ``width`` (the title and caption are printed apart)."""
        _, groups = self.layout(width)
        out = []
        for columns in groups:
            table = Table()
            widths = self._widths(columns, width)
            for column, w in zip(columns, widths, strict=True):
                table.add_column(
                    Text("\n".join(column.lines(None, w))),
                    justify=column.justify,
                    width=w,
                    overflow="fold",
                )
            for r in range(len(self.rows)):
                table.add_row(
                    *(Text("\n".join(c.lines(r, w))) for c, w in zip(columns, widths, strict=True))
                )
            out.append(table)
        return out

    def print(self, console: Console) -> None:
        """The title, the tables, the caption: each paragraph wrapped at the console's width."""
        if self.title:
            console.print(Paragraph(self.title))
        for table in self.tables(console.width):
            console.print(table)
        if self.caption:
            console.print(Paragraph(self.caption))


#: Words that bind to their neighbours in running text: ``P5 – P95``, ``x = 3``, ``± 6.1%``.
_GLUE = {"–", "-", "=", "<=", ">=", "≤", "≥", "±", "/", "x"}


def chunks(line: str) -> list[str]:
    """The pieces a line of running text may wrap between: its words, except that a bracketed
    interval (``[95% CI 99,236, 260,085]``) and the words around ``–``, ``=`` or ``±`` stay
    together."""
    out: list[str] = []
    glued = False
    depth = 0
    for word in line.split():
        if out and (glued or depth > 0 or word in _GLUE):
            out[-1] += " " + word
        else:
            out.append(word)
        glued = word in _GLUE
        depth = max(0, depth + word.count("[") - word.count("]"))
    return out


class Paragraph(str):
    """Running text (titles, captions, notes) that rich prints at the console's width, wrapping
    only between `chunks`; as a ``str``, the text itself."""

    def __rich__(self) -> Any:
        return _Wrapped(str(self))


class _Wrapped:
    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for paragraph in self.text.split("\n"):
            line = ""
            for chunk in chunks(paragraph):
                if line and cell_len(line) + 1 + cell_len(chunk) > width:
                    yield Text(line, overflow="fold")
                    line = chunk
                else:
                    line = f"{line} {chunk}" if line else chunk
            yield Text(line, overflow="fold")
