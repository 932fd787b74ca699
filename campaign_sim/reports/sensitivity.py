"""The report of a sensitivity analysis: how much of the output's variance a pilot could learn
(against campaign-to-campaign variation and creator luck), a tornado chart of one-at-a-time
swings, the ranked drivers with their rank correlation, and which input moves the output most.
Reads split.csv, swing.csv and sensitivity.csv."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import BREAK_EVEN, figure, percent_axis, value_axis, whiskers
from campaign_sim.reports.results import Results, finite
from campaign_sim.reports.texttable import TextTable

__all__ = [
    "group_name",
    "group_words",
    "headline",
    "input_name",
    "output",
    "plan",
    "points",
    "pool_name",
    "pool_words",
    "sobol_name",
    "split",
    "strategies",
    "swings",
    "table",
]

TOP = 10


#: A group of the drivers (campaign_sim.analysis.sensitivity.drivers.group_label): its pool,
#: then its position and size or a named creator's handle.
GROUP = re.compile(
    r"(?P<pool>\w+(?:/\w+)?)"
    r"(?: #(?P<n>\d+) \((?:(?P<count>\d+) creators?|budget (?P<budget>[\d,.]+))\)"
    r"| @(?P<handle>\S+))?"
)


def pool_name(pool: str, text: Text) -> str:
    """A pool (``nano/instagram``, ``nano``) in ``text``'s language: the files' own words in
    English, "奈米 · Instagram" in Chinese."""
    return pool if text.lang == "en" else pool_words(pool, text)


def pool_words(pool: str, text: Text) -> str:
    """A pool (``nano/instagram``, ``nano``) in words: "nano · Instagram" (zh-TW: "奈米 ·
    Instagram")."""
    tier, _, platform = pool.partition("/")
    if not platform:
        return text.tier(tier)
    return text("place.pool", tier=text.tier(tier), platform=text.platform(platform))


def group_name(group: str, text: Text) -> str:
    """A group of the drivers (``nano/instagram #2 (budget 180,000)``) in ``text``'s language:
    the file's own words in English."""
    return group if text.lang == "en" else group_words(group, text)


def group_words(group: str, text: Text) -> str:
    """A group of the drivers (``nano/instagram #2 (budget 180,000)``) in words: "nano ·
    Instagram #2 (budget NT$180,000)"; one it cannot read as it is."""
    match = GROUP.fullmatch(group)
    if match is None:
        return group
    pool = pool_words(match["pool"], text)
    if match["handle"]:
        return f"{pool} @{match['handle']}"
    if match["n"] is None:
        return pool
    if match["count"] is not None:
        count = int(match["count"])
        size = text("word.one_creator") if count == 1 else text("word.creators_count", n=count)
    else:
        size = text("place.budget", budget=text.money(float(match["budget"].replace(",", ""))))
    return text("place.group", pool=pool, n=match["n"], size=size)


def input_name(row: dict, text: Text) -> str:
    """An input of sensitivity.csv or swing.csv in words ("nano · Instagram: engagement rate
    (pool level)"), rebuilt from its structured columns (quantity, group, aggregate); the
    file's own name when they do not say enough."""
    name, quantity = str(row.get("input", "")), str(row.get("quantity", ""))
    if quantity in ("aov", "shock"):
        return text(f"input.{quantity}")
    kind, where = row.get("kind"), row.get("where")
    if kind in ("level", "shared factor") and isinstance(where, str) and where:
        key = "input.level" if kind == "level" else "input.shared"
        return text(key, where=pool_words(where, text), quantity=text.quantity(quantity))
    aggregate = row.get("aggregate")
    if isinstance(aggregate, str) and isinstance(row.get("group"), str):
        key = "aggregate." + aggregate.replace(" ", "_")
        return text(
            "input.group",
            group=group_words(row["group"], text),
            quantity=text.quantity(quantity),
            aggregate=text(key) if text.has(key) else aggregate,
        )
    suffix = f" {quantity.replace('_', ' ')} prior"
    if name.endswith(suffix):
        where = pool_words(name[: -len(suffix)], text)
        return text("input.prior", where=where, quantity=text.quantity(quantity))
    return name


def output(results: Results) -> str:
    return str(results.settings.get("output", "roi"))


def strategies(results: Results, frame: Any) -> list[str]:
    return [n for n in results.ordered_strategies if (frame["strategy"] == n).any()]


def swings(results: Results) -> Any:
    frame = results.table("swing.csv")
    if frame is None or frame.empty:
        return None
    if "kind" in frame:  # every creator at once is no pool-level uncertainty (swing.py)
        frame = frame[frame["kind"] != "all creators"]
        if frame.empty:
            return None
    frame = frame.copy()
    frame["reach"] = (frame["at_high"] - frame["at_low"]).abs()
    return frame


#: Outputs whose break-even is zero (a line at 0 on their charts).
BREAK_EVEN_AT_ZERO = ("roi", "profit", "roi_horizon", "profit_horizon", "gross_profit")


def _span(values: np.ndarray, keep: float | None) -> tuple[float, float]:
    """Axis limits around ``values`` with a 6% margin; ``keep`` (the break-even) included
    while it lies within half a span of them."""
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    span = max(hi - lo, 1e-9 * max(1.0, abs(lo), abs(hi)))
    if keep is not None and lo - span / 2 <= keep <= hi + span / 2:
        lo, hi = min(lo, keep), max(hi, keep)
        span = hi - lo
    return lo - 0.06 * span, hi + 0.06 * span


def tornado(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Per strategy, the output at each input's low and high value, widest swing on top; the
    baseline (every input random) as a labelled line, its value in the panel's title, and the
    break-even line where the output has one; the legend below the panels."""
    frame = swings(results)
    if frame is None:
        return None
    names = strategies(results, frame)
    shown = output(results)
    zero = 0.0 if shown in BREAK_EVEN_AT_ZERO else None
    with figure(ncols=len(names), squeeze=False) as (fig, grid):
        for ax, name in zip(grid[0], names, strict=True):
            part = frame[frame["strategy"] == name].nlargest(TOP, "reach").iloc[::-1]
            y = np.arange(len(part))
            base = float(part["base"].iloc[0])
            c = colour.get(name, "#333333")
            low, high = part["at_low"].to_numpy(float), part["at_high"].to_numpy(float)
            ax.barh(y, low - base, left=base, color=c, alpha=0.4, label=text("legend.low"))
            ax.barh(y, high - base, left=base, color=c, label=text("legend.high"))
            ax.axvline(
                base,
                color="black",
                linewidth=1.4,
                label=text("legend.baseline"),
            )
            view = _span(np.concatenate([low, high, [base]]), zero)
            ax.set_xlim(*view)
            if zero is not None and view[0] <= zero <= view[1]:
                ax.axvline(
                    zero,
                    color=BREAK_EVEN,
                    linestyle="--",
                    linewidth=1.6,
                    label=text("label.break_even"),
                )
            labels = [_wrap(input_name(r, text)) for r in part.to_dict("records")]
            ax.set_yticks(y, labels, fontsize=11)
            ax.grid(axis="y", visible=False)
            value_axis(ax.xaxis, shown, text)
            ax.set_xlabel(text.metric(shown))
            said = text("label.baseline_value", value=_value(base, shown, text))
            ax.set_title(f"{results.label(name)}\n{said}", fontsize=14)
        handles, labels = _legend_entries(grid[0])
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
        return fig


def _legend_entries(panels: Any) -> tuple[list, list]:
    """Every panel's legend entries, each label once."""
    entries: dict[str, Any] = {}
    for ax in panels:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


def drivers(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Per strategy, the inputs' Spearman rank correlation with the output and its 95% CI."""
    frame = results.table("sensitivity.csv")
    if frame is None or frame.empty or "spearman" not in frame:
        return None
    names = strategies(results, frame)
    with figure(ncols=len(names), sharex=True, squeeze=False) as (fig, grid):
        for ax, name in zip(grid[0], names, strict=True):
            part = frame[frame["strategy"] == name].sort_values("rank").head(TOP).iloc[::-1]
            y = np.arange(len(part))
            rho = part["spearman"].to_numpy(float)
            ax.barh(y, rho, color=colour.get(name, "#333333"))
            if {"spearman_ci_low", "spearman_ci_high"} <= set(part.columns):
                err = whiskers(rho, part["spearman_ci_low"], part["spearman_ci_high"])
                ax.errorbar(rho, y, xerr=err, fmt="none", ecolor="#333333", capsize=3)
            ax.axvline(0, color="black", linewidth=1.0)
            labels = [_wrap(input_name(r, text), 42) for r in part.to_dict("records")]
            ax.set_yticks(y, labels, fontsize=10)  # two lines a row: three overlap at TOP rows
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(text("axis.spearman"))
            ax.set_title(results.label(name))
        grid[0][0].set_xlim(*_rho_view(frame))
        return fig


def _rho_view(frame: Any) -> tuple[float, float]:
    """x limits of the rank correlations: zero and every CI (or value), a margin, within
    [-1, 1]."""
    low = frame["spearman_ci_low"] if "spearman_ci_low" in frame else frame["spearman"]
    high = frame["spearman_ci_high"] if "spearman_ci_high" in frame else frame["spearman"]
    lo, hi = min(0.0, float(np.nanmin(low))), max(0.0, float(np.nanmax(high)))
    pad = 0.06 * max(hi - lo, 0.1)
    return max(-1.0, lo - pad), min(1.0, hi + pad)


def sobol_name(name: str, text: Text) -> str:
    """A Sobol input (``aov``, ``shock``, ``creators``) in words."""
    if name in ("aov", "shock"):
        return text(f"input.{name}")
    if name == "creators":
        return text("input.creator_luck")
    return name


def sobol(results: Results, text: Text, colour: dict[str, str]) -> Any:
    """Per strategy, each input's first-order (S1) and total (ST) Sobol index of the output's
    variance with their 95% CIs, largest total on top; None without sobol.csv."""
    frame = results.table("sobol.csv") if results.has("sobol.csv") else None
    if frame is None or frame.empty or not {"s1", "st"} <= set(frame.columns):
        return None
    names = strategies(results, frame)
    h = 0.38
    with figure(ncols=len(names), sharex=True, squeeze=False) as (fig, grid):
        for ax, name in zip(grid[0], names, strict=True):
            part = frame[frame["strategy"] == name].sort_values("st").tail(TOP)
            y = np.arange(len(part))
            c = colour.get(name, "#333333")
            for column, shift, alpha, key in (
                ("st", h / 2, 1.0, "legend.sobol_st"),
                ("s1", -h / 2, 0.45, "legend.sobol_s1"),
            ):
                value = part[column].to_numpy(float)
                ax.barh(y + shift, value, height=h, color=c, alpha=alpha, label=text(key))
                if {f"{column}_ci_low", f"{column}_ci_high"} <= set(part.columns):
                    err = whiskers(value, part[f"{column}_ci_low"], part[f"{column}_ci_high"])
                    ax.errorbar(value, y + shift, xerr=err, fmt="none", ecolor="#333333", capsize=3)
            ax.set_xlim(0, 1)
            percent_axis(ax.xaxis)
            ax.set_yticks(y, [_wrap(sobol_name(str(v), text), 26) for v in part["input"]])
            ax.grid(axis="y", visible=False)
            ax.set_xlabel(text("axis.sobol", metric=text.metric(output(results))))
            ax.set_title(results.label(name))
        handles, labels = _legend_entries(grid[0])
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
        return fig


#: Where a label's line may break: after a space, a full-width colon or comma, before a
#: full-width opening bracket.
_BREAKS = re.compile(r"(?<=[ ：，、])|(?=（)")
#: A space between a number and a Chinese character: kept with both ("1 位創作者", "第 2 組").
_NUMBER_SPACE = re.compile(r"(?<=\d) (?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff]) (?=\d)")


#: How much wider a Chinese character or full-width mark is than a Latin letter, on average
#: (a CJK glyph is one em; Latin letters of the charts' sans-serif about 0.55 em).
WIDE = 1.8


def _width(value: str) -> float:
    """Width of ``value`` in Latin letters."""
    return sum(WIDE if "\u3000" <= ch <= "\uffef" else 1 for ch in value)


def _pieces(label: str, width: int) -> list[str]:
    """The label between its break points; a piece wider than ``width`` cut into lines."""
    out = []
    for piece in _BREAKS.split(_NUMBER_SPACE.sub("\u00a0", label)):
        while _width(piece.rstrip()) > width:
            cut = max(
                (n for n in range(1, len(piece) + 1) if _width(piece[:n]) <= width), default=1
            )
            out.append(piece[:cut])
            piece = piece[cut:]
        if piece:
            out.append(piece)
    return out


def _wrap(label: str, width: int = 28, lines: int = 2) -> str:
    """Long input names on up to ``lines`` lines of ``width`` Latin letters (a Chinese character
    counts WIDE), so they fit beside the bars; only a name longer than that ends in "…", after
    the last piece that fits. Lines break at spaces, after a full-width colon or comma and
    before a full-width bracket, never between a number and the Chinese word beside it."""
    rows: list[list[str]] = [[]]
    for piece in _pieces(label, width):
        if rows[-1] and _width("".join([*rows[-1], piece]).rstrip()) > width:
            if len(rows) == lines:
                while rows[-1] and _width("".join(rows[-1]).rstrip() + "…") > width:
                    rows[-1].pop()
                rows[-1].append("…")
                break
            rows.append([])
        rows[-1].append(piece)
    text = "\n".join("".join(row).rstrip().replace(" …", "…") for row in rows)
    return text.replace("\u00a0", " ")


def plan(results: Results, text: Text) -> list[tuple]:
    """(key, title, caption, draw) of a sensitivity analysis's charts."""
    metric = text.metric(output(results))
    return [
        (
            "tornado",
            text("chart.tornado", metric=metric),
            text("caption.tornado", metric=metric),
            tornado,
        ),
        (
            "drivers",
            text("chart.drivers", metric=metric),
            text("caption.drivers", metric=metric),
            drivers,
        ),
        (
            "sobol",
            text("chart.sobol", metric=metric),
            text("caption.sobol", metric=metric),
            sobol,
        ),
    ]


# -- what the report says --------------------------------------------------------------------


def _value(value: Any, metric: str, text: Text) -> str:
    return text.number(value, metric) if finite(value) else text.na


def headline(results: Results, text: Text) -> str | None:
    """The first strategy's variance split (what a pilot could learn, campaign to campaign,
    creator luck; first-order shares), else its largest contributor to the output's variance
    (from the ranking), else its widest swing."""
    shares = split(results)
    if shares:
        name, share = next(iter(shares.items()))
        return text(
            "headline.sensitivity_split",
            s=results.label(name),
            metric=text.metric(output(results)),
            pilot=text.pct(share.get("persistent", 0.0)),
            campaign=text.pct(share.get("campaign", 0.0)),
            luck=text.pct(share.get("creators", 0.0)),
        )
    frame = results.table("sensitivity.csv")
    if frame is not None and "contribution" in frame and not frame.empty:
        name = strategies(results, frame)[0]
        top = frame[frame["strategy"] == name].sort_values("rank").iloc[0]
        return text(
            "headline.sensitivity",
            s=results.label(name),
            metric=text.metric(output(results)),
            name=input_name(top.to_dict(), text),
            share=text.pct(top["contribution"]),
        )
    swing = _swing_sentence(results, text)
    return swing[0] if swing else None


def split(results: Results) -> dict[str, dict[str, float]]:
    """Per strategy (report order), each part's first-order share, from split.csv."""
    frame = results.table("split.csv")
    if frame is None or frame.empty or "s1" not in frame:
        return {}
    return {
        name: {row.part: float(row.s1) for row in frame[frame["strategy"] == name].itertuples()}
        for name in strategies(results, frame)
    }


def _swing_sentence(results: Results, text: Text) -> list[str]:
    """The one-at-a-time question, answered for the first strategy: its widest swing."""
    frame = swings(results)
    if frame is None:
        return []
    name = strategies(results, frame)[0]
    top = frame[frame["strategy"] == name].nlargest(1, "reach").iloc[0]
    shown = output(results)
    return [
        text(
            "bullet.swing",
            s=results.label(name),
            metric=text.metric(shown),
            name=input_name(top.to_dict(), text),
            lo=_value(top["at_low"], shown, text),
            hi=_value(top["at_high"], shown, text),
        )
    ]


def points(results: Results, text: Text) -> list[str]:
    """Per strategy, the three inputs that explain most of the output's variance."""
    frame = results.table("sensitivity.csv")
    if frame is None or "contribution" not in frame:
        return []
    out = [
        text(
            "bullet.split",
            s=results.label(name),
            metric=text.metric(output(results)),
            pilot=text.pct(share.get("persistent", 0.0)),
            campaign=text.pct(share.get("campaign", 0.0)),
            luck=text.pct(share.get("creators", 0.0)),
            rest=text.pct(1 - sum(share.values())),
        )
        for name, share in split(results).items()
    ]
    for name in strategies(results, frame):
        part = frame[frame["strategy"] == name].sort_values("rank").head(3)
        items = text.list_sep().join(
            f"{input_name(row, text)} {text.pct(row['contribution'])}"
            for row in part.to_dict("records")
        )
        out.append(
            text(
                "bullet.drivers",
                s=results.label(name),
                metric=text.metric(output(results)),
                items=items,
            )
        )
    out += _swing_sentence(results, text)
    out.append(text("method.campaigns", campaigns=text.count(results.campaigns), seed=results.seed))
    return out


def table(results: Results, text: Text) -> TextTable | None:
    """The widest swings per strategy: input, output at its low and high value, swing (a
    difference: points for a rate such as ROI, a signed amount for money)."""
    frame = swings(results)
    if frame is None:
        return None
    shown = output(results)
    rows = []
    for name in strategies(results, frame):
        for row in frame[frame["strategy"] == name].nlargest(5, "reach").to_dict("records"):
            rows.append(
                [
                    results.label(name),
                    input_name(row, text),
                    _value(row["at_low"], shown, text),
                    _value(row["at_high"], shown, text),
                    text.difference(row["at_high"] - row["at_low"], shown),
                ]
            )
    header = [
        text("col.strategy"),
        text("col.input"),
        text("col.at_low"),
        text("col.at_high"),
        text("col.swing"),
    ]
    return TextTable(header, rows)
