"""Calibration in the terminal: what the data changed, the strategies before and after, and
what a pilot of n creators would teach."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from campaign_sim.calibration.result import Calibration
from campaign_sim.cli.tables.layout import Col, Grid, with_interval
from campaign_sim.cli.tables.summary import fmt
from campaign_sim.reports.calibration import BEFORE_AFTER_METRICS, quantity_label, shown_value

__all__ = ["before_after_table", "calibration_table", "pilot_table", "predictive_line"]


#: How a named creator's own-effect rows name their quantity ("@beanlab engagement").
OWN_LABELS = {
    "engagement_rate": "engagement",
    "reach_rate": "reach",
    "conversion_rate": "conversion",
}


def predictive_line(calibration: Calibration) -> str:
    """``N of M observed counts outside their posterior P5–P95 (x%; about 10% expected)``."""
    frame = calibration.predictive
    p = frame["percentile"].dropna() if "percentile" in frame else pd.Series(dtype=float)
    if p.empty:
        return "Predictive check: no observed counts to check."
    outside = int(((p < 5) | (p > 95)).sum())
    return (
        f"Predictive check: {outside} of {len(p)} observed counts outside their posterior "
        f"P5–P95 ({100 * outside / len(p):.1f}%; about 10% expected)."
    )


def _conflict(percentile: float | None, conflict: bool) -> str | tuple[str, str]:
    if percentile is None or percentile != percentile:
        return "n/a"
    if conflict:
        return f"{percentile:.2g}", "CONFLICT"
    return f"{percentile:.0f}"


def calibration_table(calibration: Calibration, currency: str, console: Console) -> None:
    """A row per quantity the data moved: data used, prior and posterior of the next
    campaign's value, shrink and the conflict percentile; the checks and notes below."""
    notes = [f"{u.name}: {u.note}" for u in calibration.updates if u.note] + [
        f"{name}: {why}" for name, why in calibration.provenance.get("notes", {}).items()
    ]
    untouched = calibration.untouched
    caption = [
        "Median [P5, P95] of the next campaign's value. shrink: how much the P5–P95 interval "
        "narrowed. conflict percentile: where the data sit under the prior; CONFLICT when "
        "below 1 or above 99 (check the data and the prior).",
        predictive_line(calibration),
        f"Untouched: {len(untouched)} pool quantities the data do not speak to"
        + (f" ({', '.join(untouched)})." if untouched else "."),
    ]
    spreads = [
        f"{u.name} {u.spread[0]:.2g} → {u.spread[1]:.2g} [{u.spread[2]:.2g}, {u.spread[3]:.2g}]"
        for u in calibration.updates
        if u.spread is not None
    ]
    if spreads:
        caption.append(
            "Creator spread learnt (sd on the logit scale, assumed → median [P5, P95]): "
            + "; ".join(spreads)
            + "."
        )
    if calibration.creators:
        caption.append(
            "@handle rows: a named creator's usual rate (their persistent own effect, own "
            "campaign part 0) in a campaign at the pool's posterior mean level; their own "
            "spread (sd on the logit scale, prior → posterior, floor): "
            + "; ".join(
                f"{c.name} {c.spread:.2g} → {c.own_spread:.2g} ({c.floor:.2g})"
                for c in calibration.creators
            )
            + "."
        )
    if notes:
        caption.append("Notes: " + "; ".join(notes) + ".")
    table = Grid(
        [
            Col("pool", justify="left", key=True, text=True, floor=10),
            Col("quantity", justify="left", key=True, text=True, floor=10),
            Col("rows", stack="data"),
            Col("creators", stack="data"),
            Col("campaigns", short="camp.", stack="data"),
            Col("prior median [P5, P95]", short="prior\nmedian\n[P5, P95]"),
            Col("posterior median [P5, P95]", short="posterior\nmedian\n[P5, P95]"),
            Col("shrink"),
            Col("conflict percentile", short="conflict\npct."),
        ],
        title=f"What the data changed — {calibration.provenance['data']['rows']:,} observed rows,"
        f" money in {currency}",
        caption="\n".join(caption),
    )
    for u in calibration.updates:
        q = u.quantity
        table.add_row(
            u.pool or "—",
            quantity_label(q, currency),
            f"{u.rows:,}",
            f"{u.creators:,}",
            f"{u.campaigns:,}",
            with_interval(
                shown_value(q, u.prior.median),
                shown_value(q, u.prior.p5),
                shown_value(q, u.prior.p95),
            ),
            with_interval(
                shown_value(q, u.posterior.median),
                shown_value(q, u.posterior.p5),
                shown_value(q, u.posterior.p95),
            ),
            f"{100 * u.shrink:.0f}%",
            _conflict(u.conflict_percentile, u.conflict),
        )
    for c in calibration.creators:
        q = c.quantity
        before, after = c.usual_prior, c.usual_posterior
        shrink = 1.0 - after.width / before.width if before.width > 0 else 0.0
        table.add_row(
            f"@{c.handle}",
            OWN_LABELS.get(q, quantity_label(q, currency)),
            f"{c.rows:,}",
            "1",
            f"{c.campaigns:,}",
            with_interval(
                shown_value(q, before.median), shown_value(q, before.p5), shown_value(q, before.p95)
            ),
            with_interval(
                shown_value(q, after.median), shown_value(q, after.p5), shown_value(q, after.p95)
            ),
            f"{100 * shrink:.0f}%",
            "n/a",
        )
    table.print(console)


def before_after_table(
    frame: pd.DataFrame, currency: str, campaigns: int, console: Console
) -> None:
    """The compare summary of every strategy with the original and the calibrated priors."""
    kinds = {key: kind for key, _, kind in BEFORE_AFTER_METRICS}
    labels = {key: label for key, label, _ in BEFORE_AFTER_METRICS}
    table = Grid(
        [
            Col("strategy", justify="left", key=True, text=True, floor=12),
            Col("metric", justify="left", key=True),
            Col("original priors", short="original"),
            Col("calibrated priors", short="calibrated"),
            Col("change"),
        ],
        title=f"Before and after — {campaigns:,} campaigns each, same seed, money in {currency}",
        caption="ROI P5 – P95: where 90% of campaigns land. Changes of ROI and P(loss) are in "
        "percentage points.",
    )
    for row in frame.to_dict("records"):
        kind = kinds[row["metric"]]
        if kind == "fraction":
            values = (fmt(row["original"], "prob"), fmt(row["calibrated"], "prob"))
            change = f"{100 * row['change']:+.1f} pts"
        else:
            values = (fmt(row["original"]), fmt(row["calibrated"]))
            change = fmt(row["change"])
            change = change if change.startswith("-") else "+" + change
        table.add_row(row["label"], labels[row["metric"]], *values, change)
    table.print(console)


def pilot_table(
    frame: pd.DataFrame, pool: str, quantity: str, currency: str, console: Console
) -> None:
    """A row per pilot size of :func:`campaign_sim.calibration.sizing.pilot_sizing`."""
    label = quantity_label(quantity, currency)
    prior = shown_value(quantity, float(frame["prior_width"].iloc[0]), width=True)
    table = Grid(
        [
            Col("creators", key=True),
            Col("expected P5–P95 width", short="expected\nwidth"),
            Col("width P10 – P90 over replicates", short="width\nP10 – P90"),
            Col("prior width", short="prior\nwidth"),
            Col("expected shrink", short="expected\nshrink"),
            Col("persistent score sd", short="score\nsd"),
        ],
        title=f"Pilot sizing — {pool} {label}: what a one-campaign pilot of n creators would "
        f"teach ({int(frame['replicates'].iloc[0]):,} simulated pilots per size)",
        caption=f"Width: of the P5–P95 interval of the next campaign's {label} after the pilot "
        f"(before: {prior}). Persistent score sd: 1 before any pilot; the brand's own level is "
        "known to within that many prior standard deviations.",
    )
    for row in frame.to_dict("records"):
        table.add_row(
            f"{int(row['creators']):,}",
            shown_value(quantity, row["expected_width"], width=True),
            f"{shown_value(quantity, row['width_p10'], width=True)} – "
            f"{shown_value(quantity, row['width_p90'], width=True)}",
            shown_value(quantity, row["prior_width"], width=True),
            f"{100 * row['expected_shrink']:.0f}%",
            f"{row['score_sd']:.2f}",
        )
    table.print(console)
