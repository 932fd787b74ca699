"""Per-creator answers of roster strategies (issue 15 item 3, MODEL.md §10): the ranked table
(campaign_sim.analysis.roster), its terminal table, the `roster` command and its folder, the
roster.csv of run/compare folders and the report's "Named creators" section."""

from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import FIXED_PRIORS, FIXED_SCENARIO, deep_update, write_roster_scenario
from rich.cells import cell_len

from campaign_sim.analysis.roster import (
    NOTES,
    REST,
    creator_table,
    named_strategies,
    risk_shares,
    roster_frame,
)
from campaign_sim.cli import main
from campaign_sim.engine.vectorized import simulate
from campaign_sim.errors import InputError
from campaign_sim.random.sampling import Sampling
from campaign_sim.scenario.loading import load_scenario

#: Candidates of the article priors: fixed, ranged and unknown fees, followers known or not.
ROWS = [
    "@coffee_daily,instagram,nano,4200,2,3000,,",
    "@beanlab,instagram,nano,8100,1,2500,2000,3200",
    "@latte_art,instagram,micro,35000,1,,12000,18000",
    "@brewguy,tiktok,nano,,1,,,",
]
#: A roster strategy beside tier groups with a fixed cost, one booked on a budget, and one
#: without named creators.
STRATEGIES = {
    "mixed": {
        "groups": [
            {"roster": "roster.csv"},
            {"tier": "nano", "platform": "instagram", "count": 5},
        ]
    },
    "booked": {
        "budget": 20000,
        "groups": [
            {"roster": "roster.csv", "select": ["beanlab", "coffee_daily", "latte_art"], "share": 1}
        ],
    },
    "plain": {"groups": [{"tier": "nano", "platform": "instagram", "count": 5}]},
}


def _article(tmp_path: Path, campaigns: int = 4096, sampling: str = "random") -> Path:
    return write_roster_scenario(
        tmp_path,
        ROWS,
        STRATEGIES,
        name="roster answers",
        economics={"fixed_cost": 5000},
        simulation={"campaigns": campaigns, "seed": 3, "sampling": sampling},
    )


@pytest.fixture(scope="module")
def article(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("article")
    scenario = load_scenario(_article(folder))
    return folder, scenario, simulate(scenario)


#: Fixed-value roster (tests/helpers.FIXED_TIER; followers spread so the roster states them):
#: @alpha 4,000 followers, 2 posts for 6,000; beta 5,000 followers, 1 post for 14,000.
FIXED_ROSTER = """creator,platform,tier,followers,deliverables,quoted_fee
@Alpha,instagram,nano,4000,2,6000
beta,instagram,nano,5000,1,14000
"""
PRIORS = deep_update(
    FIXED_PRIORS,
    {"tiers": {"nano": {"followers": {"family": "uniform", "low": 1000, "high": 10000}}}},
)


def _fixed(write_scenario, tmp_path: Path, aov=1000, **group) -> Path:
    (tmp_path / "roster.csv").write_text(FIXED_ROSTER, encoding="utf-8")
    data = deep_update(FIXED_SCENARIO, {"economics": {"aov": aov}})
    data["strategies"] = {"a": {"groups": [{"roster": "roster.csv", **group}]}}
    return write_scenario(data, priors=PRIORS)


# -- Euler shares ----------------------------------------------------------------------------
@pytest.mark.exact
def test_risk_shares_sum_to_one(article) -> None:
    """With the rest of the strategy (tier groups, fixed cost), a strategy's shares sum to 1
    to float precision, on the simulated strategies and on arbitrary arrays."""
    _, scenario, out = article
    assert named_strategies(scenario) == ("mixed", "booked")
    frame = roster_frame(out, scenario)
    for name, rows in frame.groupby("strategy"):
        assert rows["creator"].iloc[-1] == REST
        assert abs(rows["risk_share"].sum() - 1) < 1e-12, name
    mixed = frame[frame["strategy"] == "mixed"]
    assert mixed["risk_share"].iloc[-1] > 0.05  # the tier groups carry risk of their own
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=5000) * s + m for s, m in ((1, 0), (3, 2), (0.5, -1))]
    parts.append(-0.5 * parts[1] + 0.1 * rng.normal(size=5000))  # a hedge: a negative share
    shares, _ = risk_shares(parts, sum(parts))
    assert abs(shares.sum() - 1) < 1e-12
    assert shares[-1] < 0


@pytest.mark.exact
def test_risk_shares_are_nan_when_the_profit_does_not_vary() -> None:
    shares, errors = risk_shares([np.full(64, 3.0), np.full(64, -1.0)], np.full(64, 2.0))
    assert np.isnan(shares).all() and np.isnan(errors).all()


@pytest.mark.statistical
def test_risk_share_errors_under_lhs_come_from_blocks(tmp_path: Path) -> None:
    """Under Latin hypercube sampling the standard errors come from the spread of seed-block
    means: finite, and smaller than the shares they measure."""
    scenario = load_scenario(_article(tmp_path, campaigns=8 * 1024, sampling="lhs"))
    out = simulate(scenario)
    assert out.sampling == Sampling.of("lhs", False)
    table = creator_table(out, scenario, "mixed")
    assert np.isfinite(table["risk_share_se"]).all()
    assert (table["risk_share_se"] < table["risk_share"].abs()).all()
    assert np.isfinite(table["profit_mean_se"]).all()


# -- the table against an independent computation ------------------------------------------
@pytest.mark.exact
@pytest.mark.parametrize("strategy", ["mixed", "booked"])
def test_table_matches_a_computation_from_the_raw_arrays(article, strategy: str) -> None:
    """Every column from the per-campaign arrays by hand (numpy), plain random sampling (so
    standard errors are sd / sqrt(n))."""
    _, scenario, out = article
    table = creator_table(out, scenario, strategy)
    raw = out.creators[strategy]
    total = out.values[strategy]["profit"]
    n = total.size
    var = np.mean((total - total.mean()) ** 2)
    expected = {}
    for handle, m in raw.items():
        booked = m["booked"] == 1
        profit = m["profit"]
        paid = (profit[booked] >= 0).astype(float)
        share_of = np.mean((profit - profit.mean()) * (total - total.mean())) / var
        expected[handle] = {
            "booked": booked.mean(),
            "orders_mean": m["orders"].mean(),
            "orders_p5": np.percentile(m["orders"], 5),
            "orders_p95": np.percentile(m["orders"], 95),
            "revenue_mean": m["revenue"].mean(),
            "cost_mean": m["cost"].mean(),
            "profit_mean": profit.mean(),
            "profit_mean_se": profit.std(ddof=1) / math.sqrt(n),
            "profit_p5": np.percentile(profit, 5),
            "profit_p95": np.percentile(profit, 95),
            "p_payback": paid.mean(),
            "p_payback_se": paid.std(ddof=1) / math.sqrt(paid.size),
            "cpa": m["cost"][booked].mean() / m["conversions"][booked].mean(),
            "cpe": m["cost"][booked].mean() / m["engagements"][booked].mean(),
            "risk_share": share_of,
        }
    creators = table[table["creator"] != REST].set_index("creator")
    assert sorted(creators.index) == sorted(expected)
    for handle, columns in expected.items():
        for column, value in columns.items():
            assert creators.loc[handle, column] == pytest.approx(value, rel=1e-9, abs=1e-9), (
                handle,
                column,
            )
    # ranked by mean profit, highest first
    by_hand = sorted(expected, key=lambda h: -expected[h]["profit_mean"])
    assert list(creators.index) == by_hand
    assert list(creators["rank"]) == list(range(1, len(by_hand) + 1))
    # the rest: the strategy less its named creators
    rest = total - sum(m["profit"] for m in raw.values())
    row = table[table["creator"] == REST].iloc[0]
    assert row["profit_mean"] == pytest.approx(rest.mean(), rel=1e-9, abs=1e-6)
    share = np.mean((rest - rest.mean()) * (total - total.mean())) / var
    assert row["risk_share"] == pytest.approx(share, rel=1e-9, abs=1e-12)
    cost = out.values[strategy]["cost"] - sum(m["cost"] for m in raw.values())
    assert row["cost_mean"] == pytest.approx(cost.mean(), rel=1e-9)
    assert pd.isna(row["rank"]) and pd.isna(row["p_payback"]) and pd.isna(row["pool"])


@pytest.mark.exact
def test_budget_booking_is_reflected(article) -> None:
    """@latte_art is booked by the budget only where their fee still fits: booked < 1, and
    P(payback) is over the campaigns they are booked in."""
    _, scenario, out = article
    table = creator_table(out, scenario, "booked").set_index("creator")
    assert 0 < table.loc["latte_art", "booked"] < 1
    assert table.loc["coffee_daily", "booked"] == 1
    m = out.creators["booked"]["latte_art"]
    booked = m["booked"] == 1
    assert table.loc["latte_art", "p_payback"] == pytest.approx(
        float((m["profit"][booked] >= 0).mean())
    )


# -- hand-checked P(payback) on fixed-value rosters ------------------------------------------
@pytest.mark.exact
def test_fixed_roster_hand_computed(write_scenario, tmp_path: Path) -> None:
    """Every prior fixed: @alpha 4,000 x 0.05 x 2 = 400 engagements, 40 orders, revenue
    40,000, cost 6,000 + 500, profit 0.5 x 40,000 - 6,500 = 13,500 >= 0: pays back always;
    beta 250 engagements, 25 orders, cost 14,000 + 500, profit 12,500 - 14,500 = -2,000:
    never. CPA 6,500 / 40 and 14,500 / 25; CPE 6,500 / 400 and 14,500 / 250. The profit does
    not vary: no risk shares."""
    scenario = load_scenario(_fixed(write_scenario, tmp_path))
    out = simulate(scenario, campaigns=64)
    table = creator_table(out, scenario, "a")
    assert list(table["creator"]) == ["alpha", "beta", REST]
    alpha, beta, rest = (table.iloc[i] for i in range(3))
    assert (alpha["profit_mean"], beta["profit_mean"]) == (13_500, -2_000)
    assert (alpha["p_payback"], beta["p_payback"]) == (1.0, 0.0)
    assert (alpha["p_payback_se"], beta["p_payback_se"]) == (0.0, 0.0)
    assert alpha["cpa"] == pytest.approx(6500 / 40) and beta["cpa"] == pytest.approx(14500 / 25)
    assert alpha["cpe"] == pytest.approx(6500 / 400) and beta["cpe"] == pytest.approx(58.0)
    assert alpha["orders_p5"] == alpha["orders_p95"] == 40
    assert rest["profit_mean"] == -1000  # the fixed cost
    assert table["risk_share"].isna().all()
    assert "does not vary" in NOTES["no_variance"]


@pytest.mark.exact
def test_a_candidate_never_booked_has_no_payback_nor_ratios(write_scenario, tmp_path) -> None:
    """A budget of 7,000 books @alpha (6,000 with 500 overhead outside the fee budget) and
    never beta (14,000): beta's P(payback), CPA and CPE are empty, their profit 0."""
    path = _fixed(write_scenario, tmp_path, select=["alpha", "beta"], budget=7000)
    scenario = load_scenario(path)
    table = creator_table(simulate(scenario, campaigns=64), scenario, "a").set_index("creator")
    assert table.loc["alpha", "booked"] == 1 and table.loc["beta", "booked"] == 0
    assert table.loc["beta", "profit_mean"] == 0
    assert all(pd.isna(table.loc["beta", c]) for c in ("p_payback", "cpa", "cpe"))


@pytest.mark.statistical
def test_p_payback_against_its_hand_computed_value(write_scenario, tmp_path: Path) -> None:
    """Order value uniform on [200, 1,000], everything else fixed: @alpha pays back when
    0.5 x 40 x aov >= 6,500, aov >= 325: P = 675 / 800; beta (fee 14,000) when
    0.5 x 25 x aov >= 14,500, aov >= 1,160: never; at a fee of 10,000 (aov >= 840) 160 / 800.
    Within 4 standard errors."""
    aov = {"family": "uniform", "low": 200, "high": 1000}
    scenario = load_scenario(_fixed(write_scenario, tmp_path, aov=aov))
    out = simulate(scenario, campaigns=8192)
    table = creator_table(out, scenario, "a").set_index("creator")
    p, se = table.loc["alpha", ["p_payback", "p_payback_se"]]
    assert abs(p - 675 / 800) < 4 * se and se < 0.01
    assert table.loc["beta", "p_payback"] == 0.0
    cheaper = FIXED_ROSTER.replace("1,14000", "1,10000")
    (tmp_path / "roster.csv").write_text(cheaper, encoding="utf-8")
    scenario = load_scenario(tmp_path / "scenario.yaml")
    table = creator_table(simulate(scenario, campaigns=8192), scenario, "a").set_index("creator")
    p, se = table.loc["beta", ["p_payback", "p_payback_se"]]
    assert abs(p - 160 / 800) < 4 * se


@pytest.mark.exact
def test_strategies_without_named_creators_are_refused(article, write_scenario) -> None:
    _, scenario, out = article
    with pytest.raises(InputError, match="books no named creators"):
        creator_table(out, scenario, "plain")
    with pytest.raises(InputError, match="no strategy 'nope'"):
        creator_table(out, scenario, "nope")
    plain = load_scenario(write_scenario())
    with pytest.raises(InputError, match="no strategy books named creators"):
        roster_frame(simulate(plain, campaigns=16), plain)


# -- the command -----------------------------------------------------------------------------
def _run(args: list[str], width: int | None = None):
    env = {"COLUMNS": str(width)} if width else {}
    return CliRunner(env=env).invoke(main, args, catch_exceptions=False)


@pytest.mark.cli
def test_roster_command_formats_and_folder(tmp_path: Path) -> None:
    path = str(_article(tmp_path, campaigns=2048))
    table = _run(["roster", path, "-q"])
    assert table.exit_code == 0, table.output
    assert "@coffee_daily" in table.stdout and "rest of strategy" in table.stdout
    csv = _run(["roster", path, "-q", "--format", "csv", "--strategy", "booked"])
    assert csv.exit_code == 0, csv.output
    frame = pd.read_csv(StringIO(csv.stdout))
    assert set(frame["strategy"]) == {"booked"}
    assert frame["risk_share"].sum() == pytest.approx(1, abs=1e-12)
    out = tmp_path / "folder"
    doc = _run(["roster", path, "-q", "--format", "json", "--out", str(out)])
    assert doc.exit_code == 0, doc.output
    data = json.loads(doc.stdout)
    assert data["campaigns"] == 2048 and data["seed"] == 3
    assert {r["creator"] for r in data["roster"]} >= {"coffee_daily", "brewguy", REST}
    assert {"roster.csv", "roster.xlsx", "roster.json", "manifest.json"} <= {
        p.name for p in out.iterdir()
    }
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "roster" and manifest["seed"] == 3
    assert manifest["scenario"]["sha256"] == load_scenario(path).digest
    assert "roster.csv" in manifest["files"] and manifest["version"]
    saved = pd.read_csv(out / "roster.csv")
    assert len(saved) == len(pd.read_csv(StringIO(_csv(path))))


def _csv(path: str) -> str:
    return _run(["roster", path, "-q", "--format", "csv"]).stdout


@pytest.mark.cli
def test_roster_help_has_examples() -> None:
    result = _run(["roster", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "Euler" in result.output
    assert "roster" in _run(["--help"]).output


@pytest.mark.cli
def test_roster_command_input_errors_exit_2(tmp_path: Path, write_scenario) -> None:
    path = str(_article(tmp_path, campaigns=1024))
    for args, message in (
        (["roster", str(write_scenario()), "-q"], "no strategy books named creators"),
        (["roster", path, "--strategy", "nope", "-q"], "no strategy 'nope'"),
        (["roster", path, "--strategy", "plain", "-q"], "books no named creators"),
    ):
        result = _run(args)
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.cli
@pytest.mark.parametrize("width", [80, 120])
def test_roster_table_fits_the_width(tmp_path: Path, width: int) -> None:
    path = str(_article(tmp_path, campaigns=1024))
    result = _run(["roster", path, "-q"], width=width)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    assert "@latte_art" in result.stdout and "booked" in result.stdout
    if width == 80:  # one table per strategy: nothing split off
        assert sum(line.startswith("┏") for line in lines) == 2


# -- run/compare folders and the report --------------------------------------------------------
@pytest.mark.cli
def test_run_folders_of_roster_scenarios_have_roster_csv(tmp_path: Path, write_scenario) -> None:
    from campaign_sim.reports import load_results
    from campaign_sim.reports.i18n import Text
    from campaign_sim.reports.story import tell

    path = str(_article(tmp_path, campaigns=1024))
    for command in ("run", "compare"):
        out = tmp_path / command
        result = _run([command, path, "-q", "-o", str(out)])
        assert result.exit_code == 0, result.output
        roster = pd.read_csv(out / "roster.csv")
        assert set(roster["strategy"]) == {"mixed", "booked"}
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert "roster.csv" in manifest["files"]
    story = tell(load_results(tmp_path / "run"), Text("en", "TWD"))
    named = [s for s in story.tables if s.heading.startswith("Named creators")]
    assert [s.heading for s in named] == ["Named creators: mixed", "Named creators: booked"]
    assert named[0].table.rows[0][1].startswith("@")
    assert named[0].table.rows[-1][1].startswith("Rest of the strategy")
    plain = tmp_path / "plain"
    assert _run(["run", str(write_scenario()), "-q", "-o", str(plain)]).exit_code == 0
    assert not (plain / "roster.csv").exists()
    assert not any(
        s.heading.startswith("Named") for s in tell(load_results(plain), Text("en")).tables
    )


@pytest.mark.statistical
@pytest.mark.slow
def test_standard_errors_match_the_spread_over_seeds(tmp_path: Path) -> None:
    """Over 16 independent seeds, the spread of each estimate (mean profit, P(payback), risk
    share) is what its standard error says: their ratio within the 99% range of a chi
    distribution with 15 degrees of freedom, widened (0.5 to 1.6)."""
    scenario = load_scenario(_article(tmp_path, campaigns=2048))
    tables = [
        creator_table(simulate(scenario, seed=seed), scenario, "mixed").set_index("creator")
        for seed in range(16)
    ]
    for column in ("profit_mean", "p_payback", "risk_share"):
        values = pd.concat([t[column] for t in tables], axis=1)
        errors = pd.concat([t[f"{column}_se"] for t in tables], axis=1)
        ratio = (values.std(axis=1) / errors.mean(axis=1)).dropna()
        assert len(ratio) >= 4, column
        assert ratio.between(0.5, 1.6).all(), (column, ratio.to_dict())
