"""Warnings meant for the person at the keyboard, not for a developer.

They are Python warnings, so a notebook sees them as usual; the command line prints each once
on stderr as ``warning: <message>`` (``campaign_sim.cli.main``).
"""

from __future__ import annotations

__all__ = ["Notice"]


class Notice(UserWarning):
    """A warning for the user: input that is valid but probably not meant, a missing font."""
