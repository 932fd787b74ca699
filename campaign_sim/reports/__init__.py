"""Planning-deck outputs of a results folder: charts (PNG, SVG), an Excel workbook, a
PowerPoint deck and a Markdown report, in English or Traditional Chinese.

Reports read a results folder and never simulate. matplotlib, openpyxl and python-pptx (the
``reports`` extra) are imported only when an output that needs them is built.

>>> from campaign_sim.reports import build_report
>>> build_report("results/coffee-launch-compare", lang="zh-TW")  # doctest: +SKIP
"""

from campaign_sim.reports.build import (
    FORMATS,
    Report,
    build_report,
    default_report_dir,
    parse_formats,
)
from campaign_sim.reports.i18n import LANGUAGES
from campaign_sim.reports.results import Results, load_results

__all__ = [
    "FORMATS",
    "LANGUAGES",
    "Report",
    "Results",
    "build_report",
    "default_report_dir",
    "load_results",
    "parse_formats",
]
