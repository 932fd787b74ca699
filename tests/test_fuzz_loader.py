"""Property tests of the loader (issue 10): random mutations of the example scenarios either
load or raise InputError, never another exception; and the reader builds exactly what the safe
YAML loader builds, or refuses the file with an InputError.

Derandomized (the same examples on every run) so that CI is stable.
"""

from __future__ import annotations

import copy
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign_sim.errors import InputError
from campaign_sim.scenario import reading
from campaign_sim.scenario.loading import load_scenario, scenario_from_dict
from campaign_sim.scenario.plan import Scenario

pytestmark = pytest.mark.exact

EXAMPLES = sorted(ROOT.glob("scenarios/*.yaml")) + [
    ROOT / "scenarios/timeline/hundred-nano.yaml",
    ROOT / "scenarios/bench/bench-a.yaml",
]
DATA = [(path, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in EXAMPLES]
TEXTS = [path.read_text(encoding="utf-8") for path in EXAMPLES]
SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _paths(node: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of ``node``."""
    out = [where] if where else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*where, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*where, index))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1.0, 0, 0.0, 1e-300, 10**400]),
    st.text(max_size=12),
    st.sampled_from(
        ["20", "yes", ".nan", "unlimited", "nano", "instagram", "article", "x" * 5000, "a\x00b"]
    ),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(["family", "range", "value", "tier", "count"]), SCALARS),
)


def _typo(key: str, index: int, kind: int) -> str:
    if not key:
        return "x"
    index %= len(key)
    if kind == 0:
        return key[:index] + key[index + 1 :]  # drop a letter
    if kind == 1:
        return key[:index] + key[index] * 2 + key[index + 1 :]  # double one
    if index + 1 < len(key):  # swap two letters
        return key[:index] + key[index + 1] + key[index] + key[index + 2 :]
    return key + "s"


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, dict[str, Any]]:
    """An example scenario with one to three random changes."""
    source, original = draw(st.sampled_from(DATA))
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        key = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "rename", "nest", "copy"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(VALUES)
        elif action == "rename" and isinstance(parent, dict) and isinstance(key, str):
            typo = _typo(key, draw(st.integers(0, 40)), draw(st.integers(0, 2)))
            parent[typo] = parent.pop(key)
        elif action == "nest":
            parent[key] = {"value": parent[key]}
        elif action == "copy":  # a value from elsewhere in the file: the wrong shape
            other = draw(st.sampled_from(paths))
            parent[key] = copy.deepcopy(_parent(data, other)[other[-1]])
    return source, data


def _loads_or_refuses(call: Any) -> None:
    try:
        with warnings.catch_warnings():
            # Warnings about valid input (an override no group uses) are not the point here;
            # numpy's RuntimeWarnings stay errors (pyproject's filterwarnings).
            warnings.simplefilter("ignore", UserWarning)
            result = call()
    except InputError as exc:
        message = str(exc)
        assert message and "Traceback" not in message
        assert "constrained-int" not in message and "Input should" not in message
        assert len(message) < 20_000, message[:500]
    else:
        assert isinstance(result, Scenario)


@SETTINGS
@given(mutated())
def test_mutated_scenarios_load_or_raise_input_error(case):
    source, data = case
    _loads_or_refuses(lambda: scenario_from_dict(data, source=source))


#: Text edits a user makes by mistake (or on purpose, for YAML features).
SNIPPETS = [
    ":",
    "- ",
    "  ",
    "\t",
    "&a ",
    "*a",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "!!str ",
    "!!int ",
    "<<: *a\n",
    "? ",
    "#",
    ".nan",
    "-.inf",
    "1.0e+999",
    "yes",
    "~",
    "2025-13-45",
    "\n---\n",
    "\x00",
]


@st.composite
def edited(draw: st.DrawFn) -> tuple[int, str]:
    """An example scenario's text with one to three edits: a line deleted or doubled (a
    duplicate key), or a snippet inserted."""
    index = draw(st.integers(0, len(TEXTS) - 1))
    lines = TEXTS[index].splitlines(keepends=True)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "double", "insert"]))
        if action == "delete":
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        else:
            line = lines[at]
            column = draw(st.integers(0, len(line)))
            lines[at] = line[:column] + draw(st.sampled_from(SNIPPETS)) + line[column:]
        if not lines:
            lines = ["name: x\n"]
    return index, "".join(lines)


@SETTINGS
@given(edited())
def test_edited_files_load_or_raise_input_error_and_read_as_yaml_reads_them(tmp_path_factory, case):
    index, text = case
    path = tmp_path_factory.mktemp("fuzz") / EXAMPLES[index].name
    path.write_text(text, encoding="utf-8")
    if EXAMPLES[index].parent.name == "bench":
        (path.parent / "bench-a-priors.yaml").write_text(
            (EXAMPLES[index].parent / "bench-a-priors.yaml").read_text(encoding="utf-8"),
            encoding="utf-8",
        )
    # Roster files beside the scenario, as the example reads them (so edits reach the roster
    # groups instead of stopping at a missing file).
    for roster in (EXAMPLES[index].parent / "rosters").glob("*.csv"):
        (path.parent / "rosters").mkdir(exist_ok=True)
        (path.parent / "rosters" / roster.name).write_bytes(roster.read_bytes())
    try:
        expected = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # noqa: BLE001 - the safe loader's own failures (it crashes on 2025-13-45)
        expected = None
    try:
        read = reading.read_yaml(path)
    except InputError:
        pass  # refused: duplicates, aliases, not a mapping, bad YAML
    else:
        assert read == expected or _nan_equal(read, expected)
    _loads_or_refuses(lambda: load_scenario(path))


def _nan_equal(a: Any, b: Any) -> bool:
    """Equal, counting .nan equal to itself."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_nan_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_nan_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
