"""``check``: the figures the sources state about whole mixes against what the priors imply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import (
    campaigns_option,
    format_option,
    prior_set_option,
    quiet_option,
    seed_option,
)
from campaign_sim.cli.output import echo_json, progress_bar, stdout

#: The check's defaults (campaign_sim.analysis.stated, kept literal so --help imports no numpy).
DEFAULT_CAMPAIGNS = 10_000
DEFAULT_SEED = 1


@click.command(
    short_help="Stated outcomes (CPM, reach, ROAS of cases) against the priors.",
    epilog=examples(
        "campaign-sim check",
        "campaign-sim check scenarios/coffee-launch.yaml",
        "campaign-sim check --campaigns 50000 --format csv > stated.csv",
    ),
)
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@prior_set_option("Prior set whose stated figures to check when no SCENARIO is given.")
@campaigns_option(f"Campaigns per stated figure [default: {DEFAULT_CAMPAIGNS:,}].")
@seed_option(f"Random seed, the same for every figure [default: {DEFAULT_SEED}].")
@format_option("json", "csv")
@quiet_option
def check(
    scenario: Path | None,
    prior_set: str,
    campaigns: int | None,
    seed: int | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Put each figure the sources state about a whole mix (the `stated:` section of a priors
    file: a CPM benchmark, a case's reach or ROAS) next to what the priors imply.

    Each figure's mix is simulated alone: the model's P5 / P50 / P95 of its metric, the
    percentile of the stated figure (of lo and hi for a range) and a verdict (inside,
    overlaps, below or above P5 – P95). CPM and CPE figures also go through the fee rule: the
    fee prior's P5 – P95 divided by the stated range is the reach (engagements) a post needs;
    against the follower prior, a pair of figures that cannot both hold is named.

    With SCENARIO, its prior set with its overrides and its economics (order value, margin,
    conversion base); without, the prior set of --set and the coffee launch's economics. Only
    ROAS and CPA depend on the economics.
    """
    from campaign_sim.analysis.stated import DEFAULT_ECONOMICS, MIX_SETTINGS, check_stated
    from campaign_sim.scenario.loading import load_scenario

    economics: dict[str, Any] = DEFAULT_ECONOMICS
    economics_from = "the coffee launch's (default)"
    relative_to = None
    overrides: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    if scenario is not None:
        plan = load_scenario(scenario)
        prior_set = plan.model.priors.base
        relative_to = scenario.parent
        economics = {**plan.data.get("economics", {}), "fixed_cost": 0}
        economics_from = f"{scenario}'s (fixed cost 0)"
        overrides = plan.data.get("priors", {}).get("tiers", {})
        settings = {key: plan.data[key] for key in MIX_SETTINGS if key in plan.data}
    from campaign_sim.scenario.resolve import load_priors_file

    n = campaigns or DEFAULT_CAMPAIGNS
    stated = load_priors_file(prior_set, relative_to)[0].stated
    done = 0
    with progress_bar("checking stated figures", n * len(stated), quiet=quiet) as bar:

        def advance(chunk: int) -> None:
            nonlocal done
            done += chunk
            bar(done, n * len(stated))

        result = check_stated(
            prior_set,
            relative_to=relative_to,
            economics=economics,
            economics_from=economics_from,
            overrides=overrides,
            settings=settings,
            campaigns=n,
            seed=DEFAULT_SEED if seed is None else seed,
            progress=advance,
        )
    if fmt == "csv":
        click.echo(result.to_df().to_csv(index=False), nl=False)
    elif fmt == "json":
        echo_json(
            {
                "priors": result.priors,
                "economics": result.economics,
                "campaigns": result.campaigns,
                "seed": result.seed,
                "checks": result.to_df().to_dict(orient="records"),
                "fee_rule": result.conflicts_df().to_dict(orient="records"),
            }
        )
    else:
        _table(result)


def _table(result: Any) -> None:
    from campaign_sim.cli.tables.layout import Col, Grid, Paragraph

    grid = Grid(
        [
            Col("stated figure", justify="left", key=True, text=True, floor=16),
            Col("metric", justify="left", stack="what"),
            Col("stated", stack="what"),
            Col("P5", stack="model"),
            Col("P50", stack="model"),
            Col("P95", stack="model"),
            Col("percentile of stated", short="percentile", stack="where"),
            Col("verdict", justify="left", stack="where"),
        ],
        title=(
            f"Stated figures against the priors '{result.priors}' ({result.campaigns:,} "
            f"campaigns per figure, seed {result.seed}; economics: {result.economics})"
        ),
        caption=(
            "P5 / P50 / P95: the model's outcome interval of the metric for the figure's mix "
            "(money in TWD; reach summed over posts). percentile: the share of simulated "
            "campaigns at or below the stated figure (of lo – hi for a range). verdict: where "
            "it lies against P5 – P95."
        ),
    )
    for check in result.checks:
        cells = check.cells()
        grid.add_row(
            check.name,
            check.metric,
            cells["stated"],
            cells["p5"],
            cells["p50"],
            cells["p95"],
            cells["percentile"],
            cells["verdict"],
        )
    console = stdout()
    grid.print(console)
    if result.conflicts:
        console.print(Paragraph("Fee rule (fee prior P5 – P95 / stated CPM or CPE):"))
        for conflict in result.conflicts:
            console.print(Paragraph(f"- {conflict.message}"))
