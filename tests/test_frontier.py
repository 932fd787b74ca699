"""Frontier, best plan under risk limits and heatmaps, on hand-made sweep tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from campaign_sim.analysis.frontier import (
    Goal,
    best_plan,
    frontier,
    heatmap,
    interval,
    pareto_efficient,
    parse_goal,
    parse_limit,
)
from campaign_sim.errors import InputError

pytestmark = pytest.mark.exact


def test_pareto_efficient_hand_case() -> None:
    # (risk, return): A(0.1, 1) B(0.2, 2) C(0.2, 1.5) dominated by B, D(0.3, 1.9) dominated by
    # B, E(0.05, 0.5), F(0.4, 3), G = B (ties are equally efficient), H with a NaN.
    risks = np.array([0.1, 0.2, 0.2, 0.3, 0.05, 0.4, 0.2, np.nan])
    returns = np.array([1.0, 2.0, 1.5, 1.9, 0.5, 3.0, 2.0, 9.0])
    assert pareto_efficient(returns, risks).tolist() == [
        True,
        True,
        False,
        False,
        True,
        True,
        True,
        False,
    ]


def test_pareto_efficient_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    returns = rng.integers(0, 8, 300).astype(float)  # integers: many ties
    risks = rng.integers(0, 8, 300).astype(float)
    brute = [
        not any(
            returns[j] >= returns[i]
            and risks[j] <= risks[i]
            and (returns[j] > returns[i] or risks[j] < risks[i])
            for j in range(300)
        )
        for i in range(300)
    ]
    assert pareto_efficient(returns, risks).tolist() == brute


def _table() -> pd.DataFrame:
    """Two axes (share, budget) x two strategies; profit and P(loss) made up."""
    rows = []
    for point, (share, budget) in enumerate([(0, 1), (0, 2), (1, 1), (1, 2)]):
        for strategy, offset in (("a", 0.0), ("b", 5.0)):
            profit = 10 * share + budget + offset
            prob = 0.05 * (1 + share + budget) + (0.3 if strategy == "b" else 0)
            rows.append(
                {
                    "point": point,
                    "share": share,
                    "budget": budget,
                    "strategy": strategy,
                    "profit_mean": profit,
                    "profit_mean_ci_low": profit - 1,
                    "profit_mean_ci_high": profit + 1,
                    "roi_mean": profit / 10,
                    "prob_loss": prob,
                    "prob_loss_ci_low": prob - 0.02,
                    "prob_loss_ci_high": prob + 0.02,
                    "expected_shortfall": -prob * 100,
                    "expected_shortfall_se": 1.0,
                }
            )
    return pd.DataFrame(rows)


def test_best_plan_under_a_risk_limit() -> None:
    table = _table()
    columns = list(table.columns)
    best = best_plan(
        table, parse_goal("profit", columns), [parse_limit("prob_loss<=20%", columns)], ["share"]
    )
    # Feasible (P(loss) <= 0.2): strategy a at (0,1) 0.10, (0,2) 0.15, (1,1) 0.15, (1,2) 0.20.
    # The best profit among them: a at share 1, budget 2: 10 + 2 = 12.
    assert (best.point, best.strategy, best.value) == (3, "a", 12.0)
    assert best.feasible == 4 and best.candidates == 8
    assert best.value_interval == (11.0, 13.0)
    assert best.limit_values == {"prob_loss": pytest.approx(0.2)}
    # 0.2 + 0.02 exceeds the limit: met by the estimate, not across its CI.
    assert best.confident(best.limits[0]) is False
    assert best.to_dict()["best"]["settings"] == {"share": 1}


def test_best_plan_none_feasible_and_minimise() -> None:
    table = _table()
    columns = list(table.columns)
    none = best_plan(
        table, parse_goal("profit", columns), [parse_limit("prob_loss<0", columns)], []
    )
    assert none.point is None and none.feasible == 0 and none.to_dict()["best"] is None
    low = best_plan(table, parse_goal("min:prob_loss", columns), [], [])
    assert (low.point, low.strategy) == (0, "a")


def test_frontier_marks_efficient_plans_and_sorts_by_risk() -> None:
    table = _table()
    out = frontier(table, Goal("roi_mean", True), Goal("prob_loss", False), ["share", "budget"])
    assert out["prob_loss"].is_monotonic_increasing
    efficient = out[out["efficient"]]
    # (P(loss), profit): a0 (.10, 1), a1 (.15, 2), a2 (.15, 11), a3 (.20, 12), b0 (.40, 6),
    # b1 (.45, 7), b2 (.45, 16), b3 (.50, 17). a1 loses to a2 (same risk, more profit); b0
    # and b1 lose to a3 (less risk, more profit).
    assert set(zip(efficient["strategy"], efficient["point"], strict=True)) == {
        ("a", 0),
        ("a", 2),
        ("a", 3),
        ("b", 2),
        ("b", 3),
    }
    assert {"roi_mean", "prob_loss_ci_low", "prob_loss_ci_high"} <= set(out.columns)


def test_expected_shortfall_as_risk_is_maximised() -> None:
    table = _table()
    out = frontier(table, Goal("profit_mean", True), Goal("expected_shortfall", True), [])
    # Expected shortfall is a profit: higher is safer; the safest plan is efficient.
    safest = out.loc[out["expected_shortfall"].idxmax()]
    assert safest["efficient"]
    assert out["expected_shortfall"].is_monotonic_decreasing


def test_interval_lookup() -> None:
    row = _table().iloc[0]
    assert interval(row, "profit_mean") == (row["profit_mean"] - 1, row["profit_mean"] + 1)
    low, high = interval(row, "expected_shortfall")  # from the standard error
    assert high - low == pytest.approx(2 * 1.959963984540054)
    assert interval(row, "share") is None


def test_heatmap_is_first_axis_down_second_across() -> None:
    out = heatmap(_table(), "share", "budget", "profit_mean", "a")
    assert out.index.tolist() == [0, 1] and out.columns.tolist() == [1, 2]
    assert out.loc[1, 2] == 12.0 and out.loc[0, 1] == 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prob_los<=0.1", "did you mean 'prob_loss'"),
        ("prob_loss=0.1", "write COLUMN<=VALUE"),
        ("prob_loss<=abc", "write COLUMN<=VALUE"),
    ],
)
def test_bad_limits(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_limit(text, list(_table().columns))


def test_bad_objective() -> None:
    columns = list(_table().columns)
    with pytest.raises(InputError, match="did you mean 'profit_mean'"):
        parse_goal("profit_mea", columns)
    with pytest.raises(InputError, match="max:COLUMN"):
        parse_goal("best:profit", columns)
    assert parse_goal("min:roi", columns) == Goal("roi_mean", False)
    assert math.isclose(parse_limit("prob_loss <= 12.5%", columns).value, 0.125)
