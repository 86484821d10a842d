"""The video pane with real media: shown for a video, hidden for audio, its layout remembered,
its subtitle and its picture on the playhead (also without an audio device).

The video is made by ffmpeg from a test pattern and a speech clip; ffmpeg is one of the
system packages CI installs (scripts/ensure-system-deps.sh), so without it these fail in CI.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ci import require_tool
from PySide6.QtMultimedia import QVideoFrame
from PySide6.QtWidgets import QMenu
from shell_fakes import FakeFactory, FakeQuestions, make_wav
from transcript_helpers import dialogue_transcript

from editor.commands import RenameSpeaker, ReplaceWordText
from ui.files.session import FileSession
from ui.playback.player_bar import PlayerBar
from ui.settings import AppSettings, SettingsStore, load_settings, to_export_options
from ui.transcript import TranscriptEditor
from ui.transcript.undo import push_edit
from ui.video.attach import VideoArea, video_shown
from ui.video.cues import CueTrack, subtitle_cues
from ui.window.main_window import MainWindow

WAIT_MS = 15_000


@pytest.fixture(scope="module")
def video_file(tmp_path_factory: pytest.TempPathFactory, jfk_flac: Path) -> Path:
    """11 s of a 320x240 test pattern at 25 fps with the JFK clip as its sound."""
    ffmpeg = require_tool("ffmpeg", "scripts/ensure-system-deps.sh installs it")
    path = tmp_path_factory.mktemp("video") / "pattern.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
         "-i", str(jfk_flac), "-shortest", "-c:v", "mpeg4", "-q:v", "5", "-g", "25",
         "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture
def make_area(qtbot) -> Iterator[Callable[..., tuple[VideoArea, PlayerBar, SettingsStore]]]:
    made: list[tuple[VideoArea, PlayerBar]] = []

    def make(store: SettingsStore | None = None) -> tuple[VideoArea, PlayerBar, SettingsStore]:
        store = store or SettingsStore(AppSettings(model="fake-model"))
        bar = PlayerBar(settings=store.current)
        menu = QMenu()
        area = VideoArea(TranscriptEditor(), bar.playback, store, menu)
        area.test_keep = (bar, menu)  # type: ignore[attr-defined]  # qtbot keeps weak refs
        qtbot.addWidget(bar)
        qtbot.addWidget(area.splitter)
        area.splitter.resize(640, 720)
        area.splitter.show()
        made.append((area, bar))
        return area, bar, store

    yield make
    for area, bar in made:
        bar.set_source(None)
        area.wait_for_layout()


def test_shown_only_for_media_with_a_picture_and_when_wanted() -> None:
    assert video_shown(True, AppSettings())
    assert not video_shown(False, AppSettings())
    assert not video_shown(True, AppSettings(show_video=False))


def test_a_video_shows_its_picture_and_an_audio_file_hides_it(
    qtbot, make_area, video_file: Path, jfk_flac: Path
) -> None:
    area, bar, _ = make_area()
    assert not area.is_shown()  # nothing open
    bar.set_source(video_file)
    qtbot.waitUntil(area.is_shown, timeout=WAIT_MS)
    assert area.pane.isVisible()
    assert area.pane.height() > 200
    bar.set_source(jfk_flac)
    qtbot.waitUntil(lambda: bar.duration() > 0, timeout=WAIT_MS)  # the audio file is loaded
    qtbot.waitUntil(lambda: not area.is_shown(), timeout=WAIT_MS)
    assert not bar.playback.video.has_video()
    bar.set_source(video_file)
    qtbot.waitUntil(area.is_shown, timeout=WAIT_MS)


def test_view_show_video_hides_the_picture_and_is_remembered(
    qtbot, make_area, video_file: Path
) -> None:
    area, bar, store = make_area()
    bar.set_source(video_file)
    qtbot.waitUntil(area.is_shown, timeout=WAIT_MS)
    assert area.toggle.isChecked()
    assert area.toggle in area.test_keep[1].actions()
    area.toggle.trigger()
    assert not area.is_shown()
    assert not store.current.show_video
    assert load_settings().show_video is False
    again, other_bar, _ = make_area(SettingsStore.load())
    other_bar.set_source(video_file)
    qtbot.waitUntil(lambda: other_bar.playback.video.has_video(), timeout=WAIT_MS)
    assert not again.is_shown()
    assert not again.toggle.isChecked()
    area.toggle.trigger()
    assert area.is_shown()
    assert store.current.show_video


def test_the_picture_height_is_remembered(qtbot, make_area, video_file: Path) -> None:
    area, bar, _ = make_area()
    bar.set_source(video_file)
    qtbot.waitUntil(area.is_shown, timeout=WAIT_MS)
    total = sum(area.splitter.sizes())
    area.splitter.setSizes([total // 4, total - total // 4])
    area.splitter.splitterMoved.emit(total // 4, 1)  # what dragging the handle reports
    qtbot.waitUntil(lambda: load_settings().video_share == pytest.approx(0.25, abs=0.01))
    later, later_bar, _ = make_area(SettingsStore.load())
    later_bar.set_source(video_file)
    qtbot.waitUntil(later.is_shown, timeout=WAIT_MS)
    sizes = later.splitter.sizes()
    assert sizes[0] / sum(sizes) == pytest.approx(0.25, abs=0.02)
    later.splitter.resize(640, 1200)  # a taller window: the picture keeps its share
    qtbot.waitUntil(lambda: later.splitter.sizes()[0] > 250)
    sizes = later.splitter.sizes()
    assert sizes[0] / sum(sizes) == pytest.approx(0.25, abs=0.02)


def test_the_subtitle_is_the_export_cue_at_the_playhead_and_follows_edits(
    qtbot, make_area, video_file: Path
) -> None:
    area, bar, store = make_area()
    session = FileSession(video_file, dialogue_transcript())
    area.set_session(session)
    bar.set_source(video_file)
    qtbot.waitUntil(lambda: len(area.track().cues) > 0, timeout=WAIT_MS)
    cues = subtitle_cues(session.document.transcript, to_export_options(store.current))
    assert area.track().cues == cues
    second = cues[1]
    assert second.end_ms < 11_000  # inside the video
    bar.seek((second.start_ms + second.end_ms) // 2)
    assert area.pane.subtitle.lines() == second.lines
    bar.seek(cues[0].start_ms - 500)  # before the first words
    assert area.pane.subtitle.lines() == ()
    # An edit lays the cues out again (after a pause) and the picture shows the new text.
    push_edit(session.undo_stack, session.document, ReplaceWordText(0, 0, "Thank"))
    push_edit(session.undo_stack, session.document, RenameSpeaker("Alice", "Ana"))
    bar.seek(cues[0].start_ms)
    qtbot.waitUntil(lambda: area.pane.subtitle.lines()[:1] == ("Ana: Thank for coming in today.",))
    # So does a change of the export settings: one line of at most 20 characters, no names.
    store.set(max_lines=1, max_chars_per_line=20, include_speakers=False)
    narrow = CueTrack(subtitle_cues(session.document.transcript, to_export_options(store.current)))
    expected = narrow.at(cues[0].start_ms)
    assert expected is not None
    assert len(expected.lines) == 1
    assert len(expected.lines[0]) <= 20
    assert not expected.lines[0].startswith("Ana:")
    qtbot.waitUntil(lambda: area.pane.subtitle.lines() == expected.lines)
    area.set_session(None)
    assert area.pane.subtitle.lines() == ()
    assert area.track().cues == ()


def frame_ms(frame: QVideoFrame) -> int:
    return frame.startTime() // 1000


def test_the_picture_follows_the_playhead_without_an_audio_device(
    qtbot, make_area, video_file: Path
) -> None:
    area, bar, _ = make_area()
    frames: list[int] = []
    area.pane.video_item.videoSink().videoFrameChanged.connect(
        lambda frame: frames.append(frame_ms(frame)) if frame.isValid() else None
    )
    bar.set_source(video_file)
    qtbot.waitUntil(lambda: bar.duration() > 0 and bool(frames), timeout=WAIT_MS)  # 1st frame
    assert frames[0] < 100

    def near(ms: int, within: int = 120) -> bool:
        return bool(frames) and abs(frames[-1] - ms) <= within

    bar.seek(5_000)  # paused: the frame at the playhead
    qtbot.waitUntil(lambda: near(5_000), timeout=WAIT_MS)
    bar.seek(1_000)
    qtbot.waitUntil(lambda: near(1_000), timeout=WAIT_MS)
    bar.play()  # on the software clock where there is no device, as on a CI machine
    qtbot.waitUntil(lambda: bar.position() > 2_500, timeout=WAIT_MS)
    # The picture moves on while playing (at the end of the media it would only jump there).
    qtbot.waitUntil(lambda: frames[-1] > 1_500 and bar.is_playing(), timeout=WAIT_MS)
    bar.pause()
    qtbot.waitUntil(lambda: near(bar.position()), timeout=WAIT_MS)
    bar.seek(2_000)
    qtbot.waitUntil(lambda: near(2_000), timeout=WAIT_MS)


def test_the_window_shows_a_videos_picture_above_its_transcript(
    qtbot, tmp_path: Path, video_file: Path
) -> None:
    window = MainWindow(
        AppSettings(model="fake-model"),
        factory=FakeFactory(segments=3),
        autosave_dir=tmp_path / "autosave",
        questions=FakeQuestions(),
    )
    qtbot.addWidget(window)
    window.show()
    assert window.video.splitter.indexOf(window.editor) == 1  # the editor, under the picture
    assert window.video.toggle in window.preferences.view_menu.actions()
    video_id, audio_id = window.commands.add_files([video_file, make_wav(tmp_path / "a.wav", 2)])
    qtbot.waitUntil(lambda: window.current_session() is not None, timeout=WAIT_MS)
    window.show_session(video_id)
    qtbot.waitUntil(window.video.is_shown, timeout=WAIT_MS)
    assert window.video.pane.isVisible()
    window.show_session(audio_id)
    qtbot.waitUntil(lambda: window.player.duration() > 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not window.video.is_shown(), timeout=WAIT_MS)
    window.close()
    assert not window.workspace.worker.is_running
