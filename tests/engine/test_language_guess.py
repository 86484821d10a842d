"""The English-only model warning (issue 17): the rule alone, then on real speech."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.language_guess import NOT_ENGLISH_LOGPROB, SpeechScore, probably_not_english
from engine.results import SegmentResult
from engine.transcriber import Transcriber


def _segment(start: float, end: float, logprob: float, unrecognised: bool = False):
    return SegmentResult(0, start, end, "x", avg_logprob=logprob, unrecognised=unrecognised)


def test_the_mean_is_weighted_by_length() -> None:
    score = SpeechScore().plus([_segment(0, 9, -0.5), _segment(9, 10, -3.0)])
    assert score.mean_logprob == pytest.approx(-0.75)
    assert not score.probably_not_english


def test_unsure_speech_is_doubted_once_there_is_enough() -> None:
    unsure = NOT_ENGLISH_LOGPROB - 0.2
    assert not probably_not_english([_segment(0, 2, unsure)])  # too little to judge
    assert probably_not_english([_segment(0, 2, unsure), _segment(2, 5, unsure)])
    # Unrecognised placeholders carry no decoding: they neither count nor excuse.
    assert not probably_not_english([_segment(0, 10, -5.0, unrecognised=True)])
    assert SpeechScore().mean_logprob is None


@pytest.fixture(scope="module")
def tiny_en(tiny_en_model: Path) -> Transcriber:
    return Transcriber(tiny_en_model)


@pytest.mark.parametrize(
    ("clip", "english"),
    [
        ("en/jfk.flac", True),
        ("en/fleurs/fleurs-en-001.ogg", True),
        ("pt/fleurs/fleurs-pt-000.ogg", False),
        ("pt/fleurs/fleurs-pt-002.ogg", False),
    ],
)
def test_tiny_en_on_english_and_portuguese(
    tiny_en: Transcriber, speech_dir: Path, clip: str, english: bool
) -> None:
    _info, segments = tiny_en.transcribe(speech_dir / clip)
    score = SpeechScore().plus(segments)
    assert score.probably_not_english is not english, score.mean_logprob
