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

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim.creators.sheet import (
    HUGE,
    Pools,
    Row,
    amount,
    ignored,
    open_sheet,
    pool,
    read_table,
    warn_not_read,
)
from campaign_sim.errors import InputError, Problem, shown
from campaign_sim.scenario.plan import Scenario

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
#: The columns of :attr:`Observed.rows`.
FRAME_COLUMNS = ("row", *COLUMNS)
WHAT = "an observed-creators file"


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
    data, table = read_table(path, WHAT)
    pools = Pools(scenario.priors, (g.platform for g in scenario.groups))
    problems: list[Problem] = []
    sheet = open_sheet(
        table,
        problems,
        read=COLUMNS,
        required=("platform",),
        rows_are="one row per creator per campaign",
    )
    records = (
        [] if sheet is None else [_row(r, pools, scenario.name, problems) for r in sheet.rows()]
    )
    _duplicates(records, problems)
    if problems:
        raise InputError(path, problems)
    assert sheet is not None
    warn_not_read(path, sheet.ignored, ignored(WHAT, COLUMNS))
    return Observed(
        rows=_frame(records),
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        ignored_columns=sheet.ignored,
    )


# -- checking ------------------------------------------------------------------------------


def _row(row: Row, pools: Pools, product: str, problems: list[Problem]) -> dict[str, Any]:
    """One data row checked: its values (placeholders where a cell is bad)."""
    text = {c: row.text(c) for c in TEXT_COLUMNS}
    values = {
        c: row.numeric(c, problems, whole=c in COUNT_COLUMNS, one=c in ("deliverables", "creators"))
        for c in NUMBER_COLUMNS
        if c in row.columns
    }
    value = {c: values.get(c, math.nan) for c in NUMBER_COLUMNS}
    creators = value["creators"] if "creators" in values else 1.0
    campaign_level = creators is not None and not math.isnan(creators) and creators >= 2
    several = amount(creators) if campaign_level and creators is not None else ""
    followers = value["followers"]
    platform, tier = pool(row, pools, problems, followers, several=several)

    orders, engagements, revenue = value["orders"], value["engagements"], value["revenue"]
    if orders is not None and engagements is not None and orders > engagements:
        problems.append(
            Problem(
                row.where("orders"),
                f"{amount(orders)} orders exceed the row's {amount(engagements)} engagements",
            )
        )
    if revenue is not None and orders is not None and revenue > 0 and orders == 0:
        problems.append(
            Problem(row.where("revenue"), f"revenue {amount(revenue)} with 0 orders: one is wrong")
        )

    def whole(column: str) -> int:
        got = value[column]
        return 1 if got is None or math.isnan(got) else int(got)

    return {
        "_cells": tuple(row.text(c) for c in COLUMNS),  # as written: for identical rows
        "row": row.number,
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


def _frame(records: Sequence[dict[str, Any]]) -> pd.DataFrame:
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
    return frame
