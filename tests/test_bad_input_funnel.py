"""Bad input for every scenario and priors key of the funnel past first purchases (issue 13),
through ``validate`` and ``run``: exit status 2, no traceback, no results folder, the file
and the key path named (for a typo, the key meant).

Every case is the all-fixed scenario (helpers.FIXED_SCENARIO) or its priors file with one
value written as the user would type it (``.nan``, ``1.0e+308``, ``[0.1]``), a key misspelt or
given twice; the fragments the message must hold are regular expressions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers import FIXED_PRIORS, FIXED_SCENARIO, deep_update

from campaign_sim.cli import main

pytestmark = [pytest.mark.exact, pytest.mark.cli]

#: Stands for the value under test in the data; replaced by a YAML word in the text.
HERE = "HERE_IS_THE_VALUE"

REPEAT = {"months": 12, "share": 0.2, "orders_per_month": 0.5}
NB = {"funnel": {"orders": "negative_binomial", "orders_dispersion": 2}}

# What the value "should be", as the messages word it.
NUMBER = "a number"
DIST = "a number or a distribution"
INTEGER = "an integer"
FLAG = "true or false"
ORDERS = "'poisson', 'negative_binomial' or 'expected'"


def _at(path: str, value: Any) -> dict:
    """``{'a': {'b': value}}`` for the key path ``a.b``."""
    out: Any = value
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def _text(data: dict, word: str) -> str:
    """``data`` as YAML with the word the user typed in place of :data:`HERE`."""
    text = yaml.safe_dump(data, allow_unicode=True)
    assert text.count(HERE) == 1
    return text.replace(HERE, word)


#: Each new scenario key: (key path, what else it needs, what it should be, the message of
#: 1.0e+308, a value below its range and its message).
SCENARIO_KEYS: list[tuple[str, dict, str, str, str, str]] = [
    (
        "economics.agency_commission",
        {},
        NUMBER,
        r"should be less than or equal to 1 \(got 1\.0e\+308\)",
        "-0.5",
        r"should be greater than or equal to 0 \(got -0\.5\)",
    ),
    (
        "economics.fee_tax",
        {},
        NUMBER,
        r"should be less than or equal to 1 \(got 1\.0e\+308\)",
        "-0.5",
        r"should be greater than or equal to 0 \(got -0\.5\)",
    ),
    (
        "funnel.amplification",
        {},
        FLAG,
        r"should be true or false \(got 1\.0e\+308\)",
        "-1",
        r"should be true or false \(got -1\)",
    ),
    (
        "funnel.orders",
        {},
        ORDERS,
        rf"should be {ORDERS} \(got 1\.0e\+308\)",
        "-1",
        rf"should be {ORDERS} \(got -1\)",
    ),
    (
        "funnel.orders_dispersion",
        NB,
        NUMBER,
        r"should be less than or equal to 1000 \(got 1\.0e\+308\)",
        "-0.5",
        r"should be greater than 1 \(got -0\.5\)",
    ),
    (
        "funnel.incrementality",
        {},
        DIST,
        r"a share of orders must lie in \[0, 1\], but fixed\(value=1e\+308\)",
        "-0.5",
        r"a share of orders must lie in \[0, 1\], but fixed\(value=-0\.5\)",
    ),
    (
        "funnel.attribution_leakage",
        {},
        DIST,
        r"a share of orders must lie in \[0, 0\.99\], but fixed\(value=1e\+308\)",
        "-0.5",
        r"a share of orders must lie in \[0, 0\.99\], but fixed\(value=-0\.5\)",
    ),
    (
        "repeat.months",
        {"repeat": REPEAT},
        INTEGER,
        r"should be less than or equal to 120 \(got 1\.0e\+308\)",
        "-3",
        r"should be greater than 0 \(got -3\)",
    ),
    (
        "repeat.share",
        {"repeat": REPEAT},
        DIST,
        r"a share of customers must lie in \[0, 1\], but fixed\(value=1e\+308\)",
        "-0.5",
        r"a share of customers must lie in \[0, 1\], but fixed\(value=-0\.5\)",
    ),
    (
        "repeat.orders_per_month",
        {"repeat": REPEAT},
        DIST,
        r"orders per month cannot exceed 1000, but fixed\(value=1e\+308\) has a P99 of 1e\+308",
        "-0.5",
        r"orders per month must be >= 0, but fixed\(value=-0\.5\)",
    ),
    (
        "repeat.margin",
        {"repeat": REPEAT},
        NUMBER,
        r"should be less than or equal to 1 \(got 1\.0e\+308\)",
        "-0.5",
        r"should be greater than or equal to 0 \(got -0\.5\)",
    ),
    (
        "repeat.discount_rate",
        {"repeat": REPEAT},
        NUMBER,
        r"should be less than or equal to 1 \(got 1\.0e\+308\)",
        "-0.5",
        r"should be greater than or equal to 0 \(got -0\.5\)",
    ),
    (
        "niche.people.instagram",
        {},
        DIST,
        r"people cannot exceed 8e\+09, but fixed\(value=1e\+308\) has a P99 of 1e\+308",
        "-5",
        r"people must be >= 0, but fixed\(value=-5\)",
    ),
    (
        "niche.people.default",
        {},
        DIST,
        r"people cannot exceed 8e\+09",
        "0",
        r"a niche needs people, but fixed\(value=0\) has none",
    ),
    (
        "correlations.followers_fee",
        {},
        NUMBER,
        r"should be less than 1 \(got 1\.0e\+308\)",
        "-1",
        r"should be greater than -1 \(got -1\)",
    ),
]

#: The new per-creator prior quantities: (quantity, the message of 1.0e+308, of -0.5).
RATE = r"{q} \(.+\) must lie in \[0, 1\], but fixed\(value={v}\)"
QUANTITY_CASES: list[tuple[str, str, str]] = [
    ("share_rate", RATE, RATE),
    ("user_post_rate", RATE, RATE),
    ("amplified_engagement_rate", RATE, RATE),
    ("amplified_conversion_rate", RATE, RATE),
    ("gifted_share", RATE, RATE),
    ("reach_per_share", r"people cannot exceed 8e\+09", r"people cannot be negative"),
    ("reach_per_user_post", r"people cannot exceed 8e\+09", r"people cannot be negative"),
    ("gifted_cost", r"a gifted creator's cost cannot exceed 1e\+12", r"money cannot be negative"),
]


def _bad_words(should: str, huge: str, low_word: str, low: str) -> list[tuple[str, str, str]]:
    """The bad words every number key is tried with: (name, word, message after the path)."""
    finite = should not in (FLAG, ORDERS)  # a flag or a choice: a number is the wrong type
    return [
        ("text", "many", rf"should be {should}.*\(got 'many'\)"),
        ("list", "[0.1]", rf"should be {should}.*\(got a list\)"),
        *(
            (name, word, rf"must be a finite number \(got {re.escape(word)}\)")
            if finite
            else (name, word, rf"should be {should} \(got {re.escape(word)}\)")
            for name, word in (("nan", ".nan"), ("inf", ".inf"), ("-inf", "-.inf"))
        ),
        ("huge", "1.0e+308", huge),
        ("below", low_word, low),
    ]


def _scenario_cases() -> list[Any]:
    cases = []
    for path, needs, should, huge, low_word, low in SCENARIO_KEYS:
        data = deep_update(deep_update(FIXED_SCENARIO, needs), _at(path, HERE))
        for name, word, message in _bad_words(should, huge, low_word, low):
            text = _text(data, word)
            cases.append(
                pytest.param(text, None, [rf"{re.escape(path)}: {message}"], id=f"{path}-{name}")
            )
    return cases


def _quantity_cases() -> list[Any]:
    """Each new quantity in a scenario's priors.tiers override and in a priors file."""
    cases = []
    for quantity, huge, low in QUANTITY_CASES:
        for name, word, message in _bad_words(
            DIST,
            huge.format(q=quantity, v=r"1e\+308"),
            "-0.5",
            low.format(q=quantity, v=r"-0\.5"),
        ):
            override = deep_update(FIXED_SCENARIO, _at(f"priors.tiers.nano.{quantity}", HERE))
            path = rf"priors\.tiers\.nano\.{quantity}: {message}"
            cases.append(
                pytest.param(_text(override, word), None, [path], id=f"override-{quantity}-{name}")
            )
            priors = deep_update(FIXED_PRIORS, _at(f"tiers.nano.{quantity}", HERE))
            path = rf"fixed-priors\.yaml: tiers\.nano\.{quantity}: {message}"
            cases.append(
                pytest.param(None, _text(priors, word), [path], id=f"priors-{quantity}-{name}")
            )
    return cases


def _typo(path: str, typo: str, needs: dict | None = None, *, priors: bool = False) -> Any:
    """``path``'s key spelt ``typo``: reported at its parent, with the key meant."""
    parent, _, key = path.rpartition(".")
    data = deep_update(FIXED_PRIORS if priors else FIXED_SCENARIO, needs or {})
    mapping = data
    for part in parent.split(".") if parent else ():
        mapping = mapping.setdefault(part, {})
    mapping.pop(key, None)  # renamed, not added beside the right one
    data = deep_update(data, _at(f"{parent}.{typo}" if parent else typo, HERE))
    where = re.escape(parent) if parent else r"\(top level\)"
    message = rf"{where}: unknown key '{typo}' \(did you mean '{key}'\?\)"
    text = _text(data, "0.5")
    return pytest.param(
        None if priors else text,
        text if priors else None,
        [message],
        id=f"typo-{typo}",
    )


TYPO_CASES = [
    _typo("economics.agency_commission", "agency_comission"),
    _typo("economics.fee_tax", "fee_tx"),
    _typo("funnel.amplification", "amplificaton"),
    _typo("funnel.orders", "order"),
    _typo("funnel.orders_dispersion", "orders_dispersoin", {"funnel": {"orders": "poisson"}}),
    _typo("funnel.incrementality", "incrementalty"),
    _typo("funnel.attribution_leakage", "attribution_leakge"),
    _typo("repeat.months", "monts", {"repeat": REPEAT}),
    _typo("repeat.share", "shares", {"repeat": REPEAT}),
    _typo("repeat.orders_per_month", "orders_per_mont", {"repeat": REPEAT}),
    _typo("repeat.margin", "margn", {"repeat": REPEAT}),
    _typo("repeat.discount_rate", "discount_rat", {"repeat": REPEAT}),
    _typo("repeat", "repaet"),
    _typo("niche.people", "peopel"),
    _typo("correlations.followers_fee", "folowers_fee"),
    *(
        _typo(f"priors.tiers.nano.{quantity}", typo)
        for quantity, typo in (
            ("share_rate", "share_rat"),
            ("reach_per_share", "reach_per_shar"),
            ("user_post_rate", "user_post_rat"),
            ("reach_per_user_post", "reach_per_user_pst"),
            ("amplified_engagement_rate", "amplified_engagment_rate"),
            ("amplified_conversion_rate", "amplified_conversion_rte"),
            ("gifted_share", "gifted_shar"),
            ("gifted_cost", "gifted_cst"),
        )
    ),
    _typo("tiers.nano.reach_per_share", "reach_per_shar", priors=True),
    _typo("tiers.nano.gifted_cost", "gifted_cots", priors=True),
    _typo("followers_fee_spearman", "followers_fee_spearmen", priors=True),
]


def _twice(path: str, needs: dict | None = None, *, priors: bool = False) -> Any:
    """``path``'s key given twice in its mapping: reported with both lines."""
    parent, _, key = path.rpartition(".")
    data = deep_update(FIXED_PRIORS if priors else FIXED_SCENARIO, needs or {})
    text = yaml.safe_dump(deep_update(data, _at(path, HERE)), allow_unicode=True)
    line = next(line for line in text.splitlines() if line.endswith(f"{key}: {HERE}"))
    indent = line[: len(line) - len(line.lstrip())]
    text = text.replace(line, f"{indent}{key}: 0.1\n{indent}{key}: 0.2")
    where = re.escape(parent) if parent else r"\(top level\)"
    message = rf"{where}: key '{key}' is given twice \(first on line \d+\): keep one"
    return pytest.param(
        None if priors else text, text if priors else None, [message], id=f"twice-{path}"
    )


TWICE_CASES = [
    _twice("economics.agency_commission"),
    _twice("economics.fee_tax"),
    _twice("funnel.incrementality"),
    _twice("funnel.attribution_leakage"),
    _twice("funnel.orders_dispersion", NB),
    _twice("repeat.months", {"repeat": REPEAT}),
    _twice("repeat.share", {"repeat": REPEAT}),
    _twice("niche.people.default"),
    _twice("correlations.followers_fee"),
    _twice("priors.tiers.nano.share_rate"),
    _twice("priors.tiers.nano.gifted_cost"),
    _twice("tiers.nano.reach_per_user_post", priors=True),
    _twice("followers_fee_spearman", priors=True),
]


def _case(case: str, changes: dict, fragments: list[str], *, priors: dict | None = None) -> Any:
    data = deep_update(FIXED_SCENARIO, changes)
    text = yaml.safe_dump(data, allow_unicode=True)
    priors_text = None if priors is None else yaml.safe_dump(priors, allow_unicode=True)
    return pytest.param(text, priors_text, fragments, id=case)


def _override(**quantities: Any) -> dict:
    return {"priors": {"tiers": {"nano": quantities}}}


def _priors(**changes: Any) -> dict:
    return deep_update(FIXED_PRIORS, changes)


RANGE_CASES = [
    _case(
        "incrementality 1.5",
        {"funnel": {"incrementality": 1.5}},
        [r"funnel\.incrementality: a share of orders must lie in \[0, 1\]"],
    ),
    _case(
        "incrementality a distribution past 1",
        {"funnel": {"incrementality": {"family": "uniform", "low": 0.5, "high": 1.5}}},
        [r"funnel\.incrementality: .*uniform\(low=0\.5, high=1\.5\) reaches \[0\.5, 1\.5\]"],
    ),
    _case(
        "leakage 1",
        {"funnel": {"attribution_leakage": 1}},
        [r"funnel\.attribution_leakage: a share of orders must lie in \[0, 0\.99\]"],
    ),
    _case(
        "dispersion 0.5",
        deep_update(NB, {"funnel": {"orders_dispersion": 0.5}}),
        [r"funnel\.orders_dispersion: should be greater than 1 \(got 0\.5\)"],
    ),
    _case(
        "dispersion 1",
        deep_update(NB, {"funnel": {"orders_dispersion": 1}}),
        [r"funnel\.orders_dispersion: should be greater than 1 \(got 1\)"],
    ),
    _case(
        "negative binomial without dispersion",
        {"funnel": {"orders": "negative_binomial"}},
        [r"funnel: orders: negative_binomial needs `orders_dispersion` \(> 1\)"],
    ),
    _case(
        "dispersion with poisson",
        {"funnel": {"orders": "poisson", "orders_dispersion": 2}},
        [r"funnel: `orders_dispersion` is for orders: negative_binomial"],
    ),
    _case(
        "dispersion with expected orders",
        {"funnel": {"orders_dispersion": 2}},
        [r"funnel: `orders_dispersion` is for orders: negative_binomial"],
    ),
    _case(
        "orders misspelt value",
        {"funnel": {"orders": "poison"}},
        [r"funnel\.orders: should be .* \(got 'poison'\) \(did you mean 'poisson'\?\)"],
    ),
    _case(
        "commission above 1",
        {"economics": {"agency_commission": 1.5}},
        [r"economics\.agency_commission: should be less than or equal to 1 \(got 1\.5\)"],
    ),
    _case(
        "months 0",
        {"repeat": {**REPEAT, "months": 0}},
        [r"repeat\.months: should be greater than 0 \(got 0\)"],
    ),
    _case(
        "months 1000",
        {"repeat": {**REPEAT, "months": 1000}},
        [r"repeat\.months: should be less than or equal to 120 \(got 1000\)"],
    ),
    _case(
        "months a fraction",
        {"repeat": {**REPEAT, "months": 1.5}},
        [r"repeat\.months: should be an integer \(got 1\.5\)"],
    ),
    _case(
        "repeat share 1.5",
        {"repeat": {**REPEAT, "share": 1.5}},
        [r"repeat\.share: a share of customers must lie in \[0, 1\]"],
    ),
    _case(
        "repeat orders per month 2000",
        {"repeat": {**REPEAT, "orders_per_month": 2000}},
        [r"repeat\.orders_per_month: orders per month cannot exceed 1000"],
    ),
    _case(
        "repeat orders per month with no upper end",
        {"repeat": {**REPEAT, "orders_per_month": {"family": "normal", "mean": 1, "sd": 1}}},
        [r"repeat\.orders_per_month: orders per month must be >= 0, but normal"],
    ),
    _case(
        "repeat margin 1.5",
        {"repeat": {**REPEAT, "margin": 1.5}},
        [r"repeat\.margin: should be less than or equal to 1 \(got 1\.5\)"],
    ),
    _case(
        "repeat discount rate 2",
        {"repeat": {**REPEAT, "discount_rate": 2}},
        [r"repeat\.discount_rate: should be less than or equal to 1 \(got 2\)"],
    ),
    _case(
        "repeat without its keys",
        {"repeat": {}},
        [
            r"repeat\.months: is required but missing",
            r"repeat\.share: is required but missing",
            r"repeat\.orders_per_month: is required but missing",
        ],
    ),
    _case(
        "repeat without months",
        {"repeat": {"share": 0.2, "orders_per_month": 0.5}},
        [r"repeat\.months: is required but missing"],
    ),
    _case(
        "repeat a list",
        {"repeat": [REPEAT]},
        [r"repeat: should be a mapping of keys to values \(got a list\)"],
    ),
    _case(
        "niche platform no prior declares",
        {"niche": {"people": {"default": 1_000_000, "instagarm": 1_000_000}}},
        [
            r"niche\.people\.instagarm: no platform 'instagarm' \(did you mean 'instagram'\?\); "
            r"platforms: instagram \(or default\)"
        ],
    ),
    _case(
        "niche with no audience for a group's platform",
        {"niche": {"people": {"tiktok": 1_000_000}}},
        [
            r"niche\.people: no niche audience for platform instagram: add it or a `default` key",
            r"niche\.people\.tiktok: no platform 'tiktok'; platforms: instagram",
        ],
    ),
    _case(
        "niche a list",
        {"niche": {"people": [1_000_000]}},
        [r"niche\.people: should be a mapping of keys to values \(got a list\)"],
    ),
    _case(
        "niche a lognormal with an overflowing tail",
        {"niche": {"people": {"default": {"family": "lognormal", "median": 1e6, "sigma": 400}}}},
        [r"niche\.people\.default: people cannot exceed 8e\+09, .* has a P99 of inf"],
    ),
    _case(
        "followers-fee correlation 1",
        {"correlations": {"followers_fee": 1}},
        [r"correlations\.followers_fee: should be less than 1 \(got 1\)"],
    ),
    _case(
        "followers-fee correlation the fee's shared part leaves no room for",
        {"correlations": {"followers_fee": 0.95}},
        [r"correlations\.followers_fee: a rank correlation of 0\.95 cannot hold in nano/instagram"],
    ),
    _case(
        "gifted share a distribution",
        _override(gifted_share={"family": "beta", "range": [0.1, 0.3]}),
        [r"priors\.tiers\.nano\.gifted_share: .* is one number \(a bare number or family: fixed\)"],
    ),
    _case(
        "gifted share with pool keys",
        _override(gifted_share={"family": "fixed", "value": 0.2, "describes": "level"}),
        [r"priors\.tiers\.nano\.gifted_share\.describes: .* is one number per creator"],
    ),
    _case(
        "share rate beta range past 1",
        _override(share_rate={"family": "beta", "range": [0.1, 1.2]}),
        [r"priors\.tiers\.nano\.share_rate: beta needs 0 < lo < hi < 1, got \[0\.1, 1\.2\]"],
    ),
    _case(
        "share rate uniform below 0",
        _override(share_rate={"family": "uniform", "low": -0.1, "high": 0.2}),
        [r"priors\.tiers\.nano\.share_rate: share_rate \(.*\) must lie in \[0, 1\], but uniform"],
    ),
    _case(
        "share rate 1.5 on a platform",
        {"priors": {"tiers": {"nano": {"platforms": {"instagram": {"share_rate": 1.5}}}}}},
        [r"priors\.tiers\.nano\.platforms\.instagram\.share_rate: .*must lie in \[0, 1\]"],
    ),
    _case(
        "reach per share normal",
        _override(reach_per_share={"family": "normal", "mean": 50, "sd": 30}),
        [r"priors\.tiers\.nano\.reach_per_share: people cannot be negative, but normal"],
    ),
    _case(
        "reach per share lognormal with an overflowing tail",
        _override(reach_per_share={"family": "lognormal", "median": 100, "sigma": 400}),
        [r"priors\.tiers\.nano\.reach_per_share: people cannot exceed 8e\+09, .* P99 of inf"],
    ),
    _case(
        "amplified conversion rate beta range past 1",
        _override(amplified_conversion_rate={"family": "beta", "range": [0.5, 1.5]}),
        [r"priors\.tiers\.nano\.amplified_conversion_rate: beta needs 0 < lo < hi < 1"],
    ),
    _case(
        "priors file: gifted share a distribution",
        {},
        [r"fixed-priors\.yaml: tiers\.nano\.gifted_share: .* is one number"],
        priors=_priors(
            tiers={"nano": {"gifted_share": {"family": "uniform", "low": 0, "high": 1}}}
        ),
    ),
    _case(
        "priors file: share rate range past 1",
        {},
        [r"fixed-priors\.yaml: tiers\.nano\.share_rate: beta needs 0 < lo < hi < 1"],
        priors=_priors(tiers={"nano": {"share_rate": {"family": "beta", "range": [0.2, 1.1]}}}),
    ),
    _case(
        "priors file: reach per user post negative on a platform",
        {},
        [
            r"fixed-priors\.yaml: tiers\.nano\.platforms\.instagram\.reach_per_user_post: "
            r"people cannot be negative"
        ],
        priors=_priors(tiers={"nano": {"platforms": {"instagram": {"reach_per_user_post": -1}}}}),
    ),
    *(
        _case(
            f"priors file: followers_fee_spearman {word}",
            {},
            [rf"fixed-priors\.yaml: followers_fee_spearman: {message}"],
            priors=_priors(followers_fee_spearman=value),
        )
        for word, value, message in (
            ("text", "high", r"should be a number \(got 'high'\)"),
            ("list", [0.7], r"should be a number \(got a list\)"),
            ("null", None, r"should be a number \(got null\)"),
            ("huge", 1e308, r"should be less than 1"),
            ("1", 1, r"should be less than 1 \(got 1\)"),
            ("-1", -1, r"should be greater than -1 \(got -1\)"),
            (
                "0.95, which the fee's shared part leaves no room for",
                0.95,
                r"a rank correlation of 0\.95 cannot hold in nano/instagram: .*; give another "
                r"in the scenario's correlations\.followers_fee",
            ),
        )
    ),
]


def _priors_file_words() -> list[Any]:
    """followers_fee_spearman non-finite, as typed in the priors file."""
    data = deep_update(FIXED_PRIORS, {"followers_fee_spearman": HERE})
    return [
        pytest.param(
            None,
            _text(data, word),
            [
                r"fixed-priors\.yaml: followers_fee_spearman: must be a finite number "
                rf"\(got {re.escape(word)}\)"
            ],
            id=f"priors-followers_fee_spearman-{word}",
        )
        for word in (".nan", ".inf", "-.inf")
    ]


CASES = [
    *_scenario_cases(),
    *_quantity_cases(),
    *TYPO_CASES,
    *TWICE_CASES,
    *RANGE_CASES,
    *_priors_file_words(),
]


def _write(tmp_path: Path, scenario: str | None, priors: str | None) -> tuple[Path, Path]:
    """The scenario and its priors beside it (either one the case's text, else the fixed
    one); returns the scenario's path and the path of the file the case broke."""
    (tmp_path / "fixed-priors.yaml").write_text(
        priors if priors is not None else yaml.safe_dump(FIXED_PRIORS), encoding="utf-8"
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(
        scenario if scenario is not None else yaml.safe_dump(FIXED_SCENARIO), encoding="utf-8"
    )
    return path, path if priors is None else tmp_path / "fixed-priors.yaml"


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(("scenario", "priors", "fragments"), CASES)
def test_bad_funnel_input_is_exit_2_naming_the_file_and_the_key(
    tmp_path, command, scenario, priors, fragments
):
    path, broken = _write(tmp_path, scenario, priors)
    out = tmp_path / "results"
    extra = ["--out", str(out)] if command == "run" else []
    result = CliRunner().invoke(main, [command, str(path), *extra])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(broken) in result.stderr
    for fragment in fragments:
        assert re.search(fragment, result.stderr), (fragment, result.stderr)
    assert "Input should" not in result.stderr  # pydantic's own words never reach a user
    assert not out.exists()


def test_every_new_key_set_well_is_valid(tmp_path):
    """The control: the keys the cases break, each given a good value, validate and run."""
    data = deep_update(
        FIXED_SCENARIO,
        {
            "economics": {"agency_commission": 0.1, "fee_tax": 0.05},
            "funnel": {
                "amplification": True,
                "orders": "negative_binomial",
                "orders_dispersion": 2,
                "incrementality": {"family": "uniform", "low": 0.5, "high": 1},
                "attribution_leakage": 0.1,
            },
            "repeat": {**REPEAT, "margin": 0.6, "discount_rate": 0.1},
            "niche": {"people": {"default": 1_000_000, "instagram": 2_000_000}},
            "correlations": {"followers_fee": None},
            "priors": {
                "tiers": {
                    "nano": {
                        "share_rate": 0.02,
                        "reach_per_share": 50,
                        "user_post_rate": 0.01,
                        "reach_per_user_post": 100,
                        "amplified_engagement_rate": 0.01,
                        "amplified_conversion_rate": 0.02,
                        "gifted_share": 0.5,
                        "gifted_cost": 1500,
                    }
                }
            },
        },
    )
    path, _ = _write(
        tmp_path,
        yaml.safe_dump(data),
        yaml.safe_dump(_priors(followers_fee_spearman=0.5)),
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "results")])
    assert result.exit_code == 0, result.output


def test_an_empty_niche_switches_unique_reach_off(tmp_path):
    """``niche.people: {}`` is no missing audience: unique reach is off, as before."""
    path, _ = _write(
        tmp_path, yaml.safe_dump(deep_update(FIXED_SCENARIO, {"niche": {"people": {}}})), None
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
