"""Every label, caption and sentence of the reports, in English and Traditional Chinese.

The messages live in ``locales/<lang>.yaml`` (package data), one file per language, read on first
use. ``Text(lang)`` looks a message up by key and fills it in; its number formatters follow the
language (amounts of money in 萬, ten thousands, in Chinese). A key missing in one language is a
bug, caught by tests/test_i18n.py, which compares the catalogues.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from campaign_sim.metrics import METRICS, kind_of

__all__ = ["LANGUAGES", "MESSAGES", "Text", "catalogue"]

_LOCALES = resources.files("campaign_sim.reports") / "locales"
#: libyaml's parser where PyYAML was built with it, else the pure-Python one.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _languages() -> tuple[str, ...]:
    """The languages with a locale file (``locales/<lang>.yaml``): English first, then by name."""
    names = [f.name.removesuffix(".yaml") for f in _LOCALES.iterdir() if f.name.endswith(".yaml")]
    return tuple(sorted(names, key=lambda lang: (lang != "en", lang)))


LANGUAGES = _languages()


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The messages of one language by key, in file order, read from its locale file once."""
    if lang not in LANGUAGES:
        raise KeyError(lang)
    name = f"{lang}.yaml"
    data = yaml.load((_LOCALES / name).read_text(encoding="utf-8"), Loader=_LOADER)
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"locales/{name}: not a mapping of message keys to strings")
    return data


class _Catalogues(Mapping[str, dict[str, str]]):
    """Every language's catalogue by language, each read on first use."""

    def __getitem__(self, lang: str) -> dict[str, str]:
        return catalogue(lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


MESSAGES: Mapping[str, dict[str, str]] = _Catalogues()

CURRENCY_SYMBOLS = {"TWD": "NT$", "USD": "US$", "EUR": "€", "JPY": "¥", "GBP": "£", "HKD": "HK$"}


#: Creator tiers (the prior sets' ``tiers``) with a label.
TIERS = {"nano": "tier.nano", "micro": "tier.micro", "mid": "tier.mid", "macro": "tier.macro"}

#: Distribution families of priors.csv with a label.
FAMILIES = {
    "beta": "family.beta",
    "fixed": "family.fixed",
    "lognormal": "family.lognormal",
    "loguniform": "family.loguniform",
    "normal": "family.normal",
    "uniform": "family.uniform",
    "triangular": "family.triangular",
    "pert": "family.pert",
}

#: Metrics on first purchases only: labelled so when the results have repeat buyers.
FIRST_PURCHASES = ("roi", "roas", "profit", "revenue", "gross_profit")


#: Platforms as their owners write them.
PLATFORM_NAMES = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}


@dataclass(frozen=True)
class Text:
    """Messages and number formats of one language ("en" or "zh-TW"). ``horizon_months``:
    the repeat buyers' horizon of the results (None: no repeat buyers); with it, ROI, ROAS,
    profit and revenue read as first purchases and the ``*_horizon`` metrics name their
    months."""

    lang: str = "en"
    currency: str = ""
    horizon_months: int | None = None

    def __call__(self, key: str, **values: Any) -> str:
        """The message ``key`` with its {name} fields filled in from ``values``; ``{roi}`` and
        ``{first}`` say "first purchases" when the results have repeat buyers."""
        messages = catalogue(self.lang)
        if self.horizon_months is None:
            said = {"roi": messages["metric.roi"], "first": ""}
        else:
            said = {"roi": messages["word.roi_first"], "first": messages["word.first_purchases"]}
        return messages[key].format(**{**said, **values})

    def has(self, key: str) -> bool:
        """Whether this language has a message ``key``."""
        return key in catalogue(self.lang)

    @property
    def zh(self) -> bool:
        return self.lang == "zh-TW"

    @property
    def na(self) -> str:
        """What a number that cannot be computed shows: "n/a" ("—" in Chinese)."""
        return self("word.na")

    @property
    def currency_label(self) -> str:
        """The one label of the scenario's currency in every report: its symbol ("NT$" for
        TWD), as amounts print, on axes ("profit (NT$)") too."""
        return CURRENCY_SYMBOLS.get(self.currency, self.currency)

    def list_sep(self) -> str:
        return "、" if self.zh else "; "

    def interval(self, lo: str, hi: str) -> str:
        """An interval of two formatted ends: "[1.2%, 3.4%]", in Chinese too, where "，"
        follows only an end in Chinese words ("[+38.3 個百分點，+46.4 個百分點]"): between
        numbers LibreOffice breaks "，" text as Chinese, inside a number ("[−19.3%，−↵17.4%]"),
        and ", " only at its space."""
        chinese = self.zh and "\u4e00" <= lo[-1:] <= "\u9fff"
        return f"[{lo}{'，' if chinese else ', '}{hi}]"

    def quantity(self, name: str) -> str:
        """A prior's quantity (``engagement_rate``) in words; unknown ones as they are."""
        key = f"quantity.{name}"
        return self(key) if self.has(key) else name.replace("_", " ")

    def tier(self, name: str) -> str:
        """A creator tier (``nano``) in words; unknown ones as they are."""
        return self(TIERS[name]) if name in TIERS else name

    def family(self, name: str) -> str:
        """A prior's distribution family (``lognormal``) in words; unknown ones as they are."""
        return self(FAMILIES[name]) if name in FAMILIES else name

    def platform(self, name: str) -> str:
        """A platform as its owner writes it (instagram: Instagram), "(all)" in words."""
        if name == "(all)":
            return self("word.all_platforms")
        return PLATFORM_NAMES.get(name, name)

    def platforms(self, names: list[str]) -> str:
        """Platforms joined with "/"."""
        return "/".join(self.platform(n) for n in names)

    def metric(self, name: str) -> str:
        """A metric's label: "ROI (first purchases)" and "ROI over the horizon (with repeats),
        12 months" when the results have repeat buyers, "ROI" without."""
        key = f"metric.{name}"
        label = self(key) if self.has(key) else name
        if self.horizon_months is None:
            return label
        if name in FIRST_PURCHASES:
            return self("label.first_purchases", metric=label)
        if name.endswith("_horizon"):
            return self("label.over_months", metric=label, months=self.horizon_months)
        return label

    # -- numbers -------------------------------------------------------------------------
    def pct(self, value: Any, digits: int = 0) -> str:
        """A fraction as a percentage (0.38 -> "38%")."""
        if not _finite(value):
            return self.na
        return _minus(f"{100 * float(value):.{digits}f}%")

    def prob(self, value: Any, digits: int = 0) -> str:
        """A probability as a percentage that never rounds to a false 0% or 100%."""
        if not _finite(value):
            return self.na
        p = float(value)
        if p in (0.0, 1.0):
            return f"{100 * p:.0f}%"
        if p < 0.001:
            return "<0.1%"
        if p > 0.999:
            return ">99.9%"
        if p < 0.01 or p > 0.99:
            digits = max(digits, 1)
        return f"{100 * p:.{digits}f}%"

    def points(self, value: Any, digits: int = 1) -> str:
        """A difference of fractions in percentage points, signed."""
        if not _finite(value):
            return self.na
        unit = " 個百分點" if self.zh else " pts"
        return _minus(f"{100 * float(value):+.{digits}f}{unit}")

    def money(self, value: Any, signed: bool = False) -> str:
        """An amount of money with the currency's symbol, to the unit."""
        if not _finite(value):
            return self.na
        v = float(value)
        symbol = CURRENCY_SYMBOLS.get(self.currency, f"{self.currency} " if self.currency else "")
        sign = "-" if v < 0 else ("+" if signed and v > 0 else "")
        digits = 2 if 0 < abs(v) < 100 else 0  # CPE and CPA can be a few dollars
        return f"{sign}{symbol}{abs(v):,.{digits}f}"

    def money_short(self, value: float) -> str:
        """Compact amount for chart axes: 1.2M / 350k, or 萬 and 億 in Chinese."""
        v = float(value)
        sign = "-" if v < 0 else ""
        v = abs(v)
        if self.zh:
            if v >= 1e8:
                return f"{sign}{v / 1e8:,.4g}億"
            if v >= 1e4:
                return f"{sign}{v / 1e4:,.4g}萬"
            return f"{sign}{v:,.0f}"
        if v >= 1e6:
            return f"{sign}{v / 1e6:,.4g}M"
        if v >= 1e3:
            return f"{sign}{v / 1e3:,.4g}k"
        return f"{sign}{v:,.0f}"

    def count(self, value: Any) -> str:
        if not _finite(value):
            return self.na
        return f"{float(value):,.0f}"

    def difference(self, value: Any, metric: str = "") -> str:
        """A difference of a metric's values, signed: percentage points for fractions such as
        ROI, money with its symbol, other kinds as signed numbers."""
        kind = metric_kind(metric)
        if not _finite(value):
            return self.na
        if kind == "fraction":
            return self.points(value)
        if kind == "money":
            return self.money(value, signed=True)
        return _minus(f"{float(value):+,.2f}" if kind == "ratio" else f"{float(value):+,.0f}")

    def number(self, value: Any, metric: str = "") -> str:
        """A metric's value formatted by its kind: %, money, ratio or count."""
        kind = metric_kind(metric)
        if kind == "fraction":
            return self.pct(value, 1)
        if kind == "money":
            return self.money(value)
        if kind == "ratio":
            return self.na if not _finite(value) else f"{float(value):.2f}"
        return self.count(value)


#: How each metric is formatted (Excel number formats follow the same kinds): the registry's.
METRIC_KINDS: dict[str, str] = {name: metric.kind for name, metric in METRICS.items()}


def metric_kind(metric: str) -> str:
    return kind_of(metric)


_MONEY_WORDS = ("value_at_risk", "shortfall", "budget", "fee", "aov", "gross_profit")


def column_kind(column: str) -> str:
    """How a column of another command's table is formatted, from its name: ``prob_loss``
    -> "prob", ``roi_mean`` -> "fraction", ``profit_p5`` -> "money", ``nano_share`` ->
    "fraction", ``day`` -> "count", anything else -> "number"."""
    name = column.lower().rsplit(".", 1)[-1]  # a swept key path: its last key
    if "prob" in name:
        return "prob"
    if any(word in name for word in _MONEY_WORDS):
        return "money"
    for metric, kind in METRIC_KINDS.items():
        if name == metric or name.startswith(metric + "_"):
            return kind
    if name.endswith(("share", "fraction", "utilisation", "margin", "rate")):
        return "fraction"
    if name in ("day", "days", "campaigns", "n", "point", "rank"):
        return "count"
    return "number"


def _minus(formatted: str) -> str:
    """No "-0%" for a negative value that rounds to zero."""
    if formatted.startswith("-") and not any(ch in "123456789" for ch in formatted):
        return formatted[1:]
    return formatted


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
