"""Options shared by the commands, defined once."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

__all__ = [
    "campaigns_option",
    "executor_options",
    "format_option",
    "out_option",
    "priors_option",
    "quiet_option",
    "report_options",
    "sampling_options",
    "scenario_argument",
    "seed_option",
    "stack",
]

#: Campaigns per chunk by default (campaign_sim.engine.runner.DEFAULT_CHUNK, kept literal here
#: so that --help imports no numpy).
DEFAULT_CHUNK = 16 * 1024
SAMPLING_METHODS = ("random", "lhs", "sobol")
EXECUTORS = ("serial", "processes", "dask")
REPORT_LANGUAGES = ("en", "zh-TW")

scenario_argument = click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
quiet_option = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


def priors_option(command: Any) -> Any:
    """``--priors FILE``: a priors file that replaces the scenario's ``priors.base`` (given as
    ``priors`` to :func:`campaign_sim.scenario.loading.load_scenario`)."""
    return click.option(
        "--priors",
        "priors",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        metavar="FILE",
        help="Take the base priors from FILE (e.g. the calibrated priors `campaign-sim "
        "calibrate` writes) instead of the scenario's priors.base; the scenario's own per-tier "
        "overrides still apply. FILE is relative to the current directory.",
    )(command)


def stack(*options: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply ``options`` in the order they are listed (the first shows first in --help)."""

    def apply(command: Any) -> Any:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


def campaigns_option(help: str, minimum: int = 1) -> Any:
    return click.option(
        "--campaigns", "-n", type=click.IntRange(min=minimum), default=None, help=help
    )


def seed_option(
    help: str = "Random seed [default: the scenario's simulation.seed].", default: int | None = None
) -> Any:
    """``--seed/-s``: a whole number >= 0; ``default`` None means the scenario's own."""
    return click.option(
        "--seed",
        "-s",
        type=click.IntRange(min=0),
        default=default,
        show_default=default is not None,
        help=help,
    )


def out_option(default: str) -> Any:
    return click.option(
        "--out",
        "-o",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"Results folder [default: {default}].",
    )


def prior_set_option(help: str) -> Any:
    """``--set NAME_OR_PATH``: a shipped prior set or a priors file, checked as a usage error
    naming ``--set`` (its content is validated when it is read)."""

    def check(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
        from campaign_sim.scenario.resolve import shipped_prior_sets

        shipped = shipped_prior_sets()
        if value in shipped or Path(value).is_file():
            return value
        raise click.BadParameter(
            f"{value!r} is neither a shipped prior set ({', '.join(shipped)}) nor a priors file"
        )

    return click.option(
        "--set", "prior_set", default="article", show_default=True, callback=check, help=help
    )


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


def executor_options(unit: str = "chunks", chunk_size: int = DEFAULT_CHUNK) -> Callable[[Any], Any]:
    """--workers, --executor, --scheduler and --chunk-size: where the work runs; the numbers
    are the same for any of them."""
    return stack(
        click.option(
            "--workers",
            "-w",
            type=click.IntRange(min=0),
            default=1,
            show_default=True,
            help=f"Run {unit} on N workers at once (0: every core). Same numbers for any N.",
        ),
        click.option(
            "--executor",
            type=click.Choice(EXECUTORS),
            default=None,
            help="serial, processes (local, forked) or dask (a local cluster of --workers "
            "processes, or --scheduler) [default: serial for 1 worker, else processes].",
        ),
        click.option(
            "--scheduler",
            metavar="ADDRESS",
            default=None,
            help="Run on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (implies dask).",
        ),
        click.option(
            "--chunk-size",
            type=click.IntRange(min=1),
            default=chunk_size,
            show_default=True,
            help="Campaigns per chunk (memory). Same numbers for any.",
        ),
    )


def sampling_options(command: Any) -> Any:
    return stack(
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
    )(command)


def report_options(command: Any) -> Any:
    """--report and --report-lang: build the report of the results folder the command wrote."""
    from campaign_sim.cli.output import build_report_quietly

    @functools.wraps(command)
    def with_report(*args: Any, report: str | None, report_lang: str, **kwargs: Any) -> Any:
        from campaign_sim.reports.build import parse_formats

        formats = parse_formats(report, "--report") if report is not None else None  # first
        if formats is not None:
            from campaign_sim.reports.checks import check_extras

            check_extras(formats, "--report")  # the 'reports' extra, before simulating
        folder = command(*args, **kwargs)
        if formats is not None:
            build_report_quietly(folder, formats, report_lang)
        return folder

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
        help="Also build the report from the results: comma-separated pptx,xlsx,md,html,png,svg; "
        "--report alone (anywhere) builds all. See `campaign-sim report`.",
    )(with_report)
