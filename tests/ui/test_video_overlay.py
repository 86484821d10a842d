"""The subtitle over the video is the SRT export's cue at the playhead, drawn to fit the picture.

Nothing here needs decoded frames: the cues, the lookup, the builder and the drawn text are
checked on their own (the frame path is in test_video_pane.py).
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import srt
from PySide6.QtWidgets import QGraphicsScene
from transcript_helpers import dialogue_transcript, long_transcript

from editor.transcript import Segment, Transcript, Word
from editor.writers import get_writer
from ui.settings import AppSettings, to_export_options
from ui.video.builder import CueBuilder
from ui.video.cues import CueTrack, subtitle_cues
from ui.video.geometry import (
    BOTTOM_SHARE,
    FONT_SHARE,
    MAX_WIDTH_SHARE,
    MIN_FONT_PX,
    Rect,
    fit_picture,
    subtitle_look,
)
from ui.video.subtitle_item import SubtitleItem

SETTINGS = (
    AppSettings(),
    AppSettings(subtitle_preset="strict", max_chars_per_line=30),
    AppSettings(subtitle_preset="lenient", max_lines=1, include_speakers=False),
)


def ms(delta: timedelta) -> int:
    return round(delta.total_seconds() * 1000)


def srt_cues(transcript: Transcript, settings: AppSettings) -> list[srt.Subtitle]:
    """The SRT file the export writes, read back by an independent parser."""
    text = get_writer("srt").encode(transcript, to_export_options(settings)).decode("utf-8")
    return list(srt.parse(text))


@pytest.mark.parametrize("settings", SETTINGS, ids=["default", "strict-30", "lenient-1-line"])
def test_the_cue_at_any_time_is_the_srt_files_cue(settings: AppSettings) -> None:
    transcript = dialogue_transcript(repeats=2)
    track = CueTrack(subtitle_cues(transcript, to_export_options(settings)))
    written = srt_cues(transcript, settings)
    assert len(track.cues) == len(written) > 10
    for sub in written:
        start, end = ms(sub.start), ms(sub.end)
        lines = tuple(sub.content.split("\n"))
        for t in (start, (start + end) // 2, end - 1):
            cue = track.at(t)
            assert cue is not None, (t, sub)
            assert cue.lines == lines, (t, sub)
        after = track.at(end)  # the end is exclusive: the gap, or the next cue
        assert after is None or after.start_ms == end
    assert track.at(ms(written[0].start) - 1) is None
    assert track.at(ms(written[-1].end) + 10_000) is None
    assert all(len(c.lines) <= to_export_options(settings).subtitles.max_lines for c in track.cues)


def test_speaker_names_are_where_the_srt_file_has_them() -> None:
    transcript = dialogue_transcript()
    track = CueTrack(subtitle_cues(transcript, to_export_options(AppSettings())))
    # Labelled where the speaker changes, not on every cue: the export's rule (issue 15).
    previous = None
    for cue in track.cues:
        assert cue.lines[0].startswith(f"{cue.speaker}: ") == (cue.speaker != previous), cue
        previous = cue.speaker
    speakers = [s.speaker for s in transcript.segments]
    changes = sum(a != b for a, b in zip([None, *speakers], speakers, strict=False))
    assert (
        sum(c.lines[0].startswith(("Alice: ", "Bob: ", "Carol: ")) for c in track.cues) == changes
    )
    first = track.at(transcript.segments[0].start_ms)
    assert first is not None
    assert first.lines[0].startswith("Alice: Thanks")
    unnamed = CueTrack(
        subtitle_cues(transcript, to_export_options(AppSettings(include_speakers=False)))
    )
    assert not any(line.startswith(("Alice:", "Bob:")) for c in unnamed.cues for line in c.lines)


def test_an_empty_transcript_has_no_cue() -> None:
    track = CueTrack(subtitle_cues(Transcript(), to_export_options(AppSettings())))
    assert track.cues == ()
    assert track.at(0) is None
    assert CueTrack().at(5_000) is None


def test_a_short_cue_is_found_between_its_neighbours() -> None:
    words = [Word(" One.", 0, 400), Word(" Two.", 2_000, 2_300), Word(" Three.", 4_000, 4_400)]
    transcript = Transcript((Segment(tuple(words)),))
    track = CueTrack(subtitle_cues(transcript, to_export_options(AppSettings())))
    assert [track.at(t).lines for t in (0, 2_100, 4_000)] == [("One.",), ("Two.",), ("Three.",)]
    assert track.at(1_500) is None  # the pause between cues shows nothing


# -- the builder -----------------------------------------------------------------------------------
def test_the_builder_lays_out_the_newest_request_only(qtbot) -> None:
    builder = CueBuilder(delay_ms=20)
    options = to_export_options(AppSettings())
    built: list[CueTrack] = []
    builder.built.connect(built.append)
    old, new = dialogue_transcript(), dialogue_transcript(repeats=2)
    with qtbot.waitSignal(builder.built, timeout=5_000):
        builder.request(old, options)
        builder.request(new, options)
    assert builder.wait()
    qtbot.wait(50)  # a stale result, had there been one, would arrive now
    assert [t.cues for t in built] == [tuple(subtitle_cues(new, options))]


def test_a_request_made_while_a_layout_runs_is_laid_out_after_it(qtbot) -> None:
    builder = CueBuilder(delay_ms=0)
    options = to_export_options(AppSettings())
    built: list[CueTrack] = []
    builder.built.connect(built.append)
    long = long_transcript(segments=2_000)  # about 0.1-0.3 s to lay out: still running below
    builder.request(long, options)
    qtbot.waitUntil(lambda: builder._running, timeout=5_000)  # the long layout has started
    short = dialogue_transcript()
    builder.request(short, options)
    qtbot.waitUntil(lambda: len(built) == 1, timeout=10_000)
    assert built[0].cues == tuple(subtitle_cues(short, options))


def test_a_cancelled_request_delivers_nothing(qtbot) -> None:
    builder = CueBuilder(delay_ms=10)
    built: list[CueTrack] = []
    builder.built.connect(built.append)
    builder.request(dialogue_transcript(), to_export_options(AppSettings()))
    builder.cancel()
    qtbot.wait(100)
    assert builder.wait()
    assert built == []


# -- geometry and drawing --------------------------------------------------------------------------
def test_the_picture_keeps_its_aspect_ratio_centred_in_the_pane() -> None:
    assert fit_picture(1920, 1080, Rect(0, 0, 800, 600)) == Rect(0, 75, 800, 450)
    assert fit_picture(320, 240, Rect(0, 0, 800, 300)) == Rect(200, 0, 400, 300)
    assert fit_picture(0, 0, Rect(0, 0, 800, 300)) == Rect(0, 0, 800, 300)  # no frame yet


def test_the_font_scales_with_the_picture_and_shrinks_for_a_wide_line() -> None:
    picture = Rect(0, 75, 800, 450)
    look = subtitle_look(picture)
    assert look.font_px == round(450 * FONT_SHARE)
    assert look.bottom == pytest.approx(picture.bottom - 450 * BOTTOM_SHARE)
    assert subtitle_look(Rect(0, 0, 80, 45)).font_px == MIN_FONT_PX  # a tiny pane stays legible
    wide = subtitle_look(picture, widest_em=40.0)  # 40 ems would not fit 800 px at 25 px
    assert wide.font_px * 40.0 <= 800 * MAX_WIDTH_SHARE < (wide.font_px + 1) * 40.0


def test_the_subtitle_is_drawn_centred_near_the_bottom_of_the_picture(qtbot) -> None:
    scene = QGraphicsScene()
    item = SubtitleItem()
    scene.addItem(item)
    picture = Rect(40, 0, 640, 360)
    item.set_picture(picture)
    assert item.text_rect().isEmpty()
    item.set_lines(("Alice: Thanks for coming in today.",))
    one = item.text_rect()
    item.set_lines(("Alice: Thanks for coming in today.", "Shall we start with the timeline?"))
    two = item.text_rect()
    look = item.look()
    assert look is not None
    assert look.font_px == round(360 * FONT_SHARE)
    for rect in (one, two):
        assert rect.center().x() == pytest.approx(picture.center_x, abs=look.font_px / 2)
        assert picture.bottom - 360 * BOTTOM_SHARE - look.font_px < rect.bottom() <= look.bottom
        assert rect.left() >= picture.x
        assert rect.right() <= picture.x + picture.width
    assert two.top() < one.top() - look.font_px  # the second line stacks above, not over
    item.set_picture(dataclasses.replace(picture, height=720, width=1280))
    assert item.look().font_px == round(720 * FONT_SHARE)  # the text grows with the picture
    item.set_lines(())
    assert item.text_rect().isEmpty()
    assert item.look() is None
