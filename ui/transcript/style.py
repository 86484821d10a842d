"""Colours and time labels of the transcript view, derived from the widget's palette.

Every colour is computed from the palette (never hard-coded for one theme), so the view reads
well in light and dark themes alike: tints are the accent or a warm hue blended into the base
colour, strong enough to see and light enough to keep the text readable.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from ui.playback.clock import format_time  # the player's clock, so both show times alike

__all__ = ["Colours", "colours_for", "format_time", "precise_clock"]

_AMBER = QColor(255, 176, 0)
_ORANGE = QColor(240, 110, 20)


def _blend(base: QColor, tint: QColor, amount: float) -> QColor:
    """``tint`` laid over ``base`` with opacity ``amount`` (an opaque colour)."""
    pairs = ((base.red(), tint.red()), (base.green(), tint.green()), (base.blue(), tint.blue()))
    return QColor(*(round(b + (t - b) * amount) for b, t in pairs))


def is_dark(palette: QPalette) -> bool:
    """Whether the palette is a dark theme (light text on a dark base)."""
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


@dataclass(frozen=True, slots=True)
class Colours:
    """The view's colours for one palette.

    Attributes:
        playback: Background of the word being spoken.
        match: Background of every find match.
        current_match: Background of the find match the bar points at.
        low_confidence: Background of words the model was unsure of.
        low_confidence_line: Underline of those words.
        current_segment: Background of the segment the caret is in.
        gutter_background: Background of the time gutter.
        gutter_text: Segment start times.
        gutter_active: The start time of the segment being played.
        separator: The line between the gutter and the text.
    """

    playback: QColor
    match: QColor
    current_match: QColor
    low_confidence: QColor
    low_confidence_line: QColor
    current_segment: QColor
    gutter_background: QColor
    gutter_text: QColor
    gutter_active: QColor
    separator: QColor


def colours_for(palette: QPalette) -> Colours:
    """The view's colours for ``palette``."""
    base = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    accent = palette.color(QPalette.ColorRole.Highlight)
    dark = is_dark(palette)
    return Colours(
        playback=_blend(base, accent, 0.45 if dark else 0.30),
        match=_blend(base, _AMBER, 0.30 if dark else 0.35),
        current_match=_blend(base, _ORANGE, 0.60 if dark else 0.55),
        low_confidence=_blend(base, _ORANGE, 0.16 if dark else 0.12),
        low_confidence_line=_blend(base, _ORANGE, 0.85),
        current_segment=_blend(base, accent, 0.10 if dark else 0.07),
        gutter_background=_blend(base, text, 0.03 if dark else 0.02),
        gutter_text=_blend(base, text, 0.55),
        gutter_active=accent if not dark else _blend(accent, QColor(255, 255, 255), 0.35),
        separator=_blend(base, text, 0.12),
    )


def precise_clock(ms: int) -> str:
    """A time to the hundredth of a second for tooltips: ``m:ss.cc`` (``h:mm:ss.cc``)."""
    centis = (max(ms, 0) % 1000) // 10
    return f"{format_time(ms)}.{centis:02d}"
