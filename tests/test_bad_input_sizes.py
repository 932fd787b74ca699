"""Sizes beyond the machine (issue 10, class 1): counts, budgets, campaigns and timeline windows
too large for the memory are refused up front, with exit status 2, the key, the estimate and
the limit; nothing is drawn and no folder (nor a sweep's ``.partial`` store) is made. The limit
is memory, not a count: large runs that fit still run. See docs/scenario-format.md, "Limits"."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import FIXED_SCENARIO, deep_update, group

from campaign_sim.cli import main
from campaign_sim.engine import limits
from campaign_sim.engine.limits import ENV, Key, check_run, footprint, memory_limit
from campaign_sim.engine.timeline import simulate_timeline
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import load_scenario

TRILLION = 10**12
KEY = Key(None, "campaigns")
LOGNORMAL_FEE = {
    "priors": {"tiers": {"nano": {"fee": {"family": "lognormal", "range": [5000, 20000]}}}}
}
#: What every refusal says: an estimate and the limit, both in binary units.
ESTIMATE = re.compile(r"would need about [0-9.]+ [KMGTPE]?i?B of memory, more than the limit of")


def invoke(args: list[str], env: dict[str, str] | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def refused(result, source: str | None, key: str, *also: str) -> str:
    """The refusal is clean: exit 2, one ``Error:`` line naming the file and key, with the
    estimate and the limit, and no traceback."""
    text = result.stderr
    assert result.exit_code == 2, (result.exit_code, text, result.exception)
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    head = f"Error: {source}: {key}: " if source else f"Error: {key}: "
    assert text.startswith(head), text
    assert ESTIMATE.search(text), text
    for word in also:
        assert word in text, (word, text)
    return text


def nothing_written(tmp_path: Path, out: Path) -> None:
    assert not out.exists()
    assert not out.with_name(out.name + ".partial").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}")]


@pytest.mark.cli
@pytest.mark.parametrize(
    ("case", "changes", "key", "said"),
    [
        (
            "count",
            group(count=TRILLION),
            "strategies.a.groups[0].count",
            "1,000,000,000,000 creators",
        ),
        ("group budget", group(budget=1.0e15), "strategies.a.groups[0].budget", "a budget of"),
        (
            "strategy budget of a share group",
            {
                "strategies": {
                    "a": {
                        "budget": 1.0e15,
                        "groups": [{"tier": "nano", "platform": "instagram", "share": 0.5}],
                    }
                }
            },
            "strategies.a.budget",
            "with its share 0.5",
        ),
        (
            "simulation.campaigns",
            {"simulation": {"campaigns": TRILLION}},
            "simulation.campaigns",
            "1,000,000,000,000 campaigns",
        ),
    ],
)
def test_scenario_sizes_are_refused_with_their_key(
    write_scenario, tmp_path, case, changes, key, said
):
    path = write_scenario(deep_update(FIXED_SCENARIO, changes))
    out = tmp_path / "out"
    started = time.perf_counter()
    result = invoke(["run", path, "--out", out, "-q"])
    refused(result, str(path), key, said)
    assert time.perf_counter() - started < 10  # refused up front: no draws, no hang
    nothing_written(tmp_path, out)


@pytest.mark.cli
@pytest.mark.parametrize("command", ["run", "compare", "sensitivity", "timeline"])
def test_campaigns_option_names_the_option(write_scenario, tmp_path, command):
    data = deep_update(FIXED_SCENARIO, {"strategies": {"b": FIXED_SCENARIO["strategies"]["a"]}})
    path = write_scenario(data)
    out = tmp_path / "out"
    started = time.perf_counter()
    result = invoke([command, path, "--campaigns", TRILLION, "--out", out, "-q"])
    refused(result, None, "--campaigns", "1,000,000,000,000 campaigns")
    assert time.perf_counter() - started < 10  # no seed blocks built: no hang
    nothing_written(tmp_path, out)


@pytest.mark.cli
def test_max_campaigns_of_a_run_to_a_precision(write_scenario, tmp_path):
    path = write_scenario()
    out = tmp_path / "out"
    result = invoke(["run", path, "--precision", "0.01", "--max-campaigns", TRILLION, "-o", out])
    refused(result, None, "--max-campaigns", "1,000,000,000,000 campaigns")
    nothing_written(tmp_path, out)


@pytest.mark.cli
def test_timeline_window_beyond_the_machine(write_scenario, tmp_path):
    path = write_scenario(deep_update(FIXED_SCENARIO, {"timeline": {"window_days": 100_000_000}}))
    out = tmp_path / "out"
    result = invoke(["timeline", path, "--out", out, "-q"])
    refused(result, str(path), "timeline.window_days", "a window of 100,000,000 days", "lag matrix")
    nothing_written(tmp_path, out)


@pytest.mark.cli
def test_sweep_point_beyond_the_machine_leaves_no_partial_store(write_scenario, tmp_path):
    write_scenario()
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        yaml.safe_dump(
            {
                "scenario": "scenario.yaml",
                "axes": [
                    {
                        "name": "n",
                        "path": "strategies.a.groups[0].count",
                        "values": [2, 3, TRILLION],
                    }
                ],
                "campaigns": 100,
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = invoke(["sweep", sweep, "--out", out, "-q"])
    refused(
        result,
        str(sweep),
        "strategies.a.groups[0].count",
        "at sweep point 3 of 3 (n = 1000000000000)",
    )
    nothing_written(tmp_path, out)


@pytest.mark.cli
def test_sweep_vary_and_campaigns_beyond_the_machine(write_scenario, tmp_path):
    path = write_scenario(deep_update(FIXED_SCENARIO, group(budget=100_000)))
    out = tmp_path / "out"
    result = invoke(["sweep", path, "--vary", "strategies.a.groups[0].budget=1e5,1e15", "-o", out])
    refused(result, None, "--vary strategies.a.groups[0].budget", "at sweep point 2 of 2")
    nothing_written(tmp_path, out)
    result = invoke(["sweep", path, "--vary", "economics.aov=900,1000", "-n", TRILLION, "-o", out])
    refused(result, None, "--campaigns", "1,000,000,000,000 campaigns")
    nothing_written(tmp_path, out)


@pytest.mark.cli
def test_plan_preview_refuses_what_it_cannot_draw(write_scenario):
    path = write_scenario(deep_update(FIXED_SCENARIO, group(count=TRILLION)))
    refused(invoke(["plan", path]), str(path), "strategies.a.groups[0].count")


@pytest.mark.cli
def test_the_limit_comes_from_the_environment(write_scenario, tmp_path):
    """100,000 campaigns keep 13 MiB of outcomes: refused under 8 MiB, run under 64 MiB."""
    path = write_scenario(deep_update(FIXED_SCENARIO, {"simulation": {"campaigns": 100_000}}))
    out = tmp_path / "out"
    result = invoke(["run", path, "-o", out, "-q"], env={ENV: "8MiB"})
    text = refused(result, str(path), "simulation.campaigns", "100,000 campaigns")
    assert f"limit of 8 MiB ({ENV}=8MiB)" in text
    nothing_written(tmp_path, out)
    result = invoke(["run", path, "-o", out, "-q"], env={ENV: "lots"})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {ENV}: 'lots' is not a memory size")
    nothing_written(tmp_path, out)
    assert invoke(["run", path, "-o", out, "-q"], env={ENV: "64MiB"}).exit_code == 0


@pytest.mark.cli
def test_a_chunk_too_large_says_the_chunk_size_that_fits(write_scenario, tmp_path):
    path = write_scenario(deep_update(FIXED_SCENARIO, group(count=2_000)))
    out = tmp_path / "out"
    result = invoke(["run", path, "-n", 16_384, "-o", out, "-q"], env={ENV: "1GiB"})
    refused(
        result, str(path), "strategies.a.groups[0].count", "--chunk-size 1024", "which would fit"
    )
    assert (
        invoke(
            ["run", path, "-n", 16_384, "--chunk-size", 1024, "-o", out, "-q"], env={ENV: "1GiB"}
        ).exit_code
        == 0
    )


@pytest.mark.cli
def test_an_unexpected_exception_is_still_a_bug(write_scenario, tmp_path, monkeypatch):
    """The check never turns a bug into exit 2: an exception it does not expect stays one."""

    def broken(*args, **kwargs):
        raise RuntimeError("injected bug")

    monkeypatch.setattr(limits, "footprint", broken)
    result = invoke(["run", write_scenario(), "-o", tmp_path / "out", "-q"])
    assert result.exit_code == 1 and isinstance(result.exception, RuntimeError)


@pytest.mark.exact
def test_the_estimate_by_hand(write_scenario):
    """One strategy of 3 creators, 100 campaigns (one chunk of 100): draws 120 x 3 x 100 plus
    160 x 100 for the strategy's totals; kept 8 x 100 x (17 outcomes: the 14 of every run and
    unique reach, frequency, CPM per unique person; + 3 summary copies); one block."""
    scenario = load_scenario(write_scenario())
    estimate = footprint(scenario, campaigns=100, campaigns_key=KEY, chunk_size=16_384)
    parts = {part.what: part.bytes for part in estimate.parts}
    assert parts == {
        "one chunk of creator draws": 120 * 3 * 100 + 160 * 100,
        "the kept outcomes of every campaign": 8 * 100 * (17 + 3),
        "the seed blocks": 200,
    }
    assert estimate.total == 68_200 and estimate.blocks == 1 and estimate.creator_draws == 300


@pytest.mark.exact
def test_budget_slots_by_hand(write_scenario):
    """A fixed fee of 10,000 x 2 deliverables: a budget of 100,000 buys t = 5 creators, likely
    hires ceil(5 + 2 sqrt(5) + 4) = 14, but the cap is floor(100,000 / 20,000) + 1 = 6 slots;
    a budget of 10^7: t = 500, ceil(500 + 2 sqrt(500) + 4) = 549, capped at 501."""
    for budget, slots in ((100_000, 6), (10_000_000, 501)):
        changes = group(budget=budget, deliverables=2)
        scenario = load_scenario(write_scenario(deep_update(FIXED_SCENARIO, changes)))
        estimate = footprint(scenario, campaigns=1024, campaigns_key=KEY, chunk_size=1024)
        assert estimate.creator_draws == slots * 1024


@pytest.mark.exact
def test_budget_slots_below_the_cap_follow_the_likely_hires(write_scenario):
    """A lognormal fee (90% in [5,000, 20,000]) and a budget of 10^6 buy t = 10^6 / mean fee;
    the slots are ceil(t + 2 sqrt(t) + 4), below the cap of budget / P(1e-6) fee."""
    changes = {**group(budget=1_000_000), **LOGNORMAL_FEE}
    scenario = load_scenario(write_scenario(deep_update(FIXED_SCENARIO, changes)))
    t = 1_000_000 / scenario.strategies[0].groups[0].dist("fee").mean()
    assert 80 < t < 100
    estimate = footprint(scenario, campaigns=1024, campaigns_key=KEY, chunk_size=1024)
    assert estimate.creator_draws == math.ceil(t + 2 * math.sqrt(t) + 4) * 1024


@pytest.mark.exact
def test_the_estimate_is_close_to_what_a_chunk_takes(write_scenario):
    """The draws of a chunk of 1,024 campaigns of 2,000 creators, measured with tracemalloc,
    within 25% of the estimate (the estimate a little above)."""
    import tracemalloc

    changes = {**group(count=2000), **LOGNORMAL_FEE}
    scenario = load_scenario(write_scenario(deep_update(FIXED_SCENARIO, changes)))
    estimate = footprint(scenario, campaigns=1024, campaigns_key=KEY, chunk_size=1024)
    tracemalloc.start()
    try:
        simulate(scenario, campaigns=1024, chunk_size=1024)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 0.75 * estimate.total < peak < 1.05 * estimate.total, (peak, estimate.total)


@pytest.mark.exact
def test_the_api_refuses_too(write_scenario):
    big = load_scenario(write_scenario(deep_update(FIXED_SCENARIO, group(count=TRILLION))))
    with pytest.raises(
        InputError, match=r"strategies\.a\.groups\[0\]\.count: 1,000,000,000,000 creators"
    ):
        simulate(big, campaigns=100)
    scenario = load_scenario(write_scenario())
    with pytest.raises(InputError, match=r"^campaigns: 1,000,000,000,000 campaigns"):
        simulate(scenario, campaigns=TRILLION)
    wide = load_scenario(
        write_scenario(deep_update(FIXED_SCENARIO, {"timeline": {"window_days": 10**8}}))
    )
    with pytest.raises(InputError, match=r"timeline\.window_days: a window of 100,000,000 days"):
        simulate_timeline(wide, campaigns=10)


@pytest.mark.exact
def test_many_campaigns_stay_allowed_when_they_fit(write_scenario, monkeypatch):
    """The limit is memory, not a count: 10^8 campaigns of one small strategy fit in 16 GiB
    (about 12.7 GiB kept), 10^9 do not."""
    scenario = load_scenario(write_scenario())
    monkeypatch.setenv(ENV, "16GiB")
    assert memory_limit()[0] == 16 * 2**30
    check_run(scenario, campaigns=10**8, chunk_size=16_384)
    with pytest.raises(InputError, match="^campaigns: 1,000,000,000 campaigns"):
        check_run(scenario, campaigns=10**9, chunk_size=16_384)


@pytest.mark.exact
@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("8G", 8 * 2**30),
        ("512MiB", 512 * 2**20),
        ("2.5e9", 2.5e9),
        ("100 KB", 100 * 2**10),
        ("1t", 2**40),
    ],
)
def test_memory_limit_units(monkeypatch, text, size):
    monkeypatch.setenv(ENV, text)
    assert memory_limit()[0] == size


@pytest.mark.exact
def test_memory_limit_share_and_default(monkeypatch):
    physical = limits.physical_memory()
    assert physical is not None and physical > 0
    monkeypatch.setenv(ENV, "50%")
    assert memory_limit()[0] == pytest.approx(physical / 2)
    monkeypatch.delenv(ENV)
    assert memory_limit()[0] == pytest.approx(limits.DEFAULT_SHARE * physical)
    for bad in ("-1G", "1e999", "many", "5 parsecs"):
        monkeypatch.setenv(ENV, bad)
        with pytest.raises(InputError, match=f"^{ENV}: "):
            memory_limit()
