"""Variance-reduced uniforms for one seed block: Latin hypercube, scrambled Sobol, antithetic.

:mod:`campaign_sim.random.streams` gives every (block, stream, quantity) its own generator; a
quantity's
uniforms form a ``(rows, campaigns)`` array, one row per creator slot of a pool. Plain
``random`` sampling fills that array with independent uniforms. The methods here instead
*stratify each row over the campaigns of its block*:

``lhs``
    Each row is a Latin hypercube sample of the block: one point, uniform, in each of the
    ``block`` equal intervals of [0, 1), in a random order. Rows and quantities are independent,
    so every input is stratified on its own (1-D stratification per input, independent across
    inputs: a Latin hypercube). The mean of any additive function of the inputs then has a
    variance of order ``1/block**3`` instead of ``1/block``; what is left is the interaction
    (non-additive) part of the output (Stein 1987). The variance of a mean never grows by more
    than ``block / (block - 1)``.
``sobol``
    The two campaign-level inputs (shock and order value) are the two dimensions of one
    scrambled Sobol sequence per block (:class:`scipy.stats.qmc.Sobol`, ``2**10`` points), so
    their *joint* distribution is stratified and their interaction (revenue is AOV x shock) is
    averaged out too, not only their main effects. Every other input (each creator row) is a
    Latin hypercube row as above. Creator rows cannot be further dimensions of the same
    sequence: a pool's row count depends on the chunk's fees, and a dimension index that moved
    with it would break reproducibility. Nor can each row be its own one-dimensional Sobol
    sequence: every one-dimensional (0, m, 1)-net in base 2 sends campaigns 2i and 2i + 1 to
    opposite halves of [0, 1), whatever the scrambling, so all rows would be strongly
    correlated with each other through the campaign index (we measured |r| ~ 0.5 - 0.96), which
    raises the variance of a sum over creators instead of lowering it.
``antithetic`` (with any method)
    Campaigns come in pairs ``(u, 1 - u)``, for every uniform: the base method draws half a
    block and each point is followed by its mirror. Outputs that are monotone in the inputs
    (ROI is) become negatively correlated within a pair.

Reproducibility: the rows of each (block, stream, quantity) come from that block's generators
in row order, so row ``k`` is the same whatever the number of rows asked for: slot ``k`` of
campaign ``c`` gets the same number whatever the chunk size, workers, or slots other
strategies need. A block
is always generated whole and cut to the campaigns it holds, so campaign ``c``'s numbers do not
depend on how many campaigns run either; stratification is complete only for whole blocks.

Standard errors: within a block the campaigns are not independent, so ``sd / sqrt(n)`` is no
longer the Monte Carlo standard error (it overstates it for stratified sampling). Blocks are
independent replicates, so the honest standard error comes from the spread of block means:
:func:`campaign_sim.analysis.convergence.replicate_se`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import qmc

__all__ = ["CAMPAIGN_JOINT", "METHODS", "RANDOM", "Sampling", "block_uniforms"]

Method = Literal["random", "lhs", "sobol"]
METHODS: tuple[str, ...] = ("random", "lhs", "sobol")
#: Campaign-level quantities drawn jointly as the dimensions of one Sobol sequence per block.
CAMPAIGN_JOINT = ("shock", "aov")
_METHOD_KEYS = {"random": 0, "lhs": 1, "sobol": 2}
#: Quantity id 0 is never a quantity (see streams.QUANTITY_IDS): it keys the joint sequence.
_JOINT_QID = 0


@dataclass(frozen=True)
class Sampling:
    """How uniforms are drawn: ``method`` (random, lhs, sobol) and antithetic pairs or not."""

    method: Method = "random"
    antithetic: bool = False

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"sampling method(={self.method!r}) must be one of {METHODS}")

    @classmethod
    def of(cls, value: Sampling | str | None, antithetic: bool = False) -> Sampling:
        """A :class:`Sampling` from itself, a method name (``None``: random)."""
        if isinstance(value, Sampling):
            return value
        return cls(value or "random", antithetic)  # type: ignore[arg-type]

    @property
    def iid(self) -> bool:
        """True when campaigns are independent (plain random sampling)."""
        return self.method == "random" and not self.antithetic

    @property
    def label(self) -> str:
        return self.method + ("+antithetic" if self.antithetic else "")


RANDOM = Sampling()


def _generator(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def block_uniforms(
    sampling: Sampling,
    seed: int,
    block: int,
    stream: int,
    qid: int,
    quantity: str,
    rows: int | None,
    size: int,
    block_size: int,
) -> np.ndarray:
    """Uniforms in [0, 1) of one block: shape ``(rows, size)``, or ``(size,)`` if ``rows`` is None.

    Not for plain random sampling, which :func:`campaign_sim.random.streams.uniforms` draws itself.
    """
    n = block_size // 2 if sampling.antithetic else block_size
    m = n.bit_length() - 1
    if sampling.method == "sobol" and rows is None and quantity in CAMPAIGN_JOINT:
        key = (block, stream, _JOINT_QID, _METHOD_KEYS["sobol"], int(sampling.antithetic))
        engine = qmc.Sobol(len(CAMPAIGN_JOINT), scramble=True, seed=_generator(seed, key))
        base = engine.random_base2(m)[:, CAMPAIGN_JOINT.index(quantity)][None, :]
    else:
        # Rows are drawn in order (permutations from this generator, positions inside the
        # strata from a second one), so row r never depends on how many rows follow it.
        key = (block, stream, qid, _METHOD_KEYS[sampling.method], int(sampling.antithetic))
        rng = _generator(seed, key)
        count = 1 if rows is None else rows
        if sampling.method == "random":
            base = rng.random((count, n))
        else:
            order = rng.permuted(np.broadcast_to(np.arange(n), (count, n)), axis=1)
            base = (order + _generator(seed, (*key, 1)).random((count, n))) / n
    out = _mirror(base) if sampling.antithetic else base
    out = out[:, :size]
    return out[0] if rows is None else out


def _mirror(base: np.ndarray) -> np.ndarray:
    """Interleave each point with its antithetic partner: u0, 1-u0, u1, 1-u1, ..."""
    out = np.empty((base.shape[0], 2 * base.shape[1]))
    out[:, 0::2] = base
    # 1 - u of u == 0 would be 1, outside [0, 1): keep the partner just below 1.
    out[:, 1::2] = np.minimum(1.0 - base, 1.0 - 2.0**-53)
    return out
