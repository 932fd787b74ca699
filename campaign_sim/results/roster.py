"""The results folder of ``roster``: what each named creator brings (roster.csv, roster.xlsx),
and the roster table that ``run`` and ``compare`` folders of a scenario with named creators
carry too (:func:`roster_table`)."""

from __future__ import annotations

import importlib.util
import io
import math
from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim.analysis.roster import COLUMNS, NOTES, named_strategies, roster_frame
from campaign_sim.pipeline import RunResult
from campaign_sim.results.folder import json_ready, manifest, results_folder, safe_text
from campaign_sim.results.run import header
from campaign_sim.scenario.priors import priors_frame, used_priors

__all__ = ["ROSTER", "roster_document", "roster_table", "write_roster", "xlsx_available"]

#: The table's file name in every results folder that has one.
ROSTER = "roster.csv"


def xlsx_available() -> bool:
    """openpyxl (the ``reports`` extra) is installed: roster.xlsx can be written."""
    try:
        return importlib.util.find_spec("openpyxl") is not None
    except (ImportError, ValueError):
        return False


def roster_table(result: RunResult) -> pd.DataFrame | None:
    """The roster table of every strategy of ``result`` that books named creators
    (:func:`~campaign_sim.analysis.roster.roster_frame`), or None when none does or the run
    kept no per-creator outcomes (a ``--precision`` run)."""
    if not named_strategies(result.scenario) or not result.outcomes.creators:
        return None
    return roster_frame(result.outcomes, result.scenario)


def roster_document(result: RunResult, frame: pd.DataFrame) -> dict[str, Any]:
    """What ``roster --format json`` prints: the run's header, the columns with their units,
    the notes and one record per row of ``frame``."""
    records = [
        {k: (None if v is pd.NA else v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]
    return {
        **header(result.scenario, result.outcomes.campaigns, result.outcomes.seed),
        "columns": COLUMNS,
        "notes": NOTES,
        "roster": records,
    }


def _xlsx(frame: pd.DataFrame) -> bytes:
    """roster.xlsx: the tidy table on one sheet (a row per strategy and creator, frozen bold
    header), and the columns with their units and the notes on a second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "roster"
    sheet.append(list(frame.columns))
    for row in frame.astype(object).itertuples(index=False):
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    about = book.create_sheet("columns")
    about.append(["column", "meaning and unit"])
    for name, meaning in COLUMNS.items():
        about.append([name, meaning])
    about.append([])
    for note in NOTES.values():
        about.append(["note", note])
    for cell in about[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """A spreadsheet cell: missing values empty, infinities as text, text defused."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return safe_text(value)


def write_roster(out: str | Path, result: RunResult, frame: pd.DataFrame) -> Path:
    """roster.csv (``frame``, :func:`~campaign_sim.analysis.roster.roster_frame`), roster.xlsx
    (when openpyxl is installed, :func:`xlsx_available`), roster.json (the notes and column
    units with the records), priors.csv and manifest.json (scenario sha256, seed, campaigns,
    version), atomically at ``out``."""
    out = Path(out)
    with results_folder(out) as writer:
        writer.csv(ROSTER, frame)
        if xlsx_available():
            (writer.folder / "roster.xlsx").write_bytes(_xlsx(frame))
            writer.files.append("roster.xlsx")
        writer.json("roster.json", json_ready(roster_document(result, frame)))
        writer.csv("priors.csv", priors_frame(used_priors(result.scenario)))
        writer.json(
            "manifest.json",
            manifest(
                command="roster",
                scenario=result.scenario,
                seed=result.outcomes.seed,
                campaigns=result.outcomes.campaigns,
                timings={"simulate": round(result.seconds, 3)},
                settings={
                    **result.settings,
                    "strategies": list(dict.fromkeys(frame["strategy"])),
                },
                files=writer.files + ["manifest.json"],
            ),
        )
    return out
