"""The observed-creators file of a calibration: what past creators cost and brought (MODEL.md §9).

A CSV (``.csv``, UTF-8, comma-separated) or an Excel workbook (``.xlsx``, its first sheet), one
row per creator per past campaign, with a header row. The columns, matched exactly (case too;
spaces around a name are ignored):

``platform``
    required: a platform of the scenario's priors (``instagram``).
``tier`` | ``followers``
    at least one of them; both allowed, and then they must agree. ``followers`` is a whole
    number; the row's tier is then the tier whose followers prior (its bounds, on the row's
    platform) holds it. Where two tiers' bounds touch (nano 1,000-10,000 and micro
    10,000-100,000), the boundary value belongs to the HIGHER tier: 10,000 followers is micro.
    A stated tier agrees with followers inside its bounds, boundaries included (10,000 with
    ``nano`` agrees).
``campaign``
    which past campaign (text, default ``1``; ``01`` stays ``01``).
``product``
    the product the campaign promoted (default: the scenario's name).
``creator``
    who (optional): a name or handle.
``deliverables``
    posts delivered, whole, at least 1 (default 1).
``creators``
    whole, at least 1 (default 1). 2 or more makes a CAMPAIGN-LEVEL row: the totals of that
    many creators of the tier and platform in the campaign (fee = their fees in total, orders,
    revenue, optionally reach and engagements); its ``followers`` are left empty.
``fee``, ``revenue``
    amounts in the scenario's currency, at least 0.
``reach``, ``engagements``, ``orders``
    whole numbers, at least 0; orders no more than engagements.

An empty cell is a value not known. Other columns are not read: a :class:`InputWarning`
names them; a column whose name is close to a known column the file lacks (``engagement``,
``Platfrom``) is an error with a did-you-mean instead, since it is almost surely that column
misspelt. Every problem of the file is reported at once, in one :class:`InputError`, each at
``row N, column NAME`` with rows numbered as in a spreadsheet (the header is row 1, the first
data row 2).
"""

from __future__ import annotations

import csv
import datetime
import difflib
import hashlib
import io
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim.errors import InputError, Problem, shown
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.reading import MAX_FILE_BYTES
from campaign_sim.scenario.strict import suggest
from campaign_sim.scenario.warnings import InputWarning

__all__ = ["COLUMNS", "FRAME_COLUMNS", "HUGE", "Observed", "read_observed"]

#: The columns an observed-creators file may have, in the order of the documentation.
COLUMNS = (
    "platform",
    "tier",
    "followers",
    "campaign",
    "product",
    "creator",
    "deliverables",
    "creators",
    "fee",
    "reach",
    "engagements",
    "orders",
    "revenue",
)
TEXT_COLUMNS = ("platform", "tier", "campaign", "product", "creator")
#: Whole numbers.
COUNT_COLUMNS = ("followers", "deliverables", "creators", "reach", "engagements", "orders")
MONEY_COLUMNS = ("fee", "revenue")
NUMBER_COLUMNS = COUNT_COLUMNS + MONEY_COLUMNS
#: Numbers above this (counts and amounts alike) are refused as implausible: a typo.
HUGE = 1e12
#: The columns of :attr:`Observed.rows`.
FRAME_COLUMNS = ("row", *COLUMNS)
EXTENSIONS = (".csv", ".xlsx")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class Observed:
    """An observed-creators file as read: one row of :attr:`rows` per data row.

    ``rows`` columns: ``row`` (the spreadsheet row number), ``platform``, ``tier`` (given, or
    the one its followers fall in), ``followers`` (float, NaN when not given), ``campaign``
    (text), ``product`` (text; the scenario's name when not given), ``creator`` (text or
    None), ``deliverables`` and ``creators`` (int), ``fee``, ``reach``, ``engagements``,
    ``orders``, ``revenue`` (float, NaN when missing). ``sha256``: of the file's bytes;
    ``ignored_columns``: the columns not read.
    """

    rows: pd.DataFrame
    path: Path
    sha256: str
    ignored_columns: tuple[str, ...] = ()

    @property
    def creator_rows(self) -> pd.DataFrame:
        """The rows of one creator each (``creators == 1``)."""
        return self.rows[self.rows["creators"] == 1]

    @property
    def campaign_rows(self) -> pd.DataFrame:
        """The campaign-level rows: totals of several creators of a pool (``creators >= 2``)."""
        return self.rows[self.rows["creators"] >= 2]

    def __len__(self) -> int:
        return len(self.rows)


def read_observed(path: str | Path, scenario: Scenario) -> Observed:
    """Read and check an observed-creators file against ``scenario``'s priors (its tiers,
    platforms and followers bounds: every tier of the priors, used or not).

    Raises :class:`InputError` listing every problem; warns (:class:`InputWarning`) about
    columns it does not read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise InputError.single(
            path,
            "(file)",
            f"an observed-creators file is a .csv or .xlsx file, not {shown(suffix or path.name)}",
        )
    data = _read_bytes(path)
    table = _read_csv(path, data) if suffix == ".csv" else _read_xlsx(path, data)
    observed, problems, ignored = _check(path, table, _Priors(scenario), scenario.name)
    if problems:
        raise InputError(path, problems)
    assert observed is not None
    if ignored:
        plural = "s" if len(ignored) > 1 else ""
        warnings.warn(
            f"{path}: column{plural} {', '.join(shown(c) for c in ignored)} not read "
            f"(ignored); an observed-creators file reads {', '.join(COLUMNS)}",
            InputWarning,
            stacklevel=2,
        )
    return Observed(
        rows=observed,
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        ignored_columns=tuple(ignored),
    )


# -- reading cells -------------------------------------------------------------------------


#: Rows as read: (spreadsheet row number, cells); a cell is None (empty), text, or a number.
_Table = list[tuple[int, list[Any]]]


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


def _read_csv(path: Path, data: bytes) -> _Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(
            path, "(file)", f"not UTF-8 text (byte {exc.start + 1}): save the file as UTF-8 CSV"
        ) from None
    if "\x00" in text:
        raise InputError.single(path, "(file)", "not a CSV table (it holds NUL bytes)")
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError.single(path, "(file)", f"not a well-formed CSV table: {exc}") from None
    return [(number, [_cell(c) for c in record]) for number, record in enumerate(records, 1)]


def _read_xlsx(path: Path, data: bytes) -> _Table:
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
            (number, [_cell(c) for c in record])
            for number, record in enumerate(sheet.iter_rows(values_only=True), 1)
        ]
    finally:
        book.close()


def _letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: a spreadsheet's column letter."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("A") + rest) + out
    return out


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _amount(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


# -- the scenario's tiers and platforms ----------------------------------------------------


class _Priors:
    """The tiers, platforms and followers bounds of a scenario's priors."""

    def __init__(self, scenario: Scenario) -> None:
        self.tiers = list(dict.fromkeys(p.tier for p in scenario.priors))
        platforms = [p.platform for p in scenario.priors if p.platform is not None]
        platforms += [g.platform for g in scenario.groups]
        self.platforms = sorted(set(platforms))
        self._followers: dict[tuple[str, str | None], tuple[float, float]] = {}
        for prior in scenario.priors:
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
                parts.append(f"{tier} {_amount(bounds[0])}-{_amount(bounds[1])}")
        return ", ".join(parts)


# -- checking ------------------------------------------------------------------------------


def _header(
    header_row: int, cells: list[Any], width: int, body: _Table, problems: list[Problem]
) -> tuple[dict[str, int], list[str]]:
    """The known columns' positions and the names of the ignored ones."""
    names = [_text(c) or "" for c in cells] + [""] * (width - len(cells))
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
    columns = {n: i for n, i in seen.items() if n in COLUMNS}
    absent = [c for c in COLUMNS if c not in columns]
    explained: set[str] = set()
    for name in seen:
        if name in COLUMNS:
            continue
        match = difflib.get_close_matches(name, absent, n=1, cutoff=0.6) if len(name) <= 100 else []
        if not match:
            ignored.append(name)
            continue
        explained.add(match[0])
        required = " (a required column)" if match[0] == "platform" else ""
        problems.append(
            Problem(
                f"row {header_row}, column {name}",
                f"unknown column {shown(name)}{suggest(name, absent)}{required}; column names "
                "are matched exactly, case too",
            )
        )
    hint = ""
    if len(seen) == 1 and any(mark in next(iter(seen)) for mark in ";\t"):
        hint = (
            f" (the header is one cell, {shown(next(iter(seen)))}: is the file separated by "
            "semicolons or tabs? save it as comma-separated CSV)"
        )
    if "platform" not in columns and "platform" not in explained:
        problems.append(
            Problem(
                f"row {header_row}, column platform",
                f"missing: the file has no column 'platform', which is required{hint}",
            )
        )
    if not ({"tier", "followers"} & (set(columns) | explained)):
        problems.append(
            Problem(
                f"row {header_row}, column tier",
                "missing: the file has neither a 'tier' nor a 'followers' column; it needs one "
                "of them (or both)" + ("" if "platform" not in columns else hint),
            )
        )
    return columns, ignored


def _number(value: Any, where: str, column: str, problems: list[Problem]) -> float | None:
    """The cell as a float (NaN when empty), or None when it is not a valid value (the
    problem recorded)."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        problems.append(Problem(where, f"should be a number, not {_text(value)}"))
        return None
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        problems.append(Problem(where, f"should be a number, not a date or time ({value})"))
        return None
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            problems.append(Problem(where, f"{number} is not a finite number"))
            return None
    else:
        text = str(value)
        if _NON_FINITE.fullmatch(text):
            problems.append(
                Problem(
                    where,
                    f"{shown(text)} is not a finite number: write a number, or leave the cell "
                    "empty when it is not known",
                )
            )
            return None
        if not _NUMBER.fullmatch(text):
            why = ""
            if re.fullmatch(r"[+-]?[\d,]+(?:\.\d*)?", text):
                why = ": write it without thousands separators (1234.5)"
            elif text.endswith("%"):
                why = ": write a count or an amount, not a percentage"
            problems.append(Problem(where, f"should be a number, not the text {shown(text)}{why}"))
            return None
        number = float(text)
        if not math.isfinite(number):
            problems.append(Problem(where, f"{shown(text)} is too large to be a finite number"))
            return None
    if number < 0:
        problems.append(Problem(where, f"must not be negative (it is {_amount(number)})"))
        return None
    if column in COUNT_COLUMNS and not number.is_integer():
        problems.append(
            Problem(where, f"must be a whole number of {column} (it is {_amount(number)})")
        )
        return None
    if column in ("deliverables", "creators") and number < 1:
        problems.append(Problem(where, f"must be at least 1 (it is {_amount(number)})"))
        return None
    if number > HUGE:
        problems.append(
            Problem(
                where,
                f"{_amount(number)} is implausibly large (more than {_amount(HUGE)}): a typo?",
            )
        )
        return None
    return number


def _row(
    number: int,
    cells: list[Any],
    columns: dict[str, int],
    priors: _Priors,
    product: str,
    problems: list[Problem],
) -> dict[str, Any]:
    """One data row checked: its values (placeholders where a cell is bad)."""

    def where(column: str) -> str:
        return f"row {number}, column {column}"

    def raw(column: str) -> Any:
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) else None

    text = {c: _text(raw(c)) for c in TEXT_COLUMNS}
    values = {c: _number(raw(c), where(c), c, problems) for c in NUMBER_COLUMNS if c in columns}
    value = {c: values.get(c, math.nan) for c in NUMBER_COLUMNS}

    platform = text["platform"]
    platform_ok = False
    if "platform" in columns:
        if platform is None:
            problems.append(
                Problem(
                    where("platform"),
                    f"empty: every row names its platform ({', '.join(priors.platforms)})",
                )
            )
        elif platform not in priors.platforms:
            problems.append(
                Problem(
                    where("platform"),
                    f"unknown platform {shown(platform)}{suggest(platform, priors.platforms)}; "
                    f"the scenario's priors know {', '.join(priors.platforms)}",
                )
            )
        else:
            platform_ok = True

    tier = text["tier"]
    tier_ok = False
    if tier is not None:
        if tier not in priors.tiers:
            problems.append(
                Problem(
                    where("tier"),
                    f"unknown tier {shown(tier)}{suggest(tier, priors.tiers)}; the scenario's "
                    f"priors know {', '.join(priors.tiers)}",
                )
            )
        else:
            tier_ok = True

    creators = value["creators"] if "creators" in values else 1.0
    campaign_level = creators is not None and not math.isnan(creators) and creators >= 2
    several = _amount(creators) if campaign_level and creators is not None else ""
    followers = value["followers"]
    followers_given = raw("followers") is not None
    if campaign_level and followers_given:
        problems.append(
            Problem(
                where("followers"),
                f"a campaign-level row (creators {several}) holds the totals of several "
                "creators: leave its followers empty and give its tier",
            )
        )
    elif tier is None and not followers_given and ({"tier", "followers"} & set(columns)):
        column = "tier" if "tier" in columns or "followers" not in columns else "followers"
        if campaign_level:
            message = f"a campaign-level row (creators {several}) needs its tier"
            column = "tier"
        elif "tier" in columns and "followers" in columns:
            message = "empty: give the row's tier or its followers"
        else:
            message = f"empty: every row needs its {column}"
        if "tier" not in columns and campaign_level:
            message += ", and the file has no tier column"
        problems.append(Problem(where(column), message))
    elif followers is not None and not math.isnan(followers) and platform_ok:
        assert platform is not None
        fits = priors.fits(followers, platform)
        if tier_ok:
            assert tier is not None
            bounds = priors.bounds(tier, platform)
            if bounds is not None and not bounds[0] <= followers <= bounds[1]:
                fit = f"; they fit {fits[-1][0]}" if fits else ""
                problems.append(
                    Problem(
                        where("followers"),
                        f"{_amount(followers)} followers lie outside tier {tier}'s bounds on "
                        f"{platform} ({_amount(bounds[0])}-{_amount(bounds[1])}), the row's "
                        f"tier{fit}",
                    )
                )
        elif tier is None:
            if not fits:
                problems.append(
                    Problem(
                        where("followers"),
                        f"{_amount(followers)} followers lie outside every tier's bounds on "
                        f"{platform} ({priors.listing(platform)})",
                    )
                )
            elif all(followers == high for _, _, high in fits[:-1]):
                tier = fits[-1][0]  # the higher of tiers whose bounds touch at this value
            else:
                problems.append(
                    Problem(
                        where("followers"),
                        f"{_amount(followers)} followers lie within the bounds of several tiers "
                        f"on {platform} ({', '.join(f[0] for f in fits)}): give the row's tier",
                    )
                )

    orders, engagements, revenue = value["orders"], value["engagements"], value["revenue"]
    if orders is not None and engagements is not None and orders > engagements:
        problems.append(
            Problem(
                where("orders"),
                f"{_amount(orders)} orders exceed the row's {_amount(engagements)} engagements",
            )
        )
    if revenue is not None and orders is not None and revenue > 0 and orders == 0:
        problems.append(
            Problem(where("revenue"), f"revenue {_amount(revenue)} with 0 orders: one is wrong")
        )

    def whole(column: str) -> int:
        got = value[column]
        return 1 if got is None or math.isnan(got) else int(got)

    return {
        "_cells": tuple(_text(raw(c)) for c in COLUMNS),  # as written: for identical rows
        "row": number,
        "platform": platform,
        "tier": tier,
        "followers": math.nan if followers is None else followers,
        "campaign": text["campaign"] if text["campaign"] is not None else "1",
        "product": text["product"] if text["product"] is not None else product,
        "creator": text["creator"],
        "deliverables": whole("deliverables"),
        "creators": whole("creators"),
        **{c: math.nan if value[c] is None else value[c] for c in NUMBER_COLUMNS[-5:]},
    }


def _duplicates(records: Sequence[dict[str, Any]], problems: list[Problem]) -> None:
    """Rows entered twice: identical rows (every known column's cell as written), the same
    creator twice in a campaign on a platform, two campaign-level rows of one pool in a
    campaign."""
    identical: dict[tuple[Any, ...], int] = {}
    creators: dict[tuple[Any, ...], int] = {}
    pools: dict[tuple[Any, ...], int] = {}
    for record in records:
        number = record["row"]
        whole = record["_cells"]
        first = identical.setdefault(whole, number)
        if first != number:
            problems.append(
                Problem(f"row {number}", f"is identical to row {first}: a row entered twice?")
            )
            continue
        campaign, platform = record["campaign"], record["platform"]
        if record["creator"] is not None:
            key = (campaign, platform, record["creator"])
            first = creators.setdefault(key, number)
            if first != number:
                problems.append(
                    Problem(
                        f"row {number}, column creator",
                        f"creator {shown(record['creator'])} on {platform} in campaign "
                        f"{shown(campaign)} already has row {first}: one row per creator per "
                        "campaign",
                    )
                )
        elif record["creators"] >= 2:
            key = (campaign, platform, record["tier"])
            first = pools.setdefault(key, number)
            if first != number:
                problems.append(
                    Problem(
                        f"row {number}, column creators",
                        f"a second campaign-level row of {record['tier']}/{platform} in campaign "
                        f"{shown(campaign)} (the first is row {first}): give one row of totals "
                        "per tier, platform and campaign",
                    )
                )


def _check(
    path: Path, table: _Table, priors: _Priors, product: str
) -> tuple[pd.DataFrame | None, list[Problem], list[str]]:
    problems: list[Problem] = []
    filled = [(n, cells) for n, cells in table if any(c is not None for c in cells)]
    if not filled:
        return None, [Problem("(file)", "is empty: no header and no rows")], []
    (header_row, header), body = filled[0], filled[1:]
    width = max(len(cells) for _, cells in filled)
    columns, ignored = _header(header_row, header, width, body, problems)
    if not body:
        problems.append(
            Problem(
                f"row {header_row}",
                "the file has a header but no data rows: give one row per creator per campaign",
            )
        )
        return None, problems, ignored
    records = [_row(n, cells, columns, priors, product, problems) for n, cells in body]
    _duplicates(records, problems)
    if problems:
        return None, problems, ignored
    records = [{k: v for k, v in r.items() if k != "_cells"} for r in records]
    frame = pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS))
    frame = frame.astype(
        {
            "row": "int64",
            "deliverables": "int64",
            "creators": "int64",
            **{c: "float64" for c in ("followers", "fee", "reach", "engagements")},
            **{c: "float64" for c in ("orders", "revenue")},
        }
    )
    frame["creator"] = frame["creator"].astype(object).where(frame["creator"].notna(), None)
    return frame, problems, ignored
