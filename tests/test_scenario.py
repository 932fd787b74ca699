"""Scenario loading: the examples validate, every class of bad input gets a clear error."""

from __future__ import annotations

import pytest
from helpers import BAD_SCENARIOS, EXAMPLES, FIXED_SCENARIO, deep_update

from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_prior_set, load_scenario

pytestmark = pytest.mark.exact


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


@pytest.mark.parametrize(
    ("case", "data", "message"), BAD_SCENARIOS, ids=[b[0] for b in BAD_SCENARIOS]
)
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
