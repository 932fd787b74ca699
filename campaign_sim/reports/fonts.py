"""A font with Chinese glyphs, so that no character of a chart or slide renders as a box.

Charts are drawn by matplotlib, which falls back glyph by glyph along ``font.family``: Latin
text stays in DejaVu Sans and Chinese characters come from the CJK font found here. The font is
found at run time among the fonts matplotlib draws with (Noto Sans CJK TC from Debian's
``fonts-noto-cjk`` first, then other Traditional Chinese fonts), or named by the
``CAMPAIGN_SIM_CJK_FONT`` environment variable (a path to a .ttf, .otf or .ttc file).

A font counts only if matplotlib resolves its family to it, so what hides fonts from matplotlib
hides them here too: ``MPL_IGNORE_SYSTEM_FONTS`` (matplotlib 3.11 and newer then draw only with
their own fonts, whatever the font cache lists). fontconfig (``FONTCONFIG_FILE``) alone does not
hide them: matplotlib also scans the system's font folders itself.

Without a CJK font, Traditional Chinese reports are refused and English charts whose names hold
Chinese characters get one MissingFontWarning (naming the package to install) instead of
matplotlib's warning for every missing glyph: see ``missing_glyphs_quiet``.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from campaign_sim.errors import InputError
from campaign_sim.notices import Notice

__all__ = [
    "CJK_FAMILIES",
    "ENV_VAR",
    "INSTALL_HINT",
    "SLIDE_EA_FONT",
    "CJKFont",
    "MissingFontWarning",
    "find_cjk_font",
    "has_cjk",
    "matplotlib_families",
    "missing_glyphs_quiet",
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

#: matplotlib's warning for each character its fonts lack (matplotlib._text_helpers).
GLYPH_MISSING = r"Glyph \d+ \(.*\) missing from font\(s\)"


class MissingFontWarning(Notice):
    """No font with Chinese glyphs: the Chinese characters of a chart show as boxes."""


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


def _resolve(family: str) -> CJKFont | None:
    """The face matplotlib draws ``family`` with, if that is a face with Chinese glyphs.

    matplotlib's own lookup decides, so a face its font cache lists but it will not use (under
    ``MPL_IGNORE_SYSTEM_FONTS`` it draws only with the fonts it ships) is not taken.
    """
    from matplotlib import font_manager

    try:
        found = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
    except ValueError:  # no face of the family where matplotlib looks
        return None
    path = Path(found)
    index = getattr(found, "face_index", None)  # matplotlib >= 3.11 names the face
    if index is None:
        faces = [
            e for e in _entries() if e.name == family and Path(e.fname).resolve() == path.resolve()
        ]
        index = getattr(faces[0], "index", 0) if faces else 0
    if not _covers(str(path), index):
        return None
    return CJKFont(family, path, index)


def _pick(entries) -> CJKFont | None:
    names = {e.name for e in entries}
    for family in CJK_FAMILIES:
        if family in names:
            found = _resolve(family)
            if found is not None:
                return found
    return None


def _hidden_by_matplotlib() -> bool:
    return bool(os.environ.get("MPL_IGNORE_SYSTEM_FONTS"))


@lru_cache(maxsize=1)
def find_cjk_font() -> CJKFont | None:
    """The CJK font for charts, registered with matplotlib; None if matplotlib has none.

    Raises InputError if ``CAMPAIGN_SIM_CJK_FONT`` names a file that is missing, lacks
    Chinese glyphs, or that matplotlib will not draw with.
    """
    from matplotlib import font_manager

    named = os.environ.get(ENV_VAR)
    if named:
        path = Path(named)
        if not path.is_file():
            raise InputError.single(None, ENV_VAR, f"'{named}' is not a font file")
        font_manager.fontManager.addfont(str(path))
        faces = [e for e in _entries() if Path(e.fname) == path]
        families = [e.name for e in faces if _covers(e.fname, getattr(e, "index", 0))]
        if not families:
            raise InputError.single(None, ENV_VAR, f"'{named}' has no Chinese glyphs")
        for family in families:
            found = _resolve(family)
            if found is not None:
                return found
        why = (
            "MPL_IGNORE_SYSTEM_FONTS is set, so matplotlib draws only with its own fonts; unset it"
            if _hidden_by_matplotlib()
            else "matplotlib resolves its family to another font"
        )
        raise InputError.single(None, ENV_VAR, f"'{named}' is not used by matplotlib: {why}")
    found = _pick(_entries())
    if found is None:
        # matplotlib's font cache predates fonts installed since; register new candidates
        # (none under MPL_IGNORE_SYSTEM_FONTS: findSystemFonts honours it).
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
                MissingFontWarning,
                stacklevel=2,
            )
        return ["DejaVu Sans"]
    if lang == "zh-TW":
        return [font.name, "DejaVu Sans"]
    return ["DejaVu Sans", font.name]


@contextmanager
def missing_glyphs_quiet(quiet: bool) -> Iterator[None]:
    """Within, matplotlib's per-glyph "Glyph ... missing" warnings are dropped if ``quiet``
    (after the one MissingFontWarning said why); other warnings pass."""
    with warnings.catch_warnings():
        if quiet:
            warnings.filterwarnings("ignore", message=GLYPH_MISSING, category=UserWarning)
        yield
