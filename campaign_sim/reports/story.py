"""What a report says, computed from the results: the headline sentence, the points that
back it, the risk table, the assumptions and the method. Shared by the deck and the Markdown
report so that both say the same thing; every number comes from the results folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from campaign_sim.reports import sensitivity, sweep, timeline
from campaign_sim.reports.i18n import Text, metric_kind
from campaign_sim.reports.results import Results, finite
from campaign_sim.reports.texttable import TextTable

__all__ = ["Section", "Story", "tell"]


@dataclass(frozen=True)
class Section:
    """A table of the report with its heading and an optional note under it."""

    heading: str
    table: TextTable
    note: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Story:
    """Everything a report says: title, headline and its points, tables, assumptions, method."""

    title: str
    subtitle: str
    headline: str
    points: list[str]
    tables: list[Section]
    assumptions: TextTable | None
    method: list[str]


def _title(results: Results, text: Text) -> str:
    key = f"title.{results.command}"
    kind = text(key) if text.has(key) else text("title.run")
    return (
        text("title.with_name", kind=kind, name=results.scenario_name)
        if results.scenario_name
        else kind
    )


def _subtitle(results: Results, text: Text) -> str:
    return text(
        "subtitle",
        campaigns=text.count(results.campaigns),
        seed=results.seed,
        version=results.manifest.get("version", ""),
        date=str(results.manifest.get("created", ""))[:10],
    )


def _median_roi(results: Results, name: str) -> float:
    row = results.metric(name, "roi")
    return float(row["p50"]) if row is not None and finite(row["p50"]) else float("nan")


def headline(results: Results, text: Text) -> str:
    """The answer in one sentence, with its numbers."""
    diff = results.difference("roi")
    if diff is not None:
        a, b = str(diff["a"]), str(diff["b"])
        p = float(diff["prob_a_better"])
        key = "headline.compare" if p >= 0.5 else "headline.compare_low"
        return text(
            key,
            a=results.label(a),
            b=results.label(b),
            p=text.prob(p),
            ma=text.pct(_median_roi(results, a)),
            mb=text.pct(_median_roi(results, b)),
        )
    names = [n for n in results.ordered_strategies if results.metric(n, "roi") is not None]
    if not names:
        return _title(results, text)
    ranked = sorted(names, key=lambda n: -_median_roi(results, n))
    best = ranked[0]
    risk = results.risk_of(best)
    ploss = text.prob(risk["prob_loss"]) if risk is not None else "n/a"
    if len(ranked) == 1:
        row = results.metric(best, "roi")
        return text(
            "headline.run_one",
            s=results.label(best),
            m=text.pct(row["p50"]),  # type: ignore[index]
            p5=text.pct(row["p5"]),  # type: ignore[index]
            p95=text.pct(row["p95"]),  # type: ignore[index]
            ploss=ploss,
        )
    return text(
        "headline.run_many",
        best=results.label(best),
        m1=text.pct(_median_roi(results, best)),
        second=results.label(ranked[1]),
        m2=text.pct(_median_roi(results, ranked[1])),
        ploss=ploss,
    )


def points(results: Results, text: Text) -> list[str]:
    """The numbers behind the headline: paired differences, risk, outcome intervals."""
    out: list[str] = []
    sep = text.list_sep()
    diff = results.difference("roi")
    if diff is not None:
        out.append(
            text(
                "bullet.mean_diff",
                d=text.points(diff["mean_diff"]),
                lo=text.points(diff["mean_diff_ci_low"]),
                hi=text.points(diff["mean_diff_ci_high"]),
                n=text.count(diff["n"]),
            )
        )
    profit = results.difference("profit")
    if profit is not None:
        out.append(
            text(
                "bullet.profit_diff",
                d=text.money(profit["mean_diff"], signed=True),
                lo=text.money(profit["mean_diff_ci_low"], signed=True),
                hi=text.money(profit["mean_diff_ci_high"], signed=True),
            )
        )
    names = [n for n in results.ordered_strategies if results.risk_of(n) is not None]
    if names:
        risks = {n: results.risk_of(n) for n in names}
        out.append(
            text(
                "bullet.prob_loss",
                items=sep.join(
                    f"{results.label(n)} {text.prob(r['prob_loss'])}"  # type: ignore[index]
                    for n, r in risks.items()
                ),
            )
        )
        out.append(
            text(
                "bullet.shortfall",
                items=sep.join(
                    f"{results.label(n)} {text.money(r['expected_shortfall'])}"  # type: ignore[index]
                    for n, r in risks.items()
                ),
            )
        )
    for name in results.ordered_strategies:
        row = results.metric(name, "roi")
        if row is not None:
            out.append(
                text(
                    "bullet.outcome",
                    s=results.label(name),
                    p5=text.pct(row["p5"]),
                    p95=text.pct(row["p95"]),
                )
            )
    return out


def risk_table(results: Results, text: Text) -> TextTable | None:
    """Per strategy: mean ROI [CI], median, P5-P95, P(loss) [CI], P(ROI > target), VaR, ES."""
    names = [n for n in results.ordered_strategies if results.risk_of(n) is not None]
    if not names:
        return None
    target = results.risk_of(names[0])["roi_target"]  # type: ignore[index]
    header = [
        text("col.strategy"),
        text("col.mean_ci"),
        text("col.p50"),
        text("col.outcome"),
        text("col.prob_loss_ci"),
        f"{text('col.prob_above')} ({text.pct(target)})",
        text("col.var"),
        text("col.es"),
    ]
    rows = []
    for name in names:
        r: Any = results.risk_of(name)
        m: Any = results.metric(name, "roi")
        mean = (
            f"{text.pct(m['mean'], 1)} [{text.pct(m['mean_ci_low'], 1)}, "
            f"{text.pct(m['mean_ci_high'], 1)}]"
            if m is not None
            else "n/a"
        )
        rows.append(
            [
                results.label(name),
                mean,
                text.pct(m["p50"], 1) if m is not None else "n/a",
                f"{text.pct(m['p5'])} – {text.pct(m['p95'])}" if m is not None else "n/a",
                f"{text.prob(r['prob_loss'], 1)} [{text.prob(r['prob_loss_ci_low'], 1)}, "
                f"{text.prob(r['prob_loss_ci_high'], 1)}]",
                text.prob(r["prob_above_target"], 1),
                text.money(r["value_at_risk"]),
                text.money(r["expected_shortfall"]),
            ]
        )
    return TextTable(header, rows)


def comparison_table(results: Results, text: Text) -> tuple[TextTable, Any] | None:
    """Per metric of comparison.csv: mean A, mean B, mean difference [95% CI], P5 - P95 of the
    difference, P(A > B) [95% CI]; with the ROI row (for the names of A and B)."""
    frame = results.comparison
    if frame is None or frame.empty:
        return None
    header = [
        text("col.metric"),
        text("col.mean_a"),
        text("col.mean_b"),
        f"{text('col.diff')} [95% CI]",
        text("col.diff_range"),
        f"{text('col.prob_a')} [95% CI]",
    ]
    rows = []
    for d in frame.to_dict("records"):
        metric = str(d["metric"])

        def f(value: Any, metric: str = metric) -> str:
            return text.number(value, metric)

        def g(value: Any, metric: str = metric) -> str:
            """A difference: percentage points for fractions such as ROI."""
            return text.points(value) if metric_kind(metric) == "fraction" else f(value)

        rows.append(
            [
                text.metric(metric),
                f(d["mean_a"]),
                f(d["mean_b"]),
                f"{g(d['mean_diff'])} [{g(d['mean_diff_ci_low'])}, {g(d['mean_diff_ci_high'])}]",
                f"{g(d['diff_p5'])} – {g(d['diff_p95'])}",
                f"{text.prob(d['prob_a_better'], 1)} [{text.prob(d['prob_a_better_ci_low'], 1)}, "
                f"{text.prob(d['prob_a_better_ci_high'], 1)}]",
            ]
        )
    return TextTable(header, rows), frame.iloc[0]


#: The summary table's metrics, where the results have them: ROI over the repeat buyers'
#: horizon beside ROI on first purchases when the scenario has repeat buyers.
KEY_METRICS = ("roi", "roi_horizon", "profit", "revenue", "cost", "conversions", "cpa")


def summary_table(results: Results, text: Text) -> TextTable | None:
    """Per strategy and key metric: mean [95% CI], P5, median, P95."""
    header = [
        text("col.strategy"),
        text("col.metric"),
        text("col.mean_ci"),
        text("col.p5"),
        text("col.p50"),
        text("col.p95"),
    ]
    rows = []
    for name in results.ordered_strategies:
        for metric in KEY_METRICS:
            m = results.metric(name, metric)
            if m is None:
                continue
            f = lambda v, metric=metric: text.number(v, metric)  # noqa: E731
            rows.append(
                [
                    results.label(name),
                    text.metric(metric),
                    f"{f(m['mean'])} [{f(m['mean_ci_low'])}, {f(m['mean_ci_high'])}]",
                    f(m["p5"]),
                    f(m["p50"]),
                    f(m["p95"]),
                ]
            )
    return TextTable(header, rows) if rows else None


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _range(row: dict) -> str:
    lo, hi = row.get("p5"), row.get("p95")
    if not (finite(lo) and finite(hi)):
        return ""
    lo, hi = float(lo), float(hi)  # type: ignore[arg-type]
    return f"{lo:.4g} – {hi:.4g}" if lo != hi else f"{lo:.4g}"


def assumptions_table(results: Results, text: Text) -> TextTable | None:
    """Every prior: where it applies, its distribution and P5-P95, and its sources."""
    frame = results.priors
    if frame is None:
        return None
    header = [
        text("col.tier"),
        text("col.platform"),
        text("col.quantity"),
        text("col.family"),
        text("col.prior_range"),
        text("col.sources"),
    ]
    rows = []
    for row in frame.to_dict("records"):
        sources = _text(row.get("sources"))
        if bool(row.get("assumption")):
            sources = (
                f"{sources} ({text('assumption_marker')})" if sources else text("assumption_marker")
            )
        rows.append(
            [
                _text(row.get("tier")),
                _text(row.get("platform")),
                text.quantity(_text(row.get("quantity"))),
                _text(row.get("family")),
                _range(row),
                sources,
            ]
        )
    return TextTable(header, rows)


def method(results: Results, text: Text) -> list[str]:
    scenario = results.manifest.get("scenario") or {}
    return [
        text("method.campaigns", campaigns=text.count(results.campaigns), seed=results.seed),
        text(
            "method.scenario",
            name=scenario.get("name", ""),
            path=scenario.get("path", ""),
            sha=str(scenario.get("sha256", ""))[:16],
        ),
        text(
            "method.version",
            version=results.manifest.get("version", ""),
            command=results.command,
            created=results.manifest.get("created", ""),
        ),
        *(
            [text("method.sweep", points=results.settings.get("points", "?"))]
            if results.command == "sweep"
            else []
        ),
        text("method.outcome"),
        text("method.estimate"),
        text("method.crn"),
        text("method.sources"),
    ]


#: The roster table's file (campaign_sim.results.roster.ROSTER) and its rest-of-strategy row
#: (campaign_sim.analysis.roster.REST), literal so that a report imports no engine.
ROSTER = "roster.csv"
REST = "(rest of the strategy)"


def roster_tables(results: Results, text: Text) -> list[tuple[str, TextTable]]:
    """Per strategy of roster.csv (a folder of a scenario with named creators): its named
    creators ranked by mean profit, then the rest of the strategy; (strategy, table) each."""
    frame = results.table(ROSTER)
    if frame is None or frame.empty or "strategy" not in frame:
        return []
    header = [
        "#",
        text("col.creator"),
        text("col.booked"),
        text("col.orders"),
        text("col.profit_se"),
        text("col.profit_range"),
        text("col.payback"),
        text.metric("cpa"),
        text("col.risk_share"),
    ]
    out = []
    for name, rows in frame.groupby("strategy", sort=False):
        body = []
        for r in rows.to_dict("records"):
            rest = str(r["creator"]) == REST

            def se(value: Any, error: Any, show: Any) -> str:
                shown = show(value)
                return f"{shown} ± {show(error)}" if finite(error) and finite(value) else shown

            body.append(
                [
                    "" if rest or not finite(r["rank"]) else f"{int(r['rank'])}",
                    text("word.rest") if rest else f"@{r['creator']} ({r['pool']})",
                    "" if rest else text.prob(r["booked"]),
                    ""
                    if rest
                    else f"{text.count(r['orders_mean'])} ({text.count(r['orders_p5'])} – "
                    f"{text.count(r['orders_p95'])})",
                    se(r["profit_mean"], r["profit_mean_se"], text.money),
                    f"{text.money(r['profit_p5'])} – {text.money(r['profit_p95'])}",
                    "" if rest else se(r["p_payback"], r["p_payback_se"], text.prob),
                    "" if rest else ("∞" if r["cpa"] == float("inf") else text.money(r["cpa"])),
                    text.pct(r["risk_share"]),
                ]
            )
        out.append((str(name), TextTable(header, body)))
    return out


#: What other commands' folders say: module with headline(), points() and table().
KINDS = {"sweep": sweep, "timeline": timeline, "sensitivity": sensitivity}


def _sections(results: Results, text: Text) -> list[Section]:
    sections = []
    kind = KINDS.get(results.command)
    if kind is not None:
        table = kind.table(results, text)
        if table is not None:
            sections.append(Section(text(f"slide.table_{results.command}"), table))
    paired = comparison_table(results, text)
    if paired is not None:
        a, b = (results.label(str(paired[1][k])) for k in ("a", "b"))
        sections.append(
            Section(text("slide.comparison_table", a=a, b=b), paired[0], [text("method.crn")])
        )
    risk = risk_table(results, text)
    if risk is not None:
        note = [text("method.outcome"), text("method.estimate")]
        sections.append(Section(text("slide.risk_table"), risk, note))
    summary = summary_table(results, text)
    if summary is not None:
        sections.append(Section(text("slide.summary_table"), summary))
    for name, table in roster_tables(results, text):
        heading = text("slide.roster_table", s=results.label(name))
        sections.append(Section(heading, table, [text("method.roster")]))
    return sections


def tell(results: Results, text: Text) -> Story:
    """Everything a report says, in ``text``'s language."""
    kind = KINDS.get(results.command)
    said = kind.headline(results, text) if kind is not None else None
    return Story(
        title=_title(results, text),
        subtitle=_subtitle(results, text),
        headline=said or headline(results, text),
        points=kind.points(results, text) if kind is not None else points(results, text),
        tables=_sections(results, text),
        assumptions=assumptions_table(results, text),
        method=method(results, text),
    )
