"""campaign-sim: Monte Carlo planning of influencer-marketing campaigns.

The flow is scenario -> draws -> engine -> statistics -> comparison, each a module:

>>> from campaign_sim import load_scenario, simulate, summarize, compare
>>> scenario = load_scenario("scenarios/coffee-launch.yaml")
>>> outcomes = simulate(scenario, campaigns=10_000, seed=1)
>>> summarize(outcomes).frame()            # doctest: +SKIP

The public names are imported on first use (PEP 562), so ``import campaign_sim`` (and the
command line's ``--help``) loads no numpy, scipy or pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.4.0"

if TYPE_CHECKING:
    from campaign_sim.analysis.compare import Comparison, compare
    from campaign_sim.analysis.horizon import HorizonResult, simulate_horizon
    from campaign_sim.analysis.stats import Summary, summarize
    from campaign_sim.analysis.timeline import TimelineResult
    from campaign_sim.engine.timeline import simulate_timeline
    from campaign_sim.engine.vectorized import METRICS, Outcomes, simulate
    from campaign_sim.errors import ArgumentError, InputError
    from campaign_sim.pipeline import RunResult, analyse_sensitivity, run_scenario
    from campaign_sim.results.run import write_run, write_sensitivity
    from campaign_sim.scenario.loading import load_scenario, scenario_from_dict
    from campaign_sim.scenario.plan import Scenario

#: Public name -> the module that defines it.
_HOMES = {
    "Comparison": "campaign_sim.analysis.compare",
    "compare": "campaign_sim.analysis.compare",
    "HorizonResult": "campaign_sim.analysis.horizon",
    "simulate_horizon": "campaign_sim.analysis.horizon",
    "Summary": "campaign_sim.analysis.stats",
    "summarize": "campaign_sim.analysis.stats",
    "TimelineResult": "campaign_sim.analysis.timeline",
    "simulate_timeline": "campaign_sim.engine.timeline",
    "METRICS": "campaign_sim.engine.vectorized",
    "Outcomes": "campaign_sim.engine.vectorized",
    "simulate": "campaign_sim.engine.vectorized",
    "InputError": "campaign_sim.errors",
    "ArgumentError": "campaign_sim.errors",
    "RunResult": "campaign_sim.pipeline",
    "analyse_sensitivity": "campaign_sim.pipeline",
    "run_scenario": "campaign_sim.pipeline",
    "write_run": "campaign_sim.results.run",
    "write_sensitivity": "campaign_sim.results.run",
    "load_scenario": "campaign_sim.scenario.loading",
    "scenario_from_dict": "campaign_sim.scenario.loading",
    "Scenario": "campaign_sim.scenario.plan",
}

__all__ = [
    "METRICS",
    "ArgumentError",
    "Comparison",
    "HorizonResult",
    "InputError",
    "Outcomes",
    "RunResult",
    "Scenario",
    "Summary",
    "TimelineResult",
    "__version__",
    "analyse_sensitivity",
    "compare",
    "load_scenario",
    "run_scenario",
    "scenario_from_dict",
    "simulate",
    "simulate_horizon",
    "simulate_timeline",
    "summarize",
    "write_run",
    "write_sensitivity",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use and keep it here."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'campaign_sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy public ones included."""
    return sorted(set(globals()) | set(__all__))
