"""Risk-return frontier, best plan under risk limits, and heatmap tables of a sweep.

Pure computation on the tidy sweep table (a row per point and strategy, see
:mod:`campaign_sim.sweep.run`). Every row is a candidate plan: a strategy at one point of the sweep.

* The **frontier** puts a return column (mean ROI by default) against a risk column
  (P(loss) by default); a plan is **Pareto-efficient** when no other plan has at least its
  return at no more risk and is strictly better in one of them.
* The **best plan** maximises (or minimises) an objective column over the plans that meet
  every risk limit, e.g. the highest mean profit with P(loss) <= 10%; it is reported with the
  estimate intervals of the objective and of each limited quantity, so a reader sees whether
  the limit is met with confidence or only by the point estimate.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim.analysis.ties import equal, preferred, snap, tied
from campaign_sim.errors import InputError

__all__ = [
    "Best",
    "Goal",
    "Limit",
    "best_plan",
    "frontier",
    "heatmap",
    "interval",
    "pareto_efficient",
    "parse_goal",
    "parse_limit",
]

#: Risk columns where more is safer (a profit, a lower quantile, a probability of success).
SAFER_WHEN_HIGHER = ("expected_shortfall", "value_at_risk", "prob_above_target")
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Goal:
    """A column to maximise or minimise."""

    column: str
    maximise: bool

    def __str__(self) -> str:
        return f"{'max' if self.maximise else 'min'}:{self.column}"


@dataclass(frozen=True)
class Limit:
    """``column op value``, e.g. ``prob_loss <= 0.10``."""

    column: str
    op: str
    value: float

    def holds(self, x: Any) -> Any:
        return _OPS[self.op](x, self.value)

    def __str__(self) -> str:
        return f"{self.column} {self.op} {self.value:g}"


_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_LIMIT = re.compile(r"^\s*([A-Za-z0-9_]+)\s*(<=|>=|<|>)\s*([-+0-9.eE]+)\s*(%?)\s*$")


#: Columns of the table that are not quantities to maximise or limit: names and identities.
_NOT_QUANTITIES = frozenset({"point", "strategy", "label", "campaigns", "seed"})
#: Columns never suggested: identities and the uncertainty of an estimate, not the estimate.
_NOT_SUGGESTED = ("_se", "_ci_low", "_ci_high", "n_undefined")
_SHOWN = 80


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut to about 80 characters."""
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")


def _column(name: str, columns: list[str], what: str) -> str:
    """A column of the table; a bare metric name (``roi``) means its mean (``roi_mean``)."""
    quantities = [c for c in columns if c not in _NOT_QUANTITIES]
    if name in quantities:
        return name
    if f"{name}_mean" in quantities:
        return f"{name}_mean"
    raise InputError.single(
        None, what, f"no column {_shown(name)} in the sweep table{_suggest_column(name, columns)}"
    )


def _suggest_column(name: str, columns: list[str]) -> str:
    """`` (did you mean 'x'?)`` from the metrics (``profit``) and the columns that are
    estimates (``roi_p5``, ``prob_loss``), never a standard error or an interval's bound;
    the metric name wins a tie. A name over 100 characters gets none (no one misspells a
    column that long, and matching it is quadratic in its length)."""
    if len(name) > 100:
        return ""
    metrics = [c.removesuffix("_mean") for c in columns if c.endswith("_mean")]
    estimates = [c for c in columns if c not in _NOT_QUANTITIES and not c.endswith(_NOT_SUGGESTED)]
    candidates = {c: 1 for c in estimates} | {m: 2 for m in metrics}
    scored = [
        (difflib.SequenceMatcher(None, name, c).ratio(), rank, c) for c, rank in candidates.items()
    ]
    scored = [item for item in scored if item[0] >= 0.6]
    if not scored:
        return ""
    return f" (did you mean '{max(scored)[2]}'?)"


def parse_goal(text: str, columns: list[str], what: str = "--objective") -> Goal:
    """``profit`` (max mean profit), ``roi``, ``max:roi_p5``, ``min:cpa`` ..."""
    direction, sep, name = text.partition(":")
    if not sep:
        direction, name = "max", text
    if direction.strip() not in ("max", "min"):
        raise InputError.single(None, what, f"{_shown(text)}: write max:COLUMN or min:COLUMN")
    return Goal(_column(name.strip(), columns, what), direction.strip() == "max")


def parse_limit(text: str, columns: list[str], what: str = "--risk-limit") -> Limit:
    """``prob_loss<=0.10``, ``prob_loss<=10%``, ``roi_p5>=-0.2``, ``expected_shortfall>=-5e5``."""
    match = _LIMIT.match(text)
    if match is None:
        raise InputError.single(
            None, what, f"{_shown(text)}: write COLUMN<=VALUE, e.g. prob_loss<=0.10"
        )
    name, op, number, percent = match.groups()
    try:
        value = float(number) / (100 if percent else 1)
    except ValueError:
        raise InputError.single(None, what, f"{_shown(number)} is not a number") from None
    if not math.isfinite(value):
        raise InputError.single(None, what, f"{_shown(number)} is not a finite number")
    return Limit(_column(name, columns, what), op, value)


def interval(row: Any, column: str) -> tuple[float, float] | None:
    """The 95% estimate interval of ``column`` in a table row, where the table has one."""
    stem = column.removesuffix("_mean")
    for low, high in (
        (f"{stem}_mean_ci_low", f"{stem}_mean_ci_high"),
        (f"{column}_ci_low", f"{column}_ci_high"),
    ):
        if low in row and high in row:
            return float(row[low]), float(row[high])
    if f"{column}_se" in row:
        half = Z95 * float(row[f"{column}_se"])
        return float(row[column]) - half, float(row[column]) + half
    return None


def pareto_efficient(returns: np.ndarray, risks: np.ndarray) -> np.ndarray:
    """Mask of the points no other point dominates (return higher is better, risk lower).

    Numbers equal within 1e-9 relative are the same number (:func:`campaign_sim.analysis.ties.
    snap`): float noise never makes a point dominate another, and equal points are equally
    efficient. A point with a NaN is never efficient. O(n log n): sort by risk, keep running
    maxima.
    """
    returns = snap(returns)
    risks = snap(risks)
    valid = np.isfinite(returns) & np.isfinite(risks)
    out = np.zeros(returns.size, dtype=bool)
    order = np.flatnonzero(valid)
    order = order[np.lexsort((-returns[order], risks[order]))]  # risk up, return down
    best = -math.inf
    previous: tuple[float, float] | None = None
    for i in order:
        here = (risks[i], returns[i])
        # Equal to the last efficient point: equally efficient. Otherwise it needs more return
        # than everything at no more risk.
        if returns[i] > best or (previous is not None and here == previous):
            out[i] = True
            best = max(best, returns[i])
            previous = here
    return out


def frontier(table: pd.DataFrame, ret: Goal, risk: Goal, axes: list[str]) -> pd.DataFrame:
    """Every plan with its return, its risk and whether it is Pareto-efficient, by risk (risks
    equal within 1e-9 by point)."""
    risk_score = table[risk.column] * (-1 if risk.maximise else 1)
    return_score = table[ret.column] * (1 if ret.maximise else -1)
    columns = ["point", *axes, "strategy", ret.column, risk.column]
    out = table[list(dict.fromkeys(columns))].copy()
    for goal in (ret, risk):
        bounds = [interval(row, goal.column) for _, row in table.iterrows()]
        if all(b is not None for b in bounds):
            out[f"{goal.column}_ci_low"] = [b[0] for b in bounds]  # type: ignore[index]
            out[f"{goal.column}_ci_high"] = [b[1] for b in bounds]  # type: ignore[index]
    out["efficient"] = pareto_efficient(return_score.to_numpy(), risk_score.to_numpy())
    ascending = not risk.maximise
    key = pd.Series(snap(table[risk.column].to_numpy()), index=table.index)
    order = out.assign(_risk=key).sort_values(
        ["_risk", "point"], ascending=[ascending, True], kind="stable"
    )
    return order.drop(columns="_risk")


@dataclass(frozen=True)
class Best:
    """The best plan under risk limits, with intervals; ``point`` is None when none qualifies."""

    goal: Goal
    limits: tuple[Limit, ...]
    candidates: int  # plans (point x strategy) in the sweep
    feasible: int  # plans meeting every limit by their point estimate
    point: int | None = None
    strategy: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)  # axis column -> value
    value: float | None = None  # the objective
    value_interval: tuple[float, float] | None = None  # its 95% estimate interval
    limit_values: dict[str, float] = field(default_factory=dict)
    limit_intervals: dict[str, tuple[float, float] | None] = field(default_factory=dict)
    ties: tuple[tuple[int, str], ...] = ()  # (point, strategy) of the other plans tied with it

    def confident(self, limit: Limit) -> bool | None:
        """True when the limit holds across the whole estimate interval (None: no interval)."""
        bounds = self.limit_intervals.get(limit.column)
        if bounds is None:
            return None
        return bool(limit.holds(bounds[0]) and limit.holds(bounds[1]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "objective": str(self.goal),
            "risk_limits": [str(limit) for limit in self.limits],
            "candidates": self.candidates,
            "feasible": self.feasible,
            "best": None
            if self.point is None
            else {
                "point": self.point,
                "strategy": self.strategy,
                "settings": self.settings,
                "value": self.value,
                "ci": self.value_interval,
                "limits": [
                    {
                        "limit": str(limit),
                        "value": self.limit_values[limit.column],
                        "ci": self.limit_intervals[limit.column],
                        "met_across_ci": self.confident(limit),
                    }
                    for limit in self.limits
                ],
            },
        }


def best_plan(table: pd.DataFrame, goal: Goal, limits: list[Limit], axes: list[str]) -> Best:
    """The plan with the best ``goal`` among those meeting every limit (point estimates; a
    value equal to the limit within 1e-9 meets ``<=`` and ``>=``).

    Plans tied with the best (:func:`campaign_sim.analysis.ties.tied`: equal within 1e-9, or
    each inside the other's 95% estimate interval) are ranked by
    :data:`~campaign_sim.analysis.ties.TIE_BREAK` (fewer resources, lower cost, earlier
    point); the others tied are :attr:`Best.ties`."""
    mask = table[goal.column].notna()
    for limit in limits:
        values = table[limit.column]
        meets = limit.holds(values).fillna(False).astype(bool)
        if limit.op in ("<=", ">="):
            meets |= pd.Series(equal(values.to_numpy(), limit.value), index=values.index)
        mask &= meets
    feasible = table[mask]
    if feasible.empty:
        return Best(goal, tuple(limits), len(table), 0)
    column = feasible[goal.column]
    leader = table.loc[column.idxmax() if goal.maximise else column.idxmin()]
    level, reach = float(leader[goal.column]), interval(leader, goal.column)
    tie = [
        label
        for label, value in column.items()
        if tied(float(value), level, interval(table.loc[label], goal.column), reach)
    ]
    row = table.loc[preferred(feasible.loc[tie], axes)]
    others = tuple(
        (int(table.loc[label, "point"]), str(table.loc[label, "strategy"]))
        for label in tie
        if label != row.name
    )
    return Best(
        goal,
        tuple(limits),
        len(table),
        len(feasible),
        int(row["point"]),
        str(row["strategy"]),
        {axis: row[axis] for axis in axes},
        float(row[goal.column]),
        interval(row, goal.column),
        {limit.column: float(row[limit.column]) for limit in limits},
        {limit.column: interval(row, limit.column) for limit in limits},
        others,
    )


def heatmap(
    table: pd.DataFrame, rows: str, columns: str, value: str, strategy: str
) -> pd.DataFrame:
    """``value`` of one strategy with the first axis down and the second across."""
    part = table[table["strategy"] == strategy]
    return part.pivot_table(index=rows, columns=columns, values=value, aggfunc="first", sort=True)
