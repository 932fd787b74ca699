"""Write the example roster and its history of docs/rosters.md (SYNTHETIC data).

    python benchmarks/make_roster_example.py      # rewrites both files, prints them

Writes ``scenarios/rosters/coffee-shortlist.csv``, a 30-candidate shortlist for the coffee
launch of scenarios/coffee-launch.yaml (and scenarios/coffee-roster.yaml, which books it), and
``scenarios/observed/shortlist-history.csv``, the past results of 6 of the candidates. Both
are made up: no real creator stands behind any handle, and every number below traces to the
scenario's own priors (scenarios/priors/article.yaml, as coffee-launch.yaml resolves them) and
to the fixed seed ``SEED``. Nothing was tuned after seeing the output.

The shortlist. 15 nano Instagram, 8 nano TikTok, 5 micro Instagram and 2 micro YouTube
candidates, in that order (the order a ``budget`` books them in). For each candidate:

* followers: a draw from the tier's followers prior (log-uniform 1,000-10,000 for nano,
  10,000-100,000 for micro), rounded to 10 (nano) or 100 (micro) and kept inside the bounds;
* the fee per deliverable: a draw from the pool's fee prior (lognormal, NT$5,000-20,000 per
  nano Instagram post, 3,000-15,000 per nano TikTok video, 30,000-80,000 per micro Instagram
  post, 50,000-150,000 per micro YouTube video: their 90% ranges), joined to the followers by
  the priors' followers-fee rank correlation (0.7: a Gaussian copula of Pearson
  2 sin(pi 0.7 / 6) = 0.72), so bigger creators quote more;
* deliverables: 1, 2 or 3 (nano: probabilities 0.5, 0.35, 0.15; micro: 0.8, 0.2, 0);
* ``quoted_fee``: the fee per deliverable times the deliverables, rounded to NT$500 (nano) or
  NT$1,000 (micro).

Then, by position (fixed, listed in ``RANGES`` and ``UNKNOWN``): three candidates have a fee
RANGE instead of a quote (``fee_low``/``fee_high`` at 0.8 and 1.25 times it, rounded the same
way; one of them keeps the quote inside the range too: a triangular fee), two have followers
not known (the tier stays), and two have no fee at all (neither quote nor range: the pool's
fee prior). No history columns: a roster lists candidates, their past goes in the
observed-creators file.

The history. Twelve past campaigns of the same product (``CAMPAIGNS``, one every two months
from 2024-01; no ``product`` column, so calibrate reads them as the product of the scenario it
calibrates, and learns its persistent appeal), each with two one-off nano Instagram partners
who are not on the shortlist, and six shortlisted candidates in some of them (``HISTORY``):
@pourover_pei in all twelve (the long history), the others in 2 to 4. Simulated forwards
through the model of MODEL.md §10 from known truths (``POOL_TRUTH``, ``OWN_TRUTH``), the way
tests/test_calibration_creators.py builds its histories:

* every pool's persistent scores are 0 (the brand is the priors' median brand), and so is the
  product's persistent appeal; each campaign draws its own campaign parts (N(0, 1)) of every
  pool level and of the shock;
* in campaign k a pool's level score is ``sqrt(p) Zp + sqrt(1 - p) Zc_k`` (p = 0.5), its
  creators centre at ``m`` (calibration.observation.centres: the pool's mean creator is the
  level), and a creator's rate is ``expit(m + tau eta)`` with ``tau`` the prior's creator
  spread; a one-off partner's ``eta ~ N(0, 1)``, a shortlisted creator's
  ``eta = sqrt(q) eta_p + sqrt(1 - q) eta_c`` (q = OWN_PERSISTENT = 0.5) with ``eta_p`` from
  ``OWN_TRUTH`` (their usual self) and ``eta_c ~ N(0, 1)``;
* counts as the observation layer reads them: engagements ~ Poisson(A e), reach ~ Poisson(A r +
  E k_R), orders ~ Poisson(S_k (E c + E k_O)) with A = followers x (1 - fake share) x
  deliverables, k_R and k_O the priors' mean amplified reach and orders per engagement, S_k the
  campaign's shock; revenue = orders x the median order value x a lognormal noise of CV
  0.5 / sqrt(orders) (as calibration.pilot does);
* a shortlisted creator's past followers are their followers now, one deliverable a
  campaign, and their fee what their quote says per deliverable (the middle of a range) times
  a draw from U(0.85, 1.0) (older deals were a little cheaper), rounded to NT$100; a one-off
  partner's followers and fee are draws from the tier's followers prior and the pool's fee
  prior.

Calibrating scenarios/coffee-roster.yaml with the history (docs/rosters.md, "History and
calibration") moves @pourover_pei's persistent engagement effect from N(0, 1) to +0.49 +- 0.34
(truth +1.2; the nano Instagram pool's score comes out +0.41 +- 0.55, truth 0: docs/rosters.md
says why) and their reach effect to +0.51 +- 0.37 (truth +0.5).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.calibration.observation import centres, pool_model
from campaign_sim.calibration.update import AOV_ORDER_CV
from campaign_sim.random.levels import OWN_PERSISTENT
from campaign_sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "coffee-launch.yaml"
ROSTER = ROOT / "scenarios" / "rosters" / "coffee-shortlist.csv"
HISTORY_FILE = ROOT / "scenarios" / "observed" / "shortlist-history.csv"
SEED = 20251201
FOLLOWERS_FEE_SPEARMAN = 0.7  # the priors' followers_fee_spearman (article.yaml)

#: The candidates by pool, in file order. Handles are made up (home-cafe and coffee themes).
CANDIDATES = {
    "nano/instagram": (
        "@pourover_pei",
        "@drip.diary",
        "@kettle_mornings",
        "@beans.and.books",
        "@hsinchu_drip",
        "@tamsui.brews",
        "@latte_lab_tw",
        "@slowbar.home",
        "@cupping_notes",
        "@sunday.dripper",
        "@filter_and_fern",
        "@taichung.coffee.kid",
        "@mocha_mei",
        "@grind.daily",
        "@aeropress_ann",
    ),
    "nano/tiktok": (
        "@drip_in_60s",
        "@coffeetok.tw",
        "@beanbeat",
        "@brewclips_yi",
        "@icedlatte.diaries",
        "@mokapot_mia",
        "@coldbrew.kai",
        "@barista_noob",
    ),
    "micro/instagram": (
        "@taipei_coffee_guide",
        "@roastery.hopper",
        "@thirdwave.tw",
        "@specialty_sip",
        "@crema.journal",
    ),
    "micro/youtube": ("@homebarista_tw", "@coffeegeek.lab"),
}
DELIVERABLES_P = {"nano": (0.5, 0.35, 0.15), "micro": (0.8, 0.2, 0.0)}
ROUND_FEE = {"nano": 500, "micro": 1000}
ROUND_FOLLOWERS = {"nano": 10, "micro": 100}
#: Candidates quoting a range (fee_low, fee_high) instead of a quote; True keeps the quote.
RANGES = {"@sunday.dripper": False, "@brewclips_yi": False, "@crema.journal": True}
#: Candidates whose followers or fee the shortlist does not know.
UNKNOWN = {"@mocha_mei": "followers", "@coldbrew.kai": "followers", "@aeropress_ann": "fee",
           "@barista_noob": "fee"}  # fmt: skip

#: The past campaigns, one every two months (the history's campaign ids).
CAMPAIGNS = tuple(f"{2024 + (2 * k) // 12}-{(2 * k) % 12 + 1:02d}-drip-bags" for k in range(12))
#: Which past campaigns (indices into CAMPAIGNS) each shortlisted creator took part in.
HISTORY = {
    "@pourover_pei": tuple(range(12)),
    "@drip.diary": (3, 7, 10),
    "@kettle_mornings": (9, 11),
    "@drip_in_60s": (2, 5, 8, 11),
    "@taipei_coffee_guide": (4, 8, 10),
    "@homebarista_tw": (6, 11),
}
OTHERS_PER_CAMPAIGN = 2  # one-off nano Instagram partners per past campaign, not shortlisted
#: The brand's truth: every pool's persistent scores and the product's appeal at 0 (the
#: priors' median), and each shortlisted creator's persistent own effect eta_p.
POOL_TRUTH = 0.0
OWN_TRUTH = {
    "@pourover_pei": {"engagement_rate": 1.2, "reach_rate": 0.5, "conversion_rate": 0.8},
    "@drip.diary": {"engagement_rate": -0.8, "reach_rate": -0.3, "conversion_rate": 0.0},
    "@kettle_mornings": {"engagement_rate": 0.3, "reach_rate": 0.0, "conversion_rate": -0.4},
    "@drip_in_60s": {"engagement_rate": 0.9, "reach_rate": 0.6, "conversion_rate": 0.2},
    "@taipei_coffee_guide": {"engagement_rate": -0.5, "reach_rate": 0.2, "conversion_rate": 0.3},
    "@homebarista_tw": {"engagement_rate": 0.0, "reach_rate": 0.0, "conversion_rate": 0.5},
}
RATES = (("engagement_rate", "engagements"), ("reach_rate", "reach"))
PARTNERS = (
    "@morning.pour", "@brew.with.lin", "@cafe_at_six", "@v60.vicky", "@hand_drip_hao",
    "@beanjar.tw", "@steam.and.crema", "@little.roast", "@kaohsiung_cup", "@oat.latte.ou",
    "@drip_corner", "@coffee.cat.home", "@bloom_30s", "@yilan.brews", "@tea_or_coffee_tw",
    "@flat.white.fang", "@french.press.pan", "@cup.of.chou", "@gooseneck_gigi", "@ristretto_ray",
    "@homecafe.hana", "@pour_and_pause", "@single.origin.su", "@brewbuddy.tw",
)  # fmt: skip


def _rounded(value: float, step: int) -> int:
    return int(max(step, step * round(value / step)))


def shortlist(scenario, rng: np.random.Generator) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The 30 candidates (see the module docstring)."""
    r = 2 * math.sin(math.pi * FOLLOWERS_FEE_SPEARMAN / 6)
    records = []
    for pool, handles in CANDIDATES.items():
        tier, platform = pool.split("/", 1)
        priors = pool_model(scenario, pool).priors
        followers_prior, fee_prior = priors["followers"].dist, priors["fee"].dist
        low, high = followers_prior.support()
        step = ROUND_FOLLOWERS[tier]
        for handle in handles:
            z_followers, z_own = rng.standard_normal(2)
            z_fee = r * z_followers + math.sqrt(1 - r * r) * z_own
            followers = float(followers_prior.ppf(special.ndtr(z_followers)))
            followers = min(max(round(followers / step) * step, low), high - step)
            per_post = float(fee_prior.ppf(special.ndtr(z_fee)))
            k = int(rng.choice([1, 2, 3], p=DELIVERABLES_P[tier]))
            fee = _rounded(per_post * k, ROUND_FEE[tier])
            row: dict[str, object] = {
                "creator": handle,
                "platform": platform,
                "tier": tier,
                "followers": int(followers),
                "deliverables": k,
                "quoted_fee": fee,
                "fee_low": None,
                "fee_high": None,
            }
            if handle in RANGES:
                row["fee_low"] = _rounded(0.8 * per_post * k, ROUND_FEE[tier])
                row["fee_high"] = _rounded(1.25 * per_post * k, ROUND_FEE[tier])
                if not RANGES[handle]:
                    row["quoted_fee"] = None
            missing = UNKNOWN.get(handle)
            if missing == "followers":
                row["followers"] = None
            elif missing == "fee":
                row["quoted_fee"] = None
            records.append(row)
    table = pd.DataFrame.from_records(records)
    for column in ("followers", "quoted_fee", "fee_low", "fee_high"):
        table[column] = table[column].astype("Int64")
    return table


def _per_post(row: pd.Series) -> float:
    """What the candidate charges per deliverable: the quote, else the middle of the range."""
    if not pd.isna(row["quoted_fee"]):
        return float(row["quoted_fee"]) / row["deliverables"]
    return (float(row["fee_low"]) + float(row["fee_high"])) / 2 / row["deliverables"]


def history(scenario, roster: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The past campaigns' rows (see the module docstring)."""
    q = OWN_PERSISTENT
    order_value = float(scenario.aov.ppf(0.5))
    sigma, q_shock = scenario.shock_sigma, scenario.shock_persistent
    by_handle = roster.set_index("creator")
    partners = iter(PARTNERS)
    records = []
    for k, campaign in enumerate(CAMPAIGNS):
        shock = math.exp(sigma * (math.sqrt(q_shock) * POOL_TRUTH + math.sqrt(1 - q_shock)
                                  * rng.standard_normal()))  # fmt: skip
        # Each pool's campaign part of each level, shared by its creators in this campaign.
        parts: dict[tuple[str, str], float] = {}
        people = [(h, "shortlist") for h, taken in HISTORY.items() if k in taken]
        people += [(next(partners), "partner") for _ in range(OTHERS_PER_CAMPAIGN)]
        for handle, kind in people:
            if kind == "shortlist":
                row = by_handle.loc[handle]
                pool = f"{row['tier']}/{row['platform']}"
                followers = float(row["followers"])
                fee_per_post = _per_post(row)
                own = OWN_TRUTH[handle]
            else:
                pool = "nano/instagram"
                model = pool_model(scenario, pool)
                followers = float(
                    round(float(model.priors["followers"].dist.ppf(rng.random())) / 10) * 10
                )
                fee_per_post = float(model.priors["fee"].dist.ppf(rng.random()))
                own = None
            model = pool_model(scenario, pool)
            audience = followers * model.audience_share
            rates = {}
            for quantity in ("engagement_rate", "reach_rate", "conversion_rate"):
                prior = model.priors[quantity]
                p = prior.persistent
                zc = parts.setdefault((pool, quantity), float(rng.standard_normal()))
                z = math.sqrt(p) * POOL_TRUTH + math.sqrt(1 - p) * zc
                m = float(centres(prior, np.array([z]))[0])
                eta = float(rng.standard_normal())
                if own is not None:
                    eta = math.sqrt(q) * own[quantity] + math.sqrt(1 - q) * eta
                x = m + prior.creator_spread * eta
                rates[quantity] = float(special.expit(x) if prior.scale == "logit" else math.exp(x))
            engagements = int(rng.poisson(audience * rates["engagement_rate"]))
            reach = int(
                rng.poisson(
                    audience * rates["reach_rate"] + engagements * model.reach_per_engagement
                )
            )
            mu = shock * engagements * (rates["conversion_rate"] + model.orders_per_engagement)
            orders = int(rng.poisson(mu))
            n = max(orders, 1)
            noise = math.exp(rng.normal() * AOV_ORDER_CV / math.sqrt(n) - 0.5 * AOV_ORDER_CV**2 / n)
            tier, platform = pool.split("/", 1)
            records.append(
                {
                    "campaign": campaign,
                    "creator": handle,
                    "platform": platform,
                    "tier": tier,
                    "followers": int(followers),
                    "deliverables": 1,
                    "fee": _rounded(fee_per_post * rng.uniform(0.85, 1.0), 100),
                    "reach": reach,
                    "engagements": engagements,
                    "orders": orders,
                    "revenue": int(round(orders * order_value * noise)),
                }
            )
    return pd.DataFrame.from_records(records)


def main() -> None:
    scenario = load_scenario(SCENARIO)
    rng = np.random.default_rng(SEED)
    roster = shortlist(scenario, rng)
    past = history(scenario, roster, rng)
    ROSTER.parent.mkdir(parents=True, exist_ok=True)
    roster.to_csv(ROSTER, index=False)
    past.to_csv(HISTORY_FILE, index=False)
    print(f"{ROSTER.relative_to(ROOT)}: {len(roster)} candidates")
    print(roster.to_string(index=False))
    known = roster["quoted_fee"].fillna((roster["fee_low"] + roster["fee_high"]) / 2)
    print(f"quoted fees (a range's middle where no quote): NT${known.sum():,.0f} in all")
    campaigns = past["campaign"].nunique()
    print(f"{HISTORY_FILE.relative_to(ROOT)}: {len(past)} rows, {campaigns} campaigns")
    print(past.to_string(index=False))


if __name__ == "__main__":
    main()
