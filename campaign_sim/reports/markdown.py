"""Markdown report of a results folder: the deck's content for wikis and docs, charts linked."""

from __future__ import annotations

from collections.abc import Sequence

from campaign_sim.reports.charts import Chart
from campaign_sim.reports.i18n import Text
from campaign_sim.reports.story import Section, Story
from campaign_sim.reports.texttable import TextTable

__all__ = ["build_markdown", "markdown_table"]


def _cell(value: str) -> str:
    """Table-safe text: pipes escaped, line breaks folded."""
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def markdown_table(table: TextTable) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in table.header) + " |"]
    lines.append("|" + "|".join("---" for _ in table.header) + "|")
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
    return lines


def _sections(sections: Sequence[Section]) -> list[str]:
    """Each table under its label, its action title in bold above it, its notes below."""
    lines: list[str] = []
    for section in sections:
        lines += [f"## {section.heading}", ""]
        lines += [f"**{section.title}**", ""] if section.title else []
        lines += [*markdown_table(section.table), ""]
        lines += [f"_{note}_" + "  " for note in section.note] + ([""] if section.note else [])
    return lines


def build_markdown(
    story: Story,
    charts: Sequence[Chart],
    text: Text,
    *,
    chart_dir: str = "charts",
    files: Sequence[str] = (),
    source: str = "",
    version: str = "",
) -> str:
    """The report as Markdown, in the deck's order; charts are linked as
    ``{chart_dir}/{key}.png``."""
    lines = [f"# {story.title}", "", f"_{story.subtitle}_", ""]
    lines += [f"## {text('slide.headline')}", "", f"**{story.headline}**", ""]
    lines += [f"- {point}" for point in story.points] + [""]
    lines += _sections(story.compare)
    if charts:
        lines += [f"## {text('md.charts')}", ""]
        for chart in charts:
            lines += [
                f"### {story.chart_title(chart.key, chart.title)}",
                "",
                f"![{_cell(chart.title)}]({chart_dir}/{chart.key}.png)",
                "",
                f"_{text('label.caption', title=chart.title, caption=chart.caption)}_",
                "",
            ]
    lines += _sections([*story.tables, *story.key_assumptions])
    lines += [f"## {text('slide.method')}", ""] + [f"- {line}" for line in story.method] + [""]
    if story.assumptions is not None and story.assumptions.rows:
        heading = story.appendix_title or text("slide.assumptions")
        lines += [f"## {heading}", "", *markdown_table(story.assumptions), ""]
    if files:
        lines += [f"## {text('md.files')}", ""] + [f"- [{f}]({f})" for f in files] + [""]
    if source:
        lines += ["---", "", text("md.generated", version=version, folder=source), ""]
    return "\n".join(lines)
