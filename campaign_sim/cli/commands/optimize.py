"""``optimize``: the best creator mix for a budget under risk limits (docs/optimize.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import (
    executor_options,
    format_option,
    out_option,
    priors_option,
    quiet_option,
    report_options,
    seed_option,
)
from campaign_sim.cli.output import echo_json, note, progress_bar, stdout

_CELL = re.compile(r"^\s*([^=\s]+)\s*=\s*([0-9]+)\s*(?::\s*([0-9]+))?\s*$")
_PILOT = re.compile(r"^\s*([^:\s]+/[^:\s]+)\s*:\s*([0-9]+)\s*$")


def _cells(values: tuple[str, ...]) -> dict[str, dict[str, int]] | None:
    """``--cell POOL=MAX`` or ``POOL=MIN:MAX`` as the optimize section's ``cells``."""
    if not values:
        return None
    out = {}
    for text in values:
        match = _CELL.match(text)
        if match is None:
            raise click.BadParameter(
                f"{text!r}: write POOL=MAX or POOL=MIN:MAX, e.g. nano/tiktok=0:40",
                param_hint="'--cell'",
            )
        pool, first, second = match.groups()
        out[pool] = (
            {"min": int(first), "max": int(second)} if second is not None else {"max": int(first)}
        )
    return out


def _pilot(value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    match = _PILOT.match(value)
    if match is None or int(match.group(2)) < 1:
        raise click.BadParameter(
            f"{value!r}: write POOL:N, e.g. nano/instagram:12", param_hint="'--pilot'"
        )
    return match.group(1), int(match.group(2))


#: Command-line options and the optimize key each sets.
_OPTION_KEYS = {
    "decide": "--decide",
    "cells": "--cell",
    "candidates": "--candidate",
    "objective": "--objective",
    "limits": "--limit",
    "budget": "--budget",
    "budget_basis": "--budget-basis",
    "team_hours": "--team-hours",
    "tighten": "--tighten",
    "restarts": "--restarts",
    "exhaustive": "--exhaustive",
    "campaigns": "--campaigns",
    "fresh_campaigns": "--fresh-campaigns",
    "runners_up": "--runners-up",
}


@click.command(
    short_help="Search creator mixes for the best plan under a budget and risk limits.",
    epilog=examples(
        "campaign-sim optimize scenarios/coffee-launch.yaml",
        "campaign-sim optimize scenarios/coffee-launch.yaml --limit 'prob_loss<=0.5' "
        "--objective max:profit",
        "campaign-sim optimize scenarios/coffee-launch.yaml --cell nano/tiktok=0:40 "
        "--cell micro/youtube=0:4 --budget 400000",
        "campaign-sim optimize scenarios/coffee-roster.yaml --decide roster",
        "campaign-sim optimize scenarios/coffee-launch.yaml --pilot nano/tiktok:12 -w 2",
        "campaign-sim optimize scenarios/coffee-launch.yaml --report pptx,html --report-lang zh-TW",
    ),
)
@report_options
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@priors_option
@click.option(
    "--spec",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="An optimisation file (the optimize section's keys at its top) [default: the "
    "scenario's optimize: section].",
)
@click.option(
    "--decide",
    type=click.Choice(["counts", "shares", "roster"]),
    default=None,
    help="counts: creators per pool; shares: budget shares per pool; roster: which roster "
    "candidates [default: counts].",
)
@click.option(
    "--cell",
    "cells",
    multiple=True,
    metavar="POOL=[MIN:]MAX",
    help="A pool a plan may use and its bounds, e.g. nano/tiktok=0:40 (shares: in steps). "
    "Repeatable [default: the pools the strategies use].",
)
@click.option("--candidate", "candidates", multiple=True, help="roster: a handle. Repeatable.")
@click.option(
    "--objective",
    default=None,
    help="max:STATISTIC or min:STATISTIC, e.g. max:profit_mean, max:prob_above_target, "
    "max:expected_shortfall, max:unique_reach_mean [default: max:profit_mean].",
)
@click.option(
    "--limit",
    "limits",
    multiple=True,
    metavar="STATISTIC<=VALUE",
    help="A limit, e.g. 'prob_loss<=0.2', 'expected_shortfall>=-300000', 'reach_mean>=1e5'; "
    "'none' for none. Repeatable [default: P(loss) of the least risky strategy].",
)
@click.option(
    "--budget", type=float, default=None, help="Currency [default: the largest strategy budget]."
)
@click.option(
    "--budget-basis",
    default=None,
    help="expected (fees), quoted (roster quotes) or pNN (that percentile of a campaign's "
    "fees) [default: quoted with --decide roster, else expected].",
)
@click.option(
    "--team-hours",
    default=None,
    help="Manager-hours the plan may take, timeline (from its settings) or unlimited "
    "[default: timeline].",
)
@click.option(
    "--tighten",
    type=float,
    default=None,
    help="In-sample limits tightened by this many standard errors [default: 1].",
)
@click.option(
    "--restarts", type=int, default=None, help="Local search starting points [default: 8]."
)
@click.option(
    "--exhaustive",
    type=int,
    default=None,
    help="Score every plan when at most this many [default: 2000].",
)
@click.option(
    "--runners-up",
    type=int,
    default=None,
    help="Best plans judged beside the chosen one [default: 10].",
)
@click.option(
    "--campaigns",
    "-n",
    type=int,
    default=None,
    help="Campaigns the search scores on [default: the scenario's].",
)
@click.option(
    "--fresh-campaigns",
    type=int,
    default=None,
    help="Fresh campaigns the plans are judged on [default: --campaigns].",
)
@seed_option()
@click.option(
    "--timeline-check",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Run the chosen plan on the timeline engine for this many campaigns (0: not).",
)
@click.option(
    "--pilot", default=None, metavar="POOL:N", help="The value of a pilot of N creators of POOL."
)
@click.option(
    "--no-robustness", is_flag=True, help="Skip judging the plan under other assumption settings."
)
@out_option("results/<name>-optimize")
@executor_options("restarts or batches of plans")
@click.option(
    "--from-scratch", is_flag=True, help="Discard the finished items of an interrupted search."
)
@format_option("json", "csv")
@quiet_option
def optimize(
    scenario: Path,
    priors: Path | None,
    spec: Path | None,
    decide: str | None,
    cells: tuple[str, ...],
    candidates: tuple[str, ...],
    objective: str | None,
    limits: tuple[str, ...],
    budget: float | None,
    budget_basis: str | None,
    team_hours: str | None,
    tighten: float | None,
    restarts: int | None,
    exhaustive: int | None,
    runners_up: int | None,
    campaigns: int | None,
    fresh_campaigns: int | None,
    seed: int | None,
    timeline_check: int,
    pilot: str | None,
    no_robustness: bool,
    out: Path | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    chunk_size: int,
    from_scratch: bool,
    fmt: str,
    quiet: bool,
) -> Path:
    """Search the creator mixes of SCENARIO for the best plan, then judge it on fresh
    campaigns.

    Alone, it answers: how many creators of each tier x platform the strategies use, within
    the largest strategy budget (expected fees) and the team's hours, maximise mean profit
    with P(loss) no worse than the scenario's least risky strategy? Every default it takes is
    stated in the output. Plans are scored on one set of simulated campaigns (common random
    numbers), in-sample limits tightened by a standard error; the chosen plan, the
    runners-up, the frontier and the scenario's strategies are then simulated on fresh
    campaigns. Writes a results folder: plan.csv, judged.csv, frontier.csv/.png/.svg,
    robustness.csv, scored.csv/.parquet, optimize.json, manifest.json. An interrupted search
    resumes from <out>.partial/. See docs/optimize.md.
    """
    from campaign_sim.errors import InputError
    from campaign_sim.optimize.campaigns import check_memory
    from campaign_sim.optimize.problem import make_problem
    from campaign_sim.optimize.run import check_pilot
    from campaign_sim.optimize.run import optimize as run_optimize
    from campaign_sim.results.folder import check_out, default_out
    from campaign_sim.results.optimize import write_optimize
    from campaign_sim.scenario.loading import load_scenario
    from campaign_sim.scenario.reading import read_yaml, validate
    from campaign_sim.scenario.schema import Optimize
    from campaign_sim.sweep.run import PointStore

    loaded = load_scenario(scenario, priors=priors)
    if spec is not None:
        source: str | None = str(spec)
        written, prefix = read_yaml(spec), ""
        if not isinstance(written, dict):
            raise InputError.single(
                str(spec), "(file)", "an optimisation file is a mapping of keys"
            )
    else:
        written, source = dict(loaded.data.get("optimize") or {}), loaded.source
        prefix = "optimize"
    given: dict[str, Any] = {
        "decide": decide,
        "cells": _cells(cells),
        "candidates": list(candidates) or None,
        "objective": objective,
        "limits": None if not limits else [] if list(limits) == ["none"] else list(limits),
        "budget": budget,
        "budget_basis": budget_basis,
        "team_hours": _hours(team_hours),
        "tighten": tighten,
        "restarts": restarts,
        "exhaustive": exhaustive,
        "runners_up": runners_up,
        "campaigns": campaigns,
        "fresh_campaigns": fresh_campaigns,
    }
    given = {key: value for key, value in given.items() if value is not None}
    try:
        model = validate(Optimize, {**written, **given}, source)
        problem = make_problem(loaded, model, source=source, prefix=prefix)
        largest = max(problem.campaigns, problem.fresh_campaigns)
        check_memory(loaded, problem.decisions, largest, source, prefix)
        asked = _pilot(pilot)
        if asked is not None:
            check_pilot(loaded, problem, asked)
    except InputError as exc:
        raise _as_options(exc, given, prefix) from None
    out = check_out(out or default_out(loaded.source, "optimize"))
    partial = out.with_name(out.name + ".partial")
    if from_scratch:
        PointStore.discard(partial)
    store = PointStore(partial, _fingerprint(loaded, problem, seed))
    if store.restarted:
        note(f"{partial}/ held another search's items: starting afresh")
    with progress_bar("optimising", 1, unit="steps", quiet=quiet) as bar:

        def progress(stage: str, done: int, total: int) -> None:
            bar(done, total, stage)

        try:
            result = run_optimize(
                loaded,
                problem,
                seed=seed,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                chunk_size=chunk_size,
                store=store,
                robust=not no_robustness,
                timeline_check=timeline_check,
                pilot=asked,
                progress=progress,
            )
        except InputError as exc:  # no plan meets a limit: nothing worth resuming
            store.remove()
            raise _as_options(exc, given, prefix) from None
    if result.search.resumed:
        note(f"resumed {result.search.resumed} finished search items from {partial}/")
    write_optimize(out, result, {"workers": workers, "spec": str(spec) if spec else None})
    store.remove()
    note(f"results written to {out}/")
    if fmt == "json":
        from campaign_sim.optimize.summary import summary_dict

        echo_json(summary_dict(result))
    elif fmt == "csv":
        click.echo(result.judged.to_csv(index=False), nl=False)
    else:
        from campaign_sim.cli.tables.optimize import optimize_tables

        optimize_tables(result, stdout())
    return out


def _hours(value: str | None) -> Any:
    """``--team-hours``: a number, timeline or unlimited (anything else: validated later)."""
    if value is None or value in ("timeline", "unlimited"):
        return value
    try:
        return float(value)
    except ValueError:
        return value


def _as_options(exc: Any, given: dict[str, Any], prefix: str) -> Any:
    """Problems at keys the command line set, named by their option."""
    from campaign_sim.errors import InputError, Problem

    lead = f"{prefix}." if prefix else ""
    moved, kept = [], []
    for problem in exc.problems:
        path = problem.path.removeprefix(lead)
        key = re.split(r"[.\[]", path, maxsplit=1)[0]
        if key in given:
            moved.append(Problem(_OPTION_KEYS[key], problem.message))
        else:
            kept.append(problem)
    if not moved:
        return exc
    if kept:
        return InputError(exc.source, [*kept, *moved])
    return InputError(None, moved)


def _fingerprint(scenario: Any, problem: Any, seed: int | None) -> str:
    """What a stopped search's items belong to: the scenario, the problem and the seed."""
    import hashlib

    from campaign_sim import __version__

    decisions = [(d.name, d.kind, d.low, d.high, d.step, d.budget) for d in problem.decisions]
    stated = (
        decisions,
        problem.objective.name,
        problem.maximise,
        [str(limit) for limit in problem.limits],
        [(lin.name, lin.coefficients, lin.op, lin.bound) for lin in problem.linear],
        problem.campaigns,
        problem.tighten,
        problem.restarts,
        problem.exhaustive,
    )
    text = repr((scenario.digest, stated, seed, __version__))
    return hashlib.sha256(text.encode()).hexdigest()
