"""Run a sweep: every point simulated with the same seed, one tidy table (docs/sweeps.md).

Every point runs with the same seed, so points share common random numbers: campaign ``c`` of
every point sees the same shock, order value and creators where the plans overlap, and curves
across points are smooth rather than noisy. A point's numbers depend only on its scenario,
the number of campaigns and the seed, never on the executor, so a serial run, a local Dask
cluster and a remote one give identical tables.

Finished points are recorded one small JSON file each in a :class:`PointStore`; a rerun with
the same sweep, campaigns, seed and version skips them (JSON keeps floats exactly, so the table
is identical to an uninterrupted run's), and anything else starts afresh.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim import __version__
from campaign_sim.analysis.stats import (
    MetricSummary,
    RiskSummary,
    risk_of,
    summarize,
    summarize_values,
)
from campaign_sim.engine.executors import Executor, make_executor
from campaign_sim.engine.limits import check_sweep
from campaign_sim.engine.runner import DEFAULT_CHUNK
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import ArgumentError
from campaign_sim.metrics import REPORTED, TIMELINE_REPORTED
from campaign_sim.random.streams import BLOCK
from campaign_sim.results.folder import atomic_write_text, json_ready
from campaign_sim.scenario.plan import Scenario
from campaign_sim.sweep.spec import Point, Sweep

__all__ = [
    "ENGINES",
    "PointStore",
    "SweepResult",
    "fingerprint",
    "point_rows",
    "run_sweep",
    "sweep_metrics",
    "table_columns",
]

STATS = (
    "mean",
    "se",
    "mean_ci_low",
    "mean_ci_high",
    "sd",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
    "n_undefined",
)

Rows = list[dict[str, Any]]


ENGINES = ("vectorized", "timeline")


def point_rows(
    scenario: Scenario,
    campaigns: int | None,
    seed: int | None,
    engine: str = "vectorized",
    chunk_size: int | None = None,
    metrics: tuple[str, ...] | None = None,
) -> Rows:
    """Simulate one point; a row per strategy with ``<metric>_<stat>`` and risk columns.

    ``metrics``: the metrics of the row (default: those the point's scenario reports); one
    the point does not compute (a mechanism it leaves off) is undefined.

    ``campaigns`` and ``seed`` default to the point scenario's own settings. ``engine``:
    ``vectorized`` (docs/model.md) or ``timeline`` (docs/timeline.md: totals on the calendar, for
    sweeps of timeline settings such as the number of managers). ``chunk_size``: campaigns
    per chunk (memory; the engines' defaults when None); the numbers do not depend on it.
    """
    labels = {s.name: s.label for s in scenario.strategies}
    if engine == "timeline":
        from campaign_sim.engine.timeline import simulate_timeline

        result = simulate_timeline(
            scenario, campaigns=campaigns, seed=seed, chunk_size=chunk_size or BLOCK
        )
        return [
            _row(
                name,
                labels[name],
                result.campaigns,
                result.seed,
                {m: summarize_values(m, result.totals[name][m]) for m in TIMELINE_REPORTED},
                risk_of(
                    name,
                    result.totals[name]["profit"],
                    result.totals[name]["roi"],
                    scenario.roi_target,
                ),
            )
            for name in result.strategies
        ]
    outcomes = simulate(
        scenario, campaigns=campaigns, seed=seed, chunk_size=chunk_size or DEFAULT_CHUNK
    )
    summary = summarize(outcomes, labels=labels, roi_target=scenario.roi_target)
    return [
        _row(
            name,
            labels[name],
            outcomes.campaigns,
            outcomes.seed,
            {
                m: summary.metrics[name].get(m)
                or summarize_values(m, np.full(outcomes.campaigns, np.nan))
                for m in (scenario.reported if metrics is None else metrics)
            },
            summary.risk[name],
        )
        for name in summary.strategies
    ]


def _row(
    name: str,
    label: str,
    campaigns: int,
    seed: int,
    metrics: dict[str, MetricSummary],
    risk: RiskSummary,
) -> dict[str, Any]:
    row: dict[str, Any] = {"strategy": name, "label": label, "campaigns": campaigns, "seed": seed}
    for metric, summary in metrics.items():
        stats = asdict(summary)
        row.update({f"{metric}_{stat}": stats[stat] for stat in STATS})
    row.update({k: v for k, v in asdict(risk).items() if k not in ("strategy", "campaigns")})
    return row


def table_columns(sweep: Sweep, engine: str = "vectorized") -> list[str]:
    """The columns a sweep's table will have, known before anything runs."""
    metrics = TIMELINE_REPORTED if engine == "timeline" else sweep_metrics(sweep)
    risk = [f.name for f in fields(RiskSummary) if f.name not in ("strategy", "campaigns")]
    return [
        "point",
        *sweep.columns,
        "strategy",
        "label",
        "campaigns",
        "seed",
        *(f"{metric}_{stat}" for metric in metrics for stat in STATS),
        *risk,
    ]


def fingerprint(
    sweep: Sweep, campaigns: int | None, seed: int | None, engine: str = "vectorized"
) -> str:
    """sha256 of everything that decides a sweep's numbers: each point's scenario (its digest
    covers the base priors too), the axis values, campaigns, seed, engine and the version."""
    document = {
        "version": __version__,
        "engine": engine,
        "campaigns": campaigns,
        "seed": seed,
        "points": [[p.index, p.values, p.scenario.digest] for p in sweep.points],
    }
    return hashlib.sha256(json.dumps(json_ready(document), sort_keys=True).encode()).hexdigest()


class PointStore:
    """Finished points of one sweep, one JSON file each, in ``folder``.

    The folder holds the sweep's fingerprint; opening it with another fingerprint empties it,
    so results of different sweeps never mix.
    """

    def __init__(self, folder: Path, key: str) -> None:
        self.folder = Path(folder)
        self.key = key
        stamp = self.folder / "fingerprint"
        self.restarted = stamp.exists() and stamp.read_text(encoding="utf-8").strip() != key
        if self.restarted:
            shutil.rmtree(self.folder)
        if not stamp.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            atomic_write_text(stamp, key + "\n")

    def _file(self, index: int) -> Path:
        return self.folder / f"point-{index:06d}.json"

    def load(self, indices: list[int]) -> dict[int, Rows]:
        """The points among ``indices`` already finished."""
        done = {}
        for index in indices:
            path = self._file(index)
            if path.exists():
                done[index] = json.loads(path.read_text(encoding="utf-8"))
        return done

    def save(self, index: int, rows: Rows) -> None:
        # json keeps a float's shortest repr, which reads back to the same float; NaN too.
        atomic_write_text(self._file(index), json.dumps(rows))

    def remove(self) -> None:
        self.discard(self.folder)

    @staticmethod
    def discard(folder: Path) -> None:
        """Forget every finished point kept in ``folder``."""
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class SweepResult:
    """The tidy table of a sweep and how it was produced."""

    sweep: Sweep
    table: pd.DataFrame  # a row per point and strategy: axis columns, then statistics
    campaigns: int | None  # None: each point's own simulation.campaigns
    seed: int | None
    engine: str
    fingerprint: str
    seconds: float
    resumed: int  # points read back from an interrupted run

    def points_frame(self) -> pd.DataFrame:
        """A row per point: its axis values and the sha256 of its scenario."""
        return pd.DataFrame(
            [
                {"point": p.index, **p.values, "scenario_sha256": p.scenario.digest}
                for p in self.sweep.points
            ]
        )


def run_sweep(
    sweep: Sweep,
    *,
    campaigns: int | None = None,
    seed: int | None = None,
    store: PointStore | None = None,
    executor: Executor | str | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    on_point: Callable[[int], None] | None = None,
    engine: str = "vectorized",
    chunk_size: int | None = None,
) -> SweepResult:
    """Simulate every point of ``sweep`` (skipping those ``store`` already holds).

    Points run on the ``executor`` (serial, processes, dask; ``workers``: 0 = every core;
    ``scheduler``: an existing Dask cluster), each point's campaigns in its worker.
    ``on_point(index)`` is called as each point finishes (resumed points first).
    """
    started = time.perf_counter()
    if engine not in ENGINES:
        raise ArgumentError.of("engine", f"'{engine}' is not one of {', '.join(ENGINES)}")
    check_sweep(  # every point's memory, before the first point runs
        sweep,
        campaigns=campaigns,
        chunk_size=chunk_size,
        engine=engine,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
    )
    runner = make_executor(executor, workers=workers, scheduler=scheduler)
    key = fingerprint(sweep, campaigns, seed, engine)
    if store is not None and store.key != key:
        raise ValueError("the point store belongs to another sweep")
    done = store.load([p.index for p in sweep.points]) if store is not None else {}
    resumed = len(done)
    for index in done:
        if on_point is not None:
            on_point(index)
    todo = [p for p in sweep.points if p.index not in done]
    work = partial(
        _point_rows,
        campaigns=campaigns,
        seed=seed,
        engine=engine,
        chunk_size=chunk_size,
        metrics=sweep_metrics(sweep),
    )
    try:
        for point, rows in runner.map(work, todo):
            if store is not None:
                store.save(point.index, rows)
            done[point.index] = rows
            if on_point is not None:
                on_point(point.index)
    finally:
        if not isinstance(executor, Executor):  # made here: ours to close
            runner.close()
    table = _table(sweep, done)
    seconds = time.perf_counter() - started
    return SweepResult(sweep, table, campaigns, seed, engine, key, seconds, resumed)


def _point_rows(
    point: Point,
    *,
    campaigns: int | None,
    seed: int | None,
    engine: str,
    chunk_size: int | None,
    metrics: tuple[str, ...],
) -> Rows:
    return point_rows(point.scenario, campaigns, seed, engine, chunk_size, metrics)


def sweep_metrics(sweep: Sweep) -> tuple[str, ...]:
    """The metrics of a sweep's table: those any of its points reports (every reported
    metric before the points are known, so that a question may name any)."""
    if not sweep.points:
        return REPORTED
    used = {m for p in sweep.points for m in p.scenario.reported}
    return tuple(m for m in REPORTED if m in used)


def _table(sweep: Sweep, done: dict[int, Rows]) -> pd.DataFrame:
    records = [
        {"point": point.index, **point.values, **row}
        for point in sweep.points
        for row in done[point.index]
    ]
    return pd.DataFrame.from_records(records)
