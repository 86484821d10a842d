"""Model folders beside the catalogue: "Add Model Folder…" in Transcription Settings.

A folder of weights (an mlx-community conversion, or a snapshot already in the Hugging Face
cache under another name) used to be reachable only through ``--model DIR`` (issue 17). The
folder is checked when it is added, by the loader itself (`engine.models.resolve_model` without
downloading), so the person reads the same words a failed transcription would show, at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engine.errors import EngineError
from engine.models import resolve_model

__all__ = ["ModelFolderList", "check_model_folder", "is_model_folder"]

log = logging.getLogger(__name__)

#: Asks for a folder (tests replace it); returns None when the person cancels.
FolderPicker = Callable[[QWidget], str | None]


def is_model_folder(name: str) -> bool:
    """Whether a model setting names a folder (rather than a catalogue name or repository)."""
    return bool(name) and Path(name).expanduser().is_dir()


def check_model_folder(folder: str) -> str | None:
    """Why ``folder`` cannot be used as a model, in the loader's words; None when it can."""
    try:
        resolve_model(Path(folder).expanduser(), allow_download=False)
    except EngineError as e:
        text = str(e).rstrip(".")
        return f"{text[:1].upper()}{text[1:]}."
    return None


def _ask_folder(parent: QWidget) -> str | None:
    chosen = QFileDialog.getExistingDirectory(parent, "Choose a model folder", QDir.homePath())
    return chosen or None


class ModelFolderList(QWidget):
    """The model folders the person added, with Add Model Folder… and Remove.

    Signals:
        chosen(str): A folder was selected (or just added and checked).
    """

    chosen = Signal(str)

    def __init__(
        self,
        folders: Iterable[str],
        parent: QWidget | None = None,
        pick_folder: FolderPicker | None = None,
    ) -> None:
        """List ``folders`` (duplicates dropped); ``pick_folder`` asks for a new one."""
        super().__init__(parent)
        self._pick = pick_folder or _ask_folder
        self._list = QListWidget(self)
        self._list.setToolTip("Model folders on this computer, usable like the catalogue")
        self._list.setMaximumHeight(self._list.fontMetrics().height() * 4 + 8)
        self.add_button = QPushButton("Add Model &Folder…", self)
        self.add_button.setToolTip(
            "Use a folder of MLX Whisper weights (config.json and weights.safetensors)"
        )
        self.remove_button = QPushButton("Remove from List", self)
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet("color: #c62828")
        self.error.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._list)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        for folder in folders:
            self._add_item(folder)
        self.add_button.clicked.connect(self.ask_add)
        self.remove_button.clicked.connect(self._remove_selected)
        self._list.currentItemChanged.connect(self._on_current)
        self._update()

    def folders(self) -> tuple[str, ...]:
        """The folders listed, in order."""
        return tuple(
            self._list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self._list.count())
        )

    def select(self, folder: str | None) -> bool:
        """Select ``folder`` (None: clear the selection); False when it is not listed."""
        row = self._row_of(folder) if folder else None
        self._list.blockSignals(True)
        self._list.setCurrentRow(-1 if row is None else row)
        if row is None:
            self._list.clearSelection()
        self._list.blockSignals(False)
        self._update()
        return row is not None

    def ask_add(self) -> bool:
        """Ask for a folder, check it and list it; False when cancelled or unusable."""
        folder = self._pick(self)
        if folder is None:
            return False
        return self.add(folder)

    def add(self, folder: str) -> bool:
        """Check ``folder`` as the loader would and list and choose it; False if unusable."""
        folder = str(Path(folder).expanduser())
        problem = check_model_folder(folder)
        if problem is not None:
            log.info("model folder %s refused: %s", folder, problem)
            self.error.setText(f"That folder cannot be used: {problem}")
            self.error.show()
            return False
        self.error.hide()
        self._add_item(folder)
        row = self._row_of(folder)
        if row == self._list.currentRow():
            self.chosen.emit(folder)  # already selected: choose it again all the same
        else:
            self._list.setCurrentRow(-1 if row is None else row)  # -> chosen
        return True

    # -- internals -----------------------------------------------------------------------------
    def _add_item(self, folder: str) -> None:
        if self._row_of(folder) is not None:
            return
        item = QListWidgetItem(f"{Path(folder).name}  —  {folder}")
        item.setData(Qt.ItemDataRole.UserRole, folder)
        item.setToolTip(folder)
        self._list.addItem(item)

    def _row_of(self, folder: str) -> int | None:
        return next((i for i, f in enumerate(self.folders()) if f == folder), None)

    def _on_current(self, current: QListWidgetItem | None, _previous: object) -> None:
        self._update()
        if current is not None:
            self.error.hide()
            self.chosen.emit(current.data(Qt.ItemDataRole.UserRole))

    def _remove_selected(self) -> None:
        row = self._list.currentRow()
        if row >= 0:
            self._list.blockSignals(True)
            self._list.takeItem(row)
            self._list.setCurrentRow(-1)
            self._list.blockSignals(False)
        self._update()

    def _update(self) -> None:
        self._list.setVisible(self._list.count() > 0)
        self.remove_button.setEnabled(self._list.currentRow() >= 0)
