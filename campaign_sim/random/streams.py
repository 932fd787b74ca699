"""Where every random number comes from: the seed layout shared by both engines.

Campaigns are cut into fixed blocks of :data:`BLOCK` campaigns. Each (block, stream, quantity)
has its own generator, seeded by ``SeedSequence(seed, spawn_key=(block, stream, quantity))``.
A pool of creators (one tier on one platform) is one stream; its draws for a quantity form a
``(slots, campaigns)`` array filled row by row, so slot ``k`` of campaign ``c`` gets the same
number whatever the chunk size, the number of workers, the number of slots other strategies
need, or which other strategies the scenario holds. Campaign-level quantities (the shock, the
order value) are stream 0. This is what makes strategies share common random numbers.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import numpy as np

from campaign_sim.random.sampling import RANDOM, Sampling, block_uniforms

__all__ = [
    "BLOCK",
    "CAMPAIGN_STREAM",
    "OWN_EFFECT_ROWS",
    "POOL_ROWS",
    "QUANTITY_IDS",
    "block_ranges",
    "brand_uniforms",
    "creator_stream",
    "platform_stream",
    "pool_stream",
    "uniforms",
]

#: Campaigns per seed block. Part of the reproducibility contract: changing it changes numbers.
BLOCK = 1024

CAMPAIGN_STREAM = 0

_CREATOR_IDS = {
    "followers": 1,
    "fake_share": 2,
    "delivery_probability": 3,
    "engagement_rate": 4,
    "reach_rate": 5,
    "conversion_rate": 6,
    "fee": 7,
    "overhead": 8,
    "share_rate": 9,
    "reach_per_share": 10,
    "user_post_rate": 11,
    "reach_per_user_post": 12,
    "amplified_engagement_rate": 13,
    "amplified_conversion_rate": 14,
    "gifted_share": 15,
    "gifted_cost": 16,
    "gifted": 17,  # whether a creator takes the product-only deal (against gifted_share)
}

#: Stable ids of the quantities, for spawn keys. Never renumber: it would change every result.
#: ``pool`` holds a pool's campaign-level draws (its levels and shared factors, MODEL.md §8),
#: one row per creator quantity (:data:`POOL_ROWS`), and ``pool.persistent`` their persistent
#: parts, drawn per brand (:func:`brand_uniforms`); ``shock.persistent`` likewise for the shock.
QUANTITY_IDS = {
    **_CREATOR_IDS,
    "shock": 101,
    "aov": 102,
    "shock.persistent": 103,
    # The funnel past first attributed orders (docs/model.md, Beyond first purchases).
    "orders": 104,  # a campaign's whole direct orders, per strategy
    "orders.amplified": 105,  # and its amplified ones
    "incrementality": 106,
    "attribution_leakage": 107,
    "repeat_share": 108,
    "repeat_orders_per_month": 109,
    "niche_people": 110,  # per platform, in the platform's stream (platform_stream)
    # Timeline engine only (ids >= 200), so the vectorized engine's numbers never move.
    "production_days": 201,
    "pool": 300,
    "pool.persistent": 400,
    # A named creator's persistent own effects (MODEL.md §10), one row per quantity of
    # OWN_EFFECT_ROWS, drawn per brand in the creator's stream (creator_stream).
    "creator.persistent": 500,
}

#: The rows of a named creator's ``creator.persistent`` draws: the quantities with a
#: persistent own effect (their usual engagement, reach and conversion; MODEL.md §10).
OWN_EFFECT_ROWS = {"engagement_rate": 0, "reach_rate": 1, "conversion_rate": 2}

#: The row of each creator quantity in a pool's ``pool`` and ``pool.persistent`` draws: fixed,
#: so a quantity's campaign-level numbers never depend on which others have one (row ``k`` is
#: the same however many rows are drawn). The quantities that have one by default come first,
#: so a pool draws only the rows up to the last it uses.
POOL_ROWS = {
    name: row
    for row, name in enumerate(
        (
            "engagement_rate",
            "reach_rate",
            "conversion_rate",
            "fee",
            "followers",
            "fake_share",
            "overhead",
            "delivery_probability",
            "share_rate",
            "reach_per_share",
            "user_post_rate",
            "reach_per_user_post",
            "amplified_engagement_rate",
            "amplified_conversion_rate",
            "gifted_share",
            "gifted_cost",
        )
    )
}


def pool_stream(pool: str) -> int:
    """A stable stream id for a pool name such as ``nano/instagram`` (never 0)."""
    return zlib.crc32(pool.encode("utf-8")) | 1


def platform_stream(platform: str) -> int:
    """A stable stream id for a platform's campaign-level draws (its niche audience), apart
    from every pool's (a pool name holds a ``/``; a platform's stream name starts with ``@``)."""
    return pool_stream(f"@{platform}")


def creator_stream(handle: str) -> int:
    """A stable stream id for a named creator (MODEL.md §10), keyed by the canonical handle
    alone: apart from every pool's (a ``/``) and platform's (``@``), the same whichever
    strategy, roster file or position books the creator."""
    return pool_stream(f"creator:{handle}")


def block_ranges(campaigns: int, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """Yield ``(block index, first campaign, campaigns in block)`` covering ``campaigns``."""
    first_block = start // BLOCK
    for block in range(first_block, -(-campaigns // BLOCK)):
        first = block * BLOCK
        yield block, first, min(BLOCK, campaigns - first)


def uniforms(
    seed: int,
    blocks: list[tuple[int, int, int]],
    stream: int,
    quantity: str,
    rows: int | None,
    *,
    sampling: Sampling = RANDOM,
) -> np.ndarray:
    """Uniforms in [0, 1) for ``blocks`` (consecutive), shape ``(rows, campaigns)``.

    ``rows=None`` gives a campaign-level vector of shape ``(campaigns,)``. ``sampling`` other
    than plain random stratifies each row over its block (:mod:`campaign_sim.random.sampling`).
    """
    qid = QUANTITY_IDS[quantity]
    parts = []
    for block, _, size in blocks:
        if not sampling.iid:
            parts.append(
                block_uniforms(sampling, seed, block, stream, qid, quantity, rows, size, BLOCK)
            )
            continue
        rng = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, stream, qid)))
        )
        parts.append(rng.random(size if rows is None else (rows, size)))
    return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=-1)


def brand_uniforms(
    seed: int,
    blocks: list[tuple[int, int, int]],
    stream: int,
    quantity: str,
    horizon: int,
    rows: int | None = None,
    *,
    sampling: Sampling = RANDOM,
) -> np.ndarray:
    """Campaign-level uniforms shared by the ``horizon`` consecutive campaigns of one brand:
    campaign ``c`` gets brand ``c // horizon``'s numbers, shape ``(campaigns,)`` or ``(rows,
    campaigns)``. Brands are numbered and blocked like campaigns, so ``horizon=1`` is
    :func:`uniforms` exactly."""
    if horizon == 1:
        return uniforms(seed, blocks, stream, quantity, rows, sampling=sampling)
    campaigns = np.concatenate([np.arange(first, first + size) for _, first, size in blocks])
    brands = campaigns // horizon
    first_block, last = int(brands[0]) // BLOCK, int(brands[-1])
    # Whole blocks of brands: a brand's numbers must not depend on which brands a chunk holds.
    brand_blocks = [
        (block, block * BLOCK, BLOCK) for block in range(first_block, last // BLOCK + 1)
    ]
    values = uniforms(seed, brand_blocks, stream, quantity, rows, sampling=sampling)
    return values[..., brands - first_block * BLOCK]
