"""campaign-sim command line: parses, calls the simulator API, writes files.

Data goes to stdout, progress and logs to stderr. Exit codes: 0 ok, 1 failure, 2 bad input.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from simulator import __version__
from simulator.compare import compare as compare_strategies
from simulator.engine import DEFAULT_CHUNK, simulate
from simulator.errors import InputError
from simulator.output import default_out, json_ready, manifest, results_folder
from simulator.priors import priors_frame
from simulator.scenario import Scenario, load_prior_set, load_scenario
from simulator.schema import ScenarioFile
from simulator.stats import quantile_grid, summarize
from simulator.tables import comparison_tables, priors_table, summary_tables

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


def simulation_options(command: Any) -> Any:
    """Options shared by every command that simulates."""
    options = [
        click.option(
            "--campaigns",
            "-n",
            type=click.IntRange(min=1),
            default=None,
            help="Campaigns to simulate [default: the scenario's simulation.campaigns].",
        ),
        click.option(
            "--seed",
            "-s",
            type=click.IntRange(min=0),
            default=None,
            help="Random seed [default: the scenario's simulation.seed].",
        ),
        click.option(
            "--out",
            "-o",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Results folder [default: results/<scenario>-<command>].",
        ),
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
        click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _simulate(
    scenario: Scenario,
    campaigns: int | None,
    seed: int | None,
    workers: int,
    chunk_size: int,
    quiet: bool,
):
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    campaigns = scenario.campaigns if campaigns is None else campaigns
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
        outcomes = simulate(
            scenario,
            campaigns=campaigns,
            seed=seed,
            workers=workers,
            chunk_size=chunk_size,
            progress=lambda n: progress.advance(task, n),
        )
    return outcomes, time.perf_counter() - started


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
@scenario_argument
@simulation_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="What to print on stdout.",
)
def run(
    scenario: Path,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    workers: int,
    chunk_size: int,
    save_outcomes: bool,
    quiet: bool,
    fmt: str,
) -> None:
    """Simulate every strategy of SCENARIO and report ROI intervals and risk profiles.

    Writes a results folder (summary.csv, risk.csv, quantiles.csv, priors.csv, summary.json,
    manifest.json; outcomes.parquet with --save-outcomes).
    """
    plan = load_scenario(scenario)
    outcomes, seconds = _simulate(plan, campaigns, seed, workers, chunk_size, quiet)
    summary = summarize(
        outcomes, labels={s.name: s.label for s in plan.strategies}, roi_target=plan.roi_target
    )
    _write_results(
        out or default_out(plan.source, "run"),
        "run",
        plan,
        outcomes,
        summary,
        seconds,
        {"workers": workers, "chunk_size": chunk_size},
        save_outcomes,
    )
    if fmt == "json":
        data = {**_header(plan, outcomes.campaigns, outcomes.seed), "strategies": summary.to_dict()}
        click.echo(json.dumps(json_ready(data), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(summary.frame().to_csv(index=False), nl=False)
    else:
        summary_tables(summary, plan.currency, stdout)


@main.command()
@scenario_argument
@click.argument("a", required=False)
@click.argument("b", required=False)
@simulation_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="What to print on stdout.",
)
def compare(
    scenario: Path,
    a: str | None,
    b: str | None,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    workers: int,
    chunk_size: int,
    save_outcomes: bool,
    quiet: bool,
    fmt: str,
) -> None:
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
    outcomes, seconds = _simulate(plan, campaigns, seed, workers, chunk_size, quiet)
    labels = {s.name: s.label for s in plan.strategies}
    summary = summarize(outcomes, labels=labels, roi_target=plan.roi_target)
    comparison = compare_strategies(outcomes, a, b)  # type: ignore[arg-type]
    _write_results(
        out or default_out(plan.source, "compare"),
        "compare",
        plan,
        outcomes,
        summary,
        seconds,
        {"workers": workers, "chunk_size": chunk_size, "a": a, "b": b},
        save_outcomes,
        extra={"comparison.csv": comparison.frame(), "comparison.json": comparison.to_dict()},
    )
    if fmt == "json":
        data = {
            **_header(plan, outcomes.campaigns, outcomes.seed),
            "comparison": comparison.to_dict(),
            "strategies": summary.to_dict(),
        }
        click.echo(json.dumps(json_ready(data), indent=2, ensure_ascii=False))
    else:
        comparison_tables(comparison, labels, stdout)
        summary_tables(summary, plan.currency, stdout)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check scenario FILES; print every problem with its key path. Exit 2 if any is bad."""
    bad = 0
    for path in files:
        try:
            plan = load_scenario(path)
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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
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


if __name__ == "__main__":
    main()
