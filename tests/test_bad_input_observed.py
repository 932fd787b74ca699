"""Bad observed-creators files (calibration, issue 14): one case per class of mistake, each an
InputError naming the file, the row (as in a spreadsheet: the header is row 1) and the column,
with the user's words and a did-you-mean where one helps; every problem of a file at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT

from campaign_sim.calibration.observed import read_observed
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_scenario

pytestmark = pytest.mark.exact

COFFEE = load_scenario(ROOT / "scenarios/coffee-launch.yaml")

HEADER = "platform,tier,followers,campaign,creator,creators,fee,reach,engagements,orders,revenue"
GOOD = "instagram,nano,5000,1,anna,,8000,3000,200,5,4000"


def _file(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, GOOD, *rows]) + "\n"


#: (case, the CSV's text, fragments the message must hold).
CASES: list[tuple[str, str, tuple[str, ...]]] = [
    (
        "missing-platform-misspelt",
        _file(header=HEADER.replace("platform", "Platfrom")),
        ("row 1, column Platfrom", "did you mean 'platform'?", "required"),
    ),
    (
        "missing-platform",
        "tier,fee\nnano,100\n",
        ("row 1, column platform", "no column 'platform'", "required"),
    ),
    (
        "missing-tier-and-followers",
        "platform,fee\ninstagram,100\n",
        ("row 1, column tier", "neither a 'tier' nor a 'followers' column"),
    ),
    (
        "misspelt-optional-column",
        _file(header=HEADER.replace("engagements", "engagement")),
        ("row 1, column engagement", "did you mean 'engagements'?"),
    ),
    (
        "duplicate-column",
        "platform,tier,fee,fee\ninstagram,nano,1,2\n",
        ("row 1, column fee", "appears twice", "columns C and D"),
    ),
    (
        "semicolons",
        "platform;tier;fee\ninstagram;nano;1\n",
        ("row 1, column platform", "semicolons"),
    ),
    (
        "unknown-platform",
        _file("Instagram,nano,5000,1,bob,,8000,,,1,800"),
        ("row 3, column platform", "unknown platform 'Instagram'", "did you mean 'instagram'?"),
    ),
    (
        "empty-platform",
        _file(",nano,5000,1,bob,,8000,,,1,800"),
        ("row 3, column platform", "empty"),
    ),
    (
        "unknown-tier",
        _file("instagram,nan0,5000,1,bob,,8000,,,1,800"),
        ("row 3, column tier", "unknown tier 'nan0'", "did you mean 'nano'?"),
    ),
    (
        "no-tier-nor-followers",
        _file("instagram,,,1,bob,,8000,,,1,800"),
        ("row 3, column tier", "give the row's tier or its followers"),
    ),
    (
        "followers-outside-every-tier",
        _file("instagram,,500,1,bob,,8000,,,1,800"),
        ("row 3, column followers", "outside every tier", "nano 1,000-10,000"),
    ),
    (
        "followers-above-every-tier",
        _file("tiktok,,9000000,1,bob,,8000,,,1,800"),
        ("row 3, column followers", "outside every tier", "macro 500,000-5,000,000"),
    ),
    (
        "tier-and-followers-disagree",
        _file("instagram,nano,50000,1,bob,,8000,,,1,800"),
        ("row 3, column followers", "outside tier nano's bounds", "they fit micro"),
    ),
    (
        "negative-fee",
        _file("instagram,nano,5000,1,bob,,-8000,,,1,800"),
        ("row 3, column fee", "must not be negative", "-8,000"),
    ),
    (
        "negative-orders",
        _file("instagram,nano,5000,1,bob,,8000,,,-1,"),
        ("row 3, column orders", "must not be negative"),
    ),
    (
        "fractional-orders",
        _file("instagram,nano,5000,1,bob,,8000,,,2.5,800"),
        ("row 3, column orders", "whole number", "2.5"),
    ),
    (
        "fractional-reach",
        _file("instagram,nano,5000,1,bob,,8000,100.5,,1,800"),
        ("row 3, column reach", "whole number"),
    ),
    (
        "fractional-engagements",
        _file("instagram,nano,5000,1,bob,,8000,,10.2,1,800"),
        ("row 3, column engagements", "whole number"),
    ),
    (
        "fractional-followers",
        _file("instagram,nano,5000.5,1,bob,,8000,,,1,800"),
        ("row 3, column followers", "whole number"),
    ),
    (
        "fractional-creators",
        _file("instagram,nano,,1,,2.5,8000,,,1,800"),
        ("row 3, column creators", "whole number"),
    ),
    (
        "zero-creators",
        _file("instagram,nano,5000,1,bob,0,8000,,,1,800"),
        ("row 3, column creators", "at least 1"),
    ),
    (
        "fractional-deliverables",
        _file(
            "instagram,nano,5000,1,bob,1.5,8000",
            header="platform,tier,followers,campaign,creator,deliverables,fee",
        ),
        ("row 3, column deliverables", "whole number"),
    ),
    (
        "orders-above-engagements",
        _file("instagram,nano,5000,1,bob,,8000,3000,20,25,800"),
        ("row 3, column orders", "25 orders exceed the row's 20 engagements"),
    ),
    (
        "revenue-without-orders",
        _file("instagram,nano,5000,1,bob,,8000,,,0,800"),
        ("row 3, column revenue", "with 0 orders"),
    ),
    (
        "text-in-a-number",
        _file("instagram,nano,5000,1,bob,,about 8000,,,1,800"),
        ("row 3, column fee", "should be a number", "'about 8000'"),
    ),
    (
        "thousands-separator",
        _file('instagram,nano,5000,1,bob,,"8,000",,,1,800'),
        ("row 3, column fee", "thousands separators"),
    ),
    (
        "nan",
        _file("instagram,nano,5000,1,bob,,8000,nan,,1,800"),
        ("row 3, column reach", "'nan' is not a finite number"),
    ),
    (
        "inf",
        _file("instagram,nano,5000,1,bob,,8000,,,1,inf"),
        ("row 3, column revenue", "'inf' is not a finite number"),
    ),
    (
        "overflowing-number",
        _file("instagram,nano,5000,1,bob,,1e999,,,1,800"),
        ("row 3, column fee", "'1e999'", "finite"),
    ),
    (
        "huge-amount",
        _file("instagram,nano,5000,1,bob,,8000,,,1,5e13"),
        ("row 3, column revenue", "implausibly large"),
    ),
    (
        "huge-count",
        _file("instagram,nano,5000,1,bob,,8000,2000000000000,,1,800"),
        ("row 3, column reach", "implausibly large"),
    ),
    (
        "identical-rows",
        _file(GOOD),
        ("row 3", "identical to row 2"),
    ),
    (
        "same-creator-twice",
        _file("instagram,nano,6000,1,anna,,9000,,,1,800"),
        ("row 3, column creator", "'anna'", "already has row 2"),
    ),
    (
        "campaign-level-with-followers",
        _file("instagram,micro,20000,1,,5,90000,,,10,8000"),
        ("row 3, column followers", "campaign-level row (creators 5)", "leave its followers empty"),
    ),
    (
        "campaign-level-without-tier",
        _file("instagram,,,1,,5,90000,,,10,8000"),
        ("row 3, column tier", "campaign-level row (creators 5) needs its tier"),
    ),
    (
        "two-campaign-level-rows-of-a-pool",
        _file("instagram,micro,,1,,5,90000,,,10,8000", "instagram,micro,,1,,3,60000,,,4,3000"),
        ("row 4, column creators", "second campaign-level row of micro/instagram"),
    ),
    ("empty-file", "", ("(file)", "is empty")),
    ("blank-lines-only", "\n\n \n", ("(file)", "is empty")),
    ("header-only", HEADER + "\n", ("row 1", "header but no data rows")),
]


def _expect(path: Path, fragments: tuple[str, ...]) -> InputError:
    with pytest.raises(InputError) as caught:
        read_observed(path, COFFEE)
    text = str(caught.value)
    assert text.startswith(str(path)), text
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert "Traceback" not in text
    return caught.value


@pytest.mark.parametrize(("text", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_csv(tmp_path: Path, text: str, fragments: tuple[str, ...]) -> None:
    path = tmp_path / "pilot.csv"
    path.write_text(text, encoding="utf-8")
    _expect(path, fragments)


def test_every_problem_at_once(tmp_path: Path) -> None:
    """Not only the first: three bad rows and a bad header, four problems, in file order."""
    path = tmp_path / "pilot.csv"
    path.write_text(
        _file(
            "instagram,nano,5000,1,bob,,-1,,,1,800",
            "youtub,nano,5000,1,carl,,8000,,,1,800",
            "instagram,nano,5000,1,dora,,8000,,,x,800",
            header=HEADER.replace("revenue", "Revenue"),
        ),
        encoding="utf-8",
    )
    error = _expect(path, ("4 problems",))
    assert [p.path for p in error.problems] == [
        "row 1, column Revenue",
        "row 3, column fee",
        "row 4, column platform",
        "row 5, column orders",
    ]
    assert "did you mean 'youtube'?" in error.problems[2].message


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("pilot.txt", b"platform\n", "a .csv or .xlsx file, not '.txt'"),
        ("pilot", b"platform\n", "a .csv or .xlsx file"),
        ("pilot.csv", b"platform,tier\n\xff\xfe,nano\n", "not UTF-8 text"),
        ("pilot.csv", b"platform,tier\n\x00\x01,nano\n", "NUL"),
        ("pilot.xlsx", b"platform,tier\ninstagram,nano\n", "not an Excel workbook"),
    ],
)
def test_bad_file(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    _expect(path, ("(file)", fragment))


def test_no_such_file(tmp_path: Path) -> None:
    _expect(tmp_path / "missing.csv", ("(file)", "no such file"))


def test_bad_xlsx_cells(tmp_path: Path) -> None:
    """A workbook's typed cells: true/false and a date in a number column, text in a number
    column; rows numbered as the sheet numbers them."""
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["platform", "tier", "fee", "orders", "revenue"])
    sheet.append(["instagram", "nano", True, 1, 100])
    sheet.append(["instagram", "nano", 100, datetime.date(2026, 1, 2), 100])
    sheet.append(["instagram", "nano", 100, "#DIV/0!", 100])
    path = tmp_path / "pilot.xlsx"
    book.save(path)
    error = _expect(path, ("3 problems",))
    assert [str(p) for p in error.problems] == [
        "row 2, column fee: should be a number, not TRUE",
        "row 3, column orders: should be a number, not a date or time (2026-01-02 00:00:00)",
        "row 4, column orders: should be a number, not the text '#DIV/0!'",
    ]


def test_an_error_does_not_warn_about_extra_columns(tmp_path: Path) -> None:
    """A file with problems raises; its ignored columns are not also warned about (pytest
    runs with warnings as errors: a warning would fail this test)."""
    path = tmp_path / "pilot.csv"
    path.write_text("platform,tier,notes\nmars,nano,x\n", encoding="utf-8")
    _expect(path, ("row 2, column platform", "unknown platform 'mars'"))
