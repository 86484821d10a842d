"""The player bar: play/pause, a seek slider with times, skip buttons and a speed choice.

The bar holds no playback rules: it drives a `ui.playback.clock.Playback` (the QMediaPlayer, or the
software clock when there is no audio output device) and forwards its signals.

Keys (the transcriptionists' usual ones, see oTranscribe): Esc or Ctrl+Space play/pause,
F1/F2 skip back/forward, F3/F4 slower/faster. Resuming after a pause starts a little earlier
(``rewind_on_resume_ms``) so the listener catches the last words again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import QEvent, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QIcon, QImage, QMouseEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QWidget,
)

from ui.playback.clock import MAX_RATE, MIN_RATE, NO_AUDIO_MESSAGE, RATE_STEP, Playback, format_time
from ui.settings import AppSettings
from ui.shortcuts import Shortcut, make_action

__all__ = ["SHORTCUTS", "PlayerBar", "tinted_icon"]

SHORTCUTS: Final = (
    Shortcut("play_pause", "Playback", "Play/Pause", ("Esc", "Ctrl+Space"),
             "Start or pause playback; resuming starts a little earlier."),
    Shortcut("skip_back", "Playback", "Skip back", ("F1",), "Jump back a few seconds."),
    Shortcut("skip_forward", "Playback", "Skip forward", ("F2",), "Jump forward a few seconds."),
    Shortcut("slower", "Playback", "Slower", ("F3",), "Play 0.1× slower (down to 0.5×)."),
    Shortcut("faster", "Playback", "Faster", ("F4",), "Play 0.1× faster (up to 2×)."),
)  # fmt: skip


#: The actions that need a recording (speed can be set before one is open).
_NEED_MEDIA: Final = ("play_pause", "skip_back", "skip_forward")


class _SeekSlider(QSlider):
    """A slider that jumps to where it is clicked (then drags), instead of paging."""

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > self.minimum():
            option = QStyleOptionSlider()
            self.initStyleOption(option)
            style = self.style()
            control = QStyle.ComplexControl.CC_Slider
            handle = style.subControlRect(control, option, QStyle.SubControl.SC_SliderHandle, self)
            if not handle.contains(event.position().toPoint()):
                groove = style.subControlRect(
                    control, option, QStyle.SubControl.SC_SliderGroove, self
                )
                x = round(event.position().x()) - groove.x() - handle.width() // 2
                span = max(groove.width() - handle.width(), 1)
                self.setValue(
                    QStyle.sliderValueFromPosition(self.minimum(), self.maximum(), x, span)
                )
        super().mousePressEvent(event)  # the handle is under the pointer now: it drags


def tinted_icon(widget: QWidget, pixmap: QStyle.StandardPixmap, size: int) -> QIcon:
    """A style icon painted in the widget's button text colours (visible on dark themes too)."""
    ratio = widget.devicePixelRatioF()
    source = widget.style().standardIcon(pixmap).pixmap(round(size * ratio)).toImage()
    source.setDevicePixelRatio(1.0)
    icon = QIcon()
    for mode, group in ((QIcon.Mode.Normal, QPalette.ColorGroup.Active),
                        (QIcon.Mode.Disabled, QPalette.ColorGroup.Disabled)):  # fmt: skip
        image = QImage(source)
        painter = QPainter(image)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(image.rect(), widget.palette().color(group, QPalette.ColorRole.ButtonText))
        painter.end()
        tinted = QPixmap.fromImage(image)
        tinted.setDevicePixelRatio(ratio)
        icon.addPixmap(tinted, mode)
    return icon


class PlayerBar(QWidget):
    """The player's controls around a `Playback` (``playback``), whose signals it forwards.

    Signals:
        position_changed, playing_changed, duration_changed, status_message, error: As
            `Playback`'s (the bar adds status messages of its own, such as speed changes).
        rate_changed(float): the person chose another speed (the settings store keeps it).
    """

    position_changed = Signal(int)
    playing_changed = Signal(bool)
    duration_changed = Signal(int)
    status_message = Signal(str)
    error = Signal(str)
    rate_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None, settings: AppSettings | None = None) -> None:
        """Build the bar; ``settings`` gives rewind, skip and speed (defaults otherwise)."""
        super().__init__(parent)
        settings = settings or AppSettings()
        self._skip_ms = settings.skip_ms
        self.playback = Playback(self, rewind_ms=settings.rewind_on_resume_ms)
        self.playback.set_rate(settings.playback_rate)
        self._actions = {s.id: make_action(s, self) for s in SHORTCUTS}
        self._build()
        p = self.playback
        for mine, theirs in ((self.position_changed, p.position_changed),
                             (self.playing_changed, p.playing_changed),
                             (self.duration_changed, p.duration_changed),
                             (self.status_message, p.status_message),
                             (self.error, p.error)):  # fmt: skip
            theirs.connect(mine)  # signal to signal: Qt forwards, no Python in between
        p.position_changed.connect(self._show_time)
        p.playing_changed.connect(self._update_icons)
        p.duration_changed.connect(self._on_duration)
        p.audio_changed.connect(self._update_icons)
        self._on_duration(0)

    def _build(self) -> None:
        a = self._actions
        play, back, forward = a["play_pause"], a["skip_back"], a["skip_forward"]
        slower, faster = a["slower"], a["faster"]
        play.triggered.connect(self.toggle_play)
        back.triggered.connect(lambda: self.skip(-self._skip_ms))
        forward.triggered.connect(lambda: self.skip(self._skip_ms))
        slower.triggered.connect(lambda: self.set_rate(self.rate() - RATE_STEP))
        faster.triggered.connect(lambda: self.set_rate(self.rate() + RATE_STEP))
        self.addActions([slower, faster])  # no buttons: their keys work through the bar
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for action in (back, play, forward):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep the focus in the transcript
            layout.addWidget(button)
        self._time = QLabel(self)
        self._total = QLabel(self)
        for label, side in ((self._time, Qt.AlignmentFlag.AlignRight),
                            (self._total, Qt.AlignmentFlag.AlignLeft)):  # fmt: skip
            label.setAlignment(side | Qt.AlignmentFlag.AlignVCenter)
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("0:00:00") + 4)
        self._slider = _SeekSlider(Qt.Orientation.Horizontal, self)
        self._slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._slider.setToolTip("Playhead: click or drag to move it")
        self._slider.valueChanged.connect(self._on_slider_value)
        self._slider.sliderMoved.connect(lambda ms: self._time.setText(self._format(ms)))
        self._slider.sliderReleased.connect(lambda: self.seek(self._slider.value()))
        self._speed = QComboBox(self)
        self._speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._speed.setToolTip("Playback speed (F3 slower, F4 faster)")
        for i in range(round((MAX_RATE - MIN_RATE) / RATE_STEP) + 1):
            rate = round(MIN_RATE + i * RATE_STEP, 1)
            self._speed.addItem(f"{rate:.1f}×", rate)
        self._speed.setCurrentIndex(self._speed.findData(self.rate()))
        self._speed.activated.connect(lambda i: self.set_rate(self._speed.itemData(i)))
        self._mute = QLabel(self)
        self._mute.setToolTip(NO_AUDIO_MESSAGE)
        for widget in (self._time, self._slider, self._total):
            layout.addWidget(widget, 1 if widget is self._slider else 0)
        layout.addSpacing(8)
        layout.addWidget(QLabel("Speed", self))
        layout.addWidget(self._speed)
        layout.addWidget(self._mute)
        self._update_icons()

    def changeEvent(self, event: QEvent) -> None:
        """Repaint the icons in the new colours when the palette or style changes."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._update_icons()
        super().changeEvent(event)

    # -- public API ----------------------------------------------------------------------------
    @property
    def audio_available(self) -> bool:
        """Whether there is an audio output device (without one, playback is silent)."""
        return self.playback.audio_available

    def actions(self) -> list[QAction]:
        """Play/pause, skip back/forward, slower, faster, with their keys (for a menu)."""
        return list(self._actions.values())

    def apply_settings(self, settings: AppSettings) -> None:
        """Take rewind-on-resume and skip distance from ``settings``.

        The speed is the bar's own from the start on (F3/F4 and its menu change it; the window
        stores it), so a change of another setting never resets it.
        """
        self.playback.rewind_ms = settings.rewind_on_resume_ms
        self._skip_ms = settings.skip_ms

    def set_source(self, path: Path | None) -> None:
        """Play ``path`` (None: nothing); loading goes on in the background.

        A missing file is reported through ``error`` and leaves the bar empty.
        """
        self.playback.set_source(path)
        self._on_duration(self.duration())

    def source(self) -> Path | None:
        """The media file being played, or None."""
        return self.playback.source()

    def position(self) -> int:
        """The playhead in milliseconds."""
        return self.playback.position()

    def duration(self) -> int:
        """The media duration in milliseconds (0 until it is loaded)."""
        return self.playback.duration()

    def is_playing(self) -> bool:
        """Whether playback is running (silently, without an audio device)."""
        return self.playback.is_playing()

    def rate(self) -> float:
        """The playback speed (1.0 is normal)."""
        return self.playback.rate()

    def seek(self, ms: int, play: bool = False) -> None:
        """Move the playhead to ``ms`` (clamped to the media), and start playing if asked."""
        self.playback.seek(ms, play)

    def skip(self, delta_ms: int) -> None:
        """Move the playhead by ``delta_ms`` (negative: back), keeping playback going."""
        self.playback.seek(self.position() + delta_ms)

    def toggle_play(self) -> None:
        """Pause when playing, else play."""
        self.playback.toggle_play()

    def play(self) -> None:
        """Start playing (once loaded, when the media is still loading)."""
        self.playback.play()

    def pause(self) -> None:
        """Pause; the next play resumes a little earlier (``rewind_on_resume_ms``)."""
        self.playback.pause()

    def set_rate(self, rate: float) -> None:
        """Set the speed, 0.5 to 2.0 in steps of 0.1 (values outside are clamped)."""
        if self.playback.set_rate(rate):
            with QSignalBlocker(self._speed):
                self._speed.setCurrentIndex(self._speed.findData(self.rate()))
            self.status_message.emit(f"Playback speed {self.rate():.1f}×")
            self.rate_changed.emit(self.rate())

    # -- display -------------------------------------------------------------------------------
    def _format(self, ms: int) -> str:
        return format_time(ms, with_hours=self.duration() >= 3_600_000)

    def _show_time(self, ms: int) -> None:
        self._time.setText(self._format(ms))
        if not self._slider.isSliderDown():
            with QSignalBlocker(self._slider):
                self._slider.setValue(ms)

    def _on_duration(self, ms: int) -> None:
        with QSignalBlocker(self._slider):  # a clamped value is no seek by the person
            self._slider.setRange(0, ms)
        has_media = self.source() is not None
        for key in _NEED_MEDIA:
            action = self._actions[key]
            action.setEnabled(has_media)
        self._slider.setEnabled(has_media)
        self._total.setText(self._format(ms))
        self._show_time(self.position())

    def _on_slider_value(self, ms: int) -> None:
        if not self._slider.isSliderDown():  # a click or key on the slider, not a drag
            self.seek(ms)

    def _update_icons(self) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize, None, self)
        play, back, forward = (self._actions[key] for key in _NEED_MEDIA)
        pixmap = QStyle.StandardPixmap
        play.setIcon(
            tinted_icon(
                self, pixmap.SP_MediaPause if self.is_playing() else pixmap.SP_MediaPlay, size
            )
        )
        back.setIcon(tinted_icon(self, pixmap.SP_MediaSeekBackward, size))
        forward.setIcon(tinted_icon(self, pixmap.SP_MediaSeekForward, size))
        self._mute.setPixmap(tinted_icon(self, pixmap.SP_MediaVolumeMuted, size).pixmap(size))
        self._mute.setVisible(not self.audio_available)
