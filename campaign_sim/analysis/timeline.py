"""What the timeline engine returns, and its tidy tables (fan charts, payback, summary)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from campaign_sim.analysis.stats import PERCENTILES, proportion_ci, summarize_values
from campaign_sim.engine.vectorized import campaign_frame
from campaign_sim.scenario.timeline import TimelinePlan

__all__ = ["DAILY_METRICS", "HORIZON_TOTALS", "SERIES", "TOTALS", "TimelineResult"]

#: Daily cumulative series kept per campaign (profit is derived from them): revenue and gross
#: profit hold first and repeat orders; conversions, first orders only.
SERIES = ("cost", "revenue", "gross_profit", "conversions")
#: Daily cumulative metrics in the fan-chart table.
DAILY_METRICS = ("cost", "revenue", "profit", "conversions")

#: Per-campaign totals of the timeline, with their units.
TOTALS: dict[str, str] = {
    "roi": "fraction: (gross profit - cost) / cost, at the horizon",
    "roas": "revenue / cost",
    "profit": "currency: gross profit - cost",
    "revenue": "currency, orders inside the attribution window",
    "gross_profit": "currency",
    "cost": "currency",
    "conversions": "orders inside the attribution window",
    "engagements": "engagements up to the horizon",
    "reach": "people reached up to the horizon, summed over posts",
    "payback_day": "day from which cumulative profit stays >= 0 (undefined: never)",
    "deliverables": "deliverables contracted (hired creators x deliverables)",
    "posted": "deliverables that went live inside the window",
    "lost": "deliverables made but not live inside the window",
    "lost_share": "fraction of the deliverables made that were lost to the window",
    "last_post_day": "day the last deliverable went live",
    "manager_hours": "manager-hours worked inside the window",
    "manager_utilisation": "fraction of the team's hours inside the window (unlimited: n/a)",
}


#: Totals over the repeat buyers' horizon, in the summary when the scenario has repeat buyers
#: (discounted as the vectorized engine's; the daily series book repeats as cash).
HORIZON_TOTALS: dict[str, str] = {
    "repeat_orders": "repeat orders of the new customers over the horizon",
    "revenue_horizon": "currency: first purchases and discounted repeat revenue",
    "profit_horizon": "currency: gross profit over the horizon - cost",
    "roi_horizon": "fraction: (gross profit over the horizon - cost) / cost",
}


@dataclass(frozen=True)
class TimelineResult:
    """Every campaign of every strategy on the calendar.

    ``series[strategy][metric]`` (metric in :data:`SERIES`) has shape (campaigns, horizon days):
    the cumulative amount at the end of each day. ``totals[strategy][metric]`` (metric in
    :data:`TOTALS`) has shape (campaigns,).
    """

    strategies: tuple[str, ...]
    labels: dict[str, str]
    campaigns: int
    seed: int
    plan: TimelinePlan
    gross_margin: float
    series: dict[str, dict[str, np.ndarray]]
    totals: dict[str, dict[str, np.ndarray]]

    @property
    def horizon_days(self) -> int:
        return self.plan.horizon_days

    def daily(self, strategy: str, metric: str) -> np.ndarray:
        """Cumulative ``metric`` (one of :data:`DAILY_METRICS`), shape (campaigns, days)."""
        got = self.series[strategy]
        if metric == "profit":
            return got["gross_profit"] - got["cost"]
        return got[metric]

    def daily_frame(self) -> pd.DataFrame:
        """Tidy fan-chart table: a row per strategy, day and metric; the mean over campaigns
        and the P5 ... P95 outcome band of the cumulative amount at the end of that day."""
        days = np.arange(self.horizon_days)
        parts = []
        for name in self.strategies:
            for metric in DAILY_METRICS:
                values = self.daily(name, metric)
                band = np.percentile(values, PERCENTILES, axis=0)
                part = pd.DataFrame(
                    {"strategy": name, "day": days, "metric": metric, "mean": values.mean(axis=0)}
                )
                for p, row in zip(PERCENTILES, band, strict=True):
                    part[f"p{p}"] = row
                parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def payback_frame(self) -> pd.DataFrame:
        """A row per strategy and day: the share of campaigns paid back by the end of that day
        (the payback-day distribution as a CDF; it ends below 1 by the share never paid back)."""
        days = np.arange(self.horizon_days)
        parts = []
        for name in self.strategies:
            payback = self.totals[name]["payback_day"]
            counts = np.bincount(
                payback[np.isfinite(payback)].astype(int), minlength=self.horizon_days
            )
            parts.append(
                pd.DataFrame(
                    {
                        "strategy": name,
                        "day": days,
                        "paid_back_share": np.cumsum(counts) / self.campaigns,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)

    def payback(self, strategy: str, confidence: float = 0.95) -> dict:
        """Share of campaigns never paid back inside the horizon (with its Wilson CI) and the
        payback day's quantiles among those that pay back."""
        payback = self.totals[strategy]["payback_day"]
        never = int(np.isnan(payback).sum())
        paid = payback[np.isfinite(payback)]
        quantiles = (
            np.percentile(paid, PERCENTILES) if paid.size else np.full(len(PERCENTILES), np.nan)
        )
        return {
            "never_share": never / self.campaigns,
            "never_share_ci": proportion_ci(never, self.campaigns, confidence),
            "mean_day": float(paid.mean()) if paid.size else float("nan"),
            **{f"p{p}_day": float(q) for p, q in zip(PERCENTILES, quantiles, strict=True)},
        }

    def summary_frame(self) -> pd.DataFrame:
        """Tidy: a row per strategy and total; mean with its 95% CI (estimate interval) and
        P5 ... P95 over campaigns (outcome interval). Payback day: over campaigns paying back."""
        rows = []
        metrics = [*TOTALS, *(HORIZON_TOTALS if self.plan.repeat_days else ())]
        for name in self.strategies:
            for metric in metrics:
                summary = summarize_values(metric, self.totals[name][metric])
                rows.append({"strategy": name, **asdict(summary)})
        return pd.DataFrame(rows)

    def totals_frame(self) -> pd.DataFrame:
        """Every campaign's totals: a row per campaign and strategy."""
        return campaign_frame(self.strategies, self.totals, self.campaigns)

    def to_dict(self) -> dict:
        """Summary per strategy: each total's statistics, and the payback distribution."""
        frame = self.summary_frame()
        out = {}
        for name in self.strategies:
            rows = frame[frame["strategy"] == name].set_index("metric")
            out[name] = {
                "label": self.labels[name],
                **{
                    metric: {
                        "mean": row["mean"],
                        "mean_ci": [row["mean_ci_low"], row["mean_ci_high"]],
                        "se": row["se"],
                        "sd": row["sd"],
                        **{f"p{p}": row[f"p{p}"] for p in PERCENTILES},
                        "n_undefined": row["n_undefined"],
                    }
                    for metric, row in rows.iterrows()
                },
                "payback": self.payback(name),
            }
        return out
