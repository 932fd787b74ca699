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
import itertools
import json
import math
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, PositiveInt, model_validator

from campaign_sim.errors import InputError, Problem
from campaign_sim.scenario.loading import scenario_from_dict
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.reading import read_yaml, validate
from campaign_sim.scenario.resolve import load_priors_file
from campaign_sim.scenario.strict import Strict
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
MAX_POINTS = 100_000
#: Columns of the results table that an axis name must not take.
RESERVED = frozenset({"point", "strategy", "label", "campaigns", "seed"})


class Grid(Strict):
    """Evenly spaced values: ``start`` to ``stop`` (inclusive) by ``step``, or ``num`` points."""

    start: float
    stop: float
    step: float | None = Field(None, description="spacing; the stop is included if it falls on it")
    num: PositiveInt | None = Field(None, description="number of evenly spaced points")

    @model_validator(mode="after")
    def _one_spacing(self) -> Grid:
        if (self.step is None) == (self.num is None):
            raise ValueError("give exactly one of `step` or `num`")
        if self.step is not None and (self.step == 0 or (self.stop - self.start) / self.step < 0):
            raise ValueError(
                f"step(={self.step:g}) must be non-zero and lead from start(={self.start:g}) "
                f"to stop(={self.stop:g})"
            )
        return self

    def values(self) -> list[float | int]:
        if self.num is not None:
            if self.num > MAX_POINTS:
                raise ValueError(f"{self.num:,} values: more than {MAX_POINTS:,}")
            if self.num == 1:
                raw = [self.start]
            else:
                raw = [
                    self.start + i * (self.stop - self.start) / (self.num - 1)
                    for i in range(self.num)
                ]
        else:
            count = math.floor((self.stop - self.start) / self.step + 1e-9) + 1  # type: ignore[operator]
            if count > MAX_POINTS:
                raise ValueError(f"{count:,} values: more than {MAX_POINTS:,}")
            raw = [self.start + i * self.step for i in range(count)]  # type: ignore[operator]
        whole = all(float(v).is_integer() for v in (self.start, self.stop, self.step or 1))
        return [int(round(v)) if whole and self.num is None else _round(v) for v in raw]


class AxisSpec(Strict):
    """One axis as written in a sweep file."""

    path: str = Field(description="key path into the scenario; * for every key or index")
    name: str | None = Field(None, description="column name in the results [default: path]")
    values: list[Any] | Grid = Field(
        description="a list, or {start, stop, step} / {start, stop, num}"
    )
    also: dict[str, float | str] = Field(
        {}, description="linked paths: a number, or an expression in x (this axis's value)"
    )

    @model_validator(mode="after")
    def _not_empty(self) -> AxisSpec:
        if isinstance(self.values, list) and not self.values:
            raise ValueError("an axis needs at least one value")
        return self


class SweepFile(Strict):
    """A sweep file, as written."""

    scenario: str = Field(description="the base scenario, relative to this file")
    axes: list[AxisSpec] = []
    zip: bool = Field(False, description="pair the axes' values instead of every combination")
    engine: Literal["vectorized", "timeline"] = Field(
        "vectorized", description="timeline: campaign totals on the calendar (docs/timeline.md)"
    )
    campaigns: PositiveInt | None = None
    seed: int | None = Field(None, ge=0)
    objective: str | None = Field(None, description="e.g. profit, roi, max:roi_p5, min:cpa")
    risk_limit: list[str] = Field([], description="e.g. prob_loss<=0.10")
    frontier_return: str = "roi_mean"
    frontier_risk: str = "prob_loss"


@dataclass(frozen=True)
class Axis:
    """A checked axis: the concrete paths it sets, its values, and the linked paths."""

    name: str
    paths: tuple[str, ...]
    values: tuple[Any, ...]
    linked: tuple[tuple[str, tuple[str, ...], float | str], ...]  # (name, paths, expression)

    def settings(self, value: Any) -> dict[str, Any]:
        """Column -> value for one value of this axis (the axis first, then linked paths).

        A list or mapping value (a range, a distribution) becomes its JSON text, so the
        column stays one scalar per row in CSV and Parquet.
        """
        out = {self.name: value if _is_scalar(value) else json.dumps(value)}
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


def evaluate(expression: float | str, x: Any) -> float:
    """An arithmetic expression in ``x`` (numbers, x, + - * / ** and parentheses)."""
    if not isinstance(expression, str):
        return expression

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.Name) and node.id == "x":
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise ValueError(f"x(={x!r}) is not a number")
            return x
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](walk(node.operand))
        raise ValueError(
            f"'{expression}' is not arithmetic in x (numbers, x, + - * / ** and parentheses)"
        )

    try:
        tree = ast.parse(expression, mode="eval")
        return _round(walk(tree.body))
    except (SyntaxError, ZeroDivisionError, OverflowError) as exc:
        raise ValueError(f"cannot evaluate '{expression}' at x={x!r}: {exc}") from None


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _round(value: float) -> float:
    return float(f"{value:.{DIGITS}g}")


def parse_vary(text: str) -> AxisSpec:
    """``[NAME:]PATH=VALUES[;LINKED=EXPR...]`` from the command line.

    NAME is the axis's column name (default: the path). VALUES is ``a,b,c`` (a list; items
    read as YAML scalars), a YAML list ``[[lo, hi], ...]`` (for values that hold commas),
    ``start:stop:step`` (the stop is included when it falls on the grid) or
    ``start:stop/num`` (num evenly spaced points). Each ``;LINKED=EXPR`` sets another path
    from the same value x, e.g. ``;...share=1-x``.
    """
    head, *links = [part.strip() for part in text.split(";")]
    path, values = _split(head, text)
    name, _, path = path.rpartition(":")
    also = {}
    for link in links:
        linked, expression = _split(link, text)
        also[linked] = expression
    spec = {"path": path.strip(), "values": _parse_values(values, text), "also": also}
    return validate(AxisSpec, spec | ({"name": name.strip()} if name.strip() else {}), "--vary")


def _split(part: str, text: str) -> tuple[str, str]:
    path, sep, value = part.partition("=")
    if not sep or not path.strip() or not value.strip():
        raise InputError.single(
            "--vary", text, "expected PATH=VALUES, e.g. economics.gross_margin=0.4,0.5,0.6"
        )
    return path.strip(), value.strip()


def _parse_values(text: str, whole: str) -> list[Any] | dict[str, Any]:
    try:
        if text.startswith("["):  # a YAML list, for values that hold commas: [[1, 2], [3, 4]]
            values = yaml.safe_load(text)
            if not isinstance(values, list):
                raise ValueError(text)
            return values
        if ":" in text and "," not in text:
            start, stop, rest = (text.split(":") + [""])[:3]
            if "/" in stop:
                stop, num = stop.split("/")
                return {"start": float(start), "stop": float(stop), "num": int(num)}
            return {"start": _number(start), "stop": _number(stop), "step": _number(rest)}
        return [yaml.safe_load(item) for item in text.split(",")]
    except (ValueError, yaml.YAMLError):
        raise InputError.single(
            "--vary",
            whole,
            f"cannot read values '{text}': give a,b,c or start:stop:step or start:stop/num",
        ) from None


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


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

    ``zipped`` and ``engine`` override the sweep file's ``zip`` and ``engine``.
    """
    data = read_yaml(path)
    if is_sweep_file(data):
        settings: SweepFile = validate(SweepFile, data, path)
        base_path = Path(path).parent / settings.scenario
        source: str | None = str(path)
    else:
        settings = SweepFile(scenario=str(path))
        base_path, source = Path(path), None
    axes_spec = list(settings.axes) + list(vary or [])
    if not axes_spec:
        raise InputError.single(
            path, "axes", "nothing to sweep: give axes in a sweep file or --vary PATH=VALUES"
        )
    base = scenario_from_dict(read_yaml(base_path), source=base_path)
    _, _, base_priors = load_priors_file(base.model.priors.base, base_path.parent)
    axes = tuple(
        _check_axis(spec, i, base.data, base_priors, source or "--vary")
        for i, spec in enumerate(axes_spec)
    )
    names = [a.name for a in axes] + [name for a in axes for name, _, _ in a.linked]
    clashes = sorted({n for n in names if names.count(n) > 1} | (set(names) & RESERVED))
    if clashes:
        raise InputError.single(
            source,
            "axes",
            f"column name(s) {', '.join(clashes)} used twice or reserved: give the axis a "
            "`name` of its own",
        )
    zipped = settings.zip if zipped is None else zipped
    engine = settings.engine if engine is None else engine
    timeline_paths = [
        path
        for axis in axes
        for path in axis.paths + tuple(p for _, paths, _ in axis.linked for p in paths)
        if path.startswith("timeline.")
    ]
    if timeline_paths and engine != "timeline":
        raise InputError.single(
            source,
            "engine",
            f"'{timeline_paths[0]}' changes only the timeline engine's results: sweep it with "
            "--engine timeline (engine: timeline in a sweep file)",
        )
    if zipped and len({len(a.values) for a in axes}) > 1:
        sizes = ", ".join(f"{a.name}: {len(a.values)}" for a in axes)
        raise InputError.single(source, "zip", f"zipped axes need as many values each ({sizes})")
    combos = list(
        zip(*(a.values for a in axes), strict=True)
        if zipped
        else itertools.product(*(a.values for a in axes))
    )
    if len(combos) > MAX_POINTS:
        raise InputError.single(source, "axes", f"{len(combos):,} points: more than {MAX_POINTS:,}")
    points = tuple(
        _point(i, combo, axes, base, base_priors, base_path) for i, combo in enumerate(combos)
    )
    settings = settings.model_copy(update={"zip": zipped, "engine": engine})
    return Sweep(base, axes, zipped, points, source, settings)


def _check_axis(spec: AxisSpec, index: int, data: dict, base_priors: dict, source: str) -> Axis:
    where = f"axes[{index}]"
    try:
        values = spec.values.values() if isinstance(spec.values, Grid) else spec.values
        paths = tuple(expand(spec.path, data, base_priors))
        linked = []
        for other, expression in spec.also.items():
            for value in values:
                evaluate(expression, value)  # fail now, not at point 57
            linked.append((other, tuple(expand(other, data, base_priors)), expression))
    except InputError as exc:
        raise InputError(
            source, [Problem(f"{where}.path: {p.path}", p.message) for p in exc.problems]
        ) from None
    except ValueError as exc:
        raise InputError.single(source, where, str(exc)) from None
    return Axis(spec.name or spec.path, paths, tuple(values), tuple(linked))


def _point(
    index: int,
    combo: tuple[Any, ...],
    axes: tuple[Axis, ...],
    base: Scenario,
    base_priors: dict,
    base_path: Path,
) -> Point:
    data = copy.deepcopy(base.data)
    values: dict[str, Any] = {}
    for axis, value in zip(axes, combo, strict=True):
        values.update(axis.settings(value))
        for path, setting in axis.assignments(value):
            set_path(data, path, setting, base_priors)
    try:
        scenario = scenario_from_dict(data, source=base_path)
    except InputError as exc:
        at = ", ".join(f"{k}={v}" for k, v in values.items())
        raise InputError(f"{base_path} at sweep point {index} ({at})", exc.problems) from None
    return Point(index, values, scenario)
