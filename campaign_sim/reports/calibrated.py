"""How calibrated priors moved a run or comparison: the slide table of each quantity's prior
against its posterior, the finding as an action title, and a chart of both per quantity.

A run or compare folder has ``calibration.csv`` (:func:`campaign_sim.results.run.
calibration_record`) when its priors file came from ``campaign-sim calibrate``: per quantity
the planning prior's and the next campaign's median, P5 and P95, in the quantity's units; the
manifest's ``calibration`` holds where the data and the priors file came from. Only the pool
quantities, the product's appeal and the order value are shown (named creators' own effects
belong with the roster), at most :data:`MAX_ROWS` of them: those the data changed most.
The chart puts every row on its own prior's scale (0 = prior P5, 1 = prior P95), as
:func:`campaign_sim.reports.calibration.calibration_chart` does, so rates, money and the
appeal multiplier sit side by side.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from campaign_sim.calibration.update import RATES
from campaign_sim.reports.calibration import (
    APPEAL,
    CONFLICT_COLOUR,
    MONEY,
    POSTERIOR_COLOUR,
    PRIOR_COLOUR,
)
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import figure
from campaign_sim.reports.results import Results, finite
from campaign_sim.reports.texttable import TextTable

if TYPE_CHECKING:
    from campaign_sim.reports.story import Section

__all__ = ["CHART", "MAX_ROWS", "calibration_sections", "chart_titles", "plan", "shown_rows"]

#: The chart's file key.
CHART = "calibration"
#: Quantities on the slide and the chart at most: those the data changed most.
MAX_ROWS = 8
#: A median that moved less than this share of its prior's P5-P95 width did not move.
SMALL_MOVE = 0.1
#: A P5-P95 whose width changed by less than this share kept its width.
SAME_WIDTH = 0.005
#: Characters of a sha256 shown on the slide (the manifest has it whole).
DIGEST_CHARS = 12
#: The order of a pool's quantities on the slide (then the appeal and the order value).
ORDER = (*RATES[:2], "fee", RATES[2], APPEAL, "aov")


def _table(results: Results) -> pd.DataFrame | None:
    from campaign_sim.results.run import CALIBRATION

    frame = results.table(CALIBRATION)
    return None if frame is None or frame.empty else frame


def _frame(results: Results) -> pd.DataFrame | None:
    """calibration.csv's pool quantities, appeal and order value (no named creators)."""
    frame = _table(results)
    if frame is None:
        return None
    rows = frame[frame["creator"].isna()]  # an empty cell reads as missing
    return None if rows.empty else rows.reset_index(drop=True)


def moved(row: Any) -> float:
    """How far the median moved, as a signed share of the prior's P5-P95 width."""
    width = float(row["prior_p95"]) - float(row["prior_p5"])
    shift = float(row["posterior_median"]) - float(row["prior_median"])
    return shift / width if width > 0 else 0.0


def changed(row: Any) -> float:
    """How much the data changed a quantity: its median's move or its interval's change in
    width, whichever is larger, as a share of the prior's P5-P95 width."""
    return max(abs(moved(row)), abs(float(row["shrink"])))


def _order(row: Any) -> tuple[bool, str, int]:
    """Pools in name order, the quantities of each in :data:`ORDER`; the appeal and the order
    value last."""
    quantity = str(row["quantity"])
    rank = ORDER.index(quantity) if quantity in ORDER else len(ORDER)
    pool = row["pool"] if isinstance(row["pool"], str) else ""
    return (pool == "", pool, rank)


def shown_rows(results: Results) -> pd.DataFrame | None:
    """The rows the slide and the chart show, by pool: the quantity whose median moved most,
    the one whose range narrowed most and those in conflict with their prior (what the titles
    name), then those the data changed most (:func:`changed`), at most :data:`MAX_ROWS`;
    None without a calibration."""
    frame = _frame(results)
    if frame is None:
        return None
    move = frame.apply(lambda row: abs(moved(row)), axis=1)
    shrink = frame["shrink"].astype(float)
    first = [
        *([move.idxmax()] if move.max() >= SMALL_MOVE else []),
        *([shrink.idxmax()] if shrink.max() >= SAME_WIDTH else []),
        *frame.index[frame.apply(_conflict, axis=1)],
    ]
    by_change = frame.apply(changed, axis=1).sort_values(ascending=False, kind="stable").index
    keep = list(dict.fromkeys([*first, *by_change]))[:MAX_ROWS]
    records = sorted(frame.loc[keep].to_dict("records"), key=_order)
    return pd.DataFrame(records, columns=frame.columns)


# -- words and numbers -------------------------------------------------------------------------
def quantity_name(row: Any, text: Text) -> str:
    """A calibrated quantity in words: "nano Instagram engagement rate", "product appeal"."""
    quantity = str(row["quantity"])
    if quantity == APPEAL:
        return text("calib.appeal")
    if quantity == "aov":
        return text("calib.aov")
    tier, _, platform = str(row["pool"]).partition("/")
    what = text("calib.fee") if quantity == "fee" else text.quantity(quantity)
    return text(
        "calib.pool_quantity", tier=text.tier(tier), platform=text.platform(platform), quantity=what
    )


def _decimals(row: Any) -> int:
    """Decimals of a rate's percentages, the same for the whole row: three significant
    digits of the prior's median."""
    median = float(row["prior_median"])
    if not median > 0:
        return 1
    return max(0, min(3, 2 - math.floor(math.log10(100 * median))))


def value(row: Any, number: float, text: Text) -> str:
    """One value of ``row``'s quantity: rates in % (one precision per row), money with the
    currency, the appeal as a multiplier."""
    quantity = str(row["quantity"])
    if quantity in RATES:
        return text.pct(number, _decimals(row))
    if quantity in MONEY:
        return text.money(number)
    if quantity == APPEAL:
        return f"×{number:.2f}"
    return f"{number:.3g}"


def summary(row: Any, which: str, text: Text) -> str:
    """``which`` ("prior" or "posterior") of ``row`` as "median (P5 – P95)"; money's P5 and
    P95 without the currency the median already names ("NT$10,000 (5,000 – 20,000)")."""
    plain = str(row["quantity"]) in MONEY
    lo, hi = (float(row[f"{which}_{k}"]) for k in ("p5", "p95"))
    return text(
        "calib.value",
        median=value(row, float(row[f"{which}_median"]), text),
        lo=f"{lo:,.0f}" if plain else value(row, lo, text),
        hi=f"{hi:,.0f}" if plain else value(row, hi, text),
    )


def _signed_pct(number: float, text: Text) -> str:
    shown = text.pct(number, 1)
    return f"+{shown}" if number > 0 and any(c in "123456789" for c in shown) else shown


def _change(row: Any, text: Text) -> str:
    """The median's change relative to the prior's median; a rate's in percentage points
    first, at the row's precision ("−1.40 pts (−20.8% relative)": a bare "−20.8%" beside
    rates read as points; in Chinese the relative change in words, 相對減少 20.8%, with no
    sign for LibreOffice's Chinese line breaking to cut off)."""
    prior, posterior = float(row["prior_median"]), float(row["posterior_median"])
    if prior == 0:
        return text.points(posterior - prior, _decimals(row)) if row["quantity"] in RATES else "—"
    relative = _signed_pct(posterior / prior - 1, text)
    if row["quantity"] not in RATES:
        return relative
    points = text.points(posterior - prior, _decimals(row))
    key = "calib.change_rate_down" if posterior < prior else "calib.change_rate_up"
    size = text.pct(abs(posterior / prior - 1), 1)  # unsigned: Chinese says it in words
    return text(key, points=points, relative=relative, size=size)


def _width(row: Any, text: Text) -> str:
    """How much narrower (or wider) the posterior's P5-P95 is than the prior's."""
    shrink = float(row["shrink"])
    if abs(shrink) < SAME_WIDTH:
        return text("calib.same_width")
    key = "calib.narrower" if shrink > 0 else "calib.wider"
    return text(key, p=text.pct(abs(shrink)))


def _percentile(row: Any) -> str:
    p = row["conflict_percentile"]
    if not finite(p):
        return "—"
    p = float(p)
    return f"{p:.2g}" if p < 1 else (f"{p:.1f}" if p > 99 else f"{p:.0f}")


def _conflict(row: Any) -> bool:
    return str(row["conflict"]).lower() == "true"


def _data_cell(row: Any, text: Text) -> str:
    shown = _percentile(row)
    return text("calib.conflict_cell", p=shown) if _conflict(row) else shown


def table(results: Results, text: Text) -> TextTable | None:
    """Per shown quantity: rows observed, prior and posterior median (P5 – P95), the median's
    change, the interval's, and where the data sit under the prior."""
    rows = shown_rows(results)
    if rows is None:
        return None
    header = [
        text("col.quantity"),
        text("calib.col_rows"),
        text("calib.col_prior"),
        text("calib.col_posterior"),
        text("calib.col_change"),
        text("calib.col_width"),
        text("calib.col_percentile"),
    ]
    body = [
        [
            quantity_name(row, text),
            text.count(row["rows"]),
            summary(row, "prior", text),
            summary(row, "posterior", text),
            _change(row, text),
            _width(row, text),
            _data_cell(row, text),
        ]
        for row in rows.to_dict("records")
    ]
    return TextTable(header, body)


# -- the finding -------------------------------------------------------------------------------
def _provenance(results: Results) -> dict[str, Any]:
    block = results.manifest.get("calibration")
    return block if isinstance(block, dict) else {}


def _data_words(results: Results, text: Text) -> str:
    """The observed data: "12 rows of pilot.csv"."""
    data = _provenance(results).get("data") or {}
    rows, name = data.get("rows"), data.get("file")
    if not (finite(rows) and name):
        return text("calib.data_unknown")
    return text("calib.data", rows=text.count(rows), file=name)


def title(results: Results, text: Text) -> str:
    """The slide's action title: which quantity's median moved most and which way (or that
    none moved), and the quantities whose data conflict with the prior (checked first: a
    conflict is named even when no median moved)."""
    from campaign_sim.reports.story import capital

    rows = shown_rows(results)
    if rows is None:
        return ""
    records = rows.to_dict("records")
    top = max(records, key=lambda row: abs(moved(row)))
    data = _data_words(results, text)
    conflicts = [quantity_name(row, text) for row in records if _conflict(row)]
    if abs(moved(top)) < SMALL_MOVE:
        if conflicts:
            return text("calib.title_conflict_only", names=text.list_sep().join(conflicts))
        return text("calib.title_none", data=data)
    direction = "calib.down" if moved(top) < 0 else "calib.up"
    move = text(
        direction,
        a=value(top, float(top["prior_median"]), text),
        b=value(top, float(top["posterior_median"]), text),
    )
    q = quantity_name(top, text)
    if conflicts == [q] and _conflict(top):
        found = text("calib.title_conflict_top", q=q, move=move)
    elif conflicts:
        names = text.list_sep().join(conflicts)
        found = text("calib.title_conflict", q=q, move=move, names=names)
    else:
        found = text("calib.title_moved", q=q, move=move, data=data)
    return capital(found)


def _digest(value: Any) -> str:
    digest = str(value or "")
    return f"{digest[:DIGEST_CHARS]}…" if len(digest) > DIGEST_CHARS else digest


def notes_under(results: Results, text: Text) -> list[str]:
    """The notes under the table: where the numbers come from, the order value's
    replacement, what was left out."""
    from pathlib import PurePath

    provenance = _provenance(results)
    data = provenance.get("data") or {}
    priors = provenance.get("priors") or {}
    out = [
        text(
            "calib.note_source",
            data=_data_words(results, text),
            data_digest=_digest(data.get("sha256")),
            date=provenance.get("date") or "—",
            priors=PurePath(str(priors.get("file") or "—")).name,
            priors_digest=_digest(priors.get("sha256")),
        ),
    ]
    frame = _frame(results)
    if frame is not None and (frame["quantity"] == "aov").any():
        out.append(text("calib.note_aov"))
    shown = shown_rows(results)
    hidden = (len(frame) if frame is not None else 0) - (len(shown) if shown is not None else 0)
    if hidden > 0:
        out.append(text("calib.note_more", n=text.count(hidden)))
    every = _table(results)
    creators = every["creator"].dropna().nunique() if every is not None else 0
    if creators:
        out.append(text("calib.note_creators", n=text.count(creators)))
    untouched = len(provenance.get("untouched") or [])
    if untouched:
        out.append(text("calib.note_untouched", n=text.count(untouched)))
    return out


def calibration_sections(results: Results, text: Text) -> list[Section]:
    """The calibration's slide (a :class:`~campaign_sim.reports.story.Section`), or [] when
    the folder's priors were not calibrated."""
    from campaign_sim.reports.story import Section

    found = table(results, text)
    if found is None:
        return []
    return [
        Section(
            text("calib.slide"),
            found,
            notes_under(results, text),
            title=title(results, text),
            notes=text("calib.notes"),
        )
    ]


# -- the chart ---------------------------------------------------------------------------------
def chart_titles(results: Results, text: Text) -> dict[str, str]:
    """The chart's action title: which quantity's range the data narrowed most (or none)."""
    from campaign_sim.reports.story import capital

    rows = shown_rows(results)
    if rows is None:
        return {}
    records = rows.to_dict("records")
    best = max(records, key=lambda row: float(row["shrink"]))
    if float(best["shrink"]) < SAME_WIDTH:
        return {CHART: text("calib.chart_title_none")}
    narrowed = text("calib.narrower", p=text.pct(float(best["shrink"])))
    return {CHART: capital(text("calib.chart_title", q=quantity_name(best, text), p=narrowed))}


def plan(results: Results, text: Text) -> list[tuple]:
    """(key, title, caption, draw) of the calibration's chart; none without a calibration."""
    if shown_rows(results) is None:
        return []
    return [(CHART, text("calib.chart"), text("calib.caption"), draw)]


def _scale(row: Any, number: float) -> float:
    """``number`` on ``row``'s prior scale: 0 at the prior's P5, 1 at its P95."""
    low, high = float(row["prior_p5"]), float(row["prior_p95"])
    return (number - low) / ((high - low) or 1.0)


def _bar(axis: Any, row: Any, which: str, y: float, colour: str, text: Text) -> None:
    """``which``'s P5-P95 of ``row`` as a thick bar at ``y``, its median as a tick, and its
    median (P5 – P95) printed right of the plot."""
    lo, hi, mid = (_scale(row, float(row[f"{which}_{k}"])) for k in ("p5", "p95", "median"))
    axis.plot([lo, hi], [y, y], color=colour, linewidth=9, solid_capstyle="butt")
    axis.plot([mid], [y], "|", color="#111111", markersize=16, mew=2.5)
    axis.annotate(
        summary(row, which, text),
        xy=(1.0, y),
        xycoords=("axes fraction", "data"),
        xytext=(10, 0),
        textcoords="offset points",
        va="center",
        fontsize=11,
        color=CONFLICT_COLOUR if colour == CONFLICT_COLOUR else "#222222",
        parse_math=False,  # two "NT$" in a label are not a formula
    )


def _key(text: Text, conflict: bool) -> list[Any]:
    """The legend's entries: prior, posterior (and conflict), median."""
    from matplotlib.lines import Line2D

    entries = [(PRIOR_COLOUR, "calib.legend_prior"), (POSTERIOR_COLOUR, "calib.legend_post")]
    if conflict:
        entries.append((CONFLICT_COLOUR, "calib.legend_conflict"))
    key = [Line2D([], [], color=c, linewidth=9, label=text(label)) for c, label in entries]
    median = Line2D([], [], color="#111111", marker="|", linestyle="", markersize=14, mew=2.5)
    median.set_label(text("legend.median"))
    return [*key, median]


def draw(results: Results, text: Text, colours: dict[str, str]) -> Any:
    """A row per shown quantity: the planning prior's P5-P95 (grey) above the next campaign's
    (blue; orange where the data conflict with the prior), medians as ticks, on the row's prior
    scale, each interval's values printed beside it."""
    rows = shown_rows(results)
    if rows is None:
        return None
    records = rows.to_dict("records")
    n = len(records)
    with figure() as (fig, axis):
        for i, row in enumerate(records):
            y = n - 1 - i
            colour = CONFLICT_COLOUR if _conflict(row) else POSTERIOR_COLOUR
            _bar(axis, row, "prior", y + 0.18, PRIOR_COLOUR, text)
            _bar(axis, row, "posterior", y - 0.18, colour, text)
        names = [quantity_name(row, text) for row in records]
        axis.set_yticks(range(n), list(reversed(names)), fontsize=12)
        axis.set_ylim(-0.6, n - 0.4)
        ends = [0.0, 1.0]
        for row in records:
            ends += [_scale(row, float(row[f"posterior_{k}"])) for k in ("p5", "p95")]
        axis.set_xlim(min(-0.1, min(ends) - 0.05), max(1.1, max(ends) + 0.05))
        axis.axvspan(0, 1, color="#f2f2f2", zorder=0)
        axis.set_xlabel(text("calib.axis"))
        axis.grid(axis="y", visible=False)
        key = _key(text, any(_conflict(row) for row in records))
        fig.legend(handles=key, loc="outside upper center", ncols=len(key), fontsize=12)
        return fig
