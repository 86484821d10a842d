"""The side area of the transcript view: each segment's start time and, at a turn, its speaker.

The speaker column has one width whatever the names (longer ones are elided, the tooltip has
them whole), and is there before the first name is: naming a speaker never moves the text
(issue 17, item 6). Colours come from `ui.transcript.speaker_colours`.

Painted like a code editor's line numbers: only the visible blocks, at the positions the text
layout gives them, so it costs nothing more on a 2-hour transcript than on a short one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QHelpEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from editor.transcript import Segment
from ui.transcript.speaker_colours import speaker_colour
from ui.transcript.style import format_time

if TYPE_CHECKING:
    from ui.transcript.view import TranscriptView

__all__ = ["Gutter"]

_PAD = 10  # pixels around and between the columns
_SPEAKER_CHARS = 11  # the speaker column fits "SPEAKER_00" or a first name and a bit
_HOUR_MS = 3_600_000


class Gutter(QWidget):
    """Start times (clickable: seek there) and speaker names beside the transcript's blocks.

    Signals:
        time_clicked(int): The start time of a segment (its index) was clicked.
        speaker_clicked(int): The speaker name of a segment (its index) was clicked.
    """

    time_clicked = Signal(int)
    speaker_clicked = Signal(int)

    def __init__(self, view: TranscriptView) -> None:
        """A gutter for ``view``, which places and sizes it."""
        super().__init__(view)
        self._view = view
        self._time_width = 0
        self._speaker_width = 0
        self.setMouseTracking(True)
        self.update_metrics()

    def sizeHint(self) -> QSize:
        """The width the columns need; the height follows the view."""
        return QSize(self.total_width(), 0)

    def total_width(self) -> int:
        """The gutter's width in pixels."""
        return _PAD + self._time_width + _PAD + self._speaker_width + _PAD

    def update_metrics(self) -> None:
        """Measure the columns again (new transcript, font or speakers)."""
        font = self._time_font()
        transcript = self._view.transcript
        long = transcript is not None and transcript.end_ms >= _HOUR_MS
        self._time_width = QFontMetrics(font).horizontalAdvance("0:00:00" if long else "00:00")
        metrics = QFontMetrics(self._speaker_font())
        # Wide enough for the names identification gives ("SPEAKER_00"), else they all elide
        # to one "SPEAKER…"; a constant, so no name ever changes it.
        self._speaker_width = max(
            metrics.horizontalAdvance("SPEAKER_00") + 2,
            metrics.averageCharWidth() * _SPEAKER_CHARS,
        )
        self._hours = long

    def paintEvent(self, event: QPaintEvent) -> None:
        """Paint the time (and the speaker at each turn) of every visible block."""
        view = self._view
        transcript = view.transcript
        colours = view.colours
        painter = QPainter(self)
        painter.fillRect(event.rect(), colours.gutter_background)
        painter.setPen(colours.separator)
        right = self.width() - 1
        painter.drawLine(right, event.rect().top(), right, event.rect().bottom())
        if transcript is None or not transcript.segments:
            return
        time_font, speaker_font = self._time_font(), self._speaker_font()
        speaker_metrics = QFontMetrics(speaker_font)
        playing = view.playback_segment
        segments = transcript.segments
        speakers = transcript.speakers
        for block, top, _height in view.visible_blocks():
            number = block.blockNumber()
            if number >= len(segments):
                break
            segment = segments[number]
            line = block.layout().lineAt(0)
            baseline = top + (line.ascent() if line.isValid() else 0)
            painter.setFont(time_font)
            painter.setPen(colours.gutter_active if number == playing else colours.gutter_text)
            label = format_time(segment.start_ms, with_hours=self._hours)
            x = _PAD + self._time_width - painter.fontMetrics().horizontalAdvance(label)
            painter.drawText(QPointF(x, baseline), label)
            speaker = segment.speaker
            if speaker and _is_turn(segments, number):
                painter.setFont(speaker_font)
                painter.setPen(speaker_colour(speaker, speakers, self.palette()))
                name = speaker_metrics.elidedText(
                    speaker, Qt.TextElideMode.ElideRight, self._speaker_width
                )
                painter.drawText(QPointF(2 * _PAD + self._time_width, baseline), name)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """A click on a time seeks there; on a speaker name, it asks for the speaker."""
        hit = self._hit(event.position().toPoint())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        number, column = hit
        (self.time_clicked if column == "time" else self.speaker_clicked).emit(number)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Show a pointing hand over the clickable times and names."""
        hit = self._hit(event.position().toPoint())
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)

    def event(self, event: QEvent) -> bool:
        """Explain the columns in tooltips."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            hit = self._hit(event.pos())
            transcript = self._view.transcript
            if hit is None or transcript is None:
                QToolTip.hideText()
                event.ignore()
                return True
            number, column = hit
            segment = transcript.segments[number]
            text = (
                f"Play from {format_time(segment.start_ms)} (segment {number + 1})"
                if column == "time"
                else f"Speaker: {segment.speaker}. Click to rename, merge or change it."
            )
            QToolTip.showText(event.globalPos(), text, self)
            return True
        return super().event(event)

    def _hit(self, point: QPoint) -> tuple[int, str] | None:
        """The block number and column ("time" or "speaker") under ``point``, if any."""
        transcript = self._view.transcript
        if transcript is None:
            return None
        for block, top, height in self._view.visible_blocks():
            if top <= point.y() < top + height:
                number = block.blockNumber()
                if number >= len(transcript.segments):
                    return None
                line_height = block.layout().lineAt(0).height() if block.layout() else height
                if point.y() >= top + line_height:
                    return None  # beside the wrapped lines: nothing is drawn there
                if point.x() < _PAD + self._time_width + _PAD // 2:
                    return number, "time"
                if _is_turn(transcript.segments, number) and point.x() < self.total_width():
                    return number, "speaker"
                return None
        return None

    def _time_font(self) -> QFont:
        font = QFont(self._view.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setFeature(QFont.Tag("tnum"), 1)  # digits of one width: the times line up
        return font

    def _speaker_font(self) -> QFont:
        font = self._time_font()
        font.setWeight(QFont.Weight.DemiBold)
        return font

    def area(self) -> QRect:
        """Where the gutter goes in its view (left of the viewport, full height)."""
        rect = self._view.contentsRect()
        return QRect(rect.left(), rect.top(), self.total_width(), rect.height())


def _is_turn(segments: Sequence[Segment], number: int) -> bool:
    """Whether segment ``number`` has a speaker who did not speak the segment before."""
    speaker = segments[number].speaker
    return speaker is not None and (number == 0 or segments[number - 1].speaker != speaker)
