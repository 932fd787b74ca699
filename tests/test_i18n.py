"""The report messages, campaign_sim/reports/locales/<lang>.yaml: every language has the keys and
{name} fields of English, the code uses every key, and every key the code names exists."""

from __future__ import annotations

import ast
import inspect
import re
import string
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
import yaml

from campaign_sim.reports.i18n import LANGUAGES, catalogue

pytestmark = pytest.mark.exact

SOURCE = Path(__file__).resolve().parents[1] / "campaign_sim"
LOCALES = SOURCE / "reports" / "locales"
OTHERS = [lang for lang in LANGUAGES if lang != "en"]


@cache
def _trees() -> dict[Path, ast.Module]:
    """Every Python file of campaign_sim/, parsed."""
    return {f: ast.parse(f.read_text(encoding="utf-8")) for f in sorted(SOURCE.rglob("*.py"))}


def _strings(tree: ast.AST, *, fragments: bool = True) -> set[str]:
    """The string literals of ``tree``, docstrings aside; with ``fragments=False``, not the
    literal parts of f-strings either (``"metric."`` of ``f"metric.{name}"``)."""
    skip = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings
    if not fragments:
        skip |= {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
    }


def _all_strings(*, fragments: bool = True) -> set[str]:
    """The string literals of all of campaign_sim/."""
    return set().union(*(_strings(t, fragments=fragments) for t in _trees().values()))


def _driver_names() -> set[str]:
    """String literals of the module that builds the sensitivity drivers (their quantity and
    aggregate names: "aov", "followers", "total real audience" ...)."""
    from campaign_sim.analysis.sensitivity import collect_drivers

    module = inspect.getmodule(collect_drivers)
    assert module is not None
    return _strings(ast.parse(inspect.getsource(module)))


def _metrics() -> set[str]:
    """The outcome metrics: of the engine (run, compare, sweep) and of the timeline."""
    from campaign_sim.analysis.timeline import TOTALS
    from campaign_sim.engine.vectorized import METRICS

    return set(METRICS) | set(TOTALS)


def _quantities() -> set[str]:
    """Prior quantities, and the quantities of the sensitivity drivers."""
    from campaign_sim.scenario.schema import QUANTITIES

    return set(QUANTITIES) | _driver_names()


def _commands() -> set[str]:
    """The CLI's commands (a results folder's ``command``)."""
    from campaign_sim.cli.main import main

    return set(main.commands)


def _table_commands() -> set[str]:
    """The commands whose folders the report gives a table slide."""
    from campaign_sim.reports.story import KINDS

    return set(KINDS)


#: Keys the code builds at run time instead of naming them: prefix -> (where, the names the
#: suffix may take). A key under one of these prefixes counts as used when its suffix is one of
#: those names. Each prefix must still be a string literal (or f-string part) of the code.
DYNAMIC: dict[str, tuple[str, Callable[[], set[str]]]] = {
    "metric.": ("Text.metric(name): engine and timeline outcome metrics", _metrics),
    "quantity.": ("Text.quantity(name): prior and sensitivity-driver quantities", _quantities),
    "input.": ("reports.sensitivity.input_name: campaign-level driver quantities", _driver_names),
    "aggregate.": (
        "reports.sensitivity.input_name: driver aggregates, spaces as _",
        lambda: {name.replace(" ", "_") for name in _driver_names()},
    ),
    "title.": ("reports.story._title: title.{command}", _commands),
    "slide.table_": ("reports.story._sections: slide.table_{command}", _table_commands),
}


def _fields(message: str) -> set[str]:
    """The {name} fields of a message (``str.format`` fields; ``{{`` is a literal brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}


def _is_text(node: yaml.Node) -> bool:
    """Whether a YAML node reads as a string (``no`` unquoted reads as False)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"


def test_languages_are_the_locale_files_english_first():
    files = sorted(f.stem for f in LOCALES.glob("*.yaml"))
    assert LANGUAGES[0] == "en"
    assert sorted(LANGUAGES) == files
    assert LANGUAGES == ("en", "zh-TW")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_locale_file_is_a_flat_mapping_of_unique_string_keys(lang):
    # yaml.safe_load keeps the last of two equal keys silently: look at the nodes instead
    node = yaml.compose((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8"), yaml.SafeLoader)
    assert isinstance(node, yaml.MappingNode)
    keys = [k.value for k, _ in node.value]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    assert not duplicates, f"{lang}.yaml: keys given twice: {duplicates}"
    not_text = [k.value for k, v in node.value if not (_is_text(k) and _is_text(v))]
    assert not not_text, f"{lang}.yaml: not a string (quote it): {not_text}"
    assert list(catalogue(lang)) == keys


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_exactly_the_keys_of_english(lang):
    en, other = catalogue("en"), catalogue(lang)
    missing = [k for k in en if k not in other]
    extra = [k for k in other if k not in en]
    assert not missing and not extra, f"{lang}.yaml: missing {missing}, not in en.yaml {extra}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_are_those_of_english(lang):
    en, other = catalogue("en"), catalogue(lang)
    differ = {
        key: (sorted(_fields(en[key])), sorted(_fields(other[key])))
        for key in en
        if key in other and _fields(en[key]) != _fields(other[key])
    }
    assert not differ, f"{lang}.yaml: {{fields}} (en, {lang}) differ: {differ}"


def test_dynamic_prefixes_are_built_by_the_code():
    literals = _all_strings()
    stale = [prefix for prefix in DYNAMIC if prefix not in literals]
    assert not stale, f"no code builds keys from {stale}: drop them from DYNAMIC"


def test_every_key_is_used_by_the_code():
    literals = _all_strings()
    unused, unknown = [], []
    for key in catalogue("en"):
        if key in literals:
            continue
        prefix = next((p for p in DYNAMIC if key.startswith(p)), None)
        if prefix is None:
            unused.append(key)
        elif key.removeprefix(prefix) not in DYNAMIC[prefix][1]():
            unknown.append(f"{key} ({DYNAMIC[prefix][0]})")
    assert not unused, f"keys no code names: {unused}"
    assert not unknown, f"keys built from a name the code does not have: {unknown}"


def test_every_key_the_code_names_exists():
    import matplotlib

    en = catalogue("en")
    named = set()
    namespaces = sorted({key.split(".")[0] for key in en if "." in key})
    looks_like_key = re.compile(rf"^(?:{'|'.join(map(re.escape, namespaces))})\.\w+$")
    for path, tree in _trees().items():
        # text("col.mean"), text.has("metric.roi")
        for n in ast.walk(tree):
            if not (isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Constant)):
                continue
            func = n.func
            is_text = isinstance(func, ast.Name) and func.id == "text"
            is_has = (
                isinstance(func, ast.Attribute)
                and func.attr == "has"
                and isinstance(func.value, ast.Name)
                and func.value.id == "text"
            )
            if (is_text or is_has) and isinstance(n.args[0].value, str):
                named.add((n.args[0].value, path))
        # keys kept in tables and passed on: ("col.quantity", "quantity", None)
        for value in _strings(tree, fragments=False):
            if looks_like_key.match(value) and value not in matplotlib.rcParams:
                named.add((value, path))
    missing = sorted(f"{key} ({path.relative_to(SOURCE)})" for key, path in named if key not in en)
    assert not missing, f"keys the code names that en.yaml lacks: {missing}"
