"""Download plumbing: progress accounting, huggingface_hub's bars, error messages, cancel."""

from __future__ import annotations

import errno
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import huggingface_hub.file_download as hub_file_download
import pytest
from hub_fakes import not_found
from huggingface_hub import constants
from huggingface_hub.errors import (
    DryRunError,
    GatedRepoError,
    HfHubHTTPError,
    IncompleteSnapshotError,
    LocalEntryNotFoundError,
)
from huggingface_hub.utils._xet_progress_reporting import XetDownloadProgressReporter

import engine.download
from engine.download import (
    DownloadProgress,
    ProgressTracker,
    RepoPlan,
    _abort_xet_when_cancelled,
    _bar_class,
    _hub_error,
    cached_snapshot,
    hub_cache_dir,
    hub_offline,
)
from engine.errors import Cancelled

REPO = "mlx-community/whisper-tiny-mlx"


def plan(*files: tuple[str, int | None]) -> RepoPlan:
    return RepoPlan(REPO, "0" * 40, Path("/nowhere"), tuple(n for n, _ in files), files)


def tracker_with(
    *files: tuple[str, int | None], cancel: threading.Event | None = None
) -> tuple[ProgressTracker, list[DownloadProgress]]:
    events: list[DownloadProgress] = []
    tracker = ProgressTracker(events.append, cancel)
    tracker.expect(plan(*files))
    return tracker, events


def http_error(status: int, cls: type[HfHubHTTPError] = HfHubHTTPError) -> HfHubHTTPError:
    response = SimpleNamespace(headers={}, request=None, status_code=status)
    return cls(f"{status} error", response=response)  # type: ignore[arg-type]


def caused_by(error: Exception, cause: BaseException) -> Exception:
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("progress", "fraction"),
    [
        (DownloadProgress(5, None, "a"), None),
        (DownloadProgress(5, 0, "a"), None),
        (DownloadProgress(5, 20, "a"), 0.25),
        (DownloadProgress(30, 20, "a"), 1.0),
    ],
)
def test_fraction(progress: DownloadProgress, fraction: float | None) -> None:
    assert progress.fraction == fraction


def test_tracker_sums_files_and_never_goes_back() -> None:
    tracker, events = tracker_with(("a", 100), ("b", 50))
    tracker.moved(f"{REPO}/a", "a", 60)
    tracker.moved(f"{REPO}/a", "a", 10)  # a retry rewound its bar
    tracker.moved(f"{REPO}/a", "a", 500)  # more than the file: clamped
    tracker.finished(f"{REPO}/a", "a")
    tracker.moved(f"{REPO}/b", "b", 0)  # a new file is reported even without bytes
    tracker.moved(f"{REPO}/b", "b", 20)
    assert [(e.downloaded_bytes, e.file) for e in events] == [
        (60, "a"),
        (100, "a"),
        (100, "b"),
        (120, "b"),
    ]
    assert {e.total_bytes for e in events} == {150}


def test_tracker_total_unknown_when_a_size_is_unknown() -> None:
    tracker, events = tracker_with(("a", 100), ("b", None))
    tracker.moved(f"{REPO}/b", "b", 7)
    assert events == [DownloadProgress(7, None, "b")]


def test_cancel_raises_only_on_the_downloading_thread() -> None:
    cancel = threading.Event()
    tracker, events = tracker_with(("a", 100), cancel=cancel)
    cancel.set()
    # hf_xet calls progress from its own threads and swallows exceptions: never raise there.
    other = threading.Thread(target=tracker.moved, args=(f"{REPO}/a", "a", 40))
    other.start()
    other.join()
    assert events[-1].downloaded_bytes == 40
    with pytest.raises(Cancelled):
        tracker.moved(f"{REPO}/a", "a", 50)


@contextmanager
def fake_stream(chunks: list[bytes], **_kwargs: Any) -> Iterator[SimpleNamespace]:
    yield SimpleNamespace(
        status_code=200,
        headers={"Content-Length": str(sum(map(len, chunks)))},
        raise_for_status=lambda: None,
        iter_bytes=lambda chunk_size: iter(chunks),
    )


def test_bar_works_in_huggingface_hubs_http_download(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real ``http_get`` loop drives our duck-typed bar (only the socket is faked)."""
    chunks = [b"x" * 1000, b"y" * 500, b"z" * 24]
    monkeypatch.setattr(
        hub_file_download, "http_stream_backoff", lambda **kw: fake_stream(chunks, **kw)
    )
    tracker, events = tracker_with(("weights.npz", 1524))
    out = io.BytesIO()
    bar = _bar_class(tracker, f"{REPO}/weights.npz", "weights.npz")
    hub_file_download.http_get("https://example.invalid/w", out, tqdm_class=bar)
    assert out.getvalue() == b"".join(chunks)
    assert [e.downloaded_bytes for e in events] == [0, 1000, 1500, 1524]


def test_bar_gets_a_xet_download_as_one_bar() -> None:
    """With ``update_transfer``, the Xet reporter feeds written bytes to a single bar."""
    tracker, events = tracker_with(("weights.npz", 1000))
    bar = _bar_class(tracker, f"{REPO}/weights.npz", "weights.npz")
    reporter = XetDownloadProgressReporter(
        reconstruction_desc="weights.npz", total=1000, log_level=0, tqdm_class=bar
    )
    assert reporter.transfer_bar is reporter.reconstruction_bar
    for written, received in ((300, 500), (1000, 1000)):
        report = SimpleNamespace(
            total_bytes_completed=written,
            total_transfer_bytes_completed=received,
            total_bytes=1000,
            total_bytes_completion_rate=None,
            total_transfer_bytes_completion_rate=None,
        )
        reporter.update_progress(report)
    reporter.close()
    assert [e.downloaded_bytes for e in events] == [0, 300, 1000]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (GatedRepoError("403", response=http_error(403).response), "is gated"),
        (caused_by(DryRunError("no"), not_found(REPO)), "was not found on Hugging Face"),
        (http_error(401), r"refused access .* \(error 401\)"),
        (http_error(503), "answered with error 503"),
        (OSError(errno.ENOSPC, "No space left on device"), "disk is full"),
        (caused_by(DryRunError("no"), ConnectionError("down")), "there is no connection"),
        (LocalEntryNotFoundError("not cached, offline"), "there is no connection"),
        (RuntimeError("something odd"), "downloading .* failed: something odd"),
    ],
)
def test_hub_errors_become_plain_messages(error: Exception, expected: str) -> None:
    message = str(_hub_error(error, REPO))
    assert REPO in message
    assert re.search(expected, message)


def test_any_transport_error_means_no_connection() -> None:
    # httpx and httpx2 both name their network-failure base class TransportError.
    class TransportError(Exception):
        pass

    class ConnectError(TransportError):
        pass

    error = caused_by(DryRunError("no"), ConnectError("[Errno -2] Name or service not known"))
    assert "no connection" in str(_hub_error(error, REPO))


def test_cancel_aborts_xet_transfers(monkeypatch: pytest.MonkeyPatch) -> None:
    aborted = threading.Event()
    monkeypatch.setattr(engine.download, "_abort_xet", aborted.set)
    cancel = threading.Event()
    with _abort_xet_when_cancelled(cancel):
        cancel.set()
        assert aborted.wait(timeout=30)


def test_no_abort_without_cancel(monkeypatch: pytest.MonkeyPatch) -> None:
    aborted = threading.Event()
    monkeypatch.setattr(engine.download, "_abort_xet", aborted.set)
    with _abort_xet_when_cancelled(threading.Event()):
        pass
    assert not aborted.is_set()


def test_cache_dir_follows_the_environment_now(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert hub_cache_dir() == tmp_path / "home" / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    assert hub_cache_dir() == tmp_path / "cache"


@pytest.mark.parametrize(
    ("value", "offline"), [("1", True), ("ON", True), ("0", False), ("", False)]
)
def test_offline_mode_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, offline: bool
) -> None:
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert hub_offline() is offline


@pytest.mark.parametrize(
    ("error", "found"),
    [
        (
            IncompleteSnapshotError("files missing", snapshot_path="/cache/snap"),
            Path("/cache/snap"),
        ),
        (LocalEntryNotFoundError("not cached"), None),
        (ValueError("not a valid repo id"), None),
    ],
)
def test_cached_snapshot_when_the_cache_says_no(
    monkeypatch: pytest.MonkeyPatch, error: Exception, found: Path | None
) -> None:
    def offline_lookup(*_args: object, **_kwargs: object) -> str:
        raise error

    monkeypatch.setattr(engine.download, "snapshot_download", offline_lookup)
    assert cached_snapshot(REPO, ["config.json"]) == found
