"""Every chart of a results folder, rendered to PNG and SVG.

Each kind of results (run or compare, sweep, timeline, sensitivity, optimize) has a module whose
``plan(results, text)`` lists its charts as (file key, title, caption, draw); ``draw(results,
text, colours)`` returns a matplotlib Figure, or None when the folder lacks what the chart
needs. One colour per strategy, the same in every chart, in the manifest's order.

Without a font with Chinese glyphs, Chinese names in English charts give one warning (from
``fonts.matplotlib_families``, naming the package to install), not one per missing glyph.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from campaign_sim.reports import (
    calibrated,
    distribution,
    fonts,
    optimize,
    sensitivity,
    sweep,
    timeline,
)
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import DPI, FIGSIZE, colours, style
from campaign_sim.reports.results import Results

__all__ = ["Chart", "drawing", "render", "render_charts"]


def _run_plan(results: Results, text: Text) -> list[tuple]:
    """A run's or a comparison's charts, then the calibration's where the priors were
    calibrated."""
    return [*distribution.plan(results, text), *calibrated.plan(results, text)]


#: Chart plans by the command that wrote the folder.
PLANS = {
    "run": _run_plan,
    "compare": _run_plan,
    "sweep": sweep.plan,
    "timeline": timeline.plan,
    "sensitivity": sensitivity.plan,
    "optimize": optimize.plan,
}


@dataclass(frozen=True)
class Chart:
    """One rendered chart: file ``key`` (e.g. ``roi-distribution``), title, caption, images."""

    key: str
    title: str
    caption: str
    png: bytes
    svg: bytes | None
    size_px: tuple[int, int]


def render(fig: Any, fmt: str) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=DPI, metadata={"Software": None} if fmt == "png" else {})
    return buffer.getvalue()


def _texts(results: Results) -> str:
    return " ".join([results.scenario_name, *results.strategies.values()])


@contextmanager
def drawing(results: Results, text: Text) -> Iterator[None]:
    """The style and fonts the charts of ``results`` are drawn with in ``text``'s language:
    a CJK font where the language or the names need one; without one, one warning, not one
    per missing glyph."""
    import matplotlib

    needs_cjk = fonts.has_cjk(_texts(results))
    families = fonts.matplotlib_families(text.lang, needs_cjk=needs_cjk)
    boxes = needs_cjk and fonts.find_cjk_font() is None  # said once, above: not per glyph
    with (
        matplotlib.rc_context(style(families)),  # type: ignore[arg-type]
        fonts.missing_glyphs_quiet(boxes),
    ):
        yield


def render_charts(results: Results, text: Text, *, svg: bool = True) -> list[Chart]:
    """Every chart the results folder supports, rendered to PNG (and SVG)."""
    colour = colours(results)
    plan = PLANS.get(results.command, _run_plan)
    size = (round(FIGSIZE[0] * DPI), round(FIGSIZE[1] * DPI))
    out: list[Chart] = []
    with drawing(results, text):
        for key, title, caption, draw in plan(results, text):
            fig = draw(results, text, colour)
            if fig is not None:
                svg_bytes = render(fig, "svg") if svg else None
                out.append(Chart(key, title, caption, render(fig, "png"), svg_bytes, size))
    return out
