"""The ``campaign-sim`` command line: parses options, calls the API, prints."""

from campaign_sim.cli.main import main

__all__ = ["main"]
