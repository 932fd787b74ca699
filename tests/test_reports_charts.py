"""Finished charts, measured with matplotlib's renderer on small real results folders
(512 campaigns each): text inside the canvas, legends clear of the data, labels clear of
each other and of the plans, one colour scale per metric, the never-pay-back bar with its n,
axes fitted to the data and the lines the reader needs labelled."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import EXAMPLES

from campaign_sim.cli import main
from campaign_sim.reports import charts, fonts, load_results
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.plotting import colours, renderer, style, text_box
from campaign_sim.reports.sweep import format_value, limit_text

pytest.importorskip("matplotlib")
pytestmark = [pytest.mark.exact, pytest.mark.slow, pytest.mark.needs_cjk_font]

COFFEE = str(EXAMPLES[0])
SCENARIOS = Path(COFFEE).parent
LANGS = ("en", "zh-TW")


#: Campaigns per folder: the tests measure the charts' layout, not the statistics.
CAMPAIGNS = "512"


def _invoke(args: list[str]) -> None:
    result = CliRunner().invoke(main, [*args, "-n", CAMPAIGNS, "-q"])
    assert result.exit_code == 0, result.output


#: Five strategies, two of them (the micro ones) close in risk and return: labels must make room.
FIVE = {
    "nano_ig": ("Nano Instagram 奈米 IG", [("nano", "instagram", 40)]),
    "nano_tt": ("Nano TikTok 奈米抖音", [("nano", "tiktok", 40)]),
    "micro_ig": ("Micro Instagram 微型 IG", [("micro", "instagram", 8)]),
    "micro_yt": ("Micro YouTube 微型 YouTube", [("micro", "youtube", 4)]),
    "mixed": ("Mixed 混合", [("nano", "instagram", 20), ("micro", "instagram", 4)]),
}


def _scenario(root: Path, name: str, strategies: list[str]) -> str:
    """A scenario file of the coffee economics with some of FIVE's strategies."""
    data = yaml.safe_load(Path(COFFEE).read_text(encoding="utf-8"))
    data["name"] = name
    data["strategies"] = {
        key: {
            "label": FIVE[key][0],
            "groups": [
                {"tier": tier, "platform": platform, "deliverables": 1, "count": n}
                for tier, platform, n in FIVE[key][1]
            ],
        }
        for key in strategies
    }
    path = root / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """One results folder of each kind: compare (with outcomes), a two-axis sweep, a timeline
    and a sensitivity analysis with Sobol indices; runs of one and of five strategies."""
    root = tmp_path_factory.mktemp("charts")
    runs = {
        "compare": ["compare", COFFEE, "--save-outcomes"],
        "sweep": ["sweep", str(SCENARIOS / "sweeps" / "nano-share.yaml")],
        "timeline": ["timeline", str(SCENARIOS / "timeline" / "hundred-nano.yaml")],
        "sensitivity": ["sensitivity", COFFEE, "--sobol"],
        "one": ["run", _scenario(root, "one", ["nano_tt"])],
        "five": ["run", _scenario(root, "five", list(FIVE))],
    }
    for kind, args in runs.items():
        _invoke([*args, "--out", str(root / kind)])
    return {kind: root / kind for kind in runs}


def _style(lang: str):
    """The rc settings render_charts draws and saves ``lang``'s charts under: a figure is
    measured under them too (tick labels and the layout read them when drawn)."""
    import matplotlib

    return matplotlib.rc_context(style(fonts.matplotlib_families(lang, needs_cjk=True)))


def _figures(folder: Path, lang: str) -> dict[str, object]:
    """Chart key -> its matplotlib Figure, drawn as render_charts draws it."""
    results = load_results(folder)
    text = Text(lang, results.currency)
    out = {}
    with _style(lang):
        for key, _title, _caption, draw in charts.PLANS[results.command](results, text):
            fig = draw(results, text, colours(results))
            if fig is not None:
                renderer(fig)
                out[key] = fig
    return out


@pytest.fixture(scope="module")
def drawn(folders) -> dict[tuple[str, str], dict[str, object]]:
    return {
        (kind, lang): _figures(folder, lang) for kind, folder in folders.items() for lang in LANGS
    }


def _drawn_tick_labels(fig) -> tuple[set[int], set[int]]:
    """ids of every tick label, and of those drawn (ticks inside the view)."""
    every, shown = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                every |= {id(tick.label1), id(tick.label2)}
            for tick in axis._update_ticks():
                shown |= {id(t) for t in (tick.label1, tick.label2) if t.get_visible()}
    return every, shown


def _texts(fig):
    """Every text artist the figure draws, with its box in display pixels."""
    from matplotlib.text import Text as MplText

    draw = renderer(fig)
    every, shown = _drawn_tick_labels(fig)
    for artist in fig.findobj(MplText):
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if id(artist) in every and id(artist) not in shown:
            continue
        yield artist, artist.get_window_extent(draw)


def _data_points(ax) -> np.ndarray:
    """Scatter offsets and line vertices of ``ax`` in display pixels (lines spanning the axes,
    such as axvline, are not data), those inside the axes only."""
    from matplotlib.collections import PathCollection

    found = [np.empty((0, 2))]
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and len(collection.get_offsets()):
            found.append(collection.get_offset_transform().transform(collection.get_offsets()))
    for line in ax.lines:
        if line.get_transform() == ax.transData:
            found.append(ax.transData.transform(line.get_xydata()))
    points = np.concatenate(found)
    box = ax.get_window_extent(renderer(ax.figure))
    inside = (
        (points[:, 0] >= box.x0)
        & (points[:, 0] <= box.x1)
        & (points[:, 1] >= box.y0)
        & (points[:, 1] <= box.y1)
    )
    return points[np.isfinite(points).all(axis=1) & inside]


def _within(box, points: np.ndarray) -> np.ndarray:
    """Which of ``points`` (N x 2 pixels) lie inside ``box``."""
    x, y = points.reshape(-1, 2).T
    return (x >= box.x0) & (x <= box.x1) & (y >= box.y0) & (y <= box.y1)


def _legends(fig) -> list:
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]


def _legend_texts(fig) -> list[str]:
    return [t.get_text() for legend in _legends(fig) for t in legend.get_texts()]


def _annotations(fig) -> list:
    from matplotlib.text import Annotation

    return [a for ax in fig.axes for a in ax.texts if isinstance(a, Annotation) and a.get_visible()]


def _every_chart(drawn):
    for (kind, lang), figures in drawn.items():
        with _style(lang):
            for key, fig in figures.items():
                yield f"{kind}/{lang}/{key}", fig


def test_every_text_lies_inside_the_canvas(drawn):
    draw_box = None
    outside = []
    for name, fig in _every_chart(drawn):
        draw_box = fig.bbox
        for artist, box in _texts(fig):
            if not (
                box.x0 >= draw_box.x0 - 1
                and box.y0 >= draw_box.y0 - 1
                and box.x1 <= draw_box.x1 + 1
                and box.y1 <= draw_box.y1 + 1
            ):
                outside.append(f"{name}: {artist.get_text()!r} at {box.bounds}")
    assert draw_box is not None
    assert not outside, "\n".join(outside)


def test_no_legend_covers_a_data_point(drawn):
    covered = []
    for name, fig in _every_chart(drawn):
        draw = renderer(fig)
        for legend in _legends(fig):
            box = legend.get_window_extent(draw)
            for ax in fig.axes:
                points = _data_points(ax)
                hit = _within(box, points)
                if hit.any():
                    covered.append(f"{name}: {int(hit.sum())} points under the legend")
    assert not covered, "\n".join(covered)


def test_labels_do_not_overlap_each_other(drawn):
    clashes = []
    for name, fig in _every_chart(drawn):
        draw = renderer(fig)
        boxes = [(a.get_text(), a.get_window_extent(draw)) for a in _annotations(fig)]
        for (one, a), (two, b) in itertools.combinations(boxes, 2):
            if a.overlaps(b):
                clashes.append(f"{name}: {one!r} overlaps {two!r}")
    assert not clashes, "\n".join(clashes)


@pytest.mark.parametrize("lang", LANGS)
def test_the_chosen_plans_label_covers_no_plan(drawn, folders, lang):
    fig = drawn[("sweep", lang)]["frontier"]
    (ax,) = fig.axes
    results = load_results(folders["sweep"])
    best = results.json("best.json")["best"]
    (label,) = [a for a in _annotations(fig) if results.label(best["strategy"]) in a.get_text()]
    with _style(lang):
        box = text_box(label, renderer(fig)).padded(4)
        points = _data_points(ax)
    star = ax.transData.transform(label.xy)
    others = points[np.hypot(*(points - star).T) > 1.0]
    assert len(others) > 20  # the plans are there to be missed
    assert not _within(box, others).any()


@pytest.mark.parametrize("lang", LANGS)
def test_frontier_draws_each_limit_on_its_axes_and_names_the_budget_groups(drawn, folders, lang):
    fig = drawn[("sweep", lang)]["frontier"]
    (ax,) = fig.axes
    results = load_results(folders["sweep"])
    text = Text(lang, results.currency)
    limits = results.json("best.json")["risk_limits"]
    legend = " | ".join(_legend_texts(fig))
    es_limit = next(x for x in limits if x.startswith("expected_shortfall"))
    value = float(es_limit.split(">=")[1])
    vertical = [
        line
        for line in ax.lines
        if line.get_linestyle() == "--" and np.allclose(line.get_xdata(), value)
    ]
    assert len(vertical) == 1 and limit_text(es_limit, text) in vertical[0].get_label()
    for limit in limits:  # the limit not on these axes is still named
        assert limit_text(limit, text) in legend
    budgets = sorted({float(v) for v in results.table("frontier.csv")["budget"]})
    said = [a.get_text() for a in _annotations(fig)]
    for budget in budgets:
        assert any(format_value(budget, "budget", text) in s for s in said), budget


@pytest.mark.parametrize("lang", LANGS)
def test_heatmaps_of_one_metric_share_their_colour_scale_and_cell_unit(drawn, lang):
    figures = drawn[("sweep", lang)]
    panels = [fig for key, fig in figures.items() if key.startswith("heatmap-")]
    assert len(panels) == 2
    images = [fig.axes[0].images[0] for fig in panels]
    assert len({image.get_cmap().name for image in images}) == 1
    assert len({(image.norm.vmin, image.norm.vmax, type(image.norm)) for image in images}) == 1
    lo = min(float(np.nanmin(image.get_array())) for image in images)
    hi = max(float(np.nanmax(image.get_array())) for image in images)
    if lo < 0 < hi:  # diverging around break-even, one slope: a shade is one amount either way
        lo, hi = -max(-lo, hi), max(-lo, hi)
    assert images[0].norm.vmin == pytest.approx(lo) and images[0].norm.vmax == pytest.approx(hi)
    cells = [t.get_text() for fig in panels for t in fig.axes[0].texts]
    forms = {re.sub(r"[\d,]", "9", re.sub(r"^-", "", c)).replace("99", "9") for c in cells}
    units = {re.sub(r"[-\d.,]", "", c) for c in cells}
    decimals = {len(c.split(".")[1].rstrip("kM萬億")) if "." in c else 0 for c in cells}
    assert len(cells) == 2 * 33 and len(units) == 1 and len(decimals) == 1, forms


@pytest.mark.parametrize("lang", LANGS)
def test_payback_shows_the_campaigns_that_never_pay_back_as_bars_with_their_n(drawn, folders, lang):
    fig = drawn[("timeline", lang)]["payback-days"]
    results = load_results(folders["timeline"])
    text = Text(lang, results.currency)
    entries = json.loads((folders["timeline"] / "summary.json").read_text(encoding="utf-8"))
    for name in results.ordered_strategies:
        share = entries["strategies"][name]["payback"]["never_share"]
        (bar,) = [p for ax in fig.axes for p in ax.patches if p.get_gid() == f"never:{name}"]
        assert bar.get_height() == pytest.approx(share, abs=1e-12)
        count = text.count(round(share * results.campaigns))
        centre = bar.get_x() + bar.get_width() / 2
        labels = [a for a in _annotations(fig) if np.allclose(a.xy, (centre, share))]
        assert len(labels) == 1 and count in labels[0].get_text()
        assert text.prob(share) in labels[0].get_text()
    said = " ".join(t.get_text() for t, _ in _texts(fig))
    assert text.count(results.campaigns) in said  # the note of n


def test_payback_days_axis_ends_after_the_last_bin_anyone_pays_back_in(drawn, folders):
    from campaign_sim.reports.timeline import payback_bins

    ax = drawn[("timeline", "en")]["payback-days"].axes[0]
    frame = load_results(folders["timeline"]).table("payback.csv")
    width = max(1, round((int(frame["day"].max()) + 1) / 30))
    ends = []
    for _name, part in frame.groupby("strategy"):
        part = part.sort_values("day")
        edges, share = payback_bins(
            part["day"].to_numpy(), part["paid_back_share"].to_numpy(), width
        )
        ends.append(edges[1:][share > 5e-4].max())
    right = ax.get_xlim()[1]
    assert max(ends) <= right <= max(ends) + width
    assert right < int(frame["day"].max())  # fitted: shorter than the whole horizon here


@pytest.mark.parametrize("lang", LANGS)
def test_profit_fan_marks_and_explains_the_windows_last_day(drawn, folders, lang):
    fig = drawn[("timeline", lang)]["profit-fan"]
    window = load_results(folders["timeline"]).settings["timeline"]["window_days"]
    line = [ln for ax in fig.axes for ln in ax.lines if np.allclose(ln.get_xdata(), window - 1)]
    assert line and str(window - 1) in line[0].get_label()
    assert line[0].get_label() in _legend_texts(fig)


def test_roi_density_spans_every_strategys_p0_5_to_p99_5_with_values_and_a_key(drawn, folders):
    fig = drawn[("compare", "en")]["roi-distribution"]
    (ax,) = fig.axes
    quantiles = load_results(folders["compare"]).quantiles
    roi = quantiles[quantiles["metric"] == "roi"]
    lo, hi = ax.get_xlim()
    for _name, part in roi.groupby("strategy"):
        q, v = part["q"].to_numpy(float), part["value"].to_numpy(float)
        assert lo <= np.interp(0.005, q, v) and np.interp(0.995, q, v) <= hi
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) >= 3 and all(t.endswith("%") for t in ticks)
    shown = [v for v in ax.get_yticks() if ax.get_ylim()[0] <= v <= ax.get_ylim()[1]]
    assert np.allclose(np.round(np.array(shown) * 1000), np.array(shown) * 1000)  # 1 decimal exact
    assert ax.get_ylabel()
    legend = " ".join(_legend_texts(fig))
    assert "median" in legend and "P5" in legend and "P95" in legend


def test_paired_difference_axes_are_fitted_to_the_data(drawn, folders):
    fig = drawn[("compare", "en")]["paired-difference"]
    results = load_results(folders["compare"])
    for ax, metric in zip(fig.axes, ("roi", "profit"), strict=True):
        d = results.difference(metric)
        values = [d["diff_p5"], d["diff_p95"], d["mean_diff_ci_low"], d["mean_diff_ci_high"]]
        lo, hi = ax.get_xlim()
        assert lo <= min(values) and max(values) <= hi
        assert (max(values) - min(values)) / (hi - lo) >= 0.6
        (bar,) = ax.patches
        assert bar.get_height() / np.ptp(ax.get_ylim()) >= 0.6


@pytest.mark.parametrize("lang", LANGS)
def test_tornado_has_a_labelled_baseline_and_a_break_even_line(drawn, folders, lang):
    fig = drawn[("sensitivity", lang)]["tornado"]
    swing = load_results(folders["sensitivity"]).table("swing.csv")
    legend = _legend_texts(fig)
    results = load_results(folders["sensitivity"])
    for ax, name in zip(fig.axes, results.ordered_strategies, strict=True):
        base = float(swing[swing["strategy"] == name]["base"].iloc[0])
        lines = {ln.get_label(): float(ln.get_xdata()[0]) for ln in ax.lines}
        baseline = [k for k, x in lines.items() if x == pytest.approx(base)]
        assert baseline and baseline[0] in legend
        lo, hi = ax.get_xlim()
        if lo <= 0 <= hi:
            assert any(x == 0 and k in legend for k, x in lines.items())


@pytest.mark.parametrize("lang", LANGS)
def test_sobol_indices_are_a_chart_when_the_folder_has_them(drawn, folders, lang):
    fig = drawn[("sensitivity", lang)]["sobol"]
    sobol = load_results(folders["sensitivity"]).table("sobol.csv")
    widths = sorted(round(p.get_width(), 9) for ax in fig.axes for p in ax.patches)
    expected = sorted(round(v, 9) for v in [*sobol["s1"], *sobol["st"]])
    assert widths == pytest.approx(expected)
    assert "sobol" not in _figures_without_sobol(folders)


def _figures_without_sobol(folders) -> dict:
    """The sensitivity charts of a copy of the folder without sobol.csv."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy"
        shutil.copytree(folders["sensitivity"], copy)
        (copy / "sobol.csv").unlink()
        manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
        manifest["files"] = [f for f in manifest.get("files", []) if f != "sobol.csv"]
        (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        return _figures(copy, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_drivers_name_every_input_in_full(drawn, folders, lang):
    from campaign_sim.reports.sensitivity import TOP, input_name

    fig = drawn[("sensitivity", lang)]["drivers"]
    results = load_results(folders["sensitivity"])
    text = Text(lang, results.currency)
    frame = results.table("sensitivity.csv")
    for ax, name in zip(fig.axes, results.ordered_strategies, strict=True):
        rows = frame[frame["strategy"] == name].sort_values("rank").head(TOP).iloc[::-1]
        shown = [re.sub(r"\s", "", t.get_text()) for t in ax.get_yticklabels()]
        assert shown == [re.sub(r"\s", "", input_name(r, text)) for r in rows.to_dict("records")]


# -- the risk-return chart of every strategy ---------------------------------------------------

RISK_RETURN = ("one", "compare", "five")


def _risk_return(drawn, kind: str, lang: str):
    fig = drawn[(kind, lang)]["risk-return"]
    (ax,) = fig.axes
    return fig, ax


def _strategy_labels(fig, results) -> dict[str, object]:
    """Strategy -> the annotation that names it."""
    names = {results.label(n): n for n in results.ordered_strategies}
    return {names[a.get_text()]: a for a in _annotations(fig) if a.get_text() in names}


@pytest.mark.parametrize("kind", RISK_RETURN)
def test_risk_return_puts_each_strategy_at_its_p_loss_and_mean_profit_with_their_cis(
    drawn, folders, kind
):
    fig, ax = _risk_return(drawn, kind, "en")
    results = load_results(folders[kind])
    colour = colours(results)
    bars = ax.containers
    assert len(bars) == len(results.ordered_strategies) == len(_strategy_labels(fig, results))
    labels = _strategy_labels(fig, results)
    for name, container in zip(results.ordered_strategies, bars, strict=True):
        risk, profit = results.risk_of(name), results.metric(name, "profit")
        point, _caps, (across, up) = container.lines
        assert point.get_xydata()[0].tolist() == pytest.approx([risk["prob_loss"], profit["mean"]])
        (x_bar,), (y_bar,) = across.get_segments(), up.get_segments()
        assert sorted(x_bar[:, 0]) == pytest.approx(
            [risk["prob_loss_ci_low"], risk["prob_loss_ci_high"]]
        )
        assert sorted(y_bar[:, 1]) == pytest.approx([profit["mean_ci_low"], profit["mean_ci_high"]])
        assert point.get_color() == colour[name] == labels[name].get_color()
        assert labels[name].xy == pytest.approx((risk["prob_loss"], profit["mean"]))
        lo, hi = ax.get_xlim()
        assert lo <= 0 <= risk["prob_loss_ci_high"] <= hi <= 1.05
        lo, hi = ax.get_ylim()
        assert lo <= min(0, profit["mean_ci_low"]) and max(0, profit["mean_ci_high"]) <= hi


def _mark_points(ax) -> np.ndarray:
    """Pixels of every marker, its caps and points every 2 px along every whisker."""
    found = [
        ax.transData.transform(line.get_xydata())
        for c in ax.containers
        for line in (c.lines[0], *c.lines[1])
    ]
    for container in ax.containers:
        for collection in container.lines[2]:
            for segment in collection.get_segments():
                a, b = ax.transData.transform(segment)
                found.append(np.linspace(a, b, max(2, int(np.hypot(*(b - a)) / 2))))
    return np.concatenate(found)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", RISK_RETURN)
def test_risk_return_labels_cover_no_point_whisker_or_other_label_and_stay_inside(
    drawn, kind, lang
):
    fig, ax = _risk_return(drawn, kind, lang)
    with _style(lang):
        draw = renderer(fig)
        notes = _annotations(fig)
        boxes = [text_box(note, draw) for note in notes]
        frame = ax.get_window_extent(draw)
        centres = np.concatenate([c.lines[0].get_xydata() for c in ax.containers])
        centres = ax.transData.transform(centres)
        marks = _mark_points(ax)
    radius = ax.containers[0].lines[0].get_markersize() * fig.dpi / 72 / 2
    assert len(notes) == len(ax.containers) + 1  # each strategy and break-even
    for note, box in zip(notes, boxes, strict=True):
        said = note.get_text()
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, said
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, said
        assert not _within(box.padded(radius), centres).any(), f"{said} covers a point"
        assert not _within(box, marks).any(), f"{said} covers a whisker"
    for (one, a), (two, b) in itertools.combinations(zip(notes, boxes, strict=True), 2):
        assert not a.overlaps(b), f"{one.get_text()!r} overlaps {two.get_text()!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_risk_return_labels_break_even_and_formats_its_axes(drawn, folders, lang):
    fig, ax = _risk_return(drawn, "five", lang)
    results = load_results(folders["five"])
    text = Text(lang, results.currency)
    flat = [ln for ln in ax.lines if np.allclose(ln.get_ydata(), 0) and len(ln.get_ydata()) == 2]
    assert len(flat) == 1
    (even,) = [a for a in _annotations(fig) if a.get_text() == text("label.break_even")]
    assert even.xy[1] == 0
    with _style(lang):
        renderer(fig)
        xs = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        ys = [(v, t.get_text()) for v, t in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True)]
    assert len(xs) >= 3 and all(re.fullmatch(r"-?\d+%", x) for x in xs)
    assert all(said == text.money_short(v) for v, said in ys if said)
    assert text.currency_label in ax.get_ylabel() and ax.get_xlabel() == text("axis.prob_loss")
    assert _legend_texts(fig) == [text("legend.risk_return")]


@pytest.mark.exact
def test_whiskers_are_never_negative_when_an_interval_rounds_inside_its_estimate():
    from campaign_sim.reports.plotting import whiskers

    # P(loss) 1.0 with an upper bound of 0.9999999999999999 (a Wilson interval's rounding)
    bars = whiskers([1.0, 0.5], [0.99, 0.4], [0.9999999999999999, 0.7])
    assert bars.shape == (2, 2)
    assert bars[:, 0].tolist() == pytest.approx([0.01, 0.0], abs=1e-15)
    assert bars[:, 1].tolist() == pytest.approx([0.1, 0.2])
    assert (bars >= 0).all()
