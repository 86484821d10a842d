from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton
from shell_fakes import FakeFactory, FakeQuestions, make_not_audio, make_wav
from window_helpers import WAIT_MS, assert_never_stalled, main_loop_gaps, transcribed, view_of

from editor.commands import ReplaceWordText
from editor.queries import word_spans
from ui.files.questions import RecoveryChoice, SaveChoice
from ui.files.session import FileSession
from ui.queue.item_model import JobState
from ui.settings import AppSettings
from ui.transcript.undo import push_edit
from ui.transcript.view import TranscriptView
from ui.window.main_window import MainWindow

REAL_ENGINE_MS = 180_000  # the machine may be busy: only the outcome is checked


@pytest.fixture
def answers() -> FakeQuestions:
    return FakeQuestions()


@pytest.fixture
def make_window(qtbot, tmp_path, answers) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(factory: FakeFactory | None = None, model: str = "fake-model") -> MainWindow:
        window = MainWindow(
            AppSettings(model=model),
            factory=factory if factory is not None or model != "fake-model" else FakeFactory(),
            autosave_dir=tmp_path / "autosave",
            questions=answers,
        )
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()  # answered by `answers`: never blocks
        assert not window.workspace.worker.is_running


def normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def drop(target, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(
        QPoint(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(target, event)
    assert event.isAccepted()


# -- queueing -----------------------------------------------------------------------------------
def test_dropping_files_and_folders_adds_rows(qtbot, make_window, tmp_path) -> None:
    window = make_window(FakeFactory(segments=2))
    single = make_wav(tmp_path / "single.wav")
    make_wav(tmp_path / "folder" / "inner.flac")
    drop(window, [single, tmp_path / "folder"])
    qtbot.waitUntil(lambda: window.workspace.queue_model.rowCount() == 2, timeout=WAIT_MS)
    assert [it.name for it in window.workspace.queue_model.items()] == ["single.wav", "inner.flac"]
    # Over the transcript too: the drop reaches the window, the text is untouched.
    third = make_wav(tmp_path / "third.wav")
    drop(view_of(window).viewport(), [third])
    qtbot.waitUntil(lambda: window.workspace.queue_model.rowCount() == 3, timeout=WAIT_MS)


def test_fake_engine_streams_segments_into_the_view(qtbot, make_window, tmp_path) -> None:
    factory = FakeFactory(segments=12, delay=0.06)
    window = make_window(factory)
    (item_id,) = window.commands.add_files([make_wav(tmp_path / "talk.wav", seconds=12)])
    view = view_of(window)
    samples: list[tuple[JobState, int, int]] = []

    def sample() -> None:
        session = window.workspace.session(item_id)
        segments = len(session.document.transcript.segments) if session else 0
        samples.append(
            (window.workspace.queue_model.item(item_id).state, segments, view.blockCount())
        )

    timer = QTimer()
    timer.timeout.connect(sample)
    timer.start(20)
    qtbot.waitUntil(
        lambda: window.workspace.queue_model.item(item_id).state is JobState.DONE, timeout=WAIT_MS
    )
    timer.stop()
    while_running = [(n, blocks) for state, n, blocks in samples if state is JobState.RUNNING]
    partial = [(n, blocks) for n, blocks in while_running if 0 < n < factory.segments]
    assert len({n for n, _ in partial}) >= 2  # it grew while running, more than once
    assert all(n == blocks for n, blocks in partial)  # the view kept up with the document
    assert len(window.workspace.session(item_id).document.transcript.segments) == factory.segments
    assert window.current_session() is window.workspace.session(item_id)
    assert window.isWindowModified()


def test_each_transcription_ends_its_session_once(qtbot, make_window, tmp_path, monkeypatch):
    ended: list[str] = []
    real = FileSession.finish_transcription

    def counting(session: FileSession) -> None:
        ended.append(session.display_name)
        real(session)

    monkeypatch.setattr(FileSession, "finish_transcription", counting)
    window = make_window(FakeFactory(segments=2))
    transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=3))
    qtbot.wait(50)  # nothing more arrives
    assert ended == ["talk.wav"]
    assert window.workspace.project_io.autosave_dir.exists()  # autosaved once it was done


def test_a_failing_file_shows_its_error_and_the_next_one_runs(qtbot, make_window, tmp_path):
    window = make_window(FakeFactory(segments=2))
    bad = make_not_audio(tmp_path / "notes.wav")
    good = make_wav(tmp_path / "good.wav", seconds=3)
    bad_id, good_id = window.commands.add_files([bad, good])
    model = window.workspace.queue_model
    qtbot.waitUntil(lambda: model.item(good_id).state is JobState.DONE, timeout=WAIT_MS)
    assert model.item(bad_id).state is JobState.FAILED
    assert "notes.wav" in model.item(bad_id).error


@pytest.mark.model
@pytest.mark.slow
def test_real_engine_transcribes_into_the_view(qtbot, make_window, tiny_en_model, jfk_flac):
    window = make_window(model=str(tiny_en_model))
    item_id = transcribed(qtbot, window, jfk_flac, timeout=REAL_ENGINE_MS)
    text = window.workspace.session(item_id).document.transcript.text
    assert "ask not what your country can do for you" in normalised(text)
    assert "ask not what your country can do for you" in normalised(view_of(window).toPlainText())
    assert "tiny" in window._model_label.text()


@pytest.mark.model
@pytest.mark.slow
def test_the_main_loop_never_stalls_while_transcribing(qtbot, make_window, tiny_en_model, jfk_flac):
    window = make_window(model=str(tiny_en_model))
    window.show()
    # A model on disk is loaded when the window opens (engine loading holds the GIL for tens of
    # milliseconds at a time); what must stay smooth is the transcription itself.
    qtbot.waitUntil(
        lambda: window.workspace.runner.loaded_model is not None, timeout=REAL_ENGINE_MS
    )
    (item_id,) = window.commands.add_files([jfk_flac])
    qtbot.waitUntil(lambda: window.workspace.queue_model.item(item_id).state is JobState.RUNNING)
    done = lambda: window.workspace.queue_model.item(item_id).state is JobState.DONE  # noqa: E731
    with main_loop_gaps() as gaps:
        qtbot.waitUntil(done, timeout=REAL_ENGINE_MS)
    assert_never_stalled(gaps)


# -- playback and editing -----------------------------------------------------------------------
def word_point(view: TranscriptView, segment: int, word: int) -> QPoint:
    block = view.document().findBlockByNumber(segment)
    start, end = word_spans(view.transcript.segments[segment])[word]
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + (start + end) // 2)
    return view.cursorRect(cursor).center()


def playback_highlight(view: TranscriptView) -> str | None:
    for selection in view.extraSelections():
        if selection.format.background().color() == view.colours.playback:
            return selection.cursor.selectedText().strip()
    return None


def test_playback_highlights_the_word_and_clicking_a_word_seeks(qtbot, make_window, tmp_path):
    window = make_window(FakeFactory(segments=5))
    window.resize(1000, 700)
    window.show()
    qtbot.waitExposed(window)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=6))
    transcript = window.workspace.session(item_id).document.transcript
    view = view_of(window)
    spoken = next(w for _, _, w in transcript.words() if w.start_ms >= 2000)
    window.player.seek(spoken.start_ms + 10)
    qtbot.waitUntil(lambda: playback_highlight(view) == spoken.stripped)
    target = transcript.segments[3].words[2]
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=word_point(view, 3, 2))
    # A click plays by default: "click a word to hear it" (issue 17).
    qtbot.waitUntil(window.player.is_playing)
    window.player.pause()
    assert target.start_ms - 50 <= window.player.position() <= target.start_ms + 1500


def type_after_first_word(qtbot, view: TranscriptView, segment: int, text: str) -> None:
    """Put the caret after the first word of a segment and type there, as a person would."""
    view.setFocus()
    cursor = view.textCursor()
    cursor.setPosition(view.document().findBlockByNumber(segment).position())
    cursor.movePosition(QTextCursor.MoveOperation.EndOfWord)
    view.setTextCursor(cursor)
    qtbot.keyClicks(view, text)


def test_edit_undo_and_redo_through_the_ui(qtbot, make_window, tmp_path) -> None:
    window = make_window(FakeFactory(segments=3))
    window.show()
    qtbot.waitExposed(window)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    document = window.workspace.session(item_id).document
    before = document.transcript.text
    view = view_of(window)
    type_after_first_word(qtbot, view, 1, "xyz")
    window.editor.commit_pending()
    edited = document.transcript.text
    assert edited != before
    assert "xyz" in edited
    assert window.isWindowModified()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: document.transcript.text == before)
    qtbot.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: document.transcript.text == edited)
    window.menu_actions.undo.trigger()  # the Edit menu's Undo does the same
    assert document.transcript.text == before


def test_an_export_from_the_ui_contains_the_edited_text(qtbot, make_window, tmp_path) -> None:
    window = make_window(FakeFactory(segments=3))
    window.show()
    qtbot.waitExposed(window)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    type_after_first_word(qtbot, view_of(window), 2, "qux")  # not committed: export sees it
    target = tmp_path / "out" / "talk.srt"
    target.parent.mkdir()

    def fill_and_export() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.findChild(QLineEdit).setText(str(target))
        export = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Export")
        export.click()

    QTimer.singleShot(0, fill_and_export)
    window.menu_actions.export.trigger()
    assert window.workspace.writes.wait_for_writes()
    written = target.read_text(encoding="utf-8")
    edited = window.workspace.session(item_id).document.transcript.segments[2].words[0].stripped
    assert "qux" in edited
    assert edited in written
    assert window.settings.last_export_folder == str(target.parent)


# -- projects -----------------------------------------------------------------------------------
def test_reopening_a_saved_project_restores_the_transcript_and_edits(
    qtbot, make_window, answers, tmp_path
) -> None:
    window = make_window(FakeFactory(segments=3))
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    push_edit(session.undo_stack, session.document, ReplaceWordText(2, 1, " EDITED"))
    project = tmp_path / "talk.transcript"
    answers.save_to = project
    assert window.windowTitle().startswith("talk.wav[*]")
    assert window.commands.save()
    assert window.workspace.project_io.wait_for_writes()
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("talk.transcript")
    other = make_window(FakeFactory())
    reopened = other.commands.open_project(project)
    assert reopened is other.current_session()
    assert reopened.document.transcript.segments == session.document.transcript.segments
    assert reopened.document.transcript.segments[2].words[1].text == " EDITED"
    assert not other.isWindowModified()
    assert other.settings.recent_projects[0] == str(project)
    drop(other, [project])  # dropping it again shows the open one
    qtbot.wait(50)
    assert other.workspace.queue_model.rowCount() == 1


def test_recovery_offers_a_newer_autosave(qtbot, make_window, answers, tmp_path) -> None:
    window = make_window(FakeFactory(segments=3))
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    session.project_path = tmp_path / "talk.transcript"
    assert window.workspace.project_io.save(session)
    assert window.workspace.project_io.wait_for_writes()
    push_edit(session.undo_stack, session.document, ReplaceWordText(0, 0, " UNSAVED"))
    assert window.workspace.project_io.autosave(session)
    assert window.workspace.project_io.wait_for_writes()
    later = time.time() + 5
    os.utime(session.autosave_file, (later, later))
    window.workspace._sessions.clear()  # as if the app had crashed: nothing is saved on close

    answers.recover = RecoveryChoice.RECOVER
    other = make_window(FakeFactory())
    other.commands.offer_recovery()
    recovered = other.current_session()
    assert recovered is not None
    assert recovered.document.transcript.segments[0].words[0].text == " UNSAVED"
    assert other.isWindowModified()
    assert other.workspace.queue_model.rowCount() == 1


def test_importing_subtitles_with_their_media(qtbot, make_window, tmp_path) -> None:
    window = make_window()
    media = make_wav(tmp_path / "talk.wav", seconds=5)
    srt = tmp_path / "talk.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:02,000\nHello there.\n\n"
                   "2\n00:00:02,500 --> 00:00:04,000\nGeneral Kenobi.\n")  # fmt: skip
    drop(window, [srt])  # finds talk.wav next to it
    qtbot.waitUntil(lambda: window.current_session() is not None)
    session = window.current_session()
    assert session.document.transcript.text == "Hello there.\nGeneral Kenobi."
    assert session.media_path == media
    assert window.player.source() == media


# -- settings and closing -----------------------------------------------------------------------
def test_changing_the_model_reloads_it_before_the_next_file(qtbot, make_window, tmp_path):
    factory = FakeFactory(segments=2)
    window = make_window(factory)
    transcribed(qtbot, window, make_wav(tmp_path / "a.wav", seconds=3))
    window.store.replace(AppSettings(model="another-model"))
    transcribed(qtbot, window, make_wav(tmp_path / "b.wav", seconds=3))
    assert [name for name, _ in factory.loads] == ["fake-model", "another-model"]


def test_closing_during_a_job_asks_and_joins_the_thread(qtbot, make_window, answers, tmp_path):
    window = make_window(FakeFactory(segments=100_000, delay=0.01))
    (item_id,) = window.commands.add_files([make_wav(tmp_path / "long.wav")])
    qtbot.waitUntil(lambda: window.workspace.session(item_id).has_content, timeout=WAIT_MS)
    answers.yes = False
    window.close()
    assert window.isVisible() or window.workspace.worker.is_running  # "No": nothing stopped
    assert window.workspace.queue_model.item(item_id).state is JobState.RUNNING
    answers.yes = True
    assert window.close()
    assert len(answers.asked) == 3  # stop? (no) / stop? (yes) / unsaved changes?
    assert not window.workspace.worker.is_running


# -- menu commands ------------------------------------------------------------------------------
def test_open_dialogs_queue_media_and_open_projects(qtbot, make_window, answers, tmp_path):
    window = make_window(FakeFactory(segments=2))
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=3))
    project = tmp_path / "talk.transcript"
    window.workspace.session(item_id).project_path = project
    assert window.commands.save()
    assert window.workspace.project_io.wait_for_writes()
    more = [make_wav(tmp_path / "more.wav")]
    answers.media = more
    answers.project = project
    window.menu_actions.open_media.trigger()
    assert window.workspace.queue_model.find_path(more[0]) is not None
    other = make_window(FakeFactory())
    other.menu_actions.open_project.trigger()
    assert other.current_session().project_path == project
    other.commands.fill_recent(other._recent_menu)
    assert [a.text() for a in other._recent_menu.actions()] == ["talk.transcript"]


def test_removing_an_unsaved_transcript_asks_first(qtbot, make_window, answers, tmp_path):
    window = make_window(FakeFactory(segments=2))
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=3))
    window.queue_pane.select(item_id)
    answers.save_choice = SaveChoice.CANCEL
    window.queue_pane.remove_button.click()
    assert window.workspace.session(item_id) is not None
    answers.save_choice = SaveChoice.DISCARD
    window.queue_pane.remove_button.click()
    assert window.workspace.session(item_id) is None
    assert window.workspace.queue_model.rowCount() == 0
    assert window.current_session() is None
    assert len(answers.asked) == 2


def test_the_settings_dialog_applies_and_stores_its_choice(qtbot, make_window, monkeypatch):
    from ui.dialogs.transcription_settings import TranscriptionSettingsDialog
    from ui.settings import load_settings

    factory = FakeFactory()
    window = make_window(factory)
    chosen = AppSettings(model="other-model", low_confidence_threshold=0.8)
    monkeypatch.setattr(TranscriptionSettingsDialog, "exec", lambda self: 1)
    monkeypatch.setattr(TranscriptionSettingsDialog, "settings", lambda self: chosen)
    window.menu_actions.settings.trigger()
    assert window.settings == chosen
    assert load_settings().low_confidence_threshold == 0.8
    assert "other-model" in window._model_label.text()


def test_view_menu_preferences_apply_and_are_stored(qtbot, make_window):
    from ui.settings import load_settings

    window = make_window()
    window.player.set_rate(1.5)  # as F4 does: no setting may reset it
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus[:4] == ["File", "Edit", "View", "Playback"]
    assert window.editor.click_plays()  # on by default: a click on a word plays it
    window.preferences.click_plays.trigger()
    assert not window.settings.click_plays
    assert not window.editor.click_plays()
    unsure = next(a.menu() for a in window.preferences.view_menu.actions() if a.menu() is not None)
    (seventy,) = [a for a in unsure.actions() if a.text() == "Below 70 %"]
    seventy.trigger()
    assert window.settings.low_confidence_threshold == 0.7
    assert load_settings().low_confidence_threshold == 0.7
    assert not load_settings().click_plays
    assert window.player.rate() == 1.5
    assert load_settings().playback_rate == 1.5


def test_choosing_the_value_a_setting_has_changes_nothing(qtbot, make_window):
    window = make_window()
    applied: list[AppSettings] = []
    window.store.changed.connect(applied.append)
    window.preferences.changed.emit("skip_ms", window.settings.skip_ms)
    assert applied == []
    window.preferences.changed.emit("skip_ms", 5000)
    assert [s.skip_ms for s in applied] == [5000]


def test_export_selection_as_audio_writes_the_selected_words_stretch(
    qtbot, make_window, answers, tmp_path
) -> None:
    import soundfile as sf

    window = make_window(FakeFactory(segments=3))
    window.show()
    qtbot.waitExposed(window)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    transcript = window.workspace.session(item_id).document.transcript
    # Select from the second word of segment 0 to the first word of segment 1.
    view = view_of(window)
    spans0, spans1 = word_spans(transcript.segments[0]), word_spans(transcript.segments[1])
    doc = view.document()
    cursor = view.textCursor()
    cursor.setPosition(doc.findBlockByNumber(0).position() + spans0[1][0])
    cursor.setPosition(
        doc.findBlockByNumber(1).position() + spans1[0][1], QTextCursor.MoveMode.KeepAnchor
    )
    view.setTextCursor(cursor)
    start = transcript.segments[0].words[1].start_ms
    end = transcript.segments[1].words[0].end_ms
    assert window.editor.selected_time_range() == (start, end)

    answers.clip_to = tmp_path / "clips" / "quote.wav"
    answers.clip_to.parent.mkdir()
    window.findChild(type(window.menu_actions.export), "transcript_export_audio").trigger()
    assert answers.asked[-1].startswith("save clip (suggested talk ")
    info = sf.info(answers.clip_to)
    assert info.duration == pytest.approx((end - start) / 1000, abs=0.002)

    answers.clip_to = tmp_path / "clips" / "quote.xyz"
    window.findChild(type(window.menu_actions.export), "transcript_export_audio").trigger()
    assert "can be saved as" in answers.told[-1]


def test_transcribe_selection_again_replaces_only_its_words_in_one_undo_step(
    qtbot, make_window, tmp_path
) -> None:
    window = make_window(FakeFactory(segments=3))
    window.show()
    qtbot.waitExposed(window)
    item_id = transcribed(qtbot, window, make_wav(tmp_path / "talk.wav", seconds=4))
    session = window.workspace.session(item_id)
    type_after_first_word(qtbot, view_of(window), 0, "X")  # an edit outside the range stays
    window.editor.commit_pending()
    before = session.document.transcript
    # Select the middle two words of segment 1.
    view = view_of(window)
    spans = word_spans(before.segments[1])
    block = view.document().findBlockByNumber(1).position()
    cursor = view.textCursor()
    cursor.setPosition(block + spans[1][0])
    cursor.setPosition(block + spans[2][1], QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)

    trigger = window.findChild(type(window.menu_actions.export), "transcript_transcribe_again")
    trigger.trigger()
    qtbot.waitUntil(lambda: session.document.transcript != before, timeout=WAIT_MS)
    after = session.document.transcript
    assert [w.stripped for w in after.segments[1].words[:1]] == ["alpha1"]
    assert "BRAVO1 CHARLIE1" in " ".join(s.text for s in after.segments)
    assert after.segments[0] == before.segments[0]  # the typed edit is untouched
    assert after.segments[-1] == before.segments[-1]
    session.undo_stack.undo()
    assert session.document.transcript == before
