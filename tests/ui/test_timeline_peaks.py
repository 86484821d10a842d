"""The waveform's peaks: exact min/max of the decoded samples, the pyramid, the cache, the job."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import ui.timeline.peak_loader as peak_loader
from engine.audio import load_audio, open_audio
from ui.timeline.peak_cache import FORMAT_VERSION, cache_path, load_peaks, save_peaks
from ui.timeline.peak_loader import PeakLoader
from ui.timeline.peaks import (
    BUCKETS_PER_SECOND,
    LEVEL_FACTOR,
    PEAK_DTYPE,
    SAMPLES_PER_BUCKET,
    PeakBuilder,
    Peaks,
)

WAIT_MS = 30_000


def expected_peaks(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of every 10 ms of ``samples`` (the last bucket may be short), by numpy."""
    starts = np.arange(0, len(samples), SAMPLES_PER_BUCKET)
    return (
        np.minimum.reduceat(samples, starts).astype(PEAK_DTYPE),
        np.maximum.reduceat(samples, starts).astype(PEAK_DTYPE),
    )


def peaks_of(path: Path, block_seconds: float = 1.3) -> Peaks:
    with open_audio(path, block_seconds=block_seconds) as stream:
        builder = PeakBuilder(stream.info.duration)
        for block in stream:
            builder.add(block)
    return builder.finish()


def make_tone(path: Path, seconds: float, rate: int = 16000) -> Path:
    """A 440 Hz tone whose loudness rises and falls, with a silent second in the middle."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.1 + 0.8 * np.abs(np.sin(t * np.pi / seconds * 3))
    signal = (envelope * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    middle = len(signal) // 2
    signal[middle : middle + rate] = 0
    sf.write(path, signal, rate)
    return path


# -- computing -------------------------------------------------------------------------------------
def test_peaks_of_a_real_clip_are_the_min_and_max_of_its_samples(jfk_flac) -> None:
    samples = load_audio(jfk_flac)
    peaks = peaks_of(jfk_flac)  # blocks that do not end on a bucket boundary
    mins, maxs = expected_peaks(samples)
    np.testing.assert_array_equal(peaks.base.mins, mins)
    np.testing.assert_array_equal(peaks.base.maxs, maxs)
    assert peaks.complete
    assert peaks.duration_ms == pytest.approx(len(samples) / 16, abs=10)
    assert peaks.loudest == pytest.approx(float(np.abs(samples).max()), rel=1e-3)


def test_each_level_of_the_pyramid_merges_the_one_below(tmp_path) -> None:
    peaks = peaks_of(make_tone(tmp_path / "tone.wav", seconds=37.3))
    for below, level in zip(peaks.levels, peaks.levels[1:], strict=False):
        assert level.buckets_per_second == below.buckets_per_second / LEVEL_FACTOR
        starts = np.arange(0, len(below.mins), LEVEL_FACTOR)
        np.testing.assert_array_equal(level.mins, np.minimum.reduceat(below.mins, starts))
        np.testing.assert_array_equal(level.maxs, np.maximum.reduceat(below.maxs, starts))
    assert peaks.level_for(150) is peaks.levels[0]  # zoomed in: the finest
    assert peaks.level_for(2).buckets_per_second == 6.25  # the coarsest with a bucket per pixel


def test_pixel_columns_hold_the_extremes_of_the_samples_under_them(tmp_path) -> None:
    path = make_tone(tmp_path / "tone.wav", seconds=20)
    samples = load_audio(path)
    peaks = peaks_of(path)
    # 7 px per second from 1.5 s on: each column spans 142.86 ms of samples.
    start_ms, ms_per_px, width = 1500.0, 1000 / 7, 100
    level = peaks.level_for(7)
    lows, highs = level.columns(start_ms, ms_per_px, width)
    per_bucket = 16000 / level.buckets_per_second
    for x in (0, 13, 50, 99):
        first = int(np.floor((start_ms + x * ms_per_px) * level.buckets_per_second / 1000))
        stop = int(np.floor((start_ms + (x + 1) * ms_per_px) * level.buckets_per_second / 1000))
        chunk = samples[int(first * per_bucket) : int(stop * per_bucket)]
        assert lows[x] == pytest.approx(chunk.min(), abs=1e-3)
        assert highs[x] == pytest.approx(chunk.max(), abs=1e-3)
    # Past the end of the recording (20 s) columns are empty.
    lows, _ = peaks.base.columns(19_000, 100, 30)
    assert not np.isnan(lows[:10]).any()
    assert np.isnan(lows[11:]).all()


def test_snapshots_grow_with_the_blocks_and_share_the_arrays() -> None:
    builder = PeakBuilder(expected_seconds=3)
    builder.add(np.full(16000, 0.5, np.float32))
    first = builder.snapshot()
    builder.add(np.full(8000 + 80, -0.25, np.float32))
    second = builder.snapshot()
    assert (first.duration_ms, second.duration_ms) == (1000, 1500)
    assert not second.complete
    assert float(first.base.maxs[-1]) == 0.5  # untouched by the later block
    done = builder.finish()
    assert done.duration_ms == 1510  # the half bucket at the end counts
    assert float(done.base.mins[-1]) == -0.25


def test_memory_stays_bounded_without_a_known_duration() -> None:
    builder = PeakBuilder()
    block = np.zeros(16000 * 60, np.float32)
    for _ in range(25):  # 25 minutes, more than the first allocation
        builder.add(block)
    peaks = builder.finish()
    needed = 25 * 60 * BUCKETS_PER_SECOND
    assert len(peaks.base.mins) == needed
    # min + max in float16, at most doubled while growing, plus a third for the pyramid
    assert builder.nbytes < needed * 2 * 2 * 2 * 1.4
    sized = PeakBuilder(expected_seconds=3 * 3600)  # a known duration: no doubling
    assert sized.nbytes < 6_000_000  # 4.3 MB of base level, a third more for the pyramid


# -- the cache -------------------------------------------------------------------------------------
def test_cached_peaks_come_back_equal_and_go_stale_when_the_file_changes(tmp_path) -> None:
    media = make_tone(tmp_path / "tone.wav", seconds=5)
    peaks = peaks_of(media)
    folder = tmp_path / "cache"
    assert load_peaks(folder, media) is None
    saved = save_peaks(folder, media, peaks)
    assert saved == cache_path(folder, media)
    loaded = load_peaks(folder, media)
    assert loaded is not None
    assert loaded.complete
    for a, b in zip(loaded.levels, peaks.levels, strict=True):
        np.testing.assert_array_equal(a.mins, b.mins)
        np.testing.assert_array_equal(a.maxs, b.maxs)
    stat = media.stat()
    os.utime(media, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_peaks(folder, media) is None  # edited since: another key


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"not a zip file at all"),
        lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]),
        lambda p: np.savez(p, version=np.int32(FORMAT_VERSION + 1)),
        lambda p: np.savez(p, version=np.int32(FORMAT_VERSION), buckets_per_second=np.int32(100),
                           media=np.str_("elsewhere"), mins=np.zeros(3, np.float16),
                           maxs=np.zeros(3, np.float16)),
    ],
    ids=["garbage", "truncated", "other-version", "other-file"],
)  # fmt: skip
def test_a_damaged_cache_is_ignored(tmp_path, damage) -> None:
    media = make_tone(tmp_path / "tone.wav", seconds=3)
    folder = tmp_path / "cache"
    target = save_peaks(folder, media, peaks_of(media))
    assert target is not None
    damage(target)
    assert load_peaks(folder, media) is None


# -- the background job ----------------------------------------------------------------------------
def test_the_loader_computes_off_the_ui_thread_then_reads_the_cache(qtbot, tmp_path, monkeypatch):
    media = make_tone(tmp_path / "tone.wav", seconds=12)
    threads: list[int] = []
    real_open = peak_loader.open_audio

    def spying_open(path, block_seconds):
        threads.append(threading.get_ident())
        return real_open(path, block_seconds=block_seconds)

    monkeypatch.setattr(peak_loader, "open_audio", spying_open)
    loader = PeakLoader(tmp_path / "cache")
    loader.load(media)
    qtbot.waitUntil(lambda: loader.peaks is not None and loader.peaks.complete, timeout=WAIT_MS)
    assert threads
    assert threading.get_ident() not in threads
    np.testing.assert_array_equal(loader.peaks.base.maxs, peaks_of(media).base.maxs)
    qtbot.waitUntil(lambda: cache_path(tmp_path / "cache", media).is_file(), timeout=WAIT_MS)
    assert loader.stop()
    threads.clear()
    again = PeakLoader(tmp_path / "cache")
    again.load(media)
    qtbot.waitUntil(lambda: again.peaks is not None and again.peaks.complete, timeout=WAIT_MS)
    assert threads == []  # not decoded: from the cache
    assert again.stop()


def test_a_damaged_cache_is_recomputed_and_replaced(qtbot, tmp_path) -> None:
    media = make_tone(tmp_path / "tone.wav", seconds=4)
    folder = tmp_path / "cache"
    folder.mkdir()
    target = cache_path(folder, media)
    target.write_bytes(b"PK\x03\x04 damaged")
    loader = PeakLoader(folder)
    loader.load(media)
    qtbot.waitUntil(lambda: loader.peaks is not None and loader.peaks.complete, timeout=WAIT_MS)
    assert loader.stop()
    assert load_peaks(folder, media) is not None


def test_switching_files_cancels_the_running_job(qtbot, tmp_path, monkeypatch) -> None:
    long = make_tone(tmp_path / "long.wav", seconds=120)
    short = make_tone(tmp_path / "short.wav", seconds=2)
    allowed = threading.Semaphore(2)  # the long file decodes two blocks, then waits for more
    blocks: list[Path] = []
    real_open = peak_loader.open_audio

    class SlowStream:
        """The real stream; the long file's blocks each wait for the test's go-ahead."""

        def __init__(self, path, block_seconds) -> None:
            self.path = path
            self.stream = real_open(path, block_seconds=block_seconds)
            self.info = self.stream.info
            self.closed = False

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.closed = True
            self.stream.close()

        def __iter__(self):
            for block in self.stream:
                if self.path == long:
                    allowed.acquire(timeout=5)
                blocks.append(self.path)
                yield block

    streams: list[SlowStream] = []

    def slow_open(path, block_seconds):
        streams.append(SlowStream(path, block_seconds))
        return streams[-1]

    monkeypatch.setattr(peak_loader, "open_audio", slow_open)
    monkeypatch.setattr(peak_loader, "PUBLISH_S", 0.0)
    loader = PeakLoader(None)
    loader.load(long)
    qtbot.waitUntil(lambda: loader.peaks is not None, timeout=WAIT_MS)  # it has started
    loader.load(short)
    allowed.release(100)  # let the long job go on: it must notice the cancel at once
    qtbot.waitUntil(lambda: loader.peaks is not None and loader.peaks.complete, timeout=WAIT_MS)
    assert loader.media == short
    assert loader.peaks.duration_ms == 2000  # the short file's, never the long one's
    assert loader.stop()
    assert streams[0].closed  # the long file's decoder was closed early
    assert blocks.count(long) <= 3  # of 24


def test_an_undecodable_file_is_reported_once(qtbot, tmp_path) -> None:
    notes = tmp_path / "notes.wav"
    notes.write_text("meeting notes, not audio\n" * 20)
    loader = PeakLoader(None)
    with qtbot.waitSignal(loader.failed, timeout=WAIT_MS) as failed:
        loader.load(notes)
    assert "notes.wav" in failed.args[0]
    assert loader.peaks is None
    assert loader.stop()
