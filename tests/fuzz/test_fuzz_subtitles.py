"""Fuzzing the SRT and WebVTT importers with damaged files, as bytes and as files on disk.

`tests/editor/test_importers.py` fuzzes the parsers with text; this feeds them bytes: valid files
written by our own writers, in the encodings people's tools use, then damaged. Nothing may escape
but the editor's own errors. A coverage-guided harness for the same: `atheris_subtitles.py`.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from fuzz_helpers import assert_plain, damaged, write_as
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.errors import EditorError
from editor.importers import import_subtitles
from editor.transcript import Segment, Transcript, Word
from editor.writers import ExportOptions, get_writer

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252"]
EXTENSIONS = ["srt", "vtt", "SRT", "txt", ""]


def sample(fmt: str, encoding: str) -> bytes:
    """A valid file with speakers, accents, markup-like text and a long cue, as ``encoding``."""
    transcript = Transcript(
        (
            Segment((Word("Naïve", 0, 400, 0.9), Word(" café", 400, 900, 0.8)), "Ann"),
            Segment((Word(" <b>bold</b>", 1000, 1600, 1.0), Word(" &amp;", 1600, 1900, 1.0))),
            Segment(tuple(Word(f" w{i}", 3000 + 300 * i, 3250 + 300 * i, 0.5) for i in range(40))),
            Segment((Word(" 日本語", 20_000, 21_000, 0.7),), "Bo"),
        ),
        language="en",
    )
    stream = io.StringIO()
    get_writer(fmt).write(transcript, stream, ExportOptions())
    return stream.getvalue().encode(encoding, errors="replace")


SAMPLES = [sample(fmt, enc) for fmt in ("srt", "vtt") for enc in ENCODINGS]


def check(source: bytes | Path) -> None:
    try:
        result = import_subtitles(source)
    except EditorError as e:  # anything else escapes and fails the test
        assert_plain(str(e))
    else:
        assert isinstance(result, Transcript)


@settings(max_examples=1000, deadline=None)
@given(data=st.sampled_from(SAMPLES).flatmap(damaged))
def test_damaged_subtitle_bytes_raise_only_editor_errors(data: bytes) -> None:
    check(data)


@settings(max_examples=300, deadline=None)
@given(data=st.sampled_from(SAMPLES).flatmap(damaged), ext=st.sampled_from(EXTENSIONS))
def test_damaged_subtitle_files_raise_only_editor_errors(data: bytes, ext: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        check(write_as(folder, data, ext))


def test_the_samples_are_valid() -> None:
    # The seeds of the fuzzing above must themselves import, or the damage means little.
    for data in SAMPLES:
        assert import_subtitles(data).word_count >= 40
