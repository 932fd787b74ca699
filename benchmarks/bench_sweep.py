"""Sweep speed: a 100-point sweep x 10,000 campaigns x 2 strategies, serial against Dask.

    python benchmarks/bench_sweep.py                 # the full benchmark (a few minutes)
    python benchmarks/bench_sweep.py --campaigns 2000 --skip-dask
    python benchmarks/bench_sweep.py --base coffee-launch --skip-dask

The sweep: scenarios/mix-coffee.yaml (two strategies), nano share 0 to 0.9 by 0.1 (the micro
share 1 - x) x budget NT$550,000 to 1,000,000 by 50,000 = 100 points; or, with --base
coffee-launch, the nano-heavy strategy's Instagram/TikTok split x ten budgets.

Reported: planning time (building and validating 100 scenarios); serial wall and CPU time; the
same sweep on a local Dask cluster of 2 worker processes (cluster start-up apart); and the
per-point overhead of the Dask path, measured with campaigns=1 so that simulation time is
negligible. The machine's load average is printed: on a shared machine, compare the ratios of
one run and the CPU time, not wall times across runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import pandas as pd

from campaign_sim.engine.executors import Dask
from campaign_sim.sweep.run import run_sweep
from campaign_sim.sweep.spec import make_sweep, parse_vary

ROOT = Path(__file__).resolve().parents[1]
#: Base scenario -> the two axes of its 100-point sweep.
SWEEPS = {
    "mix-coffee": (
        "strategies.*.groups[0].share=0:0.9:0.1;strategies.*.groups[1].share=1-x",
        "strategies.*.budget=550000:1000000:50000",
    ),
    # The nano-heavy strategy's Instagram open call against its TikTok share, at ten budgets.
    "coffee-launch": (
        "strategies.nano_heavy.groups[1].share=0:0.45:0.05;"
        "strategies.nano_heavy.groups[2].share=0.55-x",
        "strategies.*.budget=500000:950000:50000",
    ),
}


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def cpu_timed(function, *args, **kwargs):
    """Wall and CPU seconds of this process: on a loaded machine CPU time is the fairer one."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--campaigns", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--base", choices=sorted(SWEEPS), default="mix-coffee")
    args = parser.parse_args()
    axes = SWEEPS[args.base]
    base = ROOT / "scenarios" / f"{args.base}.yaml"

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, python "
        f"{platform.python_version()}; load average before: {os.getloadavg()[0]:.2f}"
    )
    sweep, plan_s = timed(make_sweep, base, [parse_vary(a) for a in axes])
    points = len(sweep.points)
    strategies = len(sweep.base.strategies)
    print(
        f"sweep of {args.base}: {points} points x {args.campaigns:,} campaigns x "
        f"{strategies} strategies"
    )
    rows = [{"step": "plan (build and validate every point)", "seconds": plan_s}]
    # Warm-up: one point, so the serial time does not include one-off table building.
    run_sweep(
        make_sweep(base, [parse_vary(axes[0])]),
        campaigns=100,
        seed=args.seed,
    )
    serial, serial_s, serial_cpu = cpu_timed(
        run_sweep, sweep, campaigns=args.campaigns, seed=args.seed
    )
    rows.append({"step": "serial", "seconds": serial_s})
    rows.append({"step": "serial, CPU time of this process", "seconds": serial_cpu})
    if not args.skip_dask:
        started = time.perf_counter()
        dask = Dask(workers=2)
        try:
            dask.client  # noqa: B018 - start the cluster now, to time it
            rows.append(
                {
                    "step": "dask: start a local cluster of 2 workers",
                    "seconds": time.perf_counter() - started,
                }
            )
            table, dask_s = timed(
                run_sweep, sweep, campaigns=args.campaigns, seed=args.seed, executor=dask
            )
            rows.append({"step": "dask, 2 workers", "seconds": dask_s})
            identical = table.table.equals(serial.table)
            _, tiny_dask = timed(run_sweep, sweep, campaigns=1, seed=args.seed, executor=dask)
        finally:
            dask.close()
        _, tiny_serial = timed(run_sweep, sweep, campaigns=1, seed=args.seed)
        overhead = (tiny_dask - tiny_serial) / points
        rows.append({"step": "campaigns=1, serial", "seconds": tiny_serial})
        rows.append({"step": "campaigns=1, dask 2 workers", "seconds": tiny_dask})
        print(f"dask table identical to serial: {identical}")
        print(
            f"dask per-point overhead (campaigns=1, 2 workers): {1000 * overhead:.1f} ms "
            "per point beyond the serial path"
        )
        print(f"speed-up with 2 workers: {serial_s / dask_s:.2f}x")
    frame = pd.DataFrame(rows)
    frame["per point (ms)"] = 1000 * frame["seconds"] / points
    print(frame.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
