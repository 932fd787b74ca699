"""A table of display strings: what slides and Markdown show (the workbook keeps numbers)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TextTable"]


@dataclass(frozen=True)
class TextTable:
    """A table of display strings (header row, then rows), ready for a slide or Markdown."""

    header: list[str]
    rows: list[list[str]]
