"""The ``campaign-sim`` group: commands in workflow order, user mistakes as exit 2.

Data goes to stdout, progress and logs to stderr. Exit codes: 0 ok, 1 failure, 2 bad input.
Every command module imports its heavy libraries (numpy, scipy, pandas, matplotlib, dask)
inside the command, so ``--help`` and ``--version`` start fast.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

import click

from campaign_sim import __version__
from campaign_sim.cli.commands.calibrate import calibrate, pilot
from campaign_sim.cli.commands.check import check
from campaign_sim.cli.commands.horizon import horizon
from campaign_sim.cli.commands.inspect import priors, schema, validate
from campaign_sim.cli.commands.optimize import optimize
from campaign_sim.cli.commands.plan import plan
from campaign_sim.cli.commands.report import report
from campaign_sim.cli.commands.roster import roster
from campaign_sim.cli.commands.sensitivity import sensitivity
from campaign_sim.cli.commands.simulate import compare, run
from campaign_sim.cli.commands.sweep import sweep
from campaign_sim.cli.commands.timeline import timeline
from campaign_sim.errors import InputError

__all__ = ["main"]


@contextlib.contextmanager
def _input_warnings() -> Iterator[None]:
    """Print each warning meant for the user (a :class:`~campaign_sim.notices.Notice`: about
    the input, a missing font) once on stderr, as ``warning: <message>``, not as
    a Python warning line; other warnings as usual."""
    from campaign_sim.notices import Notice

    seen: set[str] = set()
    show = warnings.showwarning

    def print_once(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if not issubclass(category, Notice):
            show(message, category, *args, **kwargs)
        elif str(message) not in seen:
            seen.add(str(message))
            click.echo(f"warning: {message}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always", Notice)
        warnings.showwarning = print_once
        yield


#: What ``--report`` may be followed by: report formats (campaign_sim.reports.build.FORMATS).
REPORT_FORMATS = ("pptx", "xlsx", "md", "html", "png", "svg", "all")


#: Commands whose ``--report`` takes a folder (``calibrate --report DIR``), not formats.
REPORT_FOLDER = ("calibrate",)


def _report_alone(args: list[str]) -> list[str]:
    """``--report`` followed by something that is not a list of formats (a scenario path, an
    option) means every format: it must not swallow the next argument."""
    out = list(args)
    if out and out[0] in REPORT_FOLDER:
        return out
    for i, arg in enumerate(out[:-1]):
        if arg == "--report":
            parts = [p.strip().lower().lstrip(".") for p in out[i + 1].split(",")]
            if not all(part in REPORT_FORMATS for part in parts if part) or not any(parts):
                out[i] = "--report=all"
    return out


class CampaignSimGroup(click.Group):
    """Commands listed in the order they are added; user mistakes become a one-line message
    and exit status 2, never a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, _report_alone(args))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _input_warnings():
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


for command in (
    validate,
    plan,
    run,
    compare,
    roster,
    horizon,
    sweep,
    optimize,
    timeline,
    sensitivity,
    calibrate,
    pilot,
    report,
    priors,
    check,
    schema,
):
    main.add_command(command)
