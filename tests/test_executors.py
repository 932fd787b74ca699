"""The same numbers on every executor: serial, forked processes and a Dask cluster.

Every simulating function and command runs on ``Serial()``, ``Processes(2)`` and ``Dask(2)``
with more than one chunk, so that chunks after the first run in other processes and come back
in any order; every array and table must be identical, bit for bit, to the serial run's. The
serial references are computed once per module; one local Dask cluster serves the whole module
(the CLI's Dask runs connect to it with ``--scheduler``, except the one test of a cluster that
the command starts itself).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ROOT

from campaign_sim import load_scenario, simulate, simulate_timeline
from campaign_sim.analysis.convergence import run_to_precision
from campaign_sim.analysis.sensitivity import collect_drivers, sobol_indices, swing
from campaign_sim.cli import main
from campaign_sim.engine.executors import Dask, Executor, Processes, Serial
from campaign_sim.engine.runner import chunks_of
from campaign_sim.random.streams import BLOCK
from campaign_sim.sweep.run import run_sweep
from campaign_sim.sweep.spec import make_sweep, parse_vary

pytestmark = [pytest.mark.reproducibility, pytest.mark.slow]

COFFEE = ROOT / "scenarios/coffee-launch.yaml"
MIX = ROOT / "scenarios/mix-coffee.yaml"
HUNDRED = ROOT / "scenarios/timeline/hundred-nano.yaml"
#: For the sensitivity steps, which simulate once per input: bench-A has half the coffee
#: launch's inputs (its priors state no amplification), so the same checks take half as long.
BENCH_A = ROOT / "scenarios/bench/bench-a.yaml"

SEED = 20250611
#: Three chunks (1,024 + 1,024 + 452 campaigns): two of them on the workers.
CAMPAIGNS, CHUNK = 2500, 1024
#: The timeline engine is ~100 times slower and its chunks are whole seed blocks: one full
#: block here, and 64 campaigns of the second block on a worker.
TIMELINE_CAMPAIGNS = BLOCK + 64
#: Three points of the mix's nano share.
VARY = "strategies.*.groups[0].share=0.2:0.8:0.3;strategies.*.groups[1].share=1-x"
HAS_SALIB = importlib.util.find_spec("SALib") is not None


def test_the_sizes_make_several_chunks() -> None:
    assert [c.size for c in chunks_of(CAMPAIGNS, CHUNK)] == [1024, 1024, 452]
    assert [c.size for c in chunks_of(TIMELINE_CAMPAIGNS, CHUNK)] == [BLOCK, 64]


@pytest.fixture(scope="module")
def dask_executor():
    """The module's one local cluster of two single-threaded worker processes."""
    pytest.importorskip("distributed")
    executor = Dask(workers=2)
    workers = executor.client.scheduler_info()["workers"]  # started now, not in a timed call
    assert len(workers) == 2
    yield executor
    executor.close()


@pytest.fixture(scope="module", params=["processes", "dask"])
def executor(request) -> Executor:
    if request.param == "processes":
        return Processes(2)
    return request.getfixturevalue("dask_executor")


@pytest.fixture(scope="module")
def serial() -> Callable[[Hashable, Callable[[Executor], Any]], Any]:
    """``serial(key, run)``: ``run(Serial())``, computed once per key for the module."""
    done: dict[Hashable, Any] = {}

    def reference(key: Hashable, run: Callable[[Executor], Any]) -> Any:
        if key not in done:
            done[key] = run(Serial())
        return done[key]

    return reference


def assert_arrays_equal(got: dict, expected: dict) -> None:
    """``{name: {metric: array}}`` identical: the same keys, dtypes, shapes and bits."""
    assert got.keys() == expected.keys()
    for name in expected:
        assert got[name].keys() == expected[name].keys()
        for metric, array in expected[name].items():
            assert got[name][metric].dtype == array.dtype, (name, metric)
            np.testing.assert_array_equal(got[name][metric], array, err_msg=f"{name} {metric}")


def assert_outcomes_equal(got, expected) -> None:
    assert (got.strategies, got.campaigns, got.seed, got.sampling) == (
        expected.strategies,
        expected.campaigns,
        expected.seed,
        expected.sampling,
    )
    assert_arrays_equal(got.values, expected.values)


def assert_frames_equal(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert not expected.empty
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


# -- the Python functions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "sampling"),
    [(COFFEE, "random"), (MIX, "random"), (COFFEE, "sobol")],
    ids=["coffee", "mix", "coffee-sobol"],
)
def test_simulate(executor, serial, path: Path, sampling: str) -> None:
    scenario = load_scenario(path)

    def run(on: Executor):
        return simulate(
            scenario,
            campaigns=CAMPAIGNS,
            seed=SEED,
            chunk_size=CHUNK,
            sampling=sampling,
            executor=on,
        )

    assert_outcomes_equal(run(executor), serial(("simulate", path, sampling), run))


def test_run_to_precision(executor, serial) -> None:
    scenario = load_scenario(COFFEE)

    def run(on: Executor):
        return run_to_precision(
            scenario,
            precision=0.005,
            max_campaigns=12_000,
            seed=SEED,
            chunk_size=CHUNK,
            executor=on,
        )

    got, expected = run(executor), serial("precision", run)
    batches = expected.history["campaigns"].unique().tolist()
    assert batches == [8 * BLOCK, 12_000]  # two batches of several chunks each
    assert (got.converged, got.precision, got.max_campaigns) == (
        expected.converged,
        expected.precision,
        expected.max_campaigns,
    )
    assert_outcomes_equal(got.outcomes, expected.outcomes)
    assert_frames_equal(got.history, expected.history)


def test_simulate_timeline(executor, serial) -> None:
    scenario = load_scenario(HUNDRED)

    def run(on: Executor):
        return simulate_timeline(
            scenario, campaigns=TIMELINE_CAMPAIGNS, seed=SEED, chunk_size=CHUNK, executor=on
        )

    got, expected = run(executor), serial("timeline", run)
    assert (got.strategies, got.campaigns, got.seed, got.plan) == (
        expected.strategies,
        expected.campaigns,
        expected.seed,
        expected.plan,
    )
    assert_arrays_equal(got.series, expected.series)
    assert_arrays_equal(got.totals, expected.totals)


@pytest.mark.parametrize("path", [COFFEE, MIX], ids=["coffee", "mix"])
def test_collect_drivers(executor, serial, path: Path) -> None:
    scenario = load_scenario(path)

    def run(on: Executor):
        return collect_drivers(
            scenario, campaigns=CAMPAIGNS, seed=SEED, chunk_size=CHUNK, executor=on
        )

    got, expected = run(executor), serial(("drivers", path), run)
    assert (got.strategies, got.drivers, got.campaigns, got.seed, got.sampling) == (
        expected.strategies,
        expected.drivers,
        expected.campaigns,
        expected.seed,
        expected.sampling,
    )
    assert_arrays_equal({"inputs": got.inputs}, {"inputs": expected.inputs})
    assert_arrays_equal(got.outputs, expected.outputs)


def test_swing(executor, serial) -> None:
    scenario = load_scenario(BENCH_A)

    def run(on: Executor):
        return swing(scenario, campaigns=CAMPAIGNS, seed=SEED, chunk_size=CHUNK, executor=on)

    assert_frames_equal(run(executor), serial("swing", run))


@pytest.mark.skipif(not HAS_SALIB, reason="Sobol indices need SALib (the sensitivity extra)")
def test_sobol_indices(executor, serial) -> None:
    scenario = load_scenario(COFFEE)

    def run(on: Executor):
        return sobol_indices(
            scenario, campaigns=CAMPAIGNS, seed=SEED, chunk_size=CHUNK, executor=on
        )

    assert_frames_equal(run(executor), serial("sobol", run))


def test_run_sweep(executor, serial) -> None:
    sweep = make_sweep(MIX, [parse_vary(VARY)])
    assert len(sweep.points) == 3

    def run(on: Executor):
        return run_sweep(sweep, campaigns=CAMPAIGNS, seed=SEED, chunk_size=CHUNK, executor=on)

    got, expected = run(executor), serial("sweep", run)
    assert got.fingerprint == expected.fingerprint
    assert_frames_equal(got.table, expected.table)


# -- the command line ----------------------------------------------------------------------

SIZES = ["-n", str(CAMPAIGNS), "--chunk-size", str(CHUNK), "-s", str(SEED)]
COMMANDS = {
    "run": ["run", str(COFFEE), *SIZES],
    "compare": ["compare", str(COFFEE), *SIZES],
    "timeline": [
        "timeline",
        str(HUNDRED),
        *["-n", str(TIMELINE_CAMPAIGNS), "--chunk-size", str(CHUNK), "-s", str(SEED)],
    ],
    "sensitivity": ["sensitivity", str(BENCH_A), *SIZES, *(["--sobol"] if HAS_SALIB else [])],
    "sweep": ["sweep", str(MIX), "--vary", VARY, *SIZES],
}
#: What may differ between two runs of the same command: the version, and nothing else.
VOLATILE = {"version"}


def without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_volatile(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [without_volatile(v) for v in value]
    return value


def invoke(args: list[str], out: Path) -> tuple[Any, dict[str, bytes]]:
    """The JSON printed on stdout (volatile keys dropped) and the results folder's tables and
    documents (every file but the manifest, which records timings and the executor)."""
    result = CliRunner().invoke(
        main, [*args, "--format", "json", "-q", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    files = {
        path.name: path.read_bytes()
        for path in sorted(out.iterdir())
        if path.suffix in (".csv", ".json") and path.name != "manifest.json"
    }
    assert any(name.endswith(".csv") for name in files)
    return without_volatile(json.loads(result.stdout)), files


@pytest.fixture(scope="module")
def serial_cli(tmp_path_factory) -> Callable[[str], tuple[Any, dict[str, bytes]]]:
    """A command's serial output, computed once per command for the module."""
    done: dict[str, tuple[Any, dict[str, bytes]]] = {}

    def reference(command: str) -> tuple[Any, dict[str, bytes]]:
        if command not in done:
            out = tmp_path_factory.mktemp("serial") / command
            done[command] = invoke([*COMMANDS[command], "--executor", "serial"], out)
        return done[command]

    return reference


@pytest.mark.cli
@pytest.mark.parametrize("on", ["processes", "dask"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_cli_json_and_files(request, serial_cli, tmp_path: Path, command: str, on: str) -> None:
    if on == "processes":
        options = ["-w", "2"]
    else:  # the module's cluster: starting one per command would cost ~2 s each
        address = request.getfixturevalue("dask_executor").client.scheduler.address
        options = ["--executor", "dask", "-w", "2", "--scheduler", address]
    document, files = invoke([*COMMANDS[command], *options], tmp_path / command)
    expected_document, expected_files = serial_cli(command)
    assert document == expected_document
    assert files.keys() == expected_files.keys()
    for name, content in expected_files.items():
        assert files[name] == content, name


@pytest.mark.cli
def test_cli_dask_starts_and_stops_its_own_cluster(serial_cli, tmp_path: Path) -> None:
    """``--executor dask -w 2`` without --scheduler: a local cluster of two workers that the
    command starts, and stops before it returns."""
    pytest.importorskip("distributed")
    import psutil

    this = psutil.Process()
    before = {child.pid for child in this.children(recursive=True)}
    got = invoke([*COMMANDS["run"], "--executor", "dask", "-w", "2"], tmp_path / "run")
    assert got == serial_cli("run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["workers"] == 2
    started = [
        child
        for child in this.children(recursive=True)
        if child.pid not in before  # but multiprocessing's tracker, one per interpreter
        and "multiprocessing.resource_tracker" not in " ".join(child.cmdline())
    ]
    _, alive = psutil.wait_procs(started, timeout=5)  # exiting workers get 5 s to be reaped
    assert not alive, [" ".join(child.cmdline()) for child in alive]
