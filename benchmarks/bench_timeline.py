"""Benchmark the timeline engine against a bare SimPy loop of the same number of events.

In one run, so that the ratios are comparable on a shared machine:
1. count the SimPy events the engine schedules for the campaigns (a counting Environment);
2. time the whole engine, serial: draws, every campaign's SimPy schedule, vectorized accrual;
3. time a bare SimPy loop that schedules and processes the same number of events: one
   Environment per campaign and strategy, as many processes as the engine's creators, each
   yielding plain timeouts;
4. time the engine on 2 processes and check that it gives the same numbers as serial.
Steps 2 and 3 alternate ``--repeat`` times and the fastest of each is kept (as ``timeit`` does):
on a machine shared with other jobs the minimum is the least disturbed measurement.

Usage: python benchmarks/bench_timeline.py [SCENARIO] [--campaigns 4096] [--managers N]
       [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import types
from pathlib import Path

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from campaign_sim.engine import schedule as timeline_schedule  # noqa: E402
from campaign_sim.engine.timeline import simulate_timeline  # noqa: E402
from campaign_sim.scenario.loading import load_scenario  # noqa: E402
from campaign_sim.scenario.timeline import timeline_plan  # noqa: E402


class CountingEnvironment(simpy.Environment):
    """An Environment that counts every event it schedules."""

    scheduled = 0

    def schedule(self, event, priority=simpy.core.NORMAL, delay=0):  # type: ignore[override]
        CountingEnvironment.scheduled += 1
        super().schedule(event, priority, delay)


def count_events(scenario, campaigns: int, plan) -> tuple[int, float]:
    """Events the engine schedules, and the mean hired creators per campaign and strategy."""
    original = timeline_schedule.simpy
    timeline_schedule.simpy = types.SimpleNamespace(  # type: ignore[assignment]
        Environment=CountingEnvironment
    )
    CountingEnvironment.scheduled = 0
    try:
        result = simulate_timeline(scenario, campaigns=campaigns, seed=1, plan=plan)
    finally:
        timeline_schedule.simpy = original  # type: ignore[assignment]
    creators = np.mean([result.totals[s]["deliverables"].mean() for s in result.strategies])
    return CountingEnvironment.scheduled, float(creators)


def bare_loop(total_events: int, runs: int, processes: int) -> tuple[float, int]:
    """``runs`` Environments with ``processes`` processes yielding timeouts, ``total_events``
    events in all (a process costs 2 events besides its timeouts: start and end)."""
    per_run = total_events // runs
    timeouts = max(1, per_run // processes - 2)

    def worker(env, count):
        for _ in range(count):
            yield env.timeout(1.0)

    done = 0
    started = time.perf_counter()
    while done < total_events:
        env = simpy.Environment()
        left = min(per_run, total_events - done)
        while left > 0:
            count = max(0, min(timeouts, left - 2))
            env.process(worker(env, count))
            left -= count + 2
            done += count + 2
        env.run()
    return time.perf_counter() - started, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/coffee-launch.yaml"))
    parser.add_argument("--campaigns", type=int, default=4096)
    parser.add_argument("--repeat", type=int, default=3, help="timings to take the best of")
    parser.add_argument("--managers", default=None, help="N or unlimited (default: scenario's)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    if args.managers is None:
        plan = timeline_plan(scenario)
    else:
        team = None if args.managers == "unlimited" else int(args.managers)
        plan = timeline_plan(scenario, managers=team)
    n = args.campaigns
    runs = n * len(scenario.strategies)

    events, creators = count_events(scenario, n, plan)

    engine_s = bare_s = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        serial = simulate_timeline(scenario, campaigns=n, seed=1, plan=plan)
        engine_s = min(engine_s, time.perf_counter() - started)
        seconds, bare_events = bare_loop(events, runs, max(1, round(creators)))
        bare_s = min(bare_s, seconds)

    started = time.perf_counter()
    parallel = simulate_timeline(scenario, campaigns=n, seed=1, plan=plan, workers=2)
    parallel_s = time.perf_counter() - started
    same = all(
        np.array_equal(serial.totals[s][m], parallel.totals[s][m], equal_nan=True)
        for s in serial.strategies
        for m in serial.totals[s]
    )

    team = "unlimited" if plan.managers is None else plan.managers
    print(
        f"timeline benchmark: {scenario.name} ({Path(args.scenario).name}), {n:,} campaigns x "
        f"{len(scenario.strategies)} strategies, managers {team}"
    )
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, python "
        f"{platform.python_version()}, simpy {simpy.__version__}"
    )
    print(
        f"events scheduled by the engine: {events:,} ({events / runs:,.0f} per campaign and "
        f"strategy, {creators:.1f} deliverables each)"
    )
    print(
        f"engine, serial:     {engine_s:8.2f} s  {events / engine_s:12,.0f} events/s  "
        f"{n / engine_s:10,.1f} campaigns/s"
    )
    print(
        f"bare simpy loop:    {bare_s:8.2f} s  {bare_events / bare_s:12,.0f} events/s  "
        f"({bare_events:,} events)"
    )
    print(f"engine / bare loop: {engine_s / bare_s:8.2f} x  (best of {args.repeat} each)")
    print(
        f"engine, 2 workers:  {parallel_s:8.2f} s  {events / parallel_s:12,.0f} events/s  "
        f"{n / parallel_s:10,.1f} campaigns/s  speed-up {engine_s / parallel_s:.2f} x, "
        f"same numbers as serial: {same}"
    )


if __name__ == "__main__":
    main()
