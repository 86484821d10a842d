from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt, QUrl
from shell_fakes import FakeFactory, Recorder, make_not_audio, make_wav

from engine.options import TranscribeOptions
from ui.queue.item_model import (
    QUEUE_MIME_TYPE,
    JobState,
    QueueItem,
    QueueModel,
    collect_media_files,
)
from ui.queue.pane import QueuePane, format_clock, status_text
from ui.queue.runner import QueueRunner, format_model_status
from ui.queue.worker import TranscriptionWorker

WAIT_MS = 10_000


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return [make_wav(tmp_path / f"clip{i}.wav") for i in range(3)]


def states(model: QueueModel) -> list[JobState]:
    return [it.state for it in model.items()]


def names(model: QueueModel) -> list[str]:
    return [it.name for it in model.items()]


# -- the model ----------------------------------------------------------------------------------
def test_queue_model_passes_the_model_tester(qtmodeltester, files) -> None:
    model = QueueModel()
    ids = model.add_files(files)
    model.update(ids[0], state=JobState.RUNNING, progress=0.4, eta=12.0)
    model.update(ids[1], state=JobState.FAILED, error="It is not audio.")
    qtmodeltester.check(model, force_py=True)


def test_folders_add_their_media_files_recursively(tmp_path) -> None:
    top = tmp_path / "interviews"
    make_wav(top / "b.wav")
    make_wav(top / "day 2" / "a.flac")
    make_wav(top / ".hidden" / "c.wav")
    (top / "notes.txt").write_text("not media")
    (top / "cover.JPG").write_bytes(b"\xff\xd8")
    found = collect_media_files([top])
    assert sorted(p.relative_to(top).as_posix() for p in found) == ["b.wav", "day 2/a.flac"]


def test_files_named_explicitly_are_kept_whatever_their_extension(tmp_path) -> None:
    odd = tmp_path / "recording.dat"
    odd.write_bytes(b"RIFF")
    assert collect_media_files([odd]) == [odd]


def test_adding_a_file_twice_keeps_one_row(files) -> None:
    model = QueueModel()
    first = model.add_files(files[:2])
    again = model.add_files([files[1], files[2]])
    assert len(first) == 2
    assert len(again) == 1
    assert names(model) == [f.name for f in files]


def test_only_waiting_rows_move(files) -> None:
    model = QueueModel()
    ids = model.add_files(files)
    model.update(ids[0], state=JobState.DONE)
    assert not model.move_item(ids[0], 3)
    assert model.move_item(ids[2], 1)
    assert names(model) == ["clip0.wav", "clip2.wav", "clip1.wav"]
    assert model.move_item(ids[2], 3)
    assert names(model) == ["clip0.wav", "clip1.wav", "clip2.wav"]
    flags = model.flags(model.index(0))
    assert not flags & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(model.index(1)) & Qt.ItemFlag.ItemIsDragEnabled


def test_dropping_row_ids_moves_them(files) -> None:
    model = QueueModel()
    ids = model.add_files(files)
    mime = model.mimeData([model.index(2)])
    assert json.loads(bytes(mime.data(QUEUE_MIME_TYPE).data())) == [ids[2]]
    model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert names(model) == ["clip2.wav", "clip0.wav", "clip1.wav"]


def test_dropping_file_urls_on_the_list_adds_them_there(files, tmp_path) -> None:
    model = QueueModel()
    model.add_files(files[:2])
    folder = tmp_path / "more"
    make_wav(folder / "x.wav")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder)), QUrl.fromLocalFile(str(files[2]))])
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert names(model) == ["clip0.wav", "x.wav", "clip2.wav", "clip1.wav"]


def test_garbage_row_data_is_refused(files) -> None:
    model = QueueModel()
    model.add_files(files)
    mime = QMimeData()
    mime.setData(QUEUE_MIME_TYPE, QByteArray(b"{not json"))
    assert not model.dropMimeData(mime, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert names(model) == [f.name for f in files]


def test_status_text_shows_progress_eta_and_errors(tmp_path) -> None:
    item = QueueItem(1, tmp_path / "a.wav", state=JobState.RUNNING, progress=0.42, eta=75.0)
    assert status_text(item) == "42% · 1:15 left"
    failed = QueueItem(2, tmp_path / "b.wav", state=JobState.FAILED, error="Cannot decode b.wav.")
    assert status_text(failed) == "Cannot decode b.wav."
    assert format_clock(3725) == "1:02:05"


# -- the runner ---------------------------------------------------------------------------------
Queue = tuple[QueueModel, QueueRunner, TranscriptionWorker]


@pytest.fixture
def make_queue(qtbot) -> Iterator[Callable[[FakeFactory], Queue]]:
    made: list[Queue] = []

    def make(factory: FakeFactory) -> Queue:
        model = QueueModel()
        worker = TranscriptionWorker(factory)
        worker.start()
        runner = QueueRunner(model, worker, TranscribeOptions)
        runner.set_model("fake-model")
        made.append((model, runner, worker))
        return model, runner, worker

    yield make
    for _, runner, worker in made:
        runner.shutdown()
        assert worker.shutdown(5000)


@pytest.fixture
def queue(make_queue) -> Queue:
    return make_queue(FakeFactory(segments=3, delay=0.01))


def test_the_queue_runs_waiting_files_one_at_a_time_in_order(qtbot, queue, files) -> None:
    model, _, worker = queue
    recorder = Recorder(worker)
    most_running = 0

    def watch(*args: object) -> None:
        nonlocal most_running
        most_running = max(most_running, states(model).count(JobState.RUNNING))

    model.dataChanged.connect(watch)
    ids = model.add_files(files)
    qtbot.waitUntil(lambda: states(model) == [JobState.DONE] * 3, timeout=WAIT_MS)
    assert [args[0] for args in recorder.of("job_started")] == ids
    assert [args[0] for args in recorder.of("job_ended")] == ids  # each ends exactly once
    assert most_running == 1
    assert all(it.progress == 1.0 for it in model.items())


def test_durations_are_probed_in_the_background(qtbot, queue, tmp_path) -> None:
    model, runner, _ = queue
    runner.set_model("")  # nothing loads: the queue waits, probing still happens
    runner.cancel_all()
    long = make_wav(tmp_path / "long.wav", seconds=2.5)
    (item_id,) = model.add_files([long])
    qtbot.waitUntil(lambda: model.item(item_id).duration is not None, timeout=WAIT_MS)
    assert model.item(item_id).duration == pytest.approx(2.5)


def test_a_failing_file_shows_its_error_and_the_queue_goes_on(qtbot, queue, files, tmp_path):
    model, _, _ = queue
    bad = make_not_audio(tmp_path / "notes.wav")
    model.add_files([bad, files[0]])
    qtbot.waitUntil(lambda: states(model) == [JobState.FAILED, JobState.DONE], timeout=WAIT_MS)
    failed = model.items()[0]
    assert "notes.wav" in status_text(failed)
    assert failed.error in model.data(model.index(0), Qt.ItemDataRole.ToolTipRole)


def test_cancel_retry_and_remove(qtbot, make_queue, files) -> None:
    model, runner, _ = make_queue(FakeFactory(segments=10_000, delay=0.01))
    ids = model.add_files(files)
    qtbot.waitUntil(lambda: model.item(ids[0]).progress > 0, timeout=WAIT_MS)
    runner.cancel(ids[1])  # waiting: never starts
    assert model.item(ids[1]).state is JobState.CANCELLED
    runner.cancel(ids[0])  # running: stops within a batch, then the next waiting starts
    qtbot.waitUntil(lambda: model.item(ids[2]).state is JobState.RUNNING, timeout=WAIT_MS)
    assert model.item(ids[0]).state is JobState.CANCELLED
    runner.remove(ids[2])
    assert model.item(ids[2]) is None
    qtbot.waitUntil(lambda: runner.running_id is None, timeout=WAIT_MS)
    assert runner.retry(ids[1])
    qtbot.waitUntil(lambda: model.item(ids[1]).state is JobState.RUNNING, timeout=WAIT_MS)
    assert not runner.retry(ids[1])  # only failed or cancelled files are retried
    runner.cancel_all()
    qtbot.waitUntil(lambda: runner.running_id is None, timeout=WAIT_MS)


def test_a_model_that_cannot_load_pauses_the_queue_until_it_changes(qtbot, make_queue, files):
    factory = FakeFactory(segments=2, fail_with="The model is not downloaded and you are offline.")
    model, runner, _ = make_queue(factory)
    messages: list[str] = []
    runner.status_message.connect(messages.append)
    ids = model.add_files(files[:2])
    qtbot.waitUntil(lambda: model.item(ids[0]).state is JobState.FAILED, timeout=WAIT_MS)
    assert runner.paused
    assert model.item(ids[1]).state is JobState.WAITING
    assert factory.fail_with in messages
    factory.fail_with = None
    runner.set_model("another-model")
    qtbot.waitUntil(lambda: model.item(ids[1]).state is JobState.DONE, timeout=WAIT_MS)


# -- the pane -----------------------------------------------------------------------------------
def test_the_pane_buttons_follow_the_selected_row(qtbot, files) -> None:
    model = QueueModel()
    pane = QueuePane(model)
    qtbot.addWidget(pane)
    pane.resize(260, 400)
    pane.show()
    assert not pane.view.isVisible()  # the empty list shows a hint instead
    ids = model.add_files(files)
    model.update(ids[0], state=JobState.RUNNING, progress=0.5, eta=30.0, duration=95.0)
    model.update(ids[1], state=JobState.FAILED, error="Cannot decode clip1.wav.")
    assert pane.view.isVisible()
    requested: list[tuple[str, int]] = []
    pane.cancel_requested.connect(lambda i: requested.append(("cancel", i)))
    pane.retry_requested.connect(lambda i: requested.append(("retry", i)))
    pane.remove_requested.connect(lambda i: requested.append(("remove", i)))
    pane.select(ids[0])
    assert pane.cancel_button.isEnabled()
    assert not pane.retry_button.isEnabled()
    pane.cancel_button.click()
    pane.select(ids[1])
    assert pane.retry_button.isEnabled()
    assert not pane.cancel_button.isEnabled()
    pane.retry_button.click()
    pane.remove_button.click()
    assert requested == [("cancel", ids[0]), ("retry", ids[1]), ("remove", ids[1])]
    image = pane.grab().toImage()  # paints every row through the delegate
    assert not image.isNull()


def test_double_clicking_a_row_asks_to_open_it(qtbot, files) -> None:
    model = QueueModel()
    pane = QueuePane(model)
    qtbot.addWidget(pane)
    ids = model.add_files(files)
    with qtbot.waitSignal(pane.open_requested) as opened:
        pane.view.doubleClicked.emit(model.index(1))
    assert opened.args == [ids[1]]


def test_the_model_is_named_as_a_person_knows_it(tmp_path) -> None:
    folder = tmp_path / "whisper-tiny.en-mlx"
    folder.mkdir()
    assert format_model_status(str(folder), "cpu") == "Model: whisper-tiny.en-mlx · CPU"
    assert format_model_status("small", "gpu") == "Model: small · GPU"
