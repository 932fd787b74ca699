"""Reading YAML files and validating them, every problem translated to a key path.

One reader for every file the tool takes (scenarios, priors files, sweep files), with the
safety of ``yaml.safe_load`` and these rules on top (see docs/scenario-format.md, Validation):

- a key given twice in one mapping is an error naming both lines, never last-wins;
- aliases may add at most :data:`MAX_ALIAS_NODES` values to what the file spells out, and an
  alias may not refer to a node that contains it (billion laughs, recursion);
- mappings and lists nest at most :data:`MAX_DEPTH` deep; a file holds at most
  :data:`MAX_FILE_BYTES`.

The file is parsed by libyaml (``yaml.CSafeLoader``'s parser) when it is installed, else by the
pure-Python parser: the events are turned into Python values here, with the safe loader's
tags, so that the checks above see every key with its line. A file that uses what this reader
does not build itself (merge keys ``<<``, tagged collections such as ``!!set``, complex keys) is
checked here and then built by the safe loader itself.
"""

from __future__ import annotations

import gc
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from campaign_sim.errors import InputError, Problem, format_path, shown
from campaign_sim.scenario.strict import UnknownKey, suggest

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "line_at",
    "locate",
    "problems_of",
    "read_document",
    "read_yaml",
    "split_path",
    "validate",
]

#: Most values YAML aliases may add to those a file spells out (a billion-laughs guard).
MAX_ALIAS_NODES = 100_000
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 50
#: Largest file read (scenario, priors or sweep file).
MAX_FILE_BYTES = 20_000_000

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
#: Scalars this reader builds itself, with the safe loader's constructors.
_SCALAR_TAGS = frozenset(
    {
        _STR,
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:binary",
    }
)
_COLLECTION_TAGS = frozenset({None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})
_CONSTRUCTOR = SafeConstructor()
_KINDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "timestamp": "a date",
    "null": "null",
    "binary": "base64 data",
}


@dataclass
class Document:
    """A file's data and where each value was written: ``lines[id(container)]`` maps a key
    (or, for a list, the index) to its line; ``raw`` holds the text of scalars that do not read
    back as written (``yes``, ``.nan``, ``1.0e+999``)."""

    data: Any
    source: str | None = None
    lines: dict[int, Any] = field(default_factory=dict)
    raw: dict[tuple[int, Any], str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # duplicate keys


#: The documents read most recently, by ``id`` of their data, for line numbers in errors.
_DOCUMENTS: OrderedDict[int, Document] = OrderedDict()
_KEEP = 8


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping (safe tags only); errors name the file and the line, and a key given
    twice anywhere is an error naming both lines."""
    document = read_document(path)
    if document.problems:
        raise InputError(path, document.problems)
    return document.data  # type: ignore[no-any-return]


def read_document(path: str | Path) -> Document:
    """Read a YAML mapping like :func:`read_yaml`, but return duplicate keys as the document's
    ``problems`` (so that they can be reported with the file's other problems)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError.single(path, "(file)", "no such file") from None
    except OSError as exc:
        raise InputError.single(path, "(file)", f"cannot read: {exc.strerror or exc}") from None
    except ValueError:  # the name holds a NUL character: no file can have it
        raise InputError.single(path, "(file)", "no such file (the name holds a NUL)") from None
    if len(raw) > MAX_FILE_BYTES:
        raise InputError.single(
            path, "(file)", f"larger than {MAX_FILE_BYTES // 1_000_000} MB: not read"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.single(
            path, "(file)", f"not UTF-8 text (byte {exc.start + 1}): save the file as UTF-8"
        ) from None
    document = _parse(text, str(path))
    if not isinstance(document.data, dict):
        raise InputError.single(path, "(top level)", "expected a mapping of keys to values")
    _remember(document)
    return document


def _remember(document: Document) -> None:
    _DOCUMENTS[id(document.data)] = document
    _DOCUMENTS.move_to_end(id(document.data))
    while len(_DOCUMENTS) > _KEEP:
        _DOCUMENTS.popitem(last=False)


def _document_of(data: Any) -> Document | None:
    document = _DOCUMENTS.get(id(data))
    return document if document is not None and document.data is data else None


def line_at(data: Any, loc: Sequence[Any]) -> int | None:
    """The line of the value at ``loc`` (a key path) in ``data`` as read by :func:`read_yaml`;
    None if it was not read from a file or the path does not exist there."""
    document = _document_of(data)
    if document is None or not loc:
        return None
    node = data
    for part in loc[:-1]:
        node = _child(node, part)
        if node is _MISSING:
            return None
    return _line_in(document, node, loc[-1])


def locate(
    problems: list[Problem], data: Any, others: dict[str, Any] | None = None
) -> list[Problem]:
    """``problems`` with the line of each key path, where known: in ``data`` (as read by
    :func:`read_yaml`), or for a path prefixed ``<file>: `` in that file's data among
    ``others``; sorted by line when ``data`` was read from a file."""
    out = []
    for problem in problems:
        line, path, where = problem.line, problem.path, data
        origin, sep, rest = path.partition(": ")
        if sep:
            path, where = rest, (others or {}).get(origin)
        if line is None and where is not None:
            line = line_at(where, split_path(path))
        out.append(problem if line == problem.line else replace(problem, line=line))
    if _document_of(data) is not None:
        out.sort(key=lambda p: (p.line is None, p.line or 0))
    return out


def split_path(path: str) -> list[Any]:
    """``strategies.a.groups[2].share`` -> ``['strategies', 'a', 'groups', 2, 'share']`` (for
    line numbers; a name holding a dot is not found, and then has no line)."""
    parts: list[Any] = []
    for piece in path.split("."):
        name, _, rest = piece.partition("[")
        if name:
            parts.append(name)
        for index in filter(None, rest.replace("]", "").split("[")) if rest else ():
            if not index.isdigit():
                return []
            parts.append(int(index))
    return parts


def _line_in(document: Document, container: Any, key: Any) -> int | None:
    lines = document.lines.get(id(container))
    if lines is None:
        return None
    if isinstance(lines, list):
        return lines[key] if isinstance(key, int) and 0 <= key < len(lines) else None
    try:
        return lines.get(key)  # type: ignore[no-any-return]
    except TypeError:  # an unhashable part of a path
        return None


_MISSING = object()


def _child(node: Any, part: Any) -> Any:
    if isinstance(node, dict):
        try:
            return node.get(part, _MISSING)
        except TypeError:
            return _MISSING
    if isinstance(node, list) and isinstance(part, int) and not isinstance(part, bool):
        return node[part] if 0 <= part < len(node) else _MISSING
    return _MISSING


# --- parsing ---------------------------------------------------------------------------------


class _Refused(Exception):
    """The file is refused (aliases, nesting): the problem, with its key path and line."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class _Key:
    """A key that is not kept: a duplicate, or one the safe loader will build."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __str__(self) -> str:
        return self.label


_DUPLICATE = _Key("(duplicate)")


class _Frame:
    __slots__ = ("anchor", "container", "count_at_start", "is_list", "key", "line", "lines", "part")

    def __init__(self, container: Any, lines: Any, part: Any, line: int, count: int):
        self.container = container
        self.is_list = type(container) is list
        self.lines = lines  # key -> line (a mapping), or the line of each item (a list)
        self.part = part  # this container's key or index in its parent
        self.line = line
        self.anchor: str | None = None
        self.count_at_start = count
        self.key: Any = _MISSING  # a mapping's key waiting for its value


class _Anchor:
    __slots__ = ("line", "open", "size", "value")

    def __init__(self, value: Any, line: int, open_: bool) -> None:
        self.value = value
        self.line = line
        self.open = open_
        self.size = 1


def _parse(text: str, source: str) -> Document:
    document = Document(data=None, source=source)
    collecting = gc.isenabled()
    gc.disable()  # building many containers, none of them garbage: collections are waste
    try:
        fallback = _build(text, document)
        if fallback:  # checked here; built by the safe loader itself
            document = Document(yaml.load(text, Loader=_LOADER), source, problems=document.problems)
    except _Refused as exc:
        raise InputError.single(source, exc.path, exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError.single(
            source, where, f"not valid YAML: {shown(problem, 200, bare=True)}"
        ) from None
    finally:
        if collecting:
            gc.enable()
    return document


def _build(text: str, document: Document) -> bool:
    """Build ``document.data`` from the parser's events, checking keys, aliases and depth.
    True if the file needs the safe loader to build it (merge keys, tagged collections,
    complex keys); its checks are done either way."""
    loader = _LOADER(text)
    resolved: dict[tuple[str, bool], str] = {}
    scalars: dict[tuple[str, str], Any] = {}
    anchors: dict[str, _Anchor] = {}
    stack: list[_Frame] = []
    lines, raw, problems = document.lines, document.raw, document.problems
    count = 0  # values so far, every alias counted as the values it stands for
    written = 0  # values the file spells out
    documents = 0
    fallback = False

    def path_of(extra: Any = _MISSING) -> str:
        parts = [f.part for f in stack[1:]] + ([] if extra is _MISSING else [extra])
        return format_path(parts)

    def place(value: Any, line: int, as_read: str | None, is_scalar: bool, tag: str | None) -> None:
        nonlocal fallback
        if not stack:
            document.data = value
            return
        top = stack[-1]
        container = top.container
        if top.is_list:
            if as_read is not None:
                raw[(id(container), len(container))] = as_read
            container.append(value)
            top.lines.append(line)
            return
        if top.key is _MISSING:  # a key
            if not is_scalar or tag == _MERGE or tag == "tag:yaml.org,2002:value":
                fallback = True  # complex or merge keys: the safe loader builds the mapping
                top.key = _Key("(key)")
                return
            try:
                first = top.lines.get(value)
            except TypeError:  # an unhashable key (an alias to a list): let the loader say so
                fallback = True
                top.key = _Key("(key)")
                return
            if first is not None:
                problems.append(
                    Problem(
                        path_of(),
                        f"key {shown(value)} is given twice"
                        + (f" (first on line {first})" if first != line else "")
                        + ": keep one of them",
                        line=line,
                    )
                )
                top.key = _DUPLICATE
            else:
                top.lines[value] = line
                top.key = value
            return
        key = top.key
        top.key = _MISSING
        if key is _DUPLICATE:
            return  # reported; the first value stays
        if as_read is not None:
            raw[(id(container), key)] = as_read
        container[key] = value

    def scalar(event: Any) -> tuple[Any, str | None, str]:
        nonlocal fallback
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            implicit = bool(event.implicit[0])
            tag = resolved.get((value, implicit))
            if tag is None:
                tag = loader.resolve(ScalarNode, value, event.implicit)
                resolved[(value, implicit)] = tag
        if tag == _STR:
            return value, None, tag
        if tag not in _SCALAR_TAGS:
            fallback = True  # the safe loader builds it, or says why it cannot
            return value, None, tag
        built = scalars.get((tag, value), _MISSING)
        if built is _MISSING:
            node = ScalarNode(tag, value, event.start_mark, event.end_mark)
            try:
                built = SafeConstructor.yaml_constructors[tag](_CONSTRUCTOR, node)
            except (ValueError, KeyError, AttributeError, OverflowError) as exc:
                # The safe loader's own constructors fail so on a bad scalar (2025-13-45 is
                # read as a date, month 13; !!int abc): a YAML error, as the user wrote it.
                kind = _KINDS.get(tag.rpartition(":")[2], tag)
                why = f" ({exc})" if kind == "a date" and isinstance(exc, ValueError) else ""
                raise ConstructorError(
                    None,
                    None,
                    f"cannot read {shown(value)} as {kind}{why}; quote it if it is text",
                    event.start_mark,
                ) from None
            scalars[(tag, value)] = built
        as_written = (
            isinstance(built, str)
            or (isinstance(built, float) and math.isfinite(built) and repr(built) == value)
            or (type(built) is int and str(built) == value)
        )
        # yes, on, ~, .nan, 1.0e+999, 0x1F, 010 ...: kept to quote the user's words
        as_read = None if as_written else (value or "an empty value")
        return built, as_read, tag

    get_event = loader.get_event
    plain: dict[str, str] = {}  # the tag of each plain scalar seen
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                count += 1
                written += 1
                if event.tag is None and event.anchor is None and stack:
                    # The common case, inlined: text placed in a mapping or a list.
                    value = event.value
                    if event.implicit[0]:
                        tag = plain.get(value)
                        if tag is None:
                            tag = plain[value] = loader.resolve(ScalarNode, value, (True, False))
                    else:
                        tag = _STR
                    if tag == _STR:
                        top = stack[-1]
                        if top.is_list:
                            top.container.append(value)
                            top.lines.append(event.start_mark.line + 1)
                            continue
                        key = top.key
                        if key is _MISSING:
                            if value not in top.lines:
                                top.lines[value] = event.start_mark.line + 1
                                top.key = value
                                continue
                        elif key is not _DUPLICATE:
                            top.key = _MISSING
                            top.container[key] = value
                            continue
                line = event.start_mark.line + 1
                value, as_read, tag = scalar(event)
                if event.anchor is not None:
                    _new_anchor(anchors, event.anchor, _Anchor(value, line, False), line)
                place(value, line, as_read, True, tag)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                line = event.start_mark.line + 1
                if event.tag not in _COLLECTION_TAGS:
                    fallback = True
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(
                        path_of(),
                        f"mappings and lists nest more than {MAX_DEPTH} levels deep (line {line})",
                    )
                container: Any = {} if kind is MappingStartEvent else []
                part: Any = _MISSING
                if stack:
                    top = stack[-1]
                    part = len(top.container) if top.is_list else top.key
                frame = _Frame(
                    container, {} if kind is MappingStartEvent else [], part, line, count
                )
                lines[id(container)] = frame.lines
                count += 1
                written += 1
                if event.anchor is not None:
                    frame.anchor = event.anchor
                    _new_anchor(anchors, event.anchor, _Anchor(container, line, True), line)
                stack.append(frame)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                if frame.anchor is not None:
                    anchors[frame.anchor].open = False
                    anchors[frame.anchor].size = count - frame.count_at_start
                place(frame.container, frame.line, None, False, None)
            elif kind is AliasEvent:
                line = event.start_mark.line + 1
                target = anchors.get(event.anchor)
                if target is None:
                    raise ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
                if target.open:
                    raise _Refused(
                        path_of(),
                        f"the alias *{shown(event.anchor, 40)[1:-1]} (line {line}) refers to a "
                        f"node that contains it (line {target.line}): a file cannot hold itself",
                    )
                count += target.size
                if count - written > MAX_ALIAS_NODES:
                    raise _Refused(
                        path_of(),
                        f"YAML aliases expand this file by more than {MAX_ALIAS_NODES:,} values "
                        f"(alias *{shown(event.anchor, 40)[1:-1]} at line {line}): refused; write "
                        "the values out or use fewer aliases",
                    )
                place(target.value, line, None, not isinstance(target.value, (dict, list)), None)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise ComposerError(
                        None,
                        None,
                        "a second document starts here (---): a file holds one document",
                        event.start_mark,
                    )
            elif kind is StreamEndEvent:
                break
    finally:
        loader.dispose()
    return fallback


def _new_anchor(anchors: dict[str, _Anchor], name: str, anchor: _Anchor, line: int) -> None:
    if name in anchors:
        raise _Refused(
            f"line {line}",
            f"not valid YAML: the anchor &{shown(name, 40)[1:-1]} is defined twice "
            f"(lines {anchors[name].line} and {line})",
        )
    anchors[name] = anchor


# --- validation ------------------------------------------------------------------------------


def validate(
    model: type[BaseModel],
    data: dict[str, Any],
    source: str | Path | None,
    *,
    problems: Sequence[Problem] = (),
) -> Any:
    """Validate ``data`` against ``model``; every problem names its key path (and its line, if
    ``data`` was read by :func:`read_yaml`). ``problems`` found before (duplicate keys) are
    reported with the model's."""
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, [*problems, *problems_of(exc, data)]) from None
    if problems:
        raise InputError(source, list(problems))
    return result


def problems_of(exc: ValidationError, data: Any) -> list[Problem]:
    """Pydantic's errors in the user's words: key paths as written (no union branch names),
    one problem per value, the value quoted as written and shortened, its line when known."""
    document = _document_of(data)
    groups: dict[tuple[str, Any], list[tuple[dict[str, Any], _Where]]] = {}
    for details in exc.errors():
        error: dict[str, Any] = dict(details)
        where = _user_loc(data, error)
        groups.setdefault((format_path(where.loc), where.group), []).append((error, where))
    # A value that failed every branch of a union: keep the branches it got into (a mapping's
    # missing key) rather than the ones whose type it does not have (not a list).
    deeper = {
        (w.union_at, tuple(w.loc[: w.union_at]))
        for errors in groups.values()
        for _, w in errors
        if w.union_at is not None and len(w.loc) > w.union_at
    }
    out = []
    for (path, _), errors in groups.items():
        kept = [
            (e, w)
            for e, w in errors
            if not (
                e["type"] in _TYPE_MISMATCH
                and w.union_at is not None
                and len(w.loc) == w.union_at
                and (w.union_at, tuple(w.loc)) in deeper
            )
        ]
        if not kept:
            continue
        where = kept[0][1]
        line = as_read = None
        if document is not None and where.container is not None:
            line = _line_in(document, where.container, where.key)
            try:
                as_read = document.raw.get((id(where.container), where.key))
            except TypeError:
                as_read = None
        out.append(Problem(path, _message([e for e, _ in kept], as_read), line=line))
    if document is not None:
        out.sort(key=lambda p: (p.line is None, p.line or 0))
    return out


@dataclass
class _Where:
    loc: list[Any]  # the key path in the data
    container: Any  # the mapping or list that holds the value, and its key there
    key: Any
    group: Any  # errors of one value are one problem, except one per unknown key
    union_at: int | None  # where in ``loc`` a union branch name was dropped


def _user_loc(data: Any, error: dict[str, Any]) -> _Where:
    """The error's location as a key path in ``data``: the parts pydantic adds (union branch
    names such as ``constrained-int``, ``literal['unlimited']``, a distribution's family,
    ``[key]``) are dropped, since they are not in the data."""
    loc = list(error["loc"])
    out: list[Any] = []
    node: Any = data
    container: Any = None
    key: Any = None
    union_at: int | None = None
    for index, part in enumerate(loc):
        child = _child(node, part)
        if child is not _MISSING:
            out.append(part)
            container, key, node = node, part, child
        elif index == len(loc) - 1 and error["type"] == "missing":
            out.append(part)  # the key that is missing
        elif union_at is None:
            union_at = len(out)
            node = _MISSING if part == "[key]" else node
    group: Any = None
    if error["type"] in ("extra_forbidden", "invalid_key") and out:
        group = ("key", out[-1])
        out = out[:-1]  # an unknown key is reported at the mapping that holds it
        union_at = None
    elif "[key]" in loc:
        group = "name"  # the name of a strategy (a key), apart from its value
        union_at = None
    return _Where(out, container, key, group, union_at)


#: Pydantic's words for a value of the wrong type, in ours.
_TYPE_WORDS = {
    "int_type": "should be an integer",
    "int_parsing": "should be an integer",
    "int_from_float": "should be an integer",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
    "string_type": "should be text (put it in quotes)",
    "dict_type": "should be a mapping of keys to values",
    "model_type": "should be a mapping of keys to values",
    "model_attributes_type": "should be a mapping of keys to values",
    "list_type": "should be a list",
    "tuple_type": "should be a list",
    "finite_number": "must be a finite number",
    "missing": "is required but missing",
}
_TYPE_MISMATCH = frozenset(
    {"dict_type", "model_type", "model_attributes_type", "list_type", "tuple_type"}
)
_QUIET = frozenset(
    {"extra_forbidden", "invalid_key", "missing", "unknown_family", "missing_family"}
)


def _message(errors: list[dict[str, Any]], as_read: str | None) -> str:
    """One message for the errors of one value (several when it failed every branch of a
    union: ``managers: x`` is neither a whole number nor ``unlimited``)."""
    finite = [e for e in errors if e["type"] == "finite_number"]
    errors = finite[:1] or errors
    texts: list[str] = []
    for error in errors:
        text = _words(error)
        if text not in texts:
            texts.append(text)
    if len(texts) > 1 and all(t.startswith("should be ") for t in texts):
        message = "should be " + " or ".join(t.removeprefix("should be ") for t in texts)
    else:
        message = "; or ".join(texts)
    error = errors[0]
    if error["type"] not in _QUIET and "[key]" not in error["loc"]:
        value = error.get("input")
        got = as_read if as_read is not None else _got(value)
        if got is not None and not (
            error["type"] in ("value_error", "assertion_error") and isinstance(value, dict)
        ):
            message += f" (got {got})"
    hints = [_literal_hint(e) for e in errors if e["type"] == "literal_error"]
    return message + next((h for h in hints if h), "")


def _literal_hint(error: dict[str, Any]) -> str:
    expected = str((error.get("ctx") or {}).get("expected", ""))
    choices = [c.strip(" '") for c in expected.replace(" or ", ",").split(",") if c.strip()]
    value = error.get("input")
    return suggest(value, choices) if isinstance(value, str) else ""


def _words(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        value = error.get("input")
        return value.message if isinstance(value, UnknownKey) else "unknown key"
    if kind == "invalid_key":
        return f"the key {_got(error.get('input'))} should be text (a name)"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if "[key]" in error["loc"]:  # a name: a key of a mapping such as strategies
        name = _got(error.get("input"))
        if kind == "string_pattern_mismatch":
            pattern = (error.get("ctx") or {}).get("pattern", "")
            return f"this name should match pattern '{pattern}' (letters, digits, _ and -)"
        if kind == "string_type":
            return f"this name should be text, not {name}"
    if message.startswith("Input should be"):
        message = "should be" + message.removeprefix("Input should be")
    elif message.startswith("Input"):
        message = "the value" + message.removeprefix("Input")
    return message


def _got(value: Any) -> str | None:
    """A value as the user would have written it in YAML, shortened."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        if value.bit_length() < 200:
            return str(value)
        return f"a number of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return None
