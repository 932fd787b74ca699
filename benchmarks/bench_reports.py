"""Benchmark the report builder: seconds per output format, from one saved compare folder.

Simulates the coffee-launch comparison once (the report never simulates), then times
``build_report`` for each format alone and for all formats, in English and in Traditional
Chinese, best of ``--repeat`` runs. Charts dominate: pptx and md render the PNG charts they
need, svg renders SVGs too, xlsx renders none.

Usage: python benchmarks/bench_reports.py [--campaigns 20000] [--repeat 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from campaign_sim.cli.main import main  # noqa: E402
from campaign_sim.reports import build_report  # noqa: E402

COFFEE = ROOT / "scenarios" / "coffee-launch.yaml"
CASES = ("xlsx", "md", "png", "svg", "pptx", "all")


def best_of(repeat: int, folder: Path, formats: str, lang: str, out: Path) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        build_report(folder, formats=formats, lang=lang, out=out)
        times.append(time.perf_counter() - started)
    return min(times)


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "coffee-compare"
        args_cli = ["compare", str(COFFEE), "-n", str(args.campaigns), "--out", str(folder), "-q"]
        result = CliRunner().invoke(main, args_cli)
        if result.exit_code != 0:
            raise SystemExit(result.output)
        build_report(folder, formats="png", out=Path(tmp) / "warm")  # fonts, imports
        rows = []
        for lang in ("en", "zh-TW"):
            for formats in CASES:
                seconds = best_of(args.repeat, folder, formats, lang, Path(tmp) / "r")
                rows.append({"lang": lang, "formats": formats, "seconds": round(seconds, 3)})
                print(f"{lang:6} {formats:5} {seconds:6.2f} s", flush=True)
    figures = {
        "campaigns": args.campaigns,
        "repeat": args.repeat,
        "rows": rows,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main_()
