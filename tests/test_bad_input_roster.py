"""Bad roster files (issue 15): one case per class of mistake, each an InputError whose source
is the roster file, naming the row (as in a spreadsheet: the header is row 1) and the column,
with the user's words and a did-you-mean where one helps; every problem of a file at once."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from helpers import ROOT

from campaign_sim.creators.roster import read_roster
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_scenario

pytestmark = pytest.mark.exact

PRIORS = load_scenario(ROOT / "scenarios/coffee-launch.yaml").priors

HEADER = "creator,platform,tier,followers,deliverables,quoted_fee,fee_low,fee_high"
FIRST = "@bean,instagram,nano,5000,1,8000,,"


def _roster(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, FIRST, *rows]) + "\n"


#: A bad row after a good one (row 3): case -> (the row, its bad column, message fragments).
ROW_CASES: dict[str, tuple[str, ...]] = {
    # handles
    "duplicate-handle": (
        "bean,instagram,nano,6000,1,9000,,",
        "creator",
        "'bean' is the creator of row 2 ('@bean') again",
    ),
    "duplicate-handle-by-case": ("@BEAN,tiktok,micro,,1,9000,,", "creator", "one row per creator"),
    "duplicate-handle-as-written": (
        "@bean,tiktok,micro,,1,9000,,",
        "creator",
        "'@bean' is the creator of row 2 again",
    ),
    "empty-handle": (",instagram,nano,5000,1,8000,,", "creator", "empty"),
    "only-an-at": ("@,instagram,nano,5000,1,8000,,", "creator", "'@' is no handle"),
    "handle-with-a-space": (
        "kopi kat,instagram,nano,,1,1,,",
        "creator",
        "'kopi kat' holds a space",
    ),
    "handle-with-a-tab": ('"kopi\tkat",instagram,nano,,1,1,,', "creator", "holds a space"),
    "handle-a-link": ("instagram.com/kat,instagram,nano,,1,1,,", "creator", "'/'", "not a link"),
    # platform, tier, followers
    "unknown-platform": (
        "kat,Instagram,nano,5000,1,8000,,",
        "platform",
        "unknown platform 'Instagram'",
        "did you mean 'instagram'?",
    ),
    "empty-platform": ("kat,,nano,5000,1,8000,,", "platform", "empty"),
    "unknown-tier": (
        "kat,instagram,nan0,5000,1,8000,,",
        "tier",
        "unknown tier 'nan0'",
        "did you mean 'nano'?",
    ),
    "no-tier-nor-followers": ("kat,instagram,,,1,8000,,", "tier", "tier or its followers"),
    "followers-below-every-tier": (
        "kat,instagram,,500,1,8000,,",
        "followers",
        "outside every tier",
        "nano 1,000-10,000",
    ),
    "followers-above-every-tier": (
        "kat,tiktok,,9000000,1,8000,,",
        "followers",
        "outside every tier",
        "macro 500,000-5,000,000",
    ),
    "tier-and-followers-disagree": (
        "kat,instagram,nano,50000,1,8000,,",
        "followers",
        "outside tier nano's bounds",
        "they fit micro",
    ),
    "fractional-followers": ("kat,instagram,nano,5000.5,1,8000,,", "followers", "whole number"),
    # deliverables
    "fractional-deliverables": ("kat,instagram,nano,,1.5,1,,", "deliverables", "whole", "1.5"),
    "zero-deliverables": ("kat,instagram,nano,5000,0,8000,,", "deliverables", "at least 1"),
    "huge-deliverables": ("kat,instagram,nano,,2000000000000,1,,", "deliverables", "implausibly"),
    # fees
    "negative-fee": ("kat,instagram,nano,,1,-8000,,", "quoted_fee", "not be negative", "-8,000"),
    "negative-fee-low": ("kat,instagram,nano,5000,1,,-1,10", "fee_low", "must not be negative"),
    "text-in-a-fee": (
        "kat,instagram,nano,5000,1,about 8000,,",
        "quoted_fee",
        "should be a number",
        "'about 8000'",
    ),
    "thousands-separator": ('kat,instagram,nano,,1,"8,000",,', "quoted_fee", "thousands"),
    "nan": ("kat,instagram,nano,5000,1,nan,,", "quoted_fee", "'nan' is not a finite number"),
    "inf": ("kat,instagram,nano,5000,1,,1,inf", "fee_high", "'inf' is not a finite number"),
    "overflowing-number": ("kat,instagram,nano,1e999,1,8000,,", "followers", "'1e999'", "finite"),
    "huge-fee": ("kat,instagram,nano,5000,1,5e13,,", "quoted_fee", "implausibly large"),
    "fee-low-without-fee-high": (
        "kat,instagram,nano,5000,1,8000,7000,",
        "fee_high",
        "empty while fee_low is given",
        "both ends",
    ),
    "fee-high-without-fee-low": ("kat,instagram,nano,,1,1,,9000", "fee_low", "while fee_high"),
    "reversed-range": (
        "kat,instagram,nano,5000,1,,9000,7000",
        "fee_high",
        "7,000 is below the row's fee_low 9,000",
    ),
    "quote-outside-its-range": (
        "kat,instagram,nano,5000,1,10000,7000,9000",
        "quoted_fee",
        "10,000 lies outside the row's fee range (7,000-9,000",
    ),
}

#: Whole files: case -> (the CSV's text, where, message fragments).
FILE_CASES: dict[str, tuple[str, ...]] = {
    "misspelt-creator": (
        _roster(header=HEADER.replace("creator", "Creator")),
        "row 1, column Creator",
        "did you mean 'creator'?",
        "required",
    ),
    "missing-creator": (
        "platform,tier,quoted_fee\ninstagram,nano,1\n",
        "row 1, column creator",
        "no column 'creator'",
        "required",
    ),
    "missing-platform": (
        "creator,tier,quoted_fee\na,nano,1\n",
        "row 1, column platform",
        "no column 'platform', which is required",
    ),
    "missing-tier-and-followers": (
        "creator,platform,quoted_fee\na,instagram,1\n",
        "row 1, column tier",
        "neither a 'tier' nor a 'followers' column",
    ),
    "quoted-fee-with-a-space": (
        _roster(header=HEADER.replace("quoted_fee", "quoted fee")),
        "row 1, column quoted fee",
        "did you mean 'quoted_fee'?",
    ),
    "quoted-fee-run-together": (
        _roster(header=HEADER.replace("quoted_fee", "quotedfee")),
        "row 1, column quotedfee",
        "did you mean 'quoted_fee'?",
    ),
    "misspelt-fee-high": (
        _roster(header=HEADER.replace("fee_high", "fee_hi")),
        "row 1, column fee_hi",
        "did you mean 'fee_high'?",
    ),
    "no-fee-column": (
        "creator,platform,tier\na,instagram,nano\n",
        "row 1, column quoted_fee",
        "no column 'quoted_fee'",
        "no fee range",
    ),
    "fee-instead-of-quoted-fee": (
        "creator,platform,tier,fee\na,instagram,nano,100\n",
        "row 1, column quoted_fee",
        "its 'fee' column is a past campaign's fee",
    ),
    "fee-low-without-fee-high-column": (
        "creator,platform,tier,quoted_fee,fee_low\na,instagram,nano,100,90\n",
        "row 1, column fee_low",
        "no fee_high",
        "needs both",
    ),
    "fee-high-without-fee-low-column": (
        "creator,platform,tier,fee_high\na,instagram,nano,90\n",
        "row 1, column fee_high",
        "no fee_low",
    ),
    "duplicate-column": (
        "creator,platform,tier,quoted_fee,quoted_fee\na,instagram,nano,1,2\n",
        "row 1, column quoted_fee",
        "appears twice",
        "columns D and E",
    ),
    "several-creators": (
        "creator,platform,tier,creators,quoted_fee\na,instagram,nano,3,100\n",
        "row 2, column creators",
        "must be 1 (it is 3)",
        "one creator",
    ),
    "zero-creators": (
        "creator,platform,tier,creators,quoted_fee\na,instagram,nano,0,100\n",
        "row 2, column creators",
        "at least 1",
    ),
    "empty-file": ("", "(file)", "is empty"),
    "blank-lines-only": ("\n\n \n", "(file)", "is empty"),
    "header-only": (HEADER + "\n", "row 1", "header but no data rows", "candidate creator"),
}


def _expect(path: Path, fragments: tuple[str, ...]) -> InputError:
    with pytest.raises(InputError) as caught:
        read_roster(path, PRIORS)
    error = caught.value
    assert error.source == str(path)
    text = str(error)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert "Traceback" not in text
    return error


def _one_problem(tmp_path: Path, text: str, where: str, fragments: tuple[str, ...]) -> None:
    path = tmp_path / "candidates.csv"  # not the case's name: the message must say it
    path.write_text(text, encoding="utf-8")
    error = _expect(path, fragments)
    assert [p.path for p in error.problems] == [where], str(error)


@pytest.mark.parametrize("case", list(ROW_CASES))
def test_bad_row(tmp_path: Path, case: str) -> None:
    row, column, *fragments = ROW_CASES[case]
    _one_problem(tmp_path, _roster(row), f"row 3, column {column}", tuple(fragments))


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_bad_file_text(tmp_path: Path, case: str) -> None:
    text, where, *fragments = FILE_CASES[case]
    _one_problem(tmp_path, text, where, tuple(fragments))


def test_every_problem_at_once(tmp_path: Path) -> None:
    """Not only the first: a bad header and four bad rows, in file order; a duplicate handle
    names both rows."""
    path = tmp_path / "roster.csv"
    path.write_text(
        _roster(
            "kat,instagram,nano,5000,1,-1,,",
            "dora,youtub,nano,5000,1,8000,,",
            "@Bean,instagram,nano,5000,1,8000,,",
            "eve,instagram,nano,5000,x,8000,,",
            header=HEADER.replace("fee_high", "Fee_high") + ",notes",
        ),
        encoding="utf-8",
    )
    error = _expect(path, ("5 problems",))
    assert [p.path for p in error.problems] == [
        "row 1, column Fee_high",
        "row 3, column quoted_fee",
        "row 4, column platform",
        "row 5, column creator",
        "row 6, column deliverables",
    ]
    assert "did you mean 'fee_high'?" in error.problems[0].message
    assert "did you mean 'youtube'?" in error.problems[2].message
    assert "row 2" in error.problems[3].message


def test_file_problems_name_the_roster(tmp_path: Path) -> None:
    """Problems of the file as a whole (its kind, its existence, its bytes) are at
    ``(file)`` of the roster: the scenario loader reports them at the group's ``roster``."""
    text = tmp_path / "roster.txt"
    text.write_text(HEADER, encoding="utf-8")
    _expect(text, ("(file)", "a roster file is a .csv or .xlsx file, not '.txt'"))
    _expect(tmp_path / "missing.xlsx", ("(file)", "no such file"))
    fake = tmp_path / "roster.xlsx"
    fake.write_text(_roster(), encoding="utf-8")
    _expect(fake, ("(file)", "not an Excel workbook"))


def test_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("creator;platform;tier;quoted_fee\na;instagram;nano;1\n", encoding="utf-8")
    error = _expect(path, ("the header is one cell", "semicolons or tabs"))
    assert all(p.path.startswith("row 1, column") for p in error.problems)


def test_bad_xlsx_cells(tmp_path: Path) -> None:
    """A workbook's typed cells: TRUE as a fee, a date as deliverables; a handle typed as a
    number is the same creator as that number as text; rows numbered as the sheet numbers
    them."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in (
        ["creator", "platform", "tier", "quoted_fee", "deliverables"],
        [12345, "instagram", "nano", True, 1],
        ["b", "instagram", "nano", 100, datetime.date(2026, 1, 2)],
        ["@12345", "tiktok", "micro", 100, 1],
    ):
        sheet.append(row)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    error = _expect(path, ("3 problems",))
    assert [str(p) for p in error.problems] == [
        "row 2, column quoted_fee: should be a number, not TRUE",
        "row 3, column deliverables: should be a number, not a date or time (2026-01-02 00:00:00)",
        "row 4, column creator: '@12345' is the creator of row 2 ('12345') again (handles "
        "match without a leading '@' and case): one row per creator",
    ]


def test_an_error_does_not_warn_about_columns_not_read(tmp_path: Path) -> None:
    """A file with problems raises; its history and other unread columns are not also warned
    about (pytest runs with warnings as errors: a warning would fail this test)."""
    path = tmp_path / "roster.csv"
    path.write_text(
        "creator,platform,tier,quoted_fee,orders,notes\na,mars,nano,1,2,x\n", encoding="utf-8"
    )
    _expect(path, ("row 2, column platform", "unknown platform 'mars'"))
