"""Speaker colours: readable on their theme's base, and told apart from each other (issue 12)."""

from __future__ import annotations

import itertools
import math

import pytest
from PySide6.QtGui import QColor, QPalette

from ui.transcript.speaker_colours import speaker_colour, speaker_colours
from ui.window.palette import dark_palette, light_palette


def _luminance(c: QColor) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def lab(c: QColor) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""

    def linear(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = linear(c.red()), linear(c.green()), linear(c.blue())
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("make", [light_palette, dark_palette], ids=["light", "dark"])
def test_colours_are_readable_and_distinct(qapp: object, make: object) -> None:
    palette = make()  # type: ignore[operator]
    base = palette.color(QPalette.ColorRole.Base)
    colours = speaker_colours(palette)
    assert len(colours) == 8
    for colour in colours:
        assert contrast(colour, base) >= 4.5, colour.name()
    for a, b in itertools.combinations(colours, 2):
        # CIE76 distance: 20 is well past "clearly different" (about 10) for small text.
        assert math.dist(lab(a), lab(b)) >= 20, (a.name(), b.name())


def test_a_rename_keeps_the_colour_and_names_get_their_place(qapp: object) -> None:
    palette = light_palette()
    before = speaker_colour("SPEAKER_01", ("SPEAKER_00", "SPEAKER_01"), palette)
    after = speaker_colour("Björn", ("SPEAKER_00", "Björn"), palette)
    assert before == after
    first = speaker_colour("Ana", ("Ana", "Björn"), palette)
    assert first != after
    assert speaker_colour("nobody", ("Ana",), palette) == palette.color(QPalette.ColorRole.Text)
