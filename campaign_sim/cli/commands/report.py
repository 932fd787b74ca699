"""``report``: charts, workbook, deck and Markdown from a results folder, never re-simulating."""

from __future__ import annotations

from pathlib import Path

import click

from campaign_sim.cli.help import examples
from campaign_sim.cli.options import REPORT_LANGUAGES
from campaign_sim.cli.output import note


@click.command(
    short_help="Build charts, workbook, deck and Markdown from a results folder.",
    epilog=examples(
        "campaign-sim report results/coffee-launch-compare",
        "campaign-sim report results/coffee-launch-compare --lang zh-TW --format pptx,xlsx",
    ),
)
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
    """Build charts, an Excel workbook, a PowerPoint deck, a Markdown and an HTML report
    from the results folder RESULTS_DIR (of run, compare, sweep, timeline, sensitivity or
    optimize), without simulating again. Prints the files written, one per line. See
    docs/reports.md.
    """
    from campaign_sim.reports import build_report

    built = build_report(results_dir, formats=formats, lang=lang, out=out)
    for name in built.files:
        click.echo(str(built.folder / name))
    note(f"report written to {built.folder}/")
