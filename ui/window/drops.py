"""Files dropped anywhere on the window: one event filter for the window and its children.

Widgets that take drops themselves (a text view would insert the file names) are watched too;
drags that start inside the app (moving text or rows) have a source and are left alone.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QWidget

__all__ = ["FileDropFilter", "local_paths"]

log = logging.getLogger(__name__)

_DRAG_EVENTS = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)


class FileDropFilter(QObject):
    """Accepts local files dragged from outside the app over the watched widgets.

    Signals:
        dropped(list[Path]): files were dropped (emitted after the drop event returns, so a
            dialog opened in response does not run inside the drag and drop).
    """

    dropped = Signal(list)

    def watch(self, widget: QWidget) -> None:
        """Take file drops over ``widget`` (and let it accept them)."""
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Accept drags of local files from outside; emit `dropped` on a drop."""
        if event.type() not in _DRAG_EVENTS or not isinstance(event, QDropEvent):
            return super().eventFilter(watched, event)
        paths = local_paths(event)
        if not paths or event.source() is not None:
            return super().eventFilter(watched, event)
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            log.debug("dropped %d file(s)", len(paths))
            QTimer.singleShot(0, self, lambda: self.dropped.emit(paths))
        return True


def local_paths(event: QDropEvent) -> list[Path]:
    """The local files a drag carries."""
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
