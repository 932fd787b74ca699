"""Shared fixtures (small scenarios written to temporary files), the --update-snapshots option,
the check that every test carries a tier marker (see CONTRIBUTING.md), and the markers that skip
a test whose system package is missing, naming the package: needs_font, needs_cjk_font,
needs_libreoffice."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
import yaml
from helpers import FIXED_PRIORS, FIXED_SCENARIO

#: The test tiers (registered in pyproject.toml); every test carries at least one.
TIERS = ("exact", "statistical", "cross_engine", "reproducibility", "cli")
#: The marker that exempts a test from the tier check, with a reason: untiered("why").
EXEMPT = "untiered"


@cache
def _cjk_font() -> bool:
    """matplotlib has a font with Chinese glyphs (or CAMPAIGN_SIM_CJK_FONT is set: a wrong
    setting fails the tests with its own message rather than skipping them)."""
    try:
        from campaign_sim.errors import InputError
        from campaign_sim.reports.fonts import find_cjk_font
    except ImportError:  # no reports extra: those modules skip on their own imports
        return False
    try:
        return find_cjk_font() is not None
    except InputError:
        return True


@cache
def _font() -> bool:
    """fontconfig, which Chromium and LibreOffice ask for fonts, knows a font with Latin glyphs
    (without one Chromium lays text out with no size, so widths and pages measure nothing, and
    LibreOffice stops: "No fonts could be found"). True where fc-list is not there to ask
    (LibreOffice depends on it; Chromium may run without)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    done = subprocess.run(
        [fc_list, ":lang=en", "family"], capture_output=True, text=True, timeout=120, check=False
    )
    return bool(done.stdout.strip())


@cache
def _libreoffice() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


#: Skip markers for tests that need a system package: marker -> (is it there, reason to skip).
NEEDS: dict[str, tuple[Callable[[], bool], str]] = {
    "needs_font": (
        _font,
        "no font visible to fontconfig (fc-list :lang=en lists none): Chromium lays text out "
        "with no size, LibreOffice does not start; apt-get install fonts-dejavu-core",
    ),
    "needs_cjk_font": (
        _cjk_font,
        "no font with Chinese glyphs: apt-get install fonts-noto-cjk "
        "(or set CAMPAIGN_SIM_CJK_FONT to a font file)",
    ),
    "needs_libreoffice": (
        _libreoffice,
        "LibreOffice is not installed: apt-get install libreoffice-impress",
    ),
}


def pytest_configure(config: pytest.Config) -> None:
    for marker, (_, reason) in NEEDS.items():
        config.addinivalue_line("markers", f"{marker}: skipped when absent ({reason})")
    # A missing CJK font only turns Chinese names in English charts into boxes: one
    # MissingFontWarning, not a failure of every report test (the font tests check it).
    config.addinivalue_line(
        "filterwarnings", "ignore::campaign_sim.reports.fonts.MissingFontWarning"
    )


@pytest.fixture(autouse=True)
def _columns_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without ``COLUMNS``, as on a machine whose stdout is not a terminal
    (pytest-xdist sets it to 80 in its workers; a terminal may set it): tests of widths set
    it themselves."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def write_scenario(tmp_path: Path):
    """Write a scenario (and the all-fixed priors beside it); return the scenario path."""

    def write(
        data: dict | None = None, *, priors: dict | None = None, name: str = "scenario.yaml"
    ) -> Path:
        (tmp_path / "fixed-priors.yaml").write_text(
            yaml.safe_dump(priors if priors is not None else FIXED_PRIORS), encoding="utf-8"
        )
        path = tmp_path / name
        path.write_text(
            yaml.safe_dump(data if data is not None else FIXED_SCENARIO, allow_unicode=True),
            encoding="utf-8",
        )
        return path

    return write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="Rewrite tests/snapshots/ from the current outputs (on purpose only: say why).",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse to run when a collected test has no tier marker and is not exempted; skip the
    tests whose system package (NEEDS) is missing."""
    here = Path(__file__).parent
    unmarked = [
        item.nodeid for item in items if item.path.is_relative_to(here) and not _tiered(item)
    ]
    if unmarked:
        listing = "\n  ".join(unmarked)
        message = (
            f"{len(unmarked)} test(s) without a tier marker ({', '.join(TIERS)}); mark each "
            f"(pytestmark or a decorator) or exempt it with @pytest.mark.{EXEMPT}(reason):\n"
            f"  {listing}"
        )
        if not hasattr(config, "workerinput"):
            raise pytest.UsageError(message)
        # In a pytest-xdist worker a usage error is an internal error without its message:
        # every test of the run fails with it instead (pytest_runtest_setup).
        config.stash[_UNTIERED] = message
    for item in items:
        for marker, (present, reason) in NEEDS.items():
            if item.get_closest_marker(marker) and not present():
                item.add_marker(pytest.mark.skip(reason=reason))


_UNTIERED = pytest.StashKey[str]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail every test of a run (on xdist workers) that collected tests without a tier."""
    message = item.config.stash.get(_UNTIERED, None)
    if message is not None:
        pytest.fail(message, pytrace=False)


def _tiered(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(tier) for tier in TIERS):
        return True
    exempt = item.get_closest_marker(EXEMPT)
    return exempt is not None and bool(exempt.args or exempt.kwargs.get("reason"))
