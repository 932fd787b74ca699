"""What ``campaign-sim calibrate --report DIR`` writes: the updates as CSV, the predictive check,
a chart of prior against posterior per quantity, and the strategies before and after.

Every file is written atomically (a temporary file and a rename). The chart puts one row per
quantity on an axis normalized to that row's prior: 0 is the prior's P5 and 1 its P95, so
rows of rates, money and multipliers sit side by side; the real values are printed beside the
bars. Chinese scenario names render with the project's CJK font (:mod:`.fonts`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim.calibration.result import Calibration
from campaign_sim.calibration.update import RATES
from campaign_sim.reports import fonts
from campaign_sim.results.folder import atomic_write_bytes

__all__ = [
    "BEFORE_AFTER_METRICS",
    "before_after_frame",
    "calibration_chart",
    "quantity_label",
    "shown_value",
    "write_calibration_report",
]

MONEY = ("fee", "aov")
APPEAL = "product_appeal"
#: The compare summary shown before and after: (key, label, kind).
BEFORE_AFTER_METRICS = (
    ("roi_mean", "ROI mean", "fraction"),
    ("roi_p5", "ROI P5", "fraction"),
    ("roi_p95", "ROI P95", "fraction"),
    ("prob_loss", "P(loss)", "fraction"),
    ("profit_mean", "profit mean", "money"),
)
PRIOR_COLOUR = "#9a9a9a"
POSTERIOR_COLOUR = "#0072B2"
CONFLICT_COLOUR = "#D55E00"


def quantity_label(quantity: str, currency: str) -> str:
    """How a quantity is named for people: ``engagement rate``, ``fee (TWD)``."""
    if quantity in MONEY:
        return f"{'order value' if quantity == 'aov' else 'fee'} ({currency})"
    if quantity in (APPEAL, "shock"):
        return "product appeal (×)"
    return quantity.replace("_", " ")


def shown_value(quantity: str, value: float | None, *, width: bool = False) -> str:
    """A quantity's value: rates as percentages (a width in percentage points), money with
    thousands separators, the appeal as a multiplier."""
    if value is None or value != value:
        return "n/a"
    if quantity in RATES:
        return f"{100 * value:.3g} pts" if width else f"{100 * value:.3g}%"
    if quantity in MONEY:
        return f"{value:,.0f}"
    if quantity in (APPEAL, "shock"):
        return f"{value:.2f}" if width else f"×{value:.2f}"
    return f"{value:.3g}"


def before_after_frame(original: Any, calibrated: Any) -> pd.DataFrame:
    """Per strategy and metric of :data:`BEFORE_AFTER_METRICS`: the value with the original
    priors and with the calibrated ones (two :class:`~campaign_sim.analysis.stats.Summary`)."""
    rows = []
    for name in original.strategies:
        values = {}
        for which, summary in (("original", original), ("calibrated", calibrated)):
            roi = summary.metrics[name]["roi"]
            profit = summary.metrics[name]["profit"]
            values[which] = {
                "roi_mean": roi.mean,
                "roi_p5": roi.p5,
                "roi_p95": roi.p95,
                "prob_loss": summary.risk[name].prob_loss,
                "profit_mean": profit.mean,
            }
        for key, _, _ in BEFORE_AFTER_METRICS:
            rows.append(
                {
                    "strategy": name,
                    "label": original.labels.get(name, name),
                    "metric": key,
                    "original": values["original"][key],
                    "calibrated": values["calibrated"][key],
                    "change": values["calibrated"][key] - values["original"][key],
                }
            )
    return pd.DataFrame(rows)


def _row_label(update: Any, currency: str) -> str:
    label = quantity_label(update.quantity, currency)
    return f"{update.pool}  {label}" if update.pool else label


def calibration_chart(calibration: Calibration, currency: str, title: str) -> bytes:
    """PNG: a row per quantity, prior P5-P95 (grey) above posterior P5-P95 (coloured; orange
    when the data conflict with the prior), median markers, on the row's prior scale."""
    import matplotlib

    from campaign_sim.reports.charts import render
    from campaign_sim.reports.plotting import DPI, style

    updates = list(calibration.updates)
    labels = [_row_label(u, currency) for u in updates]
    needs_cjk = fonts.has_cjk(" ".join([title, *labels]))
    families = fonts.matplotlib_families("en", needs_cjk=needs_cjk)
    boxes = needs_cjk and fonts.find_cjk_font() is None
    rows = max(1, len(updates))
    height = 1.6 + 0.62 * rows
    with matplotlib.rc_context(style(families)), fonts.missing_glyphs_quiet(boxes):  # type: ignore[arg-type]
        from matplotlib.figure import Figure

        fig = Figure(figsize=(12.0, height), dpi=DPI, layout="constrained")
        axis = fig.subplots()
        for i, u in enumerate(updates):
            y = rows - 1 - i
            low, high = u.prior.p5, u.prior.p95
            span = (high - low) or 1.0

            def x(value: float, low: float = low, span: float = span) -> float:
                return (value - low) / span

            axis.plot(
                [0, 1], [y + 0.17] * 2, color=PRIOR_COLOUR, linewidth=7, solid_capstyle="butt"
            )
            axis.plot([x(u.prior.median)], [y + 0.17], "|", color="#333333", markersize=16, mew=2)
            colour = CONFLICT_COLOUR if u.conflict else POSTERIOR_COLOUR
            axis.plot(
                [x(u.posterior.p5), x(u.posterior.p95)],
                [y - 0.17] * 2,
                color=colour,
                linewidth=7,
                solid_capstyle="butt",
            )
            axis.plot(
                [x(u.posterior.median)], [y - 0.17], "|", color="#111111", markersize=16, mew=2
            )
            q = u.quantity
            text = (
                f"prior {shown_value(q, u.prior.median)} [{shown_value(q, u.prior.p5)}, "
                f"{shown_value(q, u.prior.p95)}]  →  {shown_value(q, u.posterior.median)} "
                f"[{shown_value(q, u.posterior.p5)}, {shown_value(q, u.posterior.p95)}]"
                + ("  conflict" if u.conflict else "")
            )
            axis.annotate(
                text,
                xy=(1.0, y),
                xycoords=("axes fraction", "data"),
                xytext=(8, 0),
                textcoords="offset points",
                va="center",
                fontsize=10,
                color=CONFLICT_COLOUR if u.conflict else "#222222",
            )
        axis.set_yticks(range(rows), list(reversed(labels)) if labels else [""], fontsize=11)
        axis.set_ylim(-0.7, rows - 0.3)
        lows = [0.0] + [(u.posterior.p5 - u.prior.p5) / (u.prior.width or 1) for u in updates]
        highs = [1.0] + [(u.posterior.p95 - u.prior.p5) / (u.prior.width or 1) for u in updates]
        axis.set_xlim(min(-0.1, min(lows) - 0.05), max(1.1, max(highs) + 0.05))
        axis.set_xlabel("on each row's prior scale: 0 = prior P5, 1 = prior P95")
        axis.grid(axis="y", visible=False)
        axis.set_title(
            f"{title}\nprior (grey) and posterior (colour): P5–P95 and median of the next "
            "campaign's value",
            loc="left",
            fontsize=13,
        )
        return render(fig, "png")


def write_calibration_report(
    folder: Path,
    calibration: Calibration,
    *,
    currency: str,
    title: str,
    before_after: pd.DataFrame | None = None,
) -> list[Path]:
    """Write calibration.csv, predictive.csv, calibration.png (and before-after.csv when given)
    in ``folder``; return the paths written."""
    folder = Path(folder)
    written = []
    files: list[tuple[str, bytes]] = [
        ("calibration.csv", calibration.frame().to_csv(index=False).encode("utf-8")),
        ("predictive.csv", _predictive(calibration).to_csv(index=False).encode("utf-8")),
        ("calibration.png", calibration_chart(calibration, currency, title)),
    ]
    if before_after is not None:
        files.append(("before-after.csv", before_after.to_csv(index=False).encode("utf-8")))
    for name, data in files:
        path = folder / name
        atomic_write_bytes(path, data)
        written.append(path)
    return written


def _predictive(calibration: Calibration) -> pd.DataFrame:
    frame = calibration.predictive
    if frame.empty:
        return pd.DataFrame(columns=["row", "pool", "quantity", "observed", "percentile"])
    out = frame.copy()
    p = out["percentile"]
    out["outside_p5_p95"] = (p < 5) | (p > 95)
    return out
