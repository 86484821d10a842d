"""The video pane: the picture, letterboxed on black, with the current subtitle over it.

A `QGraphicsView` holding a `QGraphicsVideoItem` and a `SubtitleItem` in one scene (see
`ui.video.subtitle_item` for why not a `QVideoWidget`). The pane only shows what it is given:
`ui.video.attach.VideoArea` tells it the cue, and `Playback.video` feeds `video_item`.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtMultimediaWidgets import QGraphicsVideoItem
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from editor.subtitles import Cue
from ui.video.geometry import Rect, fit_picture
from ui.video.subtitle_item import SubtitleItem

__all__ = ["MIN_HEIGHT", "VideoPane"]

MIN_HEIGHT = 90  # pixels: a picture still worth having, the transcript keeps the rest


class VideoPane(QGraphicsView):
    """The picture and its subtitle; see the module docstring.

    Attributes:
        video_item: Where the player draws the picture (`VideoFollower.set_output`).
        subtitle: The subtitle over it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty black pane."""
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.video_item = QGraphicsVideoItem()
        self.video_item.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        self.subtitle = SubtitleItem()
        self.scene().addItem(self.video_item)
        self.scene().addItem(self.subtitle)
        self.setBackgroundBrush(QColor(0, 0, 0))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the transcript
        self.setMinimumHeight(MIN_HEIGHT)
        self.setAccessibleName("Video")
        self.video_item.nativeSizeChanged.connect(lambda size: self._fit())
        self._fit()

    def show_cue(self, cue: Cue | None) -> None:
        """Show ``cue``'s lines over the picture (None: no subtitle)."""
        self.subtitle.set_lines(cue.lines if cue is not None else ())

    def picture_rect(self) -> Rect:
        """Where the picture is drawn in the pane (the whole pane before the first frame)."""
        native = self.video_item.nativeSize()
        box = Rect(0, 0, self.viewport().width(), self.viewport().height())
        return fit_picture(round(native.width()), round(native.height()), box)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the picture fitted to the pane."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width, height = self.viewport().width(), self.viewport().height()
        self.setSceneRect(QRectF(0, 0, width, height))
        self.video_item.setSize(QSizeF(width, height))  # the item letterboxes by itself
        self.subtitle.set_picture(self.picture_rect())
