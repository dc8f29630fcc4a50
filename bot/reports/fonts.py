"""Matplotlib with a CJK font, so the reports' Chinese labels do not render as boxes."""

from __future__ import annotations

from pathlib import Path

from matplotlib import font_manager, rcParams

# Font files the project's scripts/install_fonts.sh (or a desktop system) provides, best first.
CJK_FONT_FILES = ("wqy-zenhei", "wqy-microhei", "notosanscjk", "sourcehansans")


class FontMissingError(RuntimeError):
    """No CJK font installed: run scripts/install_fonts.sh (make fonts)."""


def configure_cjk_font() -> str:
    """Registers the first CJK font found and makes it matplotlib's default; its family name."""
    for wanted in CJK_FONT_FILES:
        for path in sorted(font_manager.findSystemFonts()):
            if wanted in Path(path).name.lower():
                font_manager.fontManager.addfont(path)
                family = font_manager.FontProperties(fname=path).get_name()
                rcParams["font.family"] = [family]
                # The CJK fonts' own minus sign; DejaVu's is missing from them.
                rcParams["axes.unicode_minus"] = False
                return str(family)
    raise FontMissingError(
        "no CJK font found for the report plots; install one with "
        "`bash scripts/install_fonts.sh` (or `make fonts`)"
    )
