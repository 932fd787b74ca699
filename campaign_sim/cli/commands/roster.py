"""``roster``: what each named creator of a roster strategy is likely to bring (MODEL.md §10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import (
    campaigns_option,
    executor_options,
    format_option,
    priors_option,
    quiet_option,
    scenario_argument,
    seed_option,
)
from campaign_sim.cli.output import echo_json, note, progress_bar, stdout

__all__ = ["roster"]


@click.command(
    short_help="Per named creator: orders, profit, P(payback), CPA, CPE, risk share.",
    epilog=examples(
        "campaign-sim roster scenarios/coffee-roster.yaml",
        "campaign-sim roster scenarios/coffee-roster.yaml --strategy shortlist_budget -n 50000",
        "campaign-sim roster scenarios/coffee-roster.yaml --format csv > roster.csv",
        "campaign-sim roster scenarios/coffee-roster.yaml --out results/roster --format json",
    ),
)
@scenario_argument
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    metavar="NAME",
    help="A strategy with roster groups (repeatable) [default: every strategy that books "
    "named creators].",
)
@campaigns_option("Campaigns to simulate [default: the scenario's simulation.campaigns].")
@seed_option()
@priors_option
@format_option("csv", "json")
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Also write a results folder at DIR: roster.csv, roster.xlsx (with openpyxl), "
    "roster.json, priors.csv, manifest.json [default: no folder].",
)
@executor_options()
@quiet_option
def roster(
    scenario: Path,
    strategies: tuple[str, ...],
    campaigns: int | None,
    seed: int | None,
    priors: Path | None,
    fmt: str,
    out: Path | None,
    quiet: bool,
    **options: Any,
) -> Path | None:
    """Simulate SCENARIO and rank the named creators of its roster strategies.

    For each named creator, per campaign: the share of campaigns they are booked in, their
    orders, revenue, cost and profit (mean, P5 – P95), P(payback) = P(their profit >= 0 |
    booked: their own gross margin covers their own fee and overhead), CPA and CPE, and
    their share of the strategy's profit risk, the Euler allocation Cov(profit_j, profit) /
    Var(profit); with the rest of the strategy (its tier groups and fixed cost) the shares
    sum to 1. Ranked by mean profit. Money in the scenario's currency.

    The table goes to stdout (--format csv: the tidy table, a row per strategy and
    creator; json: with the columns' units); progress to stderr. A scenario or --strategy
    without roster groups exits with status 2.
    """
    from campaign_sim.analysis.roster import named_strategies, roster_frame
    from campaign_sim.engine.limits import OPTIONS, check_run
    from campaign_sim.errors import InputError
    from campaign_sim.pipeline import run_scenario
    from campaign_sim.results.folder import check_out
    from campaign_sim.scenario.loading import load_scenario

    plan = load_scenario(scenario, priors=priors)
    named = named_strategies(plan)
    if not named:
        raise InputError.single(
            plan.source,
            "strategies",
            "no strategy books named creators: `roster` needs a group with `roster: FILE` "
            "(use `campaign-sim run` for tier groups)",
        )
    for name in strategies:
        plan.strategy(name)  # exists, before anything runs
        if name not in named:
            raise InputError.single(
                None,
                "--strategy",
                f"strategy '{name}' books no named creators; strategies with named creators: "
                f"{', '.join(named)}",
            )
    if out is not None:
        check_out(out)
    check_run(
        plan,
        campaigns=campaigns,
        chunk_size=options["chunk_size"],
        workers=options["workers"],
        executor=options["executor"],
        scheduler=options["scheduler"],
        names=OPTIONS,
    )
    with progress_bar("simulating", campaigns or plan.campaigns, quiet=quiet) as bar:
        result = run_scenario(
            plan,
            campaigns=campaigns,
            seed=seed,
            chunk_size=options["chunk_size"],
            workers=options["workers"],
            executor=options["executor"],
            scheduler=options["scheduler"],
            progress=bar,
        )
    frame = roster_frame(result.outcomes, plan, tuple(dict.fromkeys(strategies)) or None)
    if out is not None:
        from campaign_sim.results.roster import write_roster, xlsx_available

        write_roster(out, result, frame)
        if not xlsx_available():
            note("roster.xlsx not written: it needs openpyxl (pip install 'campaign-sim[reports]')")
        note(f"results written to {out}/")
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        from campaign_sim.results.roster import roster_document

        echo_json(roster_document(result, frame))
    else:
        from campaign_sim.cli.tables.roster import roster_tables

        labels = {s.name: s.label for s in plan.strategies}
        roster_tables(frame, labels, plan.currency, result.outcomes.campaigns, stdout())
    return out
