"""Writers: golden files (byte for byte), independent parsers, the registry and atomic export.

Regenerate the golden files with ``UPDATE_GOLDEN=1 pytest tests/editor/test_writers.py`` and
read every changed file before committing it.
"""

from __future__ import annotations

import html
import io
import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
import srt
import webvtt
from ci import require_tool, updating_golden
from hypothesis import given, settings
from subtitle_samples import sample_transcript, spoken, transcripts

from editor.errors import ExportError
from editor.subtitles import Cue, layout_cues
from editor.transcript import Segment, Transcript
from editor.writers import (
    WRITERS,
    DocxWriter,
    ExportOptions,
    JsonWriter,
    MarkdownWriter,
    RttmWriter,
    SrtWriter,
    TxtWriter,
    VttWriter,
    export_to_path,
    get_writer,
    voice_name,
)

GOLDEN = Path(__file__).parent / "golden"

GOLDEN_CASES = {
    "sample.srt": ("srt", ExportOptions()),
    "sample-no-speakers.srt": ("srt", ExportOptions(include_speakers=False)),
    "sample.vtt": ("vtt", ExportOptions()),
    "sample.txt": ("txt", ExportOptions()),
    "sample-times-by-speaker.txt": ("txt", ExportOptions(timestamps=True, paragraphs="speaker")),
    "sample-by-pause.txt": ("txt", ExportOptions(speaker_names=False, paragraphs="pause")),
    "sample.json": ("json", ExportOptions()),
    "sample.rttm": ("rttm", ExportOptions()),
    "sample.md": ("md", ExportOptions(recorded=date(2026, 3, 14))),
}


def render(transcript: Transcript, fmt: str, options: ExportOptions | None = None) -> str:
    stream = io.StringIO()
    get_writer(fmt).write(transcript, stream, options or ExportOptions())
    return stream.getvalue()


def ms(delta: timedelta) -> int:
    return round(delta.total_seconds() * 1000)


def assert_srt_agrees(text: str, cues: list[Cue], labels: bool) -> None:
    """The independent `srt` library reads what layout_cues laid out."""
    parsed = list(srt.parse(text))
    assert len(parsed) == len(cues)
    for sub, cue in zip(parsed, cues, strict=True):
        assert (ms(sub.start), ms(sub.end)) == (cue.start_ms, cue.end_ms)
        assert sub.content == cue.text
        if not labels or not cue.speaker:
            assert not sub.content.startswith(f"{cue.speaker}: ")


def assert_vtt_agrees(text: str, cues: list[Cue], voices: bool) -> None:
    """The independent `webvtt` library reads what layout_cues laid out."""
    parsed = list(webvtt.from_buffer(io.StringIO(text)))
    assert len(parsed) == len(cues)
    for caption, cue in zip(parsed, cues, strict=True):
        times = (caption.start_time.in_milliseconds(), caption.end_time.in_milliseconds())
        assert times == (cue.start_ms, cue.end_ms)
        assert html.unescape(caption.text) == cue.text  # webvtt-py keeps entities as written
        voice = html.unescape(caption.voice) if caption.voice is not None else None
        assert voice == (voice_name(cue.speaker) if voices and cue.speaker else None)


# -- golden files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_file(name: str) -> None:
    fmt, options = GOLDEN_CASES[name]
    data = render(sample_transcript(), fmt, options).encode("utf-8")
    path = GOLDEN / name
    if updating_golden():
        path.write_bytes(data)
    assert data == path.read_bytes()


@pytest.mark.parametrize("include_speakers", [True, False])
def test_sample_srt_is_read_back_by_the_srt_library(include_speakers: bool) -> None:
    options = ExportOptions(include_speakers=include_speakers)
    text = render(sample_transcript(), "srt", options)
    cues = layout_cues(sample_transcript(), speaker_labels=include_speakers)
    assert_srt_agrees(text, cues, include_speakers)


@pytest.mark.parametrize("include_speakers", [True, False])
def test_sample_vtt_is_read_back_by_the_webvtt_library(include_speakers: bool) -> None:
    options = ExportOptions(include_speakers=include_speakers)
    text = render(sample_transcript(), "vtt", options)
    assert_vtt_agrees(text, layout_cues(sample_transcript()), include_speakers)


@settings(max_examples=60, deadline=None)
@given(transcripts())
def test_random_transcripts_make_srt_and_vtt_that_other_parsers_read(t: Transcript) -> None:
    assert_srt_agrees(render(t, "srt"), layout_cues(t, speaker_labels=True), labels=True)
    assert_vtt_agrees(render(t, "vtt"), layout_cues(t), voices=True)


# -- format details --------------------------------------------------------------------------------


def test_subtitle_files_end_with_one_newline_and_separate_cues_by_a_blank_line() -> None:
    for fmt in ("srt", "vtt"):
        text = render(sample_transcript(), fmt)
        assert text.endswith("\n")
        assert not text.endswith("\n\n")
        blocks = text.split("\n\n")
        cues = layout_cues(sample_transcript(), speaker_labels=fmt == "srt")
        assert len(blocks) == len(cues) + (fmt == "vtt")
    assert render(sample_transcript(), "vtt").startswith("WEBVTT\n\n00:00:01.000 --> ")


def test_empty_transcript() -> None:
    assert render(Transcript(), "srt") == ""
    assert render(Transcript(), "vtt") == "WEBVTT\n"
    assert render(Transcript(), "txt") == ""
    assert json.loads(render(Transcript(), "json")) == {
        "text": "",
        "segments": [],
        "language": None,
    }


def test_vtt_escapes_markup_in_text_and_keeps_it_out_of_voice_tags() -> None:
    segment = Segment(tuple(spoken("a <b> & c > d", 0)), "Tom & <Jerry>")
    text = render(Transcript((segment,)), "vtt")
    # "&amp;" in a voice tag is correct WebVTT, but FFmpeg (so mpv and burn-in) ends the tag
    # there and shows the rest of the name: look-alike characters instead.
    assert "<v Tom ＆ ‹Jerry›>a &lt;b&gt; &amp; c &gt; d" in text


def test_vtt_can_put_names_in_the_text_as_players_show_no_voice_tags() -> None:
    segment = Segment(tuple(spoken("Hello there.", 0)), "Ann & Bo")
    text = render(Transcript((segment,)), "vtt", ExportOptions(vtt_names_in_text=True))
    assert "<v" not in text
    assert "Ann &amp; Bo: Hello there." in text


def test_ffmpeg_reads_every_vtt_cue_text_exactly() -> None:
    # FFmpeg's WebVTT reader feeds mpv and burnt-in subtitles: what it shows must be our text.
    ffmpeg = require_tool("ffmpeg", "Debian: apt install ffmpeg")
    for options in (ExportOptions(), ExportOptions(vtt_names_in_text=True)):
        vtt = render(sample_transcript(), "vtt", options)
        proc = subprocess.run(
            [ffmpeg, "-v", "error", "-f", "webvtt", "-i", "-", "-f", "srt", "-"],
            input=vtt.encode("utf-8"),
            capture_output=True,
            check=True,
        )
        shown = [c.content for c in srt.parse(proc.stdout.decode("utf-8"))]
        labels = options.vtt_names_in_text
        expected = [c.text for c in layout_cues(sample_transcript(), speaker_labels=labels)]
        assert shown == expected


def test_txt_paragraphs_by_pause_also_break_at_a_speaker_change() -> None:
    a = Segment(tuple(spoken("One.", 0)), "Ana")
    b = Segment(tuple(spoken("Two.", 500)), "Ana")
    c = Segment(tuple(spoken("Three.", 5_000)), "Ana")
    d = Segment(tuple(spoken("Four.", 5_500)), "Bo")
    options = ExportOptions(paragraphs="pause", timestamps=True)
    text = render(Transcript((a, b, c, d)), "txt", options)
    assert text == "[00:00:00] Ana: One. Two.\n\n[00:00:05] Ana: Three.\n\n[00:00:05] Bo: Four.\n"


def test_json_follows_whisper_and_keeps_times_and_words() -> None:
    transcript = sample_transcript()
    result = json.loads(render(transcript, "json"))
    assert result["language"] == transcript.language
    assert result["text"] == "".join(s["text"] for s in result["segments"])
    for i, (out, segment) in enumerate(zip(result["segments"], transcript.segments, strict=True)):
        assert out["id"] == i
        assert out["text"].strip() == segment.text
        assert round(out["start"] * 1000) == segment.start_ms
        assert round(out["end"] * 1000) == segment.end_ms
        assert out.get("speaker") == segment.speaker
        assert [w["word"] for w in out["words"]] == [w.text for w in segment.words]
        assert [round(w["start"] * 1000) for w in out["words"]] == [
            w.start_ms for w in segment.words
        ]
        assert {"avg_logprob", "compression_ratio"} <= set(out)
        assert out["avg_logprob"] <= 0
        # The transcript keeps no decoder state: Whisper's fields for it are absent, not faked.
        assert not {"seek", "tokens", "temperature", "no_speech_prob"} & set(out)


# -- registry and export ---------------------------------------------------------------------------


def test_registry_and_lookup() -> None:
    assert dict(WRITERS) == {
        "srt": SrtWriter,
        "vtt": VttWriter,
        "txt": TxtWriter,
        "json": JsonWriter,
        "rttm": RttmWriter,
        "md": MarkdownWriter,
        "docx": DocxWriter,
    }
    for key, cls in WRITERS.items():
        assert cls.extension == key
        assert cls.name
        assert isinstance(get_writer(key.upper()), cls)
        assert isinstance(get_writer(f".{key}"), cls)
    with pytest.raises(ExportError, match="pdf"):
        get_writer("pdf")
    with pytest.raises(ExportError, match="paragraph"):
        ExportOptions(paragraphs="chapter")  # type: ignore[arg-type]


def test_export_to_path_writes_the_same_bytes_and_infers_the_format(tmp_path: Path) -> None:
    transcript = sample_transcript()
    for fmt in WRITERS:
        path = tmp_path / f"out.{fmt}"
        export_to_path(transcript, path)
        if WRITERS[fmt].binary:  # DOCX: its own bytes, read back in tests/editor/test_meeting.py
            assert path.read_bytes().startswith(b"PK")
            continue
        assert path.read_bytes() == render(transcript, fmt).encode("utf-8")
    explicit = tmp_path / "subtitles.text"
    export_to_path(transcript, explicit, "vtt", ExportOptions(include_speakers=False))
    assert explicit.read_text(encoding="utf-8").startswith("WEBVTT")
    assert "<v " not in explicit.read_text(encoding="utf-8")


def test_export_errors_are_export_errors(tmp_path: Path) -> None:
    with pytest.raises(ExportError):
        export_to_path(sample_transcript(), tmp_path / "out.xyz")
    with pytest.raises(ExportError):
        export_to_path(sample_transcript(), tmp_path / "missing" / "out.srt")
    assert not (tmp_path / "missing").exists()
