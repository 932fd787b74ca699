"""Creator handles: one canonical spelling, so ``@BeanLab`` in a roster and ``beanlab`` in an
observed-creators file are the same creator (and the same random stream)."""

from __future__ import annotations

__all__ = ["canonical_handle", "shown_handle"]


def canonical_handle(text: str) -> str:
    """``text`` without surrounding spaces and one leading ``@``, lower case (handles on
    Instagram, TikTok and YouTube are case-insensitive)."""
    handle = text.strip()
    if handle.startswith("@"):
        handle = handle[1:]
    return handle.strip().lower()


def shown_handle(handle: str) -> str:
    """How tables print a canonical handle: ``@beanlab``."""
    return f"@{handle}"
