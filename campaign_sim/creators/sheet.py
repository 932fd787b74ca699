"""Creator sheets: the tables of creators a user types in a spreadsheet, read one way.

An observed-creators file (:mod:`campaign_sim.calibration.observed`, MODEL.md §9) and a
roster file (:mod:`campaign_sim.creators.roster`, MODEL.md §10) are both a CSV (``.csv``,
UTF-8, comma-separated) or an Excel workbook (``.xlsx``, its first sheet) with a header row,
one row per creator, whose pool is told by ``platform`` and ``tier`` and/or ``followers``.
This module holds what they share: reading the bytes and the cells, the header (columns
matched exactly; a near-miss of a known column is an error with a did-you-mean, other columns
are not read), number and text cells, and the pools (tiers, platforms, followers bounds) of the
priors a row is checked against. Problems are :class:`~campaign_sim.errors.Problem` at
``row N, column NAME``, rows numbered as in a spreadsheet (the header is row 1), collected so
that a file's every problem is reported at once.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import math
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign_sim.errors import InputError, Problem, shown
from campaign_sim.scenario.reading import MAX_FILE_BYTES
from campaign_sim.scenario.strict import suggest
from campaign_sim.scenario.warnings import InputWarning

if TYPE_CHECKING:
    from campaign_sim.scenario.plan import Prior

__all__ = [
    "EXTENSIONS",
    "HUGE",
    "Pools",
    "Row",
    "Sheet",
    "Table",
    "amount",
    "ignored",
    "number",
    "open_sheet",
    "pool",
    "read_table",
    "text",
    "warn_not_read",
]

#: Numbers above this (counts and amounts alike) are refused as implausible: a typo.
HUGE = 1e12
EXTENSIONS = (".csv", ".xlsx")
#: The columns that tell a row's pool: at least one of them.
POOL_COLUMNS = ("tier", "followers")

#: Rows as read: (spreadsheet row number, cells); a cell is None (empty), text, or a number.
Table = list[tuple[int, list[Any]]]

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


# -- reading the file ----------------------------------------------------------------------


def read_table(path: Path, what: str) -> tuple[bytes, Table]:
    """The file's bytes and its cells. ``what`` names the kind of file in a message (``an
    observed-creators file``). Raises :class:`InputError` at ``(file)``."""
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise InputError.single(
            path, "(file)", f"{what} is a .csv or .xlsx file, not {shown(suffix or path.name)}"
        )
    data = _read_bytes(path)
    return data, (_read_csv(path, data) if suffix == ".csv" else _read_xlsx(path, data))


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError.single(path, "(file)", "no such file") from None
    except IsADirectoryError:
        raise InputError.single(path, "(file)", "is a folder, not a file") from None
    except OSError as exc:
        raise InputError.single(path, "(file)", f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # the name holds a NUL character
        raise InputError.single(path, "(file)", "no such file (the name holds a NUL)") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError.single(
            path, "(file)", f"larger than {MAX_FILE_BYTES // 1_000_000} MB: not read"
        )
    return data


def _cell(value: Any) -> Any:
    """Text stripped, an empty text None; anything else as it is."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_csv(path: Path, data: bytes) -> Table:
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(
            path, "(file)", f"not UTF-8 text (byte {exc.start + 1}): save the file as UTF-8 CSV"
        ) from None
    if "\x00" in decoded:
        raise InputError.single(path, "(file)", "not a CSV table (it holds NUL bytes)")
    try:
        records = list(csv.reader(io.StringIO(decoded, newline="")))
    except csv.Error as exc:
        raise InputError.single(path, "(file)", f"not a well-formed CSV table: {exc}") from None
    return [(n, [_cell(c) for c in record]) for n, record in enumerate(records, 1)]


def _read_xlsx(path: Path, data: bytes) -> Table:
    try:
        import openpyxl
    except ImportError:  # the reports extra is not installed
        raise InputError.single(
            path,
            "(file)",
            "reading .xlsx needs openpyxl (pip install 'campaign-sim[reports]'), or save the "
            "sheet as CSV",
        ) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a zip error, a missing part, a bad XML: all "not a workbook"
        raise InputError.single(
            path, "(file)", f"not an Excel workbook (.xlsx) that can be read: {exc}"
        ) from None
    try:
        if not book.worksheets:
            return []
        sheet = book.worksheets[0]
        return [
            (n, [_cell(c) for c in record])
            for n, record in enumerate(sheet.iter_rows(values_only=True), 1)
        ]
    finally:
        book.close()


# -- cells ---------------------------------------------------------------------------------


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: a spreadsheet's column letter."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def text(value: Any) -> str | None:
    """A cell as text (None when empty): ``5000.0`` as ``5000``, a date in ISO form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def amount(value: float) -> str:
    """A number for a message: ``10,000``, ``2.5``."""
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


def number(
    value: Any, where: str, problems: list[Problem], *, whole: str | None = None, one: bool = False
) -> float | None:
    """A number cell as a float (NaN when empty), or None when it is not a valid value (the
    problem recorded at ``where``). Every number is finite, at least 0 and at most
    :data:`HUGE`; ``whole``: it must be a whole number of that (``followers``); ``one``: at
    least 1."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        problems.append(Problem(where, f"should be a number, not {text(value)}"))
        return None
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        problems.append(Problem(where, f"should be a number, not a date or time ({value})"))
        return None
    if isinstance(value, int | float):
        got = float(value)
        if not math.isfinite(got):
            problems.append(Problem(where, f"{got} is not a finite number"))
            return None
    else:
        written = str(value)
        if _NON_FINITE.fullmatch(written):
            problems.append(
                Problem(
                    where,
                    f"{shown(written)} is not a finite number: write a number, or leave the cell "
                    "empty when it is not known",
                )
            )
            return None
        if not _NUMBER.fullmatch(written):
            why = ""
            if re.fullmatch(r"[+-]?[\d,]+(?:\.\d*)?", written):
                why = ": write it without thousands separators (1234.5)"
            elif written.endswith("%"):
                why = ": write a count or an amount, not a percentage"
            problems.append(
                Problem(where, f"should be a number, not the text {shown(written)}{why}")
            )
            return None
        got = float(written)
        if not math.isfinite(got):
            problems.append(Problem(where, f"{shown(written)} is too large to be a finite number"))
            return None
    if got < 0:
        problems.append(Problem(where, f"must not be negative (it is {amount(got)})"))
        return None
    if whole is not None and not got.is_integer():
        problems.append(Problem(where, f"must be a whole number of {whole} (it is {amount(got)})"))
        return None
    if one and got < 1:
        problems.append(Problem(where, f"must be at least 1 (it is {amount(got)})"))
        return None
    if got > HUGE:
        problems.append(
            Problem(
                where, f"{amount(got)} is implausibly large (more than {amount(HUGE)}): a typo?"
            )
        )
        return None
    return got


# -- the header ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """A sheet's header read: ``columns``, the read columns' positions; ``unread``, the
    recognised columns present that this kind of file does not read; ``ignored``, the other
    columns (named, or ``(unnamed column C)`` where a nameless column has cells);
    ``explained``, the absent columns a near-miss name stands for (already an error);
    ``body``, the data rows."""

    header_row: int
    columns: dict[str, int]
    unread: tuple[str, ...]
    ignored: tuple[str, ...]
    explained: frozenset[str]
    body: Table

    def rows(self) -> Iterator[Row]:
        for number_, cells in self.body:
            yield Row(number_, cells, self.columns)

    def missing(self, column: str) -> bool:
        """True when the file lacks ``column`` and no near-miss name stands for it."""
        return column not in self.columns and column not in self.explained

    def at(self, column: str) -> str:
        """Where a header problem of ``column`` is reported."""
        return f"row {self.header_row}, column {column}"


def open_sheet(
    table: Table,
    problems: list[Problem],
    *,
    read: Sequence[str],
    required: Sequence[str],
    unread: Sequence[str] = (),
    rows_are: str,
) -> Sheet | None:
    """The header of ``table`` checked against the columns a file reads (``read``; of them
    ``required``, and one of :data:`POOL_COLUMNS` always) and those it knows but does not read
    (``unread``). None when there are no data rows (the problem recorded; ``rows_are`` says
    what the rows should be: ``one row per candidate creator``)."""
    filled = [(n, cells) for n, cells in table if any(c is not None for c in cells)]
    if not filled:
        problems.append(Problem("(file)", "is empty: no header and no rows"))
        return None
    (header_row, header), body = filled[0], filled[1:]
    width = max(len(cells) for _, cells in filled)
    sheet = _header(header_row, header, width, body, problems, read, required, unread)
    if not body:
        problems.append(
            Problem(f"row {header_row}", f"the file has a header but no data rows: give {rows_are}")
        )
        return None
    return sheet


def _header(
    header_row: int,
    cells: list[Any],
    width: int,
    body: Table,
    problems: list[Problem],
    read: Sequence[str],
    required: Sequence[str],
    unread: Sequence[str],
) -> Sheet:
    names = [text(c) or "" for c in cells] + [""] * (width - len(cells))
    names = [n.strip() for n in names]
    seen: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(names):
        if not name:
            if any(index < len(r) and r[index] is not None for _, r in body):
                ignored.append(f"(unnamed column {_letter(index)})")
            continue
        if name in seen:
            problems.append(
                Problem(
                    f"row {header_row}, column {name}",
                    f"column {shown(name)} appears twice (columns {_letter(seen[name])} and "
                    f"{_letter(index)}): keep one",
                )
            )
            continue
        seen[name] = index
    columns = {n: i for n, i in seen.items() if n in read}
    absent = [c for c in read if c not in columns]
    explained: set[str] = set()
    for name in seen:
        if name in read or name in unread:
            continue
        match = difflib.get_close_matches(name, absent, n=1, cutoff=0.6) if len(name) <= 100 else []
        if not match:
            ignored.append(name)
            continue
        explained.add(match[0])
        note = " (a required column)" if match[0] in required else ""
        problems.append(
            Problem(
                f"row {header_row}, column {name}",
                f"unknown column {shown(name)}{suggest(name, absent)}{note}; column names "
                "are matched exactly, case too",
            )
        )
    hint = ""
    if len(seen) == 1 and any(mark in next(iter(seen)) for mark in ";\t"):
        hint = (
            f" (the header is one cell, {shown(next(iter(seen)))}: is the file separated by "
            "semicolons or tabs? save it as comma-separated CSV)"
        )
    for column in required:
        if column not in columns and column not in explained:
            problems.append(
                Problem(
                    f"row {header_row}, column {column}",
                    f"missing: the file has no column '{column}', which is required{hint}",
                )
            )
            hint = ""
    if not (set(POOL_COLUMNS) & (set(columns) | explained)):
        problems.append(
            Problem(
                f"row {header_row}, column tier",
                "missing: the file has neither a 'tier' nor a 'followers' column; it needs one "
                "of them (or both)",
            )
        )
    return Sheet(
        header_row=header_row,
        columns=columns,
        unread=tuple(n for n in seen if n in unread),
        ignored=tuple(ignored),
        explained=frozenset(explained),
        body=body,
    )


def warn_not_read(path: Path, columns: Sequence[str], why: str, stacklevel: int = 3) -> None:
    """Warn that ``columns`` of the file at ``path`` are not read: ``why`` ends the message
    (``" (ignored); ..."``). ``stacklevel`` 3: the reader's caller."""
    if not columns:
        return
    plural = "s" if len(columns) > 1 else ""
    warnings.warn(
        f"{path}: column{plural} {', '.join(shown(c) for c in columns)} not read{why}",
        InputWarning,
        stacklevel=stacklevel,
    )


def ignored(what: str, reads: Sequence[str]) -> str:
    """The end of :func:`warn_not_read`'s message for columns no reader knows: ``what``
    (``an observed-creators file``) ``reads`` these."""
    return f" (ignored); {what} reads {', '.join(reads)}"


# -- a data row ----------------------------------------------------------------------------


class Row:
    """One data row: its spreadsheet ``number``, its cells, the sheet's column positions."""

    def __init__(self, number_: int, cells: list[Any], columns: dict[str, int]) -> None:
        self.number = number_
        self.cells = cells
        self.columns = columns

    def where(self, column: str) -> str:
        return f"row {self.number}, column {column}"

    def raw(self, column: str) -> Any:
        """The cell of ``column`` as read (None: empty, or the file has no such column)."""
        index = self.columns.get(column)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, column: str) -> str | None:
        return text(self.raw(column))

    def numeric(
        self, column: str, problems: list[Problem], *, whole: bool = False, one: bool = False
    ) -> float | None:
        """The cell of ``column`` as :func:`number` reads it (``whole``: a count of them)."""
        return number(
            self.raw(column), self.where(column), problems, whole=column if whole else None, one=one
        )


# -- pools: the priors' tiers, platforms and followers bounds ------------------------------


class Pools:
    """The tiers, platforms and followers bounds of a sequence of priors (every tier of them,
    used or not); ``platforms``: more platform names a row may give (a scenario's groups')."""

    def __init__(self, priors: Sequence[Prior], platforms: Iterable[str] = ()) -> None:
        self.tiers = list(dict.fromkeys(p.tier for p in priors))
        named = [p.platform for p in priors if p.platform is not None]
        self.platforms = sorted({*named, *platforms})
        self._followers: dict[tuple[str, str | None], tuple[float, float]] = {}
        for prior in priors:
            if prior.quantity == "followers":
                low, high = prior.dist.support()
                self._followers[(prior.tier, prior.platform)] = (float(low), float(high))

    def bounds(self, tier: str, platform: str) -> tuple[float, float] | None:
        return self._followers.get((tier, platform), self._followers.get((tier, None)))

    def fits(self, followers: float, platform: str) -> list[tuple[str, float, float]]:
        """The tiers whose followers bounds on ``platform`` hold ``followers``, lowest first."""
        out = []
        for tier in self.tiers:
            bounds = self.bounds(tier, platform)
            if bounds is not None and bounds[0] <= followers <= bounds[1]:
                out.append((tier, *bounds))
        return sorted(out, key=lambda fit: fit[1])

    def listing(self, platform: str) -> str:
        parts = []
        for tier in self.tiers:
            bounds = self.bounds(tier, platform)
            if bounds is not None:
                parts.append(f"{tier} {amount(bounds[0])}-{amount(bounds[1])}")
        return ", ".join(parts)


def pool(
    row: Row,
    pools: Pools,
    problems: list[Problem],
    followers: float | None,
    *,
    several: str = "",
) -> tuple[str | None, str | None]:
    """The row's platform and tier (given, or the one its ``followers`` fall in: where two
    tiers' bounds touch, the boundary value belongs to the higher tier), checked against
    ``pools``. ``followers``: the cell as :func:`number` read it. ``several``: for a
    campaign-level row (totals of several creators), their number as written."""
    columns = row.columns
    platform = row.text("platform")
    platform_ok = False
    if "platform" in columns:
        if platform is None:
            problems.append(
                Problem(
                    row.where("platform"),
                    f"empty: every row names its platform ({', '.join(pools.platforms)})",
                )
            )
        elif platform not in pools.platforms:
            problems.append(
                Problem(
                    row.where("platform"),
                    f"unknown platform {shown(platform)}{suggest(platform, pools.platforms)}; "
                    f"the scenario's priors know {', '.join(pools.platforms)}",
                )
            )
        else:
            platform_ok = True

    tier = row.text("tier")
    tier_ok = False
    if tier is not None:
        if tier not in pools.tiers:
            problems.append(
                Problem(
                    row.where("tier"),
                    f"unknown tier {shown(tier)}{suggest(tier, pools.tiers)}; the scenario's "
                    f"priors know {', '.join(pools.tiers)}",
                )
            )
        else:
            tier_ok = True

    followers_given = row.raw("followers") is not None
    if several and followers_given:
        problems.append(
            Problem(
                row.where("followers"),
                f"a campaign-level row (creators {several}) holds the totals of several "
                "creators: leave its followers empty and give its tier",
            )
        )
    elif tier is None and not followers_given and (set(POOL_COLUMNS) & set(columns)):
        column = "tier" if "tier" in columns or "followers" not in columns else "followers"
        if several:
            message = f"a campaign-level row (creators {several}) needs its tier"
            column = "tier"
        elif "tier" in columns and "followers" in columns:
            message = "empty: give the row's tier or its followers"
        else:
            message = f"empty: every row needs its {column}"
        if "tier" not in columns and several:
            message += ", and the file has no tier column"
        problems.append(Problem(row.where(column), message))
    elif followers is not None and not math.isnan(followers) and platform_ok:
        assert platform is not None
        tier = _tier_of(row, pools, problems, followers, platform, tier, tier_ok)
    return platform, tier


def _tier_of(
    row: Row,
    pools: Pools,
    problems: list[Problem],
    followers: float,
    platform: str,
    tier: str | None,
    tier_ok: bool,
) -> str | None:
    """The tier ``followers`` fall in, checked against the row's ``tier`` when it has one."""
    fits = pools.fits(followers, platform)
    if tier_ok:
        assert tier is not None
        bounds = pools.bounds(tier, platform)
        if bounds is not None and not bounds[0] <= followers <= bounds[1]:
            fit = f"; they fit {fits[-1][0]}" if fits else ""
            problems.append(
                Problem(
                    row.where("followers"),
                    f"{amount(followers)} followers lie outside tier {tier}'s bounds on "
                    f"{platform} ({amount(bounds[0])}-{amount(bounds[1])}), the row's "
                    f"tier{fit}",
                )
            )
    elif tier is None:
        if not fits:
            problems.append(
                Problem(
                    row.where("followers"),
                    f"{amount(followers)} followers lie outside every tier's bounds on "
                    f"{platform} ({pools.listing(platform)})",
                )
            )
        elif all(followers == high for _, _, high in fits[:-1]):
            tier = fits[-1][0]  # the higher of tiers whose bounds touch at this value
        else:
            problems.append(
                Problem(
                    row.where("followers"),
                    f"{amount(followers)} followers lie within the bounds of several tiers "
                    f"on {platform} ({', '.join(f[0] for f in fits)}): give the row's tier",
                )
            )
    return tier
