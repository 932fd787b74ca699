"""Draw every creator's and every campaign's random quantities for a chunk of campaigns.

Both engines consume these draws, so both see the same creators for the same seed. Arrays of
creators have shape ``(slots, campaigns)``: the campaigns on the last axis, one row per slot
of a pool (see :mod:`campaign_sim.random.streams`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np
from scipy import special

from campaign_sim.engine.calibrated import CalibratedScores, calibrated_scores
from campaign_sim.random.distributions import Distribution
from campaign_sim.random.levels import (
    creator_part_pearson,
    creator_values,
    level_centre,
    own_scores,
    pool_draw,
    uniforms_of_scores,
)
from campaign_sim.random.sampling import RANDOM, Sampling
from campaign_sim.random.streams import (
    CAMPAIGN_STREAM,
    OWN_EFFECT_ROWS,
    POOL_ROWS,
    brand_uniforms,
    creator_stream,
    platform_stream,
    pool_stream,
    uniforms,
)
from campaign_sim.scenario.plan import (
    FunnelPlan,
    GroupPlan,
    NamedCreator,
    Prior,
    Scenario,
    quantity_used,
)

__all__ = [
    "CampaignDraws",
    "Amplification",
    "ChunkDraws",
    "FunnelDraws",
    "GroupDraws",
    "Layout",
    "NamedRows",
    "PoolDraws",
    "PARTS",
    "PoolLevel",
    "cheapest_fee",
    "cheapest_hire",
    "draw_chunk",
    "mean_hire",
]

#: A budget group cannot hire more creators than its budget buys at this quantile of the fee.
#: Hiring past that bound would need the average fee of the hired creators to fall below it,
#: which for any budget covering one P5 fee has a probability far below 1e-12.
BUDGET_CAP_QUANTILE = 1e-6
#: A budget group hires a creator while the fees so far fit the budget within this relative
#: tolerance: a budget computed as share x strategy budget carries float noise (0.29 x 100,000
#: is 28,999.999999999996), and ten fees of 2,900 must still fit it.
BUDGET_TOLERANCE = 1e-9
#: With fees that share a pool part, that part's quantile in the budget cap (see cheapest_fee).
POOL_CAP_QUANTILE = 1e-12
#: The three parts of a campaign's random numbers (MODEL.md §8): the persistent parts of every
#: level, shared factor and the shock; the campaign parts of those and the order value; every
#: creator's own draws. :func:`draw_chunk` can take each from other seed blocks.
PARTS = ("persistent", "campaign", "creators")


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
                if group.creator is not None:  # drawn from their own stream, one row
                    slots.append(GroupSlots(strategy.name, index, group, 0, 1))
                    continue
                offset = used.get(group.pool, 0)
                rows = (
                    group.count if group.count is not None else _budget_cap(group, scenario.funnel)
                )
                slots.append(GroupSlots(strategy.name, index, group, offset, rows))
                used[group.pool] = offset + rows
            for pool, rows in used.items():
                pools[pool] = max(pools.get(pool, 0), rows)
        return cls(pools, tuple(slots))


def _budget_cap(group: GroupPlan, funnel: FunnelPlan) -> int:
    cheapest = cheapest_hire(group, funnel)
    return math.floor(group.budget * (1 + BUDGET_TOLERANCE) / cheapest) + 1  # type: ignore[operator]


def cheapest_hire(group: GroupPlan, funnel: FunnelPlan) -> float:
    """What one creator of ``group`` costs at least, with a negligible probability of less
    (:func:`cheapest_fee`): the deliverables' fees with commission and tax, or a gifted
    creator's product cost (currency)."""
    paid = cheapest_fee(group.priors["fee"]) * group.deliverables * funnel.fee_factor
    if not _gifts(group):
        return paid
    gift = group.dist("gifted_cost")
    product = gift.mean() if gift.is_fixed else float(gift.ppf(BUDGET_CAP_QUANTILE))
    return min(paid, product) if product > 0 else paid


def mean_hire(group: GroupPlan, funnel: FunnelPlan) -> float:
    """What one creator of ``group`` costs on average (currency): fees with commission and
    tax, or, for the share who take a product-only deal, its product cost."""
    paid = group.dist("fee").mean() * group.deliverables * funnel.fee_factor
    if not _gifts(group):
        return paid
    share = group.dist("gifted_share").mean()
    return (1 - share) * paid + share * group.dist("gifted_cost").mean()


def _gifts(group: GroupPlan) -> bool:
    """True when some of the group's creators take product-only deals."""
    return group.dist("gifted_share").mean() > 0


def cheapest_fee(prior: Prior) -> float:
    """A fee per deliverable that the average fee of a group's hired creators falls below
    with a negligible probability, whatever the pool's campaign-level draw.

    Independent fees: the fee's :data:`BUDGET_CAP_QUANTILE`. When fees share a campaign-level
    part, all of a campaign's fees can be low together, so the pool's part is taken at
    :data:`POOL_CAP_QUANTILE` and each creator's own part at :data:`BUDGET_CAP_QUANTILE`:
    level ``x = L_q exp(tau z - tau^2 / 2)``, shared factor ``x = F^-1(Phi(sqrt(rho) z_q +
    sqrt(1 - rho) z))``, with ``z_q``, ``z`` those quantiles' normal scores. Hiring past the
    bound needs either the pool's draw below its quantile (probability 1e-12 per campaign)
    or the mean of the creators' own parts below the quantile of one (at most 1e-6, far less
    for more than one creator)."""
    fee = prior.dist
    z = special.ndtri(BUDGET_CAP_QUANTILE)
    if prior.describes == "level":
        level = float(fee.ppf(POOL_CAP_QUANTILE)) if not fee.is_fixed else fee.mean()
        tau = prior.creator_spread
        centre = float(level_centre(np.array([level]), tau, "log", prior.level_is)[0])
        return float(math.exp(centre + tau * z))
    if prior.shared == 0:
        return float(fee.ppf(BUDGET_CAP_QUANTILE))
    score = (
        math.sqrt(prior.shared) * special.ndtri(POOL_CAP_QUANTILE) + math.sqrt(1 - prior.shared) * z
    )
    return float(fee.ppf(special.ndtr(score)))


@dataclass(frozen=True)
class CampaignDraws:
    shock: np.ndarray  # S_c, median 1, shape (campaigns,)
    aov: np.ndarray  # currency per order, shape (campaigns,)
    funnel: FunnelDraws
    # The shock's persistent and campaign normal scores (sigma 0: absent).
    shock_parts: tuple[np.ndarray, np.ndarray] | None = None


@dataclass(frozen=True)
class FunnelDraws:
    """A campaign's draws past the creators' expected orders, shape (campaigns,) each."""

    orders: np.ndarray | None  # uniforms of the whole direct orders (None: expected orders)
    amplified_orders: np.ndarray | None  # and of the amplified ones
    incrementality: np.ndarray  # share of attributed orders the campaign caused
    leakage: np.ndarray  # share of attributed orders through leaked codes
    repeat_share: np.ndarray | None  # of new customers who buy again (None: no repeats)
    repeat_rate: np.ndarray | None  # orders per month of a repeating customer
    niche: dict[str, np.ndarray]  # platform -> people in the niche (unique reach)


@dataclass(frozen=True)
class PoolLevel:
    """A pool's campaign-level draw of one quantity, shape (campaigns,).

    ``value``: the level ``L_c`` (``describes: level``) or the shared factor as a value of the
    quantity, ``F^-1(Phi(Z_c))`` (``describes: creators`` with a shared share);
    ``persistent`` and ``campaign``: the normal scores of its two parts (MODEL.md §8).
    """

    value: np.ndarray
    persistent: np.ndarray
    campaign: np.ndarray


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
    levels: dict[str, PoolLevel] = field(default_factory=dict)  # quantity -> pool draw
    amplified: Amplification | None = None  # None: reach stops at the followers
    # Who takes a product-only deal (bool) and its cost (currency); None: nobody does.
    gifts: tuple[np.ndarray, np.ndarray] | None = None
    # Named creators' rows (None: a pool's creators, whose orders are drawn per strategy).
    named: NamedRows | None = None


@dataclass(frozen=True)
class NamedRows:
    """What the rows of a pool's named creators (MODEL.md §10) add to their draws: who they
    are, their deliverables and the uniforms of their own whole direct and amplified orders
    (None: expected orders)."""

    handles: tuple[str, ...]
    deliverables: np.ndarray  # shape (rows, 1)
    orders: tuple[np.ndarray, np.ndarray] | None  # each (rows, campaigns)


@dataclass(frozen=True)
class Amplification:
    """Per-slot draws of the funnel past a creator's followers, shape (rows, campaigns)."""

    share_rate: np.ndarray  # shares per engagement
    reach_per_share: np.ndarray  # people per share
    user_post_rate: np.ndarray  # user posts per engagement
    reach_per_user_post: np.ndarray  # people per user post
    engagement_rate: np.ndarray  # engagements per amplified person
    conversion_rate: np.ndarray  # on the amplified conversion base


@dataclass(frozen=True)
class GroupDraws:
    slots: GroupSlots
    rows: slice  # the group's rows in its pool's arrays (a named creator's: their row)
    hired: np.ndarray | None  # bool (rows, campaigns) for budget groups; None: all hired

    @property
    def key(self) -> str:
        """Where the group's arrays are in :class:`ChunkDraws`: its pool's, or for a named
        creator, ``@`` and the pool (the pool's named creators' arrays)."""
        named = "@" if self.slots.group.creator is not None else ""
        return named + self.slots.group.pool


@dataclass(frozen=True)
class ChunkDraws:
    campaigns: int
    campaign: CampaignDraws
    pools: dict[str, PoolDraws]
    groups: tuple[GroupDraws, ...]
    # pool -> its named creators, a row each (PoolDraws.named says who).
    creators: dict[str, PoolDraws] = field(default_factory=dict)

    def arrays(self, key: str) -> PoolDraws:
        """A pool's draws, or its named creators' (:attr:`GroupDraws.key`)."""
        return self.creators[key[1:]] if key.startswith("@") else self.pools[key]


def _copula(
    u_lead: np.ndarray, u_follow: np.ndarray, spearman: float, lead: Prior, follow: Prior
) -> np.ndarray:
    """Re-draw the creator part ``u_follow`` so that the two creators' values have rank
    correlation ``spearman`` (for level priors: their deviations from the levels)."""
    if spearman == 0:
        return u_follow
    r = creator_part_pearson(spearman, lead.shared, follow.shared)  # checked |r| < 1 on load
    z = r * special.ndtri(u_lead) + math.sqrt(1 - r * r) * special.ndtri(u_follow)
    return uniforms_of_scores(z)


class _PoolSampler:
    """Draws one pool's quantities from its own stream."""

    def __init__(
        self,
        plan: GroupPlan,
        seed: int,
        parts: dict[str, list[tuple[int, int, int]]],
        sampling: Sampling = RANDOM,
        horizon: int = 1,
        calibrated: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.plan = plan
        self.seed = seed
        self.parts = parts  # part (PARTS) -> the seed blocks it is drawn from
        self.sampling = sampling
        self.horizon = horizon
        self.stream = pool_stream(plan.pool)
        self.campaigns = sum(size for _, _, size in parts["creators"])
        self.levels: dict[str, PoolLevel] = {}
        self._pool: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # quantity -> (value, Z_c)
        self._rows: dict[str, np.ndarray] = {}  # "pool", "pool.persistent" -> (rows, campaigns)
        # quantity -> its calibrated persistent score (calibrated_scores), shape (campaigns,)
        self.calibrated = calibrated or {}

    def uniforms(self, quantity: str, rows: int) -> np.ndarray:
        blocks = self.parts["creators"]
        return uniforms(self.seed, blocks, self.stream, quantity, rows, sampling=self.sampling)

    def level(self, quantity: str) -> PoolLevel | None:
        """The pool's campaign-level draw of ``quantity`` (None if its prior has none)."""
        prior = self.plan.priors[quantity]
        if not prior.pooled or (prior.describes == "level" and prior.dist.is_fixed):
            return None
        if quantity not in self.levels:
            row = POOL_ROWS[quantity]
            campaign = self._pool_rows("pool")[row]
            score = self.calibrated.get(quantity) if prior.persistent else None
            persistent = (
                self._pool_rows("pool.persistent")[row]
                if prior.persistent and score is None
                else None
            )
            u, z, z_persistent, z_campaign = pool_draw(
                persistent, campaign, prior.persistent, score
            )
            value = prior.dist.sampler()(u)
            self.levels[quantity] = PoolLevel(value, z_persistent, z_campaign)
            self._pool[quantity] = (value, z)
        return self.levels[quantity]

    def _pool_rows(self, key: str) -> np.ndarray:
        """The pool's campaign-level uniforms, a row per quantity (``POOL_ROWS``, up to the
        last one used), drawn once: one generator per seed block for every level and shared
        factor of the pool."""
        if key not in self._rows:
            priors = self.plan.priors
            used = [
                POOL_ROWS[q]
                for q, prior in priors.items()
                if prior.pooled and (key == "pool" or prior.persistent > 0)
            ]
            rows = max(used) + 1
            if key == "pool":
                self._rows[key] = uniforms(
                    self.seed,
                    self.parts["campaign"],
                    self.stream,
                    key,
                    rows,
                    sampling=self.sampling,
                )
            else:
                self._rows[key] = brand_uniforms(
                    self.seed,
                    self.parts["persistent"],
                    self.stream,
                    key,
                    self.horizon,
                    rows,
                    sampling=self.sampling,
                )
        return self._rows[key]

    def sample(self, quantity: str, rows: int, u: np.ndarray | None = None) -> np.ndarray:
        """Every creator's value of ``quantity`` for ``rows`` slots, from the creators' own
        uniforms ``u`` (default: the quantity's stream) and the pool's level or shared factor."""
        prior = self.plan.priors[quantity]
        if prior.dist.is_fixed and not (prior.describes == "level" and prior.creator_spread):
            return np.full((rows, self.campaigns), prior.dist.mean())
        creator_u = self.uniforms(quantity, rows) if u is None else u
        pool = self._pool.get(quantity) if self.level(quantity) is not None else None
        return creator_values(
            prior.dist,
            prior.describes,
            prior.scale,
            prior.creator_spread,
            prior.shared,
            pool,
            creator_u,
            prior.level_is,
        )


class _NamedSampler(_PoolSampler):
    """Draws a pool's named creators (MODEL.md §10), a row each: every row's own uniforms
    from the stream of its creator's handle (so a creator's numbers never depend on who else
    is named), the pool's level and shared factors from the pool's sampler (every creator of
    a pool, named or not, sees the same level in campaign ``c``), known followers and fees in
    place of draws, and an own effect ``sqrt(q) eta_p + sqrt(1 - q) eta_c`` for the rates,
    whose persistent ``eta_p`` a calibration with the creator's history narrows."""

    def __init__(
        self,
        pool: _PoolSampler,
        creators: list[NamedCreator],
        rho_er_cr: float,
        calibrated: dict[str, dict[str, np.ndarray]],
    ) -> None:
        super().__init__(
            pool.plan, pool.seed, pool.parts, pool.sampling, pool.horizon, pool.calibrated
        )
        self.levels, self._pool, self._rows = pool.levels, pool._pool, pool._rows  # shared
        self.creators = creators
        self.streams = [creator_stream(c.handle) for c in creators]
        self.rho_er_cr = rho_er_cr
        self.own_calibrated = calibrated
        self._persistent: np.ndarray | None = None

    def uniforms(self, quantity: str, rows: int) -> np.ndarray:
        """Every creator's own uniforms of ``quantity``; a known follower count's are its
        place in the followers prior, so that an unknown fee follows it through the
        followers-fee copula as a pool creator's fee follows their followers."""
        blocks, seed, sampling = self.parts["creators"], self.seed, self.sampling
        u = np.vstack(
            [
                uniforms(seed, blocks, stream, quantity, 1, sampling=sampling)
                for stream in self.streams
            ]
        )
        if quantity == "followers":
            prior = self.plan.dist("followers")
            for row, creator in enumerate(self.creators):
                if creator.followers is not None and not prior.is_fixed:
                    place = float(prior.cdf(creator.followers))
                    u[row] = min(max(place, 1e-12), 1 - 1e-12)
        return u

    def sample(self, quantity: str, rows: int, u: np.ndarray | None = None) -> np.ndarray:
        if quantity in OWN_EFFECT_ROWS:
            campaign = special.ndtri(self.uniforms(quantity, rows) if u is None else u)
            u = uniforms_of_scores(own_scores(self.own_persistent(quantity), campaign))
        values = super().sample(quantity, rows, u)
        # A quote's range already says what the planner knows of the fee, followers included:
        # drawn uniformly on its own uniforms, not through the followers-fee copula.
        own = self.uniforms("fee", rows) if quantity == "fee" else None
        for row, creator in enumerate(self.creators):
            if quantity == "followers" and creator.followers is not None:
                values[row] = creator.followers
            elif own is not None and creator.fee is not None:
                values[row] = _known(creator.fee, own[row])
        return values

    def own_persistent(self, quantity: str) -> np.ndarray:
        """The creators' persistent own scores of ``quantity``, shape (rows, campaigns): the
        calibration's (given a creator's history), else N(0, 1) per brand from the creator's
        stream, with the scenario's engagement-conversion correlation (so that, without
        history, a creator's own scores correlate exactly as a pool creator's)."""
        if self._persistent is None:
            self._persistent = np.stack(
                [
                    special.ndtri(
                        brand_uniforms(
                            self.seed,
                            self.parts["persistent"],
                            stream,
                            "creator.persistent",
                            self.horizon,
                            len(OWN_EFFECT_ROWS),
                            sampling=self.sampling,
                        )
                    )
                    for stream in self.streams
                ]
            )  # (rows, quantities, campaigns)
        z = self._persistent[:, OWN_EFFECT_ROWS[quantity]].copy()
        if quantity == "conversion_rate" and self.rho_er_cr:
            priors = self.plan.priors
            r = creator_part_pearson(
                self.rho_er_cr, priors["engagement_rate"].shared, priors["conversion_rate"].shared
            )
            z = (
                r * self._persistent[:, OWN_EFFECT_ROWS["engagement_rate"]]
                + math.sqrt(1 - r * r) * z
            )
        for row, creator in enumerate(self.creators):
            score = self.own_calibrated.get(creator.handle, {}).get(quantity)
            if score is not None:
                z[row] = score
        return z


def _known(fee: Distribution, u: np.ndarray) -> np.ndarray:
    """A known fee's values from the creator's uniforms: the quote, or within its range."""
    return np.full(u.shape, fee.mean()) if fee.is_fixed else fee.sampler()(u)


def draw_chunk(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    blocks: list[tuple[int, int, int]],
    *,
    sampling: Sampling = RANDOM,
    horizon: int = 1,
    parts: dict[str, list[tuple[int, int, int]]] | None = None,
) -> ChunkDraws:
    """Draw everything for consecutive seed ``blocks`` of campaigns.

    ``horizon``: campaigns per brand. The ``horizon`` consecutive campaigns ``c`` with the
    same ``c // horizon`` share the persistent parts of every level, shared factor and the
    shock (MODEL.md §8); 1 (a run of independent next campaigns) draws them per campaign.

    ``parts``: other consecutive seed blocks, of the same campaigns in all, for some of the
    :data:`PARTS` (the others come from ``blocks``): what pick-freeze estimators need to mix
    the parts of two independent samples. Without it every part is drawn from ``blocks``.
    """
    n = sum(size for _, _, size in blocks)
    part = {name: blocks for name in PARTS} | (parts or {})
    if set(part) != set(PARTS) or any(sum(s for *_, s in b) != n for b in part.values()):
        raise ValueError(f"parts(={parts!r}) must be some of {PARTS}, each of {n} campaigns")

    def campaign_uniforms(quantity: str) -> np.ndarray:
        return uniforms(seed, part["campaign"], CAMPAIGN_STREAM, quantity, None, sampling=sampling)

    calibrated = (
        calibrated_scores(scenario, seed, part["persistent"], horizon, sampling=sampling)
        or CalibratedScores()
    )
    campaign = _campaign_draws(
        scenario,
        campaign_uniforms("shock"),
        None
        if calibrated.shock is not None
        else brand_uniforms(
            seed,
            part["persistent"],
            CAMPAIGN_STREAM,
            "shock.persistent",
            horizon,
            sampling=sampling,
        )
        if scenario.shock_persistent > 0 and scenario.shock_sigma
        else None,
        scenario.aov.sampler()(campaign_uniforms("aov")),
        _funnel_draws(scenario, layout, seed, part, sampling),
        calibrated.shock,
    )
    pools: dict[str, PoolDraws] = {}
    groups: list[GroupDraws] = []
    samplers: dict[str, _PoolSampler] = {}
    for pool, cap in layout.pools.items():
        members = [s for s in layout.slots if s.group.pool == pool and s.group.creator is None]
        sampler = _PoolSampler(
            members[0].group, seed, part, sampling, horizon, calibrated.pools.get(pool)
        )
        samplers[pool] = sampler
        # Fees first: they decide how many creators budget groups hire, hence how many rows
        # of everything else this chunk needs. Row k of every array is the same however many
        # rows are drawn, so fees are drawn for a first guess of rows and again for twice as
        # many while some budget group could still hire past the rows drawn.
        rows = min(cap, max(_rows_guess(s, scenario.funnel) for s in members))
        while True:
            u_followers, fee = _fees(scenario, sampler, rows)
            gifts = _gifts_of(sampler, rows)
            hires = _hire(members, fee, gifts, scenario.funnel.fee_factor, rows)
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
            None if gifts is None else (gifts[0][:needed], gifts[1][:needed]),
            scenario.funnel.amplification,
        )
    creators = _draw_creators(scenario, layout, samplers, calibrated, seed, part, sampling, horizon)
    groups.extend(_book(layout, creators, scenario.funnel.fee_factor))
    order = {(s.strategy, s.index): i for i, s in enumerate(layout.slots)}
    groups.sort(key=lambda g: order[(g.slots.strategy, g.slots.index)])
    return ChunkDraws(n, campaign, pools, tuple(groups), creators)


def _draw_creators(
    scenario: Scenario,
    layout: Layout,
    samplers: dict[str, _PoolSampler],
    calibrated: CalibratedScores,
    seed: int,
    part: dict[str, list[tuple[int, int, int]]],
    sampling: Sampling,
    horizon: int,
) -> dict[str, PoolDraws]:
    """Every pool's named creators' draws, a row each in order of first booking: the same
    creator whichever strategies book them and whoever else is on the roster."""
    named: dict[str, dict[str, GroupPlan]] = {}
    for slots in layout.slots:
        creator = slots.group.creator
        if creator is not None:
            named.setdefault(slots.group.pool, {}).setdefault(creator.handle, slots.group)
    out: dict[str, PoolDraws] = {}
    for pool, groups in named.items():
        first = next(iter(groups.values()))
        if pool not in samplers:  # a pool only named creators come from: its levels still apply
            samplers[pool] = _PoolSampler(
                first, seed, part, sampling, horizon, calibrated.pools.get(pool)
            )
        creators = [g.creator for g in groups.values() if g.creator is not None]
        sampler = _NamedSampler(
            samplers[pool],
            creators,
            scenario.rho_engagement_conversion,
            calibrated.creators,
        )
        rows = len(creators)
        u_followers, fee = _fees(scenario, sampler, rows)
        # A creator whose fee is quoted takes that deal; one whose fee is not known may take
        # a product-only one, as the pool's creators do.
        gifts = _gifts_of(sampler, rows)
        if gifts is not None:
            quoted = np.array([c.fee is not None for c in creators])[:, None]
            gifts = (gifts[0] & ~quoted, gifts[1])
        drawn = _draw_pool(
            sampler,
            rows,
            fee,
            u_followers,
            scenario.rho_engagement_conversion,
            gifts,
            scenario.funnel.amplification,
        )
        counted = scenario.funnel.orders != "expected"
        rows_of = NamedRows(
            tuple(c.handle for c in creators),
            np.array([[g.deliverables] for g in groups.values()], dtype=float),
            (sampler.uniforms("orders", rows), sampler.uniforms("orders.amplified", rows))
            if counted
            else None,
        )
        out[pool] = replace(drawn, named=rows_of)
    return out


def _book(layout: Layout, creators: dict[str, PoolDraws], fee_factor: float) -> list[GroupDraws]:
    """Each named creator's group, at their row of their pool's named arrays; a roster group
    with a budget books its candidates in order while the fees so far (with commission and
    tax, or a gifted creator's product cost) fit it, campaign by campaign."""
    out = []
    booked: dict[tuple[str, str], list[tuple[GroupSlots, slice]]] = {}
    for slots in layout.slots:
        group, creator = slots.group, slots.group.creator
        if creator is None:
            continue
        row = creators[group.pool].named.handles.index(creator.handle)  # type: ignore[union-attr]
        rows = slice(row, row + 1)
        if group.booking is None or group.booking.budget is None:
            out.append(GroupDraws(slots, rows, None))
        else:
            booked.setdefault((slots.strategy, group.booking.name), []).append((slots, rows))
    for members in booked.values():
        costs = []
        for slots, rows in members:
            drawn = creators[slots.group.pool]
            cost = drawn.fee[rows][0] * slots.group.deliverables * fee_factor
            if drawn.gifts is not None:
                cost = np.where(drawn.gifts[0][rows][0], drawn.gifts[1][rows][0], cost)
            costs.append(cost)
        budget = members[0][0].group.booking.budget  # type: ignore[union-attr]
        assert budget is not None  # groups without a budget book every candidate, above
        hired = np.cumsum(np.array(costs), axis=0) <= budget * (1 + BUDGET_TOLERANCE)
        out += [GroupDraws(s, rows, hired[i : i + 1]) for i, (s, rows) in enumerate(members)]
    return out


def _rows_guess(slots: GroupSlots, funnel: FunnelPlan) -> int:
    """Rows a group most likely needs: its count, or twice what its budget buys on average."""
    group = slots.group
    if group.budget is None:
        return slots.offset + slots.rows
    typical = group.budget / mean_hire(group, funnel)
    return slots.offset + min(slots.rows, math.ceil(2 * typical) + 8)


def _fees(
    scenario: Scenario, sampler: _PoolSampler, rows: int
) -> tuple[np.ndarray | None, np.ndarray]:
    """Followers' uniforms (only when the followers-fee copula needs them) and fees."""
    rho = scenario.rho_followers_fee
    u_followers = sampler.uniforms("followers", rows) if rho else None
    u_fee = sampler.uniforms("fee", rows)
    if u_followers is not None:
        priors = sampler.plan.priors
        u_fee = _copula(u_followers, u_fee, rho, priors["followers"], priors["fee"])
    return u_followers, sampler.sample("fee", rows, u_fee)


def _gifts_of(sampler: _PoolSampler, rows: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Which of ``rows`` slots take a product-only deal, and its cost (None: nobody does)."""
    share = sampler.plan.dist("gifted_share").mean()
    if share == 0:
        return None
    gifted = sampler.uniforms("gifted", rows) < share
    return gifted, sampler.sample("gifted_cost", rows)


def _hire(
    members: list[GroupSlots],
    fee: np.ndarray,
    gifts: tuple[np.ndarray, np.ndarray] | None,
    fee_factor: float,
    rows: int,
) -> list[GroupDraws] | None:
    """Each group's rows and hires, or None if ``rows`` drawn rows may be too few. A budget
    group pays each creator's fees with commission and tax (``fee_factor``), or a gifted
    creator's product cost."""
    out = []
    for slots in members:
        drawn = min(slots.rows, rows - slots.offset)
        if slots.group.budget is None:
            if drawn < slots.rows:
                return None
            out.append(GroupDraws(slots, slice(slots.offset, slots.offset + slots.rows), None))
            continue
        drawn = max(drawn, 0)
        part = slice(slots.offset, slots.offset + drawn)
        fees = fee[part] * slots.group.deliverables
        if fee_factor != 1:
            fees = fees * fee_factor
        if gifts is not None:
            fees = np.where(gifts[0][part], gifts[1][part], fees)
        hired = np.cumsum(fees, axis=0) <= slots.group.budget * (1 + BUDGET_TOLERANCE)
        last = int(hired.sum(axis=0).max(initial=0))
        if drawn < slots.rows and last == drawn:
            return None  # some campaign hired every row drawn: it may afford more
        out.append(GroupDraws(slots, slice(slots.offset, slots.offset + last), hired[:last]))
    return out


def _campaign_draws(
    scenario: Scenario,
    u_shock: np.ndarray,
    u_persistent: np.ndarray | None,
    aov: np.ndarray,
    funnel: FunnelDraws,
    persistent_score: np.ndarray | None = None,
) -> CampaignDraws:
    """The shock ``S_c = exp(sigma (sqrt(p) Z_persistent + sqrt(1 - p) Z_campaign))``, the
    order value and the funnel's draws; with no persistent part, ``Z_campaign`` alone.
    ``persistent_score``: ``Z_persistent`` itself (a calibrated scenario's), in place of
    ``Phi^-1(u_persistent)``."""
    sigma, share = scenario.shock_sigma, scenario.shock_persistent
    if sigma == 0:
        return CampaignDraws(np.ones_like(u_shock), aov, funnel)
    campaign = special.ndtri(u_shock)
    if u_persistent is None and persistent_score is None:
        parts = (np.zeros_like(campaign), campaign)
        return CampaignDraws(np.exp(sigma * campaign), aov, funnel, parts)
    persistent = special.ndtri(u_persistent) if persistent_score is None else persistent_score
    score = math.sqrt(share) * persistent + math.sqrt(1 - share) * campaign
    return CampaignDraws(np.exp(sigma * score), aov, funnel, (persistent, campaign))


def _funnel_draws(
    scenario: Scenario,
    layout: Layout,
    seed: int,
    part: dict[str, list[tuple[int, int, int]]],
    sampling: Sampling,
) -> FunnelDraws:
    """The uniforms of whole orders (a creators' part: the luck of who buys) and the campaign
    parts of incrementality, leakage, repeat buying and each platform's niche audience."""
    funnel = scenario.funnel

    def drawn(quantity: str, blocks: str, stream: int = CAMPAIGN_STREAM) -> np.ndarray:
        return uniforms(seed, part[blocks], stream, quantity, None, sampling=sampling)

    def value(distribution, quantity: str) -> np.ndarray:
        if distribution.is_fixed:
            return np.full(n, distribution.mean())
        return distribution.sampler()(drawn(quantity, "campaign"))

    n = sum(size for *_, size in part["creators"])
    counted = funnel.orders != "expected"
    repeat = funnel.repeat
    platforms = sorted({slots.group.platform for slots in layout.slots})
    niche = {}
    for platform in platforms:
        people = funnel.niche(platform)
        if people is not None:
            niche[platform] = (
                np.full(n, people.mean())
                if people.is_fixed
                else people.sampler()(drawn("niche_people", "campaign", platform_stream(platform)))
            )
    return FunnelDraws(
        orders=drawn("orders", "creators") if counted else None,
        amplified_orders=drawn("orders.amplified", "creators") if counted else None,
        incrementality=value(funnel.incrementality, "incrementality"),
        leakage=value(funnel.attribution_leakage, "attribution_leakage"),
        repeat_share=None if repeat is None else value(repeat.share, "repeat_share"),
        repeat_rate=None
        if repeat is None
        else value(repeat.orders_per_month, "repeat_orders_per_month"),
        niche=niche,
    )


def _draw_pool(
    sampler: _PoolSampler,
    rows: int,
    fee: np.ndarray,
    u_followers: np.ndarray | None,
    rho_er_cr: float,
    gifts: tuple[np.ndarray, np.ndarray] | None,
    amplification: bool,
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
    priors = sampler.plan.priors
    u_cr = _copula(
        u_er,
        sampler.uniforms("conversion_rate", rows),
        rho_er_cr,
        priors["engagement_rate"],
        priors["conversion_rate"],
    )
    return PoolDraws(
        followers=followers,
        audience=audience,
        delivered=delivered,
        engagement_rate=sampler.sample("engagement_rate", rows, u_er),
        reach_rate=sampler.sample("reach_rate", rows),
        conversion_rate=sampler.sample("conversion_rate", rows, u_cr),
        fee=fee,
        overhead=sampler.sample("overhead", rows),
        amplified=_amplification(sampler, rows) if amplification else None,
        gifts=gifts,
        levels=dict(sampler.levels),
    )


def _amplification(sampler: _PoolSampler, rows: int) -> Amplification | None:
    """The pool's shares and user posts (None when its priors have neither)."""
    plan = sampler.plan

    def draw(quantity: str) -> np.ndarray:
        if not quantity_used(plan, quantity, True):
            return np.zeros((rows, sampler.campaigns))
        return sampler.sample(quantity, rows)

    if not quantity_used(plan, "amplified_engagement_rate", True):
        return None
    return Amplification(**{f.name: draw(_AMPLIFIED[f.name]) for f in fields(Amplification)})


#: Each field of :class:`Amplification` and the quantity it is drawn from.
_AMPLIFIED = {
    "share_rate": "share_rate",
    "reach_per_share": "reach_per_share",
    "user_post_rate": "user_post_rate",
    "reach_per_user_post": "reach_per_user_post",
    "engagement_rate": "amplified_engagement_rate",
    "conversion_rate": "amplified_conversion_rate",
}
