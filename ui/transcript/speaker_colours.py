"""One colour per speaker, told apart at a glance and readable in light and dark themes (issue 12).

Colours go by the speaker's place in the transcript (first to speak, second...), not by a hash of
the name: a hash put two of the first speakers in the same dark red after a rename (issue 17,
item 6), and a rename keeps the place, so it keeps the colour. The hues are Okabe and Ito's
colour-blind-safe set plus two, each with a light-theme shade (dark enough for 4.5:1 contrast on
white) and a dark-theme shade (light enough for 4.5:1 on the dark base). `tests/ui` checks both.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QColor, QPalette

__all__ = ["SPEAKER_COLOURS_DARK", "SPEAKER_COLOURS_LIGHT", "speaker_colour", "speaker_colours"]

#: Shades on a light base, in the order speakers get them.
SPEAKER_COLOURS_LIGHT = (
    "#0a62a8",  # blue
    "#b34700",  # vermilion
    "#087a5b",  # bluish green
    "#a3307a",  # reddish purple
    "#6b5b00",  # olive (yellow darkened until it reads on white)
    "#5b3fb0",  # violet
    "#a1202a",  # red
    "#3d6b1a",  # leaf green
)
#: The same hues on a dark base.
SPEAKER_COLOURS_DARK = (
    "#6cb6ff",
    "#ff9a5c",
    "#4fd1a5",
    "#f08cd0",
    "#e8d04a",
    "#b8a4ff",
    "#ff7b84",
    "#a6dc6e",
)


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def speaker_colours(palette: QPalette) -> tuple[QColor, ...]:
    """The speaker colours for ``palette``'s theme, in the order speakers get them."""
    shades = SPEAKER_COLOURS_DARK if _is_dark(palette) else SPEAKER_COLOURS_LIGHT
    return tuple(QColor(c) for c in shades)


def speaker_colour(name: str, speakers: Sequence[str], palette: QPalette) -> QColor:
    """The colour of speaker ``name`` among ``speakers`` (the transcript's, in order).

    Past the eighth speaker the colours repeat; a name not in ``speakers`` gets the text colour.
    """
    colours = speaker_colours(palette)
    try:
        return colours[list(speakers).index(name) % len(colours)]
    except ValueError:
        return palette.color(QPalette.ColorRole.Text)
