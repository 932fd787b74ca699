"""A font with Chinese glyphs, so that no character of a chart or slide renders as a box.

Charts are drawn by matplotlib, which falls back glyph by glyph along ``font.family``: Latin
text stays in DejaVu Sans and Chinese characters come from the CJK font found here. The font is
found at run time among the system's fonts (Noto Sans CJK TC from Debian's ``fonts-noto-cjk``
first, then other Traditional Chinese fonts), or named by the ``CAMPAIGN_SIM_CJK_FONT``
environment variable (a path to a .ttf, .otf or .ttc file).
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from campaign_sim.errors import InputError

__all__ = [
    "CJK_FAMILIES",
    "ENV_VAR",
    "INSTALL_HINT",
    "SLIDE_EA_FONT",
    "CJKFont",
    "find_cjk_font",
    "has_cjk",
    "matplotlib_families",
]

ENV_VAR = "CAMPAIGN_SIM_CJK_FONT"

#: Preferred families, Traditional Chinese first (glyph shapes differ between TC, SC and JP).
CJK_FAMILIES = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Source Han Sans TC",
    "Source Han Sans TW",
    "Microsoft JhengHei",
    "PingFang TC",
    "Heiti TC",
    "Noto Sans CJK HK",
    "AR PL UMing TW",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)

#: East Asian typeface named in the slides: standard on Windows and with Office on macOS in
#: Taiwan; other viewers (LibreOffice) substitute a CJK font they have.
SLIDE_EA_FONT = "Microsoft JhengHei"

INSTALL_HINT = (
    "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk) or set "
    f"{ENV_VAR}=/path/to/a-font-with-chinese-glyphs.ttc"
)

#: Characters every CJK font found must have: common ones of the report's own Chinese text.
PROBE = "策略模擬活動利潤虧損機率奈米微型為主"

_CJK_FILE = re.compile(r"cjk|tc|hk|tw|hei|ming|han|wqy|droid|jheng|pingfang|kai|song", re.I)


@dataclass(frozen=True)
class CJKFont:
    """A font face with Chinese glyphs: family ``name``, file ``path``, face ``index`` in it."""

    name: str
    path: Path
    index: int = 0


def has_cjk(text: str) -> bool:
    """True if ``text`` holds a character from the CJK blocks (or full-width forms)."""
    return any(ord(ch) >= 0x2E80 for ch in text)


def _covers(path: str, index: int, chars: str = PROBE) -> bool:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            cmap = font.getBestCmap() or {}
    except Exception:  # an unreadable font file is one we cannot use; try the next
        return False
    return all(ord(ch) in cmap for ch in chars)


def _entries():
    from matplotlib import font_manager

    return font_manager.fontManager.ttflist


def _pick(entries) -> CJKFont | None:
    regular = [e for e in entries if e.weight in (400, "normal", "regular") and e.style == "normal"]
    for family in CJK_FAMILIES:
        for entry in regular or entries:
            if entry.name == family and _covers(entry.fname, getattr(entry, "index", 0)):
                return CJKFont(entry.name, Path(entry.fname), getattr(entry, "index", 0))
    return None


@lru_cache(maxsize=1)
def find_cjk_font() -> CJKFont | None:
    """The CJK font for charts, registered with matplotlib; None if the system has none.

    Raises InputError if ``CAMPAIGN_SIM_CJK_FONT`` names a file that is missing or lacks
    Chinese glyphs.
    """
    from matplotlib import font_manager

    named = os.environ.get(ENV_VAR)
    if named:
        path = Path(named)
        if not path.is_file():
            raise InputError.single(None, ENV_VAR, f"'{named}' is not a font file")
        font_manager.fontManager.addfont(str(path))
        faces = [e for e in _entries() if Path(e.fname) == path]
        for entry in faces:
            if _covers(entry.fname, getattr(entry, "index", 0)):
                return CJKFont(entry.name, path, getattr(entry, "index", 0))
        raise InputError.single(None, ENV_VAR, f"'{named}' has no Chinese glyphs")
    found = _pick(_entries())
    if found is None:
        # matplotlib's font cache predates fonts installed since; register new candidates.
        known = {e.fname for e in _entries()}
        for fname in font_manager.findSystemFonts():
            if fname not in known and _CJK_FILE.search(Path(fname).name):
                try:
                    font_manager.fontManager.addfont(fname)
                except (OSError, RuntimeError, ValueError):
                    continue
        found = _pick(_entries())
    return found


def matplotlib_families(lang: str, *, needs_cjk: bool) -> list[str]:
    """``font.family`` for matplotlib: Latin and CJK fonts in fallback order.

    zh-TW without a CJK font is an error; English text that holds Chinese names gets a warning
    (those characters would be boxes).
    """
    font = find_cjk_font()
    if font is None:
        if lang == "zh-TW":
            raise InputError.single(
                None,
                "--lang",
                f"zh-TW needs a font with Chinese glyphs; none found: {INSTALL_HINT}",
            )
        if needs_cjk:
            warnings.warn(
                f"no font with Chinese glyphs found, so Chinese names will show as boxes: "
                f"{INSTALL_HINT}",
                stacklevel=2,
            )
        return ["DejaVu Sans"]
    if lang == "zh-TW":
        return [font.name, "DejaVu Sans"]
    return ["DejaVu Sans", font.name]
