"""Sweeps on a real Dask cluster: identical numbers, and a killed worker's points rerun."""

from __future__ import annotations

import os
import signal

import pandas as pd
import pytest
from helpers import ROOT

from campaign_sim.engine.executors import Dask
from campaign_sim.sweep.run import run_sweep
from campaign_sim.sweep.spec import make_sweep, parse_vary

pytest.importorskip("distributed")

pytestmark = [pytest.mark.slow, pytest.mark.reproducibility]

MIX = ROOT / "scenarios/mix-coffee.yaml"
VARY = "strategies.*.groups[0].share=0.2:0.8:0.1;strategies.*.groups[1].share=1-x"
CAMPAIGNS, SEED = 3000, 11


@pytest.fixture(scope="module")
def sweep():
    return make_sweep(MIX, [parse_vary(VARY)])  # 7 points


@pytest.fixture(scope="module")
def serial(sweep) -> pd.DataFrame:
    return run_sweep(sweep, campaigns=CAMPAIGNS, seed=SEED).table


@pytest.fixture(scope="module")
def dask():
    executor = Dask(workers=2)
    yield executor
    executor.close()


@pytest.fixture(scope="module")
def client(dask):
    return dask.client


def test_two_worker_processes_give_the_serial_numbers(sweep, serial, dask, client) -> None:
    pids = client.run(os.getpid)
    assert len(set(pids.values()) | {os.getpid()}) == 3  # real worker processes
    table = run_sweep(sweep, campaigns=CAMPAIGNS, seed=SEED, executor=dask).table
    pd.testing.assert_frame_equal(table, serial, check_exact=True)


def test_a_killed_worker_has_its_points_rerun(sweep, serial, dask, client) -> None:
    killed: list[int] = []

    def kill_a_busy_worker(index: int) -> None:
        # After the first finished point, SIGKILL a worker that is running a point: the
        # scheduler must hand that point to another worker (or the nanny's replacement).
        if killed:
            return
        busy = [w for w, keys in client.processing().items() if keys]
        assert busy, "no point left running: the sweep is too short to test a kill"
        pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    table = run_sweep(
        sweep, campaigns=CAMPAIGNS, seed=SEED, executor=dask, on_point=kill_a_busy_worker
    ).table
    assert len(killed) == 1
    pd.testing.assert_frame_equal(table, serial, check_exact=True)


@pytest.mark.cli
def test_cli_workers_writes_the_serial_table(tmp_path) -> None:
    from click.testing import CliRunner

    from campaign_sim.cli import main

    args = ["sweep", str(MIX), "--vary", "economics.gross_margin=0.5,0.6", "-n", "500", "-q"]
    serial = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "serial")])
    dask = CliRunner().invoke(
        main, [*args, "-o", str(tmp_path / "dask"), "--workers", "2", "--executor", "dask"]
    )
    assert serial.exit_code == 0 and dask.exit_code == 0, dask.output
    assert (tmp_path / "dask/sweep.csv").read_text() == (tmp_path / "serial/sweep.csv").read_text()
    manifest = (tmp_path / "dask/manifest.json").read_text()
    assert "local cluster, 2 workers" in manifest
