"""Shared fixtures (small scenarios written to temporary files), the --update-snapshots option,
and the check that every test carries a tier marker (see CONTRIBUTING.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers import FIXED_PRIORS, FIXED_SCENARIO

#: The test tiers (registered in pyproject.toml); every test carries at least one.
TIERS = ("exact", "statistical", "cross_engine", "reproducibility", "cli")
#: The marker that exempts a test from the tier check, with a reason: untiered("why").
EXEMPT = "untiered"


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
    """Refuse to run when a collected test has no tier marker and is not exempted."""
    here = Path(__file__).parent
    unmarked = [
        item.nodeid for item in items if item.path.is_relative_to(here) and not _tiered(item)
    ]
    if unmarked:
        listing = "\n  ".join(unmarked)
        raise pytest.UsageError(
            f"{len(unmarked)} test(s) without a tier marker ({', '.join(TIERS)}); mark each "
            f"(pytestmark or a decorator) or exempt it with @pytest.mark.{EXEMPT}(reason):\n"
            f"  {listing}"
        )


def _tiered(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(tier) for tier in TIERS):
        return True
    exempt = item.get_closest_marker(EXEMPT)
    return exempt is not None and bool(exempt.args or exempt.kwargs.get("reason"))
