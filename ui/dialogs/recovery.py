"""On start: autosaved work newer than its project, to Recover, Discard or decide Later."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from editor.autosave import RecoveryCandidate
from ui.files.questions import RecoveryChoice

__all__ = ["RecoveryDialog", "age_in_words"]


class RecoveryDialog(QDialog):
    """Lists autosaves newer than their projects: Recover, Discard, or decide Later."""

    def __init__(self, candidates: list[RecoveryCandidate], parent: QWidget | None = None) -> None:
        """Show ``candidates`` (all checked)."""
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved work")
        self.choice = RecoveryChoice.LATER
        intro = QLabel(
            "Transcript Editor closed before this work was saved. "
            "Recover it now, discard it, or decide later."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        # Long names and paths wrap instead of being cut at the dialog's edge (issue 17); the
        # tooltip repeats the whole line.
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        for candidate in candidates:
            text = _describe(candidate)
            item = QListWidgetItem(text)
            item.setToolTip(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            item.setData(Qt.ItemDataRole.UserRole, candidate)
            self.list.addItem(item)
        buttons = QDialogButtonBox()
        recover = buttons.addButton("Recover", QDialogButtonBox.ButtonRole.AcceptRole)
        discard = buttons.addButton("Discard", QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("Later", QDialogButtonBox.ButtonRole.RejectRole)
        recover.setDefault(True)
        recover.clicked.connect(lambda: self._choose(RecoveryChoice.RECOVER))
        discard.clicked.connect(lambda: self._choose(RecoveryChoice.DISCARD))
        later.clicked.connect(lambda: self._choose(RecoveryChoice.LATER))
        self.buttons = {
            RecoveryChoice.RECOVER: recover,
            RecoveryChoice.DISCARD: discard,
            RecoveryChoice.LATER: later,
        }
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(520, 280)

    def checked(self) -> list[RecoveryCandidate]:
        """The candidates left checked."""
        items = (self.list.item(i) for i in range(self.list.count()))
        return [
            it.data(Qt.ItemDataRole.UserRole)
            for it in items
            if it.checkState() == Qt.CheckState.Checked
        ]

    def _choose(self, choice: RecoveryChoice) -> None:
        self.choice = choice
        self.done(QDialog.DialogCode.Accepted if choice is not RecoveryChoice.LATER else 0)


def _describe(c: RecoveryCandidate) -> str:
    name = (c.project_path or Path(c.media_path or c.autosave_path)).name
    where = f"project {c.project_path}" if c.project_path else "never saved as a project"
    return f"{name} — {c.word_count} words, autosaved {age_in_words(c.saved_at)} ({where})"


def age_in_words(when: datetime) -> str:
    """How long ago, roughly ("5 min ago")."""
    seconds = max((datetime.now(UTC) - when).total_seconds(), 0)
    if seconds < 90:
        return "just now"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.0f} h ago"
