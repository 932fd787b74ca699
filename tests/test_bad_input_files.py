"""A corpus of bad scenario and priors files (issue 10, classes 2, 3, 5, 7, 8 and 9), each
through the API and a sample through the command line.

Every case is data: the coffee launch (``scenarios/coffee-launch.yaml``) with one change, as
text (``TEXT_CASES``: what the user typed matters, ``.nan`` or ``yes``) or as data
(``DATA_CASES``), and the fragments the message must hold: the key path, what is wrong, the
user's words. Through the CLI: exit status 2, the file and the key named on stderr, no
traceback, no results folder.
"""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import ROOT

from campaign_sim.cli import main
from campaign_sim.errors import InputError
from campaign_sim.scenario import reading
from campaign_sim.scenario.loading import load_prior_set, load_scenario, scenario_from_dict

COFFEE = ROOT / "scenarios/coffee-launch.yaml"
COFFEE_TEXT = COFFEE.read_text(encoding="utf-8")
COFFEE_DATA = yaml.safe_load(COFFEE_TEXT)
ARTICLE_TEXT = (ROOT / "scenarios/priors/article.yaml").read_text(encoding="utf-8")
#: The line of ``tiers:`` in the shipped priors (1-based).
TIERS_LINE = ARTICLE_TEXT.splitlines().index("tiers:") + 1
NANO_LINE = ARTICLE_TEXT.splitlines().index("  nano:") + 1

#: Words of pydantic's that must never reach a user.
INTERNALS = (
    "constrained-int",
    "literal[",
    "list[any]",
    "[key]",
    "function-",
    "Input should",
    "errors.pydantic.dev",
    "Traceback",
    "lax-or-strict",
)

GROUP0 = "      - {tier: nano, platform: instagram, deliverables: 1, count: 20}"
GROUP1 = "      - {tier: nano, platform: instagram, deliverables: 1, share: 0.30}"
MICRO_YT = "      - {tier: micro, platform: youtube, deliverables: 1, count: 2}"


def _sub(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _text(*changes: tuple[str, str], append: str = "") -> str:
    text = COFFEE_TEXT
    for old, new in changes:
        text = _sub(text, old, new)
    return text + append


def _group0(**fields: str) -> str:
    """The first nano group's line with fields replaced or added, as YAML words."""
    stated = {"tier": "nano", "platform": "instagram", "deliverables": "1", "count": "20"}
    stated.update(fields)
    return "      - {" + ", ".join(f"{k}: {v}" for k, v in stated.items()) + "}"


def _override(body: str) -> tuple[str, str]:
    return ("  base: article ", f"  tiers:\n    nano:\n{body}\n  base: article ")


def _timeline(body: str) -> str:
    return f"\ntimeline:\n{body}\n"


#: (case, scenario text, fragments the message must hold (regular expressions)).
TEXT_CASES: list[tuple[str, str, list[str]]] = [
    # -- 2. Non-finite numbers: refused with the key path and the words written ------------
    (
        "gross margin .nan",
        _text(("gross_margin: 0.55", "gross_margin: .nan")),
        [r"economics\.gross_margin: must be a finite number \(got \.nan\)"],
    ),
    (
        "gross margin .inf",
        _text(("gross_margin: 0.55", "gross_margin: .inf")),
        [r"economics\.gross_margin: must be a finite number \(got \.inf\)"],
    ),
    (
        "gross margin -.Inf",
        _text(("gross_margin: 0.55", "gross_margin: -.Inf")),
        [r"economics\.gross_margin: must be a finite number \(got -\.Inf\)"],
    ),
    (
        "fixed cost 1.0e+999",
        _text(("fixed_cost: 0 ", "fixed_cost: 1.0e+999 ")),
        [r"economics\.fixed_cost: must be a finite number \(got 1\.0e\+999\)"],
    ),
    (
        "aov range hi .inf",
        _text(("range: [600, 1200]", "range: [600, .inf]")),
        [r"economics\.aov\.range\[1\]: must be a finite number \(got \.inf\)"],
    ),
    (
        "aov range lo .nan",
        _text(("range: [600, 1200]", "range: [.nan, 1200]")),
        [r"economics\.aov\.range\[0\]: must be a finite number \(got \.nan\)"],
    ),
    (
        "aov a bare .nan",
        _text(("aov: {family: lognormal, range: [600, 1200]}", "aov: .nan")),
        [r"economics\.aov: must be a finite number \(got \.nan\)"],
    ),
    (
        "aov median .inf",
        _text(("range: [600, 1200]", "median: .inf, sigma: 0.2")),
        [r"economics\.aov\.median: must be a finite number \(got \.inf\)"],
    ),
    (
        "strategy budget .inf",
        _text(("budget: 600000 ", "budget: .inf ")),
        [r"strategies\.nano_heavy\.budget: must be a finite number \(got \.inf\)"],
    ),
    (
        "group share .nan",
        _text(("share: 0.30}", "share: .nan}")),
        [r"strategies\.nano_heavy\.groups\[1\]\.share: must be a finite number \(got \.nan\)"],
    ),
    (
        "group budget 1e999",
        _text((GROUP0, _group0(count="", budget="1.0e+999").replace("count: , ", ""))),
        [r"strategies\.nano_heavy\.groups\[0\]\.budget: must be a finite number"],
    ),
    (
        "count .inf",
        _text((GROUP0, _group0(count=".inf"))),
        [r"strategies\.nano_heavy\.groups\[0\]\.count: must be a finite number \(got \.inf\)"],
    ),
    (
        "deliverables .nan",
        _text((GROUP0, _group0(deliverables=".nan"))),
        [r"groups\[0\]\.deliverables: must be a finite number \(got \.nan\)"],
    ),
    (
        "roi target -.inf",
        _text(("roi_target: 0 ", "roi_target: -.inf ")),
        [r"simulation\.roi_target: must be a finite number \(got -\.inf\)"],
    ),
    (
        "campaigns 1.0e+999",
        _text(("campaigns: 10000", "campaigns: 1.0e+999")),
        [r"simulation\.campaigns: must be a finite number \(got 1\.0e\+999\)"],
    ),
    (
        "seed .nan",
        _text(("seed: 20250601", "seed: .nan")),
        [r"simulation\.seed: must be a finite number \(got \.nan\)"],
    ),
    (
        "shock sigma .nan",
        _text(append="\nshock:\n  sigma: .nan\n"),
        [r"shock\.sigma: must be a finite number \(got \.nan\)"],
    ),
    (
        "correlation .inf",
        _text(append="\ncorrelations:\n  followers_fee: .inf\n"),
        [r"correlations\.followers_fee: must be a finite number \(got \.inf\)"],
    ),
    (
        "prior override fee .nan",
        _text(_override("      fee: .nan")),
        [r"priors\.tiers\.nano\.fee: must be a finite number \(got \.nan\)"],
    ),
    (
        "prior override range .inf",
        _text(_override("      fee: {family: lognormal, range: [8000, .inf]}")),
        [r"priors\.tiers\.nano\.fee\.range\[1\]: must be a finite number \(got \.inf\)"],
    ),
    (
        "prior override fixed value 1e999",
        _text(_override("      overhead: {family: fixed, value: 1.0e+999}")),
        [r"priors\.tiers\.nano\.overhead\.value: must be a finite number \(got 1\.0e\+999\)"],
    ),
    (
        "prior override coverage .nan",
        _text(_override("      fee: {family: lognormal, range: [8000, 20000], coverage: .nan}")),
        [r"priors\.tiers\.nano\.fee\.coverage: must be a finite number \(got \.nan\)"],
    ),
    (
        "prior override pert lambda .inf",
        _text(_override("      fee: {family: pert, min: 1, mode: 2, max: 3, lambda: .inf}")),
        [r"priors\.tiers\.nano\.fee\.lambda: must be a finite number \(got \.inf\)"],
    ),
    (
        "prior override normal truncation .nan",
        _text(_override("      fee: {family: normal, mean: 9000, sd: 100, low: .nan}")),
        [r"priors\.tiers\.nano\.fee\.low: must be a finite number \(got \.nan\)"],
    ),
    (
        "prior override per platform .inf",
        _text(_override("      platforms:\n        instagram:\n          fee: .inf")),
        [r"priors\.tiers\.nano\.platforms\.instagram\.fee: must be a finite number"],
    ),
    (
        "timeline half-life .nan",
        _text(append=_timeline("  half_life_days: {default: .nan}")),
        [r"timeline\.half_life_days\.default: must be a finite number \(got \.nan\)"],
    ),
    (
        "timeline manager hours .inf",
        _text(append=_timeline("  manager_hours_per_day: .inf")),
        [r"timeline\.manager_hours_per_day: must be a finite number \(got \.inf\)"],
    ),
    (
        "timeline managers .inf",
        _text(append=_timeline("  managers: .inf")),
        [r"timeline\.managers: must be a finite number \(got \.inf\)"],
    ),
    (
        "timeline fee on signing .nan",
        _text(append=_timeline("  fee_on_signing: .nan")),
        [r"timeline\.fee_on_signing: must be a finite number \(got \.nan\)"],
    ),
    (
        "timeline production days max .inf",
        _text(
            append=_timeline(
                "  production_days:\n    default: {family: triangular, min: 1, mode: 2, max: .inf}"
            )
        ),
        [r"timeline\.production_days\.default\.max: must be a finite number \(got \.inf\)"],
    ),
    # -- 3. Duplicate keys: refused at any depth, naming both lines ------------------------
    (
        "two economics sections",
        _text(append="\neconomics:\n  aov: 900\n  gross_margin: 0.5\n"),
        [r"\(top level\): key 'economics' is given twice \(first on line 25\): .* \(line 7\d\)"],
    ),
    (
        "gross margin twice",
        _text(("  gross_margin: 0.55", "  gross_margin: 0.55\n  gross_margin: 0.6")),
        [r"economics: key 'gross_margin' is given twice \(first on line 29\): .* \(line 30\)"],
    ),
    (
        "two strategies with one name",
        _text(("  micro_heavy:\n", "  nano_heavy:\n")),
        [r"strategies: key 'nano_heavy' is given twice \(first on line 42\): .* \(line 55\)"],
    ),
    (
        "tier twice in one group",
        _text(("count: 20}", "count: 20, tier: micro}")),
        [r"nano_heavy\.groups\[0\]: key 'tier' is given twice: keep one of them \(line 47\)"],
    ),
    (
        "count twice in a block group",
        _text(
            (
                MICRO_YT,
                "      - tier: micro\n        platform: youtube\n"
                "        count: 2\n        count: 3",
            )
        ),
        [
            r"micro_heavy\.groups\[1\]: key 'count' is given twice \(first on line 6\d\): "
            r".* \(line 6\d\)"
        ],
    ),
    (
        "a prior given twice",
        _text(_override("      fee: 9000\n      fee: 12000")),
        [r"priors\.tiers\.nano: key 'fee' is given twice \(first on line \d+\): .* \(line \d+\)"],
    ),
    (
        "simulation seed twice",
        _text(("  seed: 20250601", "  seed: 20250601\n  seed: 1")),
        [r"simulation: key 'seed' is given twice"],
    ),
    (
        "posting twice in the timeline",
        _text(append=_timeline("  posting: {start_day: 1}\n  posting: {start_day: 2}")),
        [r"timeline: key 'posting' is given twice"],
    ),
    (
        "the same number twice as a key",
        _text(append=_timeline("  half_life_days: {default: 2, default: 3}")),
        [r"timeline\.half_life_days: key 'default' is given twice: keep one of them \(line 7\d\)"],
    ),
    # -- 5. Lax types: integers are integers, numbers are numbers, flags are flags ----------
    (
        "count quoted",
        _text((GROUP0, _group0(count='"20"'))),
        [r"groups\[0\]\.count: should be an integer \(got '20'\)"],
    ),
    (
        "count yes",
        _text((GROUP0, _group0(count="yes"))),
        [r"groups\[0\]\.count: should be an integer \(got yes\)"],
    ),
    (
        "count true",
        _text((GROUP0, _group0(count="true"))),
        [r"groups\[0\]\.count: should be an integer \(got true\)"],
    ),
    (
        "count a fraction",
        _text((GROUP0, _group0(count="20.5"))),
        [r"groups\[0\]\.count: should be an integer \(got 20\.5\)"],
    ),
    (
        "count a list",
        _text((GROUP0, _group0(count="[20]"))),
        [r"groups\[0\]\.count: should be an integer \(got a list\)"],
    ),
    (
        "deliverables on",
        _text((GROUP0, _group0(deliverables="on"))),
        [r"groups\[0\]\.deliverables: should be an integer \(got on\)"],
    ),
    (
        "campaigns quoted",
        _text(("campaigns: 10000", 'campaigns: "10000"')),
        [r"simulation\.campaigns: should be an integer \(got '10000'\)"],
    ),
    (
        "seed yes",
        _text(("seed: 20250601", "seed: yes")),
        [r"simulation\.seed: should be an integer \(got yes\)"],
    ),
    (
        "managers quoted",
        _text(append=_timeline('  managers: "3"')),
        [r"timeline\.managers: should be an integer or 'unlimited' \(got '3'\)"],
    ),
    (
        "managers true",
        _text(append=_timeline("  managers: true")),
        [r"timeline\.managers: should be an integer or 'unlimited' \(got true\)"],
    ),
    (
        "window days quoted",
        _text(append=_timeline('  window_days: "60"')),
        [r"timeline\.window_days: should be an integer \(got '60'\)"],
    ),
    (
        "review rounds a fraction",
        _text(append=_timeline("  review_rounds: 1.5")),
        [r"timeline\.review_rounds: should be an integer \(got 1\.5\)"],
    ),
    (
        "posting start day no",
        _text(append=_timeline("  posting: {start_day: no}")),
        [r"timeline\.posting\.start_day: should be an integer \(got no\)"],
    ),
    (
        "gross margin quoted",
        _text(("gross_margin: 0.55", 'gross_margin: "0.55"')),
        [r"economics\.gross_margin: should be a number \(got '0\.55'\)"],
    ),
    (
        "gross margin yes",
        _text(("gross_margin: 0.55", "gross_margin: yes")),
        [r"economics\.gross_margin: should be a number \(got yes\)"],
    ),
    (
        "budget quoted",
        _text(("budget: 600000 ", 'budget: "600000" ')),
        [r"strategies\.nano_heavy\.budget: should be a number \(got '600000'\)"],
    ),
    (
        "antithetic 1",
        _text(("roi_target: 0 ", "antithetic: 1\n  roi_target: 0 ")),
        [r"simulation\.antithetic: should be true or false \(got 1\)"],
    ),
    (
        "antithetic quoted",
        _text(("roi_target: 0 ", 'antithetic: "yes"\n  roi_target: 0 ')),
        [r"simulation\.antithetic: should be true or false \(got 'yes'\)"],
    ),
    (
        "a prior's range quoted",
        _text(_override('      fee: {family: lognormal, range: ["8000", 20000]}')),
        [r"priors\.tiers\.nano\.fee\.range\[0\]: should be a number \(got '8000'\)"],
    ),
    (
        "a prior as text",
        _text(_override('      fee: "9000"')),
        [r"priors\.tiers\.nano\.fee: should be a number or a distribution such as \{family"],
    ),
    (
        "assumption quoted",
        _text(_override('      fee: {family: fixed, value: 9000, assumption: "yes"}')),
        [r"priors\.tiers\.nano\.fee\.assumption: should be true or false \(got 'yes'\)"],
    ),
    # -- 7. Messages in the user's words -------------------------------------------------
    (
        "managers a word",
        _text(append=_timeline("  managers: lots")),
        [r"timeline\.managers: should be an integer or 'unlimited' \(got 'lots'\)"],
    ),
    (
        "managers zero",
        _text(append=_timeline("  managers: 0")),
        [r"timeline\.managers: should be greater than 0 or 'unlimited' \(got 0\)"],
    ),
    (
        "per slot a word",
        _text(append=_timeline("  posting: {per_slot: many}")),
        [r"timeline\.posting\.per_slot: should be an integer or 'unlimited' \(got 'many'\)"],
    ),
    (
        "strategy name with a space",
        _text(("  micro_heavy:\n", "  micro heavy:\n")),
        [r"strategies\.micro heavy: this name should match pattern"],
    ),
    (
        "sampling misspelt",
        _text(("roi_target: 0 ", "sampling: lhd\n  roi_target: 0 ")),
        [
            r"simulation\.sampling: should be 'random', 'lhs' or 'sobol' \(got 'lhd'\)",
            r"did you mean 'lhs'\?",
        ],
    ),
    (
        "fees paid misspelt",
        _text(("fees_paid: always", "fees_paid: alway")),
        [r"economics\.fees_paid: .*\(got 'alway'\) \(did you mean 'always'\?\)"],
    ),
    (
        "name a number",
        _text(("name: Specialty coffee launch 精品咖啡新品上市", "name: 2025")),
        [r"name: should be text \(put it in quotes\) \(got 2025\)"],
    ),
    (
        "a required key missing",
        _text(("  gross_margin: 0.55 ", "  # gross_margin: 0.55 ")),
        [r"economics\.gross_margin: is required but missing"],
    ),
    (
        "a family misspelt",
        _text(("family: lognormal", "family: lognormel")),
        [r"economics\.aov: unknown family 'lognormel' \(did you mean 'lognormal'\?\)"],
    ),
    (
        "a family a list",
        _text(("family: lognormal", "family: [lognormal]")),
        [r"economics\.aov: unknown family"],
    ),
    (
        "a key that is a number",
        _text(("  fixed_cost: 0 ", "  5: 0\n  fixed_cost: 0 ")),
        [r"economics: the key 5 should be text"],
    ),
    # -- 8. Expensive or unsafe input ---------------------------------------------------
    (
        "a recursive alias",
        _text(append="\ndescription: &loop [*loop]\n".replace("description", "currency")),
        [r"refers to a node that contains it"],
    ),
    (
        "an undefined alias",
        _text(("gross_margin: 0.55", "gross_margin: *margin")),
        [r"line 29, column \d+: not valid YAML: found undefined alias 'margin'"],
    ),
    (
        "an anchor defined twice",
        _text(
            ("gross_margin: 0.55", "gross_margin: &m 0.55"), ("fixed_cost: 0 ", "fixed_cost: &m 0 ")
        ),
        [r"the anchor &m is defined twice \(lines 29 and 32\)"],
    ),
    (
        "a python tag",
        _text(("gross_margin: 0.55", "gross_margin: !!python/object/apply:os.system [echo hi]")),
        [r"not valid YAML: could not determine a constructor for the tag"],
    ),
    (
        "an impossible date",
        _text(("fixed_cost: 0 ", "fixed_cost: 2025-13-45 ")),
        [r"line 32, column \d+: not valid YAML: cannot read '2025-13-45' as a date"],
    ),
    (
        "a bad explicit integer",
        _text(("fixed_cost: 0 ", "fixed_cost: !!int abc ")),
        [r"not valid YAML: cannot read 'abc' as an integer"],
    ),
    (
        "two documents",
        _text(append="\n---\nname: another\n"),
        [r"not valid YAML: a second document starts here"],
    ),
    (
        "nested too deep",
        _text(append="\ncurrency: " + "[" * 60 + "]" * 60 + "\n"),
        [r"mappings and lists nest more than 50 levels deep"],
    ),
]


def _billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        items = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{items}]")
    return COFFEE_TEXT + "\nlaughs:\n" + "\n".join("  " + line for line in lines) + "\n"


TEXT_CASES += [
    ("billion laughs", _billion_laughs(), [r"YAML aliases expand this file by more than 100,000"]),
    (
        "billion laughs as a value",
        _billion_laughs().replace("\nlaughs:\n", "\nlaughs: &top\n") + "description: *top\n",
        [r"YAML aliases expand this file by more than 100,000"],
    ),
]


#: (case, changes to the scenario's data as {key path: value} (DELETE removes), fragments).
DELETE = object()
DATA_CASES: list[tuple[str, dict[tuple[Any, ...], Any], list[str]]] = [
    (
        "six problems at once",
        {
            ("economics", "gros_margin"): 0.5,
            ("simulation", "campaign"): 100,
            ("namee",): "x",
            ("strategies", "nano_heavy", "groups", 0, "tierr"): "nano",
            ("strategies", "micro_heavy", "groups", 1, "tier"): "mirco",
            ("economics", "fixed_cost"): -1,
        },
        [
            r"6 problems",
            r"economics: unknown key 'gros_margin' \(did you mean 'gross_margin'\?\)",
            r"simulation: unknown key 'campaign' \(did you mean 'campaigns'\?\)",
            r"\(top level\): unknown key 'namee' \(did you mean 'name'\?\)",
            r"groups\[0\]: unknown key 'tierr' \(did you mean 'tier'\?\)",
            r"micro_heavy\.groups\[1\]\.tier: no priors for tier 'mirco' "
            r"\(did you mean 'micro'\?\)",
            r"economics\.fixed_cost: should be greater than or equal to 0 \(got -1\)",
        ],
    ),
    (
        "schema, tier and platform problems together",
        {
            ("economics", "gross_margin"): float("nan"),
            ("strategies", "nano_heavy", "groups", 2, "platform"): "tiktak",
            ("strategies", "micro_heavy", "groups", 0, "tier"): "micor",
        },
        [
            r"3 problems",
            r"economics\.gross_margin: must be a finite number \(got \.nan\)",
            r"nano_heavy\.groups\[2\]\.platform: .*'tiktak' \(did you mean 'tiktok'\?\)",
            r"micro_heavy\.groups\[0\]\.tier: no priors for tier 'micor'",
        ],
    ),
    (
        "two priors that cannot be fitted and a tier typo",
        {
            ("priors", "tiers"): {
                "nano": {"conversion_rate": {"family": "beta", "range": [0.1, 1.2]}},
                "micro": {"fee": {"family": "lognormal", "range": [9000, 3000]}},
            },
            ("strategies", "nano_heavy", "groups", 2, "tier"): "nanno",
        },
        [
            r"3 problems",
            r"priors\.tiers\.nano\.conversion_rate: beta needs 0 < lo < hi < 1",
            r"priors\.tiers\.micro\.fee: .*lo < hi",
            r"nano_heavy\.groups\[2\]\.tier: no priors for tier 'nanno'",
        ],
    ),
    (
        "a missing base and a schema problem",
        {("priors", "base"): "articel", ("simulation", "seed"): -1},
        [
            r"2 problems",
            r"simulation\.seed: should be greater than or equal to 0",
            r"priors\.base: 'articel' .*did you mean 'article'",
        ],
    ),
    (
        "a huge value is shortened",
        {("economics", "gross_margin"): "x" * 100_000},
        [r"economics\.gross_margin: should be a number \(got 'x{70,80}'… \(100,000 characters\)\)"],
    ),
    (
        "a huge key is shortened",
        {("economics", "k" * 50_000): 1},
        [r"economics: unknown key 'k{70,80}'… \(50,000 characters\)"],
    ),
    (
        "a huge tier name is shortened",
        {("strategies", "nano_heavy", "groups", 0, "tier"): "n" * 20_000},
        [r"no priors for tier 'n{70,80}'… \(20,000 characters\)"],
    ),
    (
        "a huge integer is not printed whole",
        {("simulation", "seed"): -(10**5000)},
        [
            r"simulation\.seed: should be greater than or equal to 0 "
            r"\(got a number of about 5,0\d\d digits\)"
        ],
    ),
    (
        "groups a mapping",
        {("strategies", "nano_heavy", "groups"): {"first": {"tier": "nano"}}},
        [r"strategies\.nano_heavy\.groups: should be a list \(got a mapping\)"],
    ),
    (
        "strategies a list",
        {("strategies",): [{"nano_heavy": {}}]},
        [r"strategies: should be a mapping of keys to values \(got a list\)"],
    ),
    (
        "a strategy without groups",
        {("strategies", "micro_heavy", "groups"): DELETE},
        [r"strategies\.micro_heavy\.groups: is required but missing"],
    ),
    (
        "count given as a float with a fraction",
        {("strategies", "nano_heavy", "groups", 0, "count"): 1.5},
        [r"groups\[0\]\.count: should be an integer \(got 1\.5\)"],
    ),
    (
        "the value of an unknown key is never checked",
        {("economics", "margin"): float("nan")},
        [r"economics: unknown key 'margin'"],
    ),
]


def _apply(data: dict[str, Any], changes: dict[tuple[Any, ...], Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for path, value in changes.items():
        node = out
        for part in path[:-1]:
            node = node[part]
        if value is DELETE:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return out


def _check(message: str, fragments: list[str]) -> None:
    for fragment in fragments:
        assert re.search(fragment, message), f"{fragment!r} not in:\n{message}"
    for word in INTERNALS:
        assert word not in message, f"{word!r} leaks into:\n{message}"
    assert len(message) < 5_000


@pytest.mark.exact
@pytest.mark.parametrize(("case", "text", "fragments"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_bad_file_is_refused_with_its_key_path(tmp_path, case, text, fragments):
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert str(path) in message
    _check(message, fragments)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("case", "changes", "fragments"), DATA_CASES, ids=[c[0] for c in DATA_CASES]
)
def test_bad_data_is_refused_with_every_problem(case, changes, fragments):
    with pytest.raises(InputError) as caught:
        scenario_from_dict(_apply(COFFEE_DATA, changes), source=COFFEE)
    _check(str(caught.value), fragments)


@pytest.mark.exact
def test_problems_read_from_a_file_carry_their_lines(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(
        _text(
            ("gross_margin: 0.55", "gross_margin: .nan"),
            (GROUP0, _group0(count="yes")),
            ("{tier: micro, platform: youtube", "{tier: mirco, platform: youtube"),
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    lines = {p.path: p.line for p in caught.value.problems}
    assert lines == {
        "economics.gross_margin": 29,
        "strategies.nano_heavy.groups[0].count": 47,
        "strategies.micro_heavy.groups[1].tier": 62,
    }
    assert "must be a finite number (got .nan) (line 29)" in str(caught.value)


@pytest.mark.exact
def test_a_duplicate_key_and_other_problems_in_one_pass(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(
        _text(
            ("  seed: 20250601", "  seed: 20250601\n  seed: 1"),
            ("campaigns: 10000", "campaigns: yes"),
            ("{tier: micro, platform: youtube", "{tier: micro, platform: yutube"),
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    _check(
        str(caught.value),
        [
            r"3 problems",
            r"simulation: key 'seed' is given twice \(first on line 71\): .* \(line 72\)",
            r"simulation\.campaigns: should be an integer \(got yes\)",
            r"micro_heavy\.groups\[1\]\.platform: .*'yutube' \(did you mean 'youtube'\?\)",
        ],
    )


PRIORS_CASES = [
    (
        "shock sigma .nan",
        [("shock_sigma: 0.42", "shock_sigma: .nan")],
        [r"shock_sigma: must be a finite number \(got \.nan\)"],
    ),
    (
        "a tier twice",
        [("tiers:\n", "tiers:\n  nano: {}\n")],
        [
            rf"tiers: key 'nano' is given twice \(first on line {TIERS_LINE + 1}\): keep one of "
            rf"them \(line {NANO_LINE + 1}\)"
        ],
    ),
    (
        "a range bound 1e999 and an unknown key",
        [
            ("shock_sigma: 0.42", "shock_sigma: 0.42\nshock_sigmaa: 1"),
            ("name: article", "name: article\ntiers_: {}"),
        ],
        [
            r"2 problems",
            r"\(top level\): unknown key 'shock_sigmaa' \(did you mean 'shock_sigma'\?\)",
            r"\(top level\): unknown key 'tiers_' \(did you mean 'tiers'\?\)",
        ],
    ),
]


@pytest.mark.exact
@pytest.mark.parametrize(
    ("case", "changes", "fragments"), PRIORS_CASES, ids=[c[0] for c in PRIORS_CASES]
)
def test_bad_priors_file_is_refused_through_a_scenario_and_alone(
    tmp_path, case, changes, fragments
):
    text = ARTICLE_TEXT
    for old, new in changes:
        text = _sub(text, old, new)
    priors = tmp_path / "my-priors.yaml"
    priors.write_text(text, encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(_text(("base: article ", "base: my-priors.yaml ")), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_scenario(scenario)
    assert str(priors) in str(caught.value)
    _check(str(caught.value), fragments)
    with pytest.raises(InputError) as caught:
        load_prior_set(str(priors))
    _check(str(caught.value), fragments)


@pytest.mark.exact
def test_priors_that_cannot_be_fitted_are_all_reported(tmp_path):
    text = _sub(
        ARTICLE_TEXT,
        "shock_sigma: 0.42",
        "shock_sigma: 0.42\n# bad below",
    )
    data = yaml.safe_load(text)
    data["tiers"]["nano"]["fee"] = {"family": "lognormal", "range": [9000, 3000]}
    data["tiers"]["micro"]["conversion_rate"] = {"family": "beta", "range": [0.1, 1.5]}
    priors = tmp_path / "two-bad.yaml"
    priors.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_prior_set(str(priors))
    _check(
        str(caught.value),
        [r"2 problems", r"tiers\.nano\.fee: .*lo < hi", r"tiers\.micro\.conversion_rate: beta"],
    )


# -- what stays accepted -------------------------------------------------------------------


@pytest.mark.exact
def test_a_whole_float_is_an_integer_and_ints_are_numbers(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(
        _text(
            (GROUP0, _group0(count="20.0")),
            ("gross_margin: 0.55", "gross_margin: 1"),
            ("campaigns: 10000", "campaigns: 1.0e+4"),
        ),
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    count = scenario.strategy("nano_heavy").groups[0].count
    assert count == 20 and type(count) is int
    assert scenario.campaigns == 10_000 and type(scenario.campaigns) is int
    assert scenario.gross_margin == 1.0


@pytest.mark.exact
def test_yaml_features_a_user_may_use_still_read_as_before(tmp_path):
    """Anchors, aliases and merge keys read exactly as the safe loader reads them."""
    text = _text(
        ("    groups:\n      # 20 home-cafe", "    groups: &nano_groups\n      # 20 home-cafe"),
        (
            "  micro_heavy:\n",
            "  nano_copy:\n    label: copy\n    budget: 600000\n"
            "    groups: *nano_groups\n  micro_heavy:\n",
        ),
        (
            MICRO_YT,
            "      - &yt {tier: micro, platform: youtube, deliverables: 1, count: 2}\n"
            "      - {<<: *yt, count: 1}",
        ),
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    assert reading.read_yaml(path) == yaml.safe_load(text)
    scenario = load_scenario(path)
    assert [s.name for s in scenario.strategies] == ["nano_heavy", "nano_copy", "micro_heavy"]
    assert scenario.strategy("micro_heavy").groups[2].count == 1


@pytest.mark.exact
def test_the_examples_read_exactly_as_the_safe_loader_reads_them():
    for path in sorted(ROOT.glob("scenarios/**/*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert reading.read_yaml(path) == yaml.safe_load(text), path


# -- expensive input: refused fast ----------------------------------------------------------


@pytest.mark.exact
def test_an_alias_bomb_is_refused_fast(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(_billion_laughs(levels=12, width=10), encoding="utf-8")  # 10^12 values
    start = time.process_time()
    with pytest.raises(InputError, match="YAML aliases expand this file"):
        load_scenario(path)
    assert time.process_time() - start < 2


@pytest.mark.exact
@pytest.mark.slow
def test_a_5_mb_scenario_reaches_its_error_fast(tmp_path):
    strategies = [
        f"  s{i}:\n    budget: 600000\n    groups:\n"
        + "\n".join(
            f"      - {{tier: nano, platform: instagram, deliverables: 1, count: {k + 1}}}"
            for k in range(6)
        )
        for i in range(12_000)
    ]
    text = _sub(COFFEE_TEXT, "strategies:\n", "strategies:\n" + "\n".join(strategies) + "\n")
    text = _sub(text, "  micro_heavy:\n", "  micro_heavy:\n    lable: typo\n")
    assert len(text) > 5_000_000
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.process_time()
    with pytest.raises(InputError, match=r"micro_heavy: unknown key 'lable'.*\(line \d+\)"):
        load_scenario(path)
    assert time.process_time() - start < 15  # 21 s with the pure-Python loader


@pytest.mark.exact
def test_files_too_large_or_not_text_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"name: x\ndescription: " + b"y" * (reading.MAX_FILE_BYTES + 10))
    with pytest.raises(InputError, match=r"\(file\): larger than 20 MB"):
        load_scenario(big)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"name: \xff\xfe\x00x\n")
    with pytest.raises(InputError, match=r"\(file\): not UTF-8 text"):
        load_scenario(binary)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"\(top level\): expected a mapping"):
        load_scenario(empty)


# -- through the command line -----------------------------------------------------------------

CLI_SAMPLE = [
    c
    for c in TEXT_CASES
    if c[0]
    in {
        "gross margin .nan",
        "fixed cost 1.0e+999",
        "prior override range .inf",
        "two strategies with one name",
        "tier twice in one group",
        "count yes",
        "managers a word",
        "strategy name with a space",
        "billion laughs",
        "a recursive alias",
        "an impossible date",
    }
]


@pytest.mark.cli
@pytest.mark.parametrize("command", ["run", "validate", "timeline"])
@pytest.mark.parametrize(("case", "text", "fragments"), CLI_SAMPLE, ids=[c[0] for c in CLI_SAMPLE])
def test_bad_file_exits_2_naming_file_and_key_without_a_traceback(
    tmp_path, command, case, text, fragments
):
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "results"
    args = [command, str(path)] + (
        ["--out", str(out), "-n", "100"] if command != "validate" else []
    )
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr
    _check(result.stderr, fragments)
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not any(p.name != "scenario.yaml" for p in tmp_path.iterdir())


@pytest.mark.cli
def test_six_typos_in_one_run_of_validate(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(
        yaml.safe_dump(_apply(COFFEE_DATA, DATA_CASES[0][1]), allow_unicode=True),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    _check(result.stderr, DATA_CASES[0][2])
    assert result.stderr.count("(line ") == 6


@pytest.mark.cli
def test_a_bug_in_the_reader_is_still_a_bug(tmp_path, monkeypatch):
    """No catch-all: an unexpected exception is exit 1 with its traceback, never exit 2."""

    def broken(text: str, document: Any) -> bool:
        raise RuntimeError("injected bug")

    monkeypatch.setattr(reading, "_build", broken)
    path = tmp_path / "scenario.yaml"
    path.write_text(COFFEE_TEXT, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert not (tmp_path / "r").exists()


@pytest.mark.exact
def test_the_reader_keeps_a_path_object_and_a_string_alike(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(COFFEE_TEXT, encoding="utf-8")
    assert load_scenario(path).digest == load_scenario(str(path)).digest
    assert (
        load_scenario(Path(path)).digest
        == scenario_from_dict(yaml.safe_load(COFFEE_TEXT), source=path).digest
    )


@pytest.mark.exact
def test_the_json_schema_keeps_the_types_and_bounds():
    from campaign_sim.scenario.schema import ScenarioFile

    defs = ScenarioFile.model_json_schema()["$defs"]
    count = defs["Group"]["properties"]["count"]["anyOf"][0]
    assert count == {"exclusiveMinimum": 0, "type": "integer"}
    assert defs["Simulation"]["properties"]["seed"]["minimum"] == 0
    margin = defs["Economics"]["properties"]["gross_margin"]
    assert (margin["type"], margin["minimum"], margin["maximum"]) == ("number", 0, 1)
    assert defs["Simulation"]["properties"]["antithetic"]["type"] == "boolean"


@pytest.mark.exact
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_an_endless_priors_file_is_refused(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(_text(("base: article ", "base: /dev/zero ")), encoding="utf-8")
    with pytest.raises(InputError, match=r"/dev/zero: \(file\): larger than 20 MB"):
        load_scenario(path)


@pytest.mark.exact
def test_a_huge_priors_base_is_not_echoed_whole():
    data = _apply(COFFEE_DATA, {("priors", "base"): "p" * 100_000})
    with pytest.raises(InputError) as caught:
        scenario_from_dict(data, source=COFFEE)
    _check(str(caught.value), [r"priors\.base: 'p{70,80}'… \(100,000 characters\) is neither"])


@pytest.mark.exact
@pytest.mark.parametrize("base", ["q" * 5_000, "with\x00nul.yaml"])
def test_a_priors_base_no_file_can_have_is_refused(base):
    data = _apply(COFFEE_DATA, {("priors", "base"): base})
    with pytest.raises(InputError, match=r"priors\.base: .* is neither a shipped prior set"):
        scenario_from_dict(data, source=COFFEE)
