"""Shared chart helpers: figure size, fonts and style, one colour per strategy, axis formats.

Every chart is a matplotlib Figure (no pyplot, so no GUI backend and no global state) of
FIGSIZE inches at DPI: 1800 x 840 pixels, the chart area of a 16:9 slide.
"""

from __future__ import annotations

import math
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
    "place_label",
    "renderer",
    "style",
    "text_box",
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


def whiskers(value: Any, low: Any, high: Any) -> Any:
    """Error bars of ``value`` from its interval [low, high], shape (2, n), never negative (an
    estimate of 1.0 with an upper bound of 0.9999999999999999 has no upper whisker)."""
    import numpy as np

    value, low, high = (np.atleast_1d(np.asarray(x, dtype=float)) for x in (value, low, high))
    return np.maximum(0.0, np.vstack([value - low, high - value]))


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


def renderer(fig: Any) -> Any:
    """The renderer of ``fig`` after its layout is done (an Agg canvas is attached)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def text_box(note: Any, draw: Any) -> Any:
    """The box of an annotation's text alone (its leader line left out), display pixels."""
    from matplotlib.text import Text as MplText

    note.get_window_extent(draw)  # places the text at its offset
    return MplText.get_window_extent(note, draw)


#: Offsets (points) tried in turn for a label beside a point: right, left, above, below.
OFFSETS = ((14, -4), (14, 14), (-14, -4), (-14, 14), (0, 22), (0, -22), (30, 30), (-30, -30))
#: Further offsets (points), tried after OFFSETS: rings of 12 directions, nearest first.
RINGS = tuple(
    (round(r * math.cos(a), 1), round(r * math.sin(a), 1))
    for r in (45, 75, 110, 150, 200)
    for a in (math.pi * k / 6 for k in (11, 1, 7, 5, 10, 2, 8, 4, 0, 6, 9, 3))
)


def place_label(
    ax: Any,
    label: str,
    xy: tuple[float, float],
    *,
    points: Any,
    taken: list[Any],
    offsets: tuple[tuple[float, float], ...] = OFFSETS + RINGS,
    radius: float = 10.0,
    **kwargs: Any,
) -> Any:
    """Annotate ``xy`` with ``label`` at the first offset whose box stays inside the axes and
    clear of ``points`` (display pixels, N x 2; ``radius`` px around each) and of the boxes in
    ``taken`` (which it joins); the least crowded offset when none is clear. Left out of the
    layout, so placing it moves nothing else."""
    import numpy as np

    draw = renderer(ax.figure)
    frame = ax.get_window_extent(draw)
    xy_px = ax.transData.transform(xy)
    best: tuple[int, Any] | None = None
    for dx, dy in offsets:
        note = ax.annotate(
            label,
            xy=xy,
            xytext=(dx, dy),
            textcoords="offset points",
            ha="left" if dx > 1 else ("right" if dx < -1 else "center"),
            va="bottom" if dy > 0 else "top",
            **kwargs,
        )
        note.set_in_layout(False)
        box = text_box(note, draw)
        near = np.asarray(points, dtype=float).reshape(-1, 2)
        near = near[~np.all(np.isclose(near, xy_px, atol=0.5), axis=1)]
        hits = int(
            np.count_nonzero(
                (near[:, 0] > box.x0 - radius)
                & (near[:, 0] < box.x1 + radius)
                & (near[:, 1] > box.y0 - radius)
                & (near[:, 1] < box.y1 + radius)
            )
        )
        hits += sum(box.overlaps(other) for other in taken)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
        hits += 0 if inside and box.y1 <= frame.y1 else 100
        if best is None or hits < best[0]:
            if best is not None:
                best[1].remove()
            best = (hits, note)
        else:
            note.remove()
        if hits == 0:
            break
    assert best is not None
    taken.append(text_box(best[1], draw))
    return best[1]
