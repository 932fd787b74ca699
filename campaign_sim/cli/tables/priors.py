"""The priors in the terminal: distribution, P5/P95, what each range describes, sources."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from campaign_sim.cli.tables.layout import Col, Grid
from campaign_sim.cli.tables.summary import prior_value
from campaign_sim.scenario.priors import describes_text

__all__ = ["priors_table"]

#: What the "describes" column's words mean (MODEL.md §8).
CAPTION = (
    "describes: level ±tau = the range is the pool's typical value in a campaign; creators "
    "spread around it with sd tau on the logit (rates) or log scale. creators = the range is "
    "individual creators; x% shared = the share of their normal-score variance common to the "
    "pool in a campaign. persistent = the share of the level's or shared factor's variance "
    "that is the brand's own, the same in every campaign it runs."
)


def priors_table(frame: pd.DataFrame, console: Console, note: str | None = None) -> None:
    """A row per prior of :func:`campaign_sim.scenario.priors.priors_frame`; ``note`` (say,
    what a calibration changed) goes under the caption."""
    table = Grid(
        [
            Col("tier", justify="left", key=True, stack="pool"),
            Col("platform", justify="left", key=True, stack="pool"),
            Col("quantity", justify="left", key=True, text=True),
            Col("family", justify="left", stack="family"),
            Col("parameters", justify="left", text=True, stack="family"),
            # Below the distribution when stacked: what its range describes.
            Col("describes", justify="left", text=True, stack="family", floor=16),
            Col("mean", stack="centre"),
            Col("median", stack="centre"),
            Col("P5", stack="tails"),
            Col("P95", stack="tails"),
            Col("sources", justify="left", text=True, floor=24),
        ],
        title="Priors",
        caption=CAPTION if note is None else f"{CAPTION}\n{note}",
    )
    for row in frame.to_dict("records"):
        marker = " (assumption)" if row["assumption"] else ""
        table.add_row(
            row["tier"],
            row["platform"],
            row["quantity"],
            row["family"],
            row["parameters"],
            describes_text(row),
            *(prior_value(row[k], row["unit"]) for k in ("mean", "median", "p5", "p95")),
            (row["sources"] or "—") + marker,
        )
    table.print(console)
