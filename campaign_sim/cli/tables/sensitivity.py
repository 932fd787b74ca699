"""Terminal tables (rich) for sensitivity results: the variance split, ranked drivers, tornado
swing, Sobol."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from campaign_sim.cli.tables.layout import Col, Grid, with_interval
from campaign_sim.cli.tables.summary import fmt

__all__ = ["sensitivity_tables", "split_sentence"]


def sensitivity_tables(
    ranked: pd.DataFrame,
    swing: pd.DataFrame,
    sobol: pd.DataFrame | None,
    labels: dict[str, str],
    console: Console,
    *,
    top: int = 12,
    split: pd.DataFrame | None = None,
) -> None:
    """Per strategy: the variance split (pilot, campaign, creator luck), the ``top`` inputs by
    contribution, the swing (tornado), Sobol indices."""
    for name in labels:
        if split is not None and not split.empty:
            _split_table(split, name, labels[name], console)
        rows = ranked[ranked["strategy"] == name] if not ranked.empty else ranked
        if not rows.empty:
            output = rows["output"].iloc[0]
            leader = rows.sort_values("rank").iloc[0]
            console.print(
                f"[bold]{labels[name]}: the largest share of the variance of {output} comes "
                f"from {leader['input']} ({100 * leader['contribution']:.1f}%).[/bold]",
                soft_wrap=False,
            )
            shown = min(top, len(rows))
            table = Grid(
                [
                    Col("#", key=True),
                    Col("input", justify="left", key=True, text=True, floor=24),
                    Col("Spearman [95% CI]", short="Spearman\n[95% CI]"),
                    Col("SRRC"),
                    Col("contribution"),
                ],
                title=f"{labels[name]} ({name}) — what drives {output}: "
                f"{int(rows['n'].iloc[0]):,} campaigns, rank regression R² = "
                f"{rows['rank_r2'].iloc[0]:.2f}",
                caption=f"{shown} of {len(rows)} inputs shown (all in sensitivity.csv). "
                "Contribution: share of the variance of the output's ranks, "
                "R² x SRRC² / ΣSRRC².",
            )
            for row in rows.head(top).itertuples():
                table.add_row(
                    str(row.rank),
                    row.input,
                    with_interval(
                        f"{row.spearman:+.3f}",
                        f"{row.spearman_ci_low:+.3f}",
                        f"{row.spearman_ci_high:+.3f}",
                    ),
                    f"{row.srrc:+.3f}",
                    f"{100 * row.contribution:.1f}%",
                )
            table.print(console)
        _swing_table(swing, name, labels[name], console, top)
        if sobol is not None and not sobol.empty:
            _sobol_table(sobol, name, labels[name], console)


def _swing_table(swing: pd.DataFrame, name: str, label: str, console: Console, top: int) -> None:
    rows = swing[swing["strategy"] == name] if not swing.empty else swing
    if "kind" in rows:  # every creator at once is no pool-level uncertainty: swing.csv only
        rows = rows[rows["kind"] != "all creators"]
    if rows.empty:
        return
    output = rows["output"].iloc[0]
    table = Grid(
        [
            Col("input", justify="left", key=True, text=True, floor=24),
            Col("P10", stack="input"),
            Col("P90", stack="input"),
            Col(f"mean {output} at P10", short=f"mean {output}\nat P10", stack="mean"),
            Col("at P90", stack="mean"),
            Col("swing"),
        ],
        title=f"What if one input sat at its P10 or P90? {label} — swing of mean {output}, "
        f"one input at a time (base {fmt(rows['base'].iloc[0], output)})",
        caption="A level at P10 puts the pool's mean creator there (creators still spread "
        "around it); a shared factor at P10 moves every creator's fee (or other draw) by the "
        "pool's part only. Priors of creators without a shared part (followers) are creator "
        "luck: in swing.csv as 'all creators', not here. ± is the 95% estimate interval "
        "(paired).",
    )
    for row in rows.head(top).itertuples():
        table.add_row(
            row.input,
            fmt(row.low_value),
            fmt(row.high_value),
            fmt(row.at_low, output),
            fmt(row.at_high, output),
            (fmt(row.swing, output), f"± {fmt(1.96 * row.swing_se, output)}"),
        )
    table.print(console)


def _sobol_table(sobol: pd.DataFrame, name: str, label: str, console: Console) -> None:
    rows = sobol[sobol["strategy"] == name]
    if rows.empty:
        return
    table = Grid(
        [
            Col("input", justify="left", key=True, text=True, floor=24),
            Col("first order S1 [95% CI]", short="first order\nS1 [95% CI]"),
            Col("total order ST [95% CI]", short="total order\nST [95% CI]"),
        ],
        title=f"{label} — Sobol indices of {rows['output'].iloc[0]} "
        f"({int(rows['base_samples'].iloc[0]):,} base samples)",
        caption="creators: every draw of the creator pools together (levels, shared factors and "
        "creators' own draws). ST - S1: share in interactions.",
    )
    for row in rows.itertuples():
        table.add_row(
            row.input,
            with_interval(f"{row.s1:.3f}", f"{row.s1_ci_low:.3f}", f"{row.s1_ci_high:.3f}"),
            with_interval(f"{row.st:.3f}", f"{row.st_ci_low:.3f}", f"{row.st_ci_high:.3f}"),
        )
    table.print(console)


#: The variance split's parts as the terminal names them.
SPLIT_NAMES = {
    "persistent": "what a pilot could learn",
    "campaign": "campaign to campaign",
    "creators": "creator luck",
}


def split_sentence(rows: pd.DataFrame, label: str) -> str:
    """``label: 35% of the variance of roi is what a pilot could learn, ...`` (first order)."""
    share = {row.part: 100 * row.s1 for row in rows.itertuples()}
    output = rows["output"].iloc[0]
    return (
        f"{label}: {share.get('persistent', 0):.0f}% of the variance of {output} is what a "
        f"pilot could learn, {share.get('campaign', 0):.0f}% varies from campaign to campaign "
        f"and {share.get('creators', 0):.0f}% is creator luck."
    )


def _split_table(split: pd.DataFrame, name: str, label: str, console: Console) -> None:
    rows = split[split["strategy"] == name]
    if rows.empty:
        return
    console.print(f"[bold]{split_sentence(rows, label)}[/bold]", soft_wrap=False)
    rest = 1 - float(rows["s1"].sum())
    table = Grid(
        [
            Col("part", justify="left", key=True, text=True, floor=24),
            Col("first order S1 [95% CI]", short="first order\nS1 [95% CI]"),
            Col("total ST [95% CI]", short="total\nST [95% CI]"),
        ],
        title=f"{label} — where the variance of {rows['output'].iloc[0]} comes from "
        f"({int(rows['base_samples'].iloc[0]):,} base samples)",
        caption="Pilot: the persistent parts of pool levels, shared factors and the shock; "
        "campaign: their campaign parts and the order value; creator luck: every creator's own "
        "draws (followers, deviations from the level, own fee part, delivery). S1: the share "
        "of the variance that knowing the part exactly would remove; ST: the share it has any "
        f"part in; interactions {100 * rest:.0f}% (1 - ΣS1).",
    )
    for row in rows.itertuples():
        table.add_row(
            SPLIT_NAMES[row.part],
            with_interval(f"{row.s1:.3f}", f"{row.s1_ci_low:.3f}", f"{row.s1_ci_high:.3f}"),
            with_interval(f"{row.st:.3f}", f"{row.st_ci_low:.3f}", f"{row.st_ci_high:.3f}"),
        )
    table.print(console)
