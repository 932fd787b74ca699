"""What drives the risk: sensitivity of a strategy's outcome to every uncertain input.

Four analyses, each on the engine's own draws (common random numbers throughout):

* :func:`rank_sensitivity` — from one run, every uncertain input of every campaign (the
  campaign-level order value and shock, each pool's levels and shared factors, and for each
  creator group the aggregates of its creators' own draws: real audience, mean engagement /
  reach / conversion rate, fees, overhead, creators hired, share delivered) against the
  output (ROI by default): Spearman rank
  correlation with its CI, standardised rank regression coefficient (SRRC) and contribution to
  variance = R² x SRRC² / sum SRRC² (the share of the output's rank variance the rank
  regression explains, split in proportion to SRRC²; with independent inputs it is exactly
  SRRC²).
* :func:`swing` — one at a time, for the tornado chart: each scenario-level input (order
  value, shock, each pool level and each shared factor) fixed at its P10 and then its P90,
  with everything else random (creators keep their own draws); the mean output at each end.
* :func:`variance_split` — Sobol first- and total-order indices of three groups of random
  numbers: the persistent parts (what a pilot could learn), the campaign parts and the order
  value (campaign to campaign), and every creator's own draws (creator luck), with bootstrap
  intervals, by pick-freeze; no extra needed.
* :func:`sobol_indices` — Sobol first- and total-order indices of the campaign-level inputs
  (order value, shock) and of all creator pools' draws taken together, with bootstrap
  intervals (SALib, the ``sensitivity`` extra), by the Saltelli / Jansen pick-freeze scheme.
"""

from campaign_sim.analysis.sensitivity.drivers import Driver, Drivers, collect_drivers
from campaign_sim.analysis.sensitivity.ranking import rank_sensitivity
from campaign_sim.analysis.sensitivity.sobol import sobol_indices
from campaign_sim.analysis.sensitivity.split import PART_LABELS, pick_freeze, variance_split
from campaign_sim.analysis.sensitivity.swing import SWING_QUANTILES, swing, swing_inputs

__all__ = [
    "PART_LABELS",
    "SWING_QUANTILES",
    "Driver",
    "Drivers",
    "collect_drivers",
    "pick_freeze",
    "rank_sensitivity",
    "sobol_indices",
    "swing",
    "swing_inputs",
    "variance_split",
]
