"""Bad input to `campaign-sim optimize` (MODEL.md §11, docs/optimize.md): every mistake in a
scenario's ``optimize:`` section, an optimisation file (``--spec``) or an option ends cleanly
with exit status 2, the file and key path (or the option) named, what is wrong said, a
did-you-mean for a typo and no traceback; a problem no plan can meet says which constraint;
sizes beyond the machine are refused up front rather than drawn."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT

from campaign_sim.cli import main

LAUNCH = ROOT / "scenarios/coffee-launch.yaml"
ROSTER = ROOT / "scenarios/coffee-roster.yaml"
SHORTLIST = ROOT / "scenarios/rosters/coffee-shortlist.csv"
#: Small runs: where a search starts, it scores and judges on 1,024 campaigns (seconds).
FAST = ("-n", "1024", "--fresh-campaigns", "1024", "--no-robustness", "-q")
#: The address space a child run may take (bytes): a size that is drawn fails, never swaps.
CHILD_MEMORY = 4 * 2**30


def with_section(tmp_path: Path, section: str, base: Path = LAUNCH, name: str = "s.yaml") -> Path:
    """``base`` copied into ``tmp_path`` with ``section`` (YAML lines, written as they are, so
    that .nan, 1e300 and duplicate keys reach the reader) as its ``optimize:`` section."""
    lines = "".join(f"  {line}\n" for line in section.splitlines())
    path = tmp_path / name
    path.write_text(base.read_text("utf-8") + "\noptimize:\n" + lines, encoding="utf-8")
    return path


def roster_copy(tmp_path: Path, section: str) -> Path:
    """coffee-roster.yaml with its roster file, and ``section`` as its ``optimize:``."""
    (tmp_path / "rosters").mkdir()
    shutil.copy(SHORTLIST, tmp_path / "rosters" / SHORTLIST.name)
    return with_section(tmp_path, section, ROSTER, "r.yaml")


def fails(tmp_path: Path, *args: str, fast: bool = True) -> str:
    """``campaign-sim optimize ARGS`` exits 2 with one clean ``Error:`` and writes no results
    folder: its stderr."""
    out = tmp_path / "out"
    extra = FAST if fast else ("-q",)
    result = CliRunner().invoke(main, ["optimize", *args, *extra, "-o", str(out)])
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "Error: " in result.stderr, result.stderr
    assert not out.exists()
    return result.stderr


def section_fails(tmp_path: Path, section: str, key: str, *said: str) -> str:
    """The section's mistake is reported at ``FILE: key: `` with every fragment of ``said``."""
    path = with_section(tmp_path, section)
    stderr = fails(tmp_path, str(path))
    assert f"{path}: {key}: " in stderr, stderr
    for words in said:
        assert words in stderr, (words, stderr)
    return stderr


# --- every key of the optimize section ------------------------------------------------------

#: case -> (the section's lines, the key path reported, what the message says).
SECTION_CASES: dict[str, tuple[str, ...]] = {
    # unknown and repeated keys
    "typo-key": ("budgte: 1000", "optimize", "unknown key 'budgte'", "did you mean 'budget'?"),
    "typo-decide-key": ("decid: counts", "optimize", "did you mean 'decide'?"),
    "duplicate-key": ("budget: 1000\nbudget: 2000", "optimize", "'budget' is given twice"),
    "duplicate-cell": (
        "cells:\n  nano/tiktok: {max: 3}\n  nano/tiktok: {max: 4}",
        "optimize.cells",
        "'nano/tiktok' is given twice",
    ),
    # decide
    "decide-typo": ("decide: count", "optimize.decide", "did you mean 'counts'?"),
    "decide-list": ("decide: [counts]", "optimize.decide", "got a list"),
    "decide-roster-without-roster": (
        "decide: roster",
        "optimize.decide",
        "the scenario books no roster candidates",
        "roster:",
    ),
    # cells
    "cells-list": ("cells: [nano/tiktok]", "optimize.cells", "should be a mapping", "got a list"),
    "cells-empty": ("cells: {}", "optimize.cells", "no pool to decide on"),
    "cell-a-number": ("cells: {nano/tiktok: 5}", "optimize.cells.nano/tiktok", "a mapping"),
    "cell-min-text": (
        "cells: {nano/tiktok: {min: abc}}",
        "optimize.cells.nano/tiktok.min",
        "should be an integer",
        "'abc'",
    ),
    "cell-max-true": (
        "cells: {nano/tiktok: {max: true}}",
        "optimize.cells.nano/tiktok.max",
        "should be an integer (got true)",
    ),
    "cell-max-nan": (
        "cells: {nano/tiktok: {max: .nan}}",
        "optimize.cells.nano/tiktok.max",
        "finite",
    ),
    "cell-max-inf": (
        "cells: {nano/tiktok: {max: .inf}}",
        "optimize.cells.nano/tiktok.max",
        "finite",
    ),
    "cell-max-1e300": (
        "cells: {nano/tiktok: {max: 1e300}}",
        "optimize.cells.nano/tiktok.max",
        "should be an integer",
    ),
    "cell-max-fractional": (
        "cells: {nano/tiktok: {max: 2.5}}",
        "optimize.cells.nano/tiktok.max",
        "should be an integer",
    ),
    "cell-min-negative": (
        "cells: {nano/tiktok: {min: -1}}",
        "optimize.cells.nano/tiktok.min",
        "greater than or equal to 0",
    ),
    "cell-min-above-max": (
        "cells: {nano/tiktok: {min: 5, max: 2}}",
        "optimize.cells.nano/tiktok",
        "min (5) is above max (2)",
    ),
    "cell-key-typo": (
        "cells: {nano/tiktok: {mx: 3}}",
        "optimize.cells.nano/tiktok",
        "unknown key 'mx'",
        "did you mean 'max'?",
    ),
    "cell-pool-typo": (
        "cells: {nano/tiktk: {max: 3}}",
        "optimize.cells.nano/tiktk",
        "'nano/tiktk' is not a pool (tier/platform)",
        "did you mean 'nano/tiktok'?",
    ),
    "cell-pool-tier-typo": (
        "cells: {nnao/tiktok: {max: 3}}",
        "optimize.cells.nnao/tiktok",
        "did you mean 'nano/tiktok'?",
    ),
    "cell-not-a-pool": (
        "cells: {nano: {max: 3}}",
        "optimize.cells.nano",
        "is not a pool (tier/platform)",
    ),
    # candidates (the scenario has no roster: decide roster says so)
    "candidates-text": ("candidates: a", "optimize.candidates", "should be a list"),
    # share_step
    "share-step-zero": ("share_step: 0", "optimize.share_step", "greater than 0"),
    "share-step-negative": ("share_step: -0.1", "optimize.share_step", "greater than 0"),
    "share-step-too-big": (
        "decide: shares\nshare_step: 0.7",
        "optimize.share_step",
        "less than or equal to 0.5",
    ),
    "share-step-text": ("share_step: abc", "optimize.share_step", "should be a number"),
    "share-step-nan": ("share_step: .nan", "optimize.share_step", "finite"),
    "share-step-true": ("share_step: true", "optimize.share_step", "got true"),
    # objective
    "objective-typo": (
        "objective: max:profit_men",
        "optimize.objective",
        "'profit_men'",
        "did you mean 'profit_mean'?",
    ),
    "objective-bad-direction": (
        "objective: best:profit_mean",
        "optimize.objective",
        "max:",
        "min:",
    ),
    "objective-without-direction": (
        "objective: creators_mean",
        "optimize.objective",
        "say max:creators_mean or min:creators_mean",
    ),
    "objective-list": ("objective: [max:profit_mean]", "optimize.objective", "should be text"),
    "objective-number": ("objective: 5", "optimize.objective", "should be text"),
    # budget
    "budget-text": ("budget: abc", "optimize.budget", "should be a number", "'abc'"),
    "budget-negative": ("budget: -5", "optimize.budget", "greater than 0"),
    "budget-zero": ("budget: 0", "optimize.budget", "greater than 0"),
    "budget-nan": ("budget: .nan", "optimize.budget", "finite"),
    "budget-inf": ("budget: .inf", "optimize.budget", "finite"),
    "budget-1e300-text": ("budget: 1e300", "optimize.budget", "should be a number"),
    "budget-true": ("budget: true", "optimize.budget", "got true"),
    "budget-list": ("budget: [1]", "optimize.budget", "got a list"),
    # budget_basis
    "basis-p999": (
        "budget_basis: p999",
        "optimize.budget_basis",
        "'p999' is not expected, quoted or pNN",
    ),
    "basis-p100": ("budget_basis: p100", "optimize.budget_basis", "'p100' is not"),
    "basis-typo": ("budget_basis: expectd", "optimize.budget_basis", "did you mean 'expected'?"),
    "basis-number": ("budget_basis: 90", "optimize.budget_basis", "should be text"),
    # limits
    "limits-text": ("limits: prob_loss<=0.5", "optimize.limits", "should be a list"),
    "limits-mapping": ("limits: {prob_loss: 0.5}", "optimize.limits", "got a mapping"),
    "limit-number": ("limits: [5]", "optimize.limits[0]", "should be text"),
    "limit-spaced-operator": (
        "limits: ['prob_loss < = 0.5']",
        "optimize.limits[0]",
        "'prob_loss < = 0.5'",
        "write COLUMN<=VALUE",
    ),
    "limit-text-value": ("limits: ['prob_loss<=abc']", "optimize.limits[0]", "write COLUMN<=VALUE"),
    "limit-nan-value": ("limits: ['prob_loss<=.nan']", "optimize.limits[0]", "write COLUMN<=VALUE"),
    "limit-inf-value": ("limits: ['prob_loss<=inf']", "optimize.limits[0]", "write COLUMN<=VALUE"),
    "limit-percent-above-100": (
        "limits: ['prob_loss<=150%']",
        "optimize.limits[0]",
        "a probability limit is between 0 and 1",
    ),
    "limit-negative-probability": (
        "limits: ['prob_loss<=-0.1']",
        "optimize.limits[0]",
        "between 0 and 1",
    ),
    "limit-statistic-typo": (
        "limits: ['prob_loss<=0.5', 'prob_los<=0.5']",
        "optimize.limits[1]",
        "'prob_los'",
        "did you mean 'prob_loss'?",
    ),
    # creators
    "creators-number": ("creators: 5", "optimize.creators", "should be a mapping"),
    "creators-min-text": ("creators: {min: abc}", "optimize.creators.min", "should be an integer"),
    "creators-key-typo": ("creators: {mn: 3}", "optimize.creators", "did you mean 'min'?"),
    "creators-min-above-max": (
        "creators: {min: 5, max: 2}",
        "optimize.creators",
        "min (5) is above max (2)",
    ),
    "creators-negative": (
        "creators: {min: -1}",
        "optimize.creators.min",
        "greater than or equal to 0",
    ),
    "creators-max-inf": ("creators: {max: .inf}", "optimize.creators.max", "finite"),
    # team_hours
    "team-hours-text": ("team_hours: abc", "optimize.team_hours", "'timeline' or 'unlimited'"),
    "team-hours-typo": ("team_hours: timelin", "optimize.team_hours", "did you mean 'timeline'?"),
    "team-hours-negative": ("team_hours: -5", "optimize.team_hours", "greater than 0"),
    "team-hours-nan": ("team_hours: .nan", "optimize.team_hours", "finite"),
    "team-hours-inf": ("team_hours: .inf", "optimize.team_hours", "finite"),
    "team-hours-true": ("team_hours: true", "optimize.team_hours", "got true"),
    # campaigns, fresh_campaigns
    "campaigns-text": ("campaigns: abc", "optimize.campaigns", "should be an integer"),
    "campaigns-zero": ("campaigns: 0", "optimize.campaigns", "greater than 0"),
    "campaigns-negative": ("campaigns: -5", "optimize.campaigns", "greater than 0"),
    "campaigns-fractional": ("campaigns: 1.5", "optimize.campaigns", "should be an integer"),
    "campaigns-nan": ("campaigns: .nan", "optimize.campaigns", "finite"),
    "campaigns-true": ("campaigns: true", "optimize.campaigns", "got true"),
    "campaigns-too-many": (
        "campaigns: 2000000",
        "optimize.campaigns",
        "less than or equal to 1000000",
    ),
    "fresh-negative": ("fresh_campaigns: -1", "optimize.fresh_campaigns", "greater than 0"),
    "fresh-inf": ("fresh_campaigns: .inf", "optimize.fresh_campaigns", "finite"),
    # tighten, restarts, exhaustive, runners_up
    "tighten-negative": ("tighten: -1", "optimize.tighten", "greater than or equal to 0"),
    "tighten-text": ("tighten: abc", "optimize.tighten", "should be a number"),
    "tighten-nan": ("tighten: .nan", "optimize.tighten", "finite"),
    "tighten-too-big": ("tighten: 6", "optimize.tighten", "less than or equal to 5"),
    "restarts-zero": ("restarts: 0", "optimize.restarts", "greater than 0"),
    "restarts-too-many": ("restarts: 1001", "optimize.restarts", "less than or equal to 1000"),
    "restarts-1e300": ("restarts: 1.0e+300", "optimize.restarts", "less than or equal to 1000"),
    "exhaustive-negative": ("exhaustive: -3", "optimize.exhaustive", "greater than 0"),
    "exhaustive-list": ("exhaustive: [1]", "optimize.exhaustive", "got a list"),
    "runners-up-negative": ("runners_up: -1", "optimize.runners_up", "greater than or equal to 0"),
    "runners-up-true": ("runners_up: true", "optimize.runners_up", "got true"),
}


@pytest.mark.cli
@pytest.mark.parametrize("case", list(SECTION_CASES))
def test_a_mistake_in_the_section_names_the_file_and_key(tmp_path, case) -> None:
    section, key, *said = SECTION_CASES[case]
    section_fails(tmp_path, section, key, *said)


@pytest.mark.cli
def test_every_problem_of_the_section_at_once(tmp_path) -> None:
    section = "objective: max:profit_men\nlimits: ['prob_los<=0.5']\nbudget_basis: expectd"
    path = with_section(tmp_path, section)
    stderr = fails(tmp_path, str(path))
    assert f"{path}: 3 problems" in stderr, stderr
    for key in ("optimize.objective", "optimize.limits[0]", "optimize.budget_basis"):
        assert f"  - {key}: " in stderr, (key, stderr)


@pytest.mark.cli
def test_budget_basis_p0_is_refused(tmp_path) -> None:
    section_fails(tmp_path, "budget_basis: p0", "optimize.budget_basis", "'p0'")


# --- roster candidates ----------------------------------------------------------------------


@pytest.mark.cli
@pytest.mark.parametrize(
    ("candidates", "key", "said"),
    [
        (
            "['@homebarista', '@beanbeat']",
            "optimize.candidates[0]",
            ("'@homebarista' is not a candidate", "did you mean 'homebarista_tw'?"),
        ),
        ("['@homebarista_tw', 'HomeBarista_TW']", "optimize.candidates[1]", ("twice",)),
        ("['']", "optimize.candidates[0]", ("at least 1 character",)),
        ("{a: 1}", "optimize.candidates", ("should be a list",)),
    ],
    ids=["unknown-handle", "twice", "empty-handle", "mapping"],
)
def test_a_bad_candidate_names_its_place(tmp_path, candidates, key, said) -> None:
    path = roster_copy(tmp_path, f"decide: roster\ncandidates: {candidates}")
    stderr = fails(tmp_path, str(path))
    assert f"{path}: {key}: " in stderr, stderr
    for words in said:
        assert words in stderr, (words, stderr)


@pytest.mark.cli
def test_no_candidate_and_no_cell_is_refused(tmp_path) -> None:
    path = roster_copy(tmp_path, "decide: roster\ncandidates: []")
    stderr = fails(tmp_path, str(path))
    assert f"{path}: optimize.candidates: " in stderr or f"{path}: optimize.cells: " in stderr


@pytest.mark.cli
def test_an_unknown_candidate_option_names_the_option(tmp_path) -> None:
    path = roster_copy(tmp_path, "decide: roster")
    stderr = fails(tmp_path, str(path), "--candidate", "@homebarista")
    assert "Error: --candidate: '@homebarista' is not a candidate" in stderr, stderr
    assert "did you mean 'homebarista_tw'?" in stderr


# --- problems no plan can meet ----------------------------------------------------------------

#: case -> (section, the key named, what it says).
INFEASIBLE: dict[str, tuple[str, ...]] = {
    "minimums-above-budget": (
        "cells: {micro/youtube: {min: 10}}",
        "optimize.budget",
        "no plan within the cells' bounds meets the budget (expected fees) limit of 600,000",
    ),
    "minimums-above-stated-budget": (
        "cells: {nano/tiktok: {min: 10, max: 20}}\nbudget: 50000",
        "optimize.budget",
        "meets the budget (expected fees) limit of 50,000",
    ),
    "creators-min-above-cells": (
        "cells: {nano/tiktok: {max: 20}}\ncreators: {min: 100}",
        "optimize.creators.min",
        "the creators limit of 100: the plans come to at most 20",
    ),
    "creators-min-above-budget": (
        "cells: {micro/youtube: {}}\ncreators: {min: 100}",
        "optimize.creators.min",
        "the creators limit of 100",
    ),
    "creators-max-below-minimums": (
        "cells: {nano/tiktok: {min: 5, max: 20}}\ncreators: {max: 2}",
        "optimize.creators.max",
        "the creators limit of 2: the plans come to at least 5",
    ),
    "team-hours-below-minimums": (
        "cells: {nano/tiktok: {min: 5, max: 20}}\nteam_hours: 1",
        "optimize.team_hours",
        "the team hours limit of 1",
    ),
    "share-minimums-above-budget": (
        "decide: shares\ncells: {nano/tiktok: {min: 12}, nano/instagram: {min: 12}}",
        "optimize.cells",
        "the budget shares limit of 1",
    ),
    "share-max-above-budget": (
        "decide: shares\ncells: {nano/tiktok: {max: 30}}",
        "optimize.cells.nano/tiktok.max",
        "30 steps of 0.05 is more than the budget",
    ),
}


@pytest.mark.cli
@pytest.mark.parametrize("case", list(INFEASIBLE))
def test_a_problem_no_plan_meets_names_the_constraint(tmp_path, case) -> None:
    section, key, *said = INFEASIBLE[case]
    section_fails(tmp_path, section, key, *said)


@pytest.mark.cli
@pytest.mark.parametrize(
    ("limits", "key", "said"),
    [
        ("['prob_loss <= 0.0001']", "optimize.limits[0]", "no plan meets prob_loss <= 0.0001"),
        ("['profit_mean >= 1e12']", "optimize.limits[0]", "no plan meets profit_mean >= 1e+12"),
    ],
    ids=["prob-loss", "profit"],
)
def test_a_limit_no_plan_meets_names_the_limit(tmp_path, limits, key, said) -> None:
    section = f"cells: {{nano/tiktok: {{min: 1, max: 3}}}}\nlimits: {limits}"
    stderr = section_fails(tmp_path, section, key, said, "the closest")
    assert "after scoring 3 plans" in stderr


@pytest.mark.cli
def test_a_percentile_budget_no_plan_meets_names_the_basis(tmp_path) -> None:
    section = "cells: {nano/tiktok: {min: 1, max: 3}}\nbudget_basis: p90\nbudget: 1000"
    section_fails(tmp_path, section, "optimize.budget_basis", "no plan meets spend_p90 <= 1000")


@pytest.mark.cli
def test_a_limit_option_no_plan_meets_names_the_option(tmp_path) -> None:
    stderr = fails(
        tmp_path, str(LAUNCH), "--cell", "nano/tiktok=1:3", "--limit", "prob_loss<=0.0001"
    )
    assert "Error: --limit: no plan meets prob_loss <= 0.0001" in stderr, stderr


@pytest.mark.cli
def test_a_limit_no_plan_meets_leaves_no_partial_folder(tmp_path) -> None:
    path = with_section(
        tmp_path, "cells: {nano/tiktok: {min: 1, max: 3}}\nlimits: ['prob_loss<=0.0001']"
    )
    fails(tmp_path, str(path))
    assert not (tmp_path / "out.partial").exists()


# --- options ----------------------------------------------------------------------------------


#: (the options, what the message says).
OPTION_CASES: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("--cell", "nano/tiktok"), ("'--cell'", "write POOL=MAX or POOL=MIN:MAX")),
    (("--cell", "nano/tiktok=a:b"), ("'--cell'", "'nano/tiktok=a:b'", "POOL=MIN:MAX")),
    (("--cell", "nano/tiktok=-1"), ("'--cell'", "POOL=MAX")),
    (("--cell", "nano/tiktok=1.0e+300"), ("'--cell'", "POOL=MAX")),
    (
        ("--cell", "nano/tiktk=3"),
        ("Error: --cell: 'nano/tiktk' is not a pool", "did you mean 'nano/tiktok'?"),
    ),
    (("--cell", "nano/tiktok=5:2"), ("Error: --cell: min (5) is above max (2)",)),
    (("--limit", "prob_loss<=abc"), ("Error: --limit: 'prob_loss<=abc'", "COLUMN<=VALUE")),
    (("--limit", "prob_loss < = 0.5"), ("Error: --limit: ", "COLUMN<=VALUE")),
    (("--limit", "prob_loss<=150%"), ("Error: --limit: a probability limit is between 0 and 1",)),
    (("--limit", "prob_los<=0.5"), ("Error: --limit: ", "did you mean 'prob_loss'?")),
    (
        ("--objective", "max:profit_men"),
        ("Error: --objective: ", "did you mean 'profit_mean'?"),
    ),
    (("--objective", "creators_mean"), ("Error: --objective: say max:creators_mean",)),
    (("--objective", "best:profit_mean"), ("Error: --objective: ", "max:COLUMN")),
    (("--budget", "-5"), ("Error: --budget: should be greater than 0",)),
    (("--budget", "0"), ("Error: --budget: should be greater than 0",)),
    (("--budget", "nan"), ("Error: --budget: must be a finite number",)),
    (("--budget", "inf"), ("Error: --budget: must be a finite number",)),
    (("--budget", "abc"), ("'--budget'", "'abc' is not a valid float")),
    (("--budget-basis", "p999"), ("Error: --budget-basis: 'p999' is not expected",)),
    (("--budget-basis", "expectd"), ("Error: --budget-basis: ", "did you mean 'expected'?")),
    (("--team-hours", "-5"), ("Error: --team-hours: should be greater than 0",)),
    (("--team-hours", "nan"), ("Error: --team-hours: must be a finite number",)),
    (("--team-hours", "timelin"), ("Error: --team-hours: ", "did you mean 'timeline'?")),
    (("--tighten", "nan"), ("Error: --tighten: must be a finite number",)),
    (("--restarts", "0"), ("Error: --restarts: should be greater than 0",)),
    (("--decide", "roster"), ("Error: --decide: roster: the scenario books no roster",)),
    (("--decide", "count"), ("'--decide'", "'count' is not one of")),
    (("--pilot", "nano/tiktok"), ("'--pilot'", "write POOL:N")),
    (("--pilot", "nano/tiktok:0"), ("'--pilot'", "write POOL:N")),
    (("--pilot", "nano/tiktok:abc"), ("'--pilot'", "write POOL:N")),
]


@pytest.mark.cli
@pytest.mark.parametrize(
    ("args", "said"), OPTION_CASES, ids=[" ".join(args) for args, _ in OPTION_CASES]
)
def test_a_bad_option_names_the_option(tmp_path, args, said) -> None:
    stderr = fails(tmp_path, str(LAUNCH), *args)
    for words in said:
        assert words in stderr, (words, stderr)
    assert "optimize." not in stderr


@pytest.mark.cli
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--campaigns", "2000000"), "Error: --campaigns: should be less than or equal to 1000000"),
        (("--campaigns", "0"), "Error: --campaigns: should be greater than 0"),
        (
            ("--fresh-campaigns", "0", "-n", "1024"),
            "Error: --fresh-campaigns: should be greater than 0",
        ),
    ],
    ids=["campaigns-too-many", "campaigns-zero", "fresh-zero"],
)
def test_a_bad_campaigns_option_names_the_option(tmp_path, args, said) -> None:
    stderr = fails(tmp_path, str(LAUNCH), *args, fast=False)
    assert said in stderr, stderr


@pytest.mark.cli
def test_an_option_infeasible_with_the_default_budget_names_the_budget(tmp_path) -> None:
    stderr = fails(tmp_path, str(LAUNCH), "--cell", "micro/youtube=10:12")
    assert "optimize.budget: " in stderr or "--cell: " in stderr, stderr
    assert "meets the budget (expected fees) limit of 600,000" in stderr


@pytest.mark.cli
def test_an_option_infeasible_with_the_budget_option_names_the_option(tmp_path) -> None:
    stderr = fails(tmp_path, str(LAUNCH), "--budget", "1000", "--cell", "micro/youtube=1:3")
    assert "Error: --budget: no plan within the cells' bounds meets the budget" in stderr, stderr


@pytest.mark.cli
@pytest.mark.slow
def test_a_pilot_of_an_unknown_pool_names_the_option(tmp_path) -> None:
    stderr = fails(tmp_path, str(LAUNCH), "--pilot", "nano/tiktk:3")
    assert "Error: --pilot: " in stderr and "did you mean 'nano/tiktok'?" in stderr, stderr


@pytest.mark.cli
def test_a_pilot_of_an_unused_pool_names_the_option(tmp_path) -> None:
    stderr = fails(tmp_path, str(LAUNCH), "--pilot", "macro/youtube:3")
    assert "--pilot: 'macro/youtube' is not a pool the plans or strategies use" in stderr


@pytest.mark.cli
def test_budget_basis_option_p0_is_refused(tmp_path) -> None:
    stderr = fails(tmp_path, str(LAUNCH), "--budget-basis", "p0")
    assert "Error: --budget-basis: " in stderr, stderr


# --- an optimisation file (--spec) --------------------------------------------------------------


def spec_fails(tmp_path: Path, text: str, *args: str) -> tuple[Path, str]:
    """``optimize coffee-launch.yaml --spec FILE`` with ``text`` as FILE: its path, stderr."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    stderr = fails(tmp_path, str(LAUNCH), "--spec", str(spec), *args)
    assert "optimize." not in stderr, stderr  # a spec file's keys are at its top
    return spec, stderr


@pytest.mark.cli
@pytest.mark.parametrize(
    ("text", "key", "said"),
    [
        ("budgte: 1000\n", "(top level)", ("unknown key 'budgte'", "did you mean 'budget'?")),
        (
            "cells: {nano/tiktk: {max: 3}}\n",
            "cells.nano/tiktk",
            ("not a pool", "did you mean 'nano/tiktok'?"),
        ),
        ("budget: 1000\nbudget: 2000\n", "(top level)", ("'budget' is given twice",)),
        ("budget: .nan\n", "budget", ("finite",)),
        ("limits: ['prob_loss<=150%']\n", "limits[0]", ("between 0 and 1",)),
        ("- budget: 1000\n", "(top level)", ("mapping",)),
        ("", "(top level)", ("mapping",)),
        (
            "cells: {micro/youtube: {min: 10}}\n",
            "budget",
            ("no plan within the cells' bounds meets the budget",),
        ),
    ],
    ids=["typo", "pool-typo", "duplicate", "nan", "limit", "a-list", "empty", "infeasible"],
)
def test_a_spec_files_mistake_names_the_spec_and_key(tmp_path, text, key, said) -> None:
    spec, stderr = spec_fails(tmp_path, text)
    assert f"{spec}: {key}: " in stderr, stderr
    for words in said:
        assert words in stderr, (words, stderr)


@pytest.mark.cli
def test_every_problem_of_a_spec_file_at_once(tmp_path) -> None:
    spec, stderr = spec_fails(tmp_path, "objective: max:profit_men\nlimits: ['prob_los<=0.5']\n")
    assert f"{spec}: 2 problems" in stderr
    assert "  - objective: " in stderr and "  - limits[0]: " in stderr
    assert "did you mean 'profit_mean'?" in stderr and "did you mean 'prob_loss'?" in stderr


@pytest.mark.cli
def test_a_spec_and_an_option_each_named(tmp_path) -> None:
    spec, stderr = spec_fails(tmp_path, "objective: max:profit_men\n", "--limit", "prob_los<=0.5")
    assert f"{spec}: 2 problems" in stderr, stderr
    assert "  - objective: " in stderr and "  - --limit: " in stderr


@pytest.mark.cli
def test_a_missing_spec_file(tmp_path) -> None:
    missing = tmp_path / "nope.yaml"
    stderr = fails(tmp_path, str(LAUNCH), "--spec", str(missing))
    assert f"{missing}: (file): no such file" in stderr, stderr


@pytest.mark.cli
def test_a_spec_that_is_a_directory(tmp_path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    stderr = fails(tmp_path, str(LAUNCH), "--spec", str(folder))
    assert "'--spec'" in stderr and "is a directory" in stderr, stderr


# --- sizes beyond the machine -----------------------------------------------------------------


def _cap_memory() -> None:
    """In the child: an address-space limit, so that a drawn size fails instead of swapping."""
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


def child_refuses(path: Path, tmp_path: Path, *args: str, timeout: float = 30) -> str:
    """``campaign-sim optimize PATH ARGS`` in a child with capped memory and time exits 2
    without a traceback: its stderr."""
    code = "import sys; from campaign_sim.cli import main; sys.exit(main())"
    done = subprocess.run(
        [sys.executable, "-c", code, "optimize", str(path), *args, "-q", "-o", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_cap_memory,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    return done.stderr


@pytest.mark.cli
def test_a_huge_cell_max_is_refused_with_its_key(tmp_path) -> None:
    path = with_section(tmp_path, "cells: {nano/tiktok: {max: 1000000000}}")
    stderr = child_refuses(path, tmp_path, *FAST)
    assert f"{path}: optimize.cells.nano/tiktok" in stderr, stderr
    assert "would take" in stderr and "1,000,000,000 creator rows" in stderr


@pytest.mark.cli
def test_a_huge_budget_is_refused_naming_the_budget(tmp_path) -> None:
    path = with_section(tmp_path, "budget: 1.0e+12")
    stderr = child_refuses(path, tmp_path, *FAST)
    assert f"{path}: optimize." in stderr and "would take" in stderr, stderr
    assert "budget" in stderr.split("would take")[1], stderr


@pytest.mark.cli
def test_a_huge_budget_option_is_refused_naming_the_option(tmp_path) -> None:
    stderr = child_refuses(LAUNCH, tmp_path, "--budget", "1e12", *FAST)
    assert "Error: --budget: " in stderr and "would take" in stderr, stderr


@pytest.mark.cli
def test_a_huge_cell_option_is_refused_naming_the_option(tmp_path) -> None:
    stderr = child_refuses(LAUNCH, tmp_path, "--cell", "nano/tiktok=1000000000", *FAST)
    assert "Error: --cell: the campaigns the search scores on would take" in stderr, stderr


@pytest.mark.cli
def test_huge_campaigns_option_with_a_big_cell_is_refused(tmp_path) -> None:
    args = ("--cell", "nano/tiktok=10000", "--campaigns", "1000000", "--no-robustness")
    stderr = child_refuses(LAUNCH, tmp_path, *args, timeout=20)
    assert "Error: --cell: " in stderr or "Error: --campaigns: " in stderr, stderr
    assert "1,000,000 campaigns" in stderr


@pytest.mark.cli
def test_huge_campaigns_with_big_cells_are_refused_with_a_key(tmp_path) -> None:
    path = with_section(tmp_path, "campaigns: 1000000\ncells: {nano/tiktok: {max: 10000}}")
    stderr = child_refuses(path, tmp_path, "--no-robustness", timeout=20)
    keys = (f"{path}: optimize.campaigns: ", f"{path}: optimize.cells.nano/tiktok")
    assert any(key in stderr for key in keys), stderr
    assert "would take" in stderr
