from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from engine.download import DownloadProgress
from engine.errors import Cancelled, ModelLoadError
from ui.queue import model_download as download
from ui.queue.model_download import (
    DownloadWorker,
    ModelDownloader,
    download_failure,
    format_bytes,
)

TOTAL = 4_000_000


class FakeHub:
    """Stands in for resolve_model: reports progress in steps, honours cancel, may fail."""

    def __init__(self, *, fail_with: Exception | None = None, hold: bool = False) -> None:
        self.fail_with = fail_with
        self.hold = threading.Event()
        if not hold:
            self.hold.set()
        self.calls: list[str] = []
        self.thread_names: list[str] = []

    def __call__(
        self,
        name: str,
        *,
        allow_download: bool = True,
        on_progress: Callable[[DownloadProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> object:
        self.calls.append(name)
        self.thread_names.append(threading.current_thread().name)
        assert on_progress is not None
        assert cancel is not None
        for step in range(1, 5):
            on_progress(DownloadProgress(step * TOTAL // 4, TOTAL, "weights.safetensors"))
            if step == 2:
                # Wait for the test (or a cancel) like a slow connection would.
                while not self.hold.wait(0.01):
                    if cancel.is_set():
                        raise Cancelled("the download was cancelled")
            if cancel.is_set():
                raise Cancelled("the download was cancelled")
        if self.fail_with is not None:
            raise self.fail_with
        return object()


@pytest.fixture
def downloader(qtbot: QtBot) -> ModelDownloader:
    d = ModelDownloader()
    yield d
    d.shutdown()


@pytest.mark.parametrize(
    ("count", "text"),
    [(0, "0 B"), (999, "999 B"), (12_345, "12.3 KB"), (481_000_000, "481.0 MB"),
     (1_614_000_000, "1.6 GB"), (5 * 10**12, "5000.0 GB")],
)  # fmt: skip
def test_format_bytes(count: int, text: str) -> None:
    assert format_bytes(count) == text


def test_download_reports_progress_and_finishes(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, downloader: ModelDownloader
) -> None:
    hub = FakeHub()
    monkeypatch.setattr(download, "resolve_model", hub)
    monkeypatch.setattr(download, "PROGRESS_INTERVAL_S", 0.0)
    progress: list[tuple[str, int, object]] = []
    downloader.progress.connect(lambda *args: progress.append(args))
    with qtbot.waitSignal(downloader.finished, timeout=5000) as blocker:
        assert downloader.start("tiny")
    assert blocker.args == ["tiny"]
    assert hub.calls == ["tiny"]
    assert hub.thread_names != [threading.current_thread().name]
    assert progress[-1] == ("tiny", TOTAL, TOTAL)
    assert [p[1] for p in progress] == sorted(p[1] for p in progress)
    assert not downloader.is_running()


def test_progress_is_throttled_but_the_last_report_always_arrives(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, downloader: ModelDownloader
) -> None:
    monkeypatch.setattr(download, "resolve_model", FakeHub())
    monkeypatch.setattr(download, "PROGRESS_INTERVAL_S", 3600.0)
    progress: list[tuple[str, int, object]] = []
    downloader.progress.connect(lambda *args: progress.append(args))
    with qtbot.waitSignal(downloader.finished, timeout=5000):
        downloader.start("tiny")
    assert progress == [("tiny", TOTAL // 4, TOTAL), ("tiny", TOTAL, TOTAL)]


def test_cancel_stops_the_download(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, downloader: ModelDownloader
) -> None:
    hub = FakeHub(hold=True)
    monkeypatch.setattr(download, "resolve_model", hub)
    with qtbot.waitSignal(downloader.progress, timeout=5000):
        downloader.start("small")
    assert downloader.is_running()
    assert downloader.current_model() == "small"
    assert not downloader.start("base"), "one download at a time"
    with qtbot.waitSignal(downloader.cancelled, timeout=5000) as blocker:
        downloader.cancel()
    assert blocker.args == ["small"]
    assert not downloader.is_running()
    assert hub.calls == ["small"]


def test_failure_is_reported_as_a_sentence(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, downloader: ModelDownloader
) -> None:
    error = ModelLoadError("there is no connection to Hugging Face; check the network")
    monkeypatch.setattr(download, "resolve_model", FakeHub(fail_with=error))
    with qtbot.waitSignal(downloader.failed, timeout=5000) as blocker:
        downloader.start("small")
    assert blocker.args == [
        "small",
        "Could not download small: there is no connection to Hugging Face; check the network.",
    ]
    assert not downloader.is_running()


@pytest.mark.parametrize(
    ("clause", "sentence"),
    [
        (
            "mlx-community/whisper-small.en-mlx is not downloaded yet and there is no connection "
            "to Hugging Face: check the internet connection and try again",
            "Could not download small.en: there is no connection to Hugging Face. Check the "
            "internet connection and try again.",
        ),
        (
            "the model small (about 484 MB) is not downloaded yet and downloading is turned off",
            "Could not download small: downloading is turned off.",
        ),
        (
            "Hugging Face refused access to org/x (error 401): log in and try again",
            "Could not download small.en: Hugging Face refused access to org/x (error 401). "
            "Log in and try again.",
        ),
    ],
)
def test_a_failed_download_names_the_model_once(clause: str, sentence: str) -> None:
    model = "small" if "small (" in clause else "small.en"
    assert download_failure(model, clause) == sentence


def test_unexpected_errors_are_reported_not_raised(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, downloader: ModelDownloader
) -> None:
    monkeypatch.setattr(download, "resolve_model", FakeHub(fail_with=OSError("disk full")))
    with qtbot.waitSignal(downloader.failed, timeout=5000) as blocker:
        downloader.start("small")
    assert "disk full" in blocker.args[1]


def test_a_second_download_can_follow(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, downloader: ModelDownloader
) -> None:
    hub = FakeHub()
    monkeypatch.setattr(download, "resolve_model", hub)
    for name in ("tiny", "base"):
        with qtbot.waitSignal(downloader.finished, timeout=5000):
            downloader.start(name)
    assert hub.calls == ["tiny", "base"]


def test_shutdown_cancels_and_joins(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    hub = FakeHub(hold=True)
    monkeypatch.setattr(download, "resolve_model", hub)
    d = ModelDownloader()
    with qtbot.waitSignal(d.progress, timeout=5000):
        d.start("small")
    thread = d._thread
    assert thread is not None
    d.shutdown()
    assert thread.isFinished()
    assert not d.is_running()


def test_worker_emits_exactly_one_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "resolve_model", FakeHub())
    worker = DownloadWorker("tiny")
    outcomes: list[str] = []
    worker.finished.connect(lambda: outcomes.append("finished"))
    worker.failed.connect(lambda m: outcomes.append("failed"))
    worker.cancelled.connect(lambda: outcomes.append("cancelled"))
    worker.run()  # synchronously, on this thread
    assert outcomes == ["finished"]
