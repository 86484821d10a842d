"""`identify_speakers` end to end: real weights on real speech, and files that must not break it."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest
from speaker_helpers import diarization_file

from engine.errors import Cancelled
from engine.speakers import (
    SpeakerOptions,
    SpeakerProgress,
    SpeakerTurn,
    identify_speakers,
    load_embedder,
)
from engine.speakers.ge2e import Ge2eEncoder
from engine.speakers.turns import speaker_turns


@pytest.fixture(scope="module")
def encoder() -> Ge2eEncoder:
    return Ge2eEncoder.load()


def check_turns(turns: tuple[SpeakerTurn, ...], duration: float) -> None:
    for turn in turns:
        assert 0.0 <= turn.start < turn.end <= duration + 0.1
    for a, b in itertools.pairwise(turns):
        assert a.end <= b.start + 1e-9


def sample_turns_match_reference(turns: tuple[SpeakerTurn, ...]) -> None:
    """The longest stretch of each reference speaker lands mostly on one of our speakers, and
    the two land on different ones."""
    reference = {}
    for line in diarization_file("sample.rttm").read_text().splitlines():
        f = line.split()
        reference[(float(f[3]), float(f[3]) + float(f[4]))] = f[7]
    ours = []
    for who in sorted(set(reference.values())):
        start, end = max((k for k, v in reference.items() if v == who), key=lambda k: k[1] - k[0])
        shares: dict[str, float] = {}
        for t in turns:
            shares[t.speaker] = shares.get(t.speaker, 0) + max(
                0, min(end, t.end) - max(start, t.start)
            )
        best = max(shares, key=lambda s: shares[s])
        assert shares[best] > 0.7 * (end - start)
        ours.append(best)
    assert len(set(ours)) == 2


def test_sample_with_two_speakers_given_puts_them_in_the_right_places(
    encoder: Ge2eEncoder,
) -> None:
    progress: list[SpeakerProgress] = []
    turns = identify_speakers(
        diarization_file("sample.wav"),
        SpeakerOptions(num_speakers=2),
        None,
        progress.append,
        embedder=encoder,
    )
    check_turns(turns, 30.0)
    assert {t.speaker for t in turns} == {"SPEAKER_00", "SPEAKER_01"}
    assert progress[-1].stage == "clustering"
    assert progress[0].total == pytest.approx(30.0, abs=0.1)
    sample_turns_match_reference(turns)


def test_sample_has_two_speakers_found_without_a_count(encoder: Ge2eEncoder) -> None:
    turns = identify_speakers(diarization_file("sample.wav"), embedder=encoder)
    check_turns(turns, 30.0)
    assert len({t.speaker for t in turns}) == 2
    sample_turns_match_reference(turns)


def test_silence_noise_and_tiny_inputs_give_no_turns(encoder: Ge2eEncoder) -> None:
    rng = np.random.default_rng(0)
    for audio in (
        np.zeros(16000 * 20, np.float32),
        rng.normal(0, 0.01, 16000 * 5).astype(np.float32),
        np.zeros(10, np.float32),
    ):
        assert identify_speakers(audio, embedder=encoder) == ()


def test_one_short_utterance_and_impossible_counts(encoder: Ge2eEncoder) -> None:
    sample = diarization_file("sample.wav")
    from engine.audio import load_audio

    audio = load_audio(sample)[7 * 16000 : 8 * 16000]  # about a second of one voice
    turns = identify_speakers(audio, SpeakerOptions(num_speakers=10), embedder=encoder)
    assert len({t.speaker for t in turns}) <= 1
    check_turns(turns, 1.0)


def test_ten_speakers_asked_for_gives_ten_when_the_windows_allow(encoder: Ge2eEncoder) -> None:
    turns = identify_speakers(
        diarization_file("sample.wav"), SpeakerOptions(num_speakers=10), embedder=encoder
    )
    check_turns(turns, 30.0)
    assert 2 <= len({t.speaker for t in turns}) <= 10


def test_cancel_raises_cancelled(encoder: Ge2eEncoder) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        identify_speakers(diarization_file("sample.wav"), cancel=cancel, embedder=encoder)


def test_unknown_model_is_a_model_load_error() -> None:
    from engine.errors import ModelLoadError

    with pytest.raises(ModelLoadError, match="no speaker model"):
        load_embedder("cam++")


def test_no_labels_give_no_turns() -> None:
    from engine.speakers.extract import SpeechWindows

    empty = SpeechWindows(
        np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0, np.intp), np.zeros((0, 256), np.float32), 0
    )
    assert speaker_turns(empty, np.zeros(0, np.intp)) == ()
