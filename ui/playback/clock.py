"""The media side of the player: a `QMediaPlayer`, or a software clock without an audio device.

`Playback` reports the playhead through ``position_changed`` about 30 times a second while
playing (read from a timer, because ``QMediaPlayer.positionChanged`` is coarse on some backends)
and once after every seek. The widget around it is `ui.playback.player_bar.PlayerBar`.

Two things QtMultimedia leaves to the caller are handled here:

- Loading is asynchronous: a seek or play asked for before the media is loaded is remembered
  and applied once it is (a ``setPosition`` on media still loading is dropped by Qt).
- A machine may have no audio output device (a server, CI, a remote session). Whether the
  backend then plays silently or not at all differs between backends, so without a device
  playback never starts the QMediaPlayer: a software clock (`PlaybackClock`) moves the playhead
  at the chosen speed, the transcript highlight follows it, and a status message says playback
  is silent. When a device appears (or goes away) playback pauses and switches to the other
  mode.

A video's picture follows the playhead in both modes: `VideoFollower` (``video``).

Resuming after a pause starts a little earlier (``rewind_ms``, see `start_position`) so the
listener catches the last words again.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import QLoggingCategory, QObject, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaDevices, QMediaPlayer

from editor.timefmt import format_clock
from ui.playback.video_follow import VideoFollower

__all__ = [
    "MAX_RATE",
    "MIN_RATE",
    "NO_AUDIO_MESSAGE",
    "RATE_STEP",
    "Playback",
    "PlaybackClock",
    "clamp_rate",
    "format_time",
    "start_position",
]

log = logging.getLogger(__name__)

MIN_RATE: Final = 0.5
MAX_RATE: Final = 2.0
RATE_STEP: Final = 0.1
TICK_MS: Final = 33  # ~30 Hz: smooth word highlighting without measurable CPU
NO_AUDIO_MESSAGE: Final = "No audio output device: playback is silent"
#: QtMultimedia's FFmpeg backend has FFmpeg print its "Input #0, flac, ..." stream dump to the
#: terminal for every file it opens while this category's info level is on; its warnings stay.
#: Qt applies QT_LOGGING_RULES after these rules, so a developer can turn it back on.
QUIET_RULES: Final = "qt.multimedia.ffmpeg.mediadataholder.info=false"

_LOADED: Final = frozenset(
    {
        QMediaPlayer.MediaStatus.LoadedMedia,
        QMediaPlayer.MediaStatus.BufferingMedia,
        QMediaPlayer.MediaStatus.BufferedMedia,
        QMediaPlayer.MediaStatus.StalledMedia,
        QMediaPlayer.MediaStatus.EndOfMedia,
    }
)
_ERROR_WORDS: Final = {
    QMediaPlayer.Error.ResourceError: "Cannot open {name}: it is missing, unreadable or damaged.",
    QMediaPlayer.Error.FormatError: "Cannot play {name}: its format is not supported.",
    QMediaPlayer.Error.NetworkError: "Cannot play {name}: the network connection failed.",
    QMediaPlayer.Error.AccessDeniedError: "Cannot play {name}: permission denied.",
}


def format_time(ms: int, *, with_hours: bool = False) -> str:
    """A playhead time as ``m:ss``, or ``h:mm:ss`` from one hour on (`format_clock`'s rule)."""
    return format_clock(ms, with_hours=with_hours)


def clamp_rate(rate: float) -> float:
    """A playback speed on the 0.1 grid between `MIN_RATE` and `MAX_RATE` (NaN: 1.0)."""
    if math.isnan(rate):
        return 1.0
    return round(min(max(rate, MIN_RATE), MAX_RATE), 1)


def start_position(position_ms: int, *, duration_ms: int, rewind_ms: int, resuming: bool) -> int:
    """Where playback starts when play is pressed.

    Args:
        position_ms: The playhead now.
        duration_ms: The media duration (0 when unknown).
        rewind_ms: How far to go back when resuming after a pause (0: not at all).
        resuming: Whether play follows a pause with no seek in between; after a seek (a
            clicked word) playback starts exactly there.

    Returns:
        The start: 0 at the end of the media (play again), else the position, rewound when
        resuming (never before 0).
    """
    if duration_ms > 0 and position_ms >= duration_ms:
        return 0
    if resuming and rewind_ms > 0:
        return max(position_ms - rewind_ms, 0)
    return position_ms


class PlaybackClock:
    """A software playhead: a start position plus elapsed time times the speed."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        """Measure time with ``now`` (seconds; injectable for tests)."""
        self._now = now
        self._anchor_ms = 0
        self._started = 0.0
        self._rate = 1.0
        self._running = False

    @property
    def running(self) -> bool:
        """Whether the clock is moving."""
        return self._running

    def start(self, position_ms: int, rate: float) -> None:
        """Run from ``position_ms`` at ``rate`` times real time."""
        self._anchor_ms, self._rate = position_ms, rate
        self._started = self._now()
        self._running = True

    def set_rate(self, rate: float) -> None:
        """Change speed without a jump."""
        if self._running:
            self.start(self.position(), rate)
        else:
            self._rate = rate

    def stop(self) -> int:
        """Stop and return where the playhead is."""
        self._anchor_ms = self.position()
        self._running = False
        return self._anchor_ms

    def position(self) -> int:
        """The playhead in milliseconds."""
        if not self._running:
            return self._anchor_ms
        return self._anchor_ms + round((self._now() - self._started) * 1000 * self._rate)


class Playback(QObject):
    """The media side of the player: a QMediaPlayer, or the software clock without a device.

    Signals:
        position_changed(int): The playhead in ms, ~30 times a second while playing and after
            every seek.
        playing_changed(bool): Playback started or stopped.
        duration_changed(int): The media duration in ms became known (0: no media).
        audio_changed(bool): An audio output device appeared (True) or went away (False).
        status_message(str): Something to show in the status bar.
        error(str): The media cannot be played, in words.
    """

    position_changed = Signal(int)
    playing_changed = Signal(bool)
    duration_changed = Signal(int)
    audio_changed = Signal(bool)
    status_message = Signal(str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, *, rewind_ms: int = 1000) -> None:
        """Start without media; resuming rewinds ``rewind_ms``."""
        super().__init__(parent)
        self.rewind_ms = rewind_ms
        self._rate = 1.0
        self._source: Path | None = None
        self._position = 0
        self._pending_seek: int | None = None
        self._pending_play = False
        self._playing = False
        self._resuming = False
        self._clock = PlaybackClock()
        QLoggingCategory.setFilterRules(QUIET_RULES)  # before the backend's first file
        self._audio = QAudioOutput(self)
        self._player = QMediaPlayer(self)
        self._player.setAudioOutput(self._audio)
        self._devices = QMediaDevices(self)
        self._audio_available = bool(QMediaDevices.audioOutputs())
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._player.mediaStatusChanged.connect(self._on_media_status)
        self._player.durationChanged.connect(lambda ms: self.duration_changed.emit(max(ms, 0)))
        self._player.errorOccurred.connect(self._on_error)
        self._player.playbackStateChanged.connect(self._on_playback_state)
        self._devices.audioOutputsChanged.connect(self._on_outputs_changed)
        self.video = VideoFollower(self._player, self)  # set_output shows the picture
        self.playing_changed.connect(
            lambda on: self.video.follow(on, silent=not self._audio_available)
        )
        self.position_changed.connect(self.video.seek)

    @property
    def audio_available(self) -> bool:
        """Whether there is an audio output device (without one, playback is silent)."""
        return self._audio_available

    def source(self) -> Path | None:
        """The media file loaded, or None."""
        return self._source

    def position(self) -> int:
        """The playhead in milliseconds."""
        if self._playing and self._clock.running:
            return self._clock.position()
        return self._position

    def duration(self) -> int:
        """The media duration in milliseconds (0 until it is loaded)."""
        return max(self._player.duration(), 0) if self._source is not None else 0

    def is_playing(self) -> bool:
        """Whether playback is running (silently, without an audio device)."""
        return self._playing

    def rate(self) -> float:
        """The playback speed (1.0 is normal)."""
        return self._rate

    def set_source(self, path: Path | None) -> None:
        """Load ``path`` (None: nothing) in the background; a missing file is an ``error``."""
        self._stop_playing()
        self._source, self._position = None, 0
        self._pending_seek, self._pending_play, self._resuming = None, False, False
        if path is not None and not Path(path).is_file():
            self._player.setSource(QUrl())
            self.error.emit(f"The media file {path} does not exist or is not a file.")
        elif path is not None:
            self._source = Path(path)
            self._player.setSource(QUrl.fromLocalFile(str(self._source)))
            if not self._audio_available:
                self.status_message.emit(NO_AUDIO_MESSAGE)
        else:
            self._player.setSource(QUrl())
        self.position_changed.emit(0)

    def seek(self, ms: int, play: bool = False) -> None:
        """Move the playhead to ``ms`` (clamped to the media), and start playing if asked."""
        if self._source is None:
            return
        ms = max(ms, 0)
        if self.duration() > 0:
            ms = min(ms, self.duration())
        self._resuming = False
        if not self._loaded():
            self._pending_seek = ms
        elif self._playing and self._clock.running:
            self._clock.start(ms, self._rate)
        else:
            self._player.setPosition(ms)
        self._settle(ms)
        if play and not self._playing:
            self.play()

    def play(self) -> None:
        """Start playing (once loaded, when the media is still loading)."""
        if self._source is None or self._playing:
            return
        if not self._loaded():
            self._pending_play = True
            return
        before = self.position()
        start = start_position(
            before, duration_ms=self.duration(), rewind_ms=self.rewind_ms, resuming=self._resuming
        )
        self._resuming = False
        self._player.setPosition(start)
        self._set_playing(True)  # first: an error raised by play() must find it playing
        if self._audio_available:
            self._player.setPlaybackRate(self._rate)
            self._player.play()
        else:
            self._clock.start(start, self._rate)
            self.status_message.emit(NO_AUDIO_MESSAGE)
        if start != before:
            self._settle(start)

    def pause(self) -> None:
        """Pause; the next play resumes a little earlier (``rewind_ms``)."""
        self._pending_play = False
        if self._playing:
            self._stop_playing()
            self._resuming = True

    def toggle_play(self) -> None:
        """Pause when playing (or about to), else play."""
        if self._playing or self._pending_play:
            self.pause()
        else:
            self.play()

    def set_rate(self, rate: float) -> bool:
        """Set the speed, clamped by `clamp_rate`; whether it changed."""
        rate = clamp_rate(rate)
        if rate == self._rate:
            return False
        self._rate = rate
        self._clock.set_rate(rate)
        self._player.setPlaybackRate(rate)
        return True

    # -- internals -----------------------------------------------------------------------------
    def _loaded(self) -> bool:
        return self._source is not None and self._player.mediaStatus() in _LOADED

    def _settle(self, ms: int) -> None:
        self._position = ms
        self.position_changed.emit(ms)

    def _set_playing(self, playing: bool) -> None:
        if playing == self._playing:
            return
        self._playing = playing
        if playing:
            self._timer.start()
        else:
            self._timer.stop()
        self.playing_changed.emit(playing)

    def _stop_playing(self) -> None:
        """Stop the player or the clock and keep the playhead where it stopped."""
        if not self._playing:
            return
        if self._clock.running:
            ms = self._clock.stop()
            if self.duration() > 0:
                ms = min(ms, self.duration())
            self._player.setPosition(ms)
        else:
            self._player.pause()
            ms = self._player.position()
        self._set_playing(False)
        self._settle(ms)

    def _on_tick(self) -> None:
        if self._clock.running:
            ms = self._clock.position()
            if 0 < self.duration() <= ms:  # the software clock reached the end
                self._stop_playing()
                return
        else:
            ms = self._player.position()
        if ms != self._position:
            self._settle(ms)

    def _on_media_status(self, status: QMediaPlayer.MediaStatus) -> None:
        log.debug("Media status %s for %s", status, self._source)
        if status in _LOADED and self._pending_seek is not None:
            ms, self._pending_seek = self._pending_seek, None
            self._player.setPosition(ms)
        if status in _LOADED and self._pending_play:
            self._pending_play = False
            self.play()
        elif status == QMediaPlayer.MediaStatus.EndOfMedia and not self._clock.running:
            self._set_playing(False)
            self._settle(self.duration())

    def _on_playback_state(self, state: QMediaPlayer.PlaybackState) -> None:
        # Only the real player reports here: it stopped by itself (end of media, an error).
        stopped = state != QMediaPlayer.PlaybackState.PlayingState
        if stopped and self._playing and not self._clock.running:
            self._set_playing(False)
            self._settle(self._player.position())

    def _on_error(self, error: QMediaPlayer.Error, detail: str) -> None:
        name = self._source.name if self._source else "the media"
        words = _ERROR_WORDS.get(error, "Cannot play {name}.").format(name=name)
        log.warning("Media error %s for %s: %s", error, self._source, detail)
        self._pending_play = False
        self._stop_playing()
        self.error.emit(f"{words} ({detail})" if detail else words)

    def _on_outputs_changed(self) -> None:
        available = bool(QMediaDevices.audioOutputs())
        if available == self._audio_available:
            return
        self.pause()  # playback switches between the device and the software clock
        self._audio_available = available
        self._audio.setDevice(QMediaDevices.defaultAudioOutput())
        self.audio_changed.emit(available)
        self.status_message.emit("Audio output device found" if available else NO_AUDIO_MESSAGE)
