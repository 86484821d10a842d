"""`Questions` answered with message boxes and file pickers: what the app uses.

Each method is the dialog the app showed before the question moved behind `Questions`; tests
never reach this module (they pass a fake), so it stays a thin layer over Qt.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from editor.autosave import RecoveryCandidate
from ui.dialogs.import_subtitles import import_subtitles_dialog
from ui.dialogs.recovery import RecoveryDialog
from ui.files.project_io import PROJECT_SUFFIX
from ui.files.questions import RecoveryChoice, SaveChoice
from ui.queue.item_model import MEDIA_EXTENSIONS

__all__ = ["DialogQuestions"]

PROJECT_FILTER = f"Transcript projects (*{PROJECT_SUFFIX});;All files (*)"
MEDIA_FILTER = f"Audio and video ({' '.join(f'*.{e}' for e in sorted(MEDIA_EXTENSIONS))})"
_Button = QMessageBox.StandardButton


class DialogQuestions:
    """Asks through modal dialogs over ``parent`` (the main window)."""

    def __init__(self, parent: QWidget | None) -> None:
        """Dialogs belong to ``parent``."""
        self._parent = parent

    def tell(self, title: str, text: str) -> None:
        """A warning box."""
        QMessageBox.warning(self._parent, title, text)

    def confirm(self, title: str, text: str) -> bool:
        """Yes / No, No by default."""
        answer = QMessageBox.question(
            self._parent, title, text, _Button.Yes | _Button.No, _Button.No
        )
        return answer == _Button.Yes

    def save_changes(self, text: str) -> SaveChoice:
        """Save / Discard / Cancel, Save by default."""
        buttons = _Button.Save | _Button.Discard | _Button.Cancel
        answer = QMessageBox.question(self._parent, "Unsaved changes", text, buttons, _Button.Save)
        if answer == _Button.Save:
            return SaveChoice.SAVE
        return SaveChoice.DISCARD if answer == _Button.Discard else SaveChoice.CANCEL

    def project_to_save(self, suggested: Path | None) -> Path | None:
        """The save dialog; a name without a suffix gets the project suffix."""
        path, _ = QFileDialog.getSaveFileName(
            self._parent, "Save project", str(suggested or ""), PROJECT_FILTER
        )
        if not path:
            return None
        target = Path(path)
        return target if target.suffix else target.with_suffix(PROJECT_SUFFIX)

    def project_to_open(self) -> Path | None:
        """File > Open Project's picker."""
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open project", "", PROJECT_FILTER)
        return Path(path) if path else None

    def media_to_open(self) -> list[Path]:
        """File > Open Media's picker (several files)."""
        filters = f"{MEDIA_FILTER};;All files (*)"
        paths, _ = QFileDialog.getOpenFileNames(self._parent, "Open recordings", "", filters)
        return [Path(p) for p in paths]

    def subtitles_to_import(self) -> tuple[Path, Path | None] | None:
        """File > Import Subtitles: the subtitle file, then its recording."""
        return import_subtitles_dialog(self._parent)

    def locate_media(self, missing: Path) -> Path | None:
        """Say the recording is missing; offer to locate it."""
        name = missing.name
        box = QMessageBox(self._parent)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Recording not found")
        box.setText(f"The recording {name} is not where the project says:\n{missing}")
        box.setInformativeText("Locate it to play it with the transcript.")
        locate = box.addButton("Locate…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Open without it", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not locate:
            return None
        path, _ = QFileDialog.getOpenFileName(
            self._parent, f"Locate {name}", str(missing.parent), f"{name};;All files (*)"
        )
        return Path(path) if path else None

    def audio_clip_to_save(self, suggested: Path) -> Path | None:
        """A save dialog offering the audio formats of `editor.audio_clip`."""
        from editor.audio_clip import AUDIO_FORMATS

        filters = ";;".join(f"{f.name} (*.{f.extension})" for f in AUDIO_FORMATS)
        path, chosen = QFileDialog.getSaveFileName(
            self._parent, "Export Selection as Audio", str(suggested), filters
        )
        if not path:
            return None
        target = Path(path)
        if not target.suffix:  # the filter's format when the name has none
            ext = next((f.extension for f in AUDIO_FORMATS if f.name in chosen), "wav")
            target = target.with_suffix(f".{ext}")
        return target

    def recovery(
        self, candidates: list[RecoveryCandidate]
    ) -> tuple[RecoveryChoice, list[RecoveryCandidate]]:
        """The recovery dialog."""
        dialog = RecoveryDialog(candidates, self._parent)
        dialog.exec()
        return dialog.choice, dialog.checked()
