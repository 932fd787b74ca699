"""``validate``, ``schema`` and ``priors``: look at scenario files without simulating."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import format_option, prior_set_option
from campaign_sim.cli.output import echo_json, stdout


@click.command(
    short_help="Check scenario, sweep or priors files; every problem with its key path.",
    epilog=examples(
        "campaign-sim validate scenarios/coffee-launch.yaml",
        "campaign-sim validate scenarios/*.yaml scenarios/sweeps/*.yaml",
    ),
)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario, sweep and priors FILES; print every problem with its key path.

    A file with `scenario:` and `axes:` is a sweep file (its base scenario and every point are
    checked too), one with `tiers:` a priors set, anything else a scenario. Exit 2 if any is
    bad.
    """
    from campaign_sim.errors import InputError
    from campaign_sim.scenario.reading import read_yaml

    bad = 0
    for path in files:
        kind = "scenario"
        try:
            data = read_yaml(path)
            kind = _kind(data)
            click.echo(f"{path}: ok ({CHECKS[kind](path)})")
        except InputError as exc:
            bad += 1
            if kind == "scenario":
                click.echo(f"{exc}", err=True)
            elif exc.source == str(path):  # the file itself: say what it was taken for
                click.echo(f"{InputError(f'{path} ({kind} file)', exc.problems)}", err=True)
            else:  # a file it names: a sweep's base scenario, its priors
                click.echo(f"{path} ({kind} file): {exc}", err=True)
    if bad:
        sys.exit(2)


def _calibrated_note(plan: Any) -> str | None:
    """What a calibrated priors file changes that the table of priors does not show."""
    if plan.calibrated is None:
        return None
    base = {(p.tier, p.platform, p.quantity): p.creator_spread for p in plan.priors}
    spreads = sorted(
        {
            f"{g.pool}/{q} {p.creator_spread:.2g}"
            for g in plan.groups
            for q, p in g.priors.items()
            if p.creator_spread
            != base.get((g.tier, g.platform, q), base.get((g.tier, None, q), p.creator_spread))
        }
    )
    names = ", ".join(plan.calibrated.names)
    note = (
        f"Calibrated: the persistent parts of {names} come from the calibration's posterior "
        "(`campaign-sim calibrate` printed the next campaign's values); the ranges above are "
        "the priors it started from."
    )
    return note + (f" Creator spreads learnt: {'; '.join(spreads)}." if spreads else "")


def _kind(data: dict) -> str:
    """What a file is: a sweep (a scenario and axes), a priors set (tiers), else a scenario."""
    from campaign_sim.sweep.spec import is_sweep_file

    if is_sweep_file(data):
        return "sweep"
    if "strategies" not in data and ("tiers" in data or "shock_sigma" in data):
        return "priors"
    return "scenario"


def _check_scenario(path: Path) -> str:
    from campaign_sim.scenario.loading import load_scenario
    from campaign_sim.scenario.timeline import timeline_plan

    plan = load_scenario(path)
    timeline_plan(plan)  # the timeline section's checks against the whole scenario
    return f"{plan.name}; strategies: {', '.join(s.name for s in plan.strategies)}"


def _check_sweep(path: Path) -> str:
    from campaign_sim.sweep.spec import make_sweep

    sweep = make_sweep(path)
    count = len(sweep.points)
    return f"sweep over {sweep.settings.scenario}; {count:,} point{'s' * (count != 1)}"


def _check_priors(path: Path) -> str:
    from campaign_sim.errors import InputError
    from campaign_sim.scenario.loading import load_prior_set
    from campaign_sim.scenario.resolve import load_priors_file, shipped_prior_sets

    name = str(path) if str(path) not in shipped_prior_sets() else f"./{path}"
    try:
        priors_file, _, _ = load_priors_file(name, None)
        load_prior_set(name)  # every prior fitted and checked against its quantity
    except InputError as exc:

        def here(where: str | None) -> bool:
            return where is None or Path(where).resolve() == path.resolve()

        problems = []
        for problem in exc.problems:  # a prior's location names its file: this one
            head, sep, rest = problem.path.partition(": ")
            problems.append(replace(problem, path=rest) if sep and here(head) else problem)
        raise InputError(path if here(exc.source) else exc.source, problems) from None
    return f"priors set {priors_file.name}"


CHECKS = {"scenario": _check_scenario, "sweep": _check_sweep, "priors": _check_priors}


@click.command(
    short_help="Print the JSON Schema of scenario files (for editors).",
    epilog=examples("campaign-sim schema > campaign-sim.schema.json"),
)
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    import json

    from campaign_sim.scenario.schema import ScenarioFile

    document = ScenarioFile.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "campaign-sim scenario"
    click.echo(json.dumps(document, indent=2))


@click.command(
    short_help="List the priors a scenario uses, with their sources.",
    epilog=examples(
        "campaign-sim priors scenarios/coffee-launch.yaml",
        "campaign-sim priors --format csv > priors.csv",
    ),
)
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@prior_set_option("Prior set to list when no SCENARIO is given (shipped name or path).")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Every prior of the scenario's prior set, not only those its strategies use.",
)
@format_option("csv", "json")
def priors(scenario: Path | None, prior_set: str, show_all: bool, fmt: str) -> None:
    """List the priors SCENARIO draws from — only the tiers and platforms its strategies hire
    (--all: the whole prior set) — with family, parameters, mean, median, P5/P95, what each
    range describes (a pool's level and the creators' spread around it, or creators and the
    share they have in common; the persistent share) and sources, and the scenario-level
    assumptions beside them (order value, gross margin, fixed cost, shock and its persistent
    share, correlations, fee terms, budgets); without SCENARIO, every prior of a prior set.
    Nothing is simulated. JSON: {"assumptions": [...], "priors": [...]} for a scenario, the
    list of priors for a prior set; CSV: the priors."""
    from campaign_sim.scenario.loading import load_prior_set, load_scenario
    from campaign_sim.scenario.priors import assumptions_frame, priors_frame, used_priors

    plan = load_scenario(scenario) if scenario else None
    if plan is None:
        found = load_prior_set(prior_set)
    else:
        found = plan.priors if show_all else used_priors(plan)
    frame = priors_frame(found)
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        records = frame.to_dict(orient="records")
        if plan is None:
            echo_json(records)
        else:
            echo_json(
                {
                    "assumptions": assumptions_frame(plan).to_dict(orient="records"),
                    "priors": records,
                }
            )
    else:
        from campaign_sim.cli.tables.assumptions import assumptions_table
        from campaign_sim.cli.tables.priors import priors_table

        if plan is not None:
            assumptions_table(assumptions_frame(plan), stdout())
        priors_table(frame, stdout(), None if plan is None else _calibrated_note(plan))
