"""Regenerate the BEFORE table of docs/priors.md, "Stated figures against the priors".

Runs the check of the shipped ``article`` priors' stated figures (``campaign-sim check``:
10,000 campaigns per figure, seed 1, the coffee launch's economics) and writes a Markdown
table, and the fee rule's findings, between the two marker comments of docs/priors.md.
"Before": the model before the funnel mechanisms of issue 13; the "after" table is to come.

    python benchmarks/stated_check_table.py [--campaigns 10000] [--seed 1] [--print]
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
BEGIN = "<!-- stated-check-before: begin (benchmarks/stated_check_table.py) -->"
END = "<!-- stated-check-before: end -->"


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
    args = parser.parse_args()
    table = markdown(check_stated("article", campaigns=args.campaigns, seed=args.seed))
    if args.print:
        print(table)
        return
    text = DOC.read_text(encoding="utf-8")
    head, found, rest = text.partition(BEGIN)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"{DOC}: the markers {BEGIN!r} and {END!r} are missing")
    DOC.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")
    print(f"wrote the table to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
