"""What ``--help`` shows beyond the options: a one-line summary and real examples."""

from __future__ import annotations

__all__ = ["examples"]


def examples(*commands: str) -> str:
    """An epilog of example command lines, kept as written (click's ``\\b`` marker)."""
    lines = "\n".join(f"  $ {command}" for command in commands)
    return f"\b\nExamples:\n{lines}"
