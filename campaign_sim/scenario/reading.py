"""Reading YAML files and validating them, every problem translated to a key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from campaign_sim.errors import InputError, Problem, format_path
from campaign_sim.scenario.priors_schema import SPEC_TAGS

__all__ = ["read_yaml", "validate"]


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping with ``yaml.safe_load``; errors name the file and the line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(path, "(file)", "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(path, "(file)", f"cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError.single(path, where, f"not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise InputError.single(path, "(top level)", "expected a mapping of keys to values")
    return data


def validate(model: type[BaseModel], data: dict[str, Any], source: str | Path | None) -> Any:
    """Validate ``data`` against ``model``; every problem names its key path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, [_problem(error) for error in exc.errors()]) from None


def _problem(error: Any) -> Problem:
    """One pydantic error as a problem: its key path without union tags, its message with the
    value given."""
    loc = [p for p in error["loc"] if p not in SPEC_TAGS and not str(p).startswith("function-")]
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] not in ("unknown_key", "missing", "unknown_family", "missing_family") and (
        isinstance(value, (int, float, str)) and not isinstance(value, bool)
    ):
        message += f" (got {value!r})"
    return Problem(format_path(loc), message)
