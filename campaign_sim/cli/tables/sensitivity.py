"""Terminal tables (rich) for sensitivity results: ranked drivers, tornado swing, Sobol."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from campaign_sim.cli.tables.layout import Col, Grid, with_interval
from campaign_sim.cli.tables.summary import fmt

__all__ = ["sensitivity_tables"]


def sensitivity_tables(
    ranked: pd.DataFrame,
    swing: pd.DataFrame,
    sobol: pd.DataFrame | None,
    labels: dict[str, str],
    console: Console,
    *,
    top: int = 12,
) -> None:
    """Per strategy: the ``top`` inputs by contribution, the swing (tornado), Sobol indices."""
    for name in labels:
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
        caption="A prior at P10 puts every creator's draw of it at that value: how far a wrong "
        "prior could move the mean. ± is the 95% estimate interval (paired).",
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
        caption="creators: every creator draw together. ST - S1: share in interactions.",
    )
    for row in rows.itertuples():
        table.add_row(
            row.input,
            with_interval(f"{row.s1:.3f}", f"{row.s1_ci_low:.3f}", f"{row.s1_ci_high:.3f}"),
            with_interval(f"{row.st:.3f}", f"{row.st_ci_low:.3f}", f"{row.st_ci_high:.3f}"),
        )
    table.print(console)
