"""``plan``: see what a scenario or sweep will hire, spend and take, before running it."""

from __future__ import annotations

from pathlib import Path

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import format_option, priors_option
from campaign_sim.cli.output import echo_json, stdout


@click.command(
    short_help="Preview hires, costs against the budget and run time, without running.",
    epilog=examples(
        "campaign-sim plan scenarios/coffee-launch.yaml",
        "campaign-sim plan scenarios/sweeps/nano-share.yaml --format json",
        "campaign-sim plan scenarios/coffee-launch.yaml --priors calibrated.yaml",
    ),
)
@click.argument(
    "source", metavar="SCENARIO_OR_SWEEP", type=click.Path(dir_okay=False, path_type=Path)
)
@priors_option
@click.option(
    "--campaigns",
    "-n",
    type=click.IntRange(min=1),
    default=None,
    help="Campaigns the run will simulate, for the time estimate [default: the file's].",
)
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Workers the run will use, for the time estimate.",
)
@format_option("json", "csv")
def plan(source: Path, priors: Path | None, campaigns: int | None, workers: int, fmt: str) -> None:
    """Preview SCENARIO_OR_SWEEP without running it: per strategy and group, the creators
    hired (budget groups: mean and P5 - P95), deliverables, fees, overhead and expected reach;
    each strategy's total cost against its budget (which covers fees only); for a sweep, the
    number of points; and how long the run will take.
    """
    from campaign_sim.analysis.plan import estimate_run, preview
    from campaign_sim.scenario.loading import load_scenario, using_priors
    from campaign_sim.scenario.reading import read_yaml

    data = read_yaml(source)
    sweep = None
    if "axes" in data and "scenario" in data:
        from campaign_sim.sweep.spec import make_sweep

        with using_priors(priors):  # the base scenario and every point
            sweep = make_sweep(source, [])
        base = sweep.base
    else:
        base = load_scenario(source, priors=priors)
    seen = preview(base)
    estimate = estimate_run(seen, sweep, campaigns=campaigns, workers=workers)
    if fmt == "json":
        echo_json({**seen.to_dict(), "estimate": estimate})
    elif fmt == "csv":
        click.echo(seen.groups.to_csv(index=False), nl=False)
    else:
        from campaign_sim.cli.tables.plan import plan_tables

        plan_tables(seen, stdout())
        stdout().print(estimate["text"])
