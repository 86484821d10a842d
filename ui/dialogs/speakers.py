"""The speaker questions: Set Speaker (who speaks in these segments), Rename and Merge Speakers.

The edits themselves are `editor.commands` pushed by `ui.transcript.speakers`.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

__all__ = ["MergeSpeakersDialog", "RenameSpeakerDialog", "SpeakerDialog"]


class SpeakerDialog(QDialog):
    """Asks for a speaker name: one of the transcript's speakers or a new one."""

    def __init__(
        self, speakers: tuple[str, ...], current: str | None, count: int, parent: QWidget | None
    ) -> None:
        """Offer ``speakers``, starting from ``current``, for ``count`` segments."""
        super().__init__(parent)
        self.setWindowTitle("Set Speaker")
        self.combo = QComboBox(self)
        self.combo.setEditable(True)
        self.combo.addItems(list(speakers))
        self.combo.setCurrentText(current or "")
        editor = self.combo.lineEdit()
        if editor is not None:
            editor.setPlaceholderText("Name (empty: no speaker)")
        self.combo.setMinimumWidth(240)
        what = "this segment" if count == 1 else f"these {count} segments"
        _form(self, f"Who speaks in {what}?", [("Speaker:", self.combo)])

    def speaker(self) -> str | None:
        """The chosen name (None to remove the speaker)."""
        return self.combo.currentText().strip() or None


class RenameSpeakerDialog(QDialog):
    """Asks which speaker to rename, and to what."""

    def __init__(self, speakers: tuple[str, ...], current: str | None, parent: QWidget | None):
        """Offer ``speakers``, starting from ``current``."""
        super().__init__(parent)
        self.setWindowTitle("Rename Speaker")
        self.old = QComboBox(self)
        self.old.addItems(list(speakers))
        if current in speakers:
            self.old.setCurrentText(current)
        self.new = QLineEdit(self)
        self.new.setPlaceholderText("New name")
        self.new.setText(self.old.currentText())
        self.new.selectAll()
        self.old.currentTextChanged.connect(self.new.setText)
        _form(
            self,
            "Renames the speaker in every segment. A name already used merges the two.",
            [("Speaker:", self.old), ("New name:", self.new)],
        )

    def names(self) -> tuple[str, str]:
        """The (old, new) names."""
        return self.old.currentText(), self.new.text().strip()


class MergeSpeakersDialog(QDialog):
    """Asks which speaker is the same person as which other ("these two are one")."""

    def __init__(self, speakers: tuple[str, ...], current: str | None, parent: QWidget | None):
        """Offer ``speakers``; ``current`` is the one that disappears, by default."""
        super().__init__(parent)
        self.setWindowTitle("Merge Speakers")
        self.source = QComboBox(self)
        self.source.addItems(list(speakers))
        if current in speakers:
            self.source.setCurrentText(current)
        self.target = QComboBox(self)
        self.target.addItems(list(speakers))
        self.target.setCurrentIndex(1 if self.source.currentIndex() == 0 else 0)
        _form(
            self,
            "Every segment of the first speaker goes to the second; the text stays as it is.",
            [("Merge:", self.source), ("Into:", self.target)],
        )

    def names(self) -> tuple[str, str]:
        """The (source, target) names: source disappears."""
        return self.source.currentText(), self.target.currentText()


def _form(dialog: QDialog, intro: str, rows: list[tuple[str, QWidget]]) -> None:
    """Lay out a small dialog: an explanation, labelled fields, OK and Cancel."""
    layout = QFormLayout(dialog)
    label = QLabel(intro, dialog)
    label.setWordWrap(True)
    layout.addRow(label)
    for text, field in rows:
        layout.addRow(text, field)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addRow(buttons)
