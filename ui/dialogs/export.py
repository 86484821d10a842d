"""File > Export: choose a format and its options, see a preview, write the file.

The preview renders only the first few segments through the real writer, so it is cheap and
shows exactly what the file will hold. The transcript is asked for (``transcript_provider``)
for every preview and again at export time, so the file always holds the current document.
Writing goes through `editor.writers.export_to_path` (atomic: an existing file is replaced
only once the new one is complete). In the app the window writes it in the background
(``start_export``); used alone, the dialog writes it and an `ExportError` is shown in words with
the dialog still open so the person can pick another folder.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import QDir
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from editor.errors import ExportError
from editor.subtitles import PRESETS
from editor.transcript import Transcript
from editor.writers import WRITERS, ExportOptions, export_to_path, get_writer
from ui.settings import AppSettings, to_export_options

__all__ = ["PREVIEW_ITEMS", "ExportDialog", "StartExport", "export_failed_text"]

log = logging.getLogger(__name__)

#: Starts writing a transcript snapshot to a file as a format with options.
StartExport = Callable[[Transcript, Path, str, ExportOptions], None]

#: Cues (subtitles) or paragraphs/lines (text, JSON) shown in the preview.
PREVIEW_ITEMS: Final = 8
_PREVIEW_JSON_LINES: Final = 60
_PARAGRAPHS: Final = (
    ("segment", "One per line of the transcript"),
    ("speaker", "One per speaker turn"),
    ("pause", "A new one after each pause"),
)
_PRESET_LABELS: Final = {
    "strict": "Strict: slow reading, short lines",
    "netflix": "Standard: Netflix's rules",
    "lenient": "Lenient: fast reading, long lines",
}


def _preview_text(transcript: Transcript, fmt: str, settings: AppSettings) -> str:
    """The start of the file that would be written (only the first segments are rendered).

    In JSON the top-level "text" then joins only those segments; the segments are exact.
    """
    if not transcript.segments:
        return "(The transcript is empty.)"
    head = dataclasses.replace(transcript, segments=transcript.segments[: PREVIEW_ITEMS + 1])
    buffer = io.StringIO()
    get_writer(fmt).write(head, buffer, to_export_options(settings))
    text = buffer.getvalue()
    if fmt in ("srt", "vtt", "txt"):
        blocks = text.rstrip("\n").split("\n\n")
        header = 1 if fmt == "vtt" else 0
        shown = blocks[: header + PREVIEW_ITEMS]
        more = len(blocks) > len(shown) or len(transcript.segments) > len(head.segments)
    else:
        lines = text.splitlines()
        shown, more = ["\n".join(lines[:_PREVIEW_JSON_LINES])], len(lines) > _PREVIEW_JSON_LINES
        more = more or len(transcript.segments) > len(head.segments)
    return "\n\n".join(shown) + ("\n\n…" if more else "")


class ExportDialog(QDialog):
    """Export the current transcript as SRT, WebVTT, plain text or Whisper JSON.

    After ``exec()`` returns Accepted, `exported_path` is the file written and
    `settings` the export choices to remember.
    """

    def __init__(
        self,
        transcript_provider: Callable[[], Transcript],
        settings: AppSettings,
        parent: QWidget | None = None,
        start_export: StartExport | None = None,
    ) -> None:
        """Show ``settings``' export choices; ``transcript_provider`` gives the current document.

        With ``start_export``, Export hands it the snapshot, the file, the format and the
        options and closes at once: the caller writes in the background and reports errors
        (issue 17, item 10). Without it the dialog writes the file itself and stays open when
        that fails.
        """
        super().__init__(parent)
        self.setWindowTitle("Export transcript")
        self._provider = transcript_provider
        self._start_export = start_export
        self._settings = settings
        self._exported: Path | None = None
        self._confirmed: Path | None = None  # chosen in a file dialog, which asked already
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_format(settings))
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_subtitles(settings))
        self._pages.addWidget(self._build_text(settings))
        json_note = QLabel("Whisper's JSON layout: segments with word times and confidence.")
        json_note.setWordWrap(True)
        self._pages.addWidget(json_note)
        layout.addWidget(self._pages)
        self._preview = QPlainTextEdit(self)
        self._preview.setReadOnly(True)
        self._preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        preview_box = QGroupBox("Preview", self)
        QVBoxLayout(preview_box).addWidget(self._preview)
        layout.addWidget(preview_box, 1)
        layout.addLayout(self._build_destination())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self._export = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self._export.setDefault(True)
        buttons.accepted.connect(self._on_export)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._path.setText(str(self._default_path(self.format())))
        self._on_format()
        self.resize(640, 620)

    # -- building ------------------------------------------------------------------------------
    def _build_format(self, settings: AppSettings) -> QFormLayout:
        self._format = QComboBox(self)
        for ext, writer in WRITERS.items():
            self._format.addItem(f"{writer.name} (.{ext})", ext)
        self._format.setCurrentIndex(max(self._format.findData(settings.last_export_format), 0))
        self._format.currentIndexChanged.connect(self._on_format)
        form = QFormLayout()
        form.addRow("&Format:", self._format)
        return form

    def _build_subtitles(self, settings: AppSettings) -> QGroupBox:
        box = QGroupBox("Subtitles", self)
        self._preset = QComboBox(box)
        for name, options in PRESETS.items():
            label = _PRESET_LABELS.get(name, name.title())
            self._preset.addItem(f"{label} ({options.max_cps:g} characters/s)", name)
        self._preset.setCurrentIndex(max(self._preset.findData(settings.subtitle_preset), 0))
        self._preset.activated.connect(self._on_preset)
        self._chars = QSpinBox(box)
        self._chars.setRange(10, 200)
        self._chars.setValue(settings.max_chars_per_line)
        self._chars.setSuffix(" characters")
        self._lines = QSpinBox(box)
        self._lines.setRange(1, 5)
        self._lines.setValue(settings.max_lines)
        self._speakers = QCheckBox("Name the speakers", box)
        self._speakers.setChecked(settings.include_speakers)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Reading &speed:", self._preset)
        form.addRow("&Line length:", self._chars)
        form.addRow("Lines per &cue:", self._lines)
        form.addRow(self._speakers)
        self._preset.currentIndexChanged.connect(self._update_preview)
        self._chars.valueChanged.connect(self._update_preview)
        self._lines.valueChanged.connect(self._update_preview)
        self._speakers.toggled.connect(self._update_preview)
        return box

    def _build_text(self, settings: AppSettings) -> QGroupBox:
        box = QGroupBox("Plain text", self)
        self._paragraphs = QComboBox(box)
        for mode, label in _PARAGRAPHS:
            self._paragraphs.addItem(label, mode)
        self._paragraphs.setCurrentIndex(max(self._paragraphs.findData(settings.txt_paragraphs), 0))
        self._times = QCheckBox("Start each paragraph with its time", box)
        self._times.setChecked(settings.txt_timestamps)
        self._names = QCheckBox("Start each paragraph with the speaker's name", box)
        self._names.setChecked(settings.txt_speakers)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("&Paragraphs:", self._paragraphs)
        form.addRow(self._times)
        form.addRow(self._names)
        self._paragraphs.currentIndexChanged.connect(self._update_preview)
        self._times.toggled.connect(self._update_preview)
        self._names.toggled.connect(self._update_preview)
        return box

    def _build_destination(self) -> QHBoxLayout:
        self._path = QLineEdit(self)
        self._path.setClearButtonEnabled(True)
        self._path.textEdited.connect(lambda _text: setattr(self, "_confirmed", None))
        browse = QPushButton("&Browse…", self)
        browse.clicked.connect(self._browse)
        label = QLabel("&Save as:", self)
        label.setBuddy(self._path)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self._path, 1)
        row.addWidget(browse)
        return row

    # -- results -------------------------------------------------------------------------------
    def format(self) -> str:
        """The chosen format ("srt", "vtt", "txt" or "json")."""
        return str(self._format.currentData())

    def destination(self) -> Path:
        """The file to write, with the format's extension when none was typed."""
        path = Path(self._path.text().strip()).expanduser()
        return path if path.suffix else path.with_name(f"{path.name}.{self.format()}")

    def exported_path(self) -> Path | None:
        """The file written, once the export succeeded."""
        return self._exported

    def settings(self) -> AppSettings:
        """The settings given, with the export choices made here (to remember them)."""
        folder = str(self.destination().parent) if self._path.text().strip() else None
        return dataclasses.replace(
            self._settings,
            last_export_format=self.format(),
            last_export_folder=folder or self._settings.last_export_folder,
            subtitle_preset=str(self._preset.currentData()),
            max_chars_per_line=self._chars.value(),
            max_lines=self._lines.value(),
            include_speakers=self._speakers.isChecked(),
            txt_paragraphs=self._paragraphs.currentData(),
            txt_timestamps=self._times.isChecked(),
            txt_speakers=self._names.isChecked(),
        )

    # -- behaviour -----------------------------------------------------------------------------
    def _default_path(self, fmt: str) -> Path:
        """Named after the media: in the last export folder, else beside the media, else home.

        Only a folder that can be written counts: a recording on a read-only disk must not
        make the export fail (issue 17).
        """
        media = self._provider().media
        stem = Path(media.path).stem if media is not None else "transcript"
        candidates = (
            self._settings.last_export_folder,
            str(Path(media.path).parent) if media is not None else None,
        )
        folder = next((f for f in candidates if f and _writable_folder(f)), QDir.homePath())
        return Path(folder) / f"{stem}.{fmt}"

    def _on_format(self) -> None:
        fmt = self.format()
        self._pages.setCurrentIndex({"srt": 0, "vtt": 0, "txt": 1}.get(fmt, 2))
        self._speakers.setText(
            "Name the speakers (voice tags)" if fmt == "vtt" else "Name the speakers"
        )
        text = self._path.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower().lstrip(".") in WRITERS or not path.suffix:
                self._path.setText(str(path.with_suffix(f".{fmt}")))
                self._confirmed = None
        self._update_preview()

    def _on_preset(self, index: int) -> None:
        self._chars.setValue(PRESETS[self._preset.itemData(index)].max_chars_per_line)

    def _update_preview(self) -> None:
        try:
            text = _preview_text(self._provider(), self.format(), self.settings())
        except ExportError as e:
            text = f"(No preview: {e})"
        self._preview.setPlainText(text)

    def _browse(self) -> None:
        fmt = self.format()
        name = f"{WRITERS[fmt].name} (*.{fmt})"
        chosen, _filter = QFileDialog.getSaveFileName(self, "Export as", self._path.text(), name)
        if chosen:
            self._path.setText(chosen)
            self._confirmed = self.destination()  # the file dialog asked about overwriting

    def _on_export(self) -> None:
        if not self._path.text().strip():
            QMessageBox.warning(self, "Export", "Choose where to save the file.")
            return
        path = self.destination()
        if path.is_dir():
            QMessageBox.warning(self, "Export", f"{path} is a folder: add a file name.")
            return
        if path.exists() and path != self._confirmed:
            answer = QMessageBox.question(
                self,
                "Replace file?",
                f"{path.name} already exists in {path.parent}. Replace it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        options = to_export_options(self.settings())
        if self._start_export is not None:
            # The snapshot is taken now; the writing goes on after the dialog closed.
            self._start_export(self._provider(), path, self.format(), options)
            self._exported = path
            self.accept()
            return
        try:
            export_to_path(self._provider(), path, self.format(), options)
        except ExportError as e:
            log.warning("Export to %s failed: %s", path, e)
            QMessageBox.warning(self, "Export failed", export_failed_text(e))
            return
        log.info("Exported %s", path)
        self._exported = path
        self.accept()


def export_failed_text(error: Exception) -> str:
    """What the person reads when an export failed (here or after a background write)."""
    return f"The transcript was not exported. {error}"


def _writable_folder(folder: str) -> bool:
    return Path(folder).is_dir() and os.access(folder, os.W_OK)
