"""When two plans are tied, and which one is preferred: one rule, used by the frontier and the
best plan of a sweep (:mod:`campaign_sim.analysis.frontier`) and by anything else that ranks
plans.

**Equal.** Two numbers are equal when they differ by at most :data:`RELATIVE` (1e-9) of the
larger: float noise (the same sums in another order, 2, 3 and 4 managers that all finish in
time differing by 6e-11) never ranks one plan above another.

**Tied.** Two estimates are tied when they are equal, or else when each lies strictly inside
the other's 95% estimate interval (within each other's Monte Carlo error): the simulation cannot
tell them apart. Each, not either: plans of a sweep share their random numbers, so the error of
their difference is smaller than either estimate's own, and a rule that called more ties would
pass off real differences as noise.

**Preferred.** Among tied plans, :data:`TIE_BREAK` decides: fewer resources (fewer creators
hired on average, then the smaller setting, axis by axis: a smaller team, count or budget),
then the lower mean cost, then the earlier point of the sweep.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "RELATIVE",
    "TIE_BREAK",
    "equal",
    "preference",
    "preferred",
    "snap",
    "tied",
    "tied_paired",
]

#: Relative tolerance within which two numbers are the same number.
RELATIVE = 1e-9
#: The rule that orders tied plans, as reports state it.
TIE_BREAK = (
    "fewer creators hired (creators_mean), then the smaller settings axis by axis (fewer "
    "resources), then the lower mean cost (cost_mean), then the earlier point"
)
#: Columns of a sweep table the rule reads: resources first, then cost.
CREATORS = "creators_mean"
COST = "cost_mean"


def equal(a: Any, b: Any, rel: float = RELATIVE) -> Any:
    """``a`` and ``b`` (numbers or arrays) within ``rel`` of the larger magnitude; equal
    infinities are equal, NaN equals nothing."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= rel * np.maximum(np.abs(a), np.abs(b))
    out = close | (a == b)
    return bool(out) if out.ndim == 0 else out


def snap(values: Any, rel: float = RELATIVE) -> np.ndarray:
    """``values`` with every run of equal numbers (each within ``rel`` of the run's smallest,
    in sorted order) replaced by that smallest: equal numbers become the same number, so that
    exact comparisons (sorting, Pareto dominance) treat them alike. NaN stays NaN."""
    values = np.asarray(values, dtype=float)
    out = values.copy()
    anchor = math.nan
    for i in np.argsort(values, kind="stable").tolist():
        value = float(values[i])
        if math.isnan(value):
            break  # NaN sorts last
        if value == anchor or abs(value - anchor) <= rel * max(abs(value), abs(anchor)):
            out[i] = anchor
        else:
            anchor = value
    return out


Interval = tuple[float, float]


def tied(a: float, b: float, interval_a: Interval | None, interval_b: Interval | None) -> bool:
    """Estimates ``a`` and ``b`` are tied: equal, or each strictly inside the other's estimate
    interval (within each other's Monte Carlo error) when both have one."""
    if equal(a, b):
        return True
    if interval_a is None or interval_b is None:
        return False
    if not all(math.isfinite(x) for x in (*interval_a, *interval_b)):
        return False
    return bool(interval_b[0] < a < interval_b[1] and interval_a[0] < b < interval_a[1])


def _setting(value: Any) -> tuple[int, float]:
    """A plan's setting as a sort key: numbers by value; 'unlimited' after every number;
    anything else (a distribution's text) the same for all."""
    if isinstance(value, (bool, np.bool_)):
        return (0, float(value))
    if isinstance(value, (int, float, np.integer, np.floating)) and not math.isnan(value):
        return (0, float(value))
    if value == "unlimited":
        return (1, math.inf)
    return (2, 0.0)


def preference(row: Any, settings: Sequence[str]) -> tuple:
    """The sort key of :data:`TIE_BREAK` for one plan (a table row): lower is preferred."""

    def number(column: str) -> float:
        value = row.get(column, math.nan)
        value = float(value) if value is not None else math.nan
        return math.inf if math.isnan(value) else value

    return (
        number(CREATORS),
        *(_setting(row[column]) for column in settings if column in row),
        number(COST),
        number("point"),
    )


def preferred(table: pd.DataFrame, settings: Sequence[str]) -> Hashable:
    """The index label of the plan :data:`TIE_BREAK` prefers among the rows of ``table``."""
    return min(table.index, key=lambda label: preference(table.loc[label], settings))


def tied_paired(a: float, b: float, se_difference: float, z: float = 1.959963984540054) -> bool:
    """Two estimates from the same simulated campaigns are tied: equal, or else their
    difference within ``z`` standard errors of the paired difference (common random numbers
    make that error smaller than either estimate's own). The plan optimiser's runner-ups use
    it; the same rule as :func:`tied`, with the paired error in place of the two intervals."""
    if equal(a, b):
        return True
    if not math.isfinite(se_difference):
        return False
    return abs(a - b) <= z * se_difference
