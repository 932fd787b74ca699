"""Scenario loading: the examples validate, every class of bad input gets a clear error."""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, FIXED_SCENARIO, deep_update

from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_prior_set, load_scenario


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_scenarios_validate(path):
    scenario = load_scenario(path)
    assert len(scenario.strategies) >= 2
    assert len(scenario.digest) == 64


def test_examples_compare_strategies_at_the_same_budget():
    for path in EXAMPLES:
        if "bench" in str(path):
            continue
        budgets = {s.budget for s in load_scenario(path).strategies}
        assert len(budgets) == 1, path


def test_every_shipped_prior_keeps_its_sources_or_says_it_is_an_assumption():
    for prior in load_prior_set("article"):
        assert prior.sources or prior.assumption, prior.key_path
        assert prior.note or prior.sources, prior.key_path


def test_shares_resolve_to_amounts(write_scenario):
    data = deep_update(
        FIXED_SCENARIO,
        {
            "strategies": {
                "a": {
                    "budget": 100000,
                    "groups": [{"tier": "nano", "platform": "instagram", "share": 0.4}],
                }
            }
        },
    )
    group = load_scenario(write_scenario(data)).strategies[0].groups[0]
    assert group.budget == pytest.approx(40000)
    assert group.count is None


def test_digest_changes_with_content_and_not_with_path(write_scenario, tmp_path):
    one = load_scenario(write_scenario(FIXED_SCENARIO, name="one.yaml"))
    two = load_scenario(write_scenario(FIXED_SCENARIO, name="two.yaml"))
    other = load_scenario(
        write_scenario(
            deep_update(FIXED_SCENARIO, {"economics": {"gross_margin": 0.6}}), name="three.yaml"
        )
    )
    assert one.digest == two.digest != other.digest


def group(**fields):
    return {"strategies": {"a": {"groups": [{"tier": "nano", "platform": "instagram", **fields}]}}}


BAD = [
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


@pytest.mark.parametrize(("case", "data", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_file_the_key_path_and_the_problem(write_scenario, case, data, message):
    path = write_scenario(data)
    with pytest.raises(InputError, match=message) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)


def test_bad_yaml_points_at_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\neconomics: {aov: 1\n  gross_margin: 0.5\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml: line \d+, column \d+: not valid YAML"):
        load_scenario(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(InputError, match="expected a mapping"):
        load_scenario(path)


def test_unknown_prior_set_suggests_the_shipped_one(write_scenario):
    data = deep_update(FIXED_SCENARIO, {"priors": {"base": "articel"}})
    with pytest.raises(InputError, match=r"priors\.base: 'articel' .*did you mean 'article'"):
        load_scenario(write_scenario(data))


def test_several_problems_are_reported_together(write_scenario):
    data = deep_update(FIXED_SCENARIO, {"economics": {"gross_margin": 2, "fixed_cost": -1}})
    with pytest.raises(InputError, match="2 problems") as caught:
        load_scenario(write_scenario(data))
    assert "economics.gross_margin" in str(caught.value)
    assert "economics.fixed_cost" in str(caught.value)
