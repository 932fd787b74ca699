"""campaign-sim: Monte Carlo planning of influencer-marketing campaigns.

The flow is scenario -> draws -> engine -> statistics -> comparison, each a module:

>>> from campaign_sim import load_scenario, simulate, summarize, compare
>>> scenario = load_scenario("scenarios/coffee-launch.yaml")
>>> outcomes = simulate(scenario, campaigns=10_000, seed=1)
>>> summarize(outcomes).frame()            # doctest: +SKIP
"""

__version__ = "0.1.0"

from campaign_sim.analysis.compare import Comparison, compare
from campaign_sim.analysis.stats import Summary, summarize
from campaign_sim.analysis.timeline import TimelineResult
from campaign_sim.engine.timeline import simulate_timeline
from campaign_sim.engine.vectorized import METRICS, Outcomes, simulate
from campaign_sim.errors import InputError
from campaign_sim.scenario.loading import Scenario, load_scenario, scenario_from_dict

__all__ = [
    "METRICS",
    "Comparison",
    "InputError",
    "Outcomes",
    "Scenario",
    "Summary",
    "TimelineResult",
    "__version__",
    "compare",
    "load_scenario",
    "scenario_from_dict",
    "simulate",
    "simulate_timeline",
    "summarize",
]
