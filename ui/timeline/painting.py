"""Drawing the timeline: ruler, segment regions, waveform, word boxes, selection and playhead.

Everything is drawn for one `Viewport` that covers just the area to repaint (the widget passes
the dirty rectangle's columns), so a moving playhead repaints a few pixels, not the whole strip,
and nothing outside the view is ever looked at: segments and words come from bisection
(`TimeIndex.visible_*`) and the waveform from the pyramid level that has about one bucket per
pixel. Colours come from the palette, speakers' from `ui.transcript.speaker_colours`, so light
and dark themes both read well.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette

from ui.timeline.edges import Grip
from ui.timeline.geometry import Viewport, ruler_ticks, tick_label, tick_step
from ui.timeline.items import Lanes, TimeIndex
from ui.timeline.peaks import Peaks
from ui.transcript.speaker_colours import speaker_colours

__all__ = ["DECIBEL_RANGE", "Scene", "TimelineColours", "paint_scene"]

FloatArray = npt.NDArray[np.float32]

#: Word boxes narrower than this (pixels) are not drawn: a grey band says "words here" instead.
MIN_WORD_PX: Final = 3.0
#: Labels need this much room (pixels) inside their box to be written.
MIN_LABEL_PX: Final = 24.0
#: The waveform's scale: from the loudest sample down this many dB (see `_decibel_height`).
DECIBEL_RANGE: Final = 60.0
_RULER_SPACING_PX: Final = 90.0


@dataclass(frozen=True, slots=True)
class TimelineColours:
    """The timeline's colours for one palette (see `for_palette`)."""

    base: QColor
    text: QColor
    faint: QColor
    waveform: QColor
    selection: QColor
    playhead: QColor
    edge: QColor
    speakers: tuple[QColor, ...]
    no_speaker: QColor

    @classmethod
    def for_palette(cls, palette: QPalette) -> TimelineColours:
        """Colours readable on ``palette``'s base, light or dark."""
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        dark = base.lightness() < 128
        selection = QColor(palette.color(QPalette.ColorRole.Highlight))
        selection.setAlpha(90 if dark else 70)
        return cls(
            base=base,
            text=text,
            faint=_alpha(text, 60),
            waveform=_alpha(text, 175 if dark else 150),
            selection=selection,
            playhead=QColor("#ff6b5e" if dark else "#d0271d"),
            edge=palette.color(QPalette.ColorRole.Highlight),
            speakers=speaker_colours(palette),
            no_speaker=_alpha(text, 140),
        )


def _alpha(colour: QColor, alpha: int) -> QColor:
    tinted = QColor(colour)
    tinted.setAlpha(alpha)
    return tinted


@dataclass(frozen=True, slots=True)
class Scene:
    """What to draw.

    Attributes:
        view: The area to draw, x = 0 at its left edge.
        lanes: The strips.
        colours: The palette's colours.
        index: The transcript, or None.
        peaks: The waveform so far, or None.
        position_ms: The playhead.
        selection: The selected time range, or None.
        grip: The edge hovered or dragged, or None.
        grip_ms: Where that edge is shown (the drag's preview).
    """

    view: Viewport
    lanes: Lanes
    colours: TimelineColours
    index: TimeIndex | None
    peaks: Peaks | None
    position_ms: int
    selection: tuple[int, int] | None = None
    grip: Grip | None = None
    grip_ms: int | None = None


def paint_scene(painter: QPainter, scene: Scene) -> None:
    """Draw ``scene`` with ``painter`` (already clipped and moved to the area's left edge)."""
    view, lanes, c = scene.view, scene.lanes, scene.colours
    painter.fillRect(QRectF(0, 0, view.width, lanes.words.bottom), c.base)
    speakers = scene.index.transcript.speakers if scene.index is not None else ()
    if scene.index is not None:
        _paint_segments(painter, scene, speakers)
    if scene.peaks is not None:
        _paint_waveform(painter, view, lanes, c, scene.peaks)
    if scene.index is not None:
        _paint_speaker_names(painter, scene, speakers)  # over the waveform, to be read
        _paint_words(painter, scene, speakers)
    _paint_ruler(painter, view, lanes, c)
    if scene.selection is not None:
        left, right = (view.x_of(t) for t in scene.selection)
        painter.fillRect(QRectF(left, 0, max(right - left, 1.0), lanes.words.bottom), c.selection)
    if scene.grip is not None:
        x = view.x_of(scene.grip.ms if scene.grip_ms is None else scene.grip_ms)
        band = lanes.segments if scene.grip.kind == "segment" else lanes.words
        painter.fillRect(QRectF(x - 1, band.top, 3, band.height), c.edge)
    x = view.x_of(scene.position_ms)
    painter.fillRect(QRectF(round(x) - 1, 0, 2, lanes.words.bottom), c.playhead)


def _speaker_colour(c: TimelineColours, speaker: str | None, speakers: tuple[str, ...]) -> QColor:
    if speaker is None or speaker not in speakers:
        return c.no_speaker
    return c.speakers[speakers.index(speaker) % len(c.speakers)]


def _paint_segments(painter: QPainter, scene: Scene, speakers: tuple[str, ...]) -> None:
    assert scene.index is not None
    band, segments = scene.lanes.segments, scene.index.transcript.segments
    for box in scene.index.visible_segments(scene.view):
        colour = _speaker_colour(scene.colours, segments[box.segment].speaker, speakers)
        rect = QRectF(box.left, band.top, max(box.width, 1.0), band.height)
        painter.fillRect(rect, _alpha(colour, 48))
        painter.fillRect(QRectF(box.left, band.top, 1, band.height), colour)
        painter.fillRect(QRectF(box.right - 1, band.top, 1, band.height), colour)


def _paint_speaker_names(painter: QPainter, scene: Scene, speakers: tuple[str, ...]) -> None:
    assert scene.index is not None
    band, segments = scene.lanes.segments, scene.index.transcript.segments
    metrics = QFontMetrics(painter.font())
    backdrop = _alpha(scene.colours.base, 200)
    for box in scene.index.visible_segments(scene.view):
        speaker = segments[box.segment].speaker
        if not speaker or box.width <= MIN_LABEL_PX:
            continue
        text = metrics.elidedText(speaker, Qt.TextElideMode.ElideRight, round(box.width) - 8)
        painter.fillRect(
            QRectF(
                box.left + 2, band.top + 1, metrics.horizontalAdvance(text) + 4, metrics.height()
            ),
            backdrop,
        )
        painter.setPen(_speaker_colour(scene.colours, speaker, speakers))
        painter.drawText(QPointF(box.left + 4, band.top + 1 + metrics.ascent()), text)


def _paint_waveform(
    painter: QPainter, view: Viewport, lanes: Lanes, c: TimelineColours, peaks: Peaks
) -> None:
    level = peaks.level_for(view.pixels_per_second)
    lows, highs = level.columns(view.start_ms, view.ms_per_pixel, view.width)
    drawn = ~np.isnan(lows)
    if not drawn.any():
        return
    band = lanes.segments
    middle, half = band.top + band.height / 2, band.height / 2 - 2
    loudest = max(peaks.loudest, 1e-6)
    tops = middle - _decibel_height(np.maximum(highs, 0) / loudest) * half
    bottoms = middle + _decibel_height(np.maximum(-lows, 0) / loudest) * half
    columns = np.flatnonzero(drawn)
    lines = [
        QLineF(x + 0.5, float(tops[x]), x + 0.5, float(bottoms[x]) + 1.0) for x in columns.tolist()
    ]
    painter.setPen(c.waveform)
    painter.drawLines(lines)
    painter.fillRect(QRectF(float(columns[0]), middle, float(len(columns)), 1), c.faint)


def _decibel_height(level: npt.NDArray[Any]) -> FloatArray:
    """Heights 0 to 1 for levels 0 to 1 (of the loudest), on a `DECIBEL_RANGE` scale.

    Speech spans a wide range: in a meeting, a quiet voice peaks 50 dB under a loud one, a flat
    line on a linear scale. As Audacity's dB view, the loudest fills the strip and each dB less
    takes the same height off, down to nothing at `DECIBEL_RANGE` below.
    """
    with np.errstate(divide="ignore"):
        db = 20 * np.log10(level)
    heights: FloatArray = np.clip(1 + db / DECIBEL_RANGE, 0, 1).astype(np.float32)
    return heights


def _paint_words(painter: QPainter, scene: Scene, speakers: tuple[str, ...]) -> None:
    assert scene.index is not None
    view, band, c = scene.view, scene.lanes.words, scene.colours
    lo, hi = view.visible_range()
    count = scene.index.count_words_between(lo, hi)
    if count and view.width / count < MIN_WORD_PX:
        for box in scene.index.visible_segments(view):  # too many to tell apart
            painter.fillRect(
                QRectF(box.left, band.top + 4, max(box.width, 1.0), band.height - 8), c.faint
            )
        return
    segments = scene.index.transcript.segments
    metrics = QFontMetrics(painter.font())
    baseline = band.top + (band.height + metrics.ascent() - metrics.descent()) / 2
    for box in scene.index.visible_words(view):
        assert box.word is not None
        segment = segments[box.segment]
        colour = _speaker_colour(c, segment.speaker, speakers)
        rect = QRectF(box.left, band.top + 2, max(box.width, 1.0), band.height - 4)
        painter.fillRect(rect, _alpha(colour, 40))
        painter.fillRect(QRectF(box.left, rect.top(), 1, rect.height()), _alpha(colour, 200))
        if box.width >= MIN_LABEL_PX:
            word = segment.words[box.word].stripped
            text = metrics.elidedText(word, Qt.TextElideMode.ElideRight, round(box.width) - 4)
            painter.setPen(c.text)
            painter.drawText(QPointF(box.left + 3, baseline), text)


def _paint_ruler(painter: QPainter, view: Viewport, lanes: Lanes, c: TimelineColours) -> None:
    band = lanes.ruler
    painter.fillRect(QRectF(0, band.top, view.width, band.height), c.base)
    painter.fillRect(QRectF(0, band.bottom - 1, view.width, 1), c.faint)
    step = tick_step(view, _RULER_SPACING_PX)
    metrics = QFontMetrics(painter.font())
    painter.setPen(c.text)
    # Ticks a label's width left of the area too: their labels reach into it.
    widened = dataclasses.replace(view, start_ms=view.ms_at(-_RULER_SPACING_PX))
    for ms in ruler_ticks(
        dataclasses.replace(widened, width=view.width + round(_RULER_SPACING_PX)), step
    ):
        x = round(view.x_of(ms))
        painter.fillRect(QRectF(x, band.bottom - 5, 1, 5), c.text)
        painter.drawText(QPointF(x + 3, band.top + metrics.ascent()), tick_label(ms, step))
