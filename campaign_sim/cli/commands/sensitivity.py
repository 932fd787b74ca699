"""``sensitivity``: what drives an outcome, ranked, swung and (optionally) Sobol indices."""

from __future__ import annotations

from pathlib import Path

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import (
    SAMPLING_METHODS,
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

#: The outcomes whose drivers can be ranked (campaign_sim.metrics; literal for a fast --help).
OUTPUTS = (
    "roi",
    "roas",
    "profit",
    "revenue",
    "gross_profit",
    "cost",
    "conversions",
    "engagements",
    "reach",
    "cpm",
    "cpe",
    "cpa",
    "creators",
    "delivered",
    "amplified_reach",
    "amplified_engagements",
    "amplified_orders",
    "unique_reach",
    "frequency",
    "cpm_unique",
    "attributed_orders",
    "attributed_revenue",
    "repeat_orders",
    "revenue_horizon",
    "profit_horizon",
    "roi_horizon",
    "fees",
    "commission",
    "fee_tax",
    "product_cost",
    "gifted",
    "overhead_cost",
)
STEPS = {
    "rank": "ranking inputs (campaigns)",
    "swing": "swings (simulations)",
    "split": "variance split (campaigns)",
    "sobol": "Sobol indices (campaigns)",
}


@click.command(
    short_help="Rank what drives ROI (or another outcome), with swings.",
    epilog=examples(
        "campaign-sim sensitivity scenarios/coffee-launch.yaml",
        "campaign-sim sensitivity scenarios/skincare.yaml --output profit --sobol",
        "campaign-sim sensitivity scenarios/coffee-launch.yaml --priors calibrated.yaml",
    ),
)
@report_options
@scenario_argument
@priors_option
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    help="Strategy to analyse (repeatable) [default: every strategy].",
)
@click.option(
    "--output",
    type=click.Choice(OUTPUTS),
    default="roi",
    show_default=True,
    help="Outcome whose drivers are ranked.",
)
@campaigns_option(
    "Campaigns per simulation [default: the scenario's simulation.campaigns].", minimum=8
)
@seed_option()
@out_option("results/<scenario>-sensitivity")
@executor_options()
@click.option(
    "--sampling",
    type=click.Choice(SAMPLING_METHODS),
    default=None,
    help="Sampling of the ranked run and the swings [default: the scenario's].",
)
@click.option(
    "--split/--no-split",
    default=True,
    show_default=True,
    help="Split the variance into what a pilot could learn, campaign-to-campaign variation "
    "and creator luck (Sobol indices of three groups; costs 5 x campaigns evaluations).",
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
    priors: Path | None,
    strategies: tuple[str, ...],
    output: str,
    campaigns: int | None,
    seed: int | None,
    out: Path | None,
    workers: int,
    executor: str | None,
    scheduler: str | None,
    chunk_size: int,
    sampling: str | None,
    split: bool,
    sobol: bool,
    top: int,
    fmt: str,
    quiet: bool,
) -> Path:
    """What drives OUTPUT (ROI by default) in SCENARIO: its variance split into what a pilot
    could learn, campaign-to-campaign variation and creator luck; every uncertain input ranked
    by Spearman correlation and contribution to variance; and a one-at-a-time swing of each
    scenario-level input (order value, shock, each pool level and shared factor) from its P10
    to its P90.

    Writes split.csv, sensitivity.csv/.parquet, swing.csv/.parquet (the tornado chart),
    sobol.csv with --sobol, priors.csv and manifest.json.
    """
    from campaign_sim.engine.limits import OPTIONS, check_run
    from campaign_sim.pipeline import analyse_sensitivity
    from campaign_sim.results.folder import check_out, default_out
    from campaign_sim.results.run import sensitivity_document, write_sensitivity
    from campaign_sim.scenario.loading import load_scenario

    plan = load_scenario(scenario, priors=priors)
    out = check_out(out or default_out(plan.source, "sensitivity"))
    for usage in ("drivers", "sobol") if sobol or split else ("drivers",):
        check_run(
            plan,
            campaigns=campaigns,
            chunk_size=chunk_size,
            workers=workers,
            executor=executor,
            scheduler=scheduler,
            usage=usage,
            names=OPTIONS,
        )
    with progress_bar(STEPS["rank"], plan.campaigns, unit="", quiet=quiet) as bar:
        result = analyse_sensitivity(
            plan,
            output=output,
            strategies=strategies,
            campaigns=campaigns,
            seed=seed,
            sampling=sampling,
            sobol=sobol,
            split=split,
            chunk_size=chunk_size,
            workers=workers,
            executor=executor,
            scheduler=scheduler,
            progress=lambda step, done, total: bar(
                done, total, None if step == "rank" else STEPS[step]
            ),
        )
    target = write_sensitivity(out, result)
    note(f"results written to {target}/")
    if fmt == "json":
        echo_json(sensitivity_document(result))
    else:
        from campaign_sim.cli.tables.sensitivity import sensitivity_tables

        labels = {s.name: s.label for s in plan.strategies if s.name in result.strategies}
        sensitivity_tables(
            result.ranked, result.swung, result.sobol, labels, stdout(), top=top, split=result.split
        )
    return target
