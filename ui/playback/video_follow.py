"""The picture of a video file, kept on the playhead whether or not there is an audio device.

`Playback` (``ui.playback.clock``) plays the `QMediaPlayer` only when an audio output device
exists; without one a software clock moves the playhead and the player never runs. A picture
must still follow (issue 15), so `VideoFollower` does what the player would have done:

- While the software clock plays, the player plays too (there is no device, so nothing is
  heard) and is put back on the playhead whenever it drifts more than `DRIFT_MS` from it. A
  backend that does not play at all without a device then still shows a picture every
  `DRIFT_MS` or so, because each correction is a seek.
- A stopped player (before the first play, after the end of the media) shows no frame for a
  seek; only a paused one does. So a seek while not playing pauses a stopped player first.

With an audio device the player plays for real and the picture follows by itself; only the
second rule applies then. The follower touches the player only while a video output is set.
"""

from __future__ import annotations

import logging
from typing import Final

from PySide6.QtCore import QObject, Signal
from PySide6.QtMultimedia import QMediaPlayer

__all__ = ["DRIFT_MS", "VideoFollower"]

log = logging.getLogger(__name__)

#: How far the picture may drift from the software clock before it is put back (a seek costs a
#: decode from the previous key frame, so not on every 33 ms tick).
DRIFT_MS: Final = 300

_READY: Final = frozenset(
    {
        QMediaPlayer.MediaStatus.LoadedMedia,
        QMediaPlayer.MediaStatus.BufferingMedia,
        QMediaPlayer.MediaStatus.BufferedMedia,
        QMediaPlayer.MediaStatus.StalledMedia,
        QMediaPlayer.MediaStatus.EndOfMedia,
    }
)


class VideoFollower(QObject):
    """Keeps the player's picture on the playhead; tells whether the media has a picture.

    `Playback` calls `follow` when playback starts or stops and `seek` with every playhead
    position; a view calls `set_output`.

    Signals:
        has_video_changed(bool): The media loaded has a picture (True) or not (False).
    """

    has_video_changed = Signal(bool)

    def __init__(self, player: QMediaPlayer, parent: QObject | None = None) -> None:
        """Follow ``player`` (owned by `Playback`); no video output until `set_output`."""
        super().__init__(parent)
        self._player = player
        self._output: QObject | None = None
        self._clock_playing = False  # the software clock runs
        self._started = False  # this follower plays the player (only for the software clock)
        player.hasVideoChanged.connect(self.has_video_changed)
        player.mediaStatusChanged.connect(self._on_status)

    def has_video(self) -> bool:
        """Whether the media loaded has a picture."""
        return self._player.hasVideo()

    def set_output(self, output: QObject | None) -> None:
        """Show the picture in ``output`` (a QVideoSink or video item; None: nowhere)."""
        if output is self._output:
            return
        self._output = output
        self._player.setVideoOutput(output)  # type: ignore[arg-type]  # None detaches (Qt docs)
        self._sync()
        if self._player.playbackState() != QMediaPlayer.PlaybackState.PlayingState:
            self._refresh()  # a new output of a paused player shows nothing until a seek

    def follow(self, playing: bool, *, silent: bool) -> None:
        """Playback started or stopped; ``silent``: it runs on the software clock."""
        self._clock_playing = playing and silent
        self._sync()

    def seek(self, ms: int) -> None:
        """The playhead is at ``ms``: put the picture there if it is not."""
        if self._output is None or not self._ready():
            return
        if self._started:
            if abs(self._player.position() - ms) > DRIFT_MS:
                self._player.setPosition(ms)
        elif self._player.playbackState() == QMediaPlayer.PlaybackState.StoppedState:
            self._show_frame(ms)

    def _sync(self) -> None:
        """Play the player while the software clock runs and a picture is shown, else not."""
        wanted = self._clock_playing and self._output is not None and self._player.hasVideo()
        if wanted != self._started:
            self._started = wanted
            if wanted:
                self._player.play()
            else:
                self._player.pause()

    def _refresh(self) -> None:
        if self._output is not None and self._ready():
            self._show_frame(self._player.position())

    def _show_frame(self, ms: int) -> None:
        # A stopped player decodes nothing for a seek; a paused one shows the frame at ms.
        self._player.setPosition(ms)
        if self._player.playbackState() == QMediaPlayer.PlaybackState.StoppedState:
            self._player.pause()

    def _ready(self) -> bool:
        return self._player.hasVideo() and self._player.mediaStatus() in _READY

    def _on_status(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia:
            self._refresh()  # the first frame, before anything plays
