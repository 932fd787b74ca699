"""A roster file: the named creators a brand may book, and what they quote (MODEL.md §10).

A CSV (``.csv``, UTF-8, comma-separated) or an Excel workbook (``.xlsx``, its first sheet), one
row per candidate creator, with a header row. The columns, matched exactly (case too; spaces
around a name are ignored):

``creator``
    required: the creator's handle (``@beanlab``). Handles are compared in their canonical
    form (:func:`~campaign_sim.creators.handles.canonical_handle`: one leading ``@`` dropped,
    lower case), so ``@BeanLab`` and ``beanlab`` are one creator, and each creator has ONE row.
    A handle holds no ``/`` and no spaces.
``platform``
    required: a platform of the scenario's priors (``instagram``).
``tier`` | ``followers``
    at least one of them; both allowed, and then they must agree. ``followers`` is a whole
    number (empty: not known, drawn from the tier's prior); the row's tier is then the tier
    whose followers prior (its bounds, on the row's platform) holds it. Where two tiers'
    bounds touch (nano 1,000-10,000 and micro 10,000-100,000), the boundary value belongs to
    the HIGHER tier: 10,000 followers is micro. A stated tier agrees with followers inside its
    bounds, boundaries included (10,000 with ``nano`` agrees).
``deliverables``
    posts booked, whole, at least 1 (default 1).
``creators``
    optional, and 1 where given: a roster row is one creator.
``quoted_fee``
    the creator's fee for the row's deliverables (all of them, not per post), in the
    scenario's currency, at least 0. Required as a column unless the file gives a range
    (``fee_low`` and ``fee_high``); a cell may be empty where the fee is not known: the range
    then, or the pool's fee prior.
``fee_low``, ``fee_high``
    optional: a range for that fee (a quote still to be negotiated). Both or neither, in the
    file and in each row; ``fee_low`` at most ``fee_high``; a ``quoted_fee`` given with them
    lies inside the range.

Past results (``campaign``, ``product``, ``fee``, ``reach``, ``engagements``, ``orders``,
``revenue``: the history columns of an observed-creators file) are not read from a roster: a
:class:`InputWarning` says so, as they belong in the observed-creators file given to
``campaign-sim calibrate``. Other columns are not read either (a warning names them); a column
whose name is close to a roster column the file lacks (``quoted fee``, ``Creator``) is an error
with a did-you-mean instead. An empty cell is a value not known. Every problem of the file is
reported at once, in one :class:`InputError`, each at ``row N, column NAME`` with rows numbered
as in a spreadsheet (the header is row 1, the first data row 2).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign_sim.creators.handles import canonical_handle
from campaign_sim.creators.sheet import (
    Pools,
    Row,
    Sheet,
    amount,
    ignored,
    open_sheet,
    pool,
    read_table,
    warn_not_read,
)
from campaign_sim.errors import InputError, Problem, shown

if TYPE_CHECKING:  # pandas is imported when a file is read: loading a scenario stays light
    import pandas as pd

    from campaign_sim.scenario.plan import Prior

__all__ = ["FRAME_COLUMNS", "HISTORY_COLUMNS", "ROSTER_COLUMNS", "Roster", "read_roster"]

#: The columns a roster file may have, in the order of the documentation.
ROSTER_COLUMNS = (
    "creator",
    "platform",
    "tier",
    "followers",
    "deliverables",
    "creators",
    "quoted_fee",
    "fee_low",
    "fee_high",
)
#: The columns of an observed-creators file that a roster does not read: history.
HISTORY_COLUMNS = ("campaign", "product", "fee", "reach", "engagements", "orders", "revenue")
FEE_COLUMNS = ("quoted_fee", "fee_low", "fee_high")
#: The columns of :attr:`Roster.rows`.
FRAME_COLUMNS = (
    "row",
    "creator",
    "handle",
    "platform",
    "tier",
    "followers",
    "deliverables",
    *FEE_COLUMNS,
)
WHAT = "a roster file"


@dataclass(frozen=True, eq=False)
class Roster:
    """A roster file as read: one row of :attr:`rows` per candidate, in file order.

    ``rows`` columns: ``row`` (the spreadsheet row number), ``creator`` (the canonical
    handle), ``handle`` (as written), ``platform``, ``tier`` (given, or the one its followers
    fall in), ``followers`` (float, NaN when not known), ``deliverables`` (int),
    ``quoted_fee``, ``fee_low``, ``fee_high`` (float, NaN when not known; the fee of all the
    row's deliverables). ``sha256``: of the file's bytes; ``ignored_columns``: the columns not
    read (history columns first).
    """

    rows: pd.DataFrame
    path: Path
    sha256: str
    ignored_columns: tuple[str, ...] = ()

    @property
    def handles(self) -> tuple[str, ...]:
        """The candidates' canonical handles, in file order."""
        return tuple(self.rows["creator"])

    def __len__(self) -> int:
        return len(self.rows)


def read_roster(path: str | Path, priors: Sequence[Prior], platforms: Iterable[str] = ()) -> Roster:
    """Read and check a roster file against ``priors`` (their tiers, platforms and followers
    bounds; every tier of them) and the further ``platforms`` a row may name.

    Raises :class:`InputError` (its source the file) listing every problem; warns
    (:class:`InputWarning`) about columns it does not read.
    """
    path = Path(path)
    data, table = read_table(path, WHAT)
    pools = Pools(priors, platforms)
    problems: list[Problem] = []
    sheet = open_sheet(
        table,
        problems,
        read=ROSTER_COLUMNS,
        required=("platform", "creator"),
        unread=HISTORY_COLUMNS,
        rows_are="one row per candidate creator",
    )
    records: list[dict[str, Any]] = []
    if sheet is not None:
        _fee_columns(sheet, problems)
        first: dict[str, dict[str, Any]] = {}
        for row in sheet.rows():
            records.append(_row(row, pools, problems))
            _duplicate(records[-1], first, problems)
    if problems:
        raise InputError(path, problems)
    assert sheet is not None
    history = (
        ": a roster lists candidates to book; their past campaigns (history) go in the "
        "observed-creators file given to `campaign-sim calibrate`"
    )
    warn_not_read(path, sheet.unread, history)
    warn_not_read(path, sheet.ignored, ignored(WHAT, ROSTER_COLUMNS))
    return Roster(
        rows=_frame(records),
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        ignored_columns=sheet.unread + sheet.ignored,
    )


def _fee_columns(sheet: Sheet, problems: list[Problem]) -> None:
    """A quoted_fee column or a range; a range's two columns together."""
    has = {c: not sheet.missing(c) for c in FEE_COLUMNS}
    if not any(has.values()):  # half a range is the problem below
        fee = (
            " (its 'fee' column is a past campaign's fee, read from an observed-creators file: "
            "write the candidate's quote as quoted_fee)"
            if "fee" in sheet.unread
            else ""
        )
        problems.append(
            Problem(
                sheet.at("quoted_fee"),
                "missing: the file has no column 'quoted_fee' (the fee of each row's "
                "deliverables; leave a cell empty where it is not known) and no fee range "
                f"(fee_low and fee_high){fee}",
            )
        )
    for one, other in (("fee_low", "fee_high"), ("fee_high", "fee_low")):
        if one in sheet.columns and sheet.missing(other):
            problems.append(
                Problem(
                    sheet.at(one),
                    f"the file has a {one} column but no {other}: a fee range needs both "
                    "(or neither)",
                )
            )


def _row(row: Row, pools: Pools, problems: list[Problem]) -> dict[str, Any]:
    """One candidate checked: their values (placeholders where a cell is bad)."""
    counts = ("followers", "deliverables", "creators")
    numbers = {
        c: row.numeric(c, problems, whole=c in counts, one=c in counts[1:])
        for c in (*counts, *FEE_COLUMNS)
    }
    creators = numbers["creators"]
    if creators is not None and not math.isnan(creators) and creators != 1:
        problems.append(
            Problem(
                row.where("creators"),
                f"must be 1 (it is {amount(creators)}): a roster row is one creator; totals "
                "of several creators are history, for an observed-creators file",
            )
        )
    platform, tier = pool(row, pools, problems, numbers["followers"])
    handle = row.text("creator")
    creator = _handle(row, handle, problems)
    _fee_range(row, numbers, problems)
    deliverables = numbers["deliverables"]
    return {
        "row": row.number,
        "creator": creator,
        "handle": handle,
        "platform": platform,
        "tier": tier,
        **{c: math.nan if numbers[c] is None else numbers[c] for c in ("followers", *FEE_COLUMNS)},
        "deliverables": 1 if deliverables is None or math.isnan(deliverables) else deliverables,
    }


def _handle(row: Row, handle: str | None, problems: list[Problem]) -> str | None:
    """The canonical handle, or None (the problem recorded)."""
    if handle is None:
        if "creator" in row.columns:
            problems.append(
                Problem(row.where("creator"), "empty: every row names its creator (@handle)")
            )
        return None
    creator = canonical_handle(handle)
    why = ""
    if not creator:
        why = "is no handle: nothing is left without its '@'"
    elif "/" in creator:
        why = "holds a '/': give the handle alone (@beanlab), not a link or a path"
    elif any(c.isspace() for c in creator):
        why = "holds a space: a handle is one word (@beanlab); one creator a row"
    if why:
        problems.append(Problem(row.where("creator"), f"{shown(handle)} {why}"))
        return None
    return creator


def _fee_range(row: Row, numbers: dict[str, float | None], problems: list[Problem]) -> None:
    """Both ends of a range or neither; low <= high; the quote inside."""
    quote, low, high = (numbers[c] for c in FEE_COLUMNS)
    if low is None or high is None or (math.isnan(low) and math.isnan(high)):
        return  # a bad cell (already reported), or no range
    if math.isnan(low) != math.isnan(high):
        empty, given = ("fee_low", "fee_high") if math.isnan(low) else ("fee_high", "fee_low")
        if {"fee_low", "fee_high"} <= set(row.columns):
            problems.append(
                Problem(
                    row.where(empty),
                    f"empty while {given} is given: a fee range needs both ends (or neither)",
                )
            )
    elif low > high:
        problems.append(
            Problem(
                row.where("fee_high"),
                f"{amount(high)} is below the row's fee_low {amount(low)}: the range is reversed?",
            )
        )
    elif quote is not None and not math.isnan(quote) and not low <= quote <= high:
        problems.append(
            Problem(
                row.where("quoted_fee"),
                f"{amount(quote)} lies outside the row's fee range ({amount(low)}-"
                f"{amount(high)}, fee_low-fee_high)",
            )
        )


def _duplicate(
    record: dict[str, Any], first: dict[str, dict[str, Any]], problems: list[Problem]
) -> None:
    """One row per creator: ``record``'s handle against the rows before (``first``, by
    canonical handle), compared canonically."""
    creator = record["creator"]
    if creator is None:
        return
    seen = first.setdefault(creator, record)
    if seen is not record:
        same = "" if seen["handle"] == record["handle"] else f" ({shown(seen['handle'])})"
        problems.append(
            Problem(
                f"row {record['row']}, column creator",
                f"{shown(record['handle'])} is the creator of row {seen['row']}{same} again "
                "(handles match without a leading '@' and case): one row per creator",
            )
        )


def _frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_records(list(records), columns=list(FRAME_COLUMNS))
    return frame.astype(
        {
            "row": "int64",
            "deliverables": "int64",
            **{c: "float64" for c in ("followers", *FEE_COLUMNS)},
        }
    )
