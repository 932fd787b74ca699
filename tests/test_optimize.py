"""The optimiser (MODEL.md §11, issue 16): scoring is a full simulation, its statistics are the
tables', the search finds brute force's plan and a hand-computed one, fresh campaigns keep the
P(loss) limit honest, runs reproduce and resume, and the command line writes its folder."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from helpers import FIXED_PRIORS, FIXED_SCENARIO, FIXED_TIER, ROOT, deep_update

from campaign_sim.analysis.mcse import mean_error
from campaign_sim.analysis.stats import risk_of, summarize_values
from campaign_sim.cli import main
from campaign_sim.engine.draws import Layout, mean_hire
from campaign_sim.engine.runner import collect
from campaign_sim.engine.vectorized import Outcomes, outcomes_kernel, simulate
from campaign_sim.optimize.campaigns import CampaignSet, draw_campaign_set
from campaign_sim.optimize.decisions import Decision, plan_strategy
from campaign_sim.optimize.problem import OptimizationProblem, make_problem
from campaign_sim.optimize.run import optimize, strategy_as_plan
from campaign_sim.optimize.scores import batch_statistics, statistic
from campaign_sim.optimize.search import score_plans, search
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.scenario.loading import load_scenario
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.schema import Optimize
from campaign_sim.sweep.run import PointStore

COFFEE = ROOT / "scenarios/coffee-launch.yaml"
ROSTER = ROOT / "scenarios/coffee-roster.yaml"
#: Relative tolerance of totals: the same terms summed in another order.
REL = 1e-12
#: Outcomes that are whole numbers (or whole numbers times the same per-campaign factors):
#: equal exactly when orders are drawn as whole numbers.
COUNTS = ("attributed_orders", "conversions", "amplified_orders", "repeat_orders")
#: Counts of creators and posts: equal exactly always.
HEADS = ("creators", "delivered", "gifted")
#: Differences of large numbers: compared relative to |revenue| + |cost|.
CANCELLING = ("profit", "roi", "profit_horizon", "roi_horizon")


# --- scenarios ---------------------------------------------------------------------------


def _write(folder: Path, data: dict, name: str = "s.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _article(aov: list[float], **extra) -> dict:
    """A scenario on the article priors: nano Instagram, micro Instagram and micro YouTube
    (NT$, aov a 90% range)."""
    groups = [
        {"tier": "nano", "platform": "instagram", "count": 8},
        {"tier": "micro", "platform": "instagram", "count": 1},
        {"tier": "micro", "platform": "youtube", "count": 1},
    ]
    return {
        "name": "three pools",
        "economics": {"aov": {"family": "lognormal", "range": aov}, "gross_margin": 0.55},
        "strategies": {"a": {"budget": 300000, "groups": groups}},
        "priors": {"base": "article"},
        "simulation": {"campaigns": 2048, "seed": 3},
        **extra,
    }


#: Every mechanism a plan's totals pass through: amplification (on by default), unique reach
#: in a narrow niche, agency commission and fee tax, gifted deals, negative binomial orders,
#: two deliverables, incrementality and leakage, repeat buyers.
MECHANISMS = _article(
    [600, 1200],
    niche={"people": {"default": {"family": "lognormal", "range": [100000, 400000]}}},
    repeat={
        "months": 6,
        "share": {"family": "beta", "range": [0.15, 0.35]},
        "orders_per_month": {"family": "lognormal", "range": [0.3, 0.8]},
    },
)
MECHANISMS["economics"] |= {"agency_commission": 0.15, "fee_tax": 0.05}
MECHANISMS["funnel"] = {
    "orders": "negative_binomial",
    "orders_dispersion": 3,
    "incrementality": {"family": "uniform", "low": 0.6, "high": 0.9},
    "attribution_leakage": 0.05,
}
MECHANISMS["priors"] = {"base": "article", "tiers": {"nano": {"gifted_share": 0.3}}}
MECHANISMS["strategies"] = {
    "a": {
        "budget": 300000,
        "groups": [
            {"tier": "nano", "platform": "instagram", "deliverables": 2, "count": 5},
            {"tier": "nano", "platform": "tiktok", "share": 0.3},
            {"tier": "micro", "platform": "youtube", "deliverables": 2, "count": 1},
        ],
    }
}


@pytest.fixture(scope="module")
def coffee() -> Scenario:
    return load_scenario(COFFEE)


@pytest.fixture(scope="module")
def risky(tmp_path_factory) -> Scenario:
    """Orders worth NT$2,500-5,000: nano creators make money safely, micro creators add
    profit and the risk of a loss (the P(loss) limit binds)."""
    return load_scenario(_write(tmp_path_factory.mktemp("risky"), _article([2500, 5000])))


def _problem(scenario: Scenario, **spec) -> OptimizationProblem:
    return make_problem(scenario, Optimize(**spec))


#: The risky scenario's small problem: 9 x 6 x 4 levels, 105 plans within NT$300,000.
SMALL = {
    "cells": {
        "nano/instagram": {"max": 8},
        "micro/instagram": {"max": 5},
        "micro/youtube": {"max": 3},
    },
    "limits": ["prob_loss<=0.15"],
    "team_hours": "unlimited",
}


# --- comparing a plan's scores with its full simulation ----------------------------------


def _full(
    scenario: Scenario,
    decisions: tuple[Decision, ...],
    plan,
    campaigns: int,
    seed: int,
    sampling: Sampling = RANDOM,
) -> dict[str, np.ndarray]:
    """The plan simulated as the scenario's only strategy (per-campaign outcomes)."""
    strategy = plan_strategy(decisions, plan, "p", "p")
    assert strategy is not None
    alone = replace(scenario, strategies=(strategy,))
    return simulate(alone, campaigns=campaigns, seed=seed, sampling=sampling).values["p"]


def _assert_same(full: dict[str, np.ndarray], scored: dict[str, np.ndarray], whole: bool) -> None:
    """Every outcome a full simulation keeps equals the scored one: creator and post counts
    exactly, orders exactly when they are whole numbers (``whole``), totals to :data:`REL`
    relative, profit and ROI relative to |revenue| + |cost| (they cancel)."""
    scale = np.abs(full["revenue"]) + np.abs(full["cost"])
    for metric, expected in full.items():
        got = scored[metric]
        assert np.array_equal(np.isfinite(expected), np.isfinite(got)), metric
        if metric in HEADS or (whole and metric in COUNTS):
            np.testing.assert_array_equal(got, expected, err_msg=metric)
            continue
        ok = np.isfinite(expected)
        if metric in CANCELLING:
            size = scale if metric.startswith("profit") else scale / np.abs(full["cost"])
            assert np.all(np.abs(got - expected)[ok] <= REL * size[ok]), metric
        else:
            np.testing.assert_allclose(got[ok], expected[ok], rtol=REL, atol=0, err_msg=metric)


def _check_plans(
    scenario: Scenario,
    decisions: tuple[Decision, ...],
    plans: list[tuple[int, ...]],
    *,
    campaigns: int = 2048,
    seed: int = 11,
    sampling: Sampling = RANDOM,
) -> CampaignSet:
    """Score ``plans`` on one campaign set and compare each with its full simulation."""
    campaign_set = draw_campaign_set(
        scenario, decisions, campaigns=campaigns, seed=seed, sampling=sampling
    )
    scored = campaign_set.outcomes(np.array(plans))
    whole = scenario.funnel.orders != "expected"
    for i, plan in enumerate(plans):
        if not any(plan):
            np.testing.assert_array_equal(scored["profit"][i], -scenario.fixed_cost)
            continue
        full = _full(scenario, decisions, plan, campaigns, seed, sampling)
        _assert_same(full, {m: v[i] for m, v in scored.items()}, whole)
    return campaign_set


def _random_plans(decisions: tuple[Decision, ...], count: int, seed: int) -> list[tuple[int, ...]]:
    """The lowest and highest plans, one decision at a time alone, and random plans."""
    rng = np.random.default_rng(seed)
    low = tuple(d.low for d in decisions)
    high = tuple(d.high for d in decisions)
    plans = [low, high]
    for d, decision in enumerate(decisions):
        alone = list(low)
        alone[d] = decision.high
        plans.append(tuple(alone))
    for _ in range(count):
        plans.append(tuple(int(rng.integers(d.low, d.high + 1)) for d in decisions))
    return plans


# --- 1. scoring equals a full simulation --------------------------------------------------


@pytest.mark.exact
def test_count_plans_score_as_full_simulations(coffee) -> None:
    """Counts of the four pools of coffee-launch (amplification and unique reach on)."""
    problem = _problem(
        coffee,
        cells={
            "nano/instagram": {"max": 25},
            "nano/tiktok": {"max": 30},
            "micro/instagram": {"max": 6},
            "micro/youtube": {"max": 3},
        },
    )
    assert [d.kind for d in problem.decisions] == ["count"] * 4
    _check_plans(coffee, problem.decisions, _random_plans(problem.decisions, 8, 1))


@pytest.mark.exact
def test_share_plans_hire_as_full_simulations(coffee) -> None:
    """Budget shares: every level from nothing to the whole budget hires the creators a full
    simulation hires, campaign by campaign (searchsorted on the cumulative fees)."""
    problem = _problem(coffee, decide="shares", cells={"nano/instagram": {}, "nano/tiktok": {}})
    decisions = problem.decisions
    assert [(d.kind, d.low, d.high) for d in decisions] == [("share", 0, 20)] * 2
    plans = [(level, 20 - level) for level in (0, 1, 7, 13, 20)] + [(20, 20), (3, 0)]
    campaign_set = _check_plans(coffee, decisions, plans)
    hires = campaign_set.hires[0]
    assert hires is not None and hires[0].max() == 0 and hires[-1].min() > hires[1].max()


@pytest.mark.exact
def test_roster_candidates_score_as_full_simulations() -> None:
    """Candidate subsets of coffee-roster's shortlist, beside a count decision."""
    scenario = load_scenario(ROSTER)
    problem = _problem(scenario, decide="roster", cells={"micro/instagram": {"max": 3}})
    kinds = [d.kind for d in problem.decisions]
    assert kinds.count("creator") == 30 and kinds[-1] == "count"
    plans = _random_plans(problem.decisions, 6, 2)
    _check_plans(scenario, problem.decisions, plans)


def _mixed(scenario: Scenario) -> tuple[Decision, ...]:
    """A count, a share and a count decision on the scenario's three groups."""
    groups = scenario.strategies[0].groups
    nano, tiktok, micro = (replace(g, count=1, budget=None) for g in groups)
    return (
        Decision("nano/instagram", "count", nano, 0, 12),
        Decision("nano/tiktok", "share", tiktok, 0, 10, step=0.05, budget=300000.0),
        Decision("micro/youtube", "count", micro, 0, 3),
    )


@pytest.mark.exact
def test_every_mechanism_scores_as_a_full_simulation(tmp_path: Path) -> None:
    """Amplification, a narrow niche's unique reach, commission and fee tax, gifted deals,
    negative binomial orders, two deliverables, attribution and repeat buyers."""
    scenario = load_scenario(_write(tmp_path, MECHANISMS))
    assert {"amplification", "unique_reach", "finance", "gifted", "repeat", "attribution"} <= set(
        scenario.mechanisms
    )
    assert scenario.funnel.orders == "negative_binomial"
    decisions = _mixed(scenario)
    plans = _random_plans(decisions, 8, 3)
    campaign_set = _check_plans(scenario, decisions, plans)
    scored = campaign_set.outcomes(np.array(plans))
    assert scored["gifted"].max() > 0 and np.isfinite(scored["unique_reach"][1:]).all()


@pytest.mark.exact
def test_fresh_blocks_score_as_the_same_blocks_of_a_full_simulation(tmp_path: Path) -> None:
    """A fresh set on the seed blocks after the search's (first = 2,048) gives the outcomes of
    the plan's full simulation of campaigns 2,048 .. 3,071 (the runner from ``start``)."""
    scenario = load_scenario(_write(tmp_path, MECHANISMS))
    decisions = _mixed(scenario)
    plans = _random_plans(decisions, 3, 4)[1:]
    seed, first, campaigns = 5, 2048, 1024
    fresh = draw_campaign_set(scenario, decisions, campaigns=campaigns, seed=seed, first=first)
    scored = fresh.outcomes(np.array(plans))
    searched = draw_campaign_set(scenario, decisions, campaigns=campaigns, seed=seed)
    assert not np.array_equal(searched.outcomes(np.array(plans))["profit"], scored["profit"])
    for i, plan in enumerate(plans):
        strategy = plan_strategy(decisions, plan, "p", "p")
        alone = replace(scenario, strategies=(strategy,))
        kernel = partial(outcomes_kernel, alone, Layout.of(alone), seed, RANDOM)
        arrays = collect(kernel, first + campaigns, start=first)
        full = Outcomes.of(alone, arrays, campaigns, seed, RANDOM).values["p"]
        _assert_same(full, {m: v[i] for m, v in scored.items()}, whole=True)


# --- 2. the statistics are the tables' ---------------------------------------------------

#: Means the tests compare (cpa is infinite in a campaign without orders).
MEANS = ("profit", "roi", "cost", "creators", "conversions", "cpa")


def _table_statistics(
    outcomes: dict[str, np.ndarray], roi_target: float, sampling: Sampling
) -> dict[str, tuple[float, float | None]]:
    """One plan's statistics (name -> estimate, se) as the summary tables compute them from
    its per-campaign ``outcomes`` (the value at risk has no se there)."""
    out: dict[str, tuple[float, float | None]] = {}
    for metric in MEANS:
        table = summarize_values(metric, outcomes[metric], sampling=sampling)
        out[f"{metric}_mean"] = (table.mean, table.se)
    profit, roi = outcomes["profit"], outcomes["roi"]
    risk = risk_of("p", profit, roi, roi_target, sampling=sampling)
    loss, above = (profit < 0).astype(float), (roi > roi_target).astype(float)
    out["prob_loss"] = (risk.prob_loss, mean_error(loss, sampling).se)
    out["prob_above_target"] = (risk.prob_above_target, mean_error(above, sampling).se)
    out["expected_shortfall"] = (risk.expected_shortfall, risk.expected_shortfall_se)
    out["value_at_risk"] = (risk.value_at_risk, None)
    return out


def _assert_statistics(campaign_set: CampaignSet, plans: np.ndarray, roi_target: float) -> None:
    """batch_statistics of every plan equals the tables' statistics of the same per-campaign
    arrays: estimates to :data:`REL`, standard errors to 1e-9 (relative)."""
    outcomes = campaign_set.outcomes(plans)
    sampling = campaign_set.sampling
    names = [f"{m}_mean" for m in MEANS]
    names += ["prob_loss", "prob_above_target", "expected_shortfall", "value_at_risk"]
    stats = tuple(statistic(name, tuple(outcomes)) for name in names)
    assert None not in stats
    found = batch_statistics(outcomes, stats, roi_target=roi_target, sampling=sampling)
    for i in range(len(plans)):
        tables = _table_statistics({m: v[i] for m, v in outcomes.items()}, roi_target, sampling)
        for name, (estimate, se) in tables.items():
            value, error = found[name][0][i], found[name][1][i]
            assert value == pytest.approx(estimate, rel=REL, abs=1e-300, nan_ok=True), (i, name)
            if se is not None:
                assert error == pytest.approx(se, rel=1e-9, abs=1e-300, nan_ok=True), (i, name)


#: Plans of the four coffee-launch pools: nobody, one nano creator (campaigns without
#: orders: an infinite CPA), small and large mixes.
STAT_PLANS = np.array([[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [5, 8, 1, 1], [20, 30, 4, 2]])
STAT_CELLS = {
    "nano/instagram": {"max": 20},
    "nano/tiktok": {"max": 30},
    "micro/instagram": {"max": 4},
    "micro/youtube": {"max": 2},
}


@pytest.mark.exact
def test_batch_statistics_are_the_tables_statistics(coffee) -> None:
    """Random sampling: sd / sqrt(n) standard errors."""
    problem = _problem(coffee, cells=STAT_CELLS)
    campaign_set = draw_campaign_set(coffee, problem.decisions, campaigns=3000, seed=2)
    _assert_statistics(campaign_set, STAT_PLANS, coffee.roi_target)
    # Also at another target: P(ROI > 0.5).
    _assert_statistics(campaign_set, STAT_PLANS, 0.5)


LHS = Sampling.of("lhs")


@pytest.fixture(scope="module")
def lhs_set(coffee) -> CampaignSet:
    """4 whole seed blocks and a partial one of 300 campaigns, Latin hypercube sampling."""
    problem = _problem(coffee, cells=STAT_CELLS)
    return draw_campaign_set(
        coffee, problem.decisions, campaigns=4 * 1024 + 300, seed=2, sampling=LHS
    )


@pytest.mark.exact
def test_batch_statistics_under_lhs_use_block_standard_errors(coffee, lhs_set) -> None:
    """Latin hypercube sampling: standard errors from the spread of the 4 whole seed blocks'
    means (the partial block left out), as the tables'; plans whose every outcome is defined
    in every campaign."""
    plans = STAT_PLANS[3:]
    outcomes = lhs_set.outcomes(plans)
    assert all(np.isfinite(outcomes[metric]).all() for metric in MEANS)
    _assert_statistics(lhs_set, plans, coffee.roi_target)


@pytest.mark.exact
def test_a_plans_lhs_errors_do_not_depend_on_the_plans_scored_with_it(coffee, lhs_set) -> None:
    """One nano creator's ROI is defined in every campaign; scored beside the plan hiring
    nobody (ROI undefined), its standard error stays the spread of block means."""
    alone = STAT_PLANS[1:2]
    assert np.isfinite(lhs_set.outcomes(alone)["roi"]).all()
    roi = (statistic("roi_mean", lhs_set.scenario.outcomes),)
    one = batch_statistics(lhs_set.outcomes(alone), roi, roi_target=0.0, sampling=LHS)
    both = batch_statistics(lhs_set.outcomes(STAT_PLANS[:2]), roi, roi_target=0.0, sampling=LHS)
    expected = mean_error(lhs_set.outcomes(alone)["roi"][0], LHS)
    assert expected.method == "blocks"
    assert one["roi_mean"][1][0] == pytest.approx(expected.se, rel=1e-9)
    assert both["roi_mean"][1][1] == pytest.approx(expected.se, rel=1e-9)


@pytest.mark.exact
def test_lhs_errors_of_a_sometimes_undefined_metric_are_the_tables(lhs_set) -> None:
    """One nano creator sells nothing in some campaigns (CPA infinite there): the CPA's
    standard error is the tables' block standard error."""
    cpa = lhs_set.outcomes(STAT_PLANS[1:2])["cpa"]
    assert 0 < (~np.isfinite(cpa)).sum() < cpa.size / 2
    stat = (statistic("cpa_mean", lhs_set.scenario.outcomes),)
    found = batch_statistics({"cpa": cpa}, stat, roi_target=0.0, sampling=LHS)
    table = summarize_values("cpa", cpa[0], sampling=LHS)
    assert found["cpa_mean"][0][0] == pytest.approx(table.mean, rel=REL)
    assert found["cpa_mean"][1][0] == pytest.approx(table.se, rel=1e-9)


# --- 3. the search finds brute force's plan ----------------------------------------------


def _brute_force(
    scenario: Scenario, problem: OptimizationProblem, campaigns: int, seed: int
) -> dict[tuple[int, ...], dict[str, float]]:
    """Every plan within the bounds whose expected fees fit the budget, each simulated in
    full on its own: profit_mean, prob_loss and its se, creators_mean, cost_mean."""
    decisions = problem.decisions
    fees = [mean_hire(d.group, scenario.funnel) for d in decisions]
    grid = np.stack(
        np.meshgrid(*[np.arange(d.low, d.high + 1) for d in decisions], indexing="ij"), -1
    ).reshape(-1, len(decisions))
    out = {}
    for plan in map(tuple, grid.tolist()):
        if sum(n * fee for n, fee in zip(plan, fees, strict=True)) > problem.budget * (1 + 1e-9):
            continue
        if any(plan):
            values = _full(scenario, decisions, plan, campaigns, seed)
        else:
            values = {m: np.full(campaigns, 0.0) for m in ("creators", "cost")}
            values["profit"] = np.full(campaigns, -scenario.fixed_cost)
        loss = (values["profit"] < 0).astype(float)
        out[plan] = {
            "profit_mean": summarize_values("profit", values["profit"]).mean,
            "prob_loss": float(loss.mean()),
            "prob_loss_se": mean_error(loss).se,
            "creators_mean": float(values["creators"].mean()),
            "cost_mean": float(values["cost"].mean()),
            "revenue_mean": float(values.get("revenue", np.zeros(1)).mean()),
        }
    return out


def _brute_best(stats: dict[tuple[int, ...], dict[str, float]], bound: float, tighten: float):
    """The best plan by the ranking rule: meets the tightened P(loss) limit; the highest mean
    profit, plans within 1e-9 of it tied; then fewer creators, then lower cost."""
    meets = {
        plan: s
        for plan, s in stats.items()
        if s["prob_loss"] + tighten * s["prob_loss_se"] <= bound
    }
    top = max(s["profit_mean"] for s in meets.values())
    tied = [plan for plan, s in meets.items() if abs(s["profit_mean"] - top) <= 1e-9 * abs(top)]
    return min(tied, key=lambda plan: (meets[plan]["creators_mean"], meets[plan]["cost_mean"]))


@pytest.fixture(scope="module")
def small(risky) -> tuple[OptimizationProblem, CampaignSet]:
    """The small problem and its campaign set (2,048 campaigns)."""
    problem = _problem(risky, **SMALL)
    return problem, draw_campaign_set(risky, problem.decisions, campaigns=2048, seed=9)


@pytest.mark.exact
@pytest.mark.slow
def test_exhaustive_search_equals_brute_force(risky, small) -> None:
    """Every plan is scored with its full simulation's statistics, and the one chosen is
    brute force's; the limit binds (the best plan without it is another)."""
    problem, campaign_set = small
    stats = _brute_force(risky, problem, 2048, 9)
    found = search(campaign_set, problem, strategies=[], seed=9)
    assert found.method == "exhaustive" and len(stats) == 105
    assert {s.plan for s in found.scored} == set(stats)
    for scored in found.scored:
        mine = stats[scored.plan]
        scale = mine["revenue_mean"] + mine["cost_mean"]
        assert abs(scored.estimates["profit_mean"] - mine["profit_mean"]) <= REL * scale
        assert scored.estimates["prob_loss"] == mine["prob_loss"]
        assert scored.errors["prob_loss"] == pytest.approx(mine["prob_loss_se"], rel=1e-9)
        assert scored.estimates["creators_mean"] == mine["creators_mean"]
    best = _brute_best(stats, 0.15, problem.tighten)
    assert found.scored[0].plan == best
    assert _brute_best(stats, 1.0, problem.tighten) != best
    loose = search(campaign_set, replace(problem, tighten=0.0), strategies=[], seed=9)
    assert loose.scored[0].plan == _brute_best(stats, 0.15, 0.0)


@pytest.mark.exact
def test_local_search_reaches_the_exhaustive_optimum(small) -> None:
    """Local search (exhaustive = 1) from 8 starting points ends at the exhaustive search's
    plan (brute force's, above) for every seed of its random starts tried. From the plan
    hiring nobody alone (1 restart) it stays there: nobody meets the P(loss) limit and every
    small plan near it is riskier (a local optimum; the restarts are what find the plan)."""
    problem, campaign_set = small
    best = search(campaign_set, problem, strategies=[], seed=9).scored[0].plan
    for seed in range(3):
        found = search(campaign_set, replace(problem, exhaustive=1), strategies=[], seed=seed)
        assert found.method == "local search" and found.starts == problem.restarts == 8
        assert found.scored[0].plan == best
        assert 1 <= found.found_by <= found.starts
    alone = search(campaign_set, replace(problem, exhaustive=1, restarts=1), strategies=[], seed=0)
    assert alone.starts == 1 and alone.scored[0].plan == (0, 0, 0)


# --- 4. a hand-computed optimum ----------------------------------------------------------

#: The fixed priors with a micro tier: 20,000 followers, NT$40,000 a post.
KNAPSACK_PRIORS = deep_update(
    FIXED_PRIORS,
    {
        "tiers": {
            "micro": {
                **FIXED_TIER,
                "followers": 20000,
                "fee": 40000,
                "platforms": {"instagram": {}},
            }
        }
    },
)
KNAPSACK = deep_update(
    FIXED_SCENARIO,
    {
        "strategies": {
            "a": {
                "groups": [
                    {"tier": "nano", "platform": "instagram", "count": 1},
                    {"tier": "micro", "platform": "instagram", "count": 1},
                ]
            }
        }
    },
)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("creators", "plan", "profit", "cost"),
    [(None, (2, 2), 22000, 103000), (3, (1, 2), 20000, 92500)],
)
def test_a_knapsack_picks_the_hand_computed_plan(
    write_scenario, creators: int | None, plan: tuple[int, int], profit: float, cost: float
) -> None:
    """Every prior fixed, expected orders. A nano creator: 5,000 x 5% = 250 engagements, 25
    orders of 1,000, margin 50%: 12,500 less fee 10,000 and overhead 500, profit 2,000. A
    micro creator: 1,000 engagements, 100 orders, 50,000 less 40,000 and 500, profit 9,500.
    Fixed cost 1,000. Fees must fit 100,000 (at most 5 nano: the cell's max; 2 micro: the
    budget's): profit 2,000 a + 9,500 b - 1,000 with 10,000 a + 40,000 b <= 100,000. b = 2
    leaves room for a = 2: 22,000 (cost 2 x 10,500 + 2 x 40,500 + 1,000 = 103,000); b = 1,
    a = 5: 18,500; b = 0, a = 5: 9,000. At most 3 creators: b = 2, a = 1: 20,000 (cost
    92,500) against b = 1, a = 2: 12,500. Nobody loses the fixed cost (P(loss) 1), refused
    by the limit; every other plan never loses."""
    scenario = load_scenario(write_scenario(KNAPSACK, priors=KNAPSACK_PRIORS))
    spec = {
        "cells": {"nano/instagram": {"max": 5}, "micro/instagram": {}},
        "budget": 100000,
        "limits": ["prob_loss<=0.1"],
        "team_hours": "unlimited",
    }
    if creators is not None:
        spec["creators"] = {"max": creators}
    problem = _problem(scenario, **spec)
    assert [(d.low, d.high) for d in problem.decisions] == [(0, 5), (0, 2)]
    campaign_set = draw_campaign_set(scenario, problem.decisions, campaigns=64, seed=1)
    found = search(campaign_set, problem, strategies=[], seed=1)
    chosen = found.scored[0]
    assert chosen.plan == plan
    expected = {
        "profit_mean": profit,
        "prob_loss": 0.0,
        "expected_shortfall": profit,  # every campaign alike: the worst 5% make the mean
        "cost_mean": cost,
        "creators_mean": sum(plan),
        "roi_mean": profit / cost,
    }
    assert chosen.estimates == pytest.approx(expected, rel=REL, abs=0)
    assert chosen.errors["profit_mean"] == 0 and chosen.errors["prob_loss"] == 0
    assert found.method == "exhaustive"
    for scored in found.scored:
        a, b = scored.plan
        assert 10000 * a + 40000 * b <= 100000 and a + b <= (creators or 7)
        assert scored.estimates["profit_mean"] == pytest.approx(2000 * a + 9500 * b - 1000, rel=REL)


# --- 5. fresh campaigns keep the P(loss) limit honest ------------------------------------


@pytest.mark.statistical
@pytest.mark.slow
def test_the_chosen_plans_fresh_risk_meets_the_limit(risky) -> None:
    """20 seeds, 2,048 search and 2,048 fresh campaigns, P(loss) <= 13.5% (it binds: the best
    plan without it is 8 nano + 4 micro Instagram, P(loss) ~23%; 8 nano + 1 micro is at ~13.4%).
    Each seed's chosen plan has a fresh P(loss) within 3 standard errors of the difference of
    the limit; tightening the limit by 1 se in-sample never exceeds it on fresh campaigns more
    often than not tightening."""
    alpha = 0.135
    problem = _problem(risky, **{**SMALL, "limits": [f"prob_loss<={alpha}"]})
    exceeded = {1.0: 0, 0.0: 0}
    for seed in range(20):
        searched = draw_campaign_set(risky, problem.decisions, campaigns=2048, seed=seed)
        fresh = draw_campaign_set(risky, problem.decisions, campaigns=2048, seed=seed, first=2048)
        for tighten in exceeded:
            tightened = replace(problem, tighten=tighten)
            chosen = search(searched, tightened, strategies=[], seed=seed).scored[0]
            judged = score_plans(fresh, tightened, np.array([chosen.plan]))[0]
            risk, se_out = judged.estimates["prob_loss"], judged.errors["prob_loss"]
            se_in = chosen.errors["prob_loss"]
            assert chosen.estimates["prob_loss"] + tighten * se_in <= alpha
            if tighten:
                assert risk <= alpha + 3 * math.hypot(se_in, se_out), seed
            exceeded[tighten] += risk > alpha
    assert exceeded[1.0] <= exceeded[0.0], exceeded


# --- 6. reproducibility and resume -------------------------------------------------------

#: Local search (4 restarts: the executor's items) on 2,048 + 2,048 campaigns.
LOCAL = {**SMALL, "exhaustive": 1, "restarts": 4, "campaigns": 2048, "fresh_campaigns": 2048}


def _answer(result) -> tuple:
    """What a run answers: the plan, every plan scored in-sample (as JSON: NaN equals NaN),
    the judged table (as CSV: every number's shortest repr)."""
    scored = json.dumps([s.to_json() for s in result.search.scored])
    return result.plan, scored, result.judged.to_csv(index=False)


@pytest.fixture(scope="module")
def serial_answer(risky) -> tuple:
    return _answer(optimize(risky, _problem(risky, **LOCAL), seed=4, robust=False))


@pytest.mark.reproducibility
@pytest.mark.slow
@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_executors_give_the_serial_answer(risky, serial_answer, executor: str) -> None:
    """Two local processes or a two-worker Dask cluster: the same plan, every in-sample
    statistic and judged.csv's numbers, to the bit."""
    if executor == "dask":
        pytest.importorskip("distributed", reason="dask's distributed is not installed")
    problem = _problem(risky, **LOCAL)
    result = optimize(risky, problem, seed=4, robust=False, executor=executor, workers=2)
    assert result.search.method == "local search" and result.search.starts == 4
    assert _answer(result) == serial_answer


@pytest.mark.reproducibility
def test_chunk_sizes_give_the_same_answer(risky, serial_answer) -> None:
    """Chunks of 1,024 campaigns (two per set) and of 4,096 (one)."""
    problem = _problem(risky, **LOCAL)
    small = optimize(risky, problem, seed=4, robust=False, chunk_size=1024)
    large = optimize(risky, problem, seed=4, robust=False, chunk_size=4096)
    assert _answer(small) == _answer(large) == serial_answer


@pytest.mark.reproducibility
def test_an_interrupted_search_resumes_with_the_same_answer(risky, small, tmp_path) -> None:
    """A search stopped after some restarts (one item's file lost) reads the others back
    and answers as an uninterrupted one."""
    problem, campaign_set = small
    local = replace(problem, exhaustive=1, restarts=4)
    whole = search(campaign_set, local, strategies=[], seed=4)
    folder = tmp_path / "partial"
    first = search(campaign_set, local, strategies=[], seed=4, store=PointStore(folder, "k"))
    assert first.resumed == 0
    items = sorted(folder.glob("point-*.json"))
    assert len(items) == whole.starts == 4
    items[1].unlink()
    again = search(campaign_set, local, strategies=[], seed=4, store=PointStore(folder, "k"))
    assert again.resumed == 3
    assert json.dumps([s.to_json() for s in again.scored]) == json.dumps(
        [s.to_json() for s in whole.scored]
    )
    assert again.found_by == whole.found_by


@pytest.mark.cli
@pytest.mark.slow
def test_the_command_resumes_an_interrupted_search(risky, tmp_path: Path) -> None:
    """Items a stopped search left in <out>.partial/ (under the command's fingerprint) are read
    back: the command says so, answers as a run from scratch and removes the folder."""
    from campaign_sim.cli.commands.optimize import _fingerprint
    from campaign_sim.scenario.reading import validate

    path = risky.source
    cells = [
        "--cell",
        "nano/instagram=8",
        "--cell",
        "micro/instagram=5",
        "--cell",
        "micro/youtube=3",
    ]
    args = [path, "-n", "2048", "--fresh-campaigns", "2048", "--no-robustness", *cells]
    args += ["--limit", "prob_loss<=0.15", "--team-hours", "unlimited", "--exhaustive", "1"]
    args += ["--restarts", "4", "--format", "csv"]
    runner = CliRunner()
    plain = runner.invoke(main, ["optimize", *args, "--out", str(tmp_path / "a")])
    assert plain.exit_code == 0, plain.output
    loaded = load_scenario(path)
    given = {
        "cells": {
            "nano/instagram": {"max": 8},
            "micro/instagram": {"max": 5},
            "micro/youtube": {"max": 3},
        },
        "limits": ["prob_loss<=0.15"],
        "team_hours": "unlimited",
        "exhaustive": 1,
        "restarts": 4,
        "campaigns": 2048,
        "fresh_campaigns": 2048,
    }
    problem = make_problem(loaded, validate(Optimize, given, loaded.source), source=loaded.source)
    partial = tmp_path / "b.partial"
    store = PointStore(partial, _fingerprint(loaded, problem, None))
    campaign_set = draw_campaign_set(loaded, problem.decisions, campaigns=2048, seed=loaded.seed)
    starts = [strategy_as_plan(loaded, problem, s.name) for s in loaded.strategies]
    search(campaign_set, problem, strategies=starts, seed=loaded.seed, store=store)
    items = sorted(partial.glob("point-*.json"))
    assert len(items) >= 4
    items[0].unlink()
    resumed = runner.invoke(main, ["optimize", *args, "--out", str(tmp_path / "b")])
    assert resumed.exit_code == 0, resumed.output
    assert f"resumed {len(items) - 1} finished search items" in resumed.stderr
    assert resumed.stdout == plain.stdout
    assert (tmp_path / "b/judged.csv").read_text() == (tmp_path / "a/judged.csv").read_text()
    assert not partial.exists()


# --- 7. the command line -----------------------------------------------------------------

FILES = (
    "plan.csv",
    "judged.csv",
    "frontier.csv",
    "frontier.png",
    "frontier.svg",
    "scored.csv",
    "scored.parquet",
    "optimize.json",
    "manifest.json",
)


@pytest.mark.cli
@pytest.mark.slow
def test_the_command_writes_its_folder_and_names_the_plan(coffee, tmp_path: Path) -> None:
    """coffee-launch's default problem on 2,048 + 2,048 campaigns: exit 0, every file of the
    folder (robustness.csv only when the plan is judged under the other settings), a manifest
    of the optimize command with the scenario's sha256, JSON naming the plan (as plan.csv and
    optimize.json do)."""
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main,
        ["optimize", str(COFFEE), "-n", "2048", "--fresh-campaigns", "2048", "--no-robustness"]
        + ["--out", str(out), "--format", "json", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == set(FILES)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "optimize"
    assert manifest["scenario"]["sha256"] == coffee.digest
    assert set(FILES) <= set(manifest["files"])
    data = json.loads(result.stdout)
    assert data == json.loads((out / "optimize.json").read_text(encoding="utf-8"))
    levels = data["levels"]
    assert set(levels) == {"nano/instagram", "nano/tiktok", "micro/instagram", "micro/youtube"}
    named = " + ".join(f"{n} {pool}" for pool, n in levels.items() if n)
    assert data["plan"] == (named or "nobody")
    plan = pd.read_csv(out / "plan.csv")
    assert dict(zip(plan["decision"], plan["level"], strict=True)) == levels
    judged = pd.read_csv(out / "judged.csv")
    assert judged["plan"].iloc[0] == data["plan"] and judged["role"].iloc[0] == "chosen"
    assert data["fresh_campaigns"] == {"first": 2048, "count": 2048}


@pytest.mark.cli
def test_an_infeasible_limit_exits_2_naming_it(tmp_path: Path) -> None:
    """Every plan hires a nano creator (cell min 1), so P(loss) <= 0.01% is out of reach: exit
    2, the limit named, no folder."""
    out = tmp_path / "o"
    result = CliRunner().invoke(
        main,
        ["optimize", str(COFFEE), "-n", "1024", "--fresh-campaigns", "1024", "--no-robustness"]
        + ["--limit", "prob_loss<=0.0001", "--cell", "nano/instagram=1:5", "--out", str(out)],
    )
    assert result.exit_code == 2, result.output
    assert "no plan meets prob_loss <= 0.0001" in result.stderr
    assert not out.exists()


@pytest.mark.cli
def test_an_infeasible_limit_given_by_option_names_the_option(tmp_path: Path) -> None:
    """The limit came from --limit, not from the scenario's optimize section (coffee-launch
    has none): the message names --limit."""
    result = CliRunner().invoke(
        main,
        ["optimize", str(COFFEE), "-n", "1024", "--fresh-campaigns", "1024", "--no-robustness"]
        + ["--limit", "prob_loss<=0.0001", "--cell", "nano/instagram=1:5"]
        + ["--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 2
    assert "--limit" in result.stderr and "optimize.limits" not in result.stderr
