"""The optimiser's report, from an optimize results folder: the executive summary (what to
hire, how often it still loses and how much in the bad case, against the strategies and
hiring nobody), its tables (the chosen plan, the plans judged on fresh campaigns, the plan
under other assumption settings, the pilot) and its charts (every judged plan on risk and
return with the frontier; how much more the plan makes than each alternative).

Every number comes from the folder (:mod:`campaign_sim.results.optimize`): optimize.json,
plan.csv, judged.csv, frontier.csv, robustness.csv and pilot.csv. The results writer draws
the folder's own frontier.png with :func:`draw_plans` too, in English.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.reports.i18n import Text, metric_kind
from campaign_sim.reports.plotting import (
    BREAK_EVEN,
    figure,
    percent_axis,
    place_label,
    whiskers,
)
from campaign_sim.reports.results import Results, finite
from campaign_sim.reports.sweep import in_sentence
from campaign_sim.reports.texttable import TextTable

__all__ = [
    "draw_plans",
    "judged_rows",
    "limit_words",
    "plan",
    "plan_words",
    "sections",
    "stat_label",
    "stat_value",
    "summary",
]

SUMMARY, PLAN, JUDGED = "optimize.json", "plan.csv", "judged.csv"
FRONTIER, ROBUSTNESS, PILOT = "frontier.csv", "robustness.csv", "pilot.csv"
#: The chosen plan loses money in more than this share of campaigns: the headline says so.
RISKY = 0.5
#: Decimals of a probability: plans near the RISKY line (50.5%) read apart from it.
PROB_DIGITS = 1
#: Runners-up shown in the judged table and the differences chart (judged.csv holds more).
RUNNERS_UP = 4
#: A cell of a plan as the optimiser names it: ``nano/tiktok``, with a count before it.
CELL = re.compile(r"(?:(\d+) )?\b(nano|micro|mid|macro)/([a-z]+)\b")
LIMIT = re.compile(r"^\s*(\w+)\s*(<=|>=)\s*(\S+)\s*$")
STRATEGY_ROLE = "strategy "
Z95 = 1.959963984540054
#: The words of the risk statistics, the assumption settings (campaign_sim.optimize.robust)
#: and the judged plans' roles (campaign_sim.optimize.run).
STAT_KEYS = {
    "prob_loss": "opt.stat.prob_loss",
    "prob_above_target": "opt.stat.prob_above_target",
    "expected_shortfall": "opt.stat.expected_shortfall",
    "value_at_risk": "opt.stat.value_at_risk",
}
SETTING_KEYS = {
    "as stated": "opt.setting.as_stated",
    "creators half as spread": "opt.setting.creators_half_as_spread",
    "creators 1.5x as spread": "opt.setting.creators_1_5x_as_spread",
    "no shared level": "opt.setting.no_shared_level",
}
ROLE_KEYS = {
    "chosen": "opt.role.chosen",
    "runner-up": "opt.role.runner-up",
    "frontier": "opt.role.frontier",
    "nothing": "opt.role.nothing",
}


# -- reading the folder ------------------------------------------------------------------------
def roles(value: Any) -> tuple[str, ...]:
    """A judged row's roles, in its order: ``"chosen, nothing"`` -> ("chosen", "nothing")."""
    return tuple(dict.fromkeys(part.strip() for part in str(value).split(",") if part.strip()))


def strategy_of(value: Any) -> str | None:
    """The strategy a judged row is (its role ``strategy <name>``), else None."""
    found = [r for r in roles(value) if r.startswith(STRATEGY_ROLE)]
    return found[0].removeprefix(STRATEGY_ROLE) if found else None


def objective(results: Results) -> tuple[bool, str]:
    """(maximised, statistic name) of the search: ``max:profit_mean`` -> (True, profit_mean)."""
    data = results.json(SUMMARY) or {}
    direction, _, name = str(data.get("objective", "max:profit_mean")).rpartition(":")
    return direction != "min", name


def judged_rows(results: Results) -> list[dict]:
    """judged.csv's rows, chosen first (as written)."""
    frame = results.table(JUDGED)
    return [] if frame is None else frame.to_dict("records")


def _chosen(rows: list[dict]) -> dict | None:
    return next((r for r in rows if "chosen" in roles(r["role"])), None)


def _hires(row: dict) -> bool:
    return str(row["plan"]) != "nobody"


# -- words -------------------------------------------------------------------------------------
def _cell(match: re.Match, text: Text) -> str:
    count, tier, platform = match.groups()
    cell = text("opt.cell", tier=text.tier(tier), platform=text.platform(platform))
    return text("opt.count_cell", n=count, cell=cell) if count else cell


#: Named creators a plan is called by in titles and sentences; more are counted ("10
#: creators": the plan slide lists them).
MAX_NAMED = 3


def _handles(row: dict | None) -> list[str] | None:
    """The named creators of a roster plan (``@a + @b``), None for any other plan."""
    parts = [] if row is None else str(row["plan"]).split(" + ")
    named = row is not None and strategy_of(row["role"]) is None and str(row["plan"]) != "nobody"
    return parts if named and all(p.startswith("@") for p in parts) else None


def plan_words(results: Results, row: dict, text: Text) -> str:
    """A judged plan in words: a strategy by its label, ``nobody`` and cells translated; a
    roster plan of more than MAX_NAMED creators by their count."""
    strategy = strategy_of(row["role"])
    if strategy is not None:
        return results.label(strategy)
    label = str(row["plan"])
    if label == "nobody":
        return text("opt.nobody")
    handles = _handles(row)
    if handles is not None and len(handles) > MAX_NAMED:
        return text("word.creators_count", n=len(handles))
    words = CELL.sub(lambda m: _cell(m, text), label)
    return words.replace(" + ", text("opt.and")) if text.zh else words


def other_words(results: Results, row: dict, chosen: dict | None, text: Text) -> str:
    """Another judged plan beside the chosen one: a roster plan by the creators it adds and
    drops ("chosen plan + @a − @b"), any other plan by :func:`plan_words`."""
    mine, theirs = _handles(chosen), _handles(row)
    if mine is None or theirs is None or row is chosen:
        return plan_words(results, row, text)
    added = [f"+{h}" for h in theirs if h not in mine]
    dropped = [f"−{h}" for h in mine if h not in theirs]
    if not added and not dropped:
        return plan_words(results, row, text)
    return text("opt.plan_change", changes=" ".join(added + dropped))


def stat_label(name: str, text: Text) -> str:
    """A statistic as a table header and in sentences: ``profit_mean`` -> "mean profit"."""
    if name.endswith("_mean"):
        return text("stat.mean", metric=in_sentence(text.metric(name.removesuffix("_mean")), text))
    if name in STAT_KEYS:
        return text(STAT_KEYS[name])
    spend = re.fullmatch(r"spend_p(\d+)", name)
    return text("opt.stat.spend", q=spend.group(1)) if spend else name


def _capital(words: str) -> str:
    """A header's first letter in capitals ("Mean profit [95% CI]")."""
    return words[:1].upper() + words[1:]


def _kind(name: str) -> str:
    if name in ("prob_loss", "prob_above_target"):
        return "prob"
    if name in ("expected_shortfall", "value_at_risk") or name.startswith("spend_p"):
        return "money"
    return metric_kind(name.removesuffix("_mean"))


def stat_value(name: str, value: Any, text: Text, *, signed: bool = False) -> str:
    """A statistic's value: probabilities and rates in %, money with its currency, a
    difference of rates in points (``signed``)."""
    kind = _kind(name)
    if kind in ("prob", "fraction"):
        if signed:
            return text.points(value)
        return text.prob(value, PROB_DIGITS) if kind == "prob" else text.pct(value, 1)
    if kind == "money":
        return text.money(value, signed=signed)
    if not finite(value):
        return text.na
    return f"{float(value):+,.1f}" if signed else f"{float(value):,.1f}".removesuffix(".0")


def _interval(name: str, row: dict, text: Text) -> tuple[str, str, str]:
    return tuple(  # type: ignore[return-value]
        stat_value(name, row.get(f"{name}{end}"), text) for end in ("", "_ci_low", "_ci_high")
    )


def limit_words(limit: str, text: Text) -> str:
    """``prob_loss <= 0.7405`` -> "P(loss) ≤ 74.1%"."""
    found = LIMIT.match(limit)
    if found is None:
        return limit
    name, op, bound = found.groups()
    shown = stat_value(name, float(bound), text)
    if _kind(name) == "prob":
        shown = text.pct(float(bound), 1)
    return f"{stat_label(name, text)} {'≤' if op == '<=' else '≥'} {shown}"


def _limits(results: Results) -> list[str]:
    return [str(x) for x in (results.json(SUMMARY) or {}).get("limits") or []]


def _ties(rows: list[dict]) -> list[dict]:
    return [r for r in rows[1:] if str(r.get("tied_with_chosen")) == "True"]


def _best_strategy(rows: list[dict], maximise: bool) -> dict | None:
    """The scenario's strategy with the best objective on the fresh campaigns."""
    found = [r for r in rows if strategy_of(r["role"]) is not None and finite(r["difference"])]
    if not found:
        return None
    return max(found, key=lambda r: float(r["difference"]) * (1 if maximise else -1))


def summary(results: Results, text: Text) -> tuple[str, str] | None:
    """The executive summary's (case, sentence). Cases: nothing (no plan beats spending
    nothing: hire nobody, and what the best plan that hires would make and risk), risky (the
    plan still loses money in more than half of its campaigns), tied (other plans are as good
    within Monte Carlo error), plan."""
    data, rows = results.json(SUMMARY) or {}, judged_rows(results)
    chosen = _chosen(rows)
    if chosen is None:
        return None
    maximise, name = objective(results)
    fresh = text.count((data.get("fresh_campaigns") or {}).get("count"))
    if not data.get("beats_spending_nothing", True):
        hiring = chosen if _hires(chosen) else next((r for r in rows if _hires(r)), None)
        limits = text.list_sep().join(limit_words(x, text) for x in _limits(results))
        if hiring is None:
            return "nothing", text("exec.opt_nothing_alone", limits=limits or "—")
        value, lo, hi = _interval("profit_mean", hiring, text)
        key = "exec.opt_nothing_strategy" if strategy_of(hiring["role"]) else "exec.opt_nothing"
        return "nothing", text(
            key,
            limits=limits or "—",
            plan=plan_words(results, hiring, text),
            v=value,
            lo=lo,
            hi=hi,
            p=text.prob(hiring.get("prob_loss"), PROB_DIGITS),
            n=fresh,
        )
    value, lo, hi = _interval(name, chosen, text)
    versus = ""
    best = _best_strategy(rows, maximise)
    if best is not None:
        ahead = -float(best["difference"])
        versus = text(
            "opt.versus_more" if (ahead >= 0) == maximise else "opt.versus_less",
            s=plan_words(results, best, text),
            d=stat_value(name, abs(ahead), text),
        )
    values = {
        "plan": plan_words(results, chosen, text),
        "metric": stat_label(name, text),
        "v": value,
        "lo": lo,
        "hi": hi,
        "n": fresh,
        "versus": versus,
        "p": text.prob(chosen.get("prob_loss"), PROB_DIGITS),
        "es": text.money(chosen.get("expected_shortfall")),
        "k": len(_ties(rows)),
    }
    ploss = float(chosen.get("prob_loss", math.nan))
    if ploss > RISKY:
        return "risky", text("exec.opt_risky", **values)
    if values["k"]:
        return "tied", text("exec.opt_tied", **values)
    return "plan", text("exec.opt_plan", **values)


def points(results: Results, text: Text) -> list[str]:
    """The summary's points: the limits, the plan against each alternative, how firm the
    choice is (ties, the search, other assumption settings) and the pilot."""
    data, rows = results.json(SUMMARY) or {}, judged_rows(results)
    chosen = _chosen(rows)
    if chosen is None:
        return []
    _, name = objective(results)
    out = []
    for limit in _limits(results):
        found = LIMIT.match(limit)
        if found is None or found.group(1) not in chosen:
            continue
        stat, op, bound = found.groups()
        value, lo, hi = _interval(stat, chosen, text)
        met = (
            float(chosen[stat]) <= float(bound)
            if op == "<="
            else float(chosen[stat]) >= float(bound)
        )
        out.append(
            text(
                "point.opt_limit_met" if met else "point.opt_limit_missed",
                limit=limit_words(limit, text),
                v=value,
                lo=lo,
                hi=hi,
                tighten=f"{float(data.get('tighten_se', 0)):g}",
            )
        )
    for row in rows[1:]:
        if strategy_of(row["role"]) is None and "nothing" not in roles(row["role"]):
            continue
        if not finite(row["difference"]):
            continue
        out.append(
            text(
                "point.opt_versus",
                other=plan_words(results, row, text),
                metric=stat_label(name, text),
                d=stat_value(name, -float(row["difference"]), text, signed=True),
                e=stat_value(name, Z95 * float(row["difference_se"]), text),
            )
        )
    ties = _ties(rows)
    if ties:
        chosen = _chosen(rows)
        shown = text.list_sep().join(other_words(results, r, chosen, text) for r in ties[:3])
        out.append(text("point.opt_ties", k=len(ties), plans=shown))
    else:
        out.append(text("point.opt_no_ties"))
    out.append(_search_point(data, text))
    robust = _robustness_point(results, text)
    if robust:
        out.append(robust)
    pilot = _pilot_point(results, text)
    if pilot:
        out.append(pilot)
    return out


def _search_point(data: dict, text: Text) -> str:
    search = data.get("search") or {}
    values = {
        "scored": text.count(search.get("plans_scored")),
        "campaigns": text.count(data.get("campaigns")),
        "starts": text.count(search.get("starting_points")),
        "found": text.count(search.get("found_by")),
    }
    key = "point.opt_exhaustive" if search.get("method") == "exhaustive" else "point.opt_local"
    return text(key, **values)


def _settings_rows(results: Results) -> dict[str, dict]:
    """robustness.csv's row of the chosen plan per assumption setting."""
    frame = results.table(ROBUSTNESS)
    if frame is None or frame.empty:
        return {}
    mine = frame[frame["chosen"].astype(str) == "True"]
    return {str(r["setting"]): r for r in mine.to_dict("records")}


def _holds(row: dict) -> bool:
    best = str(row.get("best_here")) == "True" or str(row.get("chosen_tied_with_best")) == "True"
    return best and str(row.get("meets_limits")) == "True"


def _setting(name: str, text: Text) -> str:
    return text(SETTING_KEYS[name]) if name in SETTING_KEYS else name


def _robustness_point(results: Results, text: Text) -> str:
    settings = {k: v for k, v in _settings_rows(results).items() if k != "as stated"}
    if not settings:
        return ""
    failed = [_setting(k, text) for k, v in settings.items() if not _holds(v)]
    held = len(settings) - len(failed)
    if not failed:
        return text("point.opt_robust", k=held, n=len(settings))
    return text("point.opt_fragile", k=held, n=len(settings), settings=text.list_sep().join(failed))


def _pilot(results: Results) -> dict | None:
    frame = results.table(PILOT)
    return None if frame is None or frame.empty else frame.iloc[0].to_dict()


def _pilot_point(results: Results, text: Text) -> str:
    """What the pilot is worth per campaign (EVSI) beside the most any pilot can be worth
    (EVPI) and its cost, and after how many campaigns it pays for itself."""
    pilot = _pilot(results)
    if pilot is None:
        return ""
    worth, cost = float(pilot.get("value", math.nan)), float(pilot.get("cost", math.nan))
    values = {
        "pool": _pool_words(str(pilot.get("pool", "")), text),
        "n": text.count(pilot.get("creators")),
        "v": text.money(worth),
        "e": text.money(Z95 * float(pilot.get("se", math.nan))),
        "perfect": text.money(pilot.get("perfect")),
        "cost": text.money(cost),
    }
    if not (finite(worth) and worth > 0):
        return text("point.opt_pilot_worthless", **values)
    return text("point.opt_pilot", campaigns=text.count(math.ceil(cost / worth)), **values)


def _pool_words(pool: str, text: Text) -> str:
    return CELL.sub(lambda m: _cell(m, text), pool)


# -- tables ------------------------------------------------------------------------------------
def plan_table(results: Results, text: Text) -> TextTable | None:
    """The chosen plan, a row per decision: creators (or budget share) and expected fees; of a
    roster, only the creators it books (the others would fill slides with zeros)."""
    frame = results.table(PLAN)
    if frame is None or frame.empty:
        return None
    roster = "kind" in frame and frame["kind"].eq("creator").all()
    if roster:
        frame = frame[pd.to_numeric(frame["level"], errors="coerce").fillna(0) > 0]
    shares = "share" in frame and frame["kind"].eq("share").any()
    first = text("col.opt_booked") if roster else text("col.opt_decision")
    header = [first, text("col.opt_creators"), text("col.opt_fees")]
    if shares:
        header.insert(2, text("col.opt_share"))
    body = []
    for row in frame.to_dict("records"):
        cells = [
            _pool_words(str(row["decision"]), text),
            text.count(row.get("creators")) if finite(row.get("creators")) else "—",
            text.money(
                row["expected_fees"] if finite(row.get("expected_fees")) else row.get("budget")
            ),
        ]
        if shares:
            share = row.get("share")
            cells.insert(2, text.pct(share) if finite(share) else "—")
        body.append(cells)
    return TextTable(header, body)


def _plan_fees(results: Results) -> float:
    """The chosen plan's expected fees (count and roster cells) and budgets (share cells)."""
    frame = results.table(PLAN)
    if frame is None:
        return math.nan
    total = 0.0
    for column in ("expected_fees", "budget"):
        if column in frame:
            total += float(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())
    return total


def _role_words(value: Any, text: Text) -> str:
    words = []
    for role in sorted(roles(value), key=lambda r: r != "chosen"):
        key = "opt.role.strategy" if role.startswith(STRATEGY_ROLE) else ROLE_KEYS.get(role)
        words.append(text(key) if key else role)
    return text.list_sep().join(words)


def shown_rows(rows: list[dict]) -> list[dict]:
    """The judged plans a report shows: the chosen one, the strategies, hiring nobody, the
    frontier's plans and the first RUNNERS_UP runners-up."""
    out, runners = [], 0
    for row in rows:
        if roles(row["role"]) == ("runner-up",):
            runners += 1
            if runners > RUNNERS_UP:
                continue
        out.append(row)
    return out


def judged_table(results: Results, text: Text) -> TextTable | None:
    rows = judged_rows(results)
    if not rows:
        return None
    _, name = objective(results)
    label = stat_label(name, text)
    header = [
        text("col.opt_plan"),
        text("col.opt_role"),
        _capital(text("col.opt_value", metric=label)),
        text("col.prob_loss_ci"),
        text("col.es"),
        _capital(text("col.opt_minus", metric=label)),
        text("col.opt_tied"),
    ]
    body = []
    first = _chosen(rows)
    for row in shown_rows(rows):
        value, lo, hi = _interval(name, row, text)
        p, plo, phi = (
            text.prob(row.get(f"prob_loss{e}"), PROB_DIGITS) for e in ("", "_ci_low", "_ci_high")
        )
        chosen = "chosen" in roles(row["role"])
        diff = (
            ""
            if chosen or not finite(row.get("difference"))
            else f"{stat_value(name, -float(row['difference']), text, signed=True)} ± "
            f"{stat_value(name, Z95 * float(row['difference_se']), text)}"
        )
        tied = (
            ""
            if chosen
            else text("opt.yes" if str(row["tied_with_chosen"]) == "True" else "opt.no")
        )
        body.append(
            [
                other_words(results, row, first, text),
                _role_words(row["role"], text),
                f"{value} {text.interval(lo, hi)}",
                f"{p} {text.interval(plo, phi)}",
                text.money(row.get("expected_shortfall")),
                diff,
                tied,
            ]
        )
    return TextTable(header, body)


def robustness_table(results: Results, text: Text) -> TextTable | None:
    settings = _settings_rows(results)
    if not settings:
        return None
    _, name = objective(results)
    header = [
        text("col.opt_setting"),
        _capital(text("col.opt_value_se", metric=stat_label(name, text))),
        text("col.prob_loss"),
        text("col.opt_meets"),
        text("col.opt_best"),
    ]
    body = []
    for setting, row in settings.items():
        best = (
            str(row.get("best_here")) == "True" or str(row.get("chosen_tied_with_best")) == "True"
        )
        body.append(
            [
                _setting(setting, text),
                f"{stat_value(name, row.get(name), text)} ± "
                f"{stat_value(name, row.get(f'{name}_se'), text)}",
                text.prob(row.get("prob_loss"), PROB_DIGITS),
                text("opt.yes" if str(row.get("meets_limits")) == "True" else "opt.no"),
                text("opt.yes" if best else "opt.no"),
            ]
        )
    return TextTable(header, body)


def sections(results: Results, text: Text) -> tuple[list[Any], list[Any]]:
    """(what we compare, the other tables) as story Sections with action titles and notes."""
    from campaign_sim.reports.story import Section

    rows = judged_rows(results)
    chosen = _chosen(rows)
    compare, tables = [], []
    hires = plan_table(results, text)
    if hires is not None and chosen is not None and _hires(chosen):
        total = _plan_fees(results)
        compare.append(
            Section(
                text("slide.opt_plan"),
                hires,
                title=text(
                    "title.opt_plan",
                    plan=plan_words(results, chosen, text),
                    fees=text.money(total),
                ),
                notes=text("notes.opt_plan"),
            )
        )
    judged = judged_table(results, text)
    if judged is not None and chosen is not None:
        compare.append(
            Section(
                text("slide.opt_judged"),
                judged,
                [text("method.opt_fresh")],
                title=_judged_title(results, rows, text),
                notes=text("notes.opt_judged"),
            )
        )
    robust = robustness_table(results, text)
    if robust is not None:
        tables.append(
            Section(
                text("slide.opt_robustness"),
                robust,
                title=_robustness_point(results, text),
                notes=text("notes.opt_robustness"),
            )
        )
    return compare, tables


def _judged_title(results: Results, rows: list[dict], text: Text) -> str:
    chosen = _chosen(rows)
    assert chosen is not None
    maximise, name = objective(results)
    best = _best_strategy(rows, maximise)
    if best is None or not _hires(chosen):
        return text("title.opt_judged_plain", plan=plan_words(results, chosen, text))
    return text(
        "title.opt_judged",
        plan=plan_words(results, chosen, text),
        s=plan_words(results, best, text),
        d=stat_value(name, -float(best["difference"]), text, signed=True),
        metric=stat_label(name, text),
    )


# -- charts ------------------------------------------------------------------------------------
CHOSEN_COLOUR, OTHER_COLOUR, FRONTIER_COLOUR = "#222222", "#9a9a9a", "#56B4E9"


def _y_name(results: Results) -> str:
    """The objective on the y axis; mean profit when the objective is a probability (P(loss)
    is already across)."""
    _, name = objective(results)
    return "profit_mean" if _kind(name) == "prob" else name


def _value_axis(axis: Any, name: str, text: Text) -> None:
    from matplotlib.ticker import FuncFormatter

    kind = _kind(name)
    if kind in ("prob", "fraction"):
        percent_axis(axis)
    elif kind == "money":
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: text.money_short(v)))


def _axis_label(name: str, text: Text) -> str:
    label = stat_label(name, text)
    return (
        text("axis.opt_money", metric=label, currency=text.currency_label)
        if _kind(name) == "money"
        else label
    )


def _colour(row: dict, colours: dict[str, str]) -> str:
    strategy = strategy_of(row["role"])
    if strategy is not None:
        return colours.get(strategy, OTHER_COLOUR)
    return CHOSEN_COLOUR if "chosen" in roles(row["role"]) else OTHER_COLOUR


def draw_plans(results: Results, text: Text, colours: dict[str, str]) -> Any:
    """Every judged plan on risk (P(loss), across) and return (the objective, up) with their
    95% CIs on the fresh campaigns; the frontier (the best plan as the P(loss) limit varies)
    as a line; the P(loss) limits and break-even drawn. Labels placed clear of the points."""
    rows = judged_rows(results)
    if not rows or "prob_loss" not in rows[0]:
        return None
    name = _y_name(results)
    frontier = results.table(FRONTIER)
    with figure() as (fig, axis):
        xs = np.array([float(r["prob_loss"]) for r in rows])
        ys = np.array([float(r[name]) for r in rows])
        for row, x, y in zip(rows, xs, ys, strict=True):
            chosen = "chosen" in roles(row["role"])
            xerr = whiskers(x, row["prob_loss_ci_low"], row["prob_loss_ci_high"])
            yerr = whiskers(y, row[f"{name}_ci_low"], row[f"{name}_ci_high"])
            axis.errorbar(
                [x],
                [y],
                xerr=xerr,
                yerr=yerr,
                fmt="*" if chosen else "o",
                markersize=16 if chosen else 7,
                color=_colour(row, colours),
                capsize=3,
                zorder=4 if chosen else 3,
            )
        if frontier is not None and not frontier.empty and name in frontier:
            line = frontier.sort_values("prob_loss")
            axis.plot(
                line["prob_loss"],
                line[name],
                "--",
                color=FRONTIER_COLOUR,
                zorder=2,
                label=text("legend.opt_frontier"),
            )
        if _kind(name) == "money":
            axis.axhline(0, color=BREAK_EVEN, linewidth=1, label=text("legend.opt_break_even"))
        for limit in _limits(results):
            found = LIMIT.match(limit)
            if found is not None and found.group(1) == "prob_loss":
                axis.axvline(
                    float(found.group(3)),
                    color="#D55E00",
                    linestyle=":",
                    linewidth=1.5,
                    label=limit_words(limit, text),
                )
        axis.plot([], [], "o", color=OTHER_COLOUR, label=text("legend.opt_other"))
        axis.plot([], [], "*", color=CHOSEN_COLOUR, markersize=12, label=text("legend.opt_chosen"))
        percent_axis(axis.xaxis)
        _value_axis(axis.yaxis, name, text)
        axis.set_xlabel(text("axis.opt_prob_loss"))
        axis.set_ylabel(_axis_label(name, text))
        axis.margins(x=0.08, y=0.12)
        axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, frameon=False)
        fig.draw_without_rendering()
        px = axis.transData.transform(np.column_stack([xs, ys]))
        taken: list[Any] = []
        for row, x, y in zip(rows, xs, ys, strict=True):
            kinds = set(roles(row["role"]))
            if kinds & {"chosen", "nothing"} or strategy_of(row["role"]) is not None:
                place_label(
                    axis,
                    plan_words(results, row, text),
                    (x, y),
                    points=px,
                    taken=taken,
                    fontsize=11,
                    color=_colour(row, colours) if "chosen" not in kinds else CHOSEN_COLOUR,
                )
        return fig


def draw_differences(results: Results, text: Text, colours: dict[str, str]) -> Any:
    """How much more (or less) the chosen plan makes than each alternative, paired on the
    same fresh campaigns, with 95% intervals: the strategies, hiring nobody, the runners-up."""
    rows = [r for r in shown_rows(judged_rows(results)) if "chosen" not in roles(r["role"])]
    rows = [r for r in rows if finite(r.get("difference")) and finite(r.get("difference_se"))]
    if not rows:
        return None
    _, name = objective(results)
    ahead = np.array([-float(r["difference"]) for r in rows])
    error = np.array([Z95 * float(r["difference_se"]) for r in rows])
    chosen = _chosen(judged_rows(results))
    labels = [other_words(results, r, chosen, text) for r in rows]
    with figure() as (fig, axis):
        place = np.arange(len(rows))[::-1]
        axis.barh(
            place,
            ahead,
            xerr=error,
            color=[_colour(r, colours) for r in rows],
            capsize=4,
            height=0.6,
        )
        axis.set_yticks(place, labels)
        axis.axvline(0, color=BREAK_EVEN, linewidth=1)
        _value_axis(axis.xaxis, name, text)
        axis.set_xlabel(text("axis.opt_ahead", metric=_axis_label(name, text)))
        low, high = min(0.0, float((ahead - error).min())), max(0.0, float((ahead + error).max()))
        pad = 0.06 * (high - low or 1.0)
        axis.set_xlim(low - pad, high + pad)
        return fig


def plan(results: Results, text: Text) -> list[tuple]:
    """The optimiser's charts: (file key, title, caption, draw)."""
    return [
        ("plans", text("chart.opt_plans"), text("caption.opt_plans"), draw_plans),
        (
            "plan-differences",
            text("chart.opt_differences"),
            text("caption.opt_differences"),
            draw_differences,
        ),
    ]


def chart_titles(results: Results, text: Text) -> dict[str, str]:
    """The action titles of the optimiser's charts: what each one shows."""
    rows = judged_rows(results)
    chosen = _chosen(rows)
    if chosen is None:
        return {}
    maximise, name = objective(results)
    y = _y_name(results)
    words = plan_words(results, chosen, text)
    out = {
        "plans": text(
            "title.opt_chart_plans",
            plan=words,
            v=stat_value(y, chosen.get(y), text),
            metric=stat_label(y, text),
            p=text.prob(chosen.get("prob_loss"), PROB_DIGITS),
        )
    }
    others = [r for r in rows[1:] if finite(r.get("difference"))]
    if others:
        ahead = {id(r): -float(r["difference"]) * (1 if maximise else -1) for r in others}
        closest = min(others, key=lambda r: ahead[id(r)])
        worst = max(others, key=lambda r: ahead[id(r)])
        out["plan-differences"] = text(
            "title.opt_chart_differences",
            plan=words,
            closest=other_words(results, closest, chosen, text),
            d=stat_value(name, -float(closest["difference"]), text, signed=True),
            worst=other_words(results, worst, chosen, text),
            d2=stat_value(name, -float(worst["difference"]), text, signed=True),
        )
    return out


# -- the story ---------------------------------------------------------------------------------
def tell(results: Results, text: Text) -> Any:
    """The optimiser's :class:`~campaign_sim.reports.story.Story`."""
    from campaign_sim.reports import story

    said = summary(results, text)
    case, headline = said if said is not None else ("", text("exec.opt_missing"))
    compare, tables = [
        [replace(section, title=story.capital(section.title)) for section in part]
        for part in sections(results, text)
    ]
    titles = {key: story.capital(title) for key, title in chart_titles(results, text).items()}
    name = results.scenario_name
    kind = text("title.optimize")
    return story.Story(
        title=text("title.with_name", kind=kind, name=name) if name else kind,
        subtitle=text(
            "subtitle",
            campaigns=text.count(results.campaigns),
            seed=results.seed,
            version=results.manifest.get("version", ""),
            date=str(results.manifest.get("created", ""))[:10],
        ),
        headline=headline,
        points=points(results, text),
        tables=tables,
        assumptions=story.assumptions_table(results, text),
        method=[*story.method(results, text), text("method.opt_search"), text("method.opt_fresh")],
        case=case,
        compare=compare,
        key_assumptions=story.assumption_sections(results, text),
        chart_titles=titles,
        notes={
            "title": text("notes.title"),
            "summary": text("notes.opt_summary"),
            "chart": text("notes.chart"),
            "method": text("notes.method"),
            "appendix": text("notes.appendix"),
        },
        stop=text("word.stop"),
        method_title=text(
            "title.method", campaigns=text.count(results.campaigns), seed=results.seed
        ),
        appendix_title=text("title.appendix"),
    )


def folder_charts(folder: Any, manifest: dict) -> dict[str, bytes]:
    """The results folder's own ``frontier.png`` and ``frontier.svg``: :func:`draw_plans` in
    English, from the tables already written to ``folder`` (empty when no plan was judged)."""
    from campaign_sim.reports.charts import drawing, render
    from campaign_sim.reports.plotting import colours

    results = Results(folder, manifest)
    text = Text("en", results.currency, results.horizon_months)
    with drawing(results, text):
        fig = draw_plans(results, text, colours(results))
        if fig is None:
            return {}
        return {"frontier.png": render(fig, "png"), "frontier.svg": render(fig, "svg")}
