"""Key paths into a scenario: parse, check against the scenario schema, expand, set.

A path such as ``strategies.mix.groups[0].share`` names one value of a scenario file. ``*``
stands for every key (or index) that exists there, so ``strategies.*.budget`` names every
strategy's budget. Paths are checked against :class:`campaign_sim.scenario.schema.ScenarioFile` and
the
base scenario before anything runs; a bad path is reported with the nearest valid one.
Paths into ``priors.tiers`` may name a prior the scenario does not override yet: setting a part
of it (``...conversion_rate.range``) starts from the base priors file's entry.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
import typing
from typing import Any, Union

from pydantic import BaseModel

from campaign_sim.errors import InputError
from campaign_sim.errors import format_path as _plain_path
from campaign_sim.scenario.schema import QUANTITIES, ScenarioFile

__all__ = ["expand", "parse_path", "set_path", "valid_paths"]

Segment = str | int
_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[(\d+|\*)\]|\[\"([^\"]+)\"\]")


#: The longest key path read (a scenario's paths are far shorter); longer ones are refused
#: before any matching, which would take long on a huge text.
MAX_PATH = 300


def format_path(loc: tuple[Segment, ...]) -> str:
    """A key path as :func:`parse_path` reads it back: ``errors.format_path``, with a key
    holding a dot in brackets and double quotes (a roster's ``book["sunday.dripper"]``)."""
    out = ""
    for part in loc:
        if isinstance(part, str) and "." in part:
            out += f'["{part}"]'
        else:
            piece = _plain_path([part])
            out += piece if piece.startswith("[") or not out else f".{piece}"
    return out or "(top level)"


def _shown(text: str, limit: int = 80) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def parse_path(text: str) -> tuple[Segment, ...]:
    """``strategies.a.groups[0].share`` -> ``('strategies', 'a', 'groups', 0, 'share')``; a
    key holding a dot in brackets and double quotes: ``book["sunday.dripper"]``."""
    text = text.strip()
    if len(text) > MAX_PATH:
        raise ValueError(f"a key path of {len(text):,} characters: at most {MAX_PATH}")
    segments: list[Segment] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or (position == 0 and text.startswith(".")):
            raise ValueError(f"cannot read key path {_shown(text)} at character {position + 1}")
        key, index, quoted = match.groups()
        if quoted is not None:
            segments.append(quoted)
        else:
            segments.append(key if key is not None else (int(index) if index != "*" else "*"))
        position = match.end()
    if not segments:
        raise ValueError("empty key path")
    return tuple(segments)


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``None`` from an annotation."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            else:
                return args
        else:
            return annotation


def _spec_fields(options: list[Any]) -> dict[str, Any] | None:
    """The fields of a union of models (a distribution spec), or None if not all are models."""
    if not all(isinstance(o, type) and issubclass(o, BaseModel) for o in options):
        return None
    fields: dict[str, Any] = {}
    for model in options:
        for name, field in model.model_fields.items():
            fields.setdefault(field.alias or name, field.annotation)
    return fields


class _Walker:
    """Walks a path through the schema and the scenario data, collecting concrete paths."""

    def __init__(self, data: dict[str, Any], base_priors: dict[str, Any]) -> None:
        self.data = data
        self.base_priors = base_priors

    def _existing_keys(self, where: tuple[Segment, ...], node: Any) -> list[str]:
        keys = list(node) if isinstance(node, dict) else []
        if where[:2] == ("priors", "tiers"):
            # Tiers and platforms of the base priors may be overridden without being named yet.
            base = self.base_priors.get("tiers", {})
            for segment in where[2:]:
                base = base.get(segment, {}) if isinstance(base, dict) else {}
            keys += [k for k in base if k not in keys] if isinstance(base, dict) else []
        return keys

    def children(
        self, annotation: Any, where: tuple[Segment, ...], node: Any
    ) -> tuple[str, list[tuple[Segment, Any]]] | None:
        """How ``annotation`` at ``where`` continues: (kind, [(segment, child annotation)])."""
        annotation = _unwrap(annotation)
        if isinstance(annotation, list):
            fields = _spec_fields(annotation)
            return ("model", list(fields.items())) if fields else None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return (
                "model",
                [(f.alias or n, f.annotation) for n, f in annotation.model_fields.items()],
            )
        origin = typing.get_origin(annotation)
        if origin is dict:
            value = typing.get_args(annotation)[1]
            return ("mapping", [(k, value) for k in self._existing_keys(where, node)])
        if origin in (list, tuple):
            args = typing.get_args(annotation)
            length = len(node) if isinstance(node, (list, tuple)) else 0
            if origin is tuple and args and args[-1] is not Ellipsis:
                return ("sequence", [(i, args[i]) for i in range(len(args))])
            return ("sequence", [(i, args[0] if args else Any) for i in range(length)])
        return None

    def expand(self, path: tuple[Segment, ...]) -> list[tuple[Segment, ...]]:
        """Every concrete path matching ``path`` (``*`` expanded); InputError if none is valid."""
        found: list[tuple[Segment, ...]] = []
        self._expand(path, (), ScenarioFile, self.data, found)
        return found

    def _expand(
        self,
        rest: tuple[Segment, ...],
        where: tuple[Segment, ...],
        annotation: Any,
        node: Any,
        found: list[tuple[Segment, ...]],
    ) -> None:
        if not rest:
            found.append(where)
            return
        segment, rest = rest[0], rest[1:]
        shape = self.children(annotation, where, node)
        here = format_path(where) or "the scenario"
        if shape is None:
            raise self._error(where + (segment,), f"'{format_path(where)}' holds a single value")
        kind, options = shape
        if segment == "*":
            if kind == "model" or not options:
                raise self._error(where + (segment,), f"'*' needs a mapping or a list at {here}")
            for key, child in options:
                self._expand(rest, where + (key,), child, _child(node, key), found)
            return
        for key, child in options:
            if key == segment:
                self._expand(rest, where + (key,), child, _child(node, key), found)
                return
        if kind == "mapping" and where[-1:] == ("book",) and isinstance(segment, str):
            # A roster group's `book` takes any handle; the roster checks it when the point
            # is loaded (with a did-you-mean among its candidates).
            value = typing.get_args(_unwrap(annotation))[1]
            self._expand(rest, where + (segment,), value, _child(node, segment), found)
            return
        if kind == "sequence":
            message = f"{here} has {len(options)} item(s), no index {segment}"
            last = (len(options) - 1,) if options else ()
            raise self._error(where + (segment,), message, where + last + rest if last else None)
        names = [str(k) for k, _ in options]
        message = f"no key {_shown(str(segment))} in {here}; known: {', '.join(names) or 'none'}"
        close = difflib.get_close_matches(str(segment), names, n=1, cutoff=0.4)
        guess = where + tuple(close) + rest if close else None
        raise self._error(where + (segment,), message, guess)

    def _error(
        self, bad: tuple[Segment, ...], message: str, guess: tuple[Segment, ...] | None = None
    ) -> InputError:
        return InputError.single(None, format_path(bad), message + self._nearest(bad, guess))

    def _nearest(self, bad: tuple[Segment, ...], guess: tuple[Segment, ...] | None) -> str:
        """The user's path with the bad key corrected, else the closest valid path."""
        if guess is not None:
            try:
                return f" (nearest valid path: '{format_path(self.expand(guess)[0])}')"
            except InputError:
                pass
        text = format_path(bad)
        paths = valid_paths(self.data, self.base_priors)
        match = difflib.get_close_matches(text, paths, n=1, cutoff=0.6)
        if not match:
            # A key misspelt at the wrong depth: the first path whose last key is closest.
            leaves = {str(parse_path(p)[-1]): p for p in reversed(paths)}
            close = difflib.get_close_matches(str(bad[-1]), list(leaves), n=1, cutoff=0.6)
            match = [leaves[close[0]]] if close else []
        return f" (nearest valid path: '{match[0]}')" if match else ""


def _child(node: Any, key: Segment) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, (list, tuple)) and isinstance(key, int) and key < len(node):
        return node[key]
    return None


def valid_paths(data: dict[str, Any], base_priors: dict[str, Any]) -> list[str]:
    """Every path to a value the scenario holds or the schema allows (for suggestions)."""
    walker = _Walker(data, base_priors)
    out: list[str] = []

    def visit(where: tuple[Segment, ...], annotation: Any, node: Any, depth: int) -> None:
        shape = walker.children(annotation, where, node)
        if shape is None or depth > 8:
            out.append(format_path(where))
            return
        for key, child in shape[1]:
            visit(where + (key,), child, _child(node, key), depth + 1)

    visit((), ScenarioFile, data, 0)
    return out


def expand(text: str, data: dict[str, Any], base_priors: dict[str, Any]) -> list[str]:
    """Check a path (``*`` allowed) and list the concrete paths it names."""
    try:
        path = parse_path(text)
    except ValueError as exc:
        raise InputError.single(None, _shown(text)[1:-1] or "(path)", str(exc)) from None
    return [format_path(p) for p in _Walker(data, base_priors).expand(path)]


def set_path(data: dict[str, Any], text: str, value: Any, base_priors: dict[str, Any]) -> None:
    """Set the value at a concrete path of ``data`` in place, creating mappings on the way.

    A prior the scenario does not override yet starts as a copy of the base priors' entry, so
    ``priors.tiers.nano.conversion_rate.range`` keeps the base family and coverage.
    """
    path = parse_path(text)
    node: Any = data
    for depth, segment in enumerate(path[:-1]):
        nxt = _child(node, segment)
        if isinstance(nxt, (int, float)) and not isinstance(nxt, bool):
            nxt = node[segment] = {"family": "fixed", "value": nxt}  # a bare number's spec
        elif nxt is None:
            nxt = copy.deepcopy(_base_entry(path[: depth + 1], base_priors)) or {}
            node[segment] = nxt
        node = nxt
    node[path[-1]] = copy.deepcopy(value)


def _base_entry(path: tuple[Segment, ...], base_priors: dict[str, Any]) -> Any:
    """The base priors' entry for ``priors.tiers...<quantity>``, if ``path`` names one."""
    if path[:2] != ("priors", "tiers") or path[-1] not in QUANTITIES:
        return None
    node: Any = base_priors.get("tiers", {})
    for segment in path[2:]:
        node = node.get(segment) if isinstance(node, dict) else None
    if node is None and len(path) == 6:  # a platform without its own entry: the tier's
        return _base_entry(path[:3] + path[-1:], base_priors)
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return {"family": "fixed", "value": node}
    if isinstance(node, dict):  # the figures it was fitted to no longer describe a swept prior
        return {k: v for k, v in node.items() if k not in ("sources", "note")}
    return node
