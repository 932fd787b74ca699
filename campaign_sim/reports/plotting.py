"""Shared chart helpers: figure size, fonts and style, one colour per strategy, axis formats.

Every chart is a matplotlib Figure (no pyplot, so no GUI backend and no global state) of
FIGSIZE inches at DPI: 1800 x 840 pixels, the chart area of a 16:9 slide.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from campaign_sim.reports.i18n import Text
from campaign_sim.reports.results import Results

__all__ = [
    "BREAK_EVEN",
    "DPI",
    "FIGSIZE",
    "PALETTE",
    "colours",
    "figure",
    "money_axis",
    "percent_axis",
    "style",
]

#: Inches; at DPI this is 1800 x 840 pixels, the chart area of a 16:9 slide.
FIGSIZE = (12.0, 5.6)
DPI = 150
#: Okabe-Ito: tells apart for colour-blind readers and in greyscale print.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
BREAK_EVEN = "#222222"


def colours(results: Results) -> dict[str, str]:
    """Strategy -> colour, fixed by the manifest's order of strategies."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(results.ordered_strategies)}


def style(families: list[str]) -> dict[str, Any]:
    """matplotlib rc settings of every chart: sizes legible on a slide, light grid."""
    return {
        "font.family": families,
        "font.size": 14,
        "axes.titlesize": 16,
        "axes.labelsize": 14,
        "xtick.labelsize": 13,
        "ytick.labelsize": 13,
        "legend.fontsize": 13,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.8,
        "axes.axisbelow": True,
        "svg.fonttype": "path",  # SVGs show the same glyphs without the font installed
        "axes.unicode_minus": False,
    }


@contextmanager
def figure(ncols: int = 1, nrows: int = 1, **kwargs: Any) -> Iterator[tuple[Any, Any]]:
    """A slide-sized Figure and its axes (as ``Figure.subplots`` returns them)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    yield fig, axes


def percent_axis(axis: Any, decimals: int = 0) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def money_axis(axis: Any, text: Text) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: text.money_short(v)))


def value_axis(axis: Any, column: str, text: Text) -> None:
    """Percent for fractions and probabilities, money for amounts, plain otherwise."""
    from campaign_sim.reports.i18n import column_kind

    kind = column_kind(column)
    if kind in ("fraction", "prob"):
        percent_axis(axis)
    elif kind == "money":
        money_axis(axis, text)
