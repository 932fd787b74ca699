"""A saved results folder, read back for reporting: the manifest and its tables.

Reports never simulate: everything they show comes from the files a command wrote. Tables are
read lazily, so a report that needs only the summary does not parse a large Parquet file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from campaign_sim.errors import InputError
from campaign_sim.results.folder import FORMULA_PREFIXES, MANIFEST

__all__ = ["Results", "load_results", "read_json", "unescape_text"]


def unescape_text(value: Any) -> Any:
    """Undo :func:`campaign_sim.results.folder.safe_text` on a value read back from a CSV."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_PREFIXES:
        return value[1:]
    return value


@dataclass
class Results:
    """A results folder: ``manifest`` (dict) and its tables by file name, read on first use."""

    folder: Path
    manifest: dict
    _tables: dict[str, pd.DataFrame | None] = field(default_factory=dict, repr=False)
    _documents: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- what produced it ------------------------------------------------------------------
    @property
    def command(self) -> str:
        return str(self.manifest.get("command", ""))

    @property
    def strategies(self) -> dict[str, str]:
        """Strategy name -> label, in the scenario's order (the order of colours too)."""
        return dict(self.manifest.get("strategies") or {})

    def label(self, strategy: str) -> str:
        return self.strategies.get(strategy) or strategy

    @property
    def scenario_name(self) -> str:
        return str((self.manifest.get("scenario") or {}).get("name") or "")

    @property
    def currency(self) -> str:
        return str((self.manifest.get("scenario") or {}).get("currency") or "")

    @property
    def horizon_months(self) -> int | None:
        """The repeat buyers' horizon the ``*_horizon`` metrics cover (None: no repeats)."""
        months = (self.manifest.get("scenario") or {}).get("horizon_months")
        return int(months) if isinstance(months, (int, float)) else None

    @property
    def seed(self) -> Any:
        return self.manifest.get("seed")

    @property
    def campaigns(self) -> int:
        return int(self.manifest.get("campaigns") or 0)

    @property
    def settings(self) -> dict:
        return dict(self.manifest.get("settings") or {})

    # -- tables ------------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def table(self, name: str) -> pd.DataFrame | None:
        """The CSV or Parquet file ``name`` as a DataFrame (text unescaped), or None if absent."""
        if name not in self._tables:
            self._tables[name] = self._read(name) if self.has(name) else None
        return self._tables[name]

    def _read(self, name: str) -> pd.DataFrame:
        path = self.folder / name
        try:
            if name.endswith(".parquet"):
                return pd.read_parquet(path)
            if 0 < path.stat().st_size <= 2 and not path.read_bytes().strip():
                return pd.DataFrame()  # what an empty table without columns is written as
            frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
        except (OSError, ValueError) as exc:
            raise InputError.single(path, name, f"cannot be read: {exc}") from exc
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                frame[column] = frame[column].map(unescape_text)
        return frame

    def json(self, name: str) -> Any:
        """The JSON document ``name``, or None if absent (read once)."""
        if name not in self._documents:
            path = self.folder / name
            self._documents[name] = read_json(path, name) if path.is_file() else None
        return self._documents[name]

    @property
    def summary(self) -> pd.DataFrame | None:
        return self.table("summary.csv")

    @property
    def risk(self) -> pd.DataFrame | None:
        return self.table("risk.csv")

    @property
    def quantiles(self) -> pd.DataFrame | None:
        return self.table("quantiles.csv")

    @property
    def priors(self) -> pd.DataFrame | None:
        """priors.csv; for folders without one (sweep, timeline), the priors of the scenario
        file the manifest names, if that file still has the recorded sha256."""
        if "priors.csv" not in self._tables and not self.has("priors.csv"):
            self._tables["priors.csv"] = self._scenario_priors()
        return self.table("priors.csv")

    def _scenario_priors(self) -> pd.DataFrame | None:
        from campaign_sim.scenario.priors import priors_frame

        plan = self.scenario_plan
        return None if plan is None else priors_frame(plan.priors)

    @cached_property
    def scenario_plan(self) -> Any:
        """The :class:`~campaign_sim.scenario.plan.Scenario` of the file the manifest names
        (with the calibrated priors file it names, if any), while it still has the recorded
        sha256 (else None: an edited scenario is not this result's). Its economics, shock,
        correlations and groups are not in the folder."""
        from campaign_sim.scenario.loading import load_scenario

        scenario = self.manifest.get("scenario") or {}
        path = scenario.get("path")
        if not path or not Path(path).is_file():
            return None
        # a run with calibrated priors records its priors file (campaign_sim.results.run)
        calibrated = ((self.manifest.get("calibration") or {}).get("priors") or {}).get("file")
        priors = calibrated if calibrated and Path(calibrated).is_file() else None
        try:
            plan = load_scenario(path, priors=priors)
        except InputError:
            return None
        return plan if plan.digest == scenario.get("sha256") else None

    @property
    def comparison(self) -> pd.DataFrame | None:
        return self.table("comparison.csv")

    @cached_property
    def ordered_strategies(self) -> list[str]:
        """Strategies present in the tables, in manifest order."""
        names = list(self.strategies)
        for frame in (self.summary, self.risk):
            if frame is not None and "strategy" in frame:
                names += [s for s in frame["strategy"].unique() if s not in names]
        return names

    def metric(self, strategy: str, metric: str) -> pd.Series | None:
        """One row of summary.csv (mean, mean_ci_low/high, p5 ... p95), or None."""
        frame = self.summary
        if frame is None:
            return None
        rows = frame[(frame["strategy"] == strategy) & (frame["metric"] == metric)]
        return None if rows.empty else rows.iloc[0]

    def risk_of(self, strategy: str) -> pd.Series | None:
        frame = self.risk
        if frame is None:
            return None
        rows = frame[frame["strategy"] == strategy]
        return None if rows.empty else rows.iloc[0]

    def difference(self, metric: str) -> pd.Series | None:
        """One row of comparison.csv (A - B for ``metric``), or None."""
        frame = self.comparison
        if frame is None:
            return None
        rows = frame[frame["metric"] == metric]
        return None if rows.empty else rows.iloc[0]


def read_json(path: Path, name: str) -> Any:
    """A JSON file, or an InputError saying that it is empty, truncated or not JSON."""
    folder = path.parent
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError.single(folder, name, "is not JSON (it is not UTF-8 text)") from None
    except OSError as exc:
        raise InputError.single(folder, name, f"cannot be read: {exc.strerror or exc}") from exc
    if not text.strip():
        raise InputError.single(folder, name, "is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        rest = text[exc.pos :].rstrip()
        # the writers indent their JSON: a mistake on the last line is where the file stops
        last_line = "\n" in text.rstrip() and "\n" not in rest
        if exc.msg.startswith("Unterminated string"):
            message = f"is truncated: a string that starts at {where} never ends"
        elif exc.msg != "Extra data" and (not rest or last_line):
            message = f"is truncated: the JSON stops at {where} before it is complete"
        else:
            message = f"is not valid JSON: {exc.msg} ({where})"
        raise InputError.single(folder, name, message) from None


def load_results(folder: str | Path, *, check: bool = False) -> Results:
    """Open a results folder written by ``campaign-sim`` (it must hold manifest.json).

    With ``check``, first make sure the folder holds every file its command writes, whole
    (:func:`campaign_sim.reports.checks.check_results`): an InputError names each file that
    is missing or unreadable and what is wrong with it."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputError.single(folder, "RESULTS_DIR", "is not a folder")
    if not path.is_file():
        raise InputError.single(
            folder,
            "RESULTS_DIR",
            "has no manifest.json: give a folder written by campaign-sim run, compare, sweep, "
            "timeline, sensitivity or optimize",
        )
    manifest = read_json(path, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("tool") != "campaign-sim":
        raise InputError.single(path, "tool", "is not a campaign-sim manifest")
    if manifest.get("command") == "report":
        raise InputError.single(
            folder, "RESULTS_DIR", "is a report folder; give the results folder it was built from"
        )
    results = Results(folder, manifest)
    if check:
        from campaign_sim.reports.checks import check_results

        check_results(results)
    return results


def finite(value: Any) -> bool:
    """True for a real, finite number."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False
