"""Keyboard focus goes back to the transcript when a dialog closes.

Window managers usually give focus back to the window a dialog came from, but not always to the
widget that had it, and without a window manager nothing does: after Export or Settings the
keys went nowhere (issue 17). `DialogFocusReturn` watches dialogs over the window hide and,
once no other modal window is open, activates the window and focuses the transcript.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

__all__ = ["DialogFocusReturn"]

log = logging.getLogger(__name__)


class DialogFocusReturn(QObject):
    """Focuses ``target`` in ``window`` whenever a dialog over ``window`` closes."""

    def __init__(self, window: QWidget, target: QWidget) -> None:
        """Watch the dialogs made over ``window`` (its direct children, as Qt parents them)."""
        super().__init__(window)
        self._window = window
        self._target = target
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Watch each new dialog; when one hides, give focus back once the event loop runs."""
        kind = event.type()
        if watched is self._window and kind == QEvent.Type.ChildPolished:
            child = event.child()  # type: ignore[attr-defined]  # polished: fully built
            if isinstance(child, QDialog):
                child.installEventFilter(self)
        elif kind == QEvent.Type.Hide and isinstance(watched, QDialog):
            # After the hide: Qt moves focus itself first, and nested dialogs close in turn.
            QTimer.singleShot(0, self._restore)
        return False

    def _restore(self) -> None:
        if QApplication.activeModalWidget() is not None or not self._window.isVisible():
            return
        self._window.activateWindow()
        self._target.setFocus()
        log.debug("focus back on the transcript after a dialog")
