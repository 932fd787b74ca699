"""``validate``, ``schema`` and ``priors``: look at scenario files without simulating."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import format_option
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
    """Check scenario FILES; print every problem with its key path. Exit 2 if any is bad."""
    from campaign_sim.errors import InputError
    from campaign_sim.scenario.loading import load_scenario
    from campaign_sim.scenario.timeline import timeline_plan

    bad = 0
    for path in files:
        try:
            plan = load_scenario(path)
            timeline_plan(plan)  # the timeline section's checks against the whole scenario
        except InputError as exc:
            bad += 1
            click.echo(f"{exc}", err=True)
        else:
            strategies = ", ".join(s.name for s in plan.strategies)
            click.echo(f"{path}: ok ({plan.name}; strategies: {strategies})")
    if bad:
        sys.exit(2)


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
@click.option(
    "--set",
    "prior_set",
    default="article",
    show_default=True,
    help="Prior set to list when no SCENARIO is given (shipped name or path).",
)
@format_option("csv", "json")
def priors(scenario: Path | None, prior_set: str, fmt: str) -> None:
    """List every prior (family, parameters, mean, median, P5/P95, sources) of SCENARIO,
    or of a prior set, without simulating."""
    from campaign_sim.scenario.loading import load_prior_set, load_scenario
    from campaign_sim.scenario.priors import priors_frame

    found = load_scenario(scenario).priors if scenario else load_prior_set(prior_set)
    frame = priors_frame(found)
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        echo_json(frame.to_dict(orient="records"))
    else:
        from campaign_sim.cli.tables.summary import priors_table

        priors_table(frame, stdout())
