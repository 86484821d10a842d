"""A banner above the transcript: the English-only model probably misheard this recording.

Non-modal on purpose (issue 17): the transcript stays usable, the warning stays next to it until
dismissed, and one button opens Transcription Settings to choose a multilingual model.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

__all__ = ["LanguageBanner"]


class LanguageBanner(QFrame):
    """Shows one row's language warning; hidden when the row shown has none.

    Signals:
        choose_model(): the person wants to pick another model (open Transcription Settings).
        dismissed(int item_id): the person closed the warning of that row.
    """

    choose_model = Signal()
    dismissed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        """A hidden banner."""
        super().__init__(parent)
        self.setObjectName("languageBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._item_id: int | None = None
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning.pixmap(size))
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.choose = QPushButton("Choose a Multilingual Model…", self)
        self.choose.clicked.connect(self.choose_model)
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.clicked.connect(self._dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.choose)
        layout.addWidget(self.close_button)
        self.hide()

    def show_message(self, item_id: int | None, message: str | None) -> None:
        """Show ``message`` for row ``item_id``, or hide the banner when it is None."""
        self._item_id = item_id
        if message is None or item_id is None:
            self.hide()
            return
        self.text.setText(message)
        self.show()

    def _dismiss(self) -> None:
        self.hide()
        if self._item_id is not None:
            self.dismissed.emit(self._item_id)
