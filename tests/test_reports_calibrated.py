"""The calibration in a compare folder and its deck slide and chart
(campaign_sim/results/run.py's calibration.csv, campaign_sim/reports/calibrated.py): the
folder records the calibration's prior and posterior of every quantity and where they came
from, the slide's numbers are the calibration's, the wording follows its rules, an
uncalibrated folder has none of it, and the chart keeps its text inside the canvas in both
languages (zh-TW without English beyond the allow-list)."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import ROOT

from campaign_sim.cli import main
from campaign_sim.reports import calibrated, fonts
from campaign_sim.reports.i18n import Text, catalogue
from campaign_sim.reports.plotting import renderer, style
from campaign_sim.reports.results import Results, load_results
from campaign_sim.reports.story import capital
from campaign_sim.results.run import CALIBRATION, CALIBRATION_COLUMNS

pytest.importorskip("matplotlib")
pytestmark = pytest.mark.exact

COFFEE = ROOT / "scenarios" / "coffee-launch.yaml"
PILOT = ROOT / "scenarios" / "observed" / "pilot-nano-instagram.csv"
LANGS = ("en", "zh-TW")
#: The only Latin words a zh-TW label may hold: metric abbreviations, the currency, platforms.
ALLOWED = {"ROI", "CPM", "CPE", "CPA", "P5", "P95", "NT", "Instagram", "TikTok", "YouTube"}
#: Half-width punctuation a zh-TW label must write full-width.
HALF_WIDTH = re.compile(r"[,;:()!?]")
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")


def _invoke(args: list[str]) -> str:
    result = CliRunner().invoke(main, [*args, "-q"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A calibrated priors file (the pilot of 12 nano Instagram creators), the calibration's
    own table (``calibrate --format csv``), and compare folders of 512 campaigns with and
    without it."""
    root = tmp_path_factory.mktemp("calibrated")
    priors = root / "pilot.priors.yaml"
    own = _invoke(["calibrate", str(COFFEE), str(PILOT), "--out", str(priors), "--format", "csv"])
    folders = {}
    for name, extra in (("calibrated", ["--priors", str(priors)]), ("plain", [])):
        folders[name] = root / name
        _invoke(["compare", str(COFFEE), *extra, "-n", "512", "--out", str(folders[name])])
    return {"priors": priors, "own": pd.read_csv(io.StringIO(own)), **folders}


@pytest.fixture(scope="module")
def results(made) -> Results:
    return load_results(made["calibrated"], check=True)


def _own(made, name: str) -> dict:
    """The calibration's own row of ``name`` (pool/quantity, or the quantity alone)."""
    frame = made["own"]
    names = [
        f"{p}/{q}" if isinstance(p, str) and p else q
        for p, q in zip(frame["pool"], frame["quantity"], strict=True)
    ]
    rows = frame[[n == name for n in names]]
    assert len(rows) == 1, name
    return rows.iloc[0].to_dict()


# -- the folder --------------------------------------------------------------------------------
@pytest.mark.slow
def test_the_folder_records_every_quantity_of_the_calibration(made, results):
    import yaml

    table = results.table(CALIBRATION)
    assert table is not None and list(table.columns) == list(CALIBRATION_COLUMNS)
    own = made["own"]
    assert len(table) == len(own) == 6
    for row in table.to_dict("records"):
        mine = _own(made, row["name"])
        for which in ("prior", "posterior"):
            for stat in ("median", "p5", "p95"):
                key = f"{which}_{stat}"
                # the priors file keeps six significant digits
                assert row[key] == pytest.approx(mine[key], rel=1e-5), (row["name"], key)
        assert (row["rows"], row["creators"], row["campaigns"]) == (
            mine["rows"],
            mine["creators"],
            mine["campaigns"],
        )
        assert row["shrink"] == pytest.approx(mine["shrink"], abs=1e-4)
        assert row["conflict"] == mine["conflict"]
    assert table.loc[table["name"] == "nano/instagram/engagement_rate", "conflict"].item()

    block = yaml.safe_load(Path(made["priors"]).read_text(encoding="utf-8"))["calibration"]
    recorded = results.manifest["calibration"]
    digest = hashlib.sha256(Path(made["priors"]).read_bytes()).hexdigest()
    assert recorded["priors"] == {"file": str(made["priors"]), "sha256": digest}
    assert recorded["data"] == {
        "file": PILOT.name,
        "sha256": hashlib.sha256(PILOT.read_bytes()).hexdigest(),
        "rows": 12,
    }
    assert block["data"]["sha256"] == recorded["data"]["sha256"]
    assert recorded["untouched"] == block["untouched"] and len(recorded["untouched"]) == 12
    assert CALIBRATION in results.manifest["files"]


@pytest.mark.slow
def test_an_uncalibrated_folder_has_no_calibration(made):
    plain = load_results(made["plain"], check=True)
    assert not plain.has(CALIBRATION)
    assert "calibration" not in plain.manifest
    assert CALIBRATION not in plain.manifest["files"]
    for lang in LANGS:
        text = Text(lang, currency=plain.currency)
        assert calibrated.calibration_sections(plain, text) == []
        assert calibrated.plan(plain, text) == []
        assert calibrated.chart_titles(plain, text) == {}


# -- the slide ---------------------------------------------------------------------------------
def _numbers(cell: str) -> list[float]:
    return [float(n.replace(",", "")) for n in NUMBER.findall(cell.replace("NT$", ""))]


def _decimals(cell: str) -> list[int]:
    found = NUMBER.findall(cell.replace("NT$", ""))
    return [len(n.partition(".")[2]) for n in found]


def _close(shown: float, exact: float, decimals: int) -> bool:
    """``shown`` is ``exact`` rounded to ``decimals`` places."""
    return abs(shown - exact) <= 0.5 * 10.0**-decimals + 1e-5 * abs(exact)  # the file: 6 digits


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_the_table_shows_the_calibrations_prior_and_posterior(made, results, lang):
    text = Text(lang, currency=results.currency)
    (section,) = calibrated.calibration_sections(results, text)
    assert section.heading == text("calib.slide") and section.notes == text("calib.notes")
    by_name = {
        calibrated.quantity_name(r, text): r for r in results.table(CALIBRATION).to_dict("records")
    }
    assert [row[0] for row in section.table.rows] == list(by_name)  # all six, by pool
    for cells in section.table.rows:
        name = by_name[cells[0]]["name"]
        mine = _own(made, name)
        scale = 100 if mine["quantity"].endswith("_rate") else 1
        assert _numbers(cells[1]) == [mine["rows"]]
        for cell, which in ((cells[2], "prior"), (cells[3], "posterior")):
            exact = [scale * mine[f"{which}_{s}"] for s in ("median", "p5", "p95")]
            places = _decimals(cell)
            assert len(set(places)) == 1, cell  # one precision per cell
            assert all(
                _close(s, e, d) for s, e, d in zip(_numbers(cell), exact, places, strict=True)
            ), (cell, exact)
        change = mine["posterior_median"] / mine["prior_median"] - 1
        if scale == 100:  # a rate: the change in points at the row's precision, then relative
            moved = 100 * (mine["posterior_median"] - mine["prior_median"])
            assert _close(_numbers(cells[4])[0], moved, _decimals(cells[4])[0]), cells[4]
            assert text.points(1.0).split()[-1] in cells[4], cells[4]
        assert _close(_numbers(cells[4])[-1], 100 * (abs(change) if scale == 100 else change), 1)
        assert _close(_numbers(cells[5])[0], 100 * abs(mine["shrink"]), 0), cells[5]
        word = "calib.narrower" if mine["shrink"] > 0 else "calib.wider"
        assert cells[5] == text(word, p=text.pct(abs(mine["shrink"])))
        shown = _numbers(cells[6])[0]
        assert _close(shown, mine["conflict_percentile"], _decimals(cells[6])[0]), cells[6]
        conflict = text("calib.conflict_cell", p="").strip()
        assert (conflict in cells[6]) == bool(mine["conflict"]), cells[6]
    # engagement moved most (a fifth of its prior's width, down) and conflicts with its prior
    engagement = _own(made, "nano/instagram/engagement_rate")
    assert section.title == capital(
        text(
            "calib.title_conflict_top",
            q=calibrated.quantity_name(engagement, text),
            move=text("calib.down", a="6.73%", b="5.33%"),
        )
    )
    assert any(PILOT.name in note and "413f28f054fe" in note for note in section.note)
    assert text("calib.note_aov") in section.note


# -- the wording rules, on synthetic folders ---------------------------------------------------
def _row(name: str, prior: tuple, posterior: tuple, **more: object) -> dict:
    pool, _, quantity = name.rpartition("/")
    width = (prior[2] - prior[1], posterior[2] - posterior[1])
    return {
        "name": name,
        "pool": pool,
        "quantity": quantity,
        "creator": more.pop("creator", ""),
        "rows": 10,
        "creators": 10,
        "campaigns": 1,
        **{f"prior_{k}": v for k, v in zip(("median", "p5", "p95"), prior, strict=True)},
        **{f"posterior_{k}": v for k, v in zip(("median", "p5", "p95"), posterior, strict=True)},
        "shrink": 1 - width[1] / width[0],
        "conflict_percentile": more.pop("percentile", 50.0),
        "conflict": more.pop("conflict", False),
        "note": "",
    }


def _synthetic(tmp_path: Path, rows: list[dict]) -> Results:
    folder = tmp_path / "folder"
    folder.mkdir(parents=True)
    pd.DataFrame(rows, columns=list(CALIBRATION_COLUMNS)).to_csv(folder / CALIBRATION, index=False)
    manifest = {
        "tool": "campaign-sim",
        "command": "compare",
        "scenario": {"name": "s", "currency": "TWD"},
        "calibration": {"data": {"file": "pilot.csv", "sha256": "ab" * 32, "rows": 10}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return load_results(folder)


ENGAGEMENT = "nano/instagram/engagement_rate"
REACH = "nano/instagram/reach_rate"
EN = Text("en", currency="TWD")


def test_the_title_says_when_no_median_moved(tmp_path):
    results = _synthetic(
        tmp_path,
        [_row(ENGAGEMENT, (0.06, 0.05, 0.08), (0.0605, 0.051, 0.079))],
    )
    (section,) = calibrated.calibration_sections(results, EN)
    assert section.title == EN(
        "calib.title_none", data=EN("calib.data", rows="10", file="pilot.csv")
    )


def test_the_title_names_the_quantity_that_moved_most_and_its_direction(tmp_path):
    results = _synthetic(
        tmp_path,
        [
            _row(ENGAGEMENT, (0.06, 0.05, 0.08), (0.062, 0.05, 0.08)),  # a 15th of its width
            _row(REACH, (0.30, 0.20, 0.40), (0.36, 0.25, 0.45)),  # 0.3 of its width, up
        ],
    )
    (section,) = calibrated.calibration_sections(results, EN)
    assert section.title.startswith("Nano Instagram reach rate moved most, up from 30.0% to 36.0%")
    assert "pilot.csv" in section.title


def test_the_title_names_conflicts_of_other_quantities(tmp_path):
    results = _synthetic(
        tmp_path,
        [
            _row(
                ENGAGEMENT, (0.06, 0.05, 0.08), (0.058, 0.05, 0.08), percentile=0.5, conflict=True
            ),
            _row(REACH, (0.30, 0.20, 0.40), (0.24, 0.15, 0.35)),
        ],
    )
    (section,) = calibrated.calibration_sections(results, EN)
    assert section.title == (
        "Nano Instagram reach rate moved most, down from 30.0% to 24.0%, and the data conflict "
        "with the prior on nano Instagram engagement rate: check them before planning."
    )
    assert section.table.rows[0][-1] == "0.5 (conflict)"


def test_a_conflict_is_named_even_when_no_median_moved(tmp_path):
    results = _synthetic(
        tmp_path,
        [
            _row(
                ENGAGEMENT, (0.06, 0.05, 0.08), (0.059, 0.05, 0.08), percentile=99.5, conflict=True
            ),
            _row(REACH, (0.30, 0.20, 0.40), (0.30, 0.21, 0.39)),
        ],
    )
    (section,) = calibrated.calibration_sections(results, EN)
    assert section.title == EN("calib.title_conflict_only", names="nano Instagram engagement rate")
    assert section.table.rows[0][-1] == "99.5 (conflict)"


def test_the_slide_keeps_what_its_titles_name_among_many_quantities(tmp_path):
    rows = [_row(f"nano/tiktok/q{i}", (1.0, 0.5, 1.5), (1.0, 0.6, 1.4)) for i in range(10)]
    rows.append(_row("nano/youtube/fee", (1.0, 0.5, 1.5), (1.0, 0.5, 1.5), conflict=True))
    rows.append(_row("micro/youtube/fee", (1.0, 0.5, 1.5), (1.12, 0.62, 1.62)))  # moved most
    rows.append(_row("mid/youtube/fee", (1.0, 0.5, 1.5), (1.0, 0.9, 1.1)))  # narrowed most
    shown = calibrated.shown_rows(_synthetic(tmp_path, rows))
    assert shown is not None and len(shown) == calibrated.MAX_ROWS
    assert {"nano/youtube/fee", "micro/youtube/fee", "mid/youtube/fee"} <= set(shown["name"])


def test_the_slide_keeps_the_quantities_changed_most_and_says_what_it_leaves_out(tmp_path):
    quantities = ("engagement_rate", "reach_rate", "conversion_rate", "fee")
    rows = []
    for i, tier in enumerate(("nano", "micro", "mid")):
        for j, quantity in enumerate(quantities):
            shift = 0.01 * (4 * i + j)  # a larger move for each row
            rows.append(_row(f"{tier}/tiktok/{quantity}", (1.0, 0.5, 1.5), (1 + shift, 0.5, 1.5)))
    rows.append(_row("@lin/engagement_rate", (0.06, 0.04, 0.1), (0.07, 0.05, 0.09), creator="@lin"))
    rows[-1]["pool"] = "nano/tiktok"
    results = _synthetic(tmp_path, rows)
    shown = calibrated.shown_rows(results)
    assert shown is not None and len(shown) == calibrated.MAX_ROWS
    assert set(shown["name"]) == {r["name"] for r in rows[4:12]}  # the eight that moved most
    assert list(shown["pool"]) == ["micro/tiktok"] * 4 + ["mid/tiktok"] * 4  # by pool
    (section,) = calibrated.calibration_sections(results, EN)
    assert EN("calib.note_more", n="4") in section.note
    assert EN("calib.note_creators", n="1") in section.note
    assert all(not row[0].startswith("@") for row in section.table.rows)


def test_the_chart_title_says_which_range_narrowed_most(tmp_path):
    results = _synthetic(
        tmp_path,
        [
            _row(ENGAGEMENT, (0.06, 0.05, 0.08), (0.06, 0.052, 0.078)),
            _row("aov", (850, 600, 1200), (857, 790, 930)),
        ],
    )
    title = calibrated.chart_titles(results, EN)[calibrated.CHART]
    assert (
        title
        == "Order value (AOV) narrowed most: its P5 – P95 is 77% narrower for the next campaign."
    )
    wider = _synthetic(
        tmp_path / "wider", [_row(ENGAGEMENT, (0.06, 0.05, 0.08), (0.06, 0.04, 0.09))]
    )
    assert calibrated.chart_titles(wider, EN) == {calibrated.CHART: EN("calib.chart_title_none")}


# -- zh-TW -------------------------------------------------------------------------------------
def _english_words(value: str) -> set[str]:
    """Latin words of ``value`` beyond :data:`ALLOWED`, file names and digests aside."""
    value = re.sub(r"\{\w+\}", "", value)
    value = re.sub(r"\S+\.(?:csv|yaml)\b", "", value)
    value = re.sub(r"[0-9a-f]{12}…", "", value)
    return {w for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", value) if w not in ALLOWED}


def test_the_zh_tw_labels_are_chinese_with_full_width_punctuation():
    mine = {k: v for k, v in catalogue("zh-TW").items() if k.startswith("calib.")}
    assert set(mine) == {k for k in catalogue("en") if k.startswith("calib.")}
    assert len(mine) > 30
    for key, value in mine.items():
        assert not _english_words(value), (key, value)
        assert not HALF_WIDTH.search(re.sub(r"\{\w+\}", "", value)), (key, value)


@pytest.mark.slow
def test_the_zh_tw_slide_has_no_english_beyond_the_allow_list(results):
    text = Text("zh-TW", currency=results.currency)
    (section,) = calibrated.calibration_sections(results, text)
    said = [section.heading, section.title, section.notes, *section.note, *section.table.header]
    said += [cell for row in section.table.rows for cell in row]
    said += list(calibrated.chart_titles(results, text).values())
    found = {word for value in said for word in _english_words(value)}
    assert not found, found
    assert section.title.endswith("。")


# -- the chart ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.needs_cjk_font
@pytest.mark.parametrize("lang", LANGS)
def test_the_chart_draws_prior_and_posterior_with_its_text_inside_the_canvas(
    results, lang, tmp_path
):
    import matplotlib
    from matplotlib.text import Text as MplText

    text = Text(lang, currency=results.currency)
    ((key, title, caption, draw),) = calibrated.plan(results, text)
    assert (key, title, caption) == (calibrated.CHART, text("calib.chart"), text("calib.caption"))
    families = fonts.matplotlib_families(lang, needs_cjk=True)
    with matplotlib.rc_context(style(families)):
        fig = draw(results, text, {})
        fig.savefig(tmp_path / f"calibration-{lang}.png")
        draw_box = renderer(fig)
        (axis,) = fig.axes
        low, high = sorted(axis.get_xlim())
        outside, values = [], []
        for artist in fig.findobj(MplText):
            if not artist.get_visible() or not artist.get_text().strip():
                continue
            if artist in axis.get_xticklabels() and not low <= artist.get_position()[0] <= high:
                continue  # a tick outside the view is not drawn
            box = artist.get_window_extent(draw_box)
            if not (
                box.x0 >= -1
                and box.y0 >= -1
                and box.x1 <= fig.bbox.x1 + 1
                and box.y1 <= fig.bbox.y1 + 1
            ):
                outside.append((artist.get_text(), box.bounds))
            if artist in axis.texts:
                values.append(box)
        assert not outside, outside
        # two intervals (prior, posterior) per quantity, printed beside them without overlap
        assert len(values) == 2 * 6
        assert not any(a.overlaps(b) for i, a in enumerate(values) for b in values[i + 1 :])
        labels = [t.get_text() for t in axis.get_yticklabels()]
        assert labels[::-1] == [
            calibrated.quantity_name(r, text)
            for r in calibrated.shown_rows(results).to_dict("records")
        ]
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert text("calib.legend_conflict") in legend  # engagement conflicts
