"""Transcription > Settings: the model catalogue, downloads, language, task and decoding options.

The catalogue is a table (`ModelTableModel`) with what matters for choosing: download size,
languages, speed and quality, and whether the model is already on this computer. A model can be
downloaded from here with progress and cancel (`ui.queue.model_download`); one that is not
downloaded is fetched when it is first used anyway. English-only models lock the language to
English and cannot translate.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Final

from PySide6.QtCore import (
    QItemSelection,
    QSize,
    Qt,
)
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.languages import LANGUAGES, language_name
from ui.dialogs.model_folders import ModelFolderList, is_model_folder
from ui.dialogs.model_table import ModelTableModel, size_text
from ui.queue.model_download import ModelDownloader, format_bytes
from ui.settings import SPEAKER_CHOICES, AppSettings, is_english_only

__all__ = ["TranscriptionSettingsDialog", "language_combo"]

log = logging.getLogger(__name__)

_PROGRESS_STEPS: Final = 1000
_MIN_ROWS: Final = 3  # catalogue rows always visible
_WIDTH: Final = 780  # px: room for the catalogue's columns
_HEIGHT: Final = 680  # px: under a 768 px screen less its menu bar and title bar


def language_combo(parent: QWidget) -> QComboBox:
    """Every language Whisper knows, by name, after "Detect automatically"; codes as item data."""
    combo = QComboBox(parent)
    combo.addItem("Detect automatically", None)
    for code in sorted(LANGUAGES, key=language_name):
        combo.addItem(f"{language_name(code)} ({code})", code)
    combo.setMaxVisibleItems(20)
    return combo


class TranscriptionSettingsDialog(QDialog):
    """Choose and download a model, and set how files are transcribed.

    Run it with ``exec()``; when accepted, `settings` returns the new settings.
    """

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        """Show ``settings``; the catalogue's download state is read from the cache."""
        super().__init__(parent)
        self.setWindowTitle("Transcription settings")
        self._initial = settings
        self._model_name = settings.model
        self._language = settings.language
        self._catalogue = ModelTableModel(parent=self)
        self._downloader = ModelDownloader(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_models(), 1)
        layout.addWidget(self._build_options(settings))
        layout.addWidget(self._build_advanced(settings))
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        layout.addWidget(self._buttons)
        self._downloader.progress.connect(self._on_progress)
        self._downloader.finished.connect(self._on_finished)
        self._downloader.failed.connect(self._on_failed)
        self._downloader.cancelled.connect(self._on_cancelled)
        self._select_model(settings.model)
        self.resize(self._fitting_size())

    def _fitting_size(self) -> QSize:
        """The preferred size, never larger than the screen's free area."""
        size = QSize(_WIDTH, max(_HEIGHT, self.minimumSizeHint().height()))
        screen = self.screen()
        if screen is not None:
            size = size.boundedTo(screen.availableGeometry().size())
        return size

    # -- building ------------------------------------------------------------------------------
    def _build_models(self) -> QGroupBox:
        box = QGroupBox("Model", self)
        self._table = QTableView(box)
        self._table.setModel(self._catalogue)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.verticalHeader().hide()
        self._table.setAlternatingRowColors(True)
        self._table.setShowGrid(False)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Three rows at least, not the whole catalogue: the dialog must fit a 1366x768 laptop
        # screen (issue 17); the table scrolls and grows with the dialog.
        rows = self._table.verticalHeader().defaultSectionSize()
        self._table.setMinimumHeight(header.sizeHint().height() + rows * _MIN_ROWS + 4)
        self._table.selectionModel().selectionChanged.connect(self._on_selection)
        # Folders beside the catalogue: the ones added before, and one given with --model.
        initial = self._initial
        own = (initial.model,) if is_model_folder(initial.model) else ()
        self._folders = ModelFolderList((*initial.model_folders, *own), box)
        self._folders.chosen.connect(self._on_folder)
        self._about = QLabel(box)
        self._about.setWordWrap(True)
        self._download = QPushButton("Download", box)
        self._download.clicked.connect(self._start_download)
        self._cancel = QPushButton("Cancel download", box)
        self._cancel.clicked.connect(self._downloader.cancel)
        self._bar = QProgressBar(box)
        self._bar.setRange(0, _PROGRESS_STEPS)
        self._status = QLabel(box)
        self._status.setWordWrap(True)
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self._download)
        row.addWidget(self._cancel)
        row.addWidget(self._bar, 1)
        row.addStretch(0)  # keeps the buttons at their size while the bar is hidden
        layout = QVBoxLayout(box)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._folders)
        layout.addWidget(self._about)
        layout.addLayout(row)
        layout.addWidget(self._status)
        self._show_idle()
        return box

    def _build_options(self, settings: AppSettings) -> QGroupBox:
        box = QGroupBox("Language and task", self)
        self._language_box = language_combo(box)
        self._language_box.setCurrentIndex(max(self._language_box.findData(settings.language), 0))
        self._language_box.activated.connect(
            lambda i: setattr(self, "_language", self._language_box.itemData(i))
        )
        self._task = QComboBox(box)
        self._task.addItem("Transcribe in the spoken language", "transcribe")
        self._task.addItem("Translate into English", "translate")
        self._task.setCurrentIndex(max(self._task.findData(settings.task), 0))
        self._prompt = QPlainTextEdit(settings.initial_prompt or "", box)
        self._prompt.setPlaceholderText(
            "Names, places and jargon the recording uses, spelled right"
        )
        self._prompt.setTabChangesFocus(True)
        self._prompt.setFixedHeight(self._prompt.fontMetrics().lineSpacing() * 3 + 12)
        form = QFormLayout(box)
        form.addRow("&Language:", self._language_box)
        form.addRow("&Task:", self._task)
        form.addRow("&Vocabulary:", self._prompt)
        self._speakers = _speakers_combo(box, settings.identify_speakers)
        form.addRow("Identify &speakers:", self._speakers)
        return box

    def _build_advanced(self, settings: AppSettings) -> QGroupBox:
        box = QGroupBox("Advanced", self)
        self._words = QCheckBox("Time every word (the transcript follows playback word by word)")
        self._words.setChecked(settings.word_timestamps)
        self._batch = QSpinBox(box)
        self._batch.setRange(0, 64)
        self._batch.setSpecialValueText("Automatic")
        self._batch.setValue(settings.batch_size or 0)
        self._batch.setToolTip("Chunks decoded together: more is faster but needs more memory")
        self._beam = QSpinBox(box)
        self._beam.setRange(1, 10)
        self._beam.setSpecialValueText("Off (fastest)")
        self._beam.setValue(settings.beam_size or 1)
        self._beam.setToolTip("Beam search tries several wordings: a little more accurate, slower")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(self._words)
        form.addRow("&Batch size:", self._batch)
        form.addRow("Beam &search:", self._beam)
        return box

    # -- results -------------------------------------------------------------------------------
    def settings(self) -> AppSettings:
        """The settings as chosen (the ones given, with this dialog's fields replaced)."""
        prompt = self._prompt.toPlainText().strip()
        english_only = is_english_only(self._model_name)
        return dataclasses.replace(
            self._initial,
            model=self._model_name,
            language="en" if english_only else self._language,
            task="transcribe" if english_only else self._task.currentData(),
            initial_prompt=prompt or None,
            model_folders=self._folders.folders(),
            word_timestamps=self._words.isChecked(),
            identify_speakers=self._speakers.currentData(),
            batch_size=self._batch.value() or None,
            beam_size=self._beam.value() if self._beam.value() > 1 else None,
        )

    def done(self, result: int) -> None:
        """Close; a running download is cancelled and its thread joined first."""
        if self._downloader.is_running():
            log.info("Closing the settings: cancelling the download")
        self._downloader.shutdown()
        super().done(result)

    # -- model choice --------------------------------------------------------------------------
    def _select_model(self, name: str) -> None:
        row = self._catalogue.row_of(name)
        if row is None:
            self._table.clearSelection()
            self._folders.select(name)
            self._apply_model(name, None)
        else:
            self._table.selectRow(row)  # -> _on_selection
            self._table.scrollTo(self._catalogue.index(row, 0))

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if rows:
            self._folders.select(None)
            row = rows.pop()
            self._apply_model(self._catalogue.spec(row).name, row)

    def _on_folder(self, folder: str) -> None:
        self._table.clearSelection()
        self._apply_model(folder, None)

    def _apply_model(self, name: str, row: int | None) -> None:
        self._model_name = name
        english_only = is_english_only(name)
        combo = self._language_box
        combo.setEnabled(not english_only)
        combo.setCurrentIndex(max(combo.findData("en" if english_only else self._language), 0))
        combo.setToolTip("This model only knows English" if english_only else "")
        items = self._task.model()
        assert isinstance(items, QStandardItemModel)
        translate = items.item(self._task.findData("translate"))
        translate.setEnabled(not english_only)
        if english_only:
            self._task.setCurrentIndex(self._task.findData("transcribe"))
        if row is None:
            kind = "Model folder" if is_model_folder(name) else "Custom model"
            self._about.setText(f"{kind}: {name}")
        else:
            spec = self._catalogue.spec(row)
            where = (
                "Downloaded."
                if self._catalogue.is_downloaded(row)
                else f"Not downloaded yet: {size_text(spec.download_mb)} are fetched when it "
                "is first used, or now with Download."
            )
            self._about.setText(f"<b>{spec.name}</b> ({spec.parameters} parameters): "
                                f"{spec.description} {where}")  # fmt: skip
        self._update_buttons()

    # -- downloads -----------------------------------------------------------------------------
    def _selected_row(self) -> int | None:
        return self._catalogue.row_of(self._model_name)

    def _update_buttons(self) -> None:
        row = self._selected_row()
        running = self._downloader.is_running()
        can_download = row is not None and not self._catalogue.is_downloaded(row)
        self._download.setEnabled(can_download and not running)
        self._cancel.setVisible(running)
        self._bar.setVisible(running)

    def _start_download(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        name = self._catalogue.spec(row).name
        if self._downloader.start(name):
            self._catalogue.set_progress(name, None)
            self._bar.setRange(0, 0)  # busy until the size is known
            self._status.setText(f"Downloading {name}…")
            self._update_buttons()

    def _on_progress(self, name: str, done: int, total: int | None) -> None:
        if total:
            fraction = min(done / total, 1.0)
            self._bar.setRange(0, _PROGRESS_STEPS)
            self._bar.setValue(round(fraction * _PROGRESS_STEPS))
            text = f"{format_bytes(done)} of {format_bytes(total)} ({fraction:.0%})"
        else:
            fraction = None
            self._bar.setRange(0, 0)
            text = f"{format_bytes(done)}"
        self._catalogue.set_progress(name, fraction)
        self._status.setText(f"Downloading {name}: {text}")

    def _on_finished(self, name: str) -> None:
        self._download_ended(name, f"{name} is downloaded and ready.")

    def _on_failed(self, name: str, message: str) -> None:
        self._download_ended(name, message)  # a sentence naming the model (model_download)

    def _on_cancelled(self, name: str) -> None:
        self._download_ended(name, f"The download of {name} was cancelled.")

    def _download_ended(self, name: str, message: str) -> None:
        self._catalogue.end_download(name)
        self._show_idle()
        self._status.setText(message)
        self._apply_model(self._model_name, self._selected_row())  # "Downloaded." or not

    def _show_idle(self) -> None:
        self._bar.setRange(0, _PROGRESS_STEPS)
        self._bar.reset()
        self._status.clear()
        self._update_buttons()


def _speakers_combo(parent: QWidget, value: str) -> QComboBox:
    """Off, automatic, or an exact count of speakers (`AppSettings.identify_speakers`)."""
    combo = QComboBox(parent)
    combo.addItem("Off", "off")
    combo.addItem("Automatic (estimate how many)", "auto")
    for n in SPEAKER_CHOICES[2:]:
        combo.addItem(f"{n} speakers", n)
    combo.setCurrentIndex(max(combo.findData(value), 0))
    combo.setToolTip(
        "After the text, find who speaks when and name each turn; the text comes first"
    )
    return combo
