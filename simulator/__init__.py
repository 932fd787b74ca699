"""campaign-sim: Monte Carlo planning of influencer-marketing campaigns.

The flow is scenario -> draws -> engine -> statistics -> comparison, each a module:

>>> from simulator import load_scenario, simulate, summarize, compare
>>> scenario = load_scenario("scenarios/coffee-launch.yaml")
>>> outcomes = simulate(scenario, campaigns=10_000, seed=1)
>>> summarize(outcomes).frame()            # doctest: +SKIP
"""

__version__ = "0.1.0"

from .compare import Comparison, compare
from .engine import METRICS, Outcomes, simulate
from .errors import InputError
from .scenario import Scenario, load_scenario, scenario_from_dict
from .stats import Summary, summarize
from .timeline import simulate_timeline
from .timeline_result import TimelineResult

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
