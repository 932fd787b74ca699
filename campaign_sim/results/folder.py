"""Results folders, written atomically, with a manifest that says what produced them.

A results folder is built in a hidden temporary sibling and moved into place in one rename, so
an interrupted run leaves the previous folder (or nothing) behind, never half a result.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from campaign_sim import __version__
from campaign_sim.errors import InputError

__all__ = [
    "MANIFEST",
    "ResultsWriter",
    "atomic_write_bytes",
    "atomic_write_text",
    "check_out",
    "default_out",
    "horizon_fields",
    "json_ready",
    "manifest",
    "results_folder",
    "safe_text",
]

MANIFEST = "manifest.json"
#: Leading characters that make spreadsheet programs read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """Defuse text that a spreadsheet would run as a formula, by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def json_ready(value: Any) -> Any:
    """Plain JSON types; NaN and infinities become null."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_out(scenario_source: str | None, command: str) -> Path:
    stem = Path(scenario_source).stem if scenario_source else "scenario"
    return Path("results") / f"{stem}-{command}"


def horizon_fields(scenario: Any) -> dict[str, Any]:
    """``{"horizon_months": N}`` when the scenario has repeat buyers over N months (what the
    ``*_horizon`` metrics, e.g. ``roi_horizon``, cover), else nothing: roi, roas, profit and
    revenue are always on first purchases."""
    funnel = getattr(scenario, "funnel", None)
    repeat = getattr(funnel, "repeat", None)
    return {} if repeat is None else {"horizon_months": int(repeat.months)}


def manifest(
    *,
    command: str,
    scenario: Any,
    seed: int,
    campaigns: int,
    timings: dict,
    settings: dict | None = None,
    files: list[str] | None = None,
) -> dict:
    """What produced a result: scenario hash, seed, versions, timings."""
    return {
        "tool": "campaign-sim",
        "version": __version__,
        "command": command,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "scenario": {
            "name": scenario.name,
            "path": scenario.source,
            "sha256": scenario.digest,
            "priors": scenario.priors_name,
            "currency": scenario.currency,
            **horizon_fields(scenario),
        },
        "strategies": {s.name: s.label for s in scenario.strategies},
        "seed": seed,
        "campaigns": campaigns,
        "settings": settings or {},
        "timings_s": timings,
        "files": sorted(files or []),
        "argv": sys.argv,
        "platform": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
        },
    }


class ResultsWriter:
    """Collects files in a temporary folder; :func:`results_folder` moves it into place."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[str] = []

    def csv(self, name: str, frame: pd.DataFrame) -> None:
        frame = frame.copy()
        for column in frame.columns:
            # pandas 3 stores text as the "str" dtype, no longer as object
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                frame[column] = frame[column].map(safe_text)
        frame.to_csv(self.folder / name, index=False)
        self.files.append(name)

    def parquet(self, name: str, frame: pd.DataFrame) -> None:
        frame.to_parquet(self.folder / name, index=False)
        self.files.append(name)

    def json(self, name: str, data: Any) -> None:
        (self.folder / name).write_text(
            json.dumps(json_ready(data), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        self.files.append(name)


def _not_replaceable(out: Path) -> str | None:
    """Why a results folder cannot go to ``out``, if it exists and is not one."""
    if not out.exists():
        return None
    if not out.is_dir():
        return "it is a file, not a folder"
    try:
        foreign = any(out.iterdir()) and not (out / MANIFEST).exists()
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if foreign:
        return "it is not a campaign-sim results folder (it has no manifest.json)"
    return None


def check_out(out: Path, option: str = "--out") -> Path:
    """Check, before any work, that a results folder can be written at ``out``: it is not a
    file, nor a folder of something else, and its parent (or, when that does not exist yet,
    the nearest folder above it) lets a folder be made in it: tried for real, with a hidden
    folder made and removed at once. A problem raises :class:`~campaign_sim.errors.InputError`
    naming ``option`` and the path; nothing is left behind. Returns ``out``."""
    out = Path(out)

    def refuse(why: str) -> InputError:
        return InputError.single(None, option, f"cannot write results to '{out}': {why}")

    resolved = out.resolve()
    if resolved.parent == resolved:
        raise refuse("the root of the file system cannot be a results folder")
    why = _not_replaceable(out)
    if why is not None:
        raise InputError.single(None, option, f"refusing to replace '{out}': {why}")
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise refuse(f"'{parent}' is a file, not a folder")
    try:
        probe = tempfile.mkdtemp(dir=parent, prefix=f".{out.name or 'results'}.", suffix=".probe")
    except OSError as exc:
        raise refuse(f"no folder can be made in '{parent}' ({exc.strerror or exc})") from None
    os.rmdir(probe)
    return out


@contextmanager
def results_folder(out: Path) -> Iterator[ResultsWriter]:
    """Write a results folder at ``out`` atomically (replacing an earlier result there)."""
    out = Path(out)
    why = _not_replaceable(out)
    if why is not None:
        raise InputError.single(None, "--out", f"refusing to replace '{out}': {why}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        writer = ResultsWriter(tmp)
        yield writer
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
