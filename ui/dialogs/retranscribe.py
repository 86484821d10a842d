"""Edit > Transcribe Selection With…: the model, language and vocabulary for one stretch.

The dialog shows the stretch (its times and the words it holds now) and starts from the file's
settings (`ui.files.range_jobs.default_choice`). The catalogue is listed as Transcription
Settings shows it, but only models on this computer can be chosen, and the settings' own model,
which downloads first as it would for a file. The others are greyed with where to get them:
a second download place here (progress, cancel, failures) would be a copy of the settings'
for a rarely needed case. An English-only model fixes the language to English; a model that
cannot translate transcribes (said under the fields, only when the settings translate).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from engine.models import ModelSpec, find_spec
from ui.dialogs.model_folders import is_model_folder
from ui.dialogs.model_table import ModelTableModel, size_text
from ui.dialogs.transcription_settings import language_combo
from ui.files.range_jobs import RangeChoice, can_do, default_choice, range_text
from ui.settings import AppSettings, is_english_only

__all__ = ["RetranscribeDialog", "ask_range_choice"]

log = logging.getLogger(__name__)

_WIDTH: Final = 520  # px: the longest model line ("large-v3-turbo · many languages · ★…") fits
_WORDS_SHOWN: Final = 200  # characters of the stretch's words quoted; the rest is "…"

Downloaded = Callable[[ModelSpec], bool]


class RetranscribeDialog(QDialog):
    """Choose how to transcribe one stretch again; `choice` gives the answer once accepted."""

    def __init__(
        self,
        settings: AppSettings,
        start_ms: int,
        end_ms: int,
        *,
        file_language: str | None = None,
        words: str = "",
        downloaded: Downloaded | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Offer the choice for ``start_ms``-``end_ms``, starting from the file's settings.

        Args:
            settings: The file's transcription settings (the defaults).
            start_ms: Start of the stretch.
            end_ms: End of the stretch.
            file_language: The language the file was found to be in (see `default_choice`).
            words: The words the stretch holds now, quoted so the person sees what goes.
            downloaded: Whether a catalogue model is on this computer (tests pass a fake).
            parent: The window it belongs to.
        """
        super().__init__(parent)
        self.setWindowTitle("Transcribe Selection With")
        self._initial = default_choice(settings, file_language)
        self._language = self._initial.language
        self._catalogue = ModelTableModel(downloaded=downloaded, parent=self)
        seconds = (end_ms - start_ms) / 1000
        self.heading = QLabel(
            f"<b>Transcribe {range_text(start_ms, end_ms)} again</b> ({seconds:.1f} s)", self
        )
        quoted = words if len(words) <= _WORDS_SHOWN else words[:_WORDS_SHOWN].rstrip() + "…"
        self.words = QLabel(f"Now: “{quoted}”" if words else "No words there now.", self)
        self.words.setWordWrap(True)
        self.words.setEnabled(False)  # greyed: it is what goes, not a field
        self.model = QComboBox(self)
        self.language = language_combo(self)
        self.language.activated.connect(
            lambda i: setattr(self, "_language", self.language.itemData(i))
        )
        self.prompt = QPlainTextEdit(self._initial.initial_prompt or "", self)
        self.prompt.setPlaceholderText("Names, places and jargon said there, spelled right")
        self.prompt.setTabChangesFocus(True)
        self.prompt.setFixedHeight(self.prompt.fontMetrics().lineSpacing() * 3 + 12)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        self.missing = QLabel(
            "Greyed models are not on this computer: download them in Transcription Settings.",
            self,
        )
        self.missing.setWordWrap(True)
        self.missing.setEnabled(False)
        self._build()
        self._fill_models(settings)
        self.model.currentIndexChanged.connect(self._apply_model)
        self.model.setCurrentIndex(max(self.model.findData(settings.model), 0))
        self._apply_model()

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow("&Model:", self.model)
        form.addRow("", self.missing)
        form.addRow("&Language:", self.language)
        form.addRow("", self.note)
        form.addRow("&Vocabulary:", self.prompt)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Transcribe")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.words)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(_WIDTH)

    def _fill_models(self, settings: AppSettings) -> None:
        """The catalogue (greyed where it cannot be chosen), then the model folders."""
        combo, catalogue = self.model, self._catalogue
        items = combo.model()
        assert isinstance(items, QStandardItemModel)  # QComboBox's own
        own_spec = find_spec(settings.model)
        for row in range(catalogue.rowCount()):
            spec = catalogue.spec(row)
            own = spec is own_spec
            on_disk = catalogue.is_downloaded(row)
            if on_disk:
                state = ""
            elif own:  # the worker fetches it as it would for a file
                state = f" · downloads first ({size_text(spec.download_mb)})"
            else:
                state = " · not downloaded"
            kind = "English" if spec.languages == "en" else "many languages"
            stars = "★" * spec.quality + "☆" * (5 - spec.quality)
            # The settings' own spelling of their model, so choosing it changes no model.
            combo.addItem(
                f"{spec.name} · {kind} · {stars}{state}", settings.model if own else spec.name
            )
            item = items.item(combo.count() - 1)
            item.setEnabled(on_disk or own)
            tip = spec.description
            if not (on_disk or own):
                tip += " Download it in Transcription Settings to use it here."
            item.setToolTip(tip)
        self.missing.setVisible(
            not all(catalogue.is_downloaded(r) for r in range(catalogue.rowCount()))
        )
        folders = list(settings.model_folders)
        if own_spec is None and settings.model not in folders:
            folders.append(settings.model)  # a folder or repository given as the model
        for folder in folders:
            kind = "folder" if is_model_folder(folder) else "custom model"
            combo.addItem(f"{Path(folder).name or folder} · {kind}", folder)
            items.item(combo.count() - 1).setToolTip(folder)

    def _apply_model(self, *args: object) -> None:
        """English only: English, fixed; else the language chosen (or the file's)."""
        name = str(self.model.currentData())
        english_only = is_english_only(name)
        box = self.language
        box.setEnabled(not english_only)
        box.setCurrentIndex(max(box.findData("en" if english_only else self._language), 0))
        box.setToolTip("This model only knows English" if english_only else "")
        notes = ["This model only knows English."] if english_only else []
        if self._initial.task == "translate":
            notes.append(
                "Translated into English, as the file's settings say."
                if can_do(name, "translate")
                else "This model cannot translate: the stretch is written in the language spoken."
            )
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))

    def choice(self) -> RangeChoice:
        """What the fields say now."""
        name = str(self.model.currentData())
        prompt = self.prompt.toPlainText().strip()
        task = self._initial.task
        return RangeChoice(
            model=name,
            language="en" if is_english_only(name) else self.language.currentData(),
            task=task if can_do(name, task) else "transcribe",
            initial_prompt=prompt or None,
        )


def ask_range_choice(
    settings: AppSettings,
    start_ms: int,
    end_ms: int,
    file_language: str | None,
    words: str,
    parent: QWidget | None,
) -> RangeChoice | None:
    """Show `RetranscribeDialog`; the choice, or None when the person cancels."""
    dialog = RetranscribeDialog(
        settings, start_ms, end_ms, file_language=file_language, words=words, parent=parent
    )
    if not dialog.exec():
        return None
    choice = dialog.choice()
    log.info("transcribing %s again with %s", range_text(start_ms, end_ms), choice.model)
    return choice
