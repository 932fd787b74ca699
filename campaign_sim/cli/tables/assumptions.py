"""The scenario-level assumptions in the terminal: order value, margin, costs, shock, ..."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from campaign_sim.cli.tables.layout import Col, Grid

__all__ = ["assumptions_table"]


def assumptions_table(frame: pd.DataFrame, console: Console) -> None:
    """A row per setting: what it is, its value, its P5 - P95 where it is uncertain."""
    table = Grid(
        [
            Col("setting", justify="left", key=True, text=True),
            Col("value", justify="left", text=True),
            Col("P5 – P95", justify="left"),
        ],
        title="Scenario assumptions",
    )
    for row in frame.itertuples():
        table.add_row(f"{row.setting}\n{row.key}", row.value, row.p5_p95 or "—")
    table.print(console)
