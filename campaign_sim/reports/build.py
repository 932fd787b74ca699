"""Build every report output of a saved results folder, without simulating again.

The report folder is written atomically (like a results folder) and holds its own
manifest.json: which results folder (and its scenario hash and seed) it was built from, the
language and the formats.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from campaign_sim import __version__
from campaign_sim.errors import InputError
from campaign_sim.reports.checks import check_extras
from campaign_sim.reports.i18n import LANGUAGES, Text
from campaign_sim.reports.results import load_results
from campaign_sim.results.folder import MANIFEST, results_folder
from campaign_sim.scenario.strict import suggest

__all__ = ["FORMATS", "Report", "build_report", "default_report_dir", "parse_formats"]

FORMATS = ("pptx", "xlsx", "md", "html", "png", "svg")


@dataclass(frozen=True)
class Report:
    """What was written: the report folder and its files (relative paths)."""

    folder: Path
    files: tuple[str, ...]


def parse_formats(value: str | Iterable[str] | None, option: str = "--format") -> tuple[str, ...]:
    """``"pptx,xlsx"`` -> ("pptx", "xlsx"); None, "" or "all" -> every format. ``option``: the
    option a mistake is reported at."""
    if value is None:
        return FORMATS
    parts = value.split(",") if isinstance(value, str) else list(value)
    names = [p.strip().lower().lstrip(".") for p in parts if p.strip()]
    if not names or names == ["all"]:
        return FORMATS
    bad = [n for n in names if n not in FORMATS]
    if bad:
        hint = suggest(bad[0], FORMATS)
        raise InputError.single(
            None,
            option,
            f"unknown report format '{bad[0]}'{hint}; choose from {', '.join(FORMATS)} or all",
        )
    return tuple(f for f in FORMATS if f in names)


def default_report_dir(results_dir: Path, lang: str) -> Path:
    return Path(results_dir) / f"report-{lang}"


def build_report(
    results_dir: str | Path,
    *,
    formats: str | Iterable[str] | None = None,
    lang: str = "en",
    out: str | Path | None = None,
) -> Report:
    """Write the chosen ``formats`` of the report of ``results_dir`` in ``lang`` to ``out``
    (default: ``<results_dir>/report-<lang>/``). The Markdown report links PNG charts, so
    "md" writes them too; the HTML report embeds its charts and writes none."""
    if lang not in LANGUAGES:
        raise InputError.single(None, "--lang", f"'{lang}' is not one of {', '.join(LANGUAGES)}")
    chosen = parse_formats(formats)
    check_extras(chosen)
    results = load_results(results_dir, check=True)  # before anything is rendered or written
    out = Path(out) if out is not None else default_report_dir(Path(results_dir), lang)
    text = Text(lang, results.currency, results.horizon_months)
    from campaign_sim.reports.story import tell

    story = tell(results, text)
    charts = []
    if {"pptx", "md", "html", "png", "svg"} & set(chosen):
        from campaign_sim.reports.charts import render_charts

        charts = render_charts(results, text, svg=bool({"svg", "html"} & set(chosen)))
    stem = f"{Path(results_dir).resolve().name}-{lang}"
    with results_folder(out) as writer:
        folder = writer.folder
        written: list[str] = []

        def put(name: str, data: bytes) -> None:
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(name)

        for chart in charts:
            if {"png", "md"} & set(chosen):
                put(f"charts/{chart.key}.png", chart.png)
            if "svg" in chosen and chart.svg is not None:
                put(f"charts/{chart.key}.svg", chart.svg)
        if "xlsx" in chosen:
            from campaign_sim.reports.xlsx import build_workbook

            put(f"{stem}.xlsx", build_workbook(results, text))
        if "pptx" in chosen:
            from campaign_sim.reports.pptx import build_deck

            put(f"{stem}.pptx", build_deck(story, charts, text))
        if "md" in chosen:
            from campaign_sim.reports.markdown import build_markdown

            others = [f for f in written if not f.startswith("charts/")]
            page = build_markdown(
                story,
                charts,
                text,
                files=others,
                source=str(results_dir),
                version=str(results.manifest.get("version", "")),
            )
            put(f"{stem}.md", page.encode("utf-8"))
        if "html" in chosen:
            from campaign_sim.reports.html import build_html

            put(f"{stem}.html", build_html(story, charts, text))
        source_manifest = (Path(results_dir) / MANIFEST).read_bytes()
        writer.files = written
        writer.json(
            MANIFEST,
            {
                "tool": "campaign-sim",
                "version": __version__,
                "command": "report",
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "source": {
                    "folder": str(results_dir),
                    "command": results.command,
                    "manifest_sha256": hashlib.sha256(source_manifest).hexdigest(),
                    "scenario": results.manifest.get("scenario"),
                    "seed": results.seed,
                    "campaigns": results.campaigns,
                    "version": results.manifest.get("version"),
                },
                "lang": lang,
                "formats": list(chosen),
                "files": sorted(written + [MANIFEST]),
            },
        )
    return Report(out, tuple(sorted(written)))
