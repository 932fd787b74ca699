"""Warnings about input that is valid but probably not what was meant.

They are Python warnings (``warnings.warn``), so a notebook sees them as usual; the command line
prints each one once on stderr as ``warning: <message>`` (``campaign_sim.cli.main``). Their
messages read like an error's: the file, the key path, what is wrong.
"""

from __future__ import annotations

from campaign_sim.notices import Notice

__all__ = ["InputWarning", "UnusedOverrideWarning"]


class InputWarning(Notice):
    """Input that is valid but probably not what was meant: the file, the key path, why."""


class UnusedOverrideWarning(InputWarning):
    """A prior override for a tier, or a tier's platform, that no strategy group uses: it
    changes nothing (``priors.tiers.macro: overrides a tier no strategy uses``)."""
