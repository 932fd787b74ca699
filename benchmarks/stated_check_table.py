"""Regenerate the BEFORE and AFTER tables of docs/priors.md, "Stated figures against the priors".

Runs the check of the shipped ``article`` priors' stated figures (``campaign-sim check``:
10,000 campaigns per figure, seed 1, the coffee launch's economics) and writes a Markdown
table, and the fee rule's findings, between the marker comments of docs/priors.md:
"before" with the funnel of issue 13 switched off (no amplification, expected orders, fees
independent of followers: the model of version 0.3.0, exactly), "after" with the defaults.

    python benchmarks/stated_check_table.py [--table before|after|both] [--campaigns 10000]
        [--seed 1] [--print]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from campaign_sim.analysis.stated import (
    DEFAULT_CAMPAIGNS,
    DEFAULT_SEED,
    StatedResult,
    check_stated,
)

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "priors.md"
#: The scenario settings of each table (``check_stated(settings=...)``).
TABLES = {
    "before": {
        "funnel": {"amplification": False, "orders": "expected"},
        "correlations": {"followers_fee": 0.0},
    },
    "after": {},
}


def markers(table: str) -> tuple[str, str]:
    return (
        f"<!-- stated-check-{table}: begin (benchmarks/stated_check_table.py) -->",
        f"<!-- stated-check-{table}: end -->",
    )


def markdown(result: StatedResult) -> str:
    """The check as a Markdown table, and the fee rule's findings as a list."""
    lines = [
        f"Prior set `{result.priors}`, {result.campaigns:,} campaigns per figure, seed "
        f"{result.seed}, economics: {result.economics}.",
        "",
        "| stated figure | source | metric | stated | P5 | P50 | P95 | percentile of stated "
        "| verdict |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for check in result.checks:
        cells = check.cells()
        lines.append(
            f"| {check.name}: {check.figure} | {check.source} | {check.metric} | "
            f"{cells['stated']} | {cells['p5']} | {cells['p50']} | {cells['p95']} | "
            f"{cells['percentile']} | {cells['verdict']} |"
        )
    lines += ["", "Fee rule (fee prior P5 – P95 divided by a stated CPM or CPE):", ""]
    lines += [f"- {conflict.message}" for conflict in result.conflicts]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=DEFAULT_CAMPAIGNS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--print", action="store_true", help="print, do not write the doc")
    parser.add_argument("--table", choices=(*TABLES, "both"), default="both")
    args = parser.parse_args()
    for name in TABLES if args.table == "both" else (args.table,):
        result = check_stated(
            "article", settings=TABLES[name], campaigns=args.campaigns, seed=args.seed
        )
        table = markdown(result)
        if args.print:
            print(f"{name}:\n{table}\n")
            continue
        begin, end = markers(name)
        text = DOC.read_text(encoding="utf-8")
        head, found, rest = text.partition(begin)
        _, found_end, tail = rest.partition(end)
        if not (found and found_end):
            raise SystemExit(f"{DOC}: the markers {begin!r} and {end!r} are missing")
        DOC.write_text(f"{head}{begin}\n{table}\n{end}{tail}", encoding="utf-8")
        print(f"wrote the {name} table to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
