"""``run`` and ``compare``: simulate a scenario's strategies, summarize, compare two."""

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
    sampling_options,
    scenario_argument,
    seed_option,
    stack,
)
from campaign_sim.cli.output import echo_json, note, progress_bar, stdout, warn

simulation_options = stack(
    campaigns_option("Campaigns to simulate [default: the scenario's simulation.campaigns]."),
    seed_option(),
    priors_option,
    out_option("results/<scenario>-<command>"),
    executor_options(),
    click.option(
        "--save-outcomes",
        is_flag=True,
        help="Also write every campaign's outcomes (outcomes.parquet).",
    ),
    sampling_options,
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
)


def summary_csv(summary: Any) -> str:
    """The tidy summary (a row per strategy and metric) with each strategy's risk columns
    (P(loss), P(ROI > target), value at risk, expected shortfall, ...) on its rows."""
    risk = summary.risk_frame()
    risk = risk.rename(columns={c: c if c == "strategy" else f"risk_{c}" for c in risk.columns})
    return summary.frame().merge(risk, on="strategy", how="left").to_csv(index=False)


def _simulate(scenario: Path, options: dict[str, Any], compare: tuple | None) -> Any:
    """Load, check the destination and the memory, simulate with a progress bar, say how
    precise the run is, write the folder."""
    from campaign_sim.engine.limits import OPTIONS, check_run
    from campaign_sim.pipeline import pair, run_scenario
    from campaign_sim.results.folder import check_out, default_out
    from campaign_sim.results.run import write_run
    from campaign_sim.scenario.loading import load_scenario

    plan = load_scenario(scenario, priors=options["priors"])
    if compare is not None:
        pair(plan, *compare)  # the strategies exist and differ, before anything runs
    out = check_out(options["out"] or default_out(plan.source, "compare" if compare else "run"))
    precise = options["precision"] is not None
    check_run(
        plan,
        campaigns=options["max_campaigns"] if precise else options["campaigns"],
        campaigns_name="max_campaigns" if precise else "campaigns",
        chunk_size=options["chunk_size"],
        workers=options["workers"],
        executor=options["executor"],
        scheduler=options["scheduler"],
        usage="precision" if precise else "outcomes",
        copies=3 if options["save_outcomes"] else 1,  # + the table of every campaign
        names=OPTIONS,
    )
    planned = options["max_campaigns"] if options["precision"] else options["campaigns"]
    with progress_bar("simulating", planned or plan.campaigns, quiet=options["quiet"]) as bar:
        result = run_scenario(
            plan,
            campaigns=options["campaigns"],
            seed=options["seed"],
            sampling=options["sampling"],
            antithetic=options["antithetic"],
            precision=options["precision"],
            max_campaigns=options["max_campaigns"],
            compare=compare,
            chunk_size=options["chunk_size"],
            workers=options["workers"],
            executor=options["executor"],
            scheduler=options["scheduler"],
            progress=bar,
        )
    if result.convergence is not None:
        verdict = "reached" if result.convergence.converged else "NOT reached (cap)"
        note(
            f"precision ±{result.convergence.precision:g} on mean ROI and P(loss) {verdict} "
            f"after {result.outcomes.campaigns:,} campaigns"
        )
    for warning in result.warnings:
        warn(warning)
    out = write_run(out, result, save_outcomes=options["save_outcomes"])
    note(f"results written to {out}/")
    return result, out


@click.command(
    short_help="Simulate every strategy: ROI intervals and risk profiles.",
    epilog=examples(
        "campaign-sim run scenarios/coffee-launch.yaml",
        "campaign-sim run scenarios/skincare.yaml -n 50000 --format csv > summary.csv",
        "campaign-sim run scenarios/coffee-launch.yaml --priors calibrated.yaml",
    ),
)
@report_options
@scenario_argument
@simulation_options
@format_option("json", "csv")
def run(scenario: Path, fmt: str, **options: Any) -> Path:
    """Simulate every strategy of SCENARIO and report ROI intervals and risk profiles.

    Writes a results folder (summary.csv, risk.csv, quantiles.csv, priors.csv, summary.json,
    manifest.json; outcomes.parquet with --save-outcomes). --format csv prints the summary with
    each strategy's risk columns (risk_*) on its rows.
    """
    from campaign_sim.results.run import run_document

    result, out = _simulate(scenario, options, compare=None)
    if fmt == "json":
        echo_json(run_document(result))
    elif fmt == "csv":
        click.echo(summary_csv(result.summary), nl=False)
    else:
        from campaign_sim.cli.tables.summary import summary_tables

        summary_tables(
            result.summary, result.scenario.currency, stdout(), months=_months(result.scenario)
        )
    return out


def _months(scenario: Any) -> int | None:
    """The repeat buyers' horizon in months (None: the scenario has no repeat buyers)."""
    repeat = scenario.funnel.repeat
    return None if repeat is None else int(repeat.months)


@click.command(
    short_help="Compare two strategies campaign by campaign (paired).",
    epilog=examples(
        "campaign-sim compare scenarios/coffee-launch.yaml",
        "campaign-sim compare scenarios/mix-coffee.yaml feed video --precision 0.005 --report",
        "campaign-sim compare scenarios/coffee-launch.yaml --priors calibrated.yaml",
    ),
)
@report_options
@scenario_argument
@click.argument("a", required=False)
@click.argument("b", required=False)
@simulation_options
@format_option("json", "csv")
def compare(scenario: Path, a: str | None, b: str | None, fmt: str, **options: Any) -> Path:
    """Compare strategy A with B in SCENARIO, campaign by campaign (paired).

    A and B default to the scenario's first two strategies. Reports the mean difference of ROI
    and profit with its CI, P(A beats B) with its CI, and both risk profiles. --format csv
    prints the comparison (a row per metric).
    """
    from campaign_sim.results.run import run_document

    if (a is None) != (b is None):
        raise click.UsageError("give both strategies A and B, or neither")
    result, out = _simulate(scenario, options, compare=(a, b))
    if fmt == "json":
        echo_json(run_document(result))
    elif fmt == "csv":
        click.echo(result.comparison.frame().to_csv(index=False), nl=False)
    else:
        from campaign_sim.cli.tables.summary import comparison_tables, summary_tables

        months = _months(result.scenario)
        comparison_tables(result.comparison, result.summary.labels, stdout(), months=months)
        summary_tables(result.summary, result.scenario.currency, stdout(), months=months)
    return out
