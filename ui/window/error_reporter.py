"""Unexpected errors in words: a dialog on the GUI thread, whichever thread failed.

`ui.app` installs hooks that log an uncaught exception and call `ErrorReporter.report`; the
reporter hands the message to the GUI thread through a queued signal and shows it, one dialog at
a time, so the app keeps running. `qt_message_handler` sends Qt's own warnings to logging.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from PySide6.QtCore import QMessageLogContext, QObject, QtMsgType, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

__all__ = ["ErrorReporter", "qt_message_handler"]

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


class ErrorReporter(QObject):
    """Shows unexpected errors in a dialog on the GUI thread."""

    _reported = Signal(str, str)
    _instance: ClassVar[ErrorReporter | None] = None

    def __init__(self) -> None:
        """Use `instance` (the reporter must be made on the GUI thread)."""
        super().__init__()
        self._showing = False
        self.shown: list[str] = []
        self._reported.connect(self._show)

    @classmethod
    def instance(cls) -> ErrorReporter:
        """The app's reporter (made on first use, which must be on the GUI thread)."""
        if cls._instance is None:
            cls._instance = ErrorReporter()
        return cls._instance

    def report(self, summary: str, details: str) -> None:
        """Show ``summary`` (with ``details`` behind a button); callable from any thread."""
        self._reported.emit(summary, details)

    def _show(self, summary: str, details: str) -> None:
        self.shown.append(summary)
        if self._showing or QApplication.instance() is None:
            return  # one dialog at a time: the rest is in the log
        self._showing = True
        try:
            box = QMessageBox(QApplication.activeWindow())
            box.setIcon(QMessageBox.Icon.Critical)
            box.setWindowTitle("Unexpected error")
            box.setText("Something went wrong, but your work is still open.")
            box.setInformativeText(
                f"{summary}\n\nSave your work; if it happens again, the log file has the details."
            )
            box.setDetailedText(details)
            box.exec()
        finally:
            self._showing = False


def qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Send Qt's messages to the ``qt`` logger at the matching level."""
    qt_log.log(_LEVELS.get(mode, logging.WARNING), "%s", message)
