"""What a results folder must hold for a report, checked before anything is built.

A report reads a results folder and never simulates, so a missing, truncated or unreadable
file would otherwise give a report of n/a cells. :data:`LAYOUTS` describes, once, what each
command writes: its files, the columns each table must have (and which hold numbers or
True/False), the keys of each JSON document, and how the rows of a table cover the
strategies, points and days the manifest names. :func:`check_results` compares a folder with
it and raises one :class:`~campaign_sim.errors.InputError` naming every file that is missing
or unreadable and what is wrong, before any chart is rendered or any report folder is made.
:func:`check_extras` says which optional extra a report format needs, before any work.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import itertools
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaign_sim.errors import InputError, Problem
from campaign_sim.scenario.strict import suggest

if TYPE_CHECKING:
    from campaign_sim.reports.results import Results

__all__ = [
    "COMMANDS",
    "LAYOUTS",
    "Document",
    "Layout",
    "Parquet",
    "Table",
    "check_extras",
    "check_manifest",
    "check_results",
]

# -- placeholders, filled from the manifest's settings ---------------------------------------
#: Every swept axis (``settings.axes[*].name``).
AXES = "<axes>"
#: The frontier's return and risk columns and the objective (``settings.frontier.return``,
#: ``settings.frontier.risk``, ``settings.objective``: ``max:roi_mean`` -> ``roi_mean``).
RETURN = "<frontier return>"
RISK = "<frontier risk>"
OBJECTIVE = "<objective>"
#: In a file name: one file per strategy of the manifest.
PER_STRATEGY = "{strategy}"

#: Bytes no text table holds (C0 controls but tab, line feed and carriage return; DEL).
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

GOALS = {
    RETURN: "settings.frontier.return",
    RISK: "settings.frontier.risk",
    OBJECTIVE: "settings.objective",
}


@dataclass(frozen=True)
class Table:
    """A CSV table of a results folder and what it must hold.

    ``columns`` must be present; of them, ``numbers`` hold numbers (an empty cell is an
    undefined value) and ``flags`` True or False; ``rest_numbers``: every column after the
    first holds numbers. ``strategies`` are columns whose values name strategies of the
    manifest; with ``every_strategy`` each strategy has rows (in the first of them).
    ``grid``: one row for every combination of these columns' values, no more, no fewer.
    ``needs``: (column, value) rows that must be there; ``counts``: (column, setting) the
    column holds as many distinct values as the manifest's ``settings.<setting>``. ``rows``:
    at least one row (otherwise a file written from an empty table is fine). ``optional``:
    required only when the manifest lists it.
    """

    name: str
    columns: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    rest_numbers: bool = False
    strategies: tuple[str, ...] = ()
    every_strategy: bool = False
    grid: tuple[str, ...] = ()
    needs: tuple[tuple[str, str], ...] = ()
    counts: tuple[tuple[str, str], ...] = ()
    rows: bool = True
    optional: bool = False


@dataclass(frozen=True)
class Document:
    """A JSON document: ``keys`` are (key path, kind). A path is dotted, ``*`` standing for
    every key of an object or item of a list; it is checked where its parent is there. Kinds:
    ``object``, ``list``, ``pair`` (a list of two: an interval), ``text``, ``count`` (a whole
    number >= 0), ``number`` (finite), ``flag``; ``X or null`` allows null; a trailing ``?``
    makes the key optional. ``strategy_keys``: the path of an object whose keys are exactly
    the manifest's strategies."""

    name: str
    keys: tuple[tuple[str, str], ...] = ()
    strategy_keys: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class Parquet:
    """A Parquet file: its footer must read and hold ``columns``. Optional; one the report
    reads (``read``) is required when the manifest lists it. The Parquet copies of CSV tables
    are never read by a report: a folder may drop them to save space."""

    name: str
    columns: tuple[str, ...] = ()
    read: bool = False
    optional: bool = True


File = Table | Document | Parquet


@dataclass(frozen=True)
class Layout:
    """What one command's results folder holds: its files and the manifest's settings."""

    files: tuple[File, ...]
    settings: tuple[tuple[str, str], ...] = ()


# -- the files of each command ---------------------------------------------------------------
_STATS = ("mean", "sd", "se", "mean_ci_low", "mean_ci_high", "p5", "p25", "p50", "p75", "p95")
SUMMARY = Table(
    "summary.csv",
    columns=("strategy", "metric", "n", "n_undefined", *_STATS),
    numbers=("n", "n_undefined", *_STATS),
    strategies=("strategy",),
    every_strategy=True,
    grid=("strategy", "metric"),
    needs=(("metric", "roi"),),
)
_RISK = (
    "prob_loss",
    "prob_loss_ci_low",
    "prob_loss_ci_high",
    "roi_target",
    "prob_above_target",
    "prob_above_target_ci_low",
    "prob_above_target_ci_high",
    "value_at_risk",
    "expected_shortfall",
    "expected_shortfall_se",
)
RISK_TABLE = Table(
    "risk.csv",
    columns=("strategy", "campaigns", *_RISK),
    numbers=("campaigns", *_RISK),
    strategies=("strategy",),
    every_strategy=True,
    grid=("strategy",),
)
QUANTILES = Table(
    "quantiles.csv",
    columns=("strategy", "metric", "q", "value"),
    numbers=("q", "value"),
    strategies=("strategy",),
    every_strategy=True,
    grid=("strategy", "metric", "q"),
    needs=(("metric", "roi"),),
)
PRIORS = Table(
    "priors.csv",
    columns=("tier", "platform", "quantity", "family", "mean", "median", "p5", "p95"),
    numbers=("mean", "median", "p5", "p95"),
    flags=("assumption",),
)
_DIFF = (
    "mean_a",
    "mean_b",
    "mean_diff",
    "mean_diff_se",
    "mean_diff_ci_low",
    "mean_diff_ci_high",
    "diff_p5",
    "diff_p50",
    "diff_p95",
    "prob_a_better",
    "prob_a_better_ci_low",
    "prob_a_better_ci_high",
)
COMPARISON = Table(
    "comparison.csv",
    columns=("a", "b", "metric", "n", *_DIFF),
    numbers=("n", *_DIFF),
    strategies=("a", "b"),
    grid=("metric",),
    needs=(("metric", "roi"),),
)
RUN_FILES: tuple[File, ...] = (
    SUMMARY,
    RISK_TABLE,
    QUANTILES,
    PRIORS,
    Document("summary.json", keys=(("strategies", "object"),)),
    Table("convergence.csv", optional=True),
    Parquet("outcomes.parquet", columns=("campaign", "strategy", "roi"), read=True),
)
COMPARE_FILES: tuple[File, ...] = (
    *RUN_FILES,
    COMPARISON,
    Document("comparison.json", keys=(("a", "text"), ("b", "text"))),
)

_CURVES = ("roi_mean", "roi_p5", "roi_p95", "profit_mean", "profit_p5", "profit_p95")
SWEEP_FILES: tuple[File, ...] = (
    Table(
        "sweep.csv",
        columns=("point", "strategy", AXES, *_CURVES, RETURN, RISK, OBJECTIVE),
        numbers=("point", *_CURVES, RETURN, RISK, OBJECTIVE),
        strategies=("strategy",),
        every_strategy=True,
        grid=("point", "strategy"),
        counts=(("point", "points"),),
    ),
    Table(
        "points.csv",
        columns=("point", AXES),
        numbers=("point",),
        grid=("point",),
        counts=(("point", "points"),),
    ),
    Table(
        "frontier.csv",
        columns=("point", "strategy", AXES, RETURN, RISK, "efficient"),
        numbers=("point", RETURN, RISK),
        flags=("efficient",),
        strategies=("strategy",),
        every_strategy=True,
        grid=("point", "strategy"),
        counts=(("point", "points"),),
    ),
    Document(
        "best.json",
        keys=(
            ("objective", "text"),
            ("risk_limits", "list"),
            ("risk_limits.*", "text"),
            ("candidates", "count"),
            ("feasible", "count"),
            ("best", "object or null"),
            ("best.point", "count"),
            ("best.strategy", "text"),
            ("best.settings", "object"),
            ("best.value", "number or null"),
            ("best.ci", "pair or null?"),
            ("best.ci.*", "number or null"),
            ("best.limits", "list?"),
            ("best.limits.*", "object"),
            ("best.limits.*.limit", "text"),
            ("best.limits.*.value", "number or null?"),
            ("best.limits.*.ci", "pair or null?"),
            ("best.limits.*.ci.*", "number or null"),
            ("best.limits.*.met_across_ci", "flag or null?"),
        ),
    ),
    Document("sweep.json", keys=(("axes", "list"),)),
    Table(f"heatmap_{PER_STRATEGY}.csv", rest_numbers=True, optional=True),
    Parquet("sweep.parquet"),
)
SWEEP_SETTINGS = (
    ("settings.axes", "list"),
    ("settings.axes.*", "object"),
    ("settings.axes.*.name", "text"),
    ("settings.zip", "flag?"),
    ("settings.points", "count"),
    ("settings.frontier", "object"),
    ("settings.frontier.return", "text"),
    ("settings.frontier.risk", "text"),
    ("settings.objective", "text"),
    ("settings.risk_limits", "list?"),
)

_DAILY = ("mean", "p5", "p25", "p50", "p75", "p95")
_PAYBACK = "strategies.*.payback"
TIMELINE_FILES: tuple[File, ...] = (
    Table(
        "daily.csv",
        columns=("strategy", "day", "metric", *_DAILY),
        numbers=("day", *_DAILY),
        strategies=("strategy",),
        every_strategy=True,
        grid=("strategy", "metric", "day"),
        needs=(("metric", "profit"),),
        counts=(("day", "horizon_days"),),
    ),
    Table(
        "payback.csv",
        columns=("strategy", "day", "paid_back_share"),
        numbers=("day", "paid_back_share"),
        strategies=("strategy",),
        every_strategy=True,
        grid=("strategy", "day"),
        counts=(("day", "horizon_days"),),
    ),
    SUMMARY,
    Document(
        "summary.json",
        keys=(
            ("strategies", "object"),
            ("strategies.*", "object"),
            (_PAYBACK, "object"),
            (f"{_PAYBACK}.never_share", "number"),
            (f"{_PAYBACK}.never_share_ci", "pair or null?"),
            (f"{_PAYBACK}.never_share_ci.*", "number or null"),
            *((f"{_PAYBACK}.{q}_day", "number or null?") for q in ("p5", "p50", "p95")),
        ),
        strategy_keys="strategies",
    ),
    Parquet("daily.parquet"),
    Parquet("totals.parquet"),
)
TIMELINE_SETTINGS = (
    ("settings.timeline", "object"),
    ("settings.timeline.window_days", "count"),
    ("settings.horizon_days", "count"),
)

_DRIVERS = ("spearman", "spearman_ci_low", "spearman_ci_high", "contribution")
_SWINGS = ("low_value", "high_value", "base", "at_low", "at_high", "swing")
SENSITIVITY_FILES: tuple[File, ...] = (
    Table(
        "sensitivity.csv",
        columns=("strategy", "output", "input", "rank", "group", "quantity", *_DRIVERS),
        numbers=("rank", *_DRIVERS),
        strategies=("strategy",),
        rows=False,  # every input fixed: nothing to rank
    ),
    Table(
        "swing.csv",
        columns=("strategy", "output", "input", "quantity", *_SWINGS),
        numbers=_SWINGS,
        strategies=("strategy",),
        rows=False,
    ),
    Table(
        "split.csv",
        columns=("strategy", "output", "part", "input", "s1", "st"),
        numbers=("s1", "st"),
        strategies=("strategy",),
        rows=False,  # every input fixed: no variance to split
        optional=True,  # sensitivity --no-split, or a folder of version 0.2
    ),
    Table(
        "sobol.csv",
        columns=("strategy", "input", "s1", "st"),
        numbers=("s1", "st"),
        strategies=("strategy",),
        optional=True,
    ),
    PRIORS,
    Parquet("sensitivity.parquet"),
    Parquet("swing.parquet"),
)
SENSITIVITY_SETTINGS = (
    ("settings.output", "text"),
    ("settings.strategies", "list?"),
    ("settings.strategies.*", "text"),
)

_JUDGED = ("prob_loss", "prob_loss_ci_low", "prob_loss_ci_high", "difference", "difference_se")
_FRESH = (OBJECTIVE, "profit_mean", "profit_mean_ci_low", "profit_mean_ci_high", *_JUDGED)
OPTIMIZE_FILES: tuple[File, ...] = (
    Table(
        "plan.csv",
        columns=("decision", "kind", "level"),
        numbers=("level",),
    ),
    Table(
        "judged.csv",
        columns=("role", "plan", *_FRESH, "tied_with_chosen"),
        numbers=_FRESH,
    ),
    Table("frontier.csv", rows=False),
    Table("robustness.csv", optional=True),
    Table("pilot.csv", columns=("pool", "creators", "cost", "value", "se"), optional=True),
    Document(
        "optimize.json",
        keys=(
            ("plan", "text"),
            ("objective", "text"),
            ("limits", "list"),
            ("limits.*", "text"),
            ("beats_spending_nothing", "flag"),
            ("search", "object"),
            ("fresh_campaigns", "object"),
            ("fresh_campaigns.count", "count"),
        ),
    ),
    Parquet("scored.parquet"),
)
OPTIMIZE_SETTINGS = (("settings.objective", "text?"),)

#: What each command's results folder holds, by the manifest's ``command``.
LAYOUTS: dict[str, Layout] = {
    "run": Layout(RUN_FILES),
    "compare": Layout(COMPARE_FILES),
    "sweep": Layout(SWEEP_FILES, SWEEP_SETTINGS),
    "timeline": Layout(TIMELINE_FILES, TIMELINE_SETTINGS),
    "sensitivity": Layout(SENSITIVITY_FILES, SENSITIVITY_SETTINGS),
    "optimize": Layout(OPTIMIZE_FILES, OPTIMIZE_SETTINGS),
}
COMMANDS = tuple(LAYOUTS)
#: Commands whose results folders have no report yet, and what to read instead.
WITHOUT_REPORT = {
    "horizon": "read horizon.csv and brands.csv, or `campaign-sim horizon --format table`",
    "roster": "read roster.csv or roster.xlsx; the report of `campaign-sim compare` on the "
    "same scenario holds the named creators' tables",
}

#: What every manifest holds (the command's own settings come from its layout).
MANIFEST_KEYS = (
    ("tool", "text"),
    ("command", "text"),
    ("version", "text?"),
    ("created", "text?"),
    ("scenario", "object"),
    ("scenario.name", "text?"),
    ("scenario.path", "text or null?"),
    ("scenario.sha256", "text or null?"),
    ("scenario.currency", "text?"),
    ("strategies", "object"),
    ("strategies.*", "text"),
    ("seed", "count or null"),
    ("campaigns", "count"),
    ("settings", "object"),
    ("files", "list?"),
    ("files.*", "text"),
)


# -- JSON shapes -----------------------------------------------------------------------------
def _is(kind: str, value: Any) -> bool:
    if kind == "null":
        return value is None
    if kind == "object":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "pair":
        return isinstance(value, list) and len(value) == 2
    if kind == "text":
        return isinstance(value, str)
    if kind == "flag":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "count":
        return isinstance(value, int) and value >= 0
    if kind == "number":
        return isinstance(value, (int, float)) and math.isfinite(value)
    raise ValueError(f"unknown kind {kind!r}")


_NAMES = {
    "object": "an object",
    "list": "a list",
    "pair": "a list of two values",
    "text": "text",
    "flag": "true or false",
    "count": "a whole number >= 0",
    "number": "a finite number",
    "null": "null",
}


def quote(value: Any, limit: int = 40) -> str:
    """A value as it appears in the file, cut to ``limit`` characters."""
    text = repr(value) if isinstance(value, str) else _json_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_text(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def _matches(data: Any, parts: list[str], at: str = "") -> Iterator[tuple[str, Any, bool]]:
    """(path, value, present) for every parent of ``parts`` that is there."""
    head, rest = parts[0], parts[1:]
    if head == "*":
        items: Iterable[tuple[str, Any]]
        if isinstance(data, dict):
            items = ((str(k), v) for k, v in data.items())
        elif isinstance(data, list):
            items = ((f"[{i}]", v) for i, v in enumerate(data))
        else:
            return
        for key, value in items:
            path = f"{at}{key}" if key.startswith("[") else f"{at}.{key}" if at else key
            yield from _descend(value, rest, path)
        return
    if not isinstance(data, dict):
        return
    path = f"{at}.{head}" if at else head
    if head not in data:
        if not rest:
            yield path, None, False
        return
    yield from _descend(data[head], rest, path)


def _descend(value: Any, rest: list[str], path: str) -> Iterator[tuple[str, Any, bool]]:
    if rest:
        yield from _matches(value, rest, path)
    else:
        yield path, value, True


def shape_problems(data: Any, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key path, what is wrong) of ``data`` against ``keys`` ((path, kind) as in
    :class:`Document`)."""
    out = []
    for key, kind in keys:
        optional = kind.endswith("?")
        kinds = kind.rstrip("?").split(" or ")
        for path, value, present in _matches(data, key.split(".")):
            if not present:
                if not optional:
                    out.append((path, "missing"))
            elif not any(_is(k, value) for k in kinds):
                wanted = " or ".join(_NAMES[k] for k in kinds)
                out.append((path, f"should be {wanted} (got {quote(value)})"))
    return out


# -- the manifest ----------------------------------------------------------------------------
def check_manifest(path: Path, manifest: Any) -> None:
    """The manifest says which command wrote the folder, and holds what a report reads."""
    if not isinstance(manifest, dict):
        raise InputError.single(
            path, "(top level)", f"should be a JSON object (got {type(manifest).__name__})"
        )
    known = ", ".join(COMMANDS[:-1]) + f" or {COMMANDS[-1]}"
    command = manifest.get("command")
    if "command" not in manifest:
        raise InputError.single(
            path,
            "command",
            f"missing: the manifest does not say which command wrote the folder ({known})",
        )
    if not isinstance(command, str):
        raise InputError.single(
            path, "command", f"should be the name of a command, {known} (got {quote(command)})"
        )
    if command in WITHOUT_REPORT:
        article = "an" if command[0] in "aeiou" else "a"
        raise InputError.single(
            path,
            "command",
            f"{article} {command} folder has no report yet ({WITHOUT_REPORT[command]}); reports "
            f"are built from folders of {known}",
        )
    if command not in LAYOUTS:
        raise InputError.single(
            path,
            "command",
            f"unknown command {quote(command)}{suggest(command, COMMANDS)}; results folders "
            f"are written by {known}",
        )
    problems = shape_problems(manifest, MANIFEST_KEYS + LAYOUTS[command].settings)
    if problems:
        raise InputError(path, [Problem(key, message) for key, message in problems])


# -- the folder ------------------------------------------------------------------------------
def check_results(results: Results) -> None:
    """Every file ``results``' command writes is there and whole, or an InputError naming
    each that is not. Tables read here stay cached in ``results`` for the report."""
    from campaign_sim.results.folder import MANIFEST

    check_manifest(results.folder / MANIFEST, results.manifest)
    layout = LAYOUTS[results.command]
    listed = {str(f) for f in results.manifest.get("files") or []}
    problems: list[Problem] = []
    specs: dict[str, File] = {}
    for spec in layout.files:
        for name in _names(spec.name, results):
            specs[name] = spec
    for name in sorted(p.name for p in results.folder.glob("*.csv") if p.name not in specs):
        specs[name] = Table(name, rows=False)  # any other table: the workbook shows it
    for name, spec in specs.items():
        path = results.folder / name
        if not path.exists():
            if not spec.optional:
                problems.append(Problem(name, f"missing (a {results.command} folder holds it)"))
            elif name in listed and getattr(spec, "read", True):
                problems.append(Problem(name, "missing (manifest.json lists it)"))
            continue
        if not path.is_file():
            problems.append(Problem(name, "is not a file"))
            continue
        if isinstance(spec, Table):
            found = _table(results, name, spec)
        elif isinstance(spec, Document):
            found = _document(results, name, spec)
        else:
            found = _parquet(path, spec)
        problems += [Problem(name, message) for message in found]
    if problems:
        raise InputError(results.folder, problems)


def _names(name: str, results: Results) -> list[str]:
    if PER_STRATEGY not in name:
        return [name]
    return [name.replace(PER_STRATEGY, s) for s in results.strategies]


def _goal(results: Results, setting: str) -> str:
    value: Any = results.manifest
    for key in setting.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return str(value or "").rpartition(":")[2]


def _expand(columns: Iterable[str], results: Results) -> list[tuple[str, str]]:
    """(column, why) with the placeholders filled from the manifest's settings."""
    out: list[tuple[str, str]] = []
    for column in columns:
        if column == AXES:
            axes = results.settings.get("axes") or []
            out += [(str(a["name"]), "an axis of the sweep") for a in axes]
        elif column in GOALS:
            goal = _goal(results, GOALS[column])
            if goal:  # an optimize folder of 0.4.0's first days has no settings.objective
                out.append((goal, f"{GOALS[column]} in manifest.json"))
        else:
            out.append((column, ""))
    return list({c: (c, why) for c, why in out}.values())


def _strategies(results: Results) -> list[str]:
    """The strategies the folder's tables cover: those analysed, else the manifest's."""
    analysed = results.settings.get("strategies") if results.command == "sensitivity" else None
    return [str(s) for s in analysed] if analysed else list(results.strategies)


def _table(results: Results, name: str, spec: Table) -> list[str]:
    """Problems of a CSV table: its text, its header and rows, then its values."""
    path = results.folder / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [f"cannot be read: {exc.strerror or exc}"]
    if not data:
        return ["is empty (0 bytes)"]
    control = CONTROL.search(data)
    if control is not None:
        line = data.count(b"\n", 0, control.start()) + 1
        return [
            f"is not a CSV table (it holds binary data: byte 0x{control.group()[0]:02x} on "
            f"line {line})"
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["is not a CSV table (it is not UTF-8 text)"]
    try:
        lines = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as exc:
        return [f"is not a CSV table: {exc}"]
    if not lines:
        return [] if not spec.rows else ["holds no header and no rows"]
    if not text.endswith(("\n", "\r")):
        where = f"row {len(lines) - 1}" if len(lines) > 1 else "its header"
        return [f"is truncated: it ends in the middle of {where}"]
    header, body = lines[0], lines[1:]
    for number, row in enumerate(body, start=1):
        if len(row) != len(header):
            return [
                f"is not a well-formed CSV table: row {number} has {_fields(len(row))} where "
                f"the header has {_fields(len(header))}"
            ]
    columns = _expand(spec.columns, results)
    missing = [(c, why) for c, why in columns if c not in header]
    if missing:
        listed = ", ".join(f"'{c}'" + (f" ({why})" if why else "") for c, why in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        plural = "s" if len(missing) > 1 else ""
        return [f"missing column{plural} {listed}{more}"]
    if not body:
        return ["holds a header but no rows"] if spec.rows else []
    try:
        frame = results.table(name)
    except InputError as exc:
        return [p.message for p in exc.problems]
    assert frame is not None  # the file is there
    return _values(frame, spec, results)


def _fields(n: int) -> str:
    return f"{n} field" if n == 1 else f"{n} fields"


def _values(frame: Any, spec: Table, results: Results) -> list[str]:
    """Problems of a table's values: numbers, flags, strategies, coverage."""
    import pandas as pd

    out: list[str] = []
    numbers = [c for c, _ in _expand(spec.numbers, results)]
    if spec.rest_numbers:
        numbers += [str(c) for c in frame.columns[1:]]
    for column in numbers:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            continue
        parsed = pd.to_numeric(values, errors="coerce")
        bad = values[parsed.isna() & values.notna()]
        if len(bad):
            out.append(
                f"column '{column}' should hold numbers: row {bad.index[0] + 1} holds "
                f"{quote(bad.iloc[0])}"
            )
    for column in spec.flags:
        if column not in frame or pd.api.types.is_bool_dtype(frame[column]):
            continue
        values = frame[column]
        bad = values[~values.isin([True, False, "True", "False"])]
        if len(bad):
            out.append(
                f"column '{column}' should hold True or False: row {bad.index[0] + 1} holds "
                f"{quote(bad.iloc[0])}"
            )
    names = _strategies(results)
    known = set(results.strategies)
    for column in spec.strategies:
        unknown = [str(v) for v in frame[column].dropna().unique() if str(v) not in known]
        if unknown:
            out.append(
                f"column '{column}' names strategy {quote(unknown[0])}, which manifest.json "
                f"does not have{suggest(unknown[0], known)}"
            )
    if spec.every_strategy and spec.strategies:
        present = set(frame[spec.strategies[0]].astype(str))
        absent = [s for s in names if s not in present]
        if absent:
            out.append(f"has no rows for strategy '{absent[0]}' (truncated?)")
    for column, value in spec.needs:
        if not (frame[column].astype(str) == value).any():
            out.append(f"has no rows for {column} '{value}' (truncated?)")
    for column, setting in spec.counts:
        expected = results.settings.get(setting)
        found = int(frame[column].nunique())
        if isinstance(expected, int) and found != expected:
            out.append(
                f"holds {found} distinct values of '{column}' where settings.{setting} in "
                f"manifest.json says {expected} (truncated?)"
            )
    if spec.grid:
        out += _grid(frame, list(spec.grid))
    return out


def _grid(frame: Any, keys: list[str]) -> list[str]:
    """One row for each combination of the ``keys`` columns' values."""
    rows = frame[keys].astype(str)
    twice = rows[rows.duplicated()]
    if len(twice):
        where = ", ".join(f"{k} {quote(v)}" for k, v in zip(keys, twice.iloc[0], strict=True))
        return [f"holds two rows for {where}"]
    values = [list(dict.fromkeys(rows[k])) for k in keys]
    expected = math.prod(len(v) for v in values)
    if len(rows) == expected:
        return []
    sizes = " × ".join(f"{len(v)} {k}" for k, v in zip(keys, values, strict=True))
    message = f"is incomplete: {len(rows)} rows where {sizes} make {expected}"
    if expected <= 1_000_000:
        have = set(map(tuple, rows.to_numpy()))
        gap = next(c for c in itertools.product(*values) if c not in have)
        where = ", ".join(f"{k} {quote(v)}" for k, v in zip(keys, gap, strict=True))
        message += f"; no row for {where}"
    return [message + " (truncated?)"]


def _document(results: Results, name: str, spec: Document) -> list[str]:
    try:
        data = results.json(name)
    except InputError as exc:
        return [p.message for p in exc.problems]
    if not isinstance(data, dict):
        return [f"should hold a JSON object (got {type(data).__name__})"]
    out = [f"{key}: {message}" for key, message in shape_problems(data, spec.keys)]
    if spec.strategy_keys is not None and isinstance(data.get(spec.strategy_keys), dict):
        have = set(data[spec.strategy_keys])
        absent = [s for s in _strategies(results) if s not in have]
        if absent:
            out.append(f"{spec.strategy_keys}: no entry for strategy '{absent[0]}'")
        unknown = sorted(have - set(results.strategies))
        if unknown:
            out.append(
                f"{spec.strategy_keys}: strategy '{unknown[0]}' is not in manifest.json"
                f"{suggest(unknown[0], results.strategies)}"
            )
    return out


def _parquet(path: Path, spec: Parquet) -> list[str]:
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except (OSError, ValueError) as exc:
        reason = str(exc).split(". ")[0]
        return [f"is not a readable Parquet file (truncated?): {reason}"]
    missing = [f"'{c}'" for c in spec.columns if c not in names]
    if not missing:
        return []
    return [f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"]


# -- optional extras -------------------------------------------------------------------------
#: The modules each report format imports (all in the ``reports`` extra), and their packages.
NEEDS = {
    "pptx": ("matplotlib", "fontTools", "pptx"),
    "xlsx": ("openpyxl",),
    "md": ("matplotlib", "fontTools"),
    "html": ("matplotlib", "fontTools"),
    "png": ("matplotlib", "fontTools"),
    "svg": ("matplotlib", "fontTools"),
}
PACKAGES = {
    "matplotlib": "matplotlib",
    "fontTools": "fonttools",
    "pptx": "python-pptx",
    "openpyxl": "openpyxl",
}
EXTRA = "reports"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ValueError:  # imported already, without a spec
        return True
    except ImportError:  # a parent package is missing or blocked
        return False


def check_extras(formats: Iterable[str], option: str = "--format") -> None:
    """Say which packages of the ``reports`` extra ``formats`` need and are not installed,
    before any work (``option`` names the option that chose the formats)."""
    formats = tuple(formats)
    missing = {}
    for fmt in formats:
        for module in NEEDS.get(fmt, ()):
            if module not in missing and not _installed(module):
                missing[module] = [f for f in formats if module in NEEDS.get(f, ())]
    if not missing:
        return
    packages = [PACKAGES[m] for m in missing]
    chosen = sorted({f for fs in missing.values() for f in fs}, key=formats.index)
    what = f"the {chosen[0]} output needs" if len(chosen) == 1 else f"{_and(chosen)} need"
    are = "is" if len(packages) == 1 else "are"
    raise InputError.single(
        None,
        option,
        f"{what} {_and(packages)}, which {are} not installed (the '{EXTRA}' extra): "
        f"pip install 'campaign-sim[{EXTRA}]'",
    )


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
