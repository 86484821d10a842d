"""Who said what in the app (issue 12): the setting, the stage, speakers arriving after the text,
rename and merge as undo steps, and identifying again on an edited transcript."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from shell_fakes import FakeFactory, FakeQuestions, make_wav

from editor.commands import ReplaceWordText
from engine.speakers import SpeakerOptions, SpeakerProgress, SpeakerTurn
from ui.dialogs.transcription_settings import TranscriptionSettingsDialog
from ui.queue.item_model import JobState
from ui.queue.pane import status_text
from ui.queue.speaker_stage import SpeakerStage
from ui.settings import AppSettings, to_speaker_options
from ui.transcript.gutter import Gutter
from ui.window.main_window import MainWindow

WAIT_MS = 10_000


class FakeIdentify:
    """Alternates two speakers every 2 s, reporting progress slowly enough to be seen."""

    def __init__(self) -> None:
        self.calls: list[SpeakerOptions] = []
        self.turn_s = 2.0

    def __call__(
        self,
        source: str,
        options: SpeakerOptions,
        cancel: threading.Event,
        on_progress: Callable[[SpeakerProgress], None],
    ) -> tuple[SpeakerTurn, ...]:
        self.calls.append(options)
        for step in range(5):
            on_progress(SpeakerProgress("embedding", step * 3.0, 12.0))
            time.sleep(0.05)
        n = round(12 / self.turn_s)
        return tuple(
            SpeakerTurn(i * self.turn_s, (i + 1) * self.turn_s, f"SPEAKER_{i % 2:02d}")
            for i in range(n)
        )


@pytest.fixture
def identify(monkeypatch: pytest.MonkeyPatch) -> FakeIdentify:
    fake = FakeIdentify()
    original = SpeakerStage.__init__

    def init(self: SpeakerStage, identify: object = None) -> None:
        original(self, fake)

    monkeypatch.setattr(SpeakerStage, "__init__", init)
    return fake


@pytest.fixture
def window(qtbot, tmp_path, identify) -> Iterator[MainWindow]:
    w = MainWindow(
        AppSettings(model="fake-model", identify_speakers="2"),
        factory=FakeFactory(segments=6),
        autosave_dir=tmp_path / "autosave",
        questions=FakeQuestions(),
    )
    qtbot.addWidget(w)
    yield w
    w.close()


def test_the_settings_offer_off_automatic_and_counts(qtbot) -> None:
    dialog = TranscriptionSettingsDialog(AppSettings(identify_speakers="3"))
    qtbot.addWidget(dialog)
    combo = dialog._speakers
    assert [combo.itemData(i) for i in range(combo.count())] == [
        "off", "auto", "2", "3", "4", "5", "6", "7", "8",
    ]  # fmt: skip
    assert dialog.settings().identify_speakers == "3"
    combo.setCurrentIndex(combo.findData("auto"))
    chosen = dialog.settings()
    assert to_speaker_options(chosen) == SpeakerOptions()
    assert to_speaker_options(AppSettings(identify_speakers="3")) == SpeakerOptions(3)
    assert to_speaker_options(AppSettings()) is None
    assert to_speaker_options(AppSettings(), asked=True) == SpeakerOptions()


def test_text_first_then_the_stage_then_speakers(qtbot, window, identify, tmp_path) -> None:
    (item_id,) = window.commands.add_files([make_wav(tmp_path / "meeting.wav", seconds=12)])
    model = window.workspace.queue_model
    seen: list[str] = []
    model.dataChanged.connect(lambda *a: seen.append(status_text(model.item(item_id))))
    qtbot.waitUntil(lambda: model.item(item_id).state is JobState.DONE, timeout=WAIT_MS)
    stage = [s for s in seen if s.startswith("Identifying speakers")]
    assert stage, seen
    assert model.item(item_id).stage is None
    assert identify.calls == [SpeakerOptions(num_speakers=2)]
    transcript = window.workspace.session(item_id).document.transcript
    assert transcript.speakers == ("SPEAKER_00", "SPEAKER_01")
    assert window.workspace.session(item_id).undo_stack.count() == 0  # part of the result


def transcribed_with_speakers(qtbot, window: MainWindow, tmp_path: Path) -> int:
    (item_id,) = window.commands.add_files([make_wav(tmp_path / "meeting.wav", seconds=12)])
    model = window.workspace.queue_model
    qtbot.waitUntil(lambda: model.item(item_id).state is JobState.DONE, timeout=WAIT_MS)
    window.show_session(item_id)
    return item_id


def test_rename_and_merge_are_undoable(qtbot, window, tmp_path) -> None:
    item_id = transcribed_with_speakers(qtbot, window, tmp_path)
    session = window.workspace.session(item_id)
    speakers = window.editor._speakers
    before = session.document.transcript
    assert speakers.rename_speaker("SPEAKER_01", "Björn")
    assert session.document.transcript.speakers == ("SPEAKER_00", "Björn")
    assert speakers.merge_speakers("Björn", "SPEAKER_00")
    assert session.document.transcript.speakers == ("SPEAKER_00",)
    assert [s.text for s in session.document.transcript.segments] == [
        s.text for s in before.segments
    ]
    window.editor.undo()
    assert session.document.transcript.speakers == ("SPEAKER_00", "Björn")
    window.editor.undo()
    assert session.document.transcript == before


def test_the_speaker_menu_offers_rename_merge_and_change(qtbot, window, tmp_path) -> None:
    transcribed_with_speakers(qtbot, window, tmp_path)
    menu = window.editor._speakers.speaker_menu(0)
    assert menu is not None
    texts = [a.text() for a in menu.actions()]
    assert texts == [
        "Rename “SPEAKER_00” Everywhere…",
        "Merge “SPEAKER_00” Into…",
        "Change Speaker of This Segment…",
    ]


def test_identify_again_keeps_text_edits_in_one_undo_step(
    qtbot, window, identify, tmp_path
) -> None:
    item_id = transcribed_with_speakers(qtbot, window, tmp_path)
    session = window.workspace.session(item_id)
    first = session.document.transcript.segments[0].words[0]
    window.editor._speakers._edits.push(ReplaceWordText(0, 0, " Edited"))
    window.editor._speakers.rename_speaker("SPEAKER_00", "Ana")
    edited = session.document.transcript
    steps = session.undo_stack.count()
    identify.turn_s = 3.0  # the second run hears other turns
    assert window.workspace.identify_speakers_again(item_id)
    qtbot.waitUntil(lambda: session.undo_stack.count() == steps + 1, timeout=WAIT_MS)
    again = session.document.transcript
    assert again.segments[0].words[0].text == " Edited"
    assert again.segments[0].words[0].start_ms == first.start_ms
    assert [w for s in again.segments for w in s.words] == [
        w for s in edited.segments for w in s.words
    ]
    assert set(again.speakers) == {"SPEAKER_00", "SPEAKER_01"}
    window.editor.undo()
    assert session.document.transcript == edited


def test_naming_a_speaker_keeps_the_gutter_width(qtbot, window, tmp_path) -> None:
    item_id = transcribed_with_speakers(qtbot, window, tmp_path)
    gutter = window.editor.findChild(Gutter)
    assert gutter is not None
    width = gutter.total_width()
    speakers = window.editor._speakers
    speakers.rename_speaker("SPEAKER_00", "A much longer name than fits")
    speakers.set_speaker(
        None, range(len(window.workspace.session(item_id).document.transcript.segments))
    )
    assert gutter.total_width() == width
