"""Engine results into the document: speech the engine could not read stays visible."""

from __future__ import annotations

import io

from editor.writers import ExportOptions, get_writer
from engine.results import SegmentResult, TranscriptionInfo, WordResult
from engine.windows import UNRECOGNISED_TEXT
from ui.files.convert import transcript_from_results

INFO = TranscriptionInfo(language="en", language_probability=1.0, duration=80.0)


def results() -> list[SegmentResult]:
    said = SegmentResult(
        0,
        60.0,
        62.0,
        "Ten of clubs.",
        (
            WordResult(" Ten", 60.0, 60.4, 0.9),
            WordResult(" of", 60.4, 60.6, 0.9),
            WordResult(" clubs.", 60.6, 62.0, 0.9),
        ),
    )
    marker = SegmentResult(
        1,
        62.4,
        68.1,
        UNRECOGNISED_TEXT,
        (WordResult(" " + UNRECOGNISED_TEXT, 62.4, 68.1, 0.0),),
        unrecognised=True,
    )
    return [said, marker]


def test_unrecognised_speech_is_one_unsure_word_in_the_document() -> None:
    transcript = transcript_from_results(results(), INFO, None)
    marker = transcript.segments[-1]
    [word] = marker.words
    assert (word.stripped, word.start_ms, word.end_ms, word.probability) == (
        UNRECOGNISED_TEXT,
        62400,
        68100,
        0.0,
    )


def test_exports_keep_the_gap_visible() -> None:
    transcript = transcript_from_results(results(), INFO, None)
    for fmt in ("txt", "srt", "vtt"):
        out = io.StringIO()
        get_writer(fmt).write(transcript, out, ExportOptions())
        assert UNRECOGNISED_TEXT in out.getvalue(), fmt
