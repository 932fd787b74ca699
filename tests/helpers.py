"""Constants and helpers shared by the test modules (no test module imports another)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

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
    # Expected orders: hand-computable (whole-number orders have their own tests).
    "funnel": {"orders": "expected"},
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


def group(**fields):
    return {"strategies": {"a": {"groups": [{"tier": "nano", "platform": "instagram", **fields}]}}}


#: Every class of bad input: (case, scenario data, the message it must raise).
BAD_SCENARIOS = [
    (
        "unknown key",
        deep_update(FIXED_SCENARIO, {"economics": {"gross_margn": 0.5}}),
        r"economics: unknown key 'gross_margn' \(did you mean 'gross_margin'\?\)",
    ),
    (
        "unknown group key",
        deep_update(FIXED_SCENARIO, group(cuont=3)),
        r"strategies\.a\.groups\[0\]: unknown key 'cuont' \(did you mean 'count'\?\)",
    ),
    (
        "wrong type",
        deep_update(FIXED_SCENARIO, group(count="many")),
        r"strategies\.a\.groups\[0\]\.count: .*integer.*'many'",
    ),
    (
        "negative money",
        deep_update(FIXED_SCENARIO, {"economics": {"fixed_cost": -5}}),
        r"economics\.fixed_cost: .*greater than or equal to 0.*-5",
    ),
    (
        "negative budget",
        deep_update(FIXED_SCENARIO, group(budget=-100)),
        r"strategies\.a\.groups\[0\]\.budget: .*greater than 0",
    ),
    (
        "margin above one",
        deep_update(FIXED_SCENARIO, {"economics": {"gross_margin": 1.4}}),
        r"economics\.gross_margin: .*less than or equal to 1.*1\.4",
    ),
    (
        "rate outside 0-1",
        deep_update(
            FIXED_SCENARIO,
            {
                "priors": {
                    "tiers": {
                        "nano": {"engagement_rate": {"family": "uniform", "low": 0.5, "high": 1.5}}
                    }
                }
            },
        ),
        r"priors\.tiers\.nano\.engagement_rate: .*must lie in \[0, 1\]",
    ),
    (
        "beta range outside 0-1",
        deep_update(
            FIXED_SCENARIO,
            {
                "priors": {
                    "tiers": {"nano": {"conversion_rate": {"family": "beta", "range": [0.1, 1.2]}}}
                }
            },
        ),
        r"priors\.tiers\.nano\.conversion_rate: beta needs 0 < lo < hi < 1",
    ),
    (
        "lo above hi",
        deep_update(
            FIXED_SCENARIO,
            {
                "priors": {
                    "tiers": {"nano": {"fee": {"family": "lognormal", "range": [9000, 3000]}}}
                }
            },
        ),
        r"priors\.tiers\.nano\.fee: .*lo < hi",
    ),
    (
        "empty strategy",
        deep_update(FIXED_SCENARIO, {"strategies": {"a": {"groups": []}}}),
        r"strategies\.a\.groups: .*at least 1 item",
    ),
    ("no strategies", {**FIXED_SCENARIO, "strategies": {}}, r"strategies: .*at least 1 item"),
    (
        "budget below one fee",
        deep_update(FIXED_SCENARIO, group(budget=4000)),
        r"strategies\.a\.groups\[0\]\.budget: a budget of 4,000 is smaller than one creator's fee",
    ),
    (
        "two sizes",
        deep_update(FIXED_SCENARIO, group(count=3, budget=50000)),
        r"strategies\.a\.groups\[0\]: a group needs exactly one of .*count and budget",
    ),
    (
        "share without budget",
        deep_update(FIXED_SCENARIO, group(share=0.5)),
        r"strategies\.a: groups with `share` need the strategy's `budget`",
    ),
    (
        "unknown tier",
        deep_update(
            FIXED_SCENARIO,
            {
                "strategies": {
                    "a": {"groups": [{"tier": "nanno", "platform": "instagram", "count": 1}]}
                }
            },
        ),
        r"strategies\.a\.groups\[0\]\.tier: no priors for tier 'nanno' \(did you mean 'nano'\?\)",
    ),
    (
        "unknown platform",
        deep_update(
            FIXED_SCENARIO,
            {
                "strategies": {
                    "a": {"groups": [{"tier": "nano", "platform": "instagran", "count": 1}]}
                }
            },
        ),
        r"strategies\.a\.groups\[0\]\.platform: .*'instagran' \(did you mean 'instagram'\?\)",
    ),
    (
        "unknown family",
        deep_update(
            FIXED_SCENARIO, {"economics": {"aov": {"family": "lognormel", "range": [1, 2]}}}
        ),
        r"economics\.aov: unknown family 'lognormel' \(did you mean 'lognormal'\?\)",
    ),
    (
        "both range and parameters",
        deep_update(
            FIXED_SCENARIO,
            {
                "economics": {
                    "aov": {"family": "lognormal", "range": [1, 2], "median": 1.5, "sigma": 0.1}
                }
            },
        ),
        r"economics\.aov: .*either `range` or the parameters",
    ),
    (
        "bad strategy name",
        deep_update(
            FIXED_SCENARIO,
            {
                "strategies": {
                    "a b": {"groups": [{"tier": "nano", "platform": "instagram", "count": 1}]}
                }
            },
        ),
        r"strategies\.a b.*pattern",
    ),
    (
        "conversion base mismatch",
        deep_update(
            FIXED_SCENARIO,
            {
                "economics": {"conversion_base": "reach"},
                "priors": {
                    "tiers": {
                        "nano": {
                            "conversion_rate": {
                                "family": "beta",
                                "range": [0.01, 0.02],
                                "base": "engagements",
                            }
                        }
                    }
                },
            },
        ),
        r"conversion rate is per engagements, but the scenario's economics.conversion_base is "
        r"reach",
    ),
]


#: The columns of the roster files the roster tests write.
ROSTER_HEADER = "creator,platform,tier,followers,deliverables,quoted_fee,fee_low,fee_high"


def write_roster_scenario(
    folder: Path,
    rows: list[str],
    strategies: dict,
    *,
    name: str = "roster",
    economics: dict | None = None,
    simulation: dict | None = None,
) -> Path:
    """A roster.csv of ``rows`` (under :data:`ROSTER_HEADER`) and a scenario s.yaml on the
    article priors booking from it with ``strategies``; returns the scenario's path."""
    import yaml

    (folder / "roster.csv").write_text(ROSTER_HEADER + "\n" + "\n".join(rows) + "\n", "utf-8")
    data = {
        "name": name,
        "currency": "TWD",
        "economics": {
            "aov": {"family": "lognormal", "range": [600, 1200]},
            "gross_margin": 0.55,
            **(economics or {}),
        },
        "strategies": strategies,
        "priors": {"base": "article"},
        "simulation": simulation or {"campaigns": 2048, "seed": 7},
    }
    path = folder / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
