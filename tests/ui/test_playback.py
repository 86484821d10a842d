from __future__ import annotations

import pytest

from ui.playback.clock import (
    MAX_RATE,
    MIN_RATE,
    PlaybackClock,
    clamp_rate,
    format_time,
    start_position,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0, "0:00"), (5_999, "0:05"), (61_000, "1:01"), (3_599_999, "59:59"), (3_600_000, "1:00:00"),
     (36_061_000, "10:01:01"), (-5, "0:00")],
)  # fmt: skip
def test_format_time(ms: int, text: str) -> None:
    assert format_time(ms) == text


def test_format_time_with_hours_for_long_media() -> None:
    assert format_time(65_000, with_hours=True) == "0:01:05"


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(0.1, MIN_RATE), (0.5, 0.5), (1.04, 1.0), (1.06, 1.1), (2.0, 2.0), (7.0, MAX_RATE),
     (-1.0, MIN_RATE), (float("nan"), 1.0)],
)  # fmt: skip
def test_clamp_rate(rate: float, expected: float) -> None:
    assert clamp_rate(rate) == expected


def test_resuming_rewinds_but_never_before_zero() -> None:
    assert start_position(5000, duration_ms=11000, rewind_ms=1000, resuming=True) == 4000
    assert start_position(300, duration_ms=11000, rewind_ms=1000, resuming=True) == 0


def test_after_a_seek_playback_starts_exactly_there() -> None:
    assert start_position(5000, duration_ms=11000, rewind_ms=1000, resuming=False) == 5000


def test_zero_rewind_disables_it() -> None:
    assert start_position(5000, duration_ms=11000, rewind_ms=0, resuming=True) == 5000


def test_play_at_the_end_starts_again() -> None:
    assert start_position(11000, duration_ms=11000, rewind_ms=1000, resuming=True) == 0


def test_unknown_duration_never_restarts() -> None:
    assert start_position(11000, duration_ms=0, rewind_ms=0, resuming=False) == 11000


def test_clock_moves_with_time_and_rate() -> None:
    now = FakeTime()
    clock = PlaybackClock(now)
    clock.start(1000, 1.5)
    now.now += 2.0
    assert clock.position() == 1000 + 3000
    clock.set_rate(0.5)  # no jump when the speed changes
    assert clock.position() == 4000
    now.now += 2.0
    assert clock.stop() == 5000
    now.now += 10.0
    assert (clock.running, clock.position()) == (False, 5000)


def test_ffmpegs_stream_dump_is_off_and_its_warnings_on(qtbot) -> None:
    from PySide6.QtCore import QLoggingCategory

    from ui.playback.clock import Playback

    playback = Playback()
    category = QLoggingCategory("qt.multimedia.ffmpeg.mediadataholder")
    assert not category.isInfoEnabled()  # FFmpeg's "Input #0, ..." dump to the terminal
    assert category.isWarningEnabled()
    del playback
