"""The tier check of conftest.py: a test without a tier marker stops the run before it starts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.exact

HERE = Path(__file__).parent

CASES = """
import pytest

@pytest.mark.exact
def test_tiered():
    pass

@pytest.mark.untiered("a reason")
def test_exempt():
    pass

@pytest.mark.untiered
def test_exempt_without_a_reason():
    pass

@pytest.mark.slow
def test_slow_only():
    pass

def test_bare():
    pass
"""


#: pytest without the cache and hypothesis's plugin (a second to import; the cases do not use
#: it), in one process (the copied pyproject.toml asks for two workers; the tier check's
#: usage error is pytest's own in one process).
PYTEST = [
    sys.executable,
    "-m",
    "pytest",
    "-p",
    "no:cacheprovider",
    "-p",
    "no:hypothesispytest",
    "-n",
    "0",
]


def _pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYTEST, str(folder)], cwd=folder, capture_output=True, text=True, check=False
    )


def test_a_test_without_a_tier_is_a_usage_error(tmp_path: Path) -> None:
    shutil.copy(HERE.parent / "pyproject.toml", tmp_path)  # the registered markers, strict
    for name in ("conftest.py", "helpers.py"):
        shutil.copy(HERE / name, tmp_path / name)
    (tmp_path / "test_cases.py").write_text(CASES, encoding="utf-8")
    done = _pytest(tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "3 test(s) without a tier marker" in done.stderr
    listed = {line.strip() for line in done.stderr.splitlines() if "::" in line}
    assert listed == {
        "test_cases.py::test_exempt_without_a_reason",
        "test_cases.py::test_slow_only",
        "test_cases.py::test_bare",
    }
    (tmp_path / "test_cases.py").write_text(
        CASES.split("@pytest.mark.untiered\n")[0], encoding="utf-8"
    )
    done = _pytest(tmp_path)
    assert done.returncode == pytest.ExitCode.OK, done.stdout + done.stderr


def test_on_two_workers_an_untiered_test_fails_the_run_with_the_message(tmp_path: Path) -> None:
    """Under pytest-xdist (the default: two workers) the usage error would be an internal
    error without its message: every test fails with it instead."""
    shutil.copy(HERE.parent / "pyproject.toml", tmp_path)
    for name in ("conftest.py", "helpers.py"):
        shutil.copy(HERE / name, tmp_path / name)
    (tmp_path / "test_cases.py").write_text(CASES, encoding="utf-8")
    done = subprocess.run(
        [*PYTEST[:-2], "-n", "2", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    assert "3 test(s) without a tier marker" in done.stdout
