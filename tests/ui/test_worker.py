from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from shell_fakes import FakeFactory, Recorder, make_not_audio, make_wav

from engine.options import TranscribeOptions
from ui.queue.item_model import JobState
from ui.queue.worker import JobEnd, TranscriptionWorker


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """A tiny valid WAV file (the fake transcriber probes it)."""
    return make_wav(tmp_path / "tone.wav")


def running(factory: FakeFactory) -> Iterator[tuple[TranscriptionWorker, Recorder]]:
    worker = TranscriptionWorker(factory)
    recorder = Recorder(worker)
    worker.select_model("fake-model")
    worker.start()
    yield worker, recorder
    assert worker.shutdown(5000)


@pytest.fixture
def factory() -> FakeFactory:
    return FakeFactory()


@pytest.fixture
def worker(qtbot, factory: FakeFactory) -> Iterator[tuple[TranscriptionWorker, Recorder]]:
    yield from running(factory)


def test_a_job_streams_its_segments_then_finishes(qtbot, worker, factory, media) -> None:
    w, rec = worker
    w.request_job(1, str(media), TranscribeOptions())
    assert rec.wait_for(qtbot, "job_done") == (1,)
    names = rec.names()
    assert names.index("model_ready") < names.index("job_started") < names.index("segments_ready")
    streamed = [s for _, batch in rec.of("segments_ready") for s in batch]
    assert [s.id for s in streamed] == list(range(factory.segments))
    assert rec.of("job_started")[0][1].model == "fake-model"  # the engine's TranscriptionInfo
    last = rec.of("progress")[-1][1]  # the engine's Progress
    assert last.done == last.total == factory.segments
    assert rec.of("job_ended") == [(1, JobEnd(JobState.DONE))]  # once, and nothing else ends


def test_the_model_is_built_on_the_worker_thread_once(qtbot, worker, factory, media) -> None:
    w, rec = worker
    w.request_job(1, str(media), TranscribeOptions())
    w.request_job(2, str(media), TranscribeOptions())
    rec.wait_for(qtbot, "job_done", count=2)
    assert len(factory.loads) == 1
    (_name, thread_id), transcriber = factory.loads[0], factory.made[0]
    assert thread_id != threading.get_ident()
    assert set(transcriber.threads) == {thread_id}


def test_changing_the_model_reloads_before_the_next_job(qtbot, worker, factory, media) -> None:
    w, rec = worker
    w.request_job(1, str(media), TranscribeOptions())
    rec.wait_for(qtbot, "job_done")
    w.select_model("other-model")
    w.request_job(2, str(media), TranscribeOptions())
    rec.wait_for(qtbot, "job_done", count=2)
    assert rec.of("model_ready") == [("fake-model", "cpu"), ("other-model", "cpu")]
    assert [name for name, _ in factory.loads] == ["fake-model", "other-model"]


def test_request_model_loads_now_and_reports_download_progress(qtbot) -> None:
    for w, rec in running(FakeFactory(download_steps=3)):
        w.request_model("downloaded")
        rec.wait_for(qtbot, "model_ready")
        fractions = [p[0].fraction for p in rec.of("download_progress")]
        assert len(fractions) == 3
        assert fractions == sorted(fractions)
        assert fractions[-1] == 1.0
        assert rec.of("model_loading") == [("downloaded",)]


def test_a_bad_file_fails_in_words_and_the_next_job_runs(qtbot, worker, media, tmp_path) -> None:
    w, rec = worker
    bad = make_not_audio(tmp_path / "notes.wav")
    w.request_job(1, str(bad), TranscribeOptions())
    w.request_job(2, str(media), TranscribeOptions())
    rec.wait_for(qtbot, "job_done")
    (job, message), *_ = rec.of("job_failed")
    assert job == 1
    assert "notes.wav" in message
    assert "Traceback" not in message
    assert rec.of("job_done") == [(2,)]


def test_an_unexpected_error_is_reported_and_logged(qtbot, worker, factory, media, caplog):
    w, rec = worker
    w.request_model("fake-model")
    rec.wait_for(qtbot, "model_ready")

    def explode(*args, **kwargs):
        raise ZeroDivisionError("boom")

    factory.made[0].transcribe = explode
    w.request_job(3, str(media), TranscribeOptions())
    assert rec.wait_for(qtbot, "job_failed") == (3, "Unexpected error: boom")
    assert any(r.exc_info for r in caplog.records if r.name == "ui.queue.worker")


def test_cancelling_the_running_job_stops_it_within_a_batch(qtbot, media) -> None:
    for w, rec in running(FakeFactory(segments=10_000, delay=0.01)):
        w.request_job(1, str(media), TranscribeOptions())
        rec.wait_for(qtbot, "segments_ready")
        w.cancel_job(1)
        assert rec.wait_for(qtbot, "job_cancelled") == (1,)
        assert "job_done" not in rec.names()
        assert len(rec.of("job_ended")) == 1


def test_a_job_cancelled_before_it_starts_never_runs(qtbot, media) -> None:
    for w, rec in running(FakeFactory(segments=10_000, delay=0.01)):
        w.request_job(1, str(media), TranscribeOptions())
        rec.wait_for(qtbot, "segments_ready")
        w.request_job(2, str(media), TranscribeOptions())
        w.cancel_job(2)
        w.cancel_job(1)
        rec.wait_for(qtbot, "job_cancelled", count=2)
        assert [a[0] for a in rec.of("job_cancelled")] == [1, 2]
        assert [a[0] for a in rec.of("job_started")] == [1]


def test_a_model_that_cannot_load_fails_the_job_with_its_message(qtbot, media) -> None:
    factory = FakeFactory(fail_with="You are offline and tiny.en is not downloaded.")
    for w, rec in running(factory):
        w.request_job(1, str(media), TranscribeOptions())
        assert rec.wait_for(qtbot, "job_failed") == (1, factory.fail_with)
        assert rec.of("model_failed") == [(factory.fail_with,)]


def test_shutdown_during_a_long_job_joins_the_thread(qtbot, media) -> None:
    worker = TranscriptionWorker(FakeFactory(segments=10_000, delay=0.01))
    rec = Recorder(worker)
    worker.select_model("fake-model")
    worker.start()
    worker.request_job(1, str(media), TranscribeOptions())
    rec.wait_for(qtbot, "segments_ready")
    assert worker.shutdown(5000)
    assert not worker.is_running


def test_shutdown_without_start_is_harmless() -> None:
    worker = TranscriptionWorker(FakeFactory())
    assert worker.shutdown()


def test_a_model_request_overtaken_by_another_choice_is_skipped(qtbot, worker, factory, media):
    w, rec = worker
    w.request_model("first-choice")
    w.select_model("second-choice")  # before the worker got to the request
    w.request_job(1, str(media), TranscribeOptions())
    rec.wait_for(qtbot, "job_done")
    loaded = [name for name, _ in factory.loads]
    assert loaded[-1] == "second-choice"
    assert rec.of("job_started")[0][1].model == "second-choice"
