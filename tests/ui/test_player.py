from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices
from pytestqt.qtbot import QtBot

from ui.playback.clock import MAX_RATE, MIN_RATE, NO_AUDIO_MESSAGE, format_time
from ui.playback.player_bar import SHORTCUTS, PlayerBar
from ui.settings import AppSettings

TOLERANCE_MS = 60  # a backend may land on the nearest audio frame


@pytest.fixture
def bar(qtbot: QtBot) -> PlayerBar:
    widget = PlayerBar(settings=AppSettings(rewind_on_resume_ms=1000, skip_ms=2000))
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def no_audio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMediaDevices, "audioOutputs", staticmethod(lambda: []))


@pytest.fixture
def audio_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QMediaDevices, "audioOutputs", staticmethod(lambda: [QAudioDevice()]))


def new_bar(qtbot: QtBot, **settings: object) -> PlayerBar:
    bar = PlayerBar(settings=AppSettings(**settings))  # type: ignore[arg-type]
    qtbot.addWidget(bar)
    return bar


def load(qtbot: QtBot, bar: PlayerBar, path: Path) -> None:
    bar.set_source(path)
    qtbot.waitUntil(lambda: bar.duration() > 0, timeout=10_000)


# -- shortcuts ---------------------------------------------------------------------------------


def test_actions_have_the_transcriptionists_keys(bar: PlayerBar) -> None:
    keys = {a.text(): [k.toString() for k in a.shortcuts()] for a in bar.actions()}
    assert keys == {
        "Play/Pause": ["Esc", "Ctrl+Space"],
        "Skip back": ["F1"],
        "Skip forward": ["F2"],
        "Slower": ["F3"],
        "Faster": ["F4"],
    }


def test_actions_match_the_shortcut_table(bar: PlayerBar) -> None:
    table = {s.action: s.keys for s in SHORTCUTS}
    actions = {
        a.text(): tuple(k.toString(QKeySequence.SequenceFormat.PortableText) for k in a.shortcuts())
        for a in bar.actions()
    }
    assert actions == table


def test_faster_and_slower_actions_step_and_clamp(bar: PlayerBar) -> None:
    faster = next(a for a in bar.actions() if a.text() == "Faster")
    slower = next(a for a in bar.actions() if a.text() == "Slower")
    faster.trigger()
    assert bar.rate() == pytest.approx(1.1)
    for _ in range(30):
        faster.trigger()
    assert bar.rate() == MAX_RATE
    for _ in range(30):
        slower.trigger()
    assert bar.rate() == MIN_RATE


def test_set_rate_clamps_and_updates_the_speed_box(bar: PlayerBar) -> None:
    bar.set_rate(9.0)
    assert bar.rate() == MAX_RATE
    assert bar._speed.currentData() == MAX_RATE
    bar.set_rate(0.75)
    assert bar.rate() == 0.8


# -- audio devices -----------------------------------------------------------------------------


def test_no_audio_device_is_reported(qtbot: QtBot, no_audio: None, jfk_flac: Path) -> None:
    bar = new_bar(qtbot)
    assert not bar.audio_available
    with qtbot.waitSignal(bar.status_message) as blocker:
        bar.set_source(jfk_flac)
    assert blocker.args == [NO_AUDIO_MESSAGE]


def test_audio_device_is_seen(qtbot: QtBot, audio_device: None) -> None:
    bar = new_bar(qtbot)
    assert bar.audio_available


def test_a_device_going_away_pauses_and_says_so(
    qtbot: QtBot, audio_device: None, monkeypatch: pytest.MonkeyPatch, jfk_flac: Path
) -> None:
    bar = new_bar(qtbot)
    load(qtbot, bar, jfk_flac)
    bar.play()
    assert bar.is_playing()
    monkeypatch.setattr(QMediaDevices, "audioOutputs", staticmethod(lambda: []))
    with qtbot.waitSignal(bar.status_message) as blocker:
        bar.playback._on_outputs_changed()
    assert blocker.args == [NO_AUDIO_MESSAGE]
    assert not bar.audio_available
    assert not bar.is_playing()


# -- real media, offscreen ---------------------------------------------------------------------


def test_duration_is_known_after_loading(qtbot: QtBot, bar: PlayerBar, jfk_flac: Path) -> None:
    with qtbot.waitSignal(bar.duration_changed, timeout=10_000):
        bar.set_source(jfk_flac)
    assert 10_500 <= bar.duration() <= 11_500  # the clip is 11.0 s long
    assert bar._total.text() == format_time(bar.duration())


def test_seek_moves_the_playhead_and_reports_it(
    qtbot: QtBot, bar: PlayerBar, jfk_flac: Path
) -> None:
    load(qtbot, bar, jfk_flac)
    with qtbot.waitSignal(bar.position_changed) as blocker:
        bar.seek(4321)
    assert blocker.args == [4321]
    assert abs(bar.position() - 4321) <= TOLERANCE_MS
    assert bar._time.text() == "0:04"


def test_seek_is_clamped_to_the_media(qtbot: QtBot, bar: PlayerBar, jfk_flac: Path) -> None:
    load(qtbot, bar, jfk_flac)
    bar.seek(-500)
    assert bar.position() == 0
    bar.seek(10**9)
    assert bar.position() == bar.duration()


def test_seek_before_loading_is_applied_once_loaded(
    qtbot: QtBot, bar: PlayerBar, jfk_flac: Path
) -> None:
    bar.set_source(jfk_flac)
    bar.seek(6000)  # the media is still loading here
    assert bar.position() == 6000
    qtbot.waitUntil(lambda: bar.duration() > 0, timeout=10_000)
    qtbot.waitUntil(
        lambda: abs(bar.playback._player.position() - 6000) <= TOLERANCE_MS, timeout=5_000
    )
    assert abs(bar.position() - 6000) <= TOLERANCE_MS


def test_skip_moves_by_the_distance(qtbot: QtBot, bar: PlayerBar, jfk_flac: Path) -> None:
    load(qtbot, bar, jfk_flac)
    bar.seek(5000)
    next(a for a in bar.actions() if a.text() == "Skip forward").trigger()
    assert abs(bar.position() - 7000) <= TOLERANCE_MS
    next(a for a in bar.actions() if a.text() == "Skip back").trigger()
    next(a for a in bar.actions() if a.text() == "Skip back").trigger()
    assert abs(bar.position() - 3000) <= TOLERANCE_MS


def test_silent_playback_moves_the_playhead(qtbot: QtBot, no_audio: None, jfk_flac: Path) -> None:
    bar = new_bar(qtbot)
    load(qtbot, bar, jfk_flac)
    bar.seek(2000)
    positions: list[int] = []
    bar.position_changed.connect(positions.append)
    with qtbot.waitSignal(bar.playing_changed) as blocker:
        bar.toggle_play()
    assert blocker.args == [True]
    qtbot.waitUntil(lambda: len(positions) >= 3 and positions[-1] > 2000, timeout=5_000)
    assert positions == sorted(positions)
    with qtbot.waitSignal(bar.playing_changed) as blocker:
        bar.toggle_play()
    assert blocker.args == [False]
    paused_at = bar.position()
    assert paused_at > 2000


def test_resume_after_pause_rewinds(qtbot: QtBot, no_audio: None, jfk_flac: Path) -> None:
    bar = new_bar(qtbot, rewind_on_resume_ms=1000)
    load(qtbot, bar, jfk_flac)
    bar.seek(5000)
    bar.play()
    bar.pause()
    paused_at = bar.position()
    with qtbot.waitSignal(bar.position_changed) as blocker:
        bar.play()
    assert blocker.args[0] == max(paused_at - 1000, 0)
    bar.pause()


def test_seek_after_pause_plays_from_the_seek(qtbot: QtBot, no_audio: None, jfk_flac: Path) -> None:
    bar = new_bar(qtbot, rewind_on_resume_ms=1000)
    load(qtbot, bar, jfk_flac)
    bar.play()
    bar.pause()
    bar.seek(7000, play=True)
    assert bar.is_playing()
    assert 7000 <= bar.position() < 8000
    bar.pause()


def test_silent_playback_stops_at_the_end(qtbot: QtBot, no_audio: None, jfk_flac: Path) -> None:
    bar = new_bar(qtbot, playback_rate=2.0)
    load(qtbot, bar, jfk_flac)
    bar.seek(bar.duration() - 200)
    with qtbot.waitSignal(bar.playing_changed, timeout=5_000):
        bar.play()
    with qtbot.waitSignal(bar.playing_changed, timeout=5_000) as blocker:
        pass
    assert blocker.args == [False]
    assert bar.position() == bar.duration()


def test_play_before_loading_starts_once_loaded(
    qtbot: QtBot, no_audio: None, jfk_flac: Path
) -> None:
    bar = new_bar(qtbot)
    bar.set_source(jfk_flac)
    with qtbot.waitSignal(bar.playing_changed, timeout=10_000) as blocker:
        bar.play()
    assert blocker.args == [True]
    bar.pause()


def test_playback_with_an_audio_device_uses_the_player(
    qtbot: QtBot, audio_device: None, jfk_flac: Path
) -> None:
    bar = new_bar(qtbot)
    load(qtbot, bar, jfk_flac)
    bar.set_rate(1.5)
    bar.play()
    assert bar.is_playing()
    assert bar.playback._player.playbackRate() == pytest.approx(1.5)
    assert not bar.playback._clock.running
    bar.pause()
    assert not bar.is_playing()


def test_missing_file_is_an_error_in_words(qtbot: QtBot, bar: PlayerBar, tmp_path: Path) -> None:
    with qtbot.waitSignal(bar.error) as blocker:
        bar.set_source(tmp_path / "gone.wav")
    assert "gone.wav" in blocker.args[0]
    assert bar.source() is None
    bar.play()
    assert not bar.is_playing()


def test_unsupported_file_is_an_error_in_words(
    qtbot: QtBot, bar: PlayerBar, tmp_path: Path
) -> None:
    bogus = tmp_path / "notes.mp3"
    bogus.write_text("this is not audio at all " * 20)
    with qtbot.waitSignal(bar.error, timeout=10_000) as blocker:
        bar.set_source(bogus)
    assert blocker.args[0].startswith("Cannot ")
    assert "notes.mp3" in blocker.args[0]


def test_no_source_disables_the_controls(bar: PlayerBar) -> None:
    bar.set_source(None)
    assert not bar.actions()[0].isEnabled()
    bar.seek(500)
    assert bar.position() == 0


def test_clicking_the_slider_jumps_there(qtbot: QtBot, bar: PlayerBar, jfk_flac: Path) -> None:
    bar.resize(700, 40)
    bar.show()
    qtbot.waitExposed(bar)
    load(qtbot, bar, jfk_flac)
    slider = bar._slider
    with qtbot.waitSignal(bar.position_changed) as blocker:
        qtbot.mouseClick(
            slider,
            Qt.MouseButton.LeftButton,
            pos=QPoint(slider.width() * 3 // 4, slider.height() // 2),
        )
    assert bar.duration() // 2 < blocker.args[0] < bar.duration()


def test_other_speech_files_load(
    qtbot: QtBot, bar: PlayerBar, speech_dir: Path, tmp_path: Path
) -> None:
    # A WAV at another rate, copied under a name with spaces and non-ASCII letters.
    source = next((speech_dir / "en" / "ljspeech").glob("*.wav"))
    copy = tmp_path / "Zoë interview 1.wav"
    shutil.copy(source, copy)
    load(qtbot, bar, copy)
    assert bar.source() == copy


def test_icons_follow_a_dark_palette(bar: PlayerBar) -> None:
    palette = QPalette(bar.palette())
    light_text = QColor(235, 235, 235)
    palette.setColor(QPalette.ColorRole.ButtonText, light_text)
    palette.setColor(QPalette.ColorRole.Window, QColor(40, 40, 40))
    bar.setPalette(palette)
    image = bar.actions()[0].icon().pixmap(16).toImage()
    opaque = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert opaque
    assert all(c.rgb() == light_text.rgb() for c in opaque)


def test_mute_sign_shows_without_audio(qtbot: QtBot, no_audio: None) -> None:
    bar = new_bar(qtbot)
    assert bar._mute.isVisibleTo(bar)
    assert bar._mute.toolTip() == NO_AUDIO_MESSAGE
