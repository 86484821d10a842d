"""Where time is on the timeline: time ↔ x at a zoom, the visible range, zooming and scrolling.

Plain arithmetic, no Qt, so every rule here is unit-tested without a widget. A `Viewport` is a
value: the widget keeps the current one and replaces it when the person zooms or scrolls, or when
playback moves out of sight. x is in widget pixels from the left edge, times in milliseconds
(floats inside, so zooming around the pointer keeps the time under it exactly).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Final

from editor.timefmt import format_clock

__all__ = [
    "FOLLOW_LEAD",
    "MAX_PIXELS_PER_SECOND",
    "MIN_PIXELS_PER_SECOND",
    "TICK_STEPS_MS",
    "ZOOM_STEP",
    "Viewport",
    "ruler_ticks",
    "tick_label",
    "tick_step",
]

#: The closest zoom: half a millisecond per pixel, enough to place an edge to the millisecond.
MAX_PIXELS_PER_SECOND: Final = 2000.0
#: The farthest zoom when the duration is unknown (a known one fits the whole recording).
MIN_PIXELS_PER_SECOND: Final = 0.01
#: One wheel notch or key press zooms by this factor (in or out).
ZOOM_STEP: Final = 1.5
#: Following playback, a page turn puts the playhead this far into the view (a fraction of its
#: width), so the person sees a little of what was just said as well as what comes.
FOLLOW_LEAD: Final = 0.1


@dataclass(frozen=True, slots=True)
class Viewport:
    """What the timeline shows: a zoom, a scroll position and a width.

    Attributes:
        pixels_per_second: The zoom.
        start_ms: The time at x = 0.
        width: The drawing width in pixels.
        duration_ms: The recording's length (0 when not known yet): scrolling stops there.
    """

    pixels_per_second: float = 100.0
    start_ms: float = 0.0
    width: int = 1
    duration_ms: int = 0

    # -- time and x --------------------------------------------------------------------------------
    @property
    def ms_per_pixel(self) -> float:
        """How much time one pixel spans."""
        return 1000.0 / self.pixels_per_second

    @property
    def end_ms(self) -> float:
        """The time at the right edge."""
        return self.start_ms + self.width * self.ms_per_pixel

    def x_of(self, ms: float) -> float:
        """The x of time ``ms`` (outside 0..width when it is not visible)."""
        return (ms - self.start_ms) * self.pixels_per_second / 1000.0

    def ms_at(self, x: float) -> float:
        """The time at x (not clamped to the recording)."""
        return self.start_ms + x * self.ms_per_pixel

    def visible_range(self) -> tuple[int, int]:
        """(first, last) whole milliseconds that touch the view, for lookups."""
        return math.floor(self.start_ms), math.ceil(self.end_ms)

    def contains(self, ms: float, margin_px: float = 0.0) -> bool:
        """Whether ``ms`` is in view, at least ``margin_px`` inside either edge."""
        return margin_px <= self.x_of(ms) <= self.width - margin_px

    # -- scrolling ---------------------------------------------------------------------------------
    @property
    def content_width(self) -> float:
        """The whole recording's width at this zoom, in pixels (at least the view's)."""
        return max(self.duration_ms * self.pixels_per_second / 1000.0, float(self.width))

    @property
    def max_start_ms(self) -> float:
        """The latest start that still fills the view with recording."""
        return max(0.0, self.duration_ms - self.width * self.ms_per_pixel)

    def scrolled_to(self, start_ms: float) -> Viewport:
        """This view starting at ``start_ms``, kept inside the recording."""
        start = min(max(start_ms, 0.0), self.max_start_ms) if self.duration_ms else max(start_ms, 0)
        return dataclasses.replace(self, start_ms=start)

    def scrolled_by(self, pixels: float) -> Viewport:
        """This view moved right by ``pixels`` (left when negative)."""
        return self.scrolled_to(self.start_ms + pixels * self.ms_per_pixel)

    def scroll_value(self) -> int:
        """The start as a scroll bar value (pixels of content left of the view)."""
        return round(self.start_ms * self.pixels_per_second / 1000.0)

    def scroll_maximum(self) -> int:
        """The largest scroll bar value."""
        return max(0, round(self.content_width) - self.width)

    def at_scroll_value(self, value: int) -> Viewport:
        """This view at scroll bar value ``value`` (see `scroll_value`)."""
        return self.scrolled_to(value * self.ms_per_pixel)

    def resized(
        self, width: int, duration_ms: int | None = None, zoom: float | None = None
    ) -> Viewport:
        """This view at another width (and duration), its start kept where it fits.

        ``zoom`` is the zoom the person chose (default: this one's): a short recording or a
        transcript still growing may hold it back for now, and it comes back once they grow.
        """
        duration = self.duration_ms if duration_ms is None else max(0, duration_ms)
        other = dataclasses.replace(self, width=max(1, width), duration_ms=duration)
        wished = self.pixels_per_second if zoom is None else zoom
        zoomed = dataclasses.replace(other, pixels_per_second=other.clamped_zoom(wished))
        return zoomed.scrolled_to(zoomed.start_ms)

    # -- zooming -----------------------------------------------------------------------------------
    @property
    def min_pixels_per_second(self) -> float:
        """The farthest zoom: the whole recording fits the width."""
        if self.duration_ms <= 0:
            return MIN_PIXELS_PER_SECOND
        fit = self.width * 1000.0 / self.duration_ms
        return min(max(fit, MIN_PIXELS_PER_SECOND), MAX_PIXELS_PER_SECOND)

    def clamped_zoom(self, pixels_per_second: float) -> float:
        """``pixels_per_second`` within the zoom limits for this width and duration."""
        return min(max(pixels_per_second, self.min_pixels_per_second), MAX_PIXELS_PER_SECOND)

    def zoomed(self, factor: float, anchor_x: float) -> Viewport:
        """Zoomed in (``factor`` > 1) or out, keeping the time under ``anchor_x`` where it is.

        This is how Audacity and Subtitle Edit zoom with Ctrl+wheel: the spot under the pointer
        stays under the pointer. At a limit of the zoom or the recording, the view stops there.
        """
        anchor_ms = self.ms_at(anchor_x)
        pps = self.clamped_zoom(self.pixels_per_second * factor)
        zoomed = dataclasses.replace(self, pixels_per_second=pps)
        return zoomed.scrolled_to(anchor_ms - anchor_x * 1000.0 / pps)

    def fitted(self) -> Viewport:
        """The whole recording in view."""
        return dataclasses.replace(
            self, pixels_per_second=self.min_pixels_per_second, start_ms=0.0
        ).scrolled_to(0.0)

    def around(self, ms: float) -> Viewport:
        """The view turned to the page where ``ms`` sits `FOLLOW_LEAD` into it."""
        return self.scrolled_to(ms - self.width * FOLLOW_LEAD * self.ms_per_pixel)

    def following(self, ms: float, margin_px: float = 0.0) -> Viewport:
        """The view that follows a playhead at ``ms``: unchanged while it is in sight.

        Like a page turn in Audacity: once the playhead reaches the right edge (or is out of
        sight), the next page starts just before it. Turning pages, rather than keeping the
        playhead centred, moves the picture once every few seconds instead of every frame.
        """
        if self.start_ms <= ms <= self.end_ms - margin_px * self.ms_per_pixel:
            return self
        return self.around(ms)


# -- the time ruler --------------------------------------------------------------------------------
#: Tick spacings a ruler may use, in milliseconds (the first whose labels fit is taken).
TICK_STEPS_MS: Final = (
    *(10, 20, 50, 100, 200, 500),
    *(1_000, 2_000, 5_000, 10_000, 15_000, 30_000),
    *(60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000),
)


def tick_step(view: Viewport, min_spacing_px: float) -> int:
    """The finest tick spacing whose ticks are at least ``min_spacing_px`` apart."""
    for step in TICK_STEPS_MS:
        if step * view.pixels_per_second / 1000.0 >= min_spacing_px:
            return step
    return TICK_STEPS_MS[-1]


def ruler_ticks(view: Viewport, step_ms: int) -> range:
    """The tick times (multiples of ``step_ms``) that touch the view, from 0 on."""
    lo, hi = view.visible_range()
    first = max(0, -(-lo // step_ms)) * step_ms
    return range(first, hi + 1, step_ms)


def tick_label(ms: int, step_ms: int) -> str:
    """A tick's time as the player writes it, with tenths or hundredths when ticks are closer."""
    text = format_clock(ms)
    if step_ms % 1000 == 0:
        return text
    decimals = 1 if step_ms % 100 == 0 else 2
    fraction = (ms % 1000) // (100 if decimals == 1 else 10)
    return f"{text}.{fraction:0{decimals}d}"
