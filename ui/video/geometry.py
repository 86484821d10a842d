"""Where the picture and the subtitle go in the video pane: pure arithmetic, no widgets.

The subtitle scales with the picture, as a player's does: the font is `FONT_SHARE` of the
picture's height (mpv's default is about 5.5 % at 720 lines, libass's 6.25 %), the bottom line
sits `BOTTOM_SHARE` above the picture's lower edge (inside the title-safe area), and a line
never runs wider than `MAX_WIDTH_SHARE` of the picture: a longer one shrinks the font.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = [
    "BOTTOM_SHARE",
    "FONT_SHARE",
    "MAX_FONT_PX",
    "MAX_WIDTH_SHARE",
    "MIN_FONT_PX",
    "Rect",
    "SubtitleLook",
    "fit_picture",
    "subtitle_look",
]

FONT_SHARE: Final = 0.055
BOTTOM_SHARE: Final = 0.06
MAX_WIDTH_SHARE: Final = 0.92
MIN_FONT_PX: Final = 11  # readable on a tiny pane; smaller text is noise
MAX_FONT_PX: Final = 64
OUTLINE_SHARE: Final = 0.12  # of the font size: a black edge that reads on any picture


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in pixels: left, top, width, height."""

    x: float
    y: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        """The lower edge."""
        return self.y + self.height

    @property
    def center_x(self) -> float:
        """The middle, across."""
        return self.x + self.width / 2


def fit_picture(native_width: int, native_height: int, box: Rect) -> Rect:
    """The picture scaled to fit ``box`` with its aspect ratio kept, centred (letterboxed).

    An unknown size (0 or less, before the first frame) fills the box.
    """
    if native_width <= 0 or native_height <= 0 or box.width <= 0 or box.height <= 0:
        return box
    scale = min(box.width / native_width, box.height / native_height)
    width, height = native_width * scale, native_height * scale
    return Rect(box.x + (box.width - width) / 2, box.y + (box.height - height) / 2, width, height)


@dataclass(frozen=True, slots=True)
class SubtitleLook:
    """How the subtitle is drawn over a picture.

    Attributes:
        font_px: The font's pixel size.
        outline_px: The width of the dark edge around the letters.
        bottom: Where the last line's bottom goes (y, in the picture's coordinates).
        max_width: The widest a line may be.
    """

    font_px: int
    outline_px: float
    bottom: float
    max_width: float


def subtitle_look(picture: Rect, widest_em: float = 0.0) -> SubtitleLook:
    """The subtitle's size and place over ``picture``.

    Args:
        picture: Where the picture is drawn.
        widest_em: The widest line's width in ems (its width over the font size it was
            measured in; 0: not known). A line wider than the picture allows shrinks the font.
    """
    font_px = min(max(round(picture.height * FONT_SHARE), MIN_FONT_PX), MAX_FONT_PX)
    max_width = picture.width * MAX_WIDTH_SHARE
    if widest_em * font_px > max_width:
        font_px = max(int(max_width / widest_em), MIN_FONT_PX)
    return SubtitleLook(
        font_px=font_px,
        outline_px=max(font_px * OUTLINE_SHARE, 1.5),
        bottom=picture.bottom - picture.height * BOTTOM_SHARE,
        max_width=max_width,
    )
