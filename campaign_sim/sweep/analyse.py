"""What a sweep answers: the frontier, the best plan under risk limits, heatmaps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from campaign_sim.analysis.frontier import (
    SAFER_WHEN_HIGHER,
    Best,
    Goal,
    Limit,
    best_plan,
    frontier,
    heatmap,
    parse_goal,
    parse_limit,
)
from campaign_sim.errors import InputError, Problem
from campaign_sim.results.folder import json_ready
from campaign_sim.sweep.run import SweepResult

__all__ = ["Questions", "SweepReport", "analyse"]


@dataclass(frozen=True)
class SweepReport:
    result: SweepResult
    ret: Goal  # frontier return, e.g. max:roi_mean
    risk: Goal  # frontier risk, e.g. min:prob_loss
    frontier: pd.DataFrame
    best: Best
    heatmaps: dict[str, pd.DataFrame]  # strategy -> objective, first axis down, second across

    @property
    def axes(self) -> list[str]:
        """Every axis column (axes and their linked paths)."""
        return self.result.sweep.columns

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: axes, every row of the table, the frontier and the best plan."""
        sweep = self.result.sweep
        return json_ready(
            {
                "scenario": {
                    "name": sweep.base.name,
                    "path": sweep.base.source,
                    "sha256": sweep.base.digest,
                },
                "sweep": sweep.source,
                "axes": sweep.describe(),
                "zip": sweep.zipped,
                "engine": self.result.engine,
                "points": len(sweep.points),
                "campaigns": self.result.campaigns,
                "seed": self.result.seed,
                "currency": sweep.base.currency,
                "confidence": 0.95,
                "frontier": {
                    "return": str(self.ret),
                    "risk": str(self.risk),
                    "plans": self.frontier.to_dict(orient="records"),
                },
                "best": self.best.to_dict(),
                "rows": self.result.table.to_dict(orient="records"),
            }
        )


@dataclass(frozen=True)
class Questions:
    """What to read from a sweep table: the frontier's axes, the objective, the limits."""

    ret: Goal
    risk: Goal
    goal: Goal
    limits: tuple[Limit, ...]

    @classmethod
    def parse(
        cls,
        columns: list[str],
        *,
        ret: str = "roi_mean",
        risk: str = "prob_loss",
        objective: str = "profit",
        limits: list[str] | tuple[str, ...] = (),
        source: str | None = None,
    ) -> Questions:
        """Check every name against the table's ``columns``: one InputError with every problem
        (did-you-mean from the metrics and estimate columns). Problems are named by the
        command-line option (``--risk-limit``), or, with ``source`` (a sweep file), by the
        file and its key (``risk_limit[1]``). Risk is minimised unless it is a profit such as
        ``expected_shortfall``."""
        keys = FILE_KEYS if source is not None else FLAGS
        problems: list[Problem] = []

        def checked(parse: Callable[..., Any], text: str, key: str) -> Any:
            try:
                return parse(text, columns, key)
            except InputError as exc:
                problems.extend(exc.problems)
                return None

        if ":" not in risk:
            risk = f"{'max' if risk in SAFER_WHEN_HIGHER else 'min'}:{risk}"
        out = cls(
            checked(parse_goal, ret, keys["ret"]),
            checked(parse_goal, risk, keys["risk"]),
            checked(parse_goal, objective, keys["objective"]),
            tuple(
                checked(parse_limit, text, keys["limits"].format(i=i))
                for i, text in enumerate(limits)
            ),
        )
        if problems:
            raise InputError(source, problems)
        return out


#: What names each question in a problem: the command-line option, or the sweep file's key.
FLAGS = {
    "ret": "--frontier-return",
    "risk": "--frontier-risk",
    "objective": "--objective",
    "limits": "--risk-limit",
}
FILE_KEYS = {
    "ret": "frontier_return",
    "risk": "frontier_risk",
    "objective": "objective",
    "limits": "risk_limit[{i}]",
}


def analyse(result: SweepResult, questions: Questions) -> SweepReport:
    """The frontier, the best plan under the limits, and a heatmap of the objective per
    strategy when the sweep has two (not zipped) axes."""
    table = result.table
    axes = result.sweep.columns
    names = [axis.name for axis in result.sweep.axes]
    heatmaps = {}
    if len(names) == 2 and not result.sweep.zipped:
        for strategy in table["strategy"].unique():
            heatmaps[str(strategy)] = heatmap(
                table, names[0], names[1], questions.goal.column, strategy
            )
    return SweepReport(
        result,
        questions.ret,
        questions.risk,
        frontier(table, questions.ret, questions.risk, axes),
        best_plan(table, questions.goal, list(questions.limits), axes),
        heatmaps,
    )
