"""The subtitle drawn over the picture: white letters with a dark edge and a soft shadow.

An item of the video pane's scene, above the `QGraphicsVideoItem`: a graphics scene paints its
items in order on one surface, so the text always lands on the picture, where a widget over a
`QVideoWidget` may be painted over by the video's native window. The text is turned into
outlines once per cue and per picture size (`set_lines`, `set_picture`), not on every paint.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ui.video.geometry import Rect, SubtitleLook, subtitle_look

__all__ = ["SubtitleItem"]

_PROBE_PX = 100  # lines are measured in this size, then scaled (text width grows linearly)
_SHADOW = QColor(0, 0, 0, 110)
_EDGE = QColor(0, 0, 0)
_FILL = QColor(255, 255, 255)


class SubtitleItem(QGraphicsItem):
    """The current cue's lines, centred near the bottom of the picture."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        """An empty subtitle over an empty picture."""
        super().__init__(parent)
        self._lines: tuple[str, ...] = ()
        self._picture = Rect(0, 0, 0, 0)
        self._path = QPainterPath()
        self._look: SubtitleLook | None = None
        self.setZValue(1)  # over the video item

    def lines(self) -> tuple[str, ...]:
        """The lines shown (empty: no subtitle)."""
        return self._lines

    def look(self) -> SubtitleLook | None:
        """The size and place of the text, None while nothing is shown."""
        return self._look

    def text_rect(self) -> QRectF:
        """Where the letters are (empty while nothing is shown)."""
        return self._path.boundingRect()

    def set_lines(self, lines: tuple[str, ...]) -> None:
        """Show ``lines`` (empty: nothing)."""
        if lines != self._lines:
            self._lines = lines
            self._rebuild()

    def set_picture(self, picture: Rect) -> None:
        """The picture moved or changed size: the text follows and scales with it."""
        if picture != self._picture:
            self.prepareGeometryChange()
            self._picture = picture
            self._rebuild()

    def boundingRect(self) -> QRectF:
        """The picture: the text never leaves it, and the shadow and edge fit inside too."""
        p = self._picture
        return QRectF(p.x, p.y, p.width, p.height)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Shadow, dark edge, then white letters."""
        if self._look is None or self._path.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        edge = self._look.outline_px
        painter.fillPath(self._path.translated(edge * 0.6, edge * 0.8), _SHADOW)
        pen = QPen(_EDGE, edge * 2)  # a stroke is centred on the outline: half of it inside
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.strokePath(self._path, pen)
        painter.fillPath(self._path, _FILL)

    def _rebuild(self) -> None:
        self.update()
        self._path = QPainterPath()
        self._look = None
        if not self._lines or self._picture.height <= 0:
            return
        font = QFont()
        font.setWeight(QFont.Weight.DemiBold)
        font.setPixelSize(_PROBE_PX)
        widest = max(QFontMetricsF(font).horizontalAdvance(line) for line in self._lines)
        self._look = look = subtitle_look(self._picture, widest / _PROBE_PX)
        font.setPixelSize(look.font_px)
        metrics = QFontMetricsF(font)
        baseline = look.bottom - metrics.descent()
        for line in reversed(self._lines):  # from the bottom line up, as subtitles stack
            x = self._picture.center_x - metrics.horizontalAdvance(line) / 2
            self._path.addText(QPointF(x, baseline), font, line)
            baseline -= metrics.lineSpacing()
        self.update()
