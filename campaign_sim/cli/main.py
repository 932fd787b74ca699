"""campaign-sim command line: parses, calls the campaign_sim API, writes files.

Data goes to stdout, progress and logs to stderr. Exit codes: 0 ok, 1 failure, 2 bad input.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from campaign_sim import __version__
from campaign_sim.analysis.compare import compare as compare_strategies
from campaign_sim.analysis.convergence import run_to_precision, tail_warnings
from campaign_sim.analysis.stats import quantile_grid, summarize
from campaign_sim.cli.tables.summary import comparison_tables, priors_table, summary_tables
from campaign_sim.engine.vectorized import DEFAULT_CHUNK, METRICS, scenario_sampling, simulate
from campaign_sim.errors import InputError
from campaign_sim.random.sampling import METHODS as SAMPLING_METHODS
from campaign_sim.random.sampling import Sampling
from campaign_sim.reports.i18n import LANGUAGES as REPORT_LANGUAGES
from campaign_sim.results.folder import default_out, json_ready, manifest, results_folder
from campaign_sim.scenario.loading import Scenario, load_prior_set, load_scenario
from campaign_sim.scenario.priors import priors_frame
from campaign_sim.scenario.schema import ScenarioFile

stdout = Console(soft_wrap=False, width=160)
stderr = Console(stderr=True)


class CampaignSimGroup(click.Group):
    """Turns user mistakes into a one-line message and exit status 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)
        except OSError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


@click.group(cls=CampaignSimGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="campaign-sim")
def main() -> None:
    """Monte Carlo planning of influencer-marketing campaigns: nano- vs micro-influencer mixes,
    ROI intervals and risk profiles from scenario files."""


scenario_argument = click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))


def campaigns_option(help: str, minimum: int = 1) -> Any:
    return click.option(
        "--campaigns", "-n", type=click.IntRange(min=minimum), default=None, help=help
    )


def seed_option(help: str = "Random seed [default: the scenario's simulation.seed].") -> Any:
    return click.option("--seed", "-s", type=click.IntRange(min=0), default=None, help=help)


def out_option(default: str) -> Any:
    return click.option(
        "--out",
        "-o",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Results folder [default: {default}].",
    )


quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


def format_option(*others: str) -> Any:
    """--format: a table by default, or one of ``others`` (json, csv) on stdout."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", *others]),
        default="table",
        show_default=True,
        help="What to print on stdout.",
    )


def simulation_options(command: Any) -> Any:
    """Options shared by every command that simulates."""
    options = [
        campaigns_option("Campaigns to simulate [default: the scenario's simulation.campaigns]."),
        seed_option(),
        out_option("results/<scenario>-<command>"),
        click.option(
            "--workers",
            "-w",
            type=click.IntRange(min=0),
            default=1,
            show_default=True,
            help="Processes to run chunks on (0: every core). Same numbers for any.",
        ),
        click.option(
            "--chunk-size",
            type=click.IntRange(min=1),
            default=DEFAULT_CHUNK,
            show_default=True,
            help="Campaigns per chunk (memory). Same numbers for any.",
        ),
        click.option(
            "--save-outcomes",
            is_flag=True,
            help="Also write every campaign's outcomes (outcomes.parquet).",
        ),
        click.option(
            "--sampling",
            type=click.Choice(SAMPLING_METHODS),
            default=None,
            help="random; lhs (Latin hypercube over each seed block of 1,024 campaigns); sobol "
            "(scrambled Sobol for shock and order value, Latin hypercube for creators) "
            "[default: the scenario's simulation.sampling].",
        ),
        click.option(
            "--antithetic/--no-antithetic",
            default=None,
            help="Draw campaigns in antithetic pairs (u, 1 - u) "
            "[default: the scenario's simulation.antithetic].",
        ),
        click.option(
            "--precision",
            type=click.FloatRange(min=0, min_open=True),
            default=None,
            help="Instead of --campaigns: run batches of whole seed blocks until the 95% CI "
            "half-width of every strategy's mean ROI and P(loss) is at most this "
            "(0.01 = 1 percentage point).",
        ),
        click.option(
            "--max-campaigns",
            type=click.IntRange(min=1),
            default=1_000_000,
            show_default=True,
            help="Cap on campaigns for --precision.",
        ),
        quiet_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def report_options(command: Any) -> Any:
    """--report and --report-lang: build the report of the results folder the command wrote
    (the folder is --out, or the command's default results/<scenario>-<command>)."""

    @functools.wraps(command)
    def with_report(*args: Any, report: str | None, report_lang: str, **kwargs: Any) -> Any:
        from campaign_sim.reports import parse_formats

        formats = parse_formats(report) if report is not None else None
        result = command(*args, **kwargs)
        if formats is not None:
            source = kwargs.get("scenario") or kwargs.get("source")
            folder = kwargs.get("out") or default_out(str(source), command.__name__)
            _build_report(folder, formats, report_lang, None, list_files=False)
        return result

    with_report = click.option(
        "--report-lang",
        type=click.Choice(REPORT_LANGUAGES),
        default="en",
        show_default=True,
        help="Language of the --report outputs.",
    )(with_report)
    return click.option(
        "--report",
        is_flag=False,
        flag_value="all",
        default=None,
        metavar="FORMATS",
        help="Also build the report from the results: comma-separated pptx,xlsx,md,png,svg; "
        "--report alone (after SCENARIO) builds all. See `campaign-sim report`.",
    )(with_report)


def _build_report(
    folder: Path, formats: Any, lang: str, out: Path | None, *, list_files: bool = True
) -> None:
    """Build the report; list its files on stdout (the report command's data) or not (after a
    simulating command, whose stdout holds its own data)."""
    from campaign_sim.reports import build_report

    built = build_report(folder, formats=formats, lang=lang, out=out)
    if list_files:
        for name in built.files:
            click.echo(str(built.folder / name))
    stderr.print(f"report written to {built.folder}/")


def _simulate(
    scenario: Scenario,
    campaigns: int | None,
    seed: int | None,
    workers: int,
    chunk_size: int,
    quiet: bool,
    sampling: str | None = None,
    antithetic: bool | None = None,
    precision: float | None = None,
    max_campaigns: int = 1_000_000,
):
    """Outcomes, seconds taken, and the Convergence of a --precision run (else None)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    chosen = scenario_sampling(scenario)
    chosen = Sampling.of(
        sampling or chosen.method, chosen.antithetic if antithetic is None else antithetic
    )
    campaigns = scenario.campaigns if campaigns is None else campaigns
    if precision is not None:
        campaigns = max_campaigns
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} campaigns"),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("simulate", total=campaigns)
        started = time.perf_counter()
        if precision is not None:
            converged = run_to_precision(
                scenario,
                precision=precision,
                max_campaigns=max_campaigns,
                seed=seed,
                sampling=chosen,
                workers=workers,
                chunk_size=chunk_size,
                progress=lambda done, planned: progress.update(task, completed=done, total=planned),
            )
            return converged.outcomes, time.perf_counter() - started, converged
        outcomes = simulate(
            scenario,
            campaigns=campaigns,
            seed=seed,
            workers=workers,
            chunk_size=chunk_size,
            progress=lambda n: progress.advance(task, n),
            sampling=chosen,
        )
    return outcomes, time.perf_counter() - started, None


def _simulate_and_summarize(plan: Scenario, options: dict[str, Any]) -> tuple[Any, ...]:
    """Run a simulating command's options: outcomes, summary, seconds, manifest settings and
    extra files (of a --precision run)."""
    outcomes, seconds, converged = _simulate(
        plan,
        options["campaigns"],
        options["seed"],
        options["workers"],
        options["chunk_size"],
        options["quiet"],
        sampling=options["sampling"],
        antithetic=options["antithetic"],
        precision=options["precision"],
        max_campaigns=options["max_campaigns"],
    )
    labels = {s.name: s.label for s in plan.strategies}
    summary = summarize(outcomes, labels=labels, roi_target=plan.roi_target)
    more_settings, files = _precision_report(outcomes, summary, converged)
    settings = {"workers": options["workers"], "chunk_size": options["chunk_size"], **more_settings}
    return outcomes, summary, seconds, settings, files


def _precision_report(outcomes: Any, summary: Any, converged: Any) -> tuple[dict, dict]:
    """Say on stderr how precise the run is; manifest settings and files to add."""
    settings: dict = {
        "sampling": outcomes.sampling.method,
        "antithetic": outcomes.sampling.antithetic,
    }
    files: dict = {}
    if converged is not None:
        settings.update(
            precision=converged.precision,
            max_campaigns=converged.max_campaigns,
            converged=converged.converged,
        )
        files["convergence.csv"] = converged.history
        verdict = "reached" if converged.converged else "NOT reached (cap)"
        stderr.print(
            f"precision ±{converged.precision:g} on mean ROI and P(loss) {verdict} after "
            f"{outcomes.campaigns:,} campaigns"
        )
    for warning in tail_warnings(summary, outcomes):
        stderr.print(f"[yellow]warning:[/yellow] {warning}")
    return settings, files


def _write_results(
    out: Path,
    command: str,
    scenario: Scenario,
    outcomes: Any,
    summary: Any,
    seconds: float,
    settings: dict,
    save_outcomes: bool,
    extra: dict | None = None,
) -> None:
    with results_folder(out) as writer:
        writer.csv("summary.csv", summary.frame())
        writer.csv("risk.csv", summary.risk_frame())
        writer.csv("quantiles.csv", quantile_grid(outcomes))
        writer.csv("priors.csv", priors_frame(scenario.priors))
        writer.json("summary.json", {"strategies": summary.to_dict()})
        for name, frame in (extra or {}).items():
            if name.endswith(".csv"):
                writer.csv(name, frame)
            else:
                writer.json(name, frame)
        if save_outcomes:
            writer.parquet("outcomes.parquet", outcomes.frame())
        writer.json(
            "manifest.json",
            manifest(
                command=command,
                scenario=scenario,
                seed=outcomes.seed,
                campaigns=outcomes.campaigns,
                timings={"simulate": round(seconds, 3)},
                settings=settings,
                files=writer.files + ["manifest.json"],
            ),
        )
    stderr.print(f"results written to {out}/")


def _header(scenario: Scenario, campaigns: int, seed: int) -> dict:
    return {
        "scenario": {"name": scenario.name, "path": scenario.source, "sha256": scenario.digest},
        "campaigns": campaigns,
        "seed": seed,
        "version": __version__,
        "currency": scenario.currency,
        "confidence": 0.95,
    }


@main.command()
@report_options
@scenario_argument
@simulation_options
@format_option("json", "csv")
def run(scenario: Path, fmt: str, **options: Any) -> None:
    """Simulate every strategy of SCENARIO and report ROI intervals and risk profiles.

    Writes a results folder (summary.csv, risk.csv, quantiles.csv, priors.csv, summary.json,
    manifest.json; outcomes.parquet with --save-outcomes).
    """
    plan = load_scenario(scenario)
    outcomes, summary, seconds, settings, files = _simulate_and_summarize(plan, options)
    _write_results(
        options["out"] or default_out(plan.source, "run"),
        "run",
        plan,
        outcomes,
        summary,
        seconds,
        settings,
        options["save_outcomes"],
        extra=files,
    )
    if fmt == "json":
        data = {**_header(plan, outcomes.campaigns, outcomes.seed), "strategies": summary.to_dict()}
        click.echo(json.dumps(json_ready(data), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(summary.frame().to_csv(index=False), nl=False)
    else:
        summary_tables(summary, plan.currency, stdout)


@main.command()
@report_options
@scenario_argument
@click.argument("a", required=False)
@click.argument("b", required=False)
@simulation_options
@format_option("json")
def compare(scenario: Path, a: str | None, b: str | None, fmt: str, **options: Any) -> None:
    """Compare strategy A with B in SCENARIO, campaign by campaign (paired).

    A and B default to the scenario's first two strategies. Reports the mean difference of ROI
    and profit with its CI, P(A beats B) with its CI, and both risk profiles.
    """
    plan = load_scenario(scenario)
    names = [s.name for s in plan.strategies]
    if (a is None) != (b is None):
        raise click.UsageError("give both strategies A and B, or neither")
    if a is None:
        if len(names) < 2:
            raise InputError.single(
                plan.source, "strategies", "compare needs at least two strategies"
            )
        a, b = names[0], names[1]
    plan.strategy(a)
    plan.strategy(b)  # type: ignore[arg-type]
    outcomes, summary, seconds, settings, files = _simulate_and_summarize(plan, options)
    comparison = compare_strategies(outcomes, a, b)  # type: ignore[arg-type]
    _write_results(
        options["out"] or default_out(plan.source, "compare"),
        "compare",
        plan,
        outcomes,
        summary,
        seconds,
        {**settings, "a": a, "b": b},
        options["save_outcomes"],
        extra={
            "comparison.csv": comparison.frame(),
            "comparison.json": comparison.to_dict(),
            **files,
        },
    )
    if fmt == "json":
        data = {
            **_header(plan, outcomes.campaigns, outcomes.seed),
            "comparison": comparison.to_dict(),
            "strategies": summary.to_dict(),
        }
        click.echo(json.dumps(json_ready(data), indent=2, ensure_ascii=False))
    else:
        comparison_tables(comparison, summary.labels, stdout)
        summary_tables(summary, plan.currency, stdout)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario FILES; print every problem with its key path. Exit 2 if any is bad."""
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


@main.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    document = ScenarioFile.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "campaign-sim scenario"
    click.echo(json.dumps(document, indent=2))


@main.command()
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
    found = load_scenario(scenario).priors if scenario else load_prior_set(prior_set)
    frame = priors_frame(found)
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(
            json.dumps(json_ready(frame.to_dict(orient="records")), indent=2, ensure_ascii=False)
        )
    else:
        priors_table(frame, stdout)


def _run_sweep_with_progress(plan, campaigns, seed, store, client, quiet):
    """Run a sweep with a progress bar of points done and time left on stderr."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from campaign_sim.sweep.run import run_sweep

    with Progress(
        TextColumn("sweeping"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} points"),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("sweep", total=len(plan.points))
        return run_sweep(
            plan,
            campaigns=campaigns,
            seed=seed,
            store=store,
            client=client,
            on_point=lambda _index: progress.advance(task),
            engine=plan.settings.engine,
        )


@main.command()
@report_options
@click.argument(
    "source", metavar="SWEEP_OR_SCENARIO", type=click.Path(dir_okay=False, path_type=Path)
)
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
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=1),
    default=None,
    help="Run points on a local Dask cluster of N worker processes [default: this process, "
    "no Dask]. Same numbers for any N.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run points on an existing Dask cluster, e.g. tcp://10.0.0.5:8786.",
)
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
    vary: tuple[str, ...],
    zipped: bool | None,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    objective: str | None,
    limits: tuple[str, ...],
    frontier_return: str | None,
    frontier_risk: str | None,
    engine: str | None,
    fresh: bool,
    fmt: str,
    quiet: bool,
) -> None:
    """Simulate SWEEP_OR_SCENARIO at every point of its axes, all with the same seed.

    SWEEP_OR_SCENARIO is a sweep file (a base scenario and axes) or a scenario with --vary
    axes. Writes a results folder: sweep.csv and sweep.parquet (a row per point and strategy),
    points.csv, frontier.csv, best.json, heatmap_<strategy>.csv (two axes), sweep.json and
    manifest.json. Finished points are kept in <out>.partial/ until the sweep completes: rerun
    the same command to resume an interrupted sweep. See docs/sweeps.md.
    """
    from campaign_sim.cli.tables.sweep import best_text, sweep_table
    from campaign_sim.sweep.analyse import Questions, analyse, write_report
    from campaign_sim.sweep.run import PointStore, fingerprint, local_client, table_columns
    from campaign_sim.sweep.spec import make_sweep, parse_vary

    if workers is not None and scheduler is not None:
        raise click.UsageError("give --workers or --scheduler, not both")
    plan = make_sweep(source, [parse_vary(text) for text in vary], zipped=zipped, engine=engine)
    asked = plan.settings
    campaigns = campaigns if campaigns is not None else asked.campaigns
    seed = seed if seed is not None else asked.seed
    questions = Questions.parse(  # checked now, not after the sweep has run
        table_columns(plan, asked.engine),
        ret=frontier_return or asked.frontier_return,
        risk=frontier_risk or asked.frontier_risk,
        objective=objective or asked.objective or "profit",
        limits=list(limits) or asked.risk_limit,
    )
    out = out or default_out(str(source), "sweep")
    partial = out.with_name(out.name + ".partial")
    if fresh:
        PointStore.discard(partial)
    store = PointStore(partial, fingerprint(plan, campaigns, seed, asked.engine))
    if store.restarted:
        stderr.print(f"{partial}/ held another sweep's points: starting afresh")
    serial = workers is None and scheduler is None
    executor = "serial" if serial else (scheduler or f"local cluster, {workers} workers")
    with contextlib.ExitStack() as stack:
        client = None
        if not serial:
            try:
                client = stack.enter_context(local_client(workers, scheduler))
            except ImportError as exc:
                raise click.ClickException(str(exc)) from None
            stderr.print(f"Dask dashboard: {client.dashboard_link}")
        result = _run_sweep_with_progress(plan, campaigns, seed, store, client, quiet)
    if result.resumed:
        stderr.print(f"resumed {result.resumed} of {len(plan.points)} points from {partial}/")
    report = analyse(result, questions)
    write_report(out, report, {"executor": executor, "workers": workers})
    store.remove()
    stderr.print(f"results written to {out}/")
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        axes = [axis.name for axis in plan.axes]
        currency = plan.base.currency
        sweep_table(report.frontier, result.table, axes, report.ret, report.risk, currency, stdout)
        stdout.print(best_text(report.best, currency))


class _Managers(click.ParamType):
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


@main.command()
@report_options
@scenario_argument
@campaigns_option("Campaigns to simulate [default: the scenario's simulation.campaigns].")
@seed_option()
@out_option("results/<scenario>-timeline")
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Processes to run seed blocks on (0: every core). Same numbers for any.",
)
@click.option(
    "--managers",
    "-m",
    type=_Managers(),
    default=None,
    help="Campaign managers, overriding timeline.managers: N or 'unlimited'.",
)
@format_option("json")
@click.option(
    "--save-outcomes", is_flag=True, help="Also write every campaign's totals (totals.parquet)."
)
@quiet_option
def timeline(
    scenario: Path,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    workers: int,
    managers: int | str | None,
    fmt: str,
    save_outcomes: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO on a calendar: when each campaign pays back, what the team can handle.

    Managers onboard creators and review their content, posts go live on the posting plan,
    orders follow engagements with a lag inside the attribution window, fees are paid on their
    schedule (the scenario's `timeline` section). Writes daily.csv/.parquet (cumulative cost,
    revenue, profit, orders per day: mean and P5-P95), payback.csv, summary.csv, summary.json
    and manifest.json.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from campaign_sim.cli.tables.timeline import timeline_tables
    from campaign_sim.engine.timeline import simulate_timeline
    from campaign_sim.results.timeline import timeline_json, write_timeline_results
    from campaign_sim.scenario.timeline import timeline_plan

    plan = load_scenario(scenario)
    calendar = (
        timeline_plan(plan)
        if managers is None
        else timeline_plan(plan, managers=None if managers == "unlimited" else managers)
    )
    total = plan.campaigns if campaigns is None else campaigns
    with Progress(
        TextColumn("timeline"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,} campaigns"),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("timeline", total=total)
        started = time.perf_counter()
        result = simulate_timeline(
            plan,
            campaigns=total,
            seed=seed,
            plan=calendar,
            workers=workers,
            progress=lambda n: progress.advance(task, n),
        )
        seconds = time.perf_counter() - started
    target = out or default_out(plan.source, "timeline")
    write_timeline_results(
        target,
        plan,
        result,
        seconds=seconds,
        save_outcomes=save_outcomes,
        settings={"workers": workers, "managers_option": managers},
    )
    stderr.print(f"results written to {target}/")
    if fmt == "json":
        click.echo(
            json.dumps(json_ready(timeline_json(plan, result)), indent=2, ensure_ascii=False)
        )
    else:
        timeline_tables(result, plan.currency, stdout)


@main.command()
@click.argument("results_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "formats",
    default="all",
    show_default=True,
    metavar="FORMATS",
    help="Comma-separated: pptx, xlsx, md, png, svg; or all. md writes the PNG charts it links.",
)
@click.option(
    "--lang",
    type=click.Choice(REPORT_LANGUAGES),
    default="en",
    show_default=True,
    help="Language of every label, caption and sentence.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Report folder [default: RESULTS_DIR/report-<lang>].",
)
def report(results_dir: Path, formats: str, lang: str, out: Path | None) -> None:
    """Build charts, an Excel workbook, a PowerPoint deck and a Markdown report from the
    results folder RESULTS_DIR (of run, compare, sweep, timeline or sensitivity), without
    simulating again. Prints the files written, one per line. See docs/reports.md.
    """
    _build_report(results_dir, formats, lang, out)


@main.command()
@report_options
@scenario_argument
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    help="Strategy to analyse (repeatable) [default: every strategy].",
)
@click.option(
    "--output",
    type=click.Choice(list(METRICS)),
    default="roi",
    show_default=True,
    help="Outcome whose drivers are ranked.",
)
@campaigns_option(
    "Campaigns per simulation [default: the scenario's simulation.campaigns].", minimum=8
)
@seed_option()
@out_option("results/<scenario>-sensitivity")
@click.option(
    "--sampling",
    type=click.Choice(SAMPLING_METHODS),
    default=None,
    help="Sampling of the ranked run and the swings [default: the scenario's].",
)
@click.option(
    "--sobol",
    is_flag=True,
    help="Also Sobol indices of order value, shock and creator draws (needs SALib: the "
    "'sensitivity' extra). Costs (inputs + 2) x campaigns evaluations.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=12,
    show_default=True,
    help="Rows per strategy in the printed tables (files hold every row).",
)
@format_option("json")
@quiet_option
def sensitivity(
    scenario: Path,
    strategies: tuple[str, ...],
    output: str,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    sampling: str | None,
    sobol: bool,
    top: int,
    fmt: str,
    quiet: bool,
) -> None:
    """What drives OUTPUT (ROI by default) in SCENARIO: every uncertain input ranked by
    Spearman correlation and contribution to variance, and a one-at-a-time swing of each
    scenario-level input (order value, shock, each prior) from its P10 to its P90.

    Writes sensitivity.csv/.parquet, swing.csv/.parquet (the tornado chart), sobol.csv with
    --sobol, priors.csv and manifest.json.
    """
    from rich.progress import BarColumn, Progress, TextColumn

    from campaign_sim.analysis.sensitivity import (
        collect_drivers,
        rank_sensitivity,
        sobol_indices,
        swing,
        swing_inputs,
    )
    from campaign_sim.cli.tables.sensitivity import sensitivity_tables

    plan = load_scenario(scenario)
    for name in strategies:
        plan.strategy(name)
    chosen = strategies or tuple(s.name for s in plan.strategies)
    campaigns = plan.campaigns if campaigns is None else campaigns
    asked = scenario_sampling(plan)
    method = Sampling.of(sampling or asked.method, asked.antithetic)
    timings = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        console=stderr,
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("ranking inputs (campaigns)", total=campaigns)
        started = time.perf_counter()
        drivers = collect_drivers(
            plan,
            campaigns=campaigns,
            seed=seed,
            sampling=method,
            progress=lambda n: progress.advance(task, n),
        )
        ranked = rank_sensitivity(drivers, output=output, strategies=chosen)
        timings["rank"] = round(time.perf_counter() - started, 3)
        task = progress.add_task("swings (simulations)", total=2 * len(swing_inputs(plan)))
        started = time.perf_counter()
        swung = swing(
            plan,
            output=output,
            campaigns=campaigns,
            seed=seed,
            sampling=method,
            progress=lambda n: progress.advance(task, n),
        )
        swung = swung[swung["strategy"].isin(chosen)] if not swung.empty else swung
        timings["swing"] = round(time.perf_counter() - started, 3)
        indices = None
        if sobol:
            started = time.perf_counter()
            indices = sobol_indices(plan, output=output, campaigns=campaigns, seed=seed)
            indices = indices[indices["strategy"].isin(chosen)] if not indices.empty else indices
            timings["sobol"] = round(time.perf_counter() - started, 3)
    target = out or default_out(plan.source, "sensitivity")
    with results_folder(target) as writer:
        writer.csv("sensitivity.csv", ranked)
        writer.parquet("sensitivity.parquet", ranked)
        writer.csv("swing.csv", swung)
        writer.parquet("swing.parquet", swung)
        if indices is not None:
            writer.csv("sobol.csv", indices)
        writer.csv("priors.csv", priors_frame(plan.priors))
        writer.json(
            "manifest.json",
            manifest(
                command="sensitivity",
                scenario=plan,
                seed=drivers.seed,
                campaigns=campaigns,
                timings=timings,
                settings={
                    "output": output,
                    "strategies": list(chosen),
                    "sampling": method.method,
                    "antithetic": method.antithetic,
                    "swing_quantiles": [0.1, 0.9],
                    "sobol": sobol,
                },
                files=writer.files + ["manifest.json"],
            ),
        )
    stderr.print(f"results written to {target}/")
    if fmt == "json":
        data = {
            **_header(plan, campaigns, drivers.seed),
            "output": output,
            "sensitivity": ranked.to_dict(orient="records"),
            "swing": swung.to_dict(orient="records"),
            "sobol": None if indices is None else indices.to_dict(orient="records"),
        }
        click.echo(json.dumps(json_ready(data), indent=2, ensure_ascii=False))
    else:
        labels = {s.name: s.label for s in plan.strategies if s.name in chosen}
        sensitivity_tables(ranked, swung, indices, labels, stdout, top=top)


if __name__ == "__main__":
    main()
