from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from pytestqt.qtbot import QtBot
from test_model_download import TOTAL, FakeHub

from engine.errors import ModelLoadError
from engine.models import CATALOGUE, ModelSpec
from ui.dialogs import model_table as model_dialog
from ui.dialogs.model_table import HEADERS, ModelTableModel
from ui.dialogs.transcription_settings import TranscriptionSettingsDialog
from ui.queue import model_download as download
from ui.queue.model_download import format_bytes
from ui.settings import AppSettings

CACHED = frozenset({"tiny", "small"})


def fake_downloaded(spec: ModelSpec) -> bool:
    return spec.name in CACHED


@pytest.fixture(autouse=True)
def cache(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The models 'in the cache'; a fake download adds to it."""
    cached = set(CACHED)
    monkeypatch.setattr(model_dialog, "is_downloaded", lambda spec: spec.name in cached)
    monkeypatch.setattr(download, "PROGRESS_INTERVAL_S", 0.0)
    return cached


@pytest.fixture
def dialog(qtbot: QtBot) -> TranscriptionSettingsDialog:
    d = TranscriptionSettingsDialog(AppSettings(model="small", language="de"))
    qtbot.addWidget(d)
    return d


def select(dialog: TranscriptionSettingsDialog, name: str) -> None:
    row = dialog._catalogue.row_of(name)
    assert row is not None
    dialog._table.selectRow(row)


def test_table_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ModelTableModel(downloaded=fake_downloaded)
    qtmodeltester.check(model)
    model.set_progress("base", 0.5)
    model.end_download("base")
    qtmodeltester.check(model)


def test_table_shows_the_catalogue_and_what_is_cached() -> None:
    model = ModelTableModel(downloaded=fake_downloaded)
    assert model.rowCount() == len(CATALOGUE)
    assert model.columnCount() == len(HEADERS)
    status = {model.index(r, 0).data(): model.index(r, len(HEADERS) - 1).data()
              for r in range(model.rowCount())}  # fmt: skip
    assert {name for name, text in status.items() if text == "Yes"} == CACHED
    row = model.row_of("large-v3-turbo")
    assert row is not None
    spec = model.spec(row)
    assert model.index(row, 1).data() == "1.6 GB"
    assert model.index(row, 4).data().count("★") == spec.quality
    assert model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole) == spec.description


def test_progress_shows_in_the_status_column() -> None:
    model = ModelTableModel(downloaded=fake_downloaded)
    row = model.row_of("base")
    assert row is not None
    model.set_progress("base", 0.25)
    assert model.index(row, len(HEADERS) - 1).data() == "Downloading 25%"
    model.set_progress("base", None)
    assert model.index(row, len(HEADERS) - 1).data() == "Downloading…"
    model.end_download("base")
    assert model.index(row, len(HEADERS) - 1).data() == "No"


def test_dialog_shows_the_settings(dialog: TranscriptionSettingsDialog) -> None:
    assert dialog._table.selectionModel().selectedRows()[0].data() == "small"
    assert dialog._language_box.currentData() == "de"
    assert dialog.settings() == AppSettings(model="small", language="de")


def test_changes_come_back_as_settings(dialog: TranscriptionSettingsDialog) -> None:
    select(dialog, "large-v3-turbo")
    dialog._language_box.setCurrentIndex(dialog._language_box.findData("fr"))
    dialog._language_box.activated.emit(dialog._language_box.currentIndex())
    dialog._task.setCurrentIndex(dialog._task.findData("translate"))
    dialog._prompt.setPlainText("  Zoë, Saint-Étienne  ")
    dialog._words.setChecked(False)
    dialog._batch.setValue(12)
    dialog._beam.setValue(5)
    assert dialog.settings() == dataclasses.replace(
        AppSettings(),
        model="large-v3-turbo",
        language="fr",
        task="translate",
        initial_prompt="Zoë, Saint-Étienne",
        word_timestamps=False,
        batch_size=12,
        beam_size=5,
    )


def test_special_values_mean_automatic(dialog: TranscriptionSettingsDialog) -> None:
    dialog._batch.setValue(0)
    dialog._beam.setValue(1)
    dialog._prompt.setPlainText("   ")
    result = dialog.settings()
    assert (result.batch_size, result.beam_size, result.initial_prompt) == (None, None, None)
    assert dialog._batch.text() == "Automatic"


def test_english_only_models_lock_language_and_task(dialog: TranscriptionSettingsDialog) -> None:
    dialog._task.setCurrentIndex(dialog._task.findData("translate"))
    select(dialog, "small.en")
    items = dialog._task.model()
    assert isinstance(items, QStandardItemModel)
    assert not dialog._language_box.isEnabled()
    assert dialog._language_box.currentData() == "en"
    assert not items.item(dialog._task.findData("translate")).isEnabled()
    assert dialog._task.currentData() == "transcribe"
    assert (dialog.settings().language, dialog.settings().task) == ("en", "transcribe")
    # Back to a multilingual model: the person's language choice returns.
    select(dialog, "medium")
    assert dialog._language_box.isEnabled()
    assert dialog._language_box.currentData() == "de"
    assert items.item(dialog._task.findData("translate")).isEnabled()


def test_custom_model_is_kept(qtbot: QtBot) -> None:
    d = TranscriptionSettingsDialog(AppSettings(model="/models/my-whisper"))
    qtbot.addWidget(d)
    assert not d._table.selectionModel().selectedRows()
    assert "/models/my-whisper" in d._about.text()
    assert d.settings().model == "/models/my-whisper"
    assert not d._download.isEnabled()


def test_download_button_only_for_models_not_cached(dialog: TranscriptionSettingsDialog) -> None:
    assert not dialog._download.isEnabled()  # small is cached
    select(dialog, "base")
    assert dialog._download.isEnabled()


def test_download_progress_reaches_the_dialog(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    dialog: TranscriptionSettingsDialog,
    cache: set[str],
) -> None:
    hub = FakeHub()

    def resolve(name: str, **kwargs: object) -> object:
        files = hub(name, **kwargs)  # type: ignore[arg-type]
        cache.add(name)
        return files

    monkeypatch.setattr(download, "resolve_model", resolve)
    select(dialog, "base")
    seen: list[int] = []
    dialog._bar.valueChanged.connect(seen.append)
    with qtbot.waitSignal(dialog._downloader.finished, timeout=5000):
        dialog._download.click()
    assert hub.calls == ["base"]
    assert seen
    assert max(seen) == dialog._bar.maximum()
    assert "base is downloaded" in dialog._status.text()
    row = dialog._catalogue.row_of("base")
    assert dialog._catalogue.index(row, len(HEADERS) - 1).data() == "Yes"
    assert not dialog._download.isEnabled()
    assert not dialog._cancel.isVisibleTo(dialog)


def test_download_shows_bytes_and_can_be_cancelled(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, dialog: TranscriptionSettingsDialog
) -> None:
    hub = FakeHub(hold=True)
    monkeypatch.setattr(download, "resolve_model", hub)
    select(dialog, "medium")
    with qtbot.waitSignal(dialog._downloader.progress, timeout=5000):
        dialog._download.click()
    qtbot.waitUntil(lambda: "MB" in dialog._status.text())
    assert f"of {format_bytes(TOTAL)}" in dialog._status.text()
    assert dialog._cancel.isVisibleTo(dialog)
    assert not dialog._download.isEnabled()
    row = dialog._catalogue.row_of("medium")
    assert dialog._catalogue.index(row, len(HEADERS) - 1).data().startswith("Downloading")
    with qtbot.waitSignal(dialog._downloader.cancelled, timeout=5000):
        dialog._cancel.click()
    assert "cancelled" in dialog._status.text()
    assert dialog._download.isEnabled()
    assert not dialog._cancel.isVisibleTo(dialog)
    assert dialog._catalogue.index(row, len(HEADERS) - 1).data() == "No"
    assert dialog._bar.value() == dialog._bar.minimum() - 1  # reset: no progress shown


def test_download_failure_is_shown_in_words(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, dialog: TranscriptionSettingsDialog
) -> None:
    error = ModelLoadError("there is no connection: check the network and try again")
    monkeypatch.setattr(download, "resolve_model", FakeHub(fail_with=error))
    select(dialog, "base")
    with qtbot.waitSignal(dialog._downloader.failed, timeout=5000):
        dialog._download.click()
    assert dialog._status.text() == (
        "Could not download base: there is no connection. Check the network and try again."
    )
    assert dialog._download.isEnabled()


def test_closing_cancels_a_running_download(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, dialog: TranscriptionSettingsDialog
) -> None:
    monkeypatch.setattr(download, "resolve_model", FakeHub(hold=True))
    select(dialog, "base")
    with qtbot.waitSignal(dialog._downloader.progress, timeout=5000):
        dialog._download.click()
    thread = dialog._downloader._thread
    dialog.reject()
    assert thread is not None
    assert thread.isFinished()
    assert not dialog._downloader.is_running()
