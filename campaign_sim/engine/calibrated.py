"""The persistent normal scores of a calibrated scenario (MODEL.md §9, docs/scenario-format.md).

A calibrated priors file gives a joint Gaussian over the persistent scores of some pools'
quantities and of the shock: ``Zp = mean + L e``, ``L`` the lower Cholesky factor of its
covariance. ``e_k = Phi^-1(u_k)``, where ``u_k`` is exactly the uniform the engine draws for that
persistent part without a calibration (the pool's stream, ``pool.persistent``, row
``POOL_ROWS[quantity]``; the campaign stream's ``shock.persistent``), so everything else about a
draw is unchanged, and a name whose mean is 0 and whose row of ``L`` is the unit row keeps the
engine's own numbers bit for bit. Listed pools that the scenario's strategies do not hire from
still have their ``e`` drawn (from their own, name-keyed streams), since later names mix them.

A named creator's own effect (``@handle/quantity``, MODEL.md §10) is drawn the same way: ``e``
from the uniforms the engine draws for it anyway, the creator's stream
(:func:`~campaign_sim.random.streams.creator_stream`), ``creator.persistent``, row
``OWN_EFFECT_ROWS[quantity]``; its score is in :attr:`CalibratedScores.creators`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import special

from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.random.streams import (
    CAMPAIGN_STREAM,
    OWN_EFFECT_ROWS,
    POOL_ROWS,
    brand_uniforms,
    creator_stream,
    pool_stream,
)
from campaign_sim.scenario.plan import Scenario
from campaign_sim.scenario.priors_schema import SHOCK_NAME

__all__ = ["CalibratedScores", "calibrated_scores"]


@dataclass(frozen=True)
class CalibratedScores:
    """The calibrated persistent scores of one chunk, shape (campaigns,) each: by pool and
    quantity, and the shock's (None: the engine's own); ``creators``: named creators' own
    persistent effects ``eta_p``, canonical handle -> quantity -> score. Names that the
    calibration leaves as they are (mean 0, unit row) are absent."""

    pools: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    shock: np.ndarray | None = None
    creators: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


def calibrated_scores(
    scenario: Scenario,
    seed: int,
    blocks: list[tuple[int, int, int]],
    horizon: int = 1,
    *,
    sampling: Sampling = RANDOM,
) -> CalibratedScores | None:
    """The persistent scores ``mean + L e`` of every name of ``scenario.calibrated`` for the
    seed ``blocks`` of the persistent part (None: the scenario is not calibrated)."""
    posterior = scenario.calibrated
    if posterior is None:
        return None
    rows: dict[str, int] = {}
    handles: set[str] = set()
    for name in posterior.names:
        if name.startswith("@"):
            handles.add(name[1:].rsplit("/", 1)[0])
        elif name != SHOCK_NAME:
            pool, quantity = name.rsplit("/", 1)
            rows[pool] = max(rows.get(pool, 0), POOL_ROWS[quantity] + 1)
    drawn = {
        pool: brand_uniforms(
            seed, blocks, pool_stream(pool), "pool.persistent", horizon, count, sampling=sampling
        )
        for pool, count in rows.items()
    }
    own = {
        handle: brand_uniforms(
            seed,
            blocks,
            creator_stream(handle),
            "creator.persistent",
            horizon,
            len(OWN_EFFECT_ROWS),
            sampling=sampling,
        )
        for handle in sorted(handles)
    }
    e = []
    for name in posterior.names:
        if name == SHOCK_NAME:
            u = brand_uniforms(
                seed, blocks, CAMPAIGN_STREAM, "shock.persistent", horizon, sampling=sampling
            )
        elif name.startswith("@"):
            handle, quantity = name[1:].rsplit("/", 1)
            u = own[handle][OWN_EFFECT_ROWS[quantity]]
        else:
            pool, quantity = name.rsplit("/", 1)
            u = drawn[pool][POOL_ROWS[quantity]]
        e.append(special.ndtri(u))
    out = CalibratedScores()
    shock = None
    for k, name in enumerate(posterior.names):
        row = posterior.factor[k]
        if posterior.mean[k] == 0 and row[k] == 1 and np.count_nonzero(row) == 1:
            continue  # the prior's own score, exactly
        score = np.full_like(e[k], posterior.mean[k])
        for j in np.flatnonzero(row[: k + 1]):
            score += row[j] * e[j]
        if name == SHOCK_NAME:
            shock = score
        elif name.startswith("@"):
            handle, quantity = name[1:].rsplit("/", 1)
            out.creators.setdefault(handle, {})[quantity] = score
        else:
            pool, quantity = name.rsplit("/", 1)
            out.pools.setdefault(pool, {})[quantity] = score
    return CalibratedScores(out.pools, shock, out.creators)
