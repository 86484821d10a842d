"""An English-only model on other speech (issue 17): a banner beside the transcript."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import shell_fakes
from shell_fakes import FakeFactory, FakeQuestions, make_wav

from ui.queue.item_model import JobState
from ui.settings import AppSettings
from ui.window.main_window import MainWindow

WAIT_MS = 15_000


def _window(qtbot, tmp_path: Path, model: str) -> MainWindow:
    window = MainWindow(
        AppSettings(model=model),
        factory=FakeFactory(segments=4),
        autosave_dir=tmp_path / "autosave",
        questions=FakeQuestions(),
    )
    qtbot.addWidget(window)
    return window


@pytest.fixture
def unsure_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake segments decoded as unsurely as tiny.en decodes Portuguese (about -1.3)."""
    plain = shell_fakes.fake_segment
    monkeypatch.setattr(
        shell_fakes,
        "fake_segment",
        lambda i, *a: dataclasses.replace(plain(i, *a), avg_logprob=-1.3),
    )


def _transcribe(qtbot, window: MainWindow, tmp_path: Path) -> int:
    (item_id,) = window.commands.add_files([make_wav(tmp_path / "fala.wav", seconds=4)])
    model = window.workspace.queue_model
    qtbot.waitUntil(lambda: model.item(item_id).state is JobState.DONE, timeout=WAIT_MS)
    window.show_session(item_id)
    return item_id


def test_unsure_english_only_decoding_shows_the_banner(
    qtbot, tmp_path: Path, unsure_segments: None
) -> None:
    window = _window(qtbot, tmp_path, "tiny.en")
    item_id = _transcribe(qtbot, window, tmp_path)
    banner = window.language_banner
    assert not banner.isHidden()
    assert "tiny.en" in banner.text.text()
    assert "Transcription Settings" in banner.text.text()
    opened: list[bool] = []
    window.commands.open_settings = lambda: opened.append(True)  # no modal dialog in a test
    banner.choose_model.disconnect()
    banner.choose_model.connect(window.commands.open_settings)
    banner.choose.click()
    assert opened == [True]
    banner.close_button.click()
    assert banner.isHidden()
    assert window.language_watch.message(item_id) is None  # dismissed stays dismissed
    window.close()


def test_a_multilingual_model_or_sure_decoding_shows_none(
    qtbot, tmp_path: Path, unsure_segments: None
) -> None:
    window = _window(qtbot, tmp_path, "tiny")  # multilingual: it knows what it heard
    _transcribe(qtbot, window, tmp_path)
    assert window.language_banner.isHidden()
    window.close()


def test_sure_english_shows_no_banner(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path, "tiny.en")
    _transcribe(qtbot, window, tmp_path)
    assert window.language_banner.isHidden()
    window.close()
