"""``calibrate`` and ``pilot``: learn a brand's persistent levels from observed creators, and
size a pilot before paying for it (docs/calibration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import format_option, quiet_option, scenario_argument, seed_option
from campaign_sim.cli.output import echo_json, note, progress_bar, stdout

__all__ = ["calibrate", "pilot"]

#: The quantities a pilot can size (campaign_sim.calibration.sizing.COLUMNS_OF, literal here
#: so that --help imports no numpy).
PILOT_QUANTITIES = ("engagement_rate", "reach_rate", "conversion_rate", "fee")
DEFAULT_SIZES = "3,6,12,24,48"
MAX_SIZE = 1000


def _default_out(observed: Path) -> Path:
    return observed.with_name(f"{observed.stem}.priors.yaml")


@click.command(
    short_help="Calibrate the priors with observed creators: a priors file for --priors.",
    epilog=examples(
        "campaign-sim calibrate scenarios/coffee-launch.yaml pilot.csv",
        "campaign-sim calibrate scenarios/coffee-launch.yaml pilot.xlsx --out coffee.priors.yaml",
        "campaign-sim calibrate scenarios/coffee-launch.yaml pilot.csv --report calib/ -n 20000",
        "campaign-sim calibrate scenarios/coffee-launch.yaml pilot.csv --format csv > changes.csv",
        "campaign-sim run scenarios/coffee-launch.yaml --priors pilot.priors.yaml",
    ),
)
@scenario_argument
@click.argument("observed", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Where to write the calibrated priors file [default: <OBSERVED stem>.priors.yaml "
    "beside OBSERVED].",
)
@click.option(
    "--product",
    default=None,
    metavar="NAME",
    help="Whose appeal the scenario plans for (rows of other products inform the pools but "
    "not this product's appeal) [default: the scenario's name].",
)
@seed_option("Seed of the importance sampling and the predictive check.", default=0)
@click.option(
    "--report",
    "report",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Also write DIR/calibration.csv, predictive.csv, calibration.png (prior against "
    "posterior per quantity) and before-after.csv (every strategy simulated with the original "
    "and the calibrated priors), and print the before-and-after table.",
)
@click.option(
    "--campaigns",
    "-n",
    type=click.IntRange(min=1),
    default=20_000,
    show_default=True,
    help="Campaigns per simulation of --report's before and after (same seed for both: the "
    "scenario's simulation.seed).",
)
@format_option("csv", "json")
@quiet_option
def calibrate(
    scenario: Path,
    observed: Path,
    out: Path | None,
    product: str | None,
    seed: int,
    report: Path | None,
    campaigns: int,
    fmt: str,
    quiet: bool,
) -> Path:
    """Calibrate SCENARIO's priors with the creators observed in OBSERVED (.csv or .xlsx, one
    row per creator per past campaign) and write a priors file for `--priors`.

    The file is the scenario's base priors with a `calibration` block: the brand's persistent
    levels the data speak to (engagement, reach and conversion rates, fees, the product's
    appeal, the order value), as one joint posterior. Data go to stdout (the table of what
    changed; --format csv or json); progress and where files were written go to stderr.
    A bad OBSERVED file exits with status 2, naming its row and column.
    """
    import yaml

    from campaign_sim.calibration.observed import read_observed
    from campaign_sim.calibration.update import calibrate as run_calibration
    from campaign_sim.calibration.writeback import calibrated_document
    from campaign_sim.results.folder import atomic_write_text
    from campaign_sim.scenario.loading import load_scenario

    plan = load_scenario(scenario)
    data = read_observed(observed, plan)
    with progress_bar("calibrating", 1, "steps", quiet=quiet) as bar:
        result = run_calibration(plan, data, product=product or plan.name, seed=seed)
        bar(1)
    document = calibrated_document(plan, result)
    out = out if out is not None else _default_out(observed)
    atomic_write_text(out, yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    note(f"calibrated priors written to {out} (use: --priors {out})")
    comparison = None
    if report is not None:
        comparison = _before_after(scenario, plan, out, campaigns, quiet)
        from campaign_sim.reports.calibration import write_calibration_report

        write_calibration_report(
            report, result, currency=plan.currency, title=plan.name, before_after=comparison
        )
        note(f"calibration report written to {report}/")
    if fmt == "csv":
        click.echo(result.frame().to_csv(index=False), nl=False)
    elif fmt == "json":
        echo_json(_document(result, out, comparison))
    else:
        from campaign_sim.cli.tables.calibration import before_after_table, calibration_table

        calibration_table(result, plan.currency, stdout())
        if comparison is not None:
            before_after_table(comparison, plan.currency, campaigns, stdout())
    return out


def _before_after(scenario: Path, plan: Any, written: Path, campaigns: int, quiet: bool) -> Any:
    """Every strategy simulated with the original priors and with the written file (the same
    campaigns and seed): :func:`campaign_sim.reports.calibration.before_after_frame`."""
    from campaign_sim.pipeline import run_scenario
    from campaign_sim.reports.calibration import before_after_frame
    from campaign_sim.scenario.loading import load_scenario

    calibrated = load_scenario(scenario, priors=written)
    summaries = []
    for label, which in (("original priors", plan), ("calibrated priors", calibrated)):
        with progress_bar(f"simulating, {label}", campaigns, quiet=quiet) as bar:
            summaries.append(run_scenario(which, campaigns=campaigns, progress=bar).summary)
    return before_after_frame(*summaries)


def _document(result: Any, out: Path, comparison: Any) -> dict[str, Any]:
    import numpy as np

    p = (
        result.predictive["percentile"].dropna().to_numpy()
        if "percentile" in result.predictive
        else np.array([])
    )
    outside = int(((p < 5) | (p > 95)).sum()) if len(p) else 0
    doc: dict[str, Any] = {
        "priors_file": str(out),
        "quantities": result.frame().to_dict("records"),
        "predictive": {
            "checked": len(p),
            "outside_p5_p95": outside,
            "share_outside": result.outside_share(),
            "expected_share": 0.10,
        },
        "untouched": list(result.untouched),
        "provenance": result.provenance,
    }
    if comparison is not None:
        doc["before_after"] = comparison.to_dict("records")
    return doc


def _sizes(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, ...]:
    parts = [part.strip() for part in value.split(",")]
    if not any(parts):
        raise click.BadParameter("give at least one pilot size, e.g. 3,6,12")
    sizes = []
    for part in parts:
        if not part:
            raise click.BadParameter(f"{value!r} has an empty size; write e.g. 3,6,12")
        try:
            size = int(part)
        except ValueError:
            raise click.BadParameter(
                f"{part!r} is not a whole number of creators; write e.g. 3,6,12"
            ) from None
        if not 1 <= size <= MAX_SIZE:
            raise click.BadParameter(f"{size} creators: a pilot size is 1 to {MAX_SIZE:,}")
        sizes.append(size)
    return tuple(sorted(set(sizes)))


@click.command(
    short_help="Size a pilot: what n creators of a pool would teach, before paying for it.",
    epilog=examples(
        "campaign-sim pilot scenarios/coffee-launch.yaml nano/instagram",
        "campaign-sim pilot scenarios/coffee-launch.yaml micro/instagram --quantity fee",
        "campaign-sim pilot scenarios/coffee-launch.yaml nano/instagram --quantity "
        "conversion_rate --sizes 10,20,40 --replicates 200 --format csv > sizing.csv",
    ),
)
@scenario_argument
@click.argument("pool")
@click.option(
    "--quantity",
    type=click.Choice(PILOT_QUANTITIES),
    default="engagement_rate",
    show_default=True,
    help="The pool's quantity the pilot would measure.",
)
@click.option(
    "--sizes",
    default=DEFAULT_SIZES,
    show_default=True,
    callback=_sizes,
    metavar="N,N,...",
    help=f"Pilot sizes in creators (whole numbers, 1 to {MAX_SIZE:,}).",
)
@click.option(
    "--replicates",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Simulated pilots per size (a truth from the prior, a pilot, its posterior).",
)
@seed_option("Seed of the simulated truths and pilots (the same seed, the same table).", default=0)
@format_option("csv", "json")
@quiet_option
def pilot(
    scenario: Path,
    pool: str,
    quantity: str,
    sizes: tuple[int, ...],
    replicates: int,
    seed: int,
    fmt: str,
    quiet: bool,
) -> None:
    """How much a one-campaign pilot of n creators of POOL (e.g. nano/instagram) would narrow
    SCENARIO's uncertainty about the next campaign's QUANTITY.

    Preposterior simulation: per size, REPLICATES truths drawn from the prior, a simulated
    pilot each, and its posterior. Data go to stdout (--format csv or json); progress to
    stderr.
    """
    from campaign_sim.calibration.sizing import pilot_sizing
    from campaign_sim.scenario.loading import load_scenario

    plan = load_scenario(scenario)
    _check_pool(plan, pool, quantity)
    with progress_bar(
        "simulating pilots", len(sizes) * replicates, "replicates", quiet=quiet
    ) as bar:
        frame = pilot_sizing(plan, pool, quantity, sizes, replicates, seed, progress=bar)
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        echo_json({"pool": pool, "quantity": quantity, "rows": frame.to_dict("records")})
    else:
        from campaign_sim.cli.tables.calibration import pilot_table

        pilot_table(frame, pool, quantity, plan.currency, stdout())


def _check_pool(plan: Any, pool: str, quantity: str) -> None:
    """POOL names a tier and platform of the scenario's priors, and its QUANTITY has a
    persistent pool level to learn; else an input error with a suggestion."""
    from campaign_sim.calibration.observation import pool_priors
    from campaign_sim.errors import InputError
    from campaign_sim.scenario.strict import suggest

    tiers = sorted({p.tier for p in plan.priors})
    platforms = sorted(
        {p.platform for p in plan.priors if p.platform}
        | {g.pool.split("/", 1)[1] for g in plan.groups}
    )
    pools = sorted({g.pool for g in plan.groups} | {f"{t}/{p}" for t in tiers for p in platforms})
    tier, _, platform = pool.partition("/")
    if not platform or tier not in tiers or platform not in platforms:
        raise InputError.single(
            plan.source,
            "POOL",
            f"{pool!r} is not a pool of the scenario's priors (tier/platform, e.g. "
            f"{pools[0] if pools else 'nano/instagram'}){suggest(pool, pools)}",
        )
    prior = pool_priors(plan, tier, platform).get(quantity)
    why = None
    if prior is None:
        why = "has no prior for it"
    elif not prior.pooled:
        why = "has independent creators (shared 0): no pool level a pilot could learn"
    elif prior.persistent == 0:
        why = "has no persistent part (persistent 0): a pilot would not carry over"
    elif quantity != "fee" and prior.describes != "level":
        why = "is a creators prior: calibration learns levels of rates only"
    if why is not None:
        learnable = [
            q
            for q in PILOT_QUANTITIES
            if (p := pool_priors(plan, tier, platform).get(q)) is not None
            and p.pooled
            and p.persistent > 0
            and (q == "fee" or p.describes == "level")
        ]
        hint = f"; learnable here: {', '.join(learnable)}" if learnable else ""
        raise InputError.single(plan.source, "--quantity", f"{quantity} of {pool} {why}{hint}")
