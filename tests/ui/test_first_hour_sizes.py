"""Issue 17, sizes: dialogs that fit a laptop screen, readable rows, one rule for durations."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QListView, QStyle, QStyleOptionViewItem
from shell_fakes import FakeFactory, FakeQuestions, make_wav

from ui.dialogs.transcription_settings import TranscriptionSettingsDialog
from ui.playback.clock import format_time
from ui.queue.item_model import JobState, QueueModel
from ui.queue.pane import QueueDelegate, format_clock
from ui.settings import AppSettings
from ui.window.main_window import MainWindow

LAPTOP = QSize(1366, 768)
USABLE_HEIGHT = 700  # 768 px less a menu bar, a title bar and a dock or taskbar


@pytest.mark.parametrize("folders", [(), ("/models/whisper-a", "/models/whisper-b")])
def test_the_transcription_settings_fit_a_1366x768_screen(qtbot, folders) -> None:
    dialog = TranscriptionSettingsDialog(AppSettings(model="small", model_folders=folders))
    qtbot.addWidget(dialog)
    assert dialog.minimumSizeHint().height() <= USABLE_HEIGHT
    assert dialog.height() <= USABLE_HEIGHT
    assert dialog.width() <= LAPTOP.width()
    # Squeezed to the least it allows, the catalogue still shows rows.
    dialog.resize(dialog.minimumSizeHint())
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog._table.viewport().height() >= 3 * dialog._table.rowHeight(0)


def test_queue_and_player_show_one_duration(qtbot) -> None:
    assert format_clock(100.7) == format_time(100_700) == "1:40"
    assert format_clock(59.999) == format_time(59_999) == "0:59"
    assert format_clock(3725.4) == format_time(3_725_400) == "1:02:05"


def _render_selected_running_row(tmp_path: Path) -> tuple[QImage, QRect, QColor]:
    model = QueueModel()
    (item_id,) = model.add_files([make_wav(tmp_path / "a.wav")])
    model.update(item_id, state=JobState.RUNNING, progress=1.0)
    view = QListView()
    view.setModel(model)
    delegate = QueueDelegate(view)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.widget = view
    index = model.index(0, 0)
    height = delegate.sizeHint(option, index).height()
    option.rect = QRect(0, 0, 300, height)
    option.state |= QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_Active
    image = QImage(300, height, QImage.Format.Format_ARGB32)
    highlight = option.palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    image.fill(highlight)  # what the style paints under a selected row
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    fm = option.fontMetrics
    bar = QRect(8, 8 + fm.height() + 3, 300 - 16, 4)
    return image, bar, highlight


def test_the_progress_bar_stands_out_on_a_selected_row(qtbot, tmp_path: Path) -> None:
    image, bar, highlight = _render_selected_running_row(tmp_path)
    middle = image.pixelColor(bar.center())
    # A full bar, drawn in the selected text's colour: far from the highlight under it.
    distance = sum(
        abs(a - b) for a, b in zip(middle.getRgb()[:3], highlight.getRgb()[:3], strict=True)
    )
    assert distance > 200, (middle.name(), highlight.name())


def test_imported_subtitles_show_a_duration(qtbot, tmp_path: Path) -> None:
    window = MainWindow(
        AppSettings(model="fake-model"),
        factory=FakeFactory(segments=1),
        autosave_dir=tmp_path / "autosave",
        questions=FakeQuestions(),
    )
    qtbot.addWidget(window)
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:04,500\nHello there.\n", encoding="utf-8")
    model = window.workspace.queue_model
    alone = window.workspace.import_subtitles(srt, None)
    assert model.item(alone).duration == 4.5  # no recording: how long the transcript runs
    media = make_wav(tmp_path / "talk.wav", seconds=6)
    with_media = window.workspace.import_subtitles(srt, media)
    qtbot.waitUntil(lambda: model.item(with_media).duration is not None, timeout=5000)
    assert abs(model.item(with_media).duration - 6) < 0.05  # the recording's own length
    window.close()
