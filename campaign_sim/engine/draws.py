"""Draw every creator's and every campaign's random quantities for a chunk of campaigns.

Both engines consume these draws, so both see the same creators for the same seed. Arrays of
creators have shape ``(slots, campaigns)``: the campaigns on the last axis, one row per slot
of a pool (see :mod:`campaign_sim.random.streams`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.random.streams import CAMPAIGN_STREAM, pool_stream, uniforms
from campaign_sim.scenario.plan import GroupPlan, Scenario

__all__ = ["CampaignDraws", "ChunkDraws", "GroupDraws", "Layout", "PoolDraws", "draw_chunk"]

#: A budget group cannot hire more creators than its budget buys at this quantile of the fee.
#: Hiring past that bound would need the average fee of the hired creators to fall below it,
#: which for any budget covering one P5 fee has a probability far below 1e-12.
BUDGET_CAP_QUANTILE = 1e-6
#: A budget group hires a creator while the fees so far fit the budget within this relative
#: tolerance: a budget computed as share x strategy budget carries float noise (0.29 x 100,000
#: is 28,999.999999999996), and ten fees of 2,900 must still fit it.
BUDGET_TOLERANCE = 1e-9


@dataclass(frozen=True)
class GroupSlots:
    """Where one strategy group's creators sit in its pool's rows."""

    strategy: str
    index: int  # position of the group in its strategy
    group: GroupPlan
    offset: int
    rows: int  # count, or the most creators the budget can buy


@dataclass(frozen=True)
class Layout:
    """Rows per pool and each group's rows: a pure function of the scenario."""

    pools: dict[str, int]
    slots: tuple[GroupSlots, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> Layout:
        pools: dict[str, int] = {}
        slots = []
        for strategy in scenario.strategies:
            used: dict[str, int] = {}
            for index, group in enumerate(strategy.groups):
                offset = used.get(group.pool, 0)
                rows = group.count if group.count is not None else _budget_cap(group)
                slots.append(GroupSlots(strategy.name, index, group, offset, rows))
                used[group.pool] = offset + rows
            for pool, rows in used.items():
                pools[pool] = max(pools.get(pool, 0), rows)
        return cls(pools, tuple(slots))


def _budget_cap(group: GroupPlan) -> int:
    cheapest = float(group.dist("fee").ppf(BUDGET_CAP_QUANTILE)) * group.deliverables
    return math.floor(group.budget * (1 + BUDGET_TOLERANCE) / cheapest) + 1  # type: ignore[operator]


@dataclass(frozen=True)
class CampaignDraws:
    shock: np.ndarray  # S_c, median 1, shape (campaigns,)
    aov: np.ndarray  # currency per order, shape (campaigns,)


@dataclass(frozen=True)
class PoolDraws:
    """Per-slot draws of one pool, shape (rows, campaigns); rows beyond any hire are absent."""

    followers: np.ndarray
    audience: np.ndarray  # real audience: followers * (1 - fake share)
    delivered: np.ndarray  # bool
    engagement_rate: np.ndarray  # per deliverable, on audience
    reach_rate: np.ndarray  # per deliverable, on audience
    conversion_rate: np.ndarray  # on the scenario's conversion base
    fee: np.ndarray  # currency per deliverable
    overhead: np.ndarray  # currency per creator


@dataclass(frozen=True)
class GroupDraws:
    slots: GroupSlots
    rows: slice  # the group's rows in its pool's arrays
    hired: np.ndarray | None  # bool (rows, campaigns) for budget groups; None: all hired


@dataclass(frozen=True)
class ChunkDraws:
    campaigns: int
    campaign: CampaignDraws
    pools: dict[str, PoolDraws]
    groups: tuple[GroupDraws, ...]


def _copula(u_lead: np.ndarray, u_follow: np.ndarray, spearman: float) -> np.ndarray:
    """Re-draw ``u_follow`` so that it has rank correlation ``spearman`` with ``u_lead``."""
    if spearman == 0:
        return u_follow
    r = 2 * math.sin(math.pi * spearman / 6)  # Spearman -> Pearson for a Gaussian copula
    z = r * special.ndtri(u_lead) + math.sqrt(1 - r * r) * special.ndtri(u_follow)
    return special.ndtr(z)


class _PoolSampler:
    """Draws one pool's quantities from its own stream."""

    def __init__(
        self,
        plan: GroupPlan,
        seed: int,
        blocks: list[tuple[int, int, int]],
        sampling: Sampling = RANDOM,
    ) -> None:
        self.plan = plan
        self.seed = seed
        self.blocks = blocks
        self.sampling = sampling
        self.stream = pool_stream(plan.pool)
        self.campaigns = sum(size for _, _, size in blocks)

    def uniforms(self, quantity: str, rows: int) -> np.ndarray:
        return uniforms(self.seed, self.blocks, self.stream, quantity, rows, sampling=self.sampling)

    def sample(self, quantity: str, rows: int, u: np.ndarray | None = None) -> np.ndarray:
        dist = self.plan.dist(quantity)
        if dist.is_fixed:
            return np.full((rows, self.campaigns), dist.mean())
        return dist.sampler()(self.uniforms(quantity, rows) if u is None else u)


def draw_chunk(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    blocks: list[tuple[int, int, int]],
    *,
    sampling: Sampling = RANDOM,
) -> ChunkDraws:
    """Draw everything for consecutive seed ``blocks`` of campaigns."""
    n = sum(size for _, _, size in blocks)

    def campaign_uniforms(quantity: str) -> np.ndarray:
        return uniforms(seed, blocks, CAMPAIGN_STREAM, quantity, None, sampling=sampling)

    campaign = CampaignDraws(
        shock=_shock(scenario.shock_sigma, campaign_uniforms("shock")),
        aov=scenario.aov.sampler()(campaign_uniforms("aov")),
    )
    pools: dict[str, PoolDraws] = {}
    groups: list[GroupDraws] = []
    for pool, cap in layout.pools.items():
        members = [s for s in layout.slots if s.group.pool == pool]
        sampler = _PoolSampler(members[0].group, seed, blocks, sampling)
        # Fees first: they decide how many creators budget groups hire, hence how many rows
        # of everything else this chunk needs. Row k of every array is the same however many
        # rows are drawn, so fees are drawn for a first guess of rows and again for twice as
        # many while some budget group could still hire past the rows drawn.
        rows = min(cap, max(_rows_guess(s) for s in members))
        while True:
            u_followers, fee = _fees(scenario, sampler, rows)
            hires = _hire(members, fee, rows)
            if hires is not None or rows == cap:
                break
            rows = min(cap, 2 * rows)
        assert hires is not None  # with every row drawn, no group can run out of rows
        groups.extend(hires)
        needed = max((g.rows.stop for g in hires), default=0)
        pools[pool] = _draw_pool(
            sampler,
            needed,
            fee[:needed],
            None if u_followers is None else u_followers[:needed],
            scenario.rho_engagement_conversion,
        )
    order = {(s.strategy, s.index): i for i, s in enumerate(layout.slots)}
    groups.sort(key=lambda g: order[(g.slots.strategy, g.slots.index)])
    return ChunkDraws(n, campaign, pools, tuple(groups))


def _rows_guess(slots: GroupSlots) -> int:
    """Rows a group most likely needs: its count, or twice what its budget buys on average."""
    group = slots.group
    if group.budget is None:
        return slots.offset + slots.rows
    typical = group.budget / (group.deliverables * group.dist("fee").mean())
    return slots.offset + min(slots.rows, math.ceil(2 * typical) + 8)


def _fees(
    scenario: Scenario, sampler: _PoolSampler, rows: int
) -> tuple[np.ndarray | None, np.ndarray]:
    """Followers' uniforms (only when the followers-fee copula needs them) and fees."""
    rho = scenario.rho_followers_fee
    u_followers = sampler.uniforms("followers", rows) if rho else None
    u_fee = sampler.uniforms("fee", rows)
    if u_followers is not None:
        u_fee = _copula(u_followers, u_fee, rho)
    return u_followers, sampler.sample("fee", rows, u_fee)


def _hire(members: list[GroupSlots], fee: np.ndarray, rows: int) -> list[GroupDraws] | None:
    """Each group's rows and hires, or None if ``rows`` drawn rows may be too few."""
    out = []
    for slots in members:
        drawn = min(slots.rows, rows - slots.offset)
        if slots.group.budget is None:
            if drawn < slots.rows:
                return None
            out.append(GroupDraws(slots, slice(slots.offset, slots.offset + slots.rows), None))
            continue
        drawn = max(drawn, 0)
        fees = fee[slots.offset : slots.offset + drawn] * slots.group.deliverables
        hired = np.cumsum(fees, axis=0) <= slots.group.budget * (1 + BUDGET_TOLERANCE)
        last = int(hired.sum(axis=0).max(initial=0))
        if drawn < slots.rows and last == drawn:
            return None  # some campaign hired every row drawn: it may afford more
        out.append(GroupDraws(slots, slice(slots.offset, slots.offset + last), hired[:last]))
    return out


def _shock(sigma: float, u: np.ndarray) -> np.ndarray:
    if sigma == 0:
        return np.ones_like(u)
    return np.exp(sigma * special.ndtri(u))


def _draw_pool(
    sampler: _PoolSampler,
    rows: int,
    fee: np.ndarray,
    u_followers: np.ndarray | None,
    rho_er_cr: float,
) -> PoolDraws:
    followers = sampler.sample("followers", rows, u_followers)
    fake = sampler.plan.dist("fake_share")
    audience = (
        followers
        if fake.is_fixed and fake.mean() == 0
        else (followers * (1 - sampler.sample("fake_share", rows)))
    )
    p_deliver = sampler.plan.dist("delivery_probability").mean()
    if p_deliver < 1:
        delivered = sampler.uniforms("delivery_probability", rows) < p_deliver
    else:
        delivered = np.ones((rows, sampler.campaigns), dtype=bool)
    u_er = sampler.uniforms("engagement_rate", rows)
    u_cr = _copula(u_er, sampler.uniforms("conversion_rate", rows), rho_er_cr)
    return PoolDraws(
        followers=followers,
        audience=audience,
        delivered=delivered,
        engagement_rate=sampler.sample("engagement_rate", rows, u_er),
        reach_rate=sampler.sample("reach_rate", rows),
        conversion_rate=sampler.sample("conversion_rate", rows, u_cr),
        fee=fee,
        overhead=sampler.sample("overhead", rows),
    )
