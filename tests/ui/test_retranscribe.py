"""Re-transcribing a selection through the app: the job's options, cancelling, one undo step."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from shell_fakes import FakeFactory, FakeQuestions, FakeTranscriber, Recorder, make_wav
from window_helpers import WAIT_MS, transcribed, view_of

from editor.queries import word_spans
from engine.download import DownloadProgress
from engine.errors import ModelLoadError
from engine.options import TranscribeOptions
from engine.results import Progress, SegmentResult, TranscriptionInfo
from ui.dialogs.retranscribe import RetranscribeDialog
from ui.files.range_jobs import RangeChoice
from ui.queue.item_model import JobState
from ui.settings import AppSettings
from ui.transcript.view import TranscriptView
from ui.window.main_window import MainWindow

REAL_ENGINE_MS = 180_000  # the machine may be busy: only the outcome is checked


@dataclass
class Recording:
    """Wraps a fake transcriber and keeps the options of every job it is given."""

    inner: FakeTranscriber
    model: str
    jobs: list[tuple[str, TranscribeOptions]]

    def transcribe(
        self,
        audio: str,
        options: TranscribeOptions | None = None,
        *,
        cancel: threading.Event | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> tuple[TranscriptionInfo, Iterator[SegmentResult]]:
        self.jobs.append((self.model, options or TranscribeOptions()))
        return self.inner.transcribe(audio, options, cancel=cancel, on_progress=on_progress)


@dataclass
class RecordingFactory:
    """A `FakeFactory` whose transcribers record (model, options) per job; ``broken`` fail."""

    fake: FakeFactory
    broken: frozenset[str] = frozenset()
    jobs: list[tuple[str, TranscribeOptions]] = field(default_factory=list)

    def __call__(
        self, name: str, on_download: Callable[[DownloadProgress], None], cancel: threading.Event
    ) -> tuple[Recording, str]:
        if name in self.broken:
            raise ModelLoadError(f"The model {name} is damaged.")
        inner, device = self.fake(name, on_download, cancel)
        return Recording(inner, name, self.jobs), device

    @property
    def loads(self) -> list[str]:
        return [name for name, _ in self.fake.loads]


@pytest.fixture
def answers() -> FakeQuestions:
    return FakeQuestions()


@pytest.fixture
def make_window(qtbot, tmp_path, answers) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(factory: object, settings: AppSettings | None = None) -> MainWindow:
        window = MainWindow(
            settings or AppSettings(model="fake-model"),
            factory=factory,  # type: ignore[arg-type]
            autosave_dir=tmp_path / "autosave",
            questions=answers,
        )
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        window.close()  # answered by `answers`: never blocks
        assert not window.workspace.worker.is_running


def type_after_first_word(qtbot, view: TranscriptView, segment: int, text: str) -> None:
    """Put the caret after the first word of a segment and type there, as a person would."""
    view.setFocus()
    cursor = view.textCursor()
    cursor.setPosition(view.document().findBlockByNumber(segment).position())
    cursor.movePosition(QTextCursor.MoveOperation.EndOfWord)
    view.setTextCursor(cursor)
    qtbot.keyClicks(view, text)


def select_words(window: MainWindow, segment: int, first: int, last: int) -> tuple[int, int]:
    """Select words ``first``..``last`` of a segment; returns their stretch in ms."""
    view = view_of(window)
    transcript = window.current_session().document.transcript
    spans = word_spans(transcript.segments[segment])
    block = view.document().findBlockByNumber(segment).position()
    cursor = view.textCursor()
    cursor.setPosition(block + spans[first][0])
    cursor.setPosition(block + spans[last][1], QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    words = transcript.segments[segment].words
    return words[first].start_ms, words[last].end_ms


def chooser(choice: RangeChoice | None, asked: list[tuple[object, ...]]):
    def ask(*args: object) -> RangeChoice | None:
        asked.append(args)
        return choice

    return ask


def test_the_job_gets_the_chosen_model_language_prompt_and_range(
    qtbot, make_window, tmp_path
) -> None:
    factory = RecordingFactory(FakeFactory(segments=3))
    window = make_window(factory, AppSettings(model="fake-model", initial_prompt="file words"))
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    before = session.document.transcript
    start, end = select_words(window, 1, 1, 2)
    asked: list[tuple[object, ...]] = []
    window.retranscribe.ask = chooser(RangeChoice("bigger-model", "de", "transcribe", "Ada"), asked)

    assert window.retranscribe.transcribe_with()
    qtbot.waitUntil(lambda: session.document.transcript != before, timeout=WAIT_MS)
    (settings, a, b, language, words, _parent) = asked[0]
    assert (a, b, words) == (start, end, "bravo1 charlie1")
    assert language == "en"  # what the file was found to be in
    assert settings.initial_prompt == "file words"
    model, options = factory.jobs[-1]
    assert model == "bigger-model"
    assert (options.language, options.initial_prompt) == ("de", "Ada")
    assert options.clip_ranges == ((start / 1000, end / 1000),)
    assert not window.workspace.runner.paused

    # The queue's next file goes back to the settings' model.
    transcribed(qtbot, window, make_wav(tmp_path / "next.wav", seconds=2))
    assert factory.jobs[-1][0] == "fake-model"
    assert factory.jobs[-1][1].clip_ranges == ()


def test_the_quick_command_and_the_file_model_change_no_model(qtbot, make_window, tmp_path):
    factory = RecordingFactory(FakeFactory(segments=3))
    window = make_window(factory)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    select_words(window, 0, 0, 1)
    before = session.document.transcript
    window.retranscribe.ask = chooser(RangeChoice("fake-model", "en", "transcribe", None), [])
    assert window.retranscribe.transcribe_with()
    qtbot.waitUntil(lambda: session.document.transcript != before, timeout=WAIT_MS)
    assert factory.loads == ["fake-model"]  # loaded once, for the file
    assert factory.jobs[-1][1].initial_prompt is None


def test_cancelled_in_the_status_bar_leaves_the_transcript_untouched(
    qtbot, make_window, tmp_path
) -> None:
    factory = RecordingFactory(FakeFactory(segments=3, delay=0.3))
    window = make_window(factory)
    recorder = Recorder(window.workspace.worker)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    type_after_first_word(qtbot, view_of(window), 0, "X")
    window.editor.commit_pending()
    before, edits = session.document.transcript, session.undo_stack.count()
    select_words(window, 1, 0, 3)
    cancel = window.menu_actions.cancel
    assert not cancel.isEnabled()

    assert window.retranscribe.transcribe_again()
    status = window.retranscribe.status
    assert status.isVisible()
    assert status.label.text() == "Transcribing 0:01–0:01 again…"
    assert cancel.isEnabled()
    ended = len(recorder.of("job_ended"))
    status.cancel.click()

    assert not status.isVisible()
    assert not cancel.isEnabled()
    assert window.statusBar().currentMessage() == "Cancelled: the transcript is unchanged."
    recorder.wait_for(qtbot, "job_ended", ended + 1)  # the worker has stopped it
    QApplication.processEvents()
    assert session.document.transcript == before
    assert session.undo_stack.count() == edits
    # The commands work again.
    assert window.retranscribe.transcribe_again()
    qtbot.waitUntil(lambda: session.document.transcript != before, timeout=WAIT_MS)


def test_transcription_cancel_stops_the_stretch_first_and_the_file_goes_on(
    qtbot, make_window, tmp_path
) -> None:
    factory = RecordingFactory(FakeFactory(segments=4, delay=0.4))
    window = make_window(factory)
    first = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    (second,) = window.commands.add_files([make_wav(tmp_path / "long.wav", seconds=4)])
    model = window.workspace.queue_model
    qtbot.waitUntil(lambda: model.item(second).state is JobState.RUNNING, timeout=WAIT_MS)
    window.show_session(first)
    session = window.workspace.session(first)
    before = session.document.transcript
    select_words(window, 2, 0, 1)

    assert window.retranscribe.transcribe_again()
    assert window.retranscribe.status.label.text().startswith("Waiting to transcribe 0:02")
    window.menu_actions.cancel.trigger()  # Ctrl+.
    assert not window.retranscribe.busy
    assert model.item(second).state is JobState.RUNNING
    assert window.menu_actions.cancel.isEnabled()  # the file can still be stopped
    qtbot.waitUntil(lambda: model.item(second).state is JobState.DONE, timeout=WAIT_MS)
    qtbot.wait(100)
    assert session.document.transcript == before


def test_a_second_request_while_one_runs_is_refused_in_words(qtbot, make_window, tmp_path):
    factory = RecordingFactory(FakeFactory(segments=3, delay=0.2))
    window = make_window(factory)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    before = session.document.transcript
    select_words(window, 0, 0, 1)
    assert window.retranscribe.transcribe_again()
    select_words(window, 2, 0, 1)
    window.retranscribe.ask = chooser(RangeChoice("other", None, "transcribe", None), [])
    assert not window.retranscribe.transcribe_with()
    assert window.statusBar().currentMessage() == (
        "Already transcribing 0:00–0:00 again: wait for it, or cancel it first."
    )
    qtbot.waitUntil(lambda: not window.retranscribe.busy, timeout=WAIT_MS)
    after = session.document.transcript
    assert "ALPHA0 BRAVO0" in after.segments[0].text
    assert after.segments[-2:] == before.segments[-2:]  # the refused stretch is untouched
    assert len(factory.jobs) == 2  # the file and the first stretch: no second one was sent


def test_the_new_words_are_one_undo_step_that_restores_the_exact_words(
    qtbot, make_window, tmp_path
) -> None:
    window = make_window(RecordingFactory(FakeFactory(segments=3)))
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    type_after_first_word(qtbot, view_of(window), 2, "kept")
    window.editor.commit_pending()
    before, edits = session.document.transcript, session.undo_stack.count()
    select_words(window, 1, 1, 2)
    window.retranscribe.ask = chooser(RangeChoice("fake-model", "en", "transcribe", "x"), [])
    assert window.retranscribe.transcribe_with()
    qtbot.waitUntil(lambda: session.document.transcript != before, timeout=WAIT_MS)
    after = session.document.transcript
    assert session.undo_stack.count() == edits + 1
    assert "BRAVO1 CHARLIE1" in " ".join(s.text for s in after.segments)
    assert after.segments[0] == before.segments[0]
    assert after.segments[-1] == before.segments[-1]  # the typed edit outside stays
    assert window.menu_actions.undo.text() == "Undo Transcribe selection again"
    session.undo_stack.undo()
    assert session.document.transcript == before
    session.undo_stack.redo()
    assert session.document.transcript == after


def test_a_model_that_fails_to_load_fails_the_stretch_not_the_queue(
    qtbot, make_window, tmp_path
) -> None:
    factory = RecordingFactory(FakeFactory(segments=2), broken=frozenset({"broken"}))
    window = make_window(factory)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=2))
    session = window.workspace.session(item_id)
    before = session.document.transcript
    select_words(window, 0, 0, 1)
    window.retranscribe.ask = chooser(RangeChoice("broken", None, "transcribe", None), [])
    assert window.retranscribe.transcribe_with()
    qtbot.waitUntil(lambda: not window.retranscribe.busy, timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == (
        "Could not transcribe the selection again: The model broken is damaged."
    )
    assert session.document.transcript == before
    assert not window.workspace.runner.paused
    # The settings' model is the one named again, and the next file gets it.
    assert window._model_label.text() == "Model: fake-model (loads with the first file)"
    transcribed(qtbot, window, make_wav(tmp_path / "next.wav", seconds=2))
    assert factory.jobs[-1][0] == "fake-model"


def test_the_real_dialog_is_asked_and_its_answer_used(qtbot, make_window, tmp_path) -> None:
    factory = RecordingFactory(FakeFactory(segments=3))
    window = make_window(factory, AppSettings(model="fake-model", initial_prompt="Ada"))
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    before = session.document.transcript
    select_words(window, 1, 0, 1)
    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RetranscribeDialog)
        seen.append(dialog.heading.text())
        dialog.prompt.setPlainText("Grace")
        buttons = dialog.findChild(QDialogButtonBox)
        buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(200, answer)
    window.findChild(type(window.menu_actions.export), "transcript_transcribe_with").trigger()
    qtbot.waitUntil(lambda: session.document.transcript != before, timeout=WAIT_MS)
    assert "0:01–0:01 again" in seen[0]
    assert factory.jobs[-1][0] == "fake-model"
    assert factory.jobs[-1][1].initial_prompt == "Grace"


@pytest.mark.model
@pytest.mark.slow
def test_real_engine_transcribes_a_stretch_again(
    qtbot, make_window, tiny_en_model, jfk_flac
) -> None:
    window = make_window(None, AppSettings(model=str(tiny_en_model)))
    item_id = transcribed(qtbot, window, jfk_flac, timeout=REAL_ENGINE_MS)
    session = window.workspace.session(item_id)
    before = session.document.transcript
    words = [w for s in before.segments for w in s.words]
    # "ask not what your country can do for you" sits in the middle of the clip.
    first = next(i for i, w in enumerate(words) if w.stripped.lower().startswith("ask"))
    start, end = words[first].start_ms, words[first + 4].end_ms
    assert window.workspace.transcribe_range_again(
        item_id, start, end, RangeChoice(str(tiny_en_model), "en", "transcribe", "JFK")
    )
    qtbot.waitUntil(lambda: not window.retranscribe.busy, timeout=REAL_ENGINE_MS)
    qtbot.waitUntil(lambda: session.undo_stack.count() == 1, timeout=WAIT_MS)
    after = session.document.transcript
    new = " ".join(
        w.stripped.lower().strip(",.") for s in after.segments for w in s.words
        if start <= (w.start_ms + w.end_ms) / 2 <= end
    )  # fmt: skip
    assert "ask not what your" in new
    outside = [w for s in after.segments for w in s.words if (w.start_ms + w.end_ms) / 2 > end]
    assert outside == [w for w in words if (w.start_ms + w.end_ms) / 2 > end]
    session.undo_stack.undo()
    assert session.document.transcript == before
