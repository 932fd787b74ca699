"""``timeline``: the campaign on a calendar: payback day, lost posts, the team's load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import (
    campaigns_option,
    executor_options,
    format_option,
    out_option,
    priors_option,
    quiet_option,
    report_options,
    scenario_argument,
    seed_option,
)
from campaign_sim.cli.output import echo_json, note, progress_bar, stdout


class Managers(click.ParamType):
    """A team size: a positive whole number, or 'unlimited'."""

    name = "N|unlimited"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None or value == "unlimited":
            return value
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            self.fail(f"{value!r} is not a positive whole number or 'unlimited'", param, ctx)
        return number


@click.command(
    short_help="Put campaigns on a calendar: payback day, lost posts, team load.",
    epilog=examples(
        "campaign-sim timeline scenarios/coffee-launch.yaml -n 2000",
        "campaign-sim timeline scenarios/timeline/hundred-nano.yaml --managers 1",
        "campaign-sim timeline scenarios/coffee-launch.yaml -n 2000 --priors calibrated.yaml",
    ),
)
@report_options
@scenario_argument
@priors_option
@campaigns_option("Campaigns to simulate [default: the scenario's simulation.campaigns].")
@seed_option()
@out_option("results/<scenario>-timeline")
@executor_options("chunks", chunk_size=1024)
@click.option(
    "--managers",
    "-m",
    type=Managers(),
    default=None,
    help="Campaign managers, overriding timeline.managers: N or 'unlimited'.",
)
@format_option("json", "csv")
@click.option(
    "--save-outcomes", is_flag=True, help="Also write every campaign's totals (totals.parquet)."
)
@quiet_option
def timeline(
    scenario: Path,
    priors: Path | None,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    chunk_size: int,
    managers: int | str | None,
    fmt: str,
    save_outcomes: bool,
    quiet: bool,
) -> Path:
    """Run SCENARIO on a calendar: when each campaign pays back, what the team can handle.

    Managers onboard creators and review their content, posts go live on the posting plan,
    orders follow engagements with a lag inside the attribution window, fees are paid on their
    schedule (the scenario's `timeline` section). Writes daily.csv/.parquet (cumulative cost,
    revenue, profit, orders per day: mean and P5-P95), payback.csv, summary.csv, summary.json
    and manifest.json.
    """
    import time

    from campaign_sim.engine.executors import make_executor
    from campaign_sim.engine.limits import OPTIONS, check_run
    from campaign_sim.engine.timeline import simulate_timeline
    from campaign_sim.results.folder import check_out, default_out
    from campaign_sim.results.timeline import timeline_json, write_timeline_results
    from campaign_sim.scenario.loading import load_scenario
    from campaign_sim.scenario.timeline import timeline_plan

    plan = load_scenario(scenario, priors=priors)
    calendar = (
        timeline_plan(plan)
        if managers is None
        else timeline_plan(plan, managers=None if managers == "unlimited" else managers)
    )
    out = check_out(out or default_out(plan.source, "timeline"))
    check_run(
        plan,
        campaigns=campaigns,
        chunk_size=chunk_size,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        usage="timeline",
        timeline=calendar,
        names=OPTIONS,
    )
    total = plan.campaigns if campaigns is None else campaigns
    runner = make_executor(executor, workers=workers, scheduler=scheduler)
    done = [0]
    with runner, progress_bar("timeline", total, quiet=quiet) as bar:

        def advance(size: int) -> None:
            done[0] += size
            bar(done[0])

        started = time.perf_counter()
        result = simulate_timeline(
            plan,
            campaigns=total,
            seed=seed,
            plan=calendar,
            chunk_size=chunk_size,
            executor=runner,
            progress=advance,
        )
        seconds = time.perf_counter() - started
    target = write_timeline_results(
        out,
        plan,
        result,
        seconds=seconds,
        save_outcomes=save_outcomes,
        settings={"executor": runner.label, "workers": workers, "managers_option": managers},
    )
    note(f"results written to {target}/")
    if fmt == "json":
        echo_json(timeline_json(plan, result))
    elif fmt == "csv":
        click.echo(result.summary_frame().to_csv(index=False), nl=False)
    else:
        from campaign_sim.cli.tables.timeline import timeline_tables

        timeline_tables(result, plan.currency, stdout())
    return target
