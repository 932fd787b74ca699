"""Roster files read right (campaign_sim.creators.roster, issue 15): CSV and XLSX give the
same candidates, handles in canonical form, defaults for empty cells, the tier from followers
(a boundary value belongs to the higher tier), fee ranges, and warnings for the columns a
roster does not read (history, which belongs in an observed-creators file, and others)."""

from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT

from campaign_sim.creators.roster import (
    FRAME_COLUMNS,
    HISTORY_COLUMNS,
    ROSTER_COLUMNS,
    Roster,
    read_roster,
)
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_scenario
from campaign_sim.scenario.warnings import InputWarning

pytestmark = pytest.mark.exact

PRIORS = load_scenario(ROOT / "scenarios/coffee-launch.yaml").priors

#: A roster as typed in a spreadsheet: the header, then one candidate a row (None: empty).
SHEET: list[list[object]] = [
    ["creator", "platform", "tier", "followers", "deliverables", "quoted_fee"]
    + ["fee_low", "fee_high"],
    ["@BeanLab", "instagram", "nano", 5000, 2, 8000, None, None],
    ["kopi.kat", "instagram", None, 10000, None, 12000.5, 11000, 14000],
    [" @Slow_Brew ", "tiktok", "micro", None, 3, None, 20000, 30000],
    ["roastery", "youtube", None, 999999, 1, 0, None, None],
    ["MILK_FOAM", "instagram", "mid", None, None, None, None, None],
]


def _csv(path: Path, sheet: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["" if v is None else v for v in row] for row in sheet])
    return path


def _xlsx(path: Path, sheet: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in sheet:
        book.active.append(row)
    book.create_sheet("notes").append(["creator", "not read"])
    book.save(path)
    return path


def test_csv_rows_handles_and_defaults(tmp_path: Path) -> None:
    path = _csv(tmp_path / "roster.csv", SHEET)
    roster = read_roster(path, PRIORS)
    assert isinstance(roster, Roster) and len(roster) == 5
    rows = roster.rows
    assert tuple(rows.columns) == FRAME_COLUMNS
    assert list(rows["row"]) == [2, 3, 4, 5, 6]
    # Canonical handles (no "@", lower case); the handle as written, stripped.
    assert roster.handles == ("beanlab", "kopi.kat", "slow_brew", "roastery", "milk_foam")
    assert list(rows["creator"]) == list(roster.handles)
    assert list(rows["handle"]) == ["@BeanLab", "kopi.kat", "@Slow_Brew", "roastery", "MILK_FOAM"]
    assert list(rows["platform"]) == ["instagram", "instagram", "tiktok", "youtube", "instagram"]
    # The tier from followers: 10,000 touches nano and micro (the higher); 999,999 is macro.
    assert list(rows["tier"]) == ["nano", "micro", "micro", "macro", "mid"]
    assert list(rows["deliverables"]) == [2, 1, 3, 1, 1]
    followers = rows["followers"].tolist()
    assert followers[:2] == [5000, 10000] and followers[3] == 999999
    assert math.isnan(followers[2]) and math.isnan(followers[4])
    quoted = rows["quoted_fee"].tolist()
    assert quoted[0] == 8000 and quoted[1] == 12000.5 and quoted[3] == 0
    assert math.isnan(quoted[2]) and math.isnan(quoted[4])
    assert rows["fee_low"].tolist()[1:3] == [11000, 20000]
    assert rows["fee_high"].tolist()[1:3] == [14000, 30000]
    assert rows[["fee_low", "fee_high"]].iloc[[0, 3, 4]].isna().all().all()
    for column in ("followers", "quoted_fee", "fee_low", "fee_high"):
        assert rows[column].dtype == "float64"
    for column in ("row", "deliverables"):
        assert rows[column].dtype == "int64"
    assert roster.path == path
    assert roster.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert roster.ignored_columns == ()


def test_csv_and_xlsx_give_the_same_rows(tmp_path: Path) -> None:
    from_csv = read_roster(_csv(tmp_path / "roster.csv", SHEET), PRIORS)
    from_xlsx = read_roster(_xlsx(tmp_path / "roster.xlsx", SHEET), PRIORS)
    pd.testing.assert_frame_equal(from_csv.rows, from_xlsx.rows)
    assert from_csv.handles == from_xlsx.handles
    assert from_csv.sha256 != from_xlsx.sha256  # of each file's own bytes


def test_xlsx_numbers_as_text_and_a_numeric_handle(tmp_path: Path) -> None:
    """A spreadsheet cell holding a number as text is read as the number; a handle typed as a
    number is its text."""
    sheet = [["creator", "platform", "tier", "quoted_fee"], [12345, "instagram", "nano", "8000"]]
    roster = read_roster(_xlsx(tmp_path / "roster.xlsx", sheet), PRIORS)
    assert roster.handles == ("12345",)
    assert roster.rows["quoted_fee"][0] == 8000


def test_minimal_columns_spaces_and_blank_lines(tmp_path: Path) -> None:
    """creator, platform, followers and a range only; spaces around names and values are
    ignored; an uppercase extension is accepted; blank lines keep the spreadsheet's row
    numbers; the columns may come in any order."""
    path = tmp_path / "ROSTER.CSV"
    path.write_text(
        " fee_high , followers ,creator, platform,fee_low\n"
        "900, 2500 ,@a ,instagram,500\n\n1000,50000,B,tiktok,1000\n",
        encoding="utf-8",
    )
    roster = read_roster(path, PRIORS)
    assert list(roster.rows["row"]) == [2, 4]
    assert roster.handles == ("a", "b")
    assert list(roster.rows["tier"]) == ["nano", "micro"]
    assert roster.rows["fee_low"].tolist() == [500, 1000]
    assert roster.rows["fee_high"].tolist() == [900, 1000]
    assert roster.rows["quoted_fee"].isna().all()


def test_tier_and_followers_agree_at_a_boundary(tmp_path: Path) -> None:
    sheet = [
        ["creator", "platform", "tier", "followers", "quoted_fee"],
        ["a", "instagram", "nano", 10000, 1],
        ["b", "instagram", "micro", 10000, 1],
        ["c", "instagram", None, 1000, 1],
        ["d", "instagram", None, 5000000, 1],
    ]
    roster = read_roster(_csv(tmp_path / "roster.csv", sheet), PRIORS)
    assert list(roster.rows["tier"]) == ["nano", "micro", "nano", "macro"]


def test_creators_one_and_a_quote_at_a_range_end(tmp_path: Path) -> None:
    """A ``creators`` column is allowed where it says 1 (or is empty); a quote may sit on an
    end of its range, and a range may be one value."""
    sheet = [
        ["creator", "platform", "tier", "creators", "quoted_fee", "fee_low", "fee_high"],
        ["a", "instagram", "nano", 1, 100, 100, 200],
        ["b", "instagram", "nano", None, 200, 100, 200],
        ["c", "instagram", "nano", 1, 150, 150, 150],
    ]
    roster = read_roster(_csv(tmp_path / "roster.csv", sheet), PRIORS)
    assert roster.rows["quoted_fee"].tolist() == [100, 200, 150]
    assert "creators" not in roster.rows.columns


def test_history_columns_warn_that_they_belong_in_the_observed_file(tmp_path: Path) -> None:
    sheet = [
        ["creator", "platform", "tier", "quoted_fee", "orders", "campaign", "revenue"],
        ["a", "instagram", "nano", 100, 3, "spring", 900],
    ]
    with pytest.warns(InputWarning, match=r"'orders', 'campaign', 'revenue' not read") as caught:
        roster = read_roster(_csv(tmp_path / "roster.csv", sheet), PRIORS)
    message = str(caught[0].message)
    assert "roster.csv" in message
    assert "observed-creators file given to `campaign-sim calibrate`" in message
    assert len(caught) == 1
    assert roster.ignored_columns == ("orders", "campaign", "revenue")
    assert tuple(roster.rows.columns) == FRAME_COLUMNS


def test_every_history_column_is_known(tmp_path: Path) -> None:
    """Each history column is recognised (no did-you-mean error: ``fee`` is close to
    ``fee_low``, and still a history column)."""
    sheet = [["creator", "platform", "tier", "quoted_fee", *HISTORY_COLUMNS]]
    sheet.append(["a", "instagram", "nano", 100, "1", "beans", 90, 10, 5, 1, 100])
    with pytest.warns(InputWarning, match="history") as caught:
        roster = read_roster(_csv(tmp_path / "roster.csv", sheet), PRIORS)
    assert len(caught) == 1
    assert roster.ignored_columns == HISTORY_COLUMNS


def test_other_columns_warn_and_are_ignored(tmp_path: Path) -> None:
    sheet = [
        ["creator", "platform", "tier", "quoted_fee", "notes", "", "fee"],
        ["a", "instagram", "nano", 100, "great", "x", 90],
    ]
    with pytest.warns(InputWarning) as caught:
        roster = read_roster(_csv(tmp_path / "roster.csv", sheet), PRIORS)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2
    assert "'fee' not read" in messages[0] and "history" in messages[0]
    assert "'(unnamed column F)', 'notes' not read (ignored)" in messages[1]
    assert "a roster file reads " + ", ".join(ROSTER_COLUMNS) in messages[1]
    assert roster.ignored_columns == ("fee", "(unnamed column F)", "notes")


def test_a_platform_given_besides_the_priors(tmp_path: Path) -> None:
    """``platforms``: further platform names a row may give (a scenario's groups'); tiers
    then take the platform-wide followers bounds."""
    sheet = [["creator", "platform", "followers", "quoted_fee"], ["a", "threads", 20000, 5]]
    path = _csv(tmp_path / "roster.csv", sheet)
    roster = read_roster(path, PRIORS, platforms=["threads"])
    assert list(roster.rows["tier"]) == ["micro"]
    with pytest.raises(InputError, match="unknown platform 'threads'"):
        read_roster(path, PRIORS)
