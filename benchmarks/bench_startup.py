"""Benchmark start-up: whole-process wall time of quick commands against importing the stack.

Runs ``campaign-sim --help``, ``--version``, ``validate scenarios/coffee-launch.yaml`` and
``schema`` (as ``python -m campaign_sim ...``), ``python -c "import numpy, scipy.stats,
pandas"`` and ``python -c pass``, each ``--runs`` times in turn (one round of every case, then
the next, so load changes hit them alike), all with this interpreter. Prints the best and the
median wall time of each and its ratio to the numpy + scipy.stats + pandas import.

Usage: python benchmarks/bench_startup.py [--runs 10] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Case name -> arguments after the interpreter.
CASES = {
    "campaign-sim --help": ["-m", "campaign_sim", "--help"],
    "campaign-sim --version": ["-m", "campaign_sim", "--version"],
    "campaign-sim validate coffee-launch": [
        "-m",
        "campaign_sim",
        "validate",
        "scenarios/coffee-launch.yaml",
    ],
    "campaign-sim schema": ["-m", "campaign_sim", "schema"],
    "import numpy, scipy.stats, pandas": ["-c", "import numpy, scipy.stats, pandas"],
    "python -c pass": ["-c", "pass"],
}
REFERENCE = "import numpy, scipy.stats, pandas"


def wall_time(args: list[str]) -> float:
    """Seconds from starting ``python args`` to its exit (which must be 0)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def machine() -> dict[str, object]:
    """CPUs, CPU model, load average and versions of the machine the figures come from."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    loadavg = Path("/proc/loadavg")
    load = " ".join(loadavg.read_text().split()[:3]) if loadavg.exists() else "unknown"
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "loadavg": load,
        "python": platform.python_version(),
    }


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="Runs of each case.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    info = machine()
    for case in CASES.values():  # warm the file cache and the bytecode
        wall_time(case)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):
        for name, case in CASES.items():
            times[name].append(wall_time(case))
    info["loadavg_after"] = machine()["loadavg"]
    reference_best = min(times[REFERENCE])
    reference_median = statistics.median(times[REFERENCE])
    rows = []
    for name, seconds in times.items():
        best, median = min(seconds), statistics.median(seconds)
        rows.append(
            {
                "case": name,
                "best_s": round(best, 3),
                "median_s": round(median, 3),
                "best_ratio": round(best / reference_best, 3),
                "median_ratio": round(median / reference_median, 3),
            }
        )
    print(f"{args.runs} runs each; ratios to `{REFERENCE}`; machine: {info}")
    print("| case | best | median | × import (best) | × import (median) |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(
            f"| `{row['case']}` | {row['best_s']:.3f} s | {row['median_s']:.3f} s "
            f"| {row['best_ratio']:.2f} | {row['median_ratio']:.2f} |"
        )
    if args.json:
        figures = {"runs": args.runs, "rows": rows, "machine": info}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main_()
