"""Write the example observed-creators files of docs/calibration.md (scenarios/observed/).

    python benchmarks/make_observed_examples.py            # rewrites both files
    python benchmarks/make_observed_examples.py --search   # also shows how the seed was chosen

Both files are simulated from one made-up "truth" about the coffee roaster of
scenarios/coffee-launch.yaml, through the calibration's own observation layer
(campaign_sim.calibration.pilot.simulate_pilot: the engine's creator model around campaign
levels built from the truth's persistent scores, counts as Poisson around the engine's
expectations), then rounded like a real export: whole counts and followers, fees to the
nearest NT$100, revenue to the nearest NT$.

The truth. Every persistent normal score is 0 (the prior's median), except the nano Instagram
engagement level, which is set so that the brand's nano Instagram creators engage at about
HALF the prior median. The prior's median level is 6.73% (Beta(32.0, 439.0)), so the target
is 3.37%. The level of a campaign score z is F^-1(Phi(z)), F the prior; Phi^-1(F(0.0337)) =
-3.58. A campaign's score is sqrt(p) Zp + sqrt(1 - p) Zc with persistent share p = 0.5, so a
persistent score Zp = -3.58 / sqrt(0.5) = -5.06 gives the target level in a campaign whose
campaign part Zc is at its median 0. (-5.06 is far in the tail of the N(0, 1) planning prior:
that is the point of the worked example, a prior-data conflict.)

The seed. The pilot's own campaign part Zc and its creators are random, so a pilot of 12 from
that truth can land anywhere from about 1.5% to 7%. SEED was chosen as the first seed from 0
up whose pilot's pooled engagement rate (engagements / followers) lies within 3% of the target
(``--search`` prints the search); nothing else was tuned.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from campaign_sim.calibration.observation import pool_model
from campaign_sim.calibration.pilot import simulate_pilot
from campaign_sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "coffee-launch.yaml"
OUT = ROOT / "scenarios" / "observed"
POOL = "nano/instagram"
PILOT_SIZE = 12
SEED = 24  # the first seed of the search below that lands within 3% of the target
HANDLES = (
    "@brew.lin",
    "@pourover.yuki",
    "@latte_and_leaves",
    "@mornings.with.mei",
    "@tainan.beans",
    "@slow.drip.chen",
    "@cafe.corner.hsu",
    "@roastnotes.tw",
    "@kettle.and.cat",
    "@hsinchu.home.cafe",
    "@foamart.ann",
    "@daan.dripper",
)
# Two earlier campaigns of the same roaster, reported only as totals per pool (campaign-level
# rows): how many creators of each tier and platform were hired.
PAST = {
    "2025-03-drip-bags": {
        "product": None,  # the scenario's product
        "design": {"nano/instagram": 20, "micro/instagram": 4},
    },
    "2025-09-cold-brew": {
        "product": "Cold brew concentrate 冷萃咖啡液",
        "design": {"nano/tiktok": 15, "micro/youtube": 2},
    },
}


def truth_score(scenario) -> float:  # type: ignore[no-untyped-def]
    """The persistent engagement score whose level, at a median campaign part, is half the
    prior median."""
    prior = pool_model(scenario, POOL).priors["engagement_rate"]
    target = float(prior.dist.ppf(0.5)) / 2
    z = float(special.ndtri(prior.dist.cdf(target)))
    return z / math.sqrt(prior.persistent)


def base_truth(scenario) -> dict[str, float]:  # type: ignore[no-untyped-def]
    truth = {"shock": 0.0}
    for pool in {g.pool for g in scenario.groups}:
        for quantity in ("engagement_rate", "reach_rate", "conversion_rate", "fee"):
            truth[f"{pool}/{quantity}"] = 0.0
    truth[f"{POOL}/engagement_rate"] = truth_score(scenario)
    return truth


def pooled_rate(rows: pd.DataFrame) -> float:
    return float(rows["engagements"].sum() / (rows["followers"] * rows["deliverables"]).sum())


def pilot_rows(scenario, seed: int) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    return simulate_pilot(scenario, {POOL: PILOT_SIZE}, 1, base_truth(scenario), rng).rows


def export(rows: pd.DataFrame) -> pd.DataFrame:
    """Rounded like a spreadsheet export."""
    out = pd.DataFrame()
    out["campaign"] = rows["campaign"]
    out["product"] = rows["product"]
    if "creator" in rows:
        out["creator"] = rows["creator"]
    out["platform"] = rows["platform"]
    out["tier"] = rows["tier"]
    if "creators" in rows and (rows["creators"] > 1).any():
        out["creators"] = rows["creators"].astype(int)
    else:
        out["followers"] = rows["followers"].round().astype(int)
    out["deliverables"] = rows["deliverables"].astype(int)
    out["fee"] = (rows["fee"] / 100).round().astype(int) * 100
    for column in ("reach", "engagements", "orders"):
        out[column] = rows[column].round().astype("Int64")
    out["revenue"] = rows["revenue"].round().astype(int)
    return out


def write_pilot(scenario, seed: int) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rows = pilot_rows(scenario, seed).copy()
    rows["campaign"] = "2025-11-pilot"
    rows["creator"] = list(HANDLES)
    table = export(rows)
    table.to_csv(OUT / "pilot-nano-instagram.csv", index=False)
    return table


def write_past(scenario) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    truth = base_truth(scenario)
    records = []
    for k, (campaign, spec) in enumerate(PAST.items()):
        rng = np.random.default_rng([SEED, 1000 + k])
        rows = simulate_pilot(scenario, spec["design"], 1, truth, rng).rows
        rows["pool"] = rows["tier"] + "/" + rows["platform"]
        for pool, part in rows.groupby("pool", sort=False):
            tier, platform = pool.split("/", 1)
            records.append(
                {
                    "campaign": campaign,
                    "product": spec["product"] or scenario.name,
                    "platform": platform,
                    "tier": tier,
                    "creators": len(part),
                    "deliverables": 1,
                    "fee": part["fee"].sum(),
                    # YouTube's totals were reported without engagements: left empty
                    "reach": np.nan,
                    "engagements": np.nan if platform == "youtube" else part["engagements"].sum(),
                    "orders": part["orders"].sum(),
                    "revenue": part["revenue"].sum(),
                }
            )
    table = export(pd.DataFrame(records))
    table = table.drop(columns=["reach"])
    table.to_csv(OUT / "past-campaigns.csv", index=False)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search", action="store_true", help="show the seed search")
    args = parser.parse_args()
    scenario = load_scenario(SCENARIO)
    prior = pool_model(scenario, POOL).priors["engagement_rate"]
    target = float(prior.dist.ppf(0.5)) / 2
    print(
        f"prior median {prior.dist.ppf(0.5):.4%}, target {target:.4%}, "
        f"persistent score {truth_score(scenario):.3f}"
    )
    if args.search:
        for seed in range(0, 100):
            rate = pooled_rate(pilot_rows(scenario, seed))
            hit = abs(rate / target - 1) < 0.03
            print(f"seed {seed:3d}: pooled engagement {rate:.4%}{'  <- within 3%' if hit else ''}")
            if hit:
                break
    OUT.mkdir(parents=True, exist_ok=True)
    pilot = write_pilot(scenario, SEED)
    print(
        f"pilot (seed {SEED}): pooled engagement "
        f"{pilot['engagements'].sum() / pilot['followers'].sum():.4%}"
    )
    print(pilot.to_string(index=False))
    print(write_past(scenario).to_string(index=False))


if __name__ == "__main__":
    main()
