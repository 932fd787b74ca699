"""Strict pydantic models, the number types of files, and did-you-mean suggestions.

The rules every file shares (docs/scenario-format.md, Validation): numbers are finite
(``.nan``, ``.inf`` and ``1.0e+999`` are refused), whole numbers are written as numbers
(``20`` or ``20.0``, never ``"20"``, ``yes`` or ``20.5``), numbers are never text or true/false,
flags are true or false, and every unknown key is reported with the closest known one.
"""

from __future__ import annotations

import difflib
import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from campaign_sim.errors import shown

__all__ = [
    "Flag",
    "Integer",
    "NonNegativeInteger",
    "NonNegativeNumber",
    "Number",
    "PositiveInteger",
    "PositiveNumber",
    "Strict",
    "UnknownKey",
    "suggest",
]


def suggest(word: str, choices: Any) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    if len(word) > 100:  # no one misspells a key that long; and matching it is slow
        return ""
    match = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _whole_number(value: Any) -> Any:
    """A whole number as written in a file: ``20`` or ``20.0`` (read as 20); a non-finite
    number, text and true/false are refused here, a fraction by the int validator."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        if value.is_integer():
            return int(value)
    return value


#: A number (an int is read as a float); never text, true/false, .nan or .inf.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
PositiveNumber = Annotated[Number, Field(gt=0)]
NonNegativeNumber = Annotated[Number, Field(ge=0)]
#: A whole number: 20 or 20.0, never "20", yes, 20.5 or .inf.
Integer = Annotated[int, Field(strict=True), BeforeValidator(_whole_number)]
# The bounds sit on the int itself (not around the validator): the JSON Schema keeps them.
PositiveInteger = Annotated[int, Field(strict=True, gt=0), BeforeValidator(_whole_number)]
NonNegativeInteger = Annotated[int, Field(strict=True, ge=0), BeforeValidator(_whole_number)]
#: true or false (YAML's yes/no/on/off read as such), never 1, 0 or text.
Flag = Annotated[bool, Field(strict=True)]


class UnknownKey:
    """Stands for the value of an unknown key during validation, carrying the message that
    pydantic's ``extra_forbidden`` error reports (every unknown key of a file, in one pass)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return "<unknown key>"


class Strict(BaseModel):
    """A frozen model that rejects unknown keys, suggesting the closest known one, and
    non-finite numbers."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        known = set(cls.model_fields) | {
            f.alias for f in cls.model_fields.values() if f.alias is not None
        }
        unknown = [key for key in data if not isinstance(key, str) or key not in known]
        if not unknown:
            return data
        allowed = ", ".join(sorted(k for k in known if k != "family"))
        # A copy: the caller's data is never changed. Each unknown key's value becomes its
        # message, which pydantic reports as extra_forbidden while it checks the other keys.
        marked = dict(data)
        for key in unknown:
            hint = suggest(key, known) if isinstance(key, str) else ""
            marked[key] = UnknownKey(f"unknown key {shown(key)}{hint}; allowed: {allowed}")
        return marked
