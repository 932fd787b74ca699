"""Sweep files and ``--vary`` options: a base scenario, axes of values, and the points they make.

An axis sets one key path (``*`` allowed) to each of its values, and may set linked paths from
the same value ``x`` by an arithmetic expression (``1 - x``): a nano share ``x`` with the micro
share ``1 - x`` is one axis. Axes combine as a cartesian product, or zipped (the i-th value of
every axis together). Every point is the base scenario's data with the values set, validated
in full by :func:`campaign_sim.scenario.loading.scenario_from_dict`.
"""

from __future__ import annotations

import ast
import copy
import functools
import itertools
import json
import math
import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from campaign_sim.errors import InputError, Problem
from campaign_sim.scenario.loading import scenario_from_dict
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.reading import read_yaml, validate
from campaign_sim.scenario.resolve import load_priors_file
from campaign_sim.scenario.strict import (
    Flag,
    NonNegativeInteger,
    Number,
    PositiveInteger,
    Strict,
)
from campaign_sim.sweep.paths import expand, set_path

__all__ = [
    "Axis",
    "AxisSpec",
    "Point",
    "Sweep",
    "SweepFile",
    "evaluate",
    "is_sweep_file",
    "make_sweep",
    "parse_vary",
]

#: Generated values are rounded to this many significant digits, so 0:1:0.1 gives 0.3, not
#: 0.30000000000000004, and 1 - 0.7 gives 0.3.
DIGITS = 12
#: The most points (and the most values of one axis) a sweep may have: refused before anything
#: is built.
MAX_POINTS = 100_000
#: Linked-path expressions: at most this many characters, powers with exponents in ±MAX_EXPONENT.
MAX_EXPRESSION = 200
MAX_EXPONENT = 100
#: The longest --vary option read.
MAX_VARY = 10_000
#: Quoted values in messages are cut to this many characters.
SHOWN = 80
#: Columns of the results table that an axis name must not take.
RESERVED = frozenset({"point", "strategy", "label", "campaigns", "seed"})
#: The union tags of an axis's values. reading.validate leaves ``function-`` segments out of key
#: paths, so a problem reads ``axes[0].values.stop``, not ``axes[0].values.grid.stop``.
_LIST, _GRID = "function-list", "function-grid"
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_ARITHMETIC = re.compile(r"^[\d\s.eE+\-*/()^%]+$")


def shown(value: Any) -> str:
    """``value`` as quoted text for a message, cut to about :data:`SHOWN` characters."""
    text = value if isinstance(value, str) else repr(value)
    text = text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
    return repr(text) if isinstance(value, str) else text


class Grid(Strict):
    """Evenly spaced values: ``start`` to ``stop`` (inclusive) by ``step``, or ``num`` points."""

    start: Number
    stop: Number
    step: Number | None = Field(None, description="spacing; the stop is included if it falls on it")
    num: PositiveInteger | None = Field(None, description="number of evenly spaced points")

    @model_validator(mode="after")
    def _one_spacing(self) -> Grid:
        if (self.step is None) == (self.num is None):
            raise ValueError("give exactly one of `step` or `num`")
        if self.step is not None and (self.step == 0 or (self.stop - self.start) / self.step < 0):
            raise ValueError(
                f"step(={self.step:g}) must be non-zero and lead from start(={self.start:g}) "
                f"to stop(={self.stop:g})"
            )
        count = self.count
        if count > MAX_POINTS:
            raise ValueError(_too_many(count))
        return self

    @property
    def count(self) -> int | float:
        """How many values the grid has (``inf`` if more than a float can count)."""
        if self.num is not None:
            return self.num
        steps = (self.stop - self.start) / self.step  # type: ignore[operator]
        return math.floor(steps + 1e-9) + 1 if math.isfinite(steps) else math.inf

    def values(self) -> list[float | int]:
        if self.count > MAX_POINTS:  # a Grid made with model_construct
            raise ValueError(_too_many(self.count))
        if self.num is not None:
            if self.num == 1:
                raw = [self.start]
            else:
                raw = [
                    self.start + i * (self.stop - self.start) / (self.num - 1)
                    for i in range(self.num)
                ]
        else:
            raw = [self.start + i * self.step for i in range(int(self.count))]  # type: ignore[operator]
        whole = all(float(v).is_integer() for v in (self.start, self.stop, self.step or 1))
        return [int(round(v)) if whole and self.num is None else _round(v) for v in raw]


def _too_many(count: float) -> str:
    counted = f"{count:,} values" if math.isfinite(count) else "too many values to count"
    return f"{counted}: more than {MAX_POINTS:,}"


#: The most numbers and texts one value of an axis may hold (a range holds 2, a distribution a
#: dozen), and how deep it may nest: more is refused before anything walks it whole.
MAX_NODES = 10_000
MAX_DEPTH = 20


def _plain(value: Any) -> Any:
    """A value a scenario file can hold: a finite number, text, true/false, null, or a list or
    mapping of these (a range, a distribution); small (YAML aliases can make a short text a
    huge value)."""
    stack, seen = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            raise PydanticCustomError(
                "too_large", "a value of more than {most} items", {"most": f"{MAX_NODES:,}"}
            )
        if item is None or isinstance(item, (bool, int, str)):
            continue
        if isinstance(item, float):
            if not math.isfinite(item):
                raise PydanticCustomError("not_finite", "must be a finite number")
            continue
        if isinstance(item, (list, dict)):
            if depth >= MAX_DEPTH:
                raise PydanticCustomError(
                    "too_deep", "a value nested more than {most} deep", {"most": MAX_DEPTH}
                )
            stack += [(x, depth + 1) for x in (item.values() if isinstance(item, dict) else item)]
            continue
        raise PydanticCustomError(
            "not_a_value",
            "a {kind} is not a value of a scenario: give numbers, text, [lo, hi] ranges or "
            "distributions (quote it to give text)",
            {"kind": type(item).__name__},
        )
    return value


def _values_kind(value: Any) -> str | None:
    return _GRID if isinstance(value, dict) else _LIST if isinstance(value, list) else None


Values = Annotated[
    Annotated[list[Annotated[Any, AfterValidator(_plain)]], Tag(_LIST)]
    | Annotated[Grid, Tag(_GRID)],
    Discriminator(
        _values_kind,
        custom_error_type="values",
        custom_error_message="give a list of values, or {start, stop, step} / {start, stop, num}",
    ),
]


def _linked(value: Any) -> float | str:
    """A linked path's setting: a finite number, or an expression in x (checked now)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise PydanticCustomError(
            "linked",
            "give a number or an expression in x such as 1 - x",
        )
    if isinstance(value, str):
        try:
            _parse_expression(value)
        except ValueError as exc:
            raise PydanticCustomError("expression", "{message}", {"message": str(exc)}) from None
        return value
    if not math.isfinite(value):
        raise PydanticCustomError("not_finite", "must be a finite number")
    return value


Linked = Annotated[Any, AfterValidator(_linked)]


def _limits(value: Any) -> Any:
    return [value] if isinstance(value, str) else value  # one limit needs no list


class AxisSpec(Strict):
    """One axis as written in a sweep file."""

    path: str = Field(description="key path into the scenario; * for every key or index")
    name: str | None = Field(None, description="column name in the results [default: path]")
    values: Values = Field(description="a list, or {start, stop, step} / {start, stop, num}")
    also: dict[str, Linked] = Field(
        {}, description="linked paths: a number, or an expression in x (this axis's value)"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> AxisSpec:
        if isinstance(self.values, list) and not self.values:
            raise ValueError("an axis needs at least one value")
        if isinstance(self.values, list) and len(self.values) > MAX_POINTS:
            raise ValueError(_too_many(len(self.values)))
        return self

    @property
    def count(self) -> int | float:
        """How many values the axis has, without making them."""
        return self.values.count if isinstance(self.values, Grid) else len(self.values)


class SweepFile(Strict):
    """A sweep file, as written."""

    scenario: str = Field(description="the base scenario, relative to this file")
    axes: list[AxisSpec] = []
    zip: Flag = Field(False, description="pair the axes' values instead of every combination")
    engine: Literal["vectorized", "timeline"] = Field(
        "vectorized", description="timeline: campaign totals on the calendar (docs/timeline.md)"
    )
    campaigns: PositiveInteger | None = None
    seed: NonNegativeInteger | None = None
    objective: str | None = Field(
        None, min_length=1, description="e.g. profit, roi, max:roi_p5, min:cpa"
    )
    risk_limit: Annotated[list[str], BeforeValidator(_limits)] = Field(
        [], description="e.g. prob_loss<=0.10"
    )
    frontier_return: str = Field("roi_mean", min_length=1)
    frontier_risk: str = Field("prob_loss", min_length=1)


@dataclass(frozen=True)
class Axis:
    """A checked axis: the concrete paths it sets, its values, and the linked paths."""

    name: str
    paths: tuple[str, ...]
    values: tuple[Any, ...]
    linked: tuple[tuple[str, tuple[str, ...], float | str], ...]  # (name, paths, expression)
    #: The values are of mixed kinds (a number and a distribution, a number and a text):
    #: every one is written as text, so the column has one type.
    as_text: bool = False

    def settings(self, value: Any) -> dict[str, Any]:
        """Column -> value for one value of this axis (the axis first, then linked paths).

        A list or mapping value (a range, a distribution) becomes its JSON text, so the
        column stays one scalar per row in CSV and Parquet; on an axis of mixed kinds every
        value does (text stays as written).
        """
        scalar = _is_scalar(value) and not (self.as_text and not isinstance(value, str))
        out = {self.name: value if scalar or value is None else json.dumps(value)}
        for name, _, expression in self.linked:
            out[name] = evaluate(expression, value)
        return out

    def assignments(self, value: Any) -> list[tuple[str, Any]]:
        """Concrete (path, value) pairs for one value of this axis."""
        pairs = [(path, value) for path in self.paths]
        for _, paths, expression in self.linked:
            pairs += [(path, evaluate(expression, value)) for path in paths]
        return pairs


@dataclass(frozen=True)
class Point:
    """One point of a sweep: its axis values (by column) and its validated scenario."""

    index: int
    values: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Sweep:
    """A base scenario, its axes and every point, all validated."""

    base: Scenario
    axes: tuple[Axis, ...]
    zipped: bool
    points: tuple[Point, ...]
    source: str | None  # the sweep file, or None for a scenario with --vary
    settings: SweepFile  # what was asked: campaigns, seed, objective, limits

    @property
    def columns(self) -> list[str]:
        """Axis columns of the results table: each axis, then its linked paths."""
        return list(self.points[0].values) if self.points else []

    def describe(self) -> list[dict[str, Any]]:
        """JSON-ready axes, for manifests and fingerprints."""
        return [
            {
                "name": a.name,
                "paths": list(a.paths),
                "values": list(a.values),
                "linked": [{"name": n, "paths": list(p), "expression": e} for n, p, e in a.linked],
            }
            for a in self.axes
        ]


_OPERATORS: dict[type, Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_ALLOWED = "numbers, x, + - * / ** and parentheses"


@functools.lru_cache(maxsize=256)
def _parse_expression(expression: str) -> ast.expr:
    """The syntax tree of a linked-path expression, checked: only numbers, ``x``, ``+ - * /``,
    ``**`` and parentheses, at most :data:`MAX_EXPRESSION` characters. ValueError otherwise."""
    if len(expression) > MAX_EXPRESSION:
        raise ValueError(
            f"an expression of {len(expression):,} characters: at most {MAX_EXPRESSION}"
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ValueError(f"cannot read it: write arithmetic in x ({_ALLOWED})") from None
    for node in ast.walk(tree):
        number = isinstance(node, ast.Constant) and type(node.value) in (int, float)
        if not (
            number
            or (isinstance(node, ast.Name) and node.id == "x")
            or (isinstance(node, (ast.BinOp, ast.UnaryOp)) and type(node.op) in _OPERATORS)
            or isinstance(node, (ast.operator, ast.unaryop, ast.Load))
        ):
            raise ValueError(f"not arithmetic in x ({_ALLOWED})")
    return tree


def evaluate(expression: float | str, x: Any) -> float:
    """An arithmetic expression in ``x`` (numbers, x, + - * / ** and parentheses).

    Safe and bounded: the expression is parsed, never run as Python; only those operations
    exist; the arithmetic is in floating point (so no power of huge integers can hang), an
    exponent must lie within ±:data:`MAX_EXPONENT` and every intermediate result must be
    finite. ValueError otherwise.
    """
    if not isinstance(expression, str):
        return expression
    try:
        tree = _parse_expression(expression)
    except ValueError as exc:
        raise ValueError(f"{shown(expression)}: {exc}") from None

    def number(value: Any) -> float:
        try:
            out = float(value)
        except OverflowError:
            raise ValueError(f"{shown(str(value))} is too large") from None
        if not math.isfinite(out):
            raise ValueError("the result is not a finite number")
        return out

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant):
            return number(node.value)
        if isinstance(node, ast.Name):
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise ValueError(f"x(={shown(x)}) is not a number")
            return number(x)
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
                raise ValueError(f"exponent {right:g} is beyond ±{MAX_EXPONENT}")
            result = _OPERATORS[type(node.op)](left, right)
            if isinstance(result, complex):
                raise ValueError(f"{left:g} ** {right:g} is not a real number")
            return number(result)
        assert isinstance(node, ast.UnaryOp)
        return number(_OPERATORS[type(node.op)](walk(node.operand)))

    try:
        return _round(walk(tree))
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise ValueError(f"cannot evaluate {shown(expression)} at x={shown(x)}: {exc}") from None


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _round(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def parse_vary(text: str) -> AxisSpec:
    """``[NAME:]PATH=VALUES[;LINKED=EXPR...]`` from the command line.

    NAME is the axis's column name (default: the path). VALUES is ``a,b,c`` (a list: numbers
    read as numbers, anything else as a YAML scalar such as text or true), a YAML list
    ``[[lo, hi], ...]`` (for values that hold commas), ``start:stop:step`` (the stop is
    included when it falls on the grid) or ``start:stop/num`` (num evenly spaced points).
    Numbers are read, never evaluated: ``9**9**9`` is refused. Each ``;LINKED=EXPR`` sets
    another path from the same value x, e.g. ``;...share=1-x`` (see :func:`evaluate`).
    """
    if len(text) > MAX_VARY:
        raise InputError.single(
            "--vary",
            shown(text),
            f"{len(text):,} characters: at most {MAX_VARY:,} (put long lists of values in a "
            "sweep file)",
        )
    head, *links = [part.strip() for part in text.split(";")]
    path, values = _split(head, text)
    name, _, path = path.rpartition(":")
    also: dict[str, Any] = {}
    for link in links:
        linked, expression = _split(link, text)
        also[linked] = _number(expression) if _NUMBER.match(expression) else expression
    spec = {"path": path.strip(), "values": _parse_values(values, text), "also": also}
    return validate(AxisSpec, spec | ({"name": name.strip()} if name.strip() else {}), "--vary")


def _split(part: str, text: str) -> tuple[str, str]:
    path, sep, value = part.partition("=")
    if not sep or not path.strip() or not value.strip():
        raise InputError.single(
            "--vary", shown(text), "expected PATH=VALUES, e.g. economics.gross_margin=0.4,0.5,0.6"
        )
    return path.strip(), value.strip()


def _parse_values(text: str, whole: str) -> list[Any] | dict[str, Any]:
    def bad(why: str = "") -> InputError:
        return InputError.single(
            "--vary",
            shown(whole),
            f"cannot read values {shown(text)}{why}: give a,b,c or start:stop:step or "
            "start:stop/num (numbers are read, never evaluated)",
        )

    if text.startswith("["):  # a YAML list, for values that hold commas: [[1, 2], [3, 4]]
        depth = most = 0
        for char in text:  # refuse deep nesting before the YAML parser recurses into it
            depth += (char in "[{") - (char in "]}")
            most = max(most, depth)
        if most > MAX_DEPTH + 1:
            raise bad(f" (nested {most} deep: at most {MAX_DEPTH})")
        try:
            values = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError):
            raise bad() from None
        if not isinstance(values, list):
            raise bad()
        return values
    if ":" in text and "," not in text:
        start, stop, *rest = text.split(":")
        if "/" in stop and not rest:
            stop, _, num = stop.partition("/")
            if not _INTEGER.match(num.strip()):
                raise bad(f" ({shown(num)} is not a whole number of points)")
            return {
                "start": _grid_number(start, bad),
                "stop": _grid_number(stop, bad),
                "num": int(num),
            }
        if len(rest) != 1:
            raise bad()
        return {
            key: _grid_number(item, bad)
            for key, item in zip(("start", "stop", "step"), (start, stop, rest[0]), strict=True)
        }
    out: list[Any] = []
    for item in text.split(","):
        item = item.strip()
        if _NUMBER.match(item):
            out.append(_number(item))
        elif _ARITHMETIC.match(item) and any(c.isdigit() for c in item):
            raise bad(f" ({shown(item)} is not a number)")
        else:
            try:
                value = yaml.safe_load(item) if item else None
            except yaml.YAMLError:
                raise bad() from None
            out.append(value)
    return out


def _grid_number(text: str, bad: Any) -> float | int:
    text = text.strip()
    if not _NUMBER.match(text):
        raise bad(f" ({shown(text)} is not a number)")
    return _number(text)


def _number(text: str) -> float | int:
    """A number literal (``12``, ``-0.5``, ``1e6``): read, never evaluated."""
    text = text.strip()
    if _INTEGER.match(text):
        return int(text) if len(text) < 400 else float("inf")  # finite checks refuse inf
    value = float(text)
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


def is_sweep_file(data: dict[str, Any]) -> bool:
    """A sweep file names a scenario and axes; a scenario file has strategies."""
    return ("scenario" in data or "axes" in data) and "strategies" not in data


def make_sweep(
    path: str | Path,
    vary: list[AxisSpec] | None = None,
    *,
    zipped: bool | None = None,
    engine: str | None = None,
) -> Sweep:
    """Read a sweep file or a scenario, add ``vary`` axes, check every path and every point.

    ``zipped`` and ``engine`` override the sweep file's ``zip`` and ``engine``. Every problem
    of a sweep file (its axes, objective, limits and frontier, each named by its key) is
    reported at once, before any point is built; the number of points is checked before too.
    """
    data = read_yaml(path)
    if is_sweep_file(data):
        settings: SweepFile = validate(SweepFile, data, path)
        base_path = _base_scenario(Path(path), settings.scenario)
        source: str | None = str(path)
    else:
        settings = SweepFile(scenario=str(path))
        base_path, source = Path(path), None
    vary = list(vary or [])
    if not settings.axes and not vary:
        raise InputError.single(
            path, "axes", "nothing to sweep: give axes in a sweep file or --vary PATH=VALUES"
        )
    zipped = settings.zip if zipped is None else zipped
    engine = settings.engine if engine is None else engine
    base = scenario_from_dict(read_yaml(base_path), source=base_path)
    _, _, base_priors = load_priors_file(base.model.priors.base, base_path.parent)
    own = source or "--vary"  # where problems of the sweep as a whole are reported
    problems: dict[str, list[Problem]] = {own: [], "--vary": []}
    axes = []
    for i, spec in enumerate([*settings.axes, *vary]):
        in_file = i < len(settings.axes)
        where = own if in_file else "--vary"
        axis = _check_axis(
            spec, f"axes[{i}]" if in_file else None, base.data, base_priors, problems[where]
        )
        if axis is not None:
            axes.append((where, axis))
    names = [a.name for _, a in axes] + [name for _, a in axes for name, _, _ in a.linked]
    clashes = sorted({n for n in names if names.count(n) > 1} | (set(names) & RESERVED))
    if clashes:
        listed = ", ".join(shown(c) for c in clashes)
        problems[own].append(
            Problem(
                "axes",
                f"column name(s) {listed} used twice or reserved: give the axis a `name` of "
                "its own",
            )
        )
    timeline_paths = [
        (where, path)
        for where, axis in axes
        for path in axis.paths + tuple(p for _, paths, _ in axis.linked for p in paths)
        if path.startswith("timeline.")
    ]
    if timeline_paths and engine != "timeline":
        where, first = timeline_paths[0]
        problems[where].append(
            Problem(
                "engine" if source and where == source else first,
                f"{shown(first)} changes only the timeline engine's results: sweep it with "
                "--engine timeline (engine: timeline in a sweep file)",
            )
        )
    if source is not None:
        problems[source] += _check_questions(settings, names, engine, source)
    for where, found in problems.items():
        if found:
            raise InputError(where, found)
    _check_count(source, [a for _, a in axes], zipped)
    checked = tuple(a for _, a in axes)
    combos = (
        zip(*(a.values for a in checked), strict=True)
        if zipped
        else itertools.product(*(a.values for a in checked))
    )
    points = tuple(
        _point(i, combo, checked, base, base_priors, base_path, engine)
        for i, combo in enumerate(combos)
    )
    settings = settings.model_copy(update={"zip": zipped, "engine": engine})
    return Sweep(base, checked, zipped, points, source, settings)


def _base_scenario(sweep: Path, scenario: str) -> Path:
    """The sweep file's base scenario, which must be a scenario file."""
    found = sweep.parent / scenario
    if not found.is_file():
        why = "is a folder" if found.is_dir() else "no such file"
        raise InputError.single(sweep, "scenario", f"{shown(scenario)}: {why} (looked for {found})")
    data = read_yaml(found)
    if is_sweep_file(data):
        raise InputError.single(
            sweep, "scenario", f"{shown(scenario)} is a sweep file: name the scenario it sweeps"
        )
    if "tiers" in data and "strategies" not in data:
        raise InputError.single(
            sweep,
            "scenario",
            f"{shown(scenario)} is a priors file: name a scenario (whose priors.base may name "
            "this priors file)",
        )
    return found


def _check_count(source: str | None, axes: list[Axis], zipped: bool) -> None:
    """Refuse more than :data:`MAX_POINTS` points, with the count, before building any."""
    if zipped and len({len(a.values) for a in axes}) > 1:
        sizes = ", ".join(f"{a.name}: {len(a.values)}" for a in axes)
        raise InputError.single(
            source or "--zip",
            "zip" if source else "axes",
            f"zipped axes need as many values each ({sizes})",
        )
    count = len(axes[0].values) if zipped else math.prod(len(a.values) for a in axes)
    if count > MAX_POINTS:
        sizes = " x ".join(f"{len(a.values):,}" for a in axes)
        raise InputError.single(
            source or "--vary",
            "axes",
            f"{sizes} = {count:,} points: more than {MAX_POINTS:,}; sweep fewer values",
        )


def _check_questions(
    settings: SweepFile, axis_columns: list[str], engine: str, source: str
) -> list[Problem]:
    """The sweep file's objective, risk limits and frontier, checked against its table."""
    from campaign_sim.sweep.analyse import Questions
    from campaign_sim.sweep.run import table_columns

    empty = Sweep(None, (), False, (), None, settings)  # type: ignore[arg-type]
    columns = [*table_columns(empty, engine), *axis_columns]
    try:
        Questions.parse(
            columns,
            ret=settings.frontier_return,
            risk=settings.frontier_risk,
            objective=settings.objective or "profit",
            limits=settings.risk_limit,
            source=source,
        )
    except InputError as exc:
        return exc.problems
    return []


def _check_axis(
    spec: AxisSpec,
    where: str | None,
    data: dict,
    base_priors: dict,
    problems: list[Problem],
) -> Axis | None:
    """The axis with its paths expanded and every linked value evaluated; None after adding
    what is wrong to ``problems``, named by its key in the sweep file (``where``) or, for a
    ``--vary`` axis (``where`` None), by its path."""
    before = len(problems)
    values = spec.values.values() if isinstance(spec.values, Grid) else spec.values

    def paths_of(text: str, key: str) -> tuple[str, ...]:
        try:
            return tuple(expand(text, data, base_priors))
        except InputError as exc:
            prefix = f"{where}.{key}: " if where else ""
            problems.extend(Problem(prefix + p.path, p.message) for p in exc.problems)
            return ()

    paths = paths_of(spec.path, "path")
    linked = []
    for other, expression in spec.also.items():
        key = f"{where}.also.{other}" if where else f"{shown(other)[1:-1]}={expression}"
        try:
            for value in values:
                evaluate(expression, value)  # fail now, not at point 57
        except ValueError as exc:
            problems.append(Problem(key, str(exc)))
        linked.append((other, paths_of(other, f"also.{other}"), expression))
    if len(problems) > before:
        return None
    return Axis(spec.name or spec.path, paths, tuple(values), tuple(linked), _mixed_kinds(values))


def _mixed_kinds(values: list[Any]) -> bool:
    """Whether an axis's column would hold values of more than one type."""

    def kind(value: Any) -> str:
        if isinstance(value, bool):
            return "flag"
        if isinstance(value, (int, float)):
            return "number"
        return "text"  # text, or a list or mapping written as JSON text

    return len({kind(v) for v in values if v is not None}) > 1


def _point(
    index: int,
    combo: tuple[Any, ...],
    axes: tuple[Axis, ...],
    base: Scenario,
    base_priors: dict,
    base_path: Path,
    engine: str = "vectorized",
) -> Point:
    data = copy.deepcopy(base.data)
    values: dict[str, Any] = {}
    for axis, value in zip(axes, combo, strict=True):
        values.update(axis.settings(value))
        for path, setting in axis.assignments(value):
            set_path(data, path, setting, base_priors)
    try:
        scenario = scenario_from_dict(data, source=base_path)
        if engine == "timeline":  # the timeline section against the point's pools, now
            from campaign_sim.scenario.timeline import timeline_plan

            timeline_plan(scenario)
    except InputError as exc:
        at = ", ".join(f"{k}={_brief(v)}" for k, v in values.items())
        raise InputError(f"{base_path} at sweep point {index} ({at})", exc.problems) from None
    return Point(index, values, scenario)


def _brief(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
