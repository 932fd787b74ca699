"""What a report says, computed from the results: the executive summary (the decision and its
risk in one sentence, chosen by rules per kind of results), an action title and speaker notes
for every slide, what the strategies are, the assumptions that matter, the tables and the
method. Shared by the deck and the Markdown report so that both say the same thing; every
number comes from the results folder (or the scenario file it names, while unchanged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from campaign_sim.reports import calibrated, sensitivity, sweep, timeline
from campaign_sim.reports.i18n import Text, column_kind, metric_kind
from campaign_sim.reports.results import Results, finite
from campaign_sim.reports.texttable import TextTable

__all__ = ["Said", "Section", "Story", "sentence", "summary", "tell"]


@dataclass(frozen=True)
class Section:
    """A table of the report: its label (``heading``), the action title of its slide (a
    sentence that says the finding), an optional note under it and its speaker notes."""

    heading: str
    table: TextTable
    note: list[str] = field(default_factory=list)
    title: str = ""
    notes: str = ""
    dense: bool = False  # many rows of small print (assumptions): smaller type on the slide


@dataclass(frozen=True)
class Said:
    """A sentence and the rule (``case``) that chose its wording."""

    case: str
    text: str


@dataclass(frozen=True)
class Story:
    """Everything a report says: title, the executive summary (``headline``, chosen by the rule
    ``case``) and its points, what we compare, the assumptions that matter, tables, the full
    list of priors (appendix), method; action titles and speaker notes per slide."""

    title: str
    subtitle: str
    headline: str
    points: list[str]
    tables: list[Section]
    assumptions: TextTable | None
    method: list[str]
    case: str = ""
    compare: list[Section] = field(default_factory=list)
    key_assumptions: list[Section] = field(default_factory=list)
    chart_titles: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    stop: str = "."
    method_title: str = ""
    appendix_title: str = ""

    def chart_title(self, key: str, label: str) -> str:
        """The action title of chart ``key``; its label as a sentence where no rule has one."""
        return self.chart_titles.get(key) or sentence(label, self.stop)


def capital(value: str) -> str:
    """A sentence that starts with a lowercase label ("mean profit", "shock ...") capitalised."""
    return value[:1].upper() + value[1:] if value[:1].islower() else value


def sentence(label: str, stop: str = ".") -> str:
    """``label`` ending with a full stop (``。`` in Chinese)."""
    return label if label.endswith((".", "。", "?", "？")) else f"{label}{stop}"


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
    """The answer of a folder without risk.csv in one sentence: the highest median ROI."""
    names = [n for n in results.ordered_strategies if results.metric(n, "roi") is not None]
    if not names:
        return _title(results, text)
    ranked = sorted(names, key=lambda n: -_median_roi(results, n))
    best = ranked[0]
    risk = results.risk_of(best)
    ploss = text.prob(risk["prob_loss"]) if risk is not None else text.na
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
    return out + _horizon_point(results, text)


def _horizon_point(results: Results, text: Text) -> list[str]:
    """With repeat buyers, each strategy's mean and median ROI over the horizon (the other
    points are on first purchases), or nothing."""
    rows = {n: results.metric(n, "roi_horizon") for n in results.ordered_strategies}
    items = [
        text(
            "bullet.horizon_item",
            s=results.label(n),
            mean=text.pct(r["mean"]),
            p50=text.pct(r["p50"]),
        )
        for n, r in rows.items()
        if r is not None
    ]
    if text.horizon_months is None or not items:
        return []
    return [text("bullet.horizon", months=text.horizon_months, items=text.list_sep().join(items))]


# -- the executive summary: one sentence, chosen by rules per kind of results ----------------


def _risk(results: Results, name: str) -> tuple[float, float]:
    """(P(loss), expected shortfall) of ``name`` from risk.csv (NaN where absent)."""
    row = results.risk_of(name)
    if row is None:
        return math.nan, math.nan
    return float(row["prob_loss"]), float(row["expected_shortfall"])


def break_even(results: Results, name: str, text: Text) -> str:
    """What must be true to break even, from the median campaign's ROI: ROI = gross profit /
    cost - 1, so at the same cost the median campaign needs 1 / (1 + ROI) times its sales
    (orders x order value); a median campaign that already breaks even says its ROI."""
    m = _median_roi(results, name)
    if not finite(m):
        return text("breakeven.unknown")
    if m < 0 < 1 + m:
        return text("breakeven.needs", k=text.pct(1 / (1 + m) - 1))
    return text("breakeven.median", m=text.pct(m))


def _decision_metric(results: Results) -> str:
    """Profit decides (it is money); ROI where the comparison has no profit row."""
    return "profit" if results.difference("profit") is not None else "roi"


def summary_compare(results: Results, text: Text) -> Said | None:
    """Which of two strategies, how often it loses, its expected shortfall and what breaking
    even needs; cases: near_tie (the paired CI of the mean difference holds 0), both_lose and
    both_win (P(loss) above or below 50% for both), one_wins (the better one loses in at most
    half, the other in more), trade_off (the better one on average loses more often)."""
    metric = _decision_metric(results)
    diff = results.difference(metric)
    if diff is None:
        return None
    a, b = str(diff["a"]), str(diff["b"])
    d, lo, hi = (float(diff[k]) for k in ("mean_diff", "mean_diff_ci_low", "mean_diff_ci_high"))
    (pa, esa), (pb, esb) = _risk(results, a), _risk(results, b)
    show = (lambda v: text.money(v, signed=True)) if metric == "profit" else text.points
    on = text({"profit": "on.profit", "roi": "on.roi"}[metric])
    if lo <= 0 <= hi:
        return Said(
            "near_tie",
            text(
                "exec.near_tie",
                On=on[:1].upper() + on[1:],
                a=results.label(a),
                b=results.label(b),
                d=show(d),
                lo=show(lo),
                hi=show(hi),
                pa=text.prob(pa),
                pb=text.prob(pb),
                esa=text.money(esa),
                esb=text.money(esb),
            ),
        )
    w, l_ = (a, b) if d > 0 else (b, a)
    p_better = float(diff["prob_a_better"]) if w == a else 1 - float(diff["prob_a_better"])
    (pw, esw), (pl, esl) = (pa, esa), (pb, esb)
    if w == b:
        (pw, esw), (pl, esl) = (pb, esb), (pa, esa)
    if pw > 0.5 and pl > 0.5:
        case = "both_lose"
    elif pw < 0.5 and pl < 0.5:
        case = "both_win"
    elif pw <= 0.5:
        case = "one_wins"
    else:
        case = "trade_off"
    values = {
        "on": on,
        "w": results.label(w),
        "l": results.label(l_),
        "p": text.prob(p_better),
        "d": show(d),
        "ploss": text.prob(pw),
        "pl": text.prob(pl),
        "es": text.money(esw),
        "esl": text.money(esl),
        "breakeven": break_even(results, w, text),
    }
    keys = {
        "both_lose": "exec.both_lose",
        "both_win": "exec.both_win",
        "one_wins": "exec.one_wins",
        "trade_off": "exec.trade_off",
    }
    return Said(case, text(keys[case], **values))


def _mean_profit(results: Results, name: str) -> float:
    row = results.metric(name, "profit")
    return float(row["mean"]) if row is not None and finite(row["mean"]) else float("nan")


def _best_run(results: Results, names: list[str]) -> str:
    """The strategy with the highest mean profit (money decides, as in a comparison); the
    highest median ROI where summary.csv has no profit."""
    if all(finite(_mean_profit(results, n)) for n in names):
        return max(names, key=lambda n: _mean_profit(results, n))
    return max(names, key=lambda n: _median_roi(results, n))


def summary_run(results: Results, text: Text) -> Said:
    """A run: its best strategy, how often it loses, its expected shortfall and what breaking
    even needs; cases: run_loses, run_wins and run_safe (one strategy, losing money in more than
    half of its campaigns, in fewer, in none), best_loses, best_wins and best_safe (several: the
    one with the highest mean profit), all_lose (several, every mean profit below 0: the one
    that loses least), run_one and run_many (no risk.csv: the highest median ROI, headline())."""
    names = [n for n in results.ordered_strategies if results.metric(n, "roi") is not None]
    best = _best_run(results, names) if names else None
    ploss, es = _risk(results, best) if best is not None else (math.nan, math.nan)
    if best is None or not finite(ploss):
        return Said("run_one" if len(names) == 1 else "run_many", headline(results, text))
    loses = ploss > 0.5
    outcome = "loses" if loses else ("safe" if ploss == 0 else "wins")
    case = ("run_" if len(names) == 1 else "best_") + outcome
    if len(names) > 1 and _mean_profit(results, best) < 0:
        case = "all_lose"  # the most profit is a loss: say it loses least
    values = {
        "s": results.label(best),
        "n": len(names),
        "v": text.money(_mean_profit(results, best)),
        "ploss": text.prob(ploss),
        "pwin": text.prob(1 - ploss),
        "es": text.money(es),
        "breakeven": break_even(results, best, text),
    }
    keys = {
        "run_loses": "exec.run_loses",
        "run_wins": "exec.run_wins",
        "run_safe": "exec.run_safe",
        "best_loses": "exec.best_loses",
        "best_wins": "exec.best_wins",
        "best_safe": "exec.best_safe",
        "all_lose": "exec.all_lose",
    }
    return Said(case, text(keys[case], **values))


def _best_row(results: Results, best: dict) -> dict:
    """The best plan's row of sweep.csv (P(loss), expected shortfall), or {}."""
    frame = results.table("sweep.csv")
    if frame is None or "point" not in frame:
        return {}
    rows = frame[(frame["point"] == best["point"]) & (frame["strategy"] == best["strategy"])]
    return {} if rows.empty else rows.iloc[0].to_dict()


#: Statistics of a sweep's columns (``profit_mean``) in words.
STATS = {"mean": "stat.mean", "p5": "stat.p5", "p50": "stat.p50", "p95": "stat.p95"}


def point_text(results: Results, settings: dict, text: Text) -> str:
    """A sweep point by its primary axes (linked axes follow them): "nano share 90%, budget
    NT$1,000,000"."""
    names = sweep.axes(results)
    sep = "，" if text.zh else ", "
    return sep.join(
        f"{sweep.swept_name(n, names, text)} {sweep.format_value(settings[n], n, text)}"
        for n in names
        if n in settings
    )


def objective_words(column: str, text: Text) -> str:
    """``profit_mean`` -> "mean profit"; ``roi_p5`` -> "ROI P5"."""
    metric, _, stat = column.partition("_")
    key = STATS.get(stat)
    if key is not None and metric_kind(metric) != "count":
        return text(key, metric=_lower(text.metric(metric), text))
    return sweep.label(column, text)


def _lower(label: str, text: Text) -> str:
    """A metric's label inside a sentence: "profit", but "ROI" and "CPM" as they are."""
    if text.zh or label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def summary_sweep(results: Results, text: Text) -> Said | None:
    """The best plan under the risk limits and how often it still loses; cases: none (no plan
    meets the limits), losing (the best plan's objective is money and below 0: it loses on
    average), risky (the best plan loses money in more than half of its campaigns), best."""
    data = results.json("best.json")
    if not data:
        return None
    best = data.get("best")
    if best is None:
        limits = ", ".join(sweep.limit_text(str(x), text) for x in data.get("risk_limits") or [])
        return Said(
            "none", text("headline.sweep_none", limits=limits or "—", n=data.get("candidates", 0))
        )
    objective = sweep.goal(str(data.get("objective", "max:profit_mean")))[1]
    row = _best_row(results, best)
    ci = best.get("ci") or [None, None]
    ploss = row.get("prob_loss", math.nan)
    values = {
        "s": results.label(str(best["strategy"])),
        "point": point_text(results, best.get("settings") or {}, text),
        "metric": objective_words(objective, text),
        "value": sweep.format_value(best["value"], objective, text),
        "lo": sweep.format_value(ci[0], objective, text),
        "hi": sweep.format_value(ci[1], objective, text),
        "ploss": text.prob(ploss),
        "es": text.money(row.get("expected_shortfall")),
    }
    if column_kind(objective) == "money" and finite(best["value"]) and float(best["value"]) < 0:
        return Said("losing", text("exec.sweep_losing", **values))
    if finite(ploss) and float(ploss) > 0.5:
        return Said("risky", text("exec.sweep_risky", **values))
    return Said("best", text("exec.sweep_best", **values))


#: A timeline strategy is bound by capacity when it loses this share of its deliverables to
#: the window, or its managers are this busy.
LOST_LIMIT, BUSY_LIMIT = 0.10, 0.95


def _bound(lost: Any, load: Any) -> bool:
    """Bound by capacity: LOST_LIMIT of deliverables lost, or managers BUSY_LIMIT busy."""
    return float(lost) >= LOST_LIMIT or float(load) >= BUSY_LIMIT


def summary_timeline(results: Results, text: Text) -> Said | None:
    """Which strategy pays back most often; cases: capacity (it loses >= 10% of its posts to
    the window or its managers are >= 95% busy: that is the finding), pays, pays_one."""
    ranked = timeline.ranked(results)
    if not ranked:
        return None
    (best, entry), others = ranked[0], ranked[1:]
    lost, load = results.metric(best, "lost_share"), results.metric(best, "manager_utilisation")
    values = {
        "s": results.label(best),
        "p": text.prob(1 - entry.get("never_share", 1.0)),
        "day": text.count(entry.get("p50_day")),
    }
    if lost is not None and load is not None and _bound(lost["mean"], load["mean"]):
        return Said(
            "capacity",
            text(
                "exec.timeline_capacity",
                lost=text.pct(lost["mean"], 1),
                load=text.pct(load["mean"]),
                window=text.count(timeline.window(results)),
                **values,
            ),
        )
    if not others:
        return Said("pays_one", text("headline.timeline_one", **values))
    second, other = others[0]
    values |= {"second": results.label(second), "p2": text.prob(1 - other["never_share"])}
    return Said("pays", text("headline.timeline", **values))


def _drivers(results: Results, name: str) -> list[dict]:
    """``name``'s rows of sensitivity.csv by rank."""
    frame = results.table("sensitivity.csv")
    if frame is None or frame.empty or "contribution" not in frame:
        return []
    return frame[frame["strategy"] == name].sort_values("rank").to_dict("records")


def summary_sensitivity(results: Results, text: Text) -> Said | None:
    """What moves the output most for the first strategy; cases: luck (creators' own draws,
    split.csv, explain more than any single input), shock, level (a pool level or shared
    factor leads), other (order value or anything else leads)."""
    frame = results.table("sensitivity.csv")
    names = sensitivity.strategies(results, frame) if frame is not None and not frame.empty else []
    rows = _drivers(results, names[0]) if names else []
    if not rows:
        said = sensitivity.headline(results, text)
        return Said("swing", said) if said else None
    name, (top, *rest) = names[0], rows
    luck = sensitivity.split(results).get(name, {}).get("creators")
    values = {
        "s": results.label(name),
        "metric": text.metric(sensitivity.output(results)),
        "name": sensitivity.input_name(top, text),
        "share": text.pct(top["contribution"]),
        "next": sensitivity.input_name(rest[0], text) if rest else "—",
        "share2": text.pct(rest[0]["contribution"]) if rest else "—",
    }
    if luck is not None and luck > float(top["contribution"]):
        return Said("luck", text("exec.sensitivity_luck", luck=text.pct(luck), **values))
    if top.get("quantity") == "shock":
        return Said("shock", text("exec.sensitivity_shock", **values))
    if top.get("aggregate") in ("pool level", "shared factor"):
        return Said("level", text("exec.sensitivity_level", **values))
    return Said("other", text("exec.sensitivity_other", **values))


def summary(results: Results, text: Text) -> Said:
    """The executive summary's sentence, by the rules of the folder's kind (the optimiser's
    are :func:`campaign_sim.reports.optimize.summary`)."""
    rules = {
        "compare": summary_compare,
        "sweep": summary_sweep,
        "timeline": summary_timeline,
        "sensitivity": summary_sensitivity,
    }
    rule = rules.get(results.command)
    said = rule(results, text) if rule is not None else None
    return said or summary_run(results, text)


# -- action titles of the chart slides -------------------------------------------------------


def _compare_chart_titles(results: Results, text: Text) -> dict[str, str]:
    """Run and compare charts: the finding each one shows."""
    names = [n for n in results.ordered_strategies if results.metric(n, "roi") is not None]
    if not names:
        return {}
    out = {}
    best = max(names, key=lambda n: _median_roi(results, n))
    roi = results.metric(best, "roi")
    out["roi-distribution"] = text(
        "title.chart_distribution",
        s=results.label(best),
        m=text.pct(_median_roi(results, best)),
        p5=text.pct(roi["p5"]),  # type: ignore[index]
        p95=text.pct(roi["p95"]),  # type: ignore[index]
    )
    risky = [n for n in names if results.risk_of(n) is not None]
    if risky:
        safest = min(risky, key=lambda n: _risk(results, n)[0])
        p, es = _risk(results, safest)
        out["roi-exceedance"] = text(
            "title.chart_exceedance", s=results.label(safest), p=text.prob(1 - p)
        )
        out["risk-profile"] = text(
            "title.chart_risk", s=results.label(safest), p=text.prob(p), es=text.money(es)
        )
        out.update(_risk_return_title(results, risky, safest, text))
    diff = results.difference("profit")
    if diff is not None:
        a, b = results.label(str(diff["a"])), results.label(str(diff["b"]))
        d, lo, hi = (diff[k] for k in ("mean_diff", "mean_diff_ci_low", "mean_diff_ci_high"))
        key = "title.chart_difference_tie" if lo <= 0 <= hi else "title.chart_difference"
        out["paired-difference"] = text(
            key,
            a=a,
            b=b,
            d=text.money(d, signed=True),
            lo=text.money(lo, signed=True),
            hi=text.money(hi, signed=True),
        )
    roi_diff = results.difference("roi")
    if roi_diff is not None:
        out["paired-difference-campaigns"] = text(
            "title.chart_campaigns",
            a=results.label(str(roi_diff["a"])),
            b=results.label(str(roi_diff["b"])),
            p=text.prob(roi_diff["prob_a_better"]),
        )
    out.update(calibrated.chart_titles(results, text))
    return out


def _risk_return_title(
    results: Results, names: list[str], safest: str, text: Text
) -> dict[str, str]:
    """The risk-return chart's title: which strategy makes the most on average and which
    loses least often (one sentence when they are the same strategy; when every strategy
    loses money on average, which loses least often)."""
    profits = {n: _mean_profit(results, n) for n in names}
    if len(names) < 2 or not all(finite(v) for v in profits.values()):
        return {}
    richest = max(names, key=lambda n: profits[n])
    values = {
        "s": results.label(richest),
        "v": text.money(profits[richest]),
        "safe": results.label(safest),
        "p": text.prob(_risk(results, safest)[0]),
    }
    if profits[richest] < 0:
        values["v"] = text.money(profits[safest])
        return {"risk-return": text("title.chart_risk_return_all_lose", **values)}
    key = "title.chart_risk_return_same" if richest == safest else "title.chart_risk_return"
    return {"risk-return": text(key, **values)}


def _sweep_chart_titles(results: Results, text: Text) -> dict[str, str]:
    """Sweep charts: where each metric peaks, the frontier, each heatmap's best cell."""
    frame = results.table("sweep.csv")
    if frame is None or frame.empty:
        return {}
    out = {}

    def peak(rows: pd.DataFrame, column: str) -> tuple[dict, str]:
        row = rows.loc[rows[column].idxmax()].to_dict()
        return row, point_text(results, row, text)

    for metric in ("roi", "profit"):
        column = f"{metric}_mean"
        if column in frame and frame[column].notna().any():
            row, where = peak(frame.dropna(subset=[column]), column)
            out[f"sweep-{metric}"] = capital(
                text(
                    "title.chart_sweep",
                    metric=objective_words(column, text),
                    s=results.label(str(row["strategy"])),
                    point=where,
                    value=sweep.format_value(row[column], column, text),
                )
            )
    best = (results.json("best.json") or {}).get("best")
    table = results.table("frontier.csv")
    if table is not None and "efficient" in table:
        n, total = int(table["efficient"].astype(bool).sum()), len(table)
        if best:
            where = point_text(results, best.get("settings") or {}, text)
            out["frontier"] = text(
                "title.chart_frontier",
                n=n,
                total=total,
                s=results.label(str(best["strategy"])),
                point=where,
            )
        else:
            out["frontier"] = text("title.chart_frontier_none", n=n, total=total)
    objective = sweep.goal(str(results.settings.get("objective", "max:profit_mean")))[1]
    if objective in frame:
        for strategy in results.ordered_strategies:
            rows = frame[frame["strategy"] == strategy].dropna(subset=[objective])
            if rows.empty:
                continue
            row, where = peak(rows, objective)
            loses = column_kind(objective) == "money" and float(row[objective]) < 0
            out[f"heatmap-{strategy}"] = text(
                "title.chart_heatmap_loss" if loses else "title.chart_heatmap",
                s=results.label(strategy),
                metric=objective_words(objective, text),
                point=where,
                value=sweep.format_value(row[objective], objective, text),
            )
    return out


def _timeline_chart_titles(results: Results, text: Text) -> dict[str, str]:
    """Timeline charts: where the median campaign ends, how many never pay back."""
    out = {}
    ranked = timeline.ranked(results)
    if ranked:
        name, entry = ranked[0]
        out["payback-days"] = text(
            "title.chart_payback",
            s=results.label(name),
            never=text.prob(entry.get("never_share")),
            day=text.count(entry.get("p50_day")),
        )
    rows = [(n, results.metric(n, "profit")) for n in results.ordered_strategies]
    items = [
        text("item.median_profit", s=results.label(n), v=text.money(r["p50"]))
        for n, r in rows
        if r is not None
    ]
    if items:
        out["profit-fan"] = text("title.chart_fan", items=text.list_sep().join(items))
    return out


def _sensitivity_chart_titles(results: Results, text: Text) -> dict[str, str]:
    """Sensitivity charts: the widest swing, the strongest driver (first strategy)."""
    out = {}
    output = sensitivity.output(results)
    metric = text.metric(output)
    swings = sensitivity.swings(results)
    if swings is not None:
        name = sensitivity.strategies(results, swings)[0]
        top = swings[swings["strategy"] == name].nlargest(1, "reach").iloc[0]
        out["tornado"] = capital(
            text(
                "title.chart_tornado",
                s=results.label(name),
                metric=metric,
                name=sensitivity.input_name(top.to_dict(), text),
                lo=text.number(top["at_low"], output),
                hi=text.number(top["at_high"], output),
            )
        )
    frame = results.table("sensitivity.csv")
    if frame is not None and not frame.empty and "spearman" in frame:
        name = sensitivity.strategies(results, frame)[0]
        top = frame[frame["strategy"] == name].sort_values("rank").iloc[0]
        out["drivers"] = capital(
            text(
                "title.chart_drivers",
                s=results.label(name),
                metric=metric,
                name=sensitivity.input_name(top.to_dict(), text),
                rho=f"{float(top['spearman']):.2f}",
            )
        )
    return out


def chart_titles(results: Results, text: Text) -> dict[str, str]:
    """Chart key -> its slide's action title."""
    rules = {
        "sweep": _sweep_chart_titles,
        "timeline": _timeline_chart_titles,
        "sensitivity": _sensitivity_chart_titles,
    }
    return rules.get(results.command, _compare_chart_titles)(results, text)


# -- what we compare ---------------------------------------------------------------------------


def _prob_words(value: Any, text: Text) -> str:
    """A probability; exactly 0 or 1 in words ("in every campaign"), never "100% [>99.9%]"."""
    if finite(value) and float(value) in (0.0, 1.0):
        return text("word.every_campaign" if float(value) == 1.0 else "word.no_campaign")
    return text.prob(value)


def _prob_ci(p: Any, lo: Any, hi: Any, text: Text) -> str:
    """A probability with its 95% CI; a certainty (0 or 1) in words without one."""
    if finite(p) and float(p) in (0.0, 1.0):
        return _prob_words(p, text)
    if finite(lo) and finite(hi) and (float(lo) > 0.999 or float(hi) < 0.001):
        return text.prob(p, 1)  # ">99.9%": an interval of ">99.9%" ends would say nothing
    return f"{text.prob(p, 1)} {text.interval(text.prob(lo, 1), text.prob(hi, 1))}"


def _mean_of(results: Results, name: str, metric: str, text: Text) -> str:
    row = results.metric(name, metric)
    return text.number(row["mean"], metric) if row is not None else text.na


def strategy_table(results: Results, text: Text) -> TextTable | None:
    """Per strategy, from summary.csv: creators hired, cost, reach, engagements, CPM, CPE
    (means over campaigns)."""
    metrics = ("creators", "cost", "reach", "engagements", "cpm", "cpe")
    names = [n for n in results.ordered_strategies if results.metric(n, "creators") is not None]
    if not names:
        return None
    header = [text("col.strategy"), *(text("col.mean_of", metric=text.metric(m)) for m in metrics)]
    rows = [[results.label(n), *(_mean_of(results, n, m, text) for m in metrics)] for n in names]
    return TextTable(header, rows)


def _group_hiring(group: Any, text: Text) -> tuple[str, float]:
    """How a group hires and its expected fees (currency): a count at the prior's mean fee,
    or a budget filled while fees fit."""
    if group.count is not None:
        known = group.creator.fee if group.creator is not None else None  # a quoted fee
        fee = (known if known is not None else group.dist("fee")).mean()
        fees = group.count * group.deliverables * fee
        if group.count == 1:
            return text("word.one_creator"), fees
        return text("word.creators_count", n=text.count(group.count)), fees
    return text("word.while_fees_fit", budget=text.money(group.budget)), float(group.budget)


def _hired(strategy: Any, text: Text) -> list[tuple[Any, str, float]]:
    """(group, hiring, expected fees) of each of ``strategy``'s groups; a roster's named
    creators booked in order at their mean fees while those fit their booking's budget, and
    none after the first that does not (0 fees: never booked, as the engine books)."""
    spent: dict[str, float] = {}
    stopped: set[str] = set()
    out = []
    for g in strategy.groups:
        hiring, fees = _group_hiring(g, text)
        booking = g.booking
        if g.creator is not None and booking is not None and booking.budget is not None:
            so_far = spent.get(booking.name, 0.0)
            if booking.name in stopped or so_far + fees > booking.budget:
                stopped.add(booking.name)
                fees = 0.0
            spent[booking.name] = so_far + fees
        out.append((g, hiring, fees))
    return out


def _split_rows(strategy: Any, text: Text) -> list[tuple[Any, str, str, float]]:
    """(group, hiring, deliverables, fees) per row of the split: a roster's named creators
    of one booking and pool in one row ("9 of 11 named creators booked", their fees added;
    one row per creator, with no name, told nothing and ran to ten slides)."""
    rows: list[tuple[Any, str, str, float]] = []
    named: dict[tuple, list[tuple[Any, str, float]]] = {}
    for g, hiring, fees in _hired(strategy, text):
        if g.creator is None:
            rows.append((g, hiring, text.count(g.deliverables), fees))
            continue
        key = (g.booking.name if g.booking else "", g.tier, g.platform)
        if key not in named:
            named[key] = []
            rows.append((g, "", "", 0.0))  # the first of them holds the row's place
        named[key].append((g, hiring, fees))
    for i, (g, hiring, _, _) in enumerate(rows):
        if g.creator is None or hiring:
            continue
        items = named[(g.booking.name if g.booking else "", g.tier, g.platform)]
        rows[i] = (
            g,
            _named_hiring(g, items, text),
            ", ".join(text.count(d) for d in sorted({x.deliverables for x, _, _ in items})),
            sum(fees for _, _, fees in items),
        )
    return rows


def _named_hiring(g: Any, items: list[tuple[Any, str, float]], text: Text) -> str:
    """ "9 of 11 named creators, booked while fees fit NT$449,000"; "2 named creators"."""
    n = len(items)
    budget = g.booking.budget if g.booking is not None else None
    if budget is None:
        return text("word.named_creators", n=text.count(n))
    k = sum(1 for _, _, fees in items if fees > 0)
    return text(
        "word.named_while_fees_fit",
        k=text.count(k),
        n=text.count(n),
        budget=text.money(budget),
    )


def split_table(results: Results, text: Text) -> TextTable | None:
    """Per strategy and group (tier x platform): how it hires, deliverables each, expected
    fees and their share of the strategy's fees. From the scenario file the manifest names,
    while unchanged: the folder itself has no group split."""
    plan = results.scenario_plan
    if plan is None:
        return None
    rows = []
    for strategy in plan.strategies:
        if strategy.name not in results.strategies:
            continue
        groups = _split_rows(strategy, text)
        total = sum(fees for *_, fees in groups) or math.nan
        for g, hiring, deliverables, fees in groups:
            rows.append(
                [
                    results.label(strategy.name),
                    text.tier(g.tier),
                    text.platform(g.platform),
                    hiring,
                    deliverables,
                    text.money(fees),
                    text.pct(fees / total),
                ]
            )
    header = [
        text("col.strategy"),
        text("col.tier"),
        text("col.platform"),
        text("col.hiring"),
        text("col.deliverables"),
        text("col.expected_fees"),
        text("col.fee_share"),
    ]
    return TextTable(header, rows) if rows else None


def _split_items(results: Results, text: Text) -> str:
    """Per strategy, the tier that takes most of its expected fees and its share of them."""
    plan = results.scenario_plan
    items = []
    for strategy in plan.strategies if plan is not None else ():
        if strategy.name not in results.strategies:
            continue
        fees: dict[str, float] = {}
        for g, _, spent in _hired(strategy, text):
            fees[g.tier] = fees.get(g.tier, 0.0) + spent
        tier = max(fees, key=lambda t: fees[t])
        share = text.pct(fees[tier] / sum(fees.values()))
        items.append(
            text("item.split", s=results.label(strategy.name), share=share, tier=text.tier(tier))
        )
    return text.list_sep().join(items)


def _named_note(results: Results, text: Text) -> list[str]:
    """How the split counts a roster's named creators, when a strategy books any."""
    plan = results.scenario_plan
    groups = [g for s in plan.strategies for g in s.groups] if plan is not None else []
    return [text("note.split_named")] if any(g.creator is not None for g in groups) else []


def compare_sections(results: Results, text: Text) -> list[Section]:
    """What we compare: each strategy's groups and budget split, then its reach and costs."""
    out = []
    # a sweep changes the split from point to point: the scenario's own would mislead
    split = split_table(results, text) if results.command != "sweep" else None
    if split is not None:
        out.append(
            Section(
                text("slide.split"),
                split,
                [text("note.split"), *_named_note(results, text)],
                title=text("title.split", items=_split_items(results, text)),
                notes=text("notes.split"),
            )
        )
    table = strategy_table(results, text)
    if table is not None:
        names = [n for n in results.ordered_strategies if results.metric(n, "reach") is not None]
        items = text.list_sep().join(
            text(
                "item.reach",
                s=results.label(n),
                creators=_mean_of(results, n, "creators", text),
                reach=_mean_of(results, n, "reach", text),
            )
            for n in names
        )
        out.append(
            Section(
                text("slide.strategies"),
                table,
                [] if split is not None else [text("note.no_split")],
                title=text("title.strategies", items=items),
                notes=text("notes.strategies"),
            )
        )
    out += calibrated.calibration_sections(results, text)
    return out


# -- the assumptions that matter ---------------------------------------------------------------

_Z95 = 1.6448536269514722  # the standard normal's 95% quantile


def _economics_rows(plan: Any, text: Text) -> list[list[str]]:
    """Economics, the shock, correlations, fee terms and fixed cost of a scenario."""
    aov = plan.aov
    aov_value = (
        text.money(aov.mean())
        if aov.is_fixed
        else text(
            "value.range",
            lo=text.money(float(aov.ppf([0.05])[0])),
            hi=text.money(float(aov.ppf([0.95])[0])),
        )
    )
    shock = plan.shock_sigma
    rows = [
        [text("assume.aov"), aov_value, "economics.aov"],
        [text("assume.gross_margin"), text.pct(plan.gross_margin), "economics.gross_margin"],
        [
            text("assume.shock"),
            text(
                "value.shock",
                sigma=f"{shock:g}",
                lo=f"{math.exp(-_Z95 * shock):.2f}",
                hi=f"{math.exp(_Z95 * shock):.2f}",
                persistent=text.pct(plan.shock_persistent),
            ),
            "shock",
        ],
        [
            text("assume.correlations"),
            text(
                "value.correlations",
                ff=f"{plan.rho_followers_fee:g}",
                ec=f"{plan.rho_engagement_conversion:g}",
            ),
            "correlations",
        ],
        [
            text("assume.fees"),
            text(
                "value.fees",
                paid=text("word.on_delivery" if plan.fees_on_delivery else "word.always"),
                commission=text.pct(plan.funnel.agency_commission, 1),
                tax=text.pct(plan.funnel.fee_tax, 1),
            ),
            "economics.fees_paid",
        ],
        [text("assume.fixed_cost"), text.money(plan.fixed_cost), "economics.fixed_cost"],
        [
            text("assume.conversion_base"),
            text.metric(plan.conversion_base),
            "economics.conversion_base",
        ],
    ]
    for strategy in plan.strategies:
        if strategy.budget is not None:
            rows.append(
                [
                    text("assume.budget", s=strategy.label or strategy.name),
                    text.money(strategy.budget),
                    f"strategies.{strategy.name}.budget",
                ]
            )
    return rows


def _shared_rows(results: Results, text: Text) -> list[list[str]]:
    """How much of the priors' uncertainty every creator of a pool shares (levels, shared
    factors) and how much of it persists across campaigns, from priors.csv."""
    frame = results.priors
    if frame is None or "describes" not in frame:
        return []
    levels = frame[frame["describes"] == "level"]
    shared = frame[pd.to_numeric(frame.get("shared"), errors="coerce").fillna(0) > 0]
    rows = []
    if not levels.empty:
        persist = pd.to_numeric(levels["persistent"], errors="coerce").dropna()
        rows.append(
            [
                text("assume.levels"),
                text(
                    "value.levels",
                    n=len(levels),
                    persistent=_share_range(persist, text),
                ),
                "describes: level",
            ]
        )
    if not shared.empty:
        rows.append(
            [
                text("assume.shared"),
                text(
                    "value.shared",
                    n=len(shared),
                    shared=_share_range(pd.to_numeric(shared["shared"]), text),
                ),
                "shared",
            ]
        )
    return rows


def _share_range(values: pd.Series, text: Text) -> str:
    lo, hi = float(values.min()), float(values.max())
    return text.pct(lo) if lo == hi else text("value.range", lo=text.pct(lo), hi=text.pct(hi))


#: Timeline settings of the manifest shown among the assumptions, with their labels.
TIMELINE_SETTINGS = {
    "window_days": "assume.window_days",
    "attribution_days": "assume.attribution_days",
    "managers": "assume.managers",
    "manager_hours_per_day": "assume.manager_hours_per_day",
}


def _settings_rows(results: Results, text: Text) -> list[list[str]]:
    """A timeline's window, managers and fee terms; a sweep's axes: from the manifest."""
    rows = []
    line = results.settings.get("timeline") or {}
    for key, label in TIMELINE_SETTINGS.items():
        if key in line:
            rows.append([text(label), text.count(line[key]), f"timeline.{key}"])
    if "fee_on_signing" in line:
        rows.append(
            [text("assume.fee_on_signing"), text.pct(line["fee_on_signing"]), "timeline.fee"]
        )
    names = sweep.axes(results)
    for axis in results.settings.get("axes") or [] if results.command == "sweep" else []:
        name = str(axis.get("name", ""))
        values = [sweep.format_value(v, name, text) for v in axis.get("values") or []]
        rows.append(
            [
                text("assume.swept", name=sweep.swept_name(name, names, text)),
                text.list_sep().join(values),
                name,
            ]
        )
    return rows


def _prior_range(row: dict, text: Text) -> str:
    """A prior's P5 - P95 by its unit: money with separators and currency, rates in %,
    counts with separators."""
    lo, hi = row.get("p5"), row.get("p95")
    if not (finite(lo) and finite(hi)):
        return ""
    unit = str(row.get("unit") or "")

    def show(value: Any) -> str:
        v = float(value)
        if unit.startswith("currency"):
            return text.money(v)
        if unit.startswith(("fraction", "probability")) or "rate" in str(row.get("quantity")):
            return text.pct(v, 1 if abs(v) < 0.1 else 0)
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"

    a, b = show(lo), show(hi)
    return a if a == b else text("value.range", lo=a, hi=b)


def _users(results: Results) -> dict[tuple[str, str], list[str]]:
    """(tier, platform) -> the strategies that hire there, from the scenario file (while
    unchanged)."""
    plan = results.scenario_plan
    out: dict[tuple[str, str], list[str]] = {}
    if plan is None:
        return out
    for strategy in plan.strategies:
        if strategy.name in results.strategies:
            for g in strategy.groups:
                users = out.setdefault((g.tier, g.platform), [])
                if strategy.name not in users:
                    users.append(strategy.name)
    return out


def _unused(row: dict, frame: pd.DataFrame) -> bool:
    """A prior no draw reads: a switch fixed at 0 (no user posts, no gifting) and the
    quantities only that switch uses."""
    switches = {"reach_per_user_post": "user_post_rate", "gifted_cost": "gifted_share"}
    quantity = str(row.get("quantity"))
    if row.get("family") == "fixed" and row.get("p95") == 0 and quantity in switches.values():
        return True
    switch = switches.get(quantity)
    if switch is None:
        return False
    same = frame[(frame["tier"] == row["tier"]) & (frame["quantity"] == switch)]
    return bool(not same.empty and (same["family"] == "fixed").all() and (same["p95"] == 0).all())


def used_priors_table(results: Results, text: Text) -> TextTable | None:
    """The priors the strategies draw from, with which strategy uses each: a tier's default
    ((all) platforms) only where no platform's own prior replaces it."""
    frame = results.priors
    users = _users(results)
    if frame is None or not users:
        return None
    own = {(r["tier"], r["platform"], r["quantity"]) for r in frame.to_dict("records")}
    rows = []
    for row in frame.to_dict("records"):
        tier, platform, quantity = row["tier"], row["platform"], row["quantity"]
        where = [
            p
            for (t, p) in users
            if t == tier
            and (p == platform or (platform == "(all)" and (t, p, quantity) not in own))
        ]
        names = list(dict.fromkeys(s for p in where for s in users[(tier, p)]))
        if not names or _unused(row, frame):
            continue
        rows.append(
            [
                f"{text.tier(tier)} · {text.platforms(where)}",
                text.quantity(str(quantity)),
                text.family(_text(row.get("family"))),
                _prior_range(row, text),
                text.list_sep().join(results.label(n) for n in names),
                _cut(_source(row, text)),
            ]
        )
    header = [
        text("col.where"),
        text("col.quantity"),
        text("col.family"),
        text("col.prior_range"),
        text("col.used_by"),
        text("col.sources"),
    ]
    return TextTable(header, rows) if rows else None


#: Sources longer than this are cut in the used priors' table (the appendix has them whole).
SOURCE_CHARS = 90


def _cut(value: str) -> str:
    return value if len(value) <= SOURCE_CHARS else value[: SOURCE_CHARS - 1].rstrip() + "…"


def _source(row: dict, text: Text) -> str:
    sources = _text(row.get("sources"))
    if bool(row.get("assumption")):
        marker = text("assumption_marker")
        return f"{sources} ({marker})" if sources else marker
    return sources


def assumption_sections(results: Results, text: Text) -> list[Section]:
    """The assumptions that matter first (economics, shock, shared uncertainty, correlations,
    fee terms, fixed cost, timeline and sweep settings), then the priors the strategies use."""
    plan = results.scenario_plan
    rows = (_economics_rows(plan, text) if plan is not None else []) + _shared_rows(results, text)
    rows += _settings_rows(results, text)
    out = []
    if rows:
        header = [text("col.key"), text("col.value"), text("col.setting")]
        if text.lang != "en":  # scenario keys are English words: shown in English reports only
            header, rows = header[:2], [row[:2] for row in rows]
        note = [] if plan is not None else [text("note.no_economics")]
        out.append(
            Section(
                text("slide.key_assumptions"),
                TextTable(header, rows),
                note,
                title=text("title.key_assumptions" if plan is not None else "title.key_settings"),
                notes=text("notes.key_assumptions"),
                dense=True,
            )
        )
    used = used_priors_table(results, text)
    if used is not None:
        out.append(
            Section(
                text("slide.used_priors"),
                used,
                title=text("title.used_priors", n=len(used.rows)),
                notes=text("notes.used_priors"),
                dense=True,
            )
        )
    return out


def risk_table(results: Results, text: Text) -> TextTable | None:
    """Per strategy: mean ROI [CI], median, P5-P95, P(loss) [CI], P(ROI > target), and the
    value at risk and expected shortfall, both profits (negative: a loss)."""
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
            f"{text.pct(m['mean'], 1)} "
            f"{text.interval(text.pct(m['mean_ci_low'], 1), text.pct(m['mean_ci_high'], 1))}"
            if m is not None
            else text.na
        )
        rows.append(
            [
                results.label(name),
                mean,
                text.pct(m["p50"], 1) if m is not None else text.na,
                f"{text.pct(m['p5'])} – {text.pct(m['p95'])}" if m is not None else text.na,
                _prob_ci(r["prob_loss"], r["prob_loss_ci_low"], r["prob_loss_ci_high"], text),
                _prob_words(r["prob_above_target"], text),
                text.money(r["value_at_risk"]),
                text.money(r["expected_shortfall"]),
            ]
        )
    return TextTable(header, rows)


def comparison_table(results: Results, text: Text) -> tuple[TextTable, Any] | None:
    """Per metric of comparison.csv: the mean of each strategy (headed by its label), the mean
    difference [95% CI] (in points for rates), P5 - P95 of the difference, P(A better) [95%
    CI] (a certainty in words); with the ROI row (for the names of A and B)."""
    frame = results.comparison
    if frame is None or frame.empty:
        return None
    first = frame.iloc[0]
    a, b = results.label(str(first["a"])), results.label(str(first["b"]))
    header = [
        text("col.metric"),
        text("col.mean_of", metric=a),
        text("col.mean_of", metric=b),
        f"{text('col.diff_of', a=a, b=b)} [{text('word.ci95')}]",
        text("col.diff_range"),
        f"{text('col.prob_better', a=a)} [{text('word.ci95')}]",
    ]
    rows = []
    for d in frame.to_dict("records"):
        metric = str(d["metric"])

        def f(value: Any, metric: str = metric) -> str:
            return text.number(value, metric)

        def g(value: Any, metric: str = metric) -> str:
            return text.difference(value, metric)

        rows.append(
            [
                text.metric(metric),
                f(d["mean_a"]),
                f(d["mean_b"]),
                f"{g(d['mean_diff'])} "
                f"{text.interval(g(d['mean_diff_ci_low']), g(d['mean_diff_ci_high']))}",
                f"{g(d['diff_p5'])} – {g(d['diff_p95'])}",
                _prob_ci(
                    d["prob_a_better"], d["prob_a_better_ci_low"], d["prob_a_better_ci_high"], text
                ),
            ]
        )
    return TextTable(header, rows), first


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
                    f"{f(m['mean'])} {text.interval(f(m['mean_ci_low']), f(m['mean_ci_high']))}",
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


def assumptions_table(results: Results, text: Text) -> TextTable | None:
    """Every prior (the appendix): where it applies, its distribution and P5-P95 (money with
    separators and currency, rates in %), and its sources."""
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
    rows = [
        [
            text.tier(_text(row.get("tier"))),
            text.platform(_text(row.get("platform"))),
            text.quantity(_text(row.get("quantity"))),
            text.family(_text(row.get("family"))),
            _prior_range(row, text),
            _source(row, text),
        ]
        for row in frame.to_dict("records")
    ]
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
                    text("word.rest")
                    if rest
                    else text(
                        "label.creator",
                        creator=r["creator"],
                        pool=sensitivity.pool_name(str(r["pool"]), text),
                    ),
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


def _kind_title(results: Results, text: Text) -> str:
    """The action title of a sweep's, timeline's or sensitivity's own table."""
    if results.command == "sweep":
        frame = results.table("frontier.csv")
        n = int(frame["efficient"].astype(bool).sum()) if frame is not None else 0
        return text("title.table_sweep", n=n)
    if results.command == "timeline":
        ranked = timeline.ranked(results)
        if ranked:
            name, entry = ranked[0]
            p = text.prob(1 - entry.get("never_share", 1.0))
            key = "title.table_timeline" if len(ranked) > 1 else "title.table_timeline_one"
            return text(key, s=results.label(name), p=p)
    if results.command == "sensitivity":
        said = _sensitivity_chart_titles(results, text).get("tornado")
        if said:
            return capital(text("title.table_sensitivity", finding=said))
    return sentence(text(f"slide.table_{results.command}"), text("word.stop"))


def _risk_title(results: Results, text: Text) -> str:
    names = [n for n in results.ordered_strategies if results.risk_of(n) is not None]
    safest = min(names, key=lambda n: _risk(results, n)[0])
    p, es = _risk(results, safest)
    key = "title.risk_table" if len(names) > 1 else "title.risk_table_one"
    return text(key, s=results.label(safest), p=text.prob(p), es=text.money(es))


def _summary_title(results: Results, text: Text) -> str:
    found = [(n, results.metric(n, "profit")) for n in results.ordered_strategies]
    rows = [(n, r) for n, r in found if r is not None]
    if not rows:
        return sentence(text("slide.summary_table"), text("word.stop"))
    name, row = max(rows, key=lambda item: float(item[1]["p50"]))
    values = {"s": results.label(name), "v": text.money(row["p50"])}
    if float(row["p50"]) < 0:  # the best median campaign is a loss: say so
        key = "title.summary_table_loss" if len(rows) > 1 else "title.summary_table_loss_one"
    else:
        key = "title.summary_table" if len(rows) > 1 else "title.summary_table_one"
    return text(key, **values)


def _comparison_title(results: Results, text: Text, first: Any) -> str:
    a, b = results.label(str(first["a"])), results.label(str(first["b"]))
    profit, roi = results.difference("profit"), results.difference("roi")
    if profit is None or roi is None:
        return text("title.comparison_plain", a=a, b=b)
    return text(
        "title.comparison",
        a=a,
        b=b,
        d=text.money(profit["mean_diff"], signed=True),
        r=text.points(roi["mean_diff"]),
    )


KIND_NOTES = {
    "sweep": "notes.table_sweep",
    "timeline": "notes.table_timeline",
    "sensitivity": "notes.table_sensitivity",
}


def _sections(results: Results, text: Text) -> list[Section]:
    sections = []
    kind = KINDS.get(results.command)
    if kind is not None:
        table = kind.table(results, text)
        if table is not None:
            sections.append(
                Section(
                    text(f"slide.table_{results.command}"),
                    table,
                    title=_kind_title(results, text),
                    notes=text(KIND_NOTES[results.command]),
                )
            )
    paired = comparison_table(results, text)
    if paired is not None:
        a, b = (results.label(str(paired[1][k])) for k in ("a", "b"))
        sections.append(
            Section(
                text("slide.comparison_table", a=a, b=b),
                paired[0],
                [text("method.crn")],
                title=_comparison_title(results, text, paired[1]),
                notes=text("notes.comparison"),
            )
        )
    risk = risk_table(results, text)
    if risk is not None:
        note = [text("method.outcome"), text("method.estimate")]
        sections.append(
            Section(
                text("slide.risk_table"),
                risk,
                note,
                title=_risk_title(results, text),
                notes=text("notes.risk"),
            )
        )
    summary_rows = summary_table(results, text)
    if summary_rows is not None:
        sections.append(
            Section(
                text("slide.summary_table"),
                summary_rows,
                title=_summary_title(results, text),
                notes=text("notes.summary_table"),
            )
        )
    for name, table in roster_tables(results, text):
        heading = text("slide.roster_table", s=results.label(name))
        top = table.rows[0][1] if table.rows else "—"
        sections.append(
            Section(
                heading,
                table,
                [text("method.roster")],
                title=text("title.roster", s=results.label(name), top=top),
                notes=text("notes.roster"),
            )
        )
    return sections


# the summary slide's notes of the kinds whose headline is no profit risk
SUMMARY_NOTES = {
    "timeline": "notes.summary_timeline",
    "sensitivity": "notes.summary_sensitivity",
}


def _notes(results: Results, text: Text) -> dict[str, str]:
    """Speaker notes of the slides that are not tables: how to read each one."""
    keys = {
        "title": "notes.title",
        "summary": "notes.summary",
        "chart": "notes.chart",
        "method": "notes.method",
        "appendix": "notes.appendix",
    }
    if results.command in SUMMARY_NOTES:
        keys["summary"] = SUMMARY_NOTES[results.command]
    return {slide: text(key) for slide, key in keys.items()}


def tell(results: Results, text: Text) -> Story:
    """Everything a report says, in ``text``'s language."""
    if results.command == "optimize":
        from campaign_sim.reports import optimize

        return optimize.tell(results, text)
    kind = KINDS.get(results.command)
    said = summary(results, text)
    return Story(
        title=_title(results, text),
        subtitle=_subtitle(results, text),
        headline=said.text,
        points=kind.points(results, text) if kind is not None else points(results, text),
        tables=_sections(results, text),
        assumptions=assumptions_table(results, text),
        method=method(results, text),
        case=said.case,
        compare=compare_sections(results, text),
        key_assumptions=assumption_sections(results, text),
        chart_titles=chart_titles(results, text),
        notes=_notes(results, text),
        stop=text("word.stop"),
        method_title=text(
            "title.method", campaigns=text.count(results.campaigns), seed=results.seed
        ),
        appendix_title=text("title.appendix"),
    )
