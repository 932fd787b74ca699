"""``sweep``: a scenario at every point of its axes, the frontier and the best plan."""

from __future__ import annotations

from pathlib import Path

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
    seed_option,
)
from campaign_sim.cli.output import echo_json, note, progress_bar, stdout


@click.command(
    short_help="Run a scenario over a grid of settings; the frontier and best plan.",
    epilog=examples(
        "campaign-sim sweep scenarios/sweeps/nano-share.yaml -w 2",
        "campaign-sim sweep scenarios/coffee-launch.yaml --vary economics.aov=800:1200:100",
        "campaign-sim sweep scenarios/sweeps/nano-share.yaml --priors calibrated.yaml",
    ),
)
@report_options
@click.argument(
    "source", metavar="SWEEP_OR_SCENARIO", type=click.Path(dir_okay=False, path_type=Path)
)
@priors_option
@click.option(
    "--vary",
    multiple=True,
    metavar="[NAME:]PATH=VALUES[;PATH=EXPR]",
    help="An axis: a key path and its values: a,b,c or start:stop:step (stop included) or "
    "start:stop/num. ';PATH=EXPR' sets a linked path from the same value x, e.g. "
    "'nano:strategies.mix.groups[0].share=0:1:0.1;strategies.mix.groups[1].share=1-x'. "
    "NAME: the column name [default: the path]. Repeatable.",
)
@click.option(
    "--zip",
    "zipped",
    is_flag=True,
    default=None,
    help="Pair the axes' values (all axes equally long) instead of every combination.",
)
@campaigns_option("Campaigns per point [default: the sweep file's, else the scenario's].")
@seed_option(
    "One seed for every point (common random numbers) [default: the sweep file's, "
    "else the scenario's]."
)
@out_option("results/<name>-sweep")
@executor_options("points")
@click.option(
    "--objective",
    default=None,
    help="What the best plan maximises: a metric (profit, roi: their means), a column "
    "(roi_p5), or max:/min:COLUMN [default: profit].",
)
@click.option(
    "--risk-limit",
    "limits",
    multiple=True,
    metavar="COLUMN<=VALUE",
    help="A limit the best plan must meet, e.g. 'prob_loss<=0.10' or 'prob_loss<=10%'. Repeatable.",
)
@click.option("--frontier-return", default=None, help="Frontier return [default: roi_mean].")
@click.option(
    "--frontier-risk",
    default=None,
    help="Frontier risk: prob_loss, expected_shortfall, value_at_risk or any column "
    "[default: prob_loss].",
)
@click.option(
    "--engine",
    type=click.Choice(["vectorized", "timeline"]),
    default=None,
    help="timeline: totals on the calendar, for timeline settings such as managers "
    "[default: the sweep file's, else vectorized].",
)
@click.option("--fresh", is_flag=True, help="Discard finished points of an interrupted run.")
@format_option("json")
@quiet_option
def sweep(
    source: Path,
    priors: Path | None,
    vary: tuple[str, ...],
    zipped: bool | None,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    chunk_size: int,
    objective: str | None,
    limits: tuple[str, ...],
    frontier_return: str | None,
    frontier_risk: str | None,
    engine: str | None,
    fresh: bool,
    fmt: str,
    quiet: bool,
) -> Path:
    """Simulate SWEEP_OR_SCENARIO at every point of its axes, all with the same seed.

    SWEEP_OR_SCENARIO is a sweep file (a base scenario and axes) or a scenario with --vary
    axes. Writes a results folder: sweep.csv and sweep.parquet (a row per point and strategy),
    points.csv, frontier.csv, best.json, heatmap_<strategy>.csv (two axes), sweep.json and
    manifest.json. Finished points are kept in <out>.partial/ until the sweep completes: rerun
    the same command to resume an interrupted sweep. Points run on --workers (each point's
    campaigns in one worker). See docs/sweeps.md.
    """
    from campaign_sim.engine.executors import Dask, make_executor
    from campaign_sim.engine.limits import OPTIONS, Key, check_sweep
    from campaign_sim.results.folder import check_out, default_out
    from campaign_sim.results.sweep import write_sweep
    from campaign_sim.scenario.loading import using_priors
    from campaign_sim.sweep.analyse import Questions, analyse
    from campaign_sim.sweep.run import PointStore, fingerprint, run_sweep, table_columns
    from campaign_sim.sweep.spec import make_sweep, parse_vary

    axes = [parse_vary(text) for text in vary]
    with using_priors(priors):  # the base scenario and every point take FILE's priors
        plan = make_sweep(source, axes, zipped=zipped, engine=engine)
    asked = plan.settings
    out = check_out(out or default_out(str(source), "sweep"))
    given = Key(None, "--campaigns") if campaigns is not None else Key(plan.source, "campaigns")
    check_sweep(  # every point, before the point store is made
        plan,
        campaigns=campaigns if campaigns is not None else asked.campaigns,
        campaigns_key=given,
        chunk_size=chunk_size,
        engine=asked.engine,
        workers=workers,
        executor=executor,
        scheduler=scheduler,
        names=OPTIONS,
    )
    campaigns = campaigns if campaigns is not None else asked.campaigns
    seed = seed if seed is not None else asked.seed
    questions = Questions.parse(  # checked now, not after the sweep has run
        table_columns(plan, asked.engine),
        ret=frontier_return or asked.frontier_return,
        risk=frontier_risk or asked.frontier_risk,
        objective=objective or asked.objective or "profit",
        limits=list(limits) or asked.risk_limit,
    )
    runner = make_executor(executor, workers=workers, scheduler=scheduler)
    partial = out.with_name(out.name + ".partial")
    if fresh:
        PointStore.discard(partial)
    store = PointStore(partial, fingerprint(plan, campaigns, seed, asked.engine))
    if store.restarted:
        note(f"{partial}/ held another sweep's points: starting afresh")
    try:
        if isinstance(runner, Dask):
            note(f"Dask dashboard: {runner.client.dashboard_link}")
        done = [0]
        with progress_bar("sweeping", len(plan.points), unit="points", quiet=quiet) as bar:

            def advance(_index: int) -> None:
                done[0] += 1
                bar(done[0])

            result = run_sweep(
                plan,
                campaigns=campaigns,
                seed=seed,
                store=store,
                executor=runner,
                on_point=advance,
                engine=asked.engine,
                chunk_size=chunk_size,
            )
    finally:
        runner.close()
    if result.resumed:
        note(f"resumed {result.resumed} of {len(plan.points)} points from {partial}/")
    report = analyse(result, questions)
    write_sweep(out, report, {"executor": runner.label, "workers": workers})
    store.remove()
    note(f"results written to {out}/")
    if fmt == "json":
        echo_json(report.to_dict())
    else:
        from campaign_sim.cli.tables.sweep import best_text, sweep_table

        names = [axis.name for axis in plan.axes]
        currency = plan.base.currency
        sweep_table(
            report.frontier, result.table, names, report.ret, report.risk, currency, stdout()
        )
        stdout().print(best_text(report.best, currency))
    return out
