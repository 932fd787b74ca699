"""The observed-creators file of a calibration read right (campaign_sim.calibration.observed):
CSV and XLSX give the same rows, defaults fill empty cells, the tier follows from followers
(a boundary value belongs to the higher tier), extra columns are ignored with a warning."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT

from campaign_sim.calibration.observed import FRAME_COLUMNS, Observed, read_observed
from campaign_sim.scenario.loading import load_scenario
from campaign_sim.scenario.warnings import InputWarning

pytestmark = pytest.mark.exact

COFFEE = load_scenario(ROOT / "scenarios/coffee-launch.yaml")

HEADER = [
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
]
#: Rows as typed in a spreadsheet (None: an empty cell).
ROWS = [
    ["instagram", "nano", 5000, "01", "Beans", "anna", 2, None, 8000, 3000, 200, 5, 4000],
    ["instagram", None, 10000, "01", "Beans", "bob", None, None, 9000.5, None, None, 3, 2400],
    ["tiktok", "micro", None, "01", None, "carl", 1, 1, 30000, 20000, 900, 12, 9600],
    ["instagram", "micro", None, "02", "Beans", None, None, 4, 120000, None, None, 30, 24000],
    ["youtube", None, 999999, None, None, None, None, None, 70000, None, None, 0, 0],
]


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    def cell(value: object) -> str:
        return "" if value is None else str(value)

    lines = [",".join(header)] + [",".join(cell(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.create_sheet("other").append(["not", "read"])
    book.save(path)
    return path


def test_csv_rows_and_defaults(tmp_path: Path) -> None:
    observed = read_observed(_csv(tmp_path / "pilot.csv", HEADER, ROWS), COFFEE)
    assert isinstance(observed, Observed)
    rows = observed.rows
    assert tuple(rows.columns) == FRAME_COLUMNS
    assert list(rows["row"]) == [2, 3, 4, 5, 6]
    assert list(rows["platform"]) == ["instagram", "instagram", "tiktok", "instagram", "youtube"]
    # The tier from followers: 10,000 touches nano and micro: the higher; 999,999 is macro.
    assert list(rows["tier"]) == ["nano", "micro", "micro", "micro", "macro"]
    # Defaults: campaign "1" (text: "01" stays "01"), product the scenario's name,
    # deliverables and creators 1; missing numbers NaN, a missing creator None.
    assert list(rows["campaign"]) == ["01", "01", "01", "02", "1"]
    assert list(rows["product"]) == ["Beans", "Beans", COFFEE.name, "Beans", COFFEE.name]
    assert list(rows["creator"]) == ["anna", "bob", "carl", None, None]
    assert list(rows["deliverables"]) == [2, 1, 1, 1, 1]
    assert list(rows["creators"]) == [1, 1, 1, 4, 1]
    assert rows["fee"].tolist() == [8000, 9000.5, 30000, 120000, 70000]
    assert math.isnan(rows["followers"][2]) and rows["followers"][0] == 5000
    assert math.isnan(rows["reach"][1]) and math.isnan(rows["engagements"][3])
    for column in ("followers", "fee", "reach", "engagements", "orders", "revenue"):
        assert rows[column].dtype == "float64"
    for column in ("row", "deliverables", "creators"):
        assert rows[column].dtype == "int64"
    assert list(observed.creator_rows["row"]) == [2, 3, 4, 6]
    assert list(observed.campaign_rows["row"]) == [5]
    assert observed.ignored_columns == ()
    assert len(observed.sha256) == 64
    assert observed.path == tmp_path / "pilot.csv"


def test_csv_and_xlsx_give_the_same_rows(tmp_path: Path) -> None:
    from_csv = read_observed(_csv(tmp_path / "pilot.csv", HEADER, ROWS), COFFEE)
    from_xlsx = read_observed(_xlsx(tmp_path / "pilot.xlsx", HEADER, ROWS), COFFEE)
    pd.testing.assert_frame_equal(from_csv.rows, from_xlsx.rows)
    assert from_csv.sha256 != from_xlsx.sha256  # of each file's own bytes


def test_xlsx_numbers_as_text_and_campaign_as_number(tmp_path: Path) -> None:
    """A spreadsheet cell holding a number as text is read as the number; a campaign typed
    as a number 3 is the campaign "3"."""
    rows = [["instagram", "nano", "5000", 3, None, None, None, None, "8000", None, None, 1, 800]]
    observed = read_observed(_xlsx(tmp_path / "pilot.xlsx", HEADER, rows), COFFEE)
    assert observed.rows["followers"][0] == 5000 and observed.rows["fee"][0] == 8000
    assert observed.rows["campaign"][0] == "3"


def test_minimal_columns_and_spaces(tmp_path: Path) -> None:
    """Only platform and followers; spaces around names and values are ignored; an
    uppercase extension is accepted; blank lines keep the spreadsheet's row numbers."""
    path = tmp_path / "PILOT.CSV"
    path.write_text(" platform , followers \ninstagram, 2500\n\ntiktok,50000\n", encoding="utf-8")
    observed = read_observed(path, COFFEE)
    assert list(observed.rows["row"]) == [2, 4]
    assert list(observed.rows["tier"]) == ["nano", "micro"]
    assert math.isnan(observed.rows["fee"][0])


def test_tier_and_followers_may_agree_at_a_boundary(tmp_path: Path) -> None:
    rows = [
        ["instagram", "nano", 10000, None, None, "a", None, None, 1, None, None, 0, 0],
        ["instagram", "micro", 10000, None, None, "b", None, None, 1, None, None, 0, 0],
        ["instagram", None, 1000, None, None, "c", None, None, 1, None, None, 0, 0],
        ["instagram", None, 5000000, None, None, "d", None, None, 1, None, None, 0, 0],
    ]
    observed = read_observed(_csv(tmp_path / "pilot.csv", HEADER, rows), COFFEE)
    assert list(observed.rows["tier"]) == ["nano", "micro", "nano", "macro"]


def test_extra_columns_warn_and_are_ignored(tmp_path: Path) -> None:
    header = [*HEADER, "notes", "handle_url"]
    rows = [[*ROWS[0], "great", "https://x"]]
    with pytest.warns(InputWarning, match=r"'notes', 'handle_url' not read") as caught:
        observed = read_observed(_csv(tmp_path / "pilot.csv", header, rows), COFFEE)
    assert "pilot.csv" in str(caught[0].message)
    assert observed.ignored_columns == ("notes", "handle_url")
    assert tuple(observed.rows.columns) == FRAME_COLUMNS


def test_unnamed_column_with_values_warns(tmp_path: Path) -> None:
    path = tmp_path / "pilot.csv"
    path.write_text("platform,tier,\ninstagram,nano,hello\n", encoding="utf-8")
    with pytest.warns(InputWarning, match=r"unnamed column C"):
        observed = read_observed(path, COFFEE)
    assert observed.ignored_columns == ("(unnamed column C)",)


def test_a_tier_of_the_priors_no_strategy_uses(tmp_path: Path) -> None:
    """Every tier of the priors file is known, used by the scenario or not (mid, macro)."""
    rows = [["tiktok", "mid", None, None, None, None, None, None, 1, None, None, 0, 0]]
    observed = read_observed(_csv(tmp_path / "pilot.csv", HEADER, rows), COFFEE)
    assert observed.rows["tier"][0] == "mid"
