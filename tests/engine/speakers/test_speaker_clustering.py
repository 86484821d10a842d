"""Clustering, turns and word assignment on synthetic voice prints and turns."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from engine.errors import Cancelled
from engine.results import SegmentResult, WordResult
from engine.speakers import SpeakerOptions, SpeakerTurn, assign_speakers, speaker_at
from engine.speakers.clustering import MAX_POINTS, cluster_embeddings
from engine.speakers.extract import SpeechWindows
from engine.speakers.turns import speaker_turns


def voices(counts: list[int], spread: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit embeddings around one random direction per speaker, and the true labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(len(counts), 64))
    truth = np.repeat(np.arange(len(counts)), counts)
    x = centres[truth] / np.linalg.norm(centres[truth], axis=1, keepdims=True)
    x = x + rng.normal(scale=spread / 8, size=x.shape)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), truth


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("counts", [[30], [20, 12], [10, 10, 10, 6], [8] * 10, [400, 80]])
def test_estimated_count_finds_every_speaker(counts: list[int]) -> None:
    x, truth = voices(counts)
    labels = cluster_embeddings(x, 1, len(x), threshold=0.65)
    assert same_partition(labels, truth)


def test_given_count_and_bounds_are_honoured() -> None:
    x, _ = voices([10, 10, 10])
    assert len(set(cluster_embeddings(x, 2, 2, 0.65).tolist())) == 2
    assert len(set(cluster_embeddings(x, 1, 1, 0.65).tolist())) == 1
    assert len(set(cluster_embeddings(x, 5, 5, 0.65).tolist())) == 5
    assert len(set(cluster_embeddings(x, 1, 2, 0.65).tolist())) <= 2


def test_options_bounds() -> None:
    assert SpeakerOptions(num_speakers=3).bounds(10) == (3, 3)
    assert SpeakerOptions(num_speakers=3).bounds(2) == (2, 2)
    assert SpeakerOptions(min_speakers=2, max_speakers=4).bounds(10) == (2, 4)
    assert SpeakerOptions().bounds(7) == (1, 7)
    with pytest.raises(ValueError, match="min_speakers"):
        SpeakerOptions(min_speakers=3, max_speakers=2)
    with pytest.raises(ValueError, match="at least 1"):
        SpeakerOptions(num_speakers=0)


def test_stray_windows_do_not_become_speakers() -> None:
    x, truth = voices([20, 20, 2])  # two windows unlike the rest: a stray group
    labels = cluster_embeddings(x, 1, len(x), threshold=0.65)
    assert len(set(labels.tolist())) == 2
    assert same_partition(labels[:40], truth[:40])
    assert len(set(cluster_embeddings(x, 3, 3, 0.65).tolist())) == 3  # unless asked for


def test_a_voice_heard_briefly_is_folded_only_in_a_short_recording() -> None:
    # The same share (a sixth of the windows): a few seconds in a clip is taken for drift, a
    # minute and more in a meeting for a person.
    short, _ = voices([40, 8])
    assert len(set(cluster_embeddings(short, 1, len(short), 0.65).tolist())) == 1
    long, truth = voices([400, 80])
    assert same_partition(cluster_embeddings(long, 1, len(long), 0.65), truth)


def test_nothing_and_one_window() -> None:
    assert cluster_embeddings(np.zeros((0, 8)), 1, 1, 0.65).shape == (0,)
    x, _ = voices([1])
    assert cluster_embeddings(x, 1, 1, 0.65).tolist() == [0]


def test_many_windows_are_clustered_within_bounded_memory() -> None:
    x, truth = voices([MAX_POINTS, MAX_POINTS // 2, 300], seed=3)
    labels = cluster_embeddings(x, 1, len(x), threshold=0.65)
    assert same_partition(labels, truth)


def test_cancel_stops_clustering() -> None:
    x, _ = voices([200, 200])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        cluster_embeddings(x, 1, len(x), -2.0, cancel)  # a threshold that merges everything


def test_turns_follow_the_windows_and_split_where_the_voice_changes() -> None:
    x, truth = voices([6, 6])
    # One region of 0-5.6 s: six windows of speaker A, then six of B, 0.4 s apart, 1.6 s wide.
    starts = np.arange(12) * 0.4
    spans = np.stack([starts, np.minimum(starts + 1.6, 6.0)], axis=1)
    windows = SpeechWindows(np.array([[0.0, 6.0]]), spans, np.zeros(12, np.intp), x, 6.0)
    turns = speaker_turns(windows, truth)
    assert [t.speaker for t in turns] == ["SPEAKER_00", "SPEAKER_01"]
    assert turns[0].start == 0.0
    assert turns[-1].end == pytest.approx(6.0)
    assert 2.0 < turns[0].end < 4.0  # where the voices change, not at a window's edge
    assert turns[0].end == turns[1].start


def test_each_word_gets_the_speaker_that_overlaps_it_most() -> None:
    turns = (SpeakerTurn(0.0, 2.0, "A"), SpeakerTurn(2.0, 4.0, "B"), SpeakerTurn(6.0, 7.0, "A"))
    words = (
        WordResult(" Hello", 0.2, 0.6, 0.9),
        WordResult(" there.", 1.7, 2.1, 0.9),  # 0.3 s in A, 0.1 s in B
        WordResult(" Hi", 2.2, 2.5, 0.9),
        WordResult(" you.", 4.5, 4.8, 0.9),  # no turn: the nearest one (B ends at 4.0)
        WordResult(" Bye", 6.8, 7.5, 0.9),
    )
    segment = SegmentResult(0, 0.2, 7.5, "Hello there. Hi you. Bye", words)
    pieces = assign_speakers([segment], turns)
    assert [(p.speaker, p.text) for p in pieces] == [
        ("A", "Hello there."),
        ("B", "Hi you."),
        ("A", "Bye"),
    ]
    assert (pieces[1].start, pieces[1].end) == (2.2, 4.8)
    assert sum(len(p.words) for p in pieces) == len(words)


def test_segments_without_words_and_without_turns() -> None:
    segment = SegmentResult(0, 1.0, 3.0, "Hi.", ())
    turns = (SpeakerTurn(0.0, 1.5, "A"), SpeakerTurn(1.5, 3.0, "B"))
    assert [p.speaker for p in assign_speakers([segment], turns)] == ["B"]
    assert [p.speaker for p in assign_speakers([segment], ())] == [None]
    assert speaker_at(5.0, 6.0, turns) == "B"
