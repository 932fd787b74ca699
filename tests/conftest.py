"""Shared fixtures: small scenarios written to temporary files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "scenarios").glob("*.yaml")) + [ROOT / "scenarios/bench/bench-a.yaml"]

#: Every quantity fixed: hand-computable campaigns.
FIXED_TIER: dict[str, Any] = {
    "followers": 5000,
    "fake_share": 0,
    "delivery_probability": 1,
    "engagement_rate": 0.05,
    "reach_rate": 0.3,
    "conversion_rate": 0.1,
    "fee": 10000,
    "overhead": 500,
}

FIXED_PRIORS: dict[str, Any] = {
    "name": "fixed",
    "shock_sigma": 0,
    "tiers": {"nano": {**FIXED_TIER, "platforms": {"instagram": {}}}},
}

FIXED_SCENARIO: dict[str, Any] = {
    "name": "all fixed",
    "economics": {"aov": 1000, "gross_margin": 0.5, "fixed_cost": 1000},
    "strategies": {
        "a": {"groups": [{"tier": "nano", "platform": "instagram", "deliverables": 2, "count": 3}]},
    },
    "priors": {"base": "fixed-priors.yaml"},
    "simulation": {"campaigns": 100, "seed": 1},
}


def deep_update(data: dict, changes: dict) -> dict:
    """A copy of ``data`` with nested ``changes`` merged in."""
    out = copy.deepcopy(data)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_update(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


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
