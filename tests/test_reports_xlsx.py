"""Workbooks that are finished and portable: no folder of the machine that made them in any
cell, every sheet's header named in words, bold on a fill and frozen, every numeric column
with a number format, and a sweep's best plan on a sheet of its own. Results folders of each
kind are written by the real command line into a temporary folder given by absolute paths."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pytest
from helpers import ROOT

from campaign_sim.reports import build_report, load_results
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.xlsx import Paths, axis_words, heading

OPENPYXL = pytest.importorskip("openpyxl")

SCENARIOS = ROOT / "scenarios"
#: Column names of the results' tables a header must never show as they are.
RAW = {
    "s1",
    "st",
    "s1_ci_low",
    "st_ci_high",
    "n_undefined",
    "roi_mean",
    "profit_mean",
    "roi_mean_ci_low",
    "prob_loss",
    "expected_shortfall",
    "value_at_risk",
    "spearman",
    "srrc",
    "rank_r2",
    "contribution",
    "paid_back_share",
    "point",
    "nano_share",
    "budget",
    "strategies.*.groups[1].share",
    "roster_row",
    "p_payback",
    "half_width",
}
MACHINE = ("/work/", "/home/", "/tmp/", "/Users/")
WINDOWS = re.compile(r"(?<![\w])[A-Za-z]:[\\/]|\\\\\w")
#: Where a prior of the package's own prior sets says it is defined.
PRIOR_SET = "campaign_sim/scenario/prior_sets/article.yaml"


def _cli(*args: str) -> None:
    """Run the real command line (its manifest records its own argv)."""
    done = subprocess.run(
        [sys.executable, "-m", "campaign_sim", *args, "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    """A temporary folder with copies of the example scenarios (absolute paths everywhere)."""
    root = tmp_path_factory.mktemp("xlsx").resolve()
    scenarios = root / "scenarios"
    (scenarios / "sweeps").mkdir(parents=True)
    (scenarios / "rosters").mkdir()
    for name in ("coffee-launch.yaml", "mix-coffee.yaml", "coffee-roster.yaml"):
        shutil.copy(SCENARIOS / name, scenarios / name)
    shutil.copy(SCENARIOS / "sweeps/nano-share.yaml", scenarios / "sweeps/nano-share.yaml")
    shutil.copy(
        SCENARIOS / "rosters/coffee-shortlist.csv", scenarios / "rosters/coffee-shortlist.csv"
    )
    return root


@pytest.fixture(scope="module")
def folders(place: Path) -> dict[str, Path]:
    """One results folder of each kind, made with absolute scenario and --out paths."""
    s, out = place / "scenarios", place / "results"
    coffee = str(s / "coffee-launch.yaml")
    sobol = ["--sobol"] if importlib.util.find_spec("SALib") else []
    made = {
        "compare": ["compare", coffee, "-n", "256"],
        "sweep": ["sweep", str(s / "sweeps/nano-share.yaml"), "-n", "128"],
        "timeline": ["timeline", coffee, "-n", "120"],
        "sensitivity": ["sensitivity", coffee, "-n", "64", *sobol],
        "roster": ["compare", str(s / "coffee-roster.yaml"), "--precision", "0.1"],
    }
    for kind, args in made.items():
        _cli(*args, "--out", str(out / kind))
    # a manifest written on Windows names its folders with drive letters and UNC shares
    path = out / "compare" / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["argv"] += ["--priors", r"C:\Users\analyst\priors.yaml", r"\\server\share\x.yaml"]
    manifest["settings"]["note"] = f"written from {place}/notes/run.txt and D:/plans/q3.yaml"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return {kind: out / kind for kind in made}


def _book(folder: Path, lang: str = "en"):
    report = build_report(
        folder, formats="xlsx", lang=lang, out=folder.parent / f"{folder.name}-{lang}"
    )
    (name,) = [f for f in report.files if f.endswith(".xlsx")]
    return OPENPYXL.load_workbook(report.folder / name)


@pytest.fixture(scope="module")
def books(folders) -> dict[str, object]:
    out = {kind: _book(folder) for kind, folder in folders.items()}
    out["compare-zh-TW"] = _book(folders["compare"], "zh-TW")
    return out


def _texts(book) -> list[tuple[str, str]]:
    """(where, text) of every text the workbook shows: cells, header comments, sheet names."""
    out = []
    for sheet in book:
        out.append((sheet.title, sheet.title))
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    out.append((f"{sheet.title}!{cell.coordinate}", cell.value))
                if cell.comment is not None:
                    out.append((f"{sheet.title}!{cell.coordinate} comment", cell.comment.text))
    return out


def _rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


# -- no paths of the machine that made them --------------------------------------------------


@pytest.mark.exact
@pytest.mark.slow  # the module's folders are written by five runs of the command line
@pytest.mark.parametrize(
    "kind", ["compare", "sweep", "timeline", "sensitivity", "roster", "compare-zh-TW"]
)
def test_no_cell_names_a_folder_of_the_machine_that_made_the_workbook(books, place, kind):
    found = [
        (where, value)
        for where, value in _texts(books[kind])
        if str(place) in value or any(part in value for part in MACHINE) or WINDOWS.search(value)
    ]
    assert not found


@pytest.mark.exact
@pytest.mark.slow
def test_paths_show_relative_to_the_repository_or_the_scenario_or_as_file_names(books):
    book = books["compare"]
    origins = {r["Defined in"].value for r in _rows(book["Assumptions"])}
    assert origins and origins <= {PRIOR_SET, "coffee-launch.yaml"}
    items = {r["Item"].value: r["Value"].value for r in _rows(book["Run manifest"])}
    assert items["scenario.path"] == "coffee-launch.yaml"
    argv = items["argv"].split(", ")
    assert argv[0] == "campaign_sim/__main__.py"  # python -m campaign_sim, in the repository
    assert argv[1:3] == ["compare", "coffee-launch.yaml"]
    assert argv[argv.index("--out") + 1] == "compare"
    assert argv[argv.index("--priors") + 1 :] == ["priors.yaml", "x.yaml"]
    assert items["settings.note"] == "written from run.txt and q3.yaml"
    roster = {r["Roster file"].value for r in _rows(books["roster"]["Named creators"])}
    assert roster - {None} == {"rosters/coffee-shortlist.csv"}  # None: the rest of a strategy


@pytest.mark.exact
def test_paths_in_text_are_shortened_and_nothing_else_is():
    paths = Paths((PurePosixPath("/srv/repo"),))
    assert paths("/srv/repo/scenarios/a.yaml") == "scenarios/a.yaml"
    assert paths("/srv/repo") == "repo"
    assert paths("/home/me/My Plans/a.yaml") == "a.yaml"
    assert paths("/var/tmp/out/coffee") == "coffee"
    assert paths(r"C:\Users\me\plan b.yaml") == "plan b.yaml"
    assert paths(r"\\server\share\plans\x.yaml") == "x.yaml"
    assert paths("from /var/tmp/x/y.csv, then /srv/repo/z.yaml.") == "from y.csv, then z.yaml."
    assert paths(r"see D:/plans/q3.yaml or E:\a\b.csv") == "see q3.yaml or b.csv"
    untouched = [
        "Short video vs reviews (TikTok / YouTube)",
        "nano/micro mix 奈米/微型",
        "https://example.com/a/b (2024)",
        "1,000 – 10,000 followers (definitions/FAQ)",
        '=HYPERLINK("x")',
        "ratio 1:2, and/or 3/4",
        "scenarios/sweeps/../mix-coffee.yaml",
    ]
    assert [paths(text) for text in untouched] == untouched


# -- named, formatted headers ----------------------------------------------------------------


def _raw_columns(folder: Path) -> set[str]:
    """Every column name of every table of a results folder."""
    return {str(c) for path in folder.glob("*.csv") for c in pd.read_csv(path, nrows=0).columns}


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["compare", "sweep", "timeline", "sensitivity", "roster"])
def test_every_sheet_has_a_named_bold_frozen_header_and_formatted_numbers(books, folders, kind):
    book = books[kind]
    raw = (_raw_columns(folders[kind]) | RAW) - {"Value"}
    for sheet in book:
        header = list(sheet[1])
        assert header and all(isinstance(c.value, str) and c.value.strip() for c in header)
        named = [c.value for c in header if c.value in raw or c.value.startswith("heatmap_")]
        assert not named, f"{sheet.title}: raw column names {named}"
        assert all(c.font.bold and c.fill.fgColor.rgb.endswith("DDE6F0") for c in header)
        assert sheet.freeze_panes == "A2"
        widths = [sheet.column_dimensions[c.column_letter].width for c in header]
        assert min(widths) >= 8 and max(widths) <= 60
        general = {
            (header[c.column - 1].value, c.number_format)
            for row in sheet.iter_rows(min_row=2)
            for c in row
            if isinstance(c.value, (int, float))
            and not isinstance(c.value, bool)
            and c.number_format == "General"
        }
        assert not general, f"{sheet.title}: numbers in General format: {sorted(general)[:5]}"


@pytest.mark.exact
@pytest.mark.slow
def test_number_formats_follow_the_metric_registry(books):
    sweep = _rows(books["sweep"]["Sweep"])[0]
    assert sweep["Profit · Mean"].number_format == "#,##0"  # money with separators
    assert sweep["ROI · Mean"].number_format == "0.0%"  # fractions
    assert sweep["P(loss)"].number_format == "0.00%"  # probabilities
    assert sweep["Conversions · Mean"].number_format == "#,##0"  # counts
    assert sweep["ROI · Undefined"].number_format == "#,##0"  # a count, not a fraction
    assert sweep["CPA · Mean"].number_format == "#,##0.00"
    swing = _rows(books["sensitivity"]["Swing"])
    by_output = {r["Output"].value: r["Swing"].number_format for r in swing}
    assert by_output == {"ROI": "0.0%"}  # the output in words, its rows as rates
    followers = [r for r in swing if r["Quantity"].value == "followers"]
    assert followers and all(
        r["Input at its low quantile"].number_format == "#,##0" for r in followers
    )
    daily = _rows(books["timeline"]["Daily series"])
    by_metric = {r["Metric"].value: r["Mean"].number_format for r in daily}
    assert by_metric["profit"] == by_metric["conversions"] == "#,##0"
    priors = _rows(books["compare"]["Assumptions"])
    formats = {r["Quantity"].value: r["P95"].number_format for r in priors}
    assert formats["fee"] == "#,##0" and formats["engagement_rate"] == "0.00%"
    assert formats["followers"] == "#,##0"


@pytest.mark.exact
@pytest.mark.slow
def test_heatmap_sheets_name_their_axes_and_values_in_words(books, folders):
    results = load_results(folders["sweep"])
    text = Text("en", "TWD")
    for strategy in results.strategies:
        frame = pd.read_csv(folders["sweep"] / f"heatmap_{strategy}.csv")
        sheet = books["sweep"][f"Heatmap {strategy}"]
        header = [c.value for c in sheet[1]]
        assert header[0] == "Nano share" == axis_words(str(frame.columns[0]), text)
        assert header[1:] == [
            f"Profit · Mean at Budget = {text.money(v)}" for v in (600000, 1000000, 1500000)
        ]
        cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        for got, expected in zip(cells, frame.to_numpy().tolist(), strict=True):
            assert got == pytest.approx(expected, rel=1e-12)
        assert {c.number_format for c in sheet["B"][1:]} == {"#,##0"}
        assert {c.number_format for c in sheet["A"][1:]} == {"0.0%"}


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.skipif(not importlib.util.find_spec("SALib"), reason="--sobol needs SALib")
def test_sobol_sheet_says_first_order_and_total_index_as_percentages(books, folders):
    sobol = pd.read_csv(folders["sensitivity"] / "sobol.csv")
    rows = _rows(books["sensitivity"]["Sobol indices"])
    assert len(rows) == len(sobol)
    for row, expected in zip(rows, sobol.itertuples(), strict=True):
        for header, field in (("First-order index", "s1"), ("Total index", "st")):
            assert row[header].value == pytest.approx(getattr(expected, field), rel=1e-12)
            assert row[header].number_format == "0.0%"
        assert row["Total index · 95% CI, high"].value == pytest.approx(expected.st_ci_high)
    # strategies, output and inputs in words, as the deck names them (issue 17)
    words = {"aov": "order value (AOV)", "shock": "shock (product appeal)"}
    words["creators"] = "creator luck (every creator's own draws)"
    assert [r["Input"].value for r in rows] == [words[i] for i in sobol["input"]]
    assert {r["Output"].value for r in rows} == {"ROI"}
    assert "nano_heavy" not in {r["Strategy"].value for r in rows}


@pytest.mark.exact
@pytest.mark.slow
def test_sensitivity_sheets_name_inputs_in_the_workbooks_language(books, folders, tmp_path):
    """The Chinese workbook's sensitivity sheets say their inputs and parts in Chinese, not the
    engine's English (issue 17: zh-TW is partly English)."""
    from campaign_sim.reports.sensitivity import input_name

    zh = Text("zh-TW", "TWD")
    built = build_report(folders["sensitivity"], formats=["xlsx"], lang="zh-TW", out=tmp_path)
    (name,) = [f for f in built.files if f.endswith(".xlsx")]
    book = OPENPYXL.load_workbook(tmp_path / name)
    drivers = pd.read_csv(folders["sensitivity"] / "sensitivity.csv")
    rows = _rows(book[zh("sheet.sensitivity")])
    assert [r[zh("col.input")].value for r in rows] == [
        input_name(r, zh) for r in drivers.to_dict("records")
    ]
    parts = [r[zh("col.input")].value for r in _rows(book[zh("xlsx.sheet_split")])]
    assert parts and not [p for p in parts if re.search(r"[A-Za-z]{4,}", p)]


# -- the best plan of a sweep ----------------------------------------------------------------


def _items(sheet) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in _rows(sheet):
        out.setdefault(row["Item"].value, []).append(row)
    return out


@pytest.mark.exact
@pytest.mark.slow
def test_sweep_workbook_opens_on_its_best_plan_with_the_numbers_of_best_json(books, folders):
    folder = folders["sweep"]
    data = json.loads((folder / "best.json").read_text(encoding="utf-8"))
    best = data["best"]
    assert best is not None, "the example sweep has a plan that meets its limits"
    results = load_results(folder)
    text = Text("en", "TWD")
    book = books["sweep"]
    assert book.sheetnames[0] == "Best plan"
    items = _items(book["Best plan"])
    assert items["Objective"][0]["Value"].value == "maximise mean profit"
    assert [r["Value"].value for r in items["Risk limit"]] == [
        "P(loss) ≤ 55.0%",
        f"{text('col.es')} ≥ {text.money(-800000)}",
    ]
    assert items["Plans in the sweep (point and strategy)"][0]["Value"].value == data["candidates"]
    assert items["Plans meeting every limit"][0]["Value"].value == data["feasible"]
    assert items["Strategy"][0]["Value"].value == results.label(best["strategy"])
    assert items["Point"][0]["Value"].value == best["point"]
    for name, value in best["settings"].items():
        assert items[axis_words(name, text)][0]["Value"].value == pytest.approx(value)
    (objective,) = items["Profit · Mean"]
    got = [objective[k].value for k in ("Value", "95% CI, low", "95% CI, high")]
    assert got == pytest.approx([best["value"], *best["ci"]], rel=1e-12)
    for limit, words in zip(
        best["limits"], [r["Value"].value for r in items["Risk limit"]], strict=True
    ):
        (row,) = items[words]
        got = [row[k].value for k in ("Value", "95% CI, low", "95% CI, high")]
        assert got == pytest.approx([limit["value"], *limit["ci"]], rel=1e-12)
        assert row["Met across its 95% CI"].value == ("Yes" if limit["met_across_ci"] else "No")
    sweep = pd.read_csv(folder / "sweep.csv")
    chosen = sweep[(sweep["point"] == best["point"]) & (sweep["strategy"] == best["strategy"])]
    (roi,) = items[heading("roi_mean", text)]
    expected = chosen.iloc[0][
        ["roi_mean", "roi_mean_ci_low", "roi_mean_ci_high", "roi_p5", "roi_p95"]
    ]
    got = [roi[k].value for k in ("Value", "95% CI, low", "95% CI, high", "P5", "P95")]
    assert got == pytest.approx(list(expected), rel=1e-12)
    assert roi["Value"].number_format == "0.0%"
    assert objective["Value"].number_format == "#,##0"


@pytest.mark.exact
@pytest.mark.slow
def test_best_plan_sheet_says_when_no_plan_meets_the_limits(folders, tmp_path):
    folder = tmp_path / "none"
    shutil.copytree(folders["sweep"], folder)
    data = json.loads((folder / "best.json").read_text(encoding="utf-8"))
    data.update(risk_limits=["prob_loss <= 0.01"], feasible=0, best=None)
    (folder / "best.json").write_text(json.dumps(data), encoding="utf-8")
    items = _items(_book(folder)["Best plan"])
    assert items["Plans meeting every limit"][0]["Value"].value == 0
    assert [r["Value"].value for r in items["Risk limit"]] == ["P(loss) ≤ 1.0%"]
    (none,) = items["Best plan"]
    assert (
        none["Value"].value
        == f"None of the {data['candidates']} plans of the sweep meets P(loss) ≤ 1.0%."
    )
    assert "Strategy" not in items and "Point" not in items


# -- the comparison sheet --------------------------------------------------------------------


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["compare", "compare-zh-TW"])
def test_comparison_headers_name_both_strategies_and_keep_their_formats(books, folders, kind):
    lang = "zh-TW" if kind.endswith("zh-TW") else "en"
    results = load_results(folders["compare"])
    text = Text(lang, results.currency)
    comparison = pd.read_csv(folders["compare"] / "comparison.csv")
    a, b = (results.label(str(comparison[k].iloc[0])) for k in ("a", "b"))
    diff, better = text("col.diff_of", a=a, b=b), text("col.prob_better", a=a)
    sheet = books[kind][text("sheet.comparison")]
    header = [c.value for c in sheet[1]]
    assert header[4:] == [
        text("col.mean_of", metric=a),
        text("col.mean_of", metric=b),
        diff,
        f"{diff} · {text('col.se')}",
        f"{diff} · {text('xlsx.ci_low')}",
        f"{diff} · {text('xlsx.ci_high')}",
        f"{diff} · {text('col.p5')}",
        f"{diff} · {text('col.p50')}",
        f"{diff} · {text('col.p95')}",
        better,
        f"{better} · {text('xlsx.ci_low')}",
        f"{better} · {text('xlsx.ci_high')}",
        text("xlsx.correlation_of", a=a, b=b),
    ]
    assert " A" not in " ".join(header[4:]) and " B" not in " ".join(header[4:])
    rows = {r[text("col.metric")].value: r for r in _rows(sheet)}
    by_metric = {"ROI": "0.0%", "Profit": "#,##0"} if lang == "en" else {}
    for metric, fmt in by_metric.items():
        assert rows[metric][diff].number_format == fmt
        assert rows[metric][text("col.mean_of", metric=a)].number_format == fmt
    for row, expected in zip(_rows(sheet), comparison.itertuples(), strict=True):
        assert row[diff].value == pytest.approx(expected.mean_diff, rel=1e-12)
        assert row[better].value == pytest.approx(expected.prob_a_better, rel=1e-12)
        assert row[better].number_format == "0.00%"


# -- an optimiser's folder -------------------------------------------------------------------

#: The pilot row the fixture adds (the columns the optimiser's --pilot writes, pilot.csv).
PILOT = {
    "pool": "nano/tiktok",
    "creators": 12,
    "cost": 90732.27,
    "value": 34223.9,
    "se": 10185.1,
    "perfect": 68515.0,
    "changed": 0.42,
    "replicates": 100,
    "effective_brands": 97.28,
}


@pytest.fixture(scope="module")
def optimised(place: Path) -> dict[str, Path]:
    """A small optimize folder written by the command line with absolute paths (two pools, 27
    plans, 256 campaigns searched and 256 fresh ones, robustness judged; about 7 s of CPU),
    and a copy with a pilot.csv (the pilot's 35 s preposterior is not what these tests are
    about)."""
    out = place / "results" / "optimize"
    _cli(
        "optimize",
        str(place / "scenarios" / "coffee-launch.yaml"),
        *("--cell", "nano/tiktok=0:8", "--cell", "micro/instagram=0:2", "--runners-up", "4"),
        *("--budget", "300000", "--limit", "prob_loss<=0.6"),
        *("-n", "256", "--fresh-campaigns", "256", "--out", str(out)),
    )
    pilot = out.with_name("optimize-pilot")
    shutil.copytree(out, pilot)
    pd.DataFrame([PILOT]).to_csv(pilot / "pilot.csv", index=False)
    return {"optimize": out, "pilot": pilot}


LANGS = ("en", "zh-TW")


def _optimise_book(folder: Path, lang: str = "en"):
    from campaign_sim.reports.xlsx import build_workbook

    results = load_results(folder)
    data = build_workbook(results, Text(lang, results.currency, None))
    return OPENPYXL.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def opt_books(optimised) -> dict[tuple[str, str], object]:
    return {
        (kind, lang): _optimise_book(f, lang) for kind, f in optimised.items() for lang in LANGS
    }


def _by_item(sheet) -> dict[str, list]:
    """Rows of a key-value sheet by their first cell, each as its list of cells."""
    out: dict[str, list] = {}
    for row in sheet.iter_rows(min_row=2):
        out.setdefault(row[0].value, []).append(list(row))
    return out


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_optimize_workbook_opens_on_the_best_plan_then_its_tables(opt_books, lang):
    text = Text(lang, "TWD")
    titles = [
        text("xlsx.sheet_best"),
        text("xlsx.opt_sheet_judged"),
        text("sheet.frontier"),
        text("xlsx.opt_sheet_robustness"),
        text("xlsx.opt_sheet_pilot"),
        text("xlsx.opt_sheet_scored"),
    ]
    names = opt_books[("pilot", lang)].sheetnames
    assert names[:6] == titles and names[-1] == text("sheet.manifest")
    plain = opt_books[("optimize", lang)].sheetnames
    assert plain[:5] == [t for t in titles if t != text("xlsx.opt_sheet_pilot")]


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_best_plan_sheet_has_the_chosen_rows_numbers_of_judged_csv(opt_books, optimised, lang):
    from campaign_sim.reports.xlsx import heading, plan_words, pool_words

    folder = optimised["optimize"]
    text = Text(lang, "TWD")
    data = json.loads((folder / "optimize.json").read_text(encoding="utf-8"))
    judged = pd.read_csv(folder / "judged.csv")
    (chosen,) = judged[judged["role"].str.contains("chosen")].to_dict("records")
    items = _by_item(opt_books[("optimize", lang)][text("xlsx.sheet_best")])
    assert items[text("col.opt_plan")][0][1].value == plan_words(data["plan"], text)
    assert set(data["statistics"]) >= {"profit_mean", "prob_loss", "expected_shortfall"}
    formats = {"profit_mean": "#,##0", "prob_loss": "0.00%", "roi_mean": "0.0%"}
    for stat in data["statistics"]:
        (row,) = items[heading(stat, text)]
        value, low, high, in_sample = (c.value for c in row[1:5])
        expected = [chosen[stat], chosen[f"{stat}_ci_low"], chosen[f"{stat}_ci_high"]]
        if np.isfinite(expected).all():
            assert [value, low, high] == pytest.approx(expected, rel=1e-12)
            assert in_sample == pytest.approx(chosen[f"{stat}_in_sample"], rel=1e-12)
        if stat in formats:
            assert {c.number_format for c in row[1:5]} == {formats[stat]}
    (p_loss,) = items[heading("prob_loss", text)]
    assert p_loss[5].value == _capital_word(text, chosen["prob_loss"] <= 0.6)
    plan = pd.read_csv(folder / "plan.csv")
    for r in plan.to_dict("records"):
        where = pool_words(r["decision"], text)
        (creators,) = items[text("xlsx.opt_creators_of", where=where)]
        (fees,) = items[text("xlsx.opt_fees_of", where=where)]
        assert creators[1].value == r["creators"] and creators[1].number_format == "#,##0"
        assert (
            fees[1].value == pytest.approx(r["expected_fees"]) and fees[1].number_format == "#,##0"
        )
    what = heading("profit_mean", text)
    others = judged[
        judged["role"].str.contains("strategy|nothing") & ~judged["role"].str.contains("chosen")
    ]
    assert len(others) == 3  # the two strategies and hiring nobody
    for r in others.to_dict("records"):
        name = text("opt.role.nothing") if r["plan"] == "nobody" else r["plan"]
        (row,) = items[text("xlsx.opt_versus", plan=name, metric=what)]
        half = 1.959963984540054 * r["difference_se"]
        got = [c.value for c in row[1:4]]
        assert got == pytest.approx(
            [-r["difference"], -r["difference"] - half, -r["difference"] + half]
        )


def _capital_word(text: Text, yes: bool) -> str:
    word = text("yes" if yes else "no")
    return word[:1].upper() + word[1:]


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_every_optimize_sheet_has_worded_headers_and_formatted_numbers(opt_books, optimised, lang):
    book = opt_books[("pilot", lang)]
    raw = (_raw_columns(optimised["pilot"]) | RAW) - {"Value"}
    for sheet in book:
        header = list(sheet[1])
        assert header and all(isinstance(c.value, str) and c.value.strip() for c in header)
        named = [c.value for c in header if c.value in raw or "/" in c.value or "_" in c.value]
        assert not named, f"{sheet.title}: raw column names {named}"
        assert all(c.font.bold and c.fill.fgColor.rgb.endswith("DDE6F0") for c in header)
        assert sheet.freeze_panes == "A2"
        general = [
            (header[c.column - 1].value, c.value)
            for row in sheet.iter_rows(min_row=2)
            for c in row
            if isinstance(c.value, (int, float))
            and not isinstance(c.value, bool)
            and c.number_format == "General"
        ]
        assert not general, f"{sheet.title}: numbers in General format: {general[:5]}"
    text = Text(lang, "TWD")
    pilot = _rows(book[text("xlsx.opt_sheet_pilot")])
    (row,) = pilot
    assert row[text("xlsx.opt_pilot_cost")].number_format == "#,##0"
    assert row[text("xlsx.opt_pilot_value")].value == pytest.approx(PILOT["value"])
    assert row[text("xlsx.opt_pilot_value")].number_format == "#,##0"
    assert row[text("xlsx.opt_pilot_changed")].number_format == "0.0%"
    judged = _rows(book[text("xlsx.opt_sheet_judged")])
    assert judged[0][heading("prob_loss", text)].number_format == "0.00%"
    assert judged[0][heading("roi_mean", text)].number_format == "0.0%"


@pytest.mark.exact
@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_no_cell_of_an_optimize_workbook_names_a_folder_of_the_machine(opt_books, place, lang):
    for kind in ("optimize", "pilot"):
        found = [
            (where, value)
            for where, value in _texts(opt_books[(kind, lang)])
            if str(place) in value
            or any(part in value for part in MACHINE)
            or WINDOWS.search(value)
        ]
        assert not found


@pytest.mark.exact
@pytest.mark.slow
def test_scored_plans_sheet_keeps_the_best_and_says_how_many_there_are(optimised, monkeypatch):
    from campaign_sim.reports import xlsx

    scored = pd.read_csv(optimised["optimize"] / "scored.csv")
    assert len(scored) > 5
    monkeypatch.setattr(xlsx, "SCORED_ROWS", 5)
    sheet = _optimise_book(optimised["optimize"])["Scored plans"]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[0] for row in cells[:5]] == list(scored["rank"][:5])
    (note,) = cells[5:]
    assert note[0] == f"The best 5 of {len(scored):,} plans scored; scored.csv holds every one."


@pytest.mark.exact
@pytest.mark.slow
def test_share_decisions_show_as_shares_of_the_budget(place, tmp_path):
    from campaign_sim.reports.xlsx import pool_words

    out = tmp_path / "shares"
    _cli(
        "optimize",
        str(place / "scenarios" / "coffee-launch.yaml"),
        *("--decide", "shares", "--budget", "300000", "--limit", "prob_loss<=0.7"),
        *("-n", "256", "--fresh-campaigns", "256", "--no-robustness", "--out", str(out)),
    )
    plan = pd.read_csv(out / "plan.csv")
    judged = pd.read_csv(out / "judged.csv")
    chosen = plan[plan["level"] > 0].iloc[0]
    step = chosen["share"] / chosen["level"]
    text = Text("en", "TWD")
    book = _optimise_book(out)
    items = _by_item(book["Best plan"])
    for r in plan.to_dict("records"):
        where = pool_words(r["decision"], text)
        (share,) = items[text("xlsx.opt_share_of", where=where)]
        (budget,) = items[text("xlsx.opt_budget_of", where=where)]
        assert share[1].value == pytest.approx(r["share"]) and share[1].number_format == "0%"
        assert budget[1].value == pytest.approx(r["budget"]) and budget[1].number_format == "#,##0"
    rows = _rows(book["Judged plans"])
    for name in plan["decision"]:
        header = text("xlsx.opt_share_of", where=pool_words(name, text))
        got = [row[header].value for row in rows[: len(judged)]]
        expected = [v * step if np.isfinite(v) else None for v in judged[name]]
        assert got == pytest.approx(expected)
        assert all(
            row[header].number_format == "0%" for row in rows if row[header].value is not None
        )


@pytest.mark.exact
def test_linked_axes_read_apart_and_a_shared_fee_is_no_money():
    """The levels sweep links six creator_spread paths to one axis: their headers say which
    prior each is (they all read "Creator spread"); fee_shared is a share, not money (it read
    '#,##0', so 0.4 showed as 0)."""
    from campaign_sim.reports.xlsx import column_format

    en, zh = Text("en", "TWD"), Text("zh-TW", "TWD")
    path = "priors.tiers.nano.platforms.tiktok.engagement_rate.creator_spread"
    assert axis_words(path, en) == "Creator spread (nano TikTok engagement rate)"
    assert axis_words("priors.tiers.micro.conversion_rate.creator_spread", en) == (
        "Creator spread (micro conversion rate)"
    )
    assert axis_words(path, zh).endswith("）") and "creator" not in axis_words(path, zh)
    assert column_format("fee_shared") != "#,##0"
    assert column_format("priors.tiers.micro.platforms.youtube.fee.shared") != "#,##0"
    assert column_format("strategies.*.budget") == "#,##0"
