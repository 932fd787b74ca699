"""``horizon``: K campaigns of one brand sharing the persistent parts, against independent ones."""

from __future__ import annotations

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
    scenario_argument,
    seed_option,
)
from campaign_sim.cli.output import echo_json, note, progress_bar, stdout

#: Default brands (campaign_sim.analysis.horizon.DEFAULT_BRANDS, literal so --help imports no
#: numpy) and fewest campaigns per brand (MIN_PER_BRAND).
DEFAULT_BRANDS = 2_000
MIN_PER_BRAND = 200


def _check_memory(plan: Any, horizon: int, brands: int, options: dict[str, Any]) -> None:
    """The memory check of a run of ``brands x max(horizon, 200)`` campaigns, its refusal
    naming the option that makes it large."""
    from campaign_sim.engine.limits import OPTIONS, check_run
    from campaign_sim.errors import InputError, Problem

    per_brand = max(horizon, MIN_PER_BRAND)
    option = "--horizon" if horizon > MIN_PER_BRAND and horizon >= brands else "--brands"
    try:
        check_run(
            plan,
            campaigns=brands * per_brand,
            chunk_size=options["chunk_size"],
            workers=options["workers"],
            executor=options["executor"],
            scheduler=options["scheduler"],
            names={**OPTIONS, "campaigns": option},
        )
    except InputError as exc:
        problems = [
            Problem(
                p.path,
                f"{brands:,} brands x {per_brand:,} campaigns each (max(--horizon, "
                f"{MIN_PER_BRAND})) = {p.message}",
                p.line,
            )
            if p.path == option
            else p
            for p in exc.problems
        ]
        raise InputError(exc.source, problems) from None


@click.command(
    short_help="K campaigns of one brand: P(at least one loss), total profit, risk spread.",
    epilog=examples(
        "campaign-sim horizon scenarios/coffee-launch.yaml --horizon 4",
        "campaign-sim horizon scenarios/skincare.yaml -k 12 --brands 500 --format csv",
        "campaign-sim horizon scenarios/coffee-launch.yaml -k 4 --priors calibrated.yaml",
    ),
)
@scenario_argument
@priors_option
@click.option(
    "--horizon",
    "-k",
    type=click.IntRange(min=1),
    required=True,
    help="Campaigns one brand runs (K), sharing the persistent parts.",
)
@click.option(
    "--brands",
    "-b",
    type=click.IntRange(min=2),
    default=DEFAULT_BRANDS,
    show_default=True,
    help=f"Brands to simulate, each with max(K, {MIN_PER_BRAND}) campaigns.",
)
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    help="Strategy to simulate (repeatable) [default: every strategy].",
)
@seed_option()
@out_option("results/<scenario>-horizon")
@executor_options()
@format_option("json", "csv")
@quiet_option
def horizon(
    scenario: Path,
    priors: Path | None,
    horizon: int,
    brands: int,
    strategies: tuple[str, ...],
    seed: int | None,
    out: Path | None,
    fmt: str,
    quiet: bool,
    **options: Any,
) -> Path:
    """Run K campaigns of one brand: the risk over a horizon of repeated campaigns.

    A brand's campaigns share the persistent part of every pool level, shared fee factor and
    the shock (its creators' typical engagement, its product's appeal); only the rest is new in
    each campaign. Simulates --brands brands of max(K, 200) campaigns each and reports, per
    strategy: P(loss) of the next campaign, P(at least one loss in K campaigns), total profit
    over K campaigns (mean, P5, median, P95, P(total < 0)) and the spread over brands of
    P(loss | persistent level), each beside its value if campaigns were independent.

    Writes horizon.csv (a row per strategy and statistic), brands.csv (a row per brand and
    strategy), horizon.json, priors.csv and manifest.json. --format csv prints horizon.csv.
    """
    import time

    from campaign_sim.analysis.horizon import simulate_horizon
    from campaign_sim.engine.executors import make_executor
    from campaign_sim.results.folder import check_out, default_out
    from campaign_sim.results.horizon import horizon_json, write_horizon
    from campaign_sim.scenario.loading import load_scenario

    plan = load_scenario(scenario, priors=priors)
    for name in strategies:
        plan.strategy(name)  # every strategy exists, before anything runs
    out = check_out(out or default_out(plan.source, "horizon"))
    _check_memory(plan, horizon, brands, options)
    total = brands * max(horizon, MIN_PER_BRAND)
    runner = make_executor(
        options["executor"], workers=options["workers"], scheduler=options["scheduler"]
    )
    done = [0]
    with runner, progress_bar("horizon", total, quiet=quiet) as bar:

        def advance(size: int) -> None:
            done[0] += size
            bar(done[0])

        started = time.perf_counter()
        result = simulate_horizon(
            plan,
            horizon=horizon,
            brands=brands,
            strategies=strategies,
            seed=seed,
            chunk_size=options["chunk_size"],
            executor=runner,
            progress=advance,
        )
        seconds = time.perf_counter() - started
    target = write_horizon(
        out,
        plan,
        result,
        seconds=seconds,
        settings={
            "executor": runner.label,
            "workers": options["workers"],
            "chunk_size": options["chunk_size"],
        },
    )
    note(f"results written to {target}/")
    if fmt == "json":
        echo_json(horizon_json(plan, result))
    elif fmt == "csv":
        click.echo(result.frame().to_csv(index=False), nl=False)
    else:
        from campaign_sim.cli.tables.horizon import horizon_tables

        horizon_tables(result, plan.currency, stdout())
    return target
