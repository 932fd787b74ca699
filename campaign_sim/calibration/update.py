"""Calibrate a scenario's priors with observed creators (MODEL.md §9, docs/calibration.md).

Engagement, reach and fee levels are learnt pool by pool on a grid
(:mod:`campaign_sim.calibration.grid`); conversion levels and the product's appeal jointly by
importance sampling (:mod:`campaign_sim.calibration.joint`); the order value from revenue per
order; named creators' persistent own effects jointly with the pool levels they have rows of
(:mod:`campaign_sim.calibration.creators`). The result is one joint Gaussian over the
persistent scores, written back by :mod:`campaign_sim.calibration.writeback`.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.calibration import grid as grids
from campaign_sim.calibration.creators import CreatorRates, creator_effects, with_creators
from campaign_sim.calibration.grid import Posterior1D
from campaign_sim.calibration.joint import MIN_ESS, OrderCells, joint_posterior
from campaign_sim.calibration.observation import (
    PoolModel,
    fee_cell,
    pool_model,
    rate_cell,
)
from campaign_sim.calibration.predictive import predictive_percentiles
from campaign_sim.calibration.prior import (
    conflict_percentile,
    level_of_score,
    next_campaign_scores,
    robust_logpdf,
)
from campaign_sim.calibration.result import Calibration, QuantityUpdate, Summary
from campaign_sim.calibration.spread import MIN_CREATORS, Spread, spread_posterior
from campaign_sim.errors import InputError
from campaign_sim.notices import Notice
from campaign_sim.random.distributions import Distribution, LogNormal
from campaign_sim.scenario.plan import Prior, Scenario

__all__ = ["AOV_ORDER_CV", "METHOD", "calibrate"]

METHOD = (
    "adaptive Gauss-Hermite per creator; grid quadrature for engagement, reach and fee levels "
    "(score step 0.0125; with the creator spread on a log grid where 8+ creators have "
    "followers); importance sampling for conversion levels x product appeal (multivariate t "
    "proposal at the mode)"
)
#: ASSUMPTION: single orders' values spread with a coefficient of variation of 0.5 around a
#: campaign's average order value (a shop whose orders range about NT$300-1,500 around 800).
AOV_ORDER_CV = 0.5
RATES = ("engagement_rate", "reach_rate", "conversion_rate")
LEARNT = (*RATES, "fee")


@dataclass(frozen=True)
class _Learnt:
    """One persistent score's posterior and what it came from."""

    name: str
    pool: str
    quantity: str
    prior: Prior | None  # None for the shock
    mean: float
    sd: float
    rows: pd.DataFrame
    flat: tuple[float, float]  # mean and sd under the likelihood alone (conflict check)
    note: str = ""
    spread: Spread | None = None  # the creators' spread, where the data could learn it
    posterior: Posterior1D | None = None  # on the grid (engagement and reach levels)


def calibrate(
    scenario: Scenario,
    observed: object,
    *,
    product: str | None = None,
    seed: int = 0,
    predictive: bool = True,
    creators: Mapping[str, str] | None = None,
) -> Calibration:
    """The posterior of every quantity the ``observed`` rows speak to (an
    :class:`campaign_sim.calibration.observed.Observed`). ``product``: whose appeal the
    scenario plans for (default: the scenario's name, also the rows' default product).
    ``predictive``: also run the posterior predictive check (:attr:`Calibration.predictive`).

    ``creators``: named creators (canonical handle -> pool ``tier/platform``) whose persistent
    own effect is learnt from their rows, jointly with the pool level and once
    (:mod:`campaign_sim.calibration.creators`); None: the scenario's roster creators
    (``scenario.named_pools()``). Only creators with rows in their own pool get names
    (``@handle/quantity``); the pool levels they have rows of are then fitted knowing them
    (their rows share their own effect), the rest as without them."""
    if scenario.calibrated is not None:
        raise InputError.single(
            scenario.source,
            "priors.base",
            "is already a calibrated priors file: calibrate the original priors with all the "
            "observed rows together (a second update would count the first data twice)",
        )
    rows: pd.DataFrame = observed.rows  # type: ignore[attr-defined]
    product = product or scenario.name
    models = {pool: pool_model(scenario, pool) for pool in _pools(rows)}
    learnt: list[_Learnt] = []
    notes: dict[str, str] = {}
    for pool, model in models.items():
        here = rows[(rows["tier"] + "/" + rows["platform"]) == pool]
        singles = here[here["creators"] == 1]
        for quantity in ("engagement_rate", "reach_rate"):
            found = _rate_level(model, quantity, singles, notes)
            if found is not None:
                learnt.append(found)
        found = _fee_level(model, singles, notes)
        if found is not None:
            learnt.append(found)
    # Named creators with history: each pool rate they have rows of is refitted under the full
    # model (their rows share their persistent own effect), once, before anything reads it.
    named = scenario.named_pools() if creators is None else dict(creators)
    effects: list = []
    why: dict[str, str] = {}
    if named:
        rates = {
            item.name: CreatorRates(
                item.prior,
                item.posterior,
                item.spread.median if item.spread is not None else item.prior.creator_spread,
                _cells(item.rows),
                functools.partial(_rate_inputs, models[item.pool], item.quantity),
            )
            for item in learnt
            if item.posterior is not None and item.prior is not None
        }
        effects, why, ratios = creator_effects(named, rates, rows)
        learnt = [
            _refitted(item, ratios[item.name]) if item.name in ratios else item for item in learnt
        ]
    joint, joint_rows, covariance_block = _conversion_block(
        scenario, models, rows, product, learnt, notes, seed
    )
    learnt.extend(joint)
    names = tuple(item.name for item in learnt)
    mean = np.array([item.mean for item in learnt])
    covariance = np.diag([item.sd**2 for item in learnt]) if learnt else np.zeros((0, 0))
    if covariance_block is not None:
        first = len(learnt) - len(joint)
        covariance[first:, first:] = covariance_block
    updates = [_update(item, scenario) for item in learnt]
    aov, aov_update = _order_value(scenario, rows)
    if aov_update is not None:
        updates.append(aov_update)
    untouched = _untouched(scenario, models, names)
    calibration = Calibration(
        updates=tuple(updates),
        names=names,
        mean=mean,
        covariance=covariance,
        predictive=pd.DataFrame(),
        untouched=untouched,
        provenance={
            "method": METHOD,
            "date": datetime.date.today().isoformat(),
            "data": {
                "file": str(getattr(observed, "path", "")),
                "sha256": getattr(observed, "sha256", ""),
                "rows": len(rows),
            },
            "product": product,
            "seed": seed,
            "notes": notes,
            **joint_rows,
        },
        aov=aov,
        priors={
            item.name: item.prior.dist.key() if item.prior else _shock_key(scenario)
            for item in learnt
        },
    )
    if predictive:
        calibration = _with_predictive(calibration, scenario, models, rows, seed)
    if not named:
        return calibration
    return with_creators(calibration, effects, why)


def _refitted(item: _Learnt, log_ratio: np.ndarray) -> _Learnt:
    """A pool rate's posterior under the full model with its named creators: the factorised
    grid posterior times ``exp(log_ratio)`` (:class:`~campaign_sim.calibration.creators.
    PoolFit`); the conflict check's likelihood-only version is that over the robust prior."""
    assert item.posterior is not None
    post = Posterior1D(item.posterior.grid, item.posterior.log_density + log_ratio)
    flat = Posterior1D(post.grid, post.log_density - robust_logpdf(post.grid))
    return dataclasses.replace(
        item, mean=post.mean, sd=post.sd, posterior=post, flat=(flat.mean, flat.sd)
    )


def _shock_key(scenario: Scenario) -> str:
    """What the shock's persistent score is relative to (for people; never compared)."""
    return f"shock(sigma={scenario.shock_sigma!r}, persistent={scenario.shock_persistent!r})"


def _creator_count(frame: pd.DataFrame) -> int:
    """Creators behind rows: named ones once each (else one per row), plus every creator a
    campaign-total row sums."""
    single = frame[frame["creators"] == 1]
    named = single["creator"].notna()
    count = int(single.loc[named, "creator"].nunique()) + int((~named).sum())
    return count + int(frame.loc[frame["creators"] > 1, "creators"].sum())


def _pools(rows: pd.DataFrame) -> list[str]:
    return sorted(set(rows["tier"] + "/" + rows["platform"]))


def _cells(frame: pd.DataFrame) -> list[pd.DataFrame]:
    return [part for _, part in frame.groupby("campaign", sort=True)]


def _learnable(prior: Prior | None, name: str, notes: dict[str, str]) -> bool:
    """Whether a pilot can teach this prior's persistent part; a note says why not."""
    if prior is None:
        notes[name] = "no prior for it"
        return False
    if prior.dist.is_fixed and prior.describes == "level":
        notes[name] = "a fixed value: nothing to learn"
        return False
    if prior.describes == "creators" and prior.shared == 0:
        notes[name] = "its creators are independent (shared 0): no pool level to learn"
        return False
    if prior.persistent == 0:
        notes[name] = "no persistent part (persistent 0): a pilot cannot carry over"
        return False
    return True


def _audience(model: PoolModel, frame: pd.DataFrame) -> np.ndarray:
    """Each row's audience (followers x real share x deliverables), shape (rows,) when every
    row has followers, else (rows, nodes) over the tier's followers."""
    d = frame["deliverables"].to_numpy(float)
    followers = frame["followers"].to_numpy(float)
    if not np.isnan(followers).any():
        return followers * model.audience_share * d
    nodes = model.follower_nodes()
    table = np.where(np.isnan(followers)[:, None], nodes[None, :], followers[:, None])
    return table * model.audience_share * d[:, None]


def _rate_level(
    model: PoolModel, quantity: str, creators: pd.DataFrame, notes: dict[str, str]
) -> _Learnt | None:
    column = {"engagement_rate": "engagements", "reach_rate": "reach"}[quantity]
    used = creators[creators[column].notna()]
    name = f"{model.pool}/{quantity}"
    if used.empty:
        return None
    prior = model.priors.get(quantity)
    if not _learnable(prior, name, notes) or prior is None:
        return None
    if prior.describes != "level":
        notes[name] = "a creators prior: calibration learns levels of rates only"
        return None
    cells = []
    for cell in _cells(used):
        y, size, offset = _rate_inputs(model, quantity, cell)
        cells.append((y, size, offset, 0.025 if size.ndim == 1 else 0.1))

    def tables_at(tau: float, coarse: float = 1.0) -> list[np.ndarray]:
        return [
            grids.cell_table(
                rate_cell(prior, y, size, offset, spread=tau), step * coarse, grids.Z_GRID
            )
            for y, size, offset, step in cells
        ]

    # The spread is learnt from creators whose followers are known: without them a creator's
    # rate and audience cannot be told apart (their rows still inform the level).
    known = used[used["followers"].notna()]
    if _creator_count(known) < MIN_CREATORS or prior.creator_spread == 0:
        post, flat = grids.posterior_1d(tables_at(prior.creator_spread), prior.persistent)
        learnt_spread = None
    else:
        post, flat, learnt_spread = spread_posterior(
            lambda tau: tables_at(tau, 6.0), prior.creator_spread, prior.persistent
        )
    return _Learnt(
        name,
        model.pool,
        quantity,
        prior,
        post.mean,
        post.sd,
        used,
        (flat.mean, flat.sd),
        spread=learnt_spread,
        posterior=post,
    )


def _rate_inputs(
    model: PoolModel, quantity: str, cell: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One campaign's rows of a rate: the counts, each row's size (audience; (rows, nodes)
    over the tier's followers where some row has none) and offset (amplified reach)."""
    column = {"engagement_rate": "engagements", "reach_rate": "reach"}[quantity]
    size = _audience(model, cell)
    offset = np.zeros(len(cell))
    if quantity == "reach_rate" and model.reach_per_engagement:
        engaged = cell["engagements"].to_numpy(float)
        expected = _mean_size(size) * model.mean("engagement_rate")
        offset = np.where(np.isnan(engaged), expected, engaged) * model.reach_per_engagement
    return cell[column].to_numpy(float), size, offset


def _mean_size(size: np.ndarray) -> np.ndarray:
    return size if size.ndim == 1 else size.mean(axis=1)


def _fee_level(model: PoolModel, creators: pd.DataFrame, notes: dict[str, str]) -> _Learnt | None:
    used = creators[creators["fee"].notna() & (creators["fee"] > 0)]
    name = f"{model.pool}/fee"
    if used.empty:
        return None
    prior = model.priors.get("fee")
    if not _learnable(prior, name, notes) or prior is None:
        return None
    tables = []
    for cell in _cells(used):
        per = cell["fee"].to_numpy(float) / cell["deliverables"].to_numpy(float)
        tables.append(grids.cell_table(fee_cell(prior, per), 0.025, grids.Z_GRID))
    post, flat = grids.posterior_1d(tables, prior.persistent)
    return _Learnt(name, model.pool, "fee", prior, post.mean, post.sd, used, (flat.mean, flat.sd))


def _conversion_block(
    scenario: Scenario,
    models: dict[str, PoolModel],
    rows: pd.DataFrame,
    product: str,
    learnt: list[_Learnt],
    notes: dict[str, str],
    seed: int,
) -> tuple[list[_Learnt], dict, np.ndarray | None]:
    """Conversion levels of every pool with orders, and the product's appeal, jointly."""
    base_column = {"engagements": "engagements", "reach": "reach"}.get(scenario.conversion_base)
    usable = rows[rows["orders"].notna()]
    pools: list[str] = []
    for pool in sorted(models):
        prior = models[pool].priors.get("conversion_rate")
        here = usable[(usable["tier"] + "/" + usable["platform"]) == pool]
        name = f"{pool}/conversion_rate"
        if here.empty or not _learnable(prior, name, notes) or prior is None:
            continue
        if prior.describes != "level":
            notes[name] = "a creators prior: calibration learns levels of rates only"
            continue
        pools.append(pool)
    if not pools:
        return [], {}, None
    frames = []
    for pool in pools:
        here = usable[(usable["tier"] + "/" + usable["platform"]) == pool]
        frames.append(_order_rows(scenario, models[pool], here, base_column, learnt))
    table = pd.concat(frames, ignore_index=True)
    table = table[table["base"].notna()]
    skipped = len(usable) - len(table)
    if skipped:
        notes["conversion_rate"] = (
            f"{skipped} rows with orders but no {scenario.conversion_base} were not used"
        )
    if table.empty:
        return [], {}, None
    campaigns = sorted(set(table["campaign"]))
    products = [product] + sorted(set(table["product"]) - {product})
    campaign_product = []
    for campaign in campaigns:
        of = table.loc[table["campaign"] == campaign, "product"].iloc[0]
        campaign_product.append(products.index(of))
    table["cell_key"] = list(zip(table["pool"], table["campaign"], table["spread"], strict=True))
    keys = sorted(set(table["cell_key"]))
    priors = tuple(models[pool].priors["conversion_rate"] for pool in pools)
    cells = OrderCells(
        pools=priors,
        products=len(products),
        campaign_product=np.array(campaign_product, dtype=int),
        cell_pool=np.array([pools.index(k[0]) for k in keys], dtype=int),
        cell_campaign=np.array([campaigns.index(k[1]) for k in keys], dtype=int),
        y=table["orders"].to_numpy(float),
        base=table["base"].to_numpy(float),
        offset=table["offset"].to_numpy(float),
        spread=table["spread"].to_numpy(float),
        cell=np.array([keys.index(k) for k in table["cell_key"]], dtype=int),
        shock_sigma=scenario.shock_sigma,
        shock_persistent=scenario.shock_persistent,
        dispersion=next(iter(models.values())).dispersion,
    )
    posterior = joint_posterior(cells, seed)
    out = []
    sds = np.sqrt(np.diag(posterior.covariance))
    for i, pool in enumerate(pools):
        used = table[table["pool"] == pool]
        out.append(
            _Learnt(
                f"{pool}/conversion_rate",
                pool,
                "conversion_rate",
                priors[i],
                float(posterior.mean[i]),
                float(sds[i]),
                used,
                (float(posterior.flat_mean[i]), float(posterior.flat_sd[i])),
            )
        )
    appeal_used = posterior.has_appeal and product in set(table["product"])
    covariance = posterior.covariance
    if posterior.has_appeal and not appeal_used:
        covariance = covariance[: len(pools), : len(pools)]
    if appeal_used:
        used = table[table["product"] == product]
        out.append(
            _Learnt(
                "shock",
                "",
                "product_appeal",
                None,
                float(posterior.mean[-1]),
                float(sds[-1]),
                used,
                (float(posterior.flat_mean[-1]), float(posterior.flat_sd[-1])),
            )
        )
    provenance = {
        "importance_sampling": {
            "draws": posterior.draws,
            "effective_sample_size": round(posterior.ess, 1),
            "mcse_of_means": [round(float(x), 5) for x in posterior.mcse],
        }
    }
    if posterior.ess < MIN_ESS:
        warnings.warn(
            f"the conversion block's importance sampling reached only {posterior.ess:.0f} "
            f"effective draws of {posterior.draws:,} (aim: {MIN_ESS:,}): its Monte Carlo error "
            "(mcse_of_means in the file) is larger than usual; the posterior may be far from "
            "normal (check the data for a conflict)",
            Notice,
            stacklevel=3,
        )
    return out, provenance, covariance


def _order_rows(
    scenario: Scenario,
    model: PoolModel,
    frame: pd.DataFrame,
    base_column: str | None,
    learnt: list[_Learnt],
) -> pd.DataFrame:
    """The orders rows of one pool with their conversion base, amplified offset and the
    creators' spread (a campaign total of n creators spreads as tau / sqrt(n))."""
    prior = model.priors["conversion_rate"]
    n = frame["creators"].to_numpy(float)
    engaged = frame["engagements"].to_numpy(float)
    if base_column is not None:
        base = frame[base_column].to_numpy(float)
    else:  # followers: the audience itself (known followers only)
        base = frame["followers"].to_numpy(float) * model.audience_share
        base = base * frame["deliverables"].to_numpy(float)
    totals = n > 1
    if totals.any() and base_column == "engagements":
        level = _engagement_level(model, learnt)
        per_creator = model.mean("followers") * model.audience_share * level
        expected = n * frame["deliverables"].to_numpy(float) * per_creator
        base = np.where(totals & np.isnan(base), expected, base)
        engaged = np.where(totals & np.isnan(engaged), expected, engaged)
    offset = np.where(np.isnan(engaged), 0.0, engaged) * model.orders_per_engagement
    return pd.DataFrame(
        {
            "row": frame["row"].to_numpy(),
            "pool": model.pool,
            "campaign": frame["campaign"].to_numpy(),
            "product": frame["product"].to_numpy(),
            "creator": frame["creator"].to_numpy(),
            "creators": frame["creators"].to_numpy(),
            "orders": frame["orders"].to_numpy(float),
            "base": base,
            "offset": offset,
            "spread": prior.creator_spread / np.sqrt(n),
        }
    )


def _engagement_level(model: PoolModel, learnt: list[_Learnt]) -> float:
    """The engagement level campaign totals without engagements are read at: the pool's
    posterior median for the next campaign if calibrated, else the prior mean."""
    for item in learnt:
        if item.pool == model.pool and item.quantity == "engagement_rate" and item.prior:
            mean, sd = next_campaign_scores(item.mean, item.sd, item.prior.persistent)
            return float(level_of_score(item.prior.dist, np.array([mean]))[0])
    return model.mean("engagement_rate")


def _order_value(
    scenario: Scenario, rows: pd.DataFrame
) -> tuple[Distribution | None, QuantityUpdate | None]:
    """The brand's order value from revenue per order: its normal score under the
    scenario's order-value prior, with each campaign's average known to
    ``AOV_ORDER_CV / sqrt(orders)`` on the log scale."""
    used = rows[rows["revenue"].notna() & rows["orders"].notna() & (rows["orders"] > 0)]
    if used.empty:
        return None, None
    prior = scenario.aov
    totals = used.groupby("campaign")[["revenue", "orders"]].sum()
    observed = np.log(totals["revenue"].to_numpy() / totals["orders"].to_numpy())
    noise = AOV_ORDER_CV / np.sqrt(totals["orders"].to_numpy())
    log_values = np.log(np.maximum(level_of_score(prior, grids.Z_GRID), 1e-300))
    loglik = np.zeros(grids.Z_GRID.shape)
    for value, sd in zip(observed, noise, strict=True):
        loglik += -0.5 * ((value - log_values) / sd) ** 2
    post, flat = grids.posterior_1d([loglik], 1.0)
    p5 = float(level_of_score(prior, np.array([post.quantile(0.05)]))[0])
    p95 = float(level_of_score(prior, np.array([post.quantile(0.95)]))[0])
    median = float(level_of_score(prior, np.array([post.quantile(0.5)]))[0])
    fitted = LogNormal.from_range(p5, p95) if p95 > p5 else None
    update = QuantityUpdate(
        pool="",
        quantity="aov",
        rows=len(used),
        creators=_creator_count(used),
        campaigns=len(totals),
        prior=Summary(*(float(v) for v in prior.ppf(np.array([0.5, 0.05, 0.95])))),
        posterior=Summary(median, p5, p95),
        conflict_percentile=conflict_percentile(flat.mean, flat.sd),
        note=f"ASSUMPTION: single orders spread with CV {AOV_ORDER_CV} around the average",
    )
    return fitted, update


def _update(item: _Learnt, scenario: Scenario) -> QuantityUpdate:
    """The next campaign's value before and after, in the quantity's units."""
    if item.prior is None:  # the product's appeal: the shock's median-1 multiplier
        sigma, q = scenario.shock_sigma, scenario.shock_persistent
        prior = _normal_summary(0.0, sigma, math.exp)
        mean, sd = next_campaign_scores(item.mean, item.sd, q)
        posterior = _normal_summary(sigma * mean, sigma * sd, math.exp)
    else:
        dist = item.prior.dist
        p = item.prior.persistent
        if item.quantity == "fee" and item.prior.describes == "creators":
            rho = item.prior.shared
            mean, sd = next_campaign_scores(item.mean, item.sd, p)
            centre, spread = math.sqrt(rho) * mean, math.sqrt(rho * sd * sd + 1 - rho)
        else:
            centre, spread = next_campaign_scores(item.mean, item.sd, p)

        def value(z: float) -> float:
            return float(level_of_score(dist, np.array([z]))[0])

        prior = _normal_summary(0.0, 1.0, value)
        posterior = _normal_summary(centre, spread, value)
    frame = item.rows
    return QuantityUpdate(
        pool=item.pool,
        quantity=item.quantity,
        rows=len(frame),
        creators=_creator_count(frame),
        campaigns=int(frame["campaign"].nunique()),
        prior=prior,
        posterior=posterior,
        conflict_percentile=conflict_percentile(*item.flat),
        note=item.note,
        spread=None
        if item.spread is None
        else (item.spread.assumed, item.spread.median, item.spread.p5, item.spread.p95),
    )


def _normal_summary(mean: float, sd: float, value) -> Summary:  # type: ignore[no-untyped-def]
    z = special.ndtri(np.array([0.5, 0.05, 0.95]))
    return Summary(*(value(mean + sd * float(q)) for q in z))


def _untouched(
    scenario: Scenario, models: dict[str, PoolModel], names: tuple[str, ...]
) -> tuple[str, ...]:
    """Every pool quantity with a persistent part that the data did not speak to."""
    out = []
    pools = {g.pool for g in scenario.groups} | set(models)
    for pool in sorted(pools):
        tier, platform = pool.split("/", 1)
        for quantity in LEARNT:
            name = f"{pool}/{quantity}"
            if name not in names:
                out.append(name)
    if "shock" not in names and scenario.shock_sigma > 0:
        out.append("shock")
    return tuple(out)


def _with_predictive(
    calibration: Calibration,
    scenario: Scenario,
    models: dict[str, PoolModel],
    rows: pd.DataFrame,
    seed: int,
) -> Calibration:
    frame = predictive_percentiles(calibration, scenario, models, rows, seed)
    return Calibration(
        updates=calibration.updates,
        names=calibration.names,
        mean=calibration.mean,
        covariance=calibration.covariance,
        predictive=frame,
        untouched=calibration.untouched,
        provenance=calibration.provenance,
        aov=calibration.aov,
        priors=calibration.priors,
    )
