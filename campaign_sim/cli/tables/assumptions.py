"""The scenario-level assumptions in the terminal: order value, margin, costs, shock, ..."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

__all__ = ["assumptions_table"]


def assumptions_table(frame: pd.DataFrame, console: Console) -> None:
    """A row per setting: what it is, its value, its P5 - P95 where it is uncertain."""
    table = Table(title="Scenario assumptions", title_justify="left")
    table.add_column("setting")
    table.add_column("value", overflow="fold")
    table.add_column("P5 – P95", no_wrap=True)
    for row in frame.itertuples():
        table.add_row(f"{row.setting}\n[dim]{row.key}[/dim]", row.value, row.p5_p95 or "—")
    console.print(table)
