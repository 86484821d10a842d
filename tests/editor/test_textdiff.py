from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.errors import EditRejected
from editor.textdiff import respell, spread, tokenize
from editor.transcript import Word


@given(
    start=st.integers(0, 10_000),
    weights=st.lists(st.integers(0, 30), min_size=1, max_size=12),
    extra=st.integers(0, 5_000),
)
def test_spread_fills_the_window_with_touching_spans(
    start: int, weights: list[int], extra: int
) -> None:
    end = start + len(weights) + extra
    spans = spread(start, end, weights)
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert all(e > s for s, e in spans)
    assert all(a[1] == b[0] for a, b in pairwise(spans))


def test_spread_is_proportional_to_weights() -> None:
    assert spread(0, 1000, [1, 3]) == [(0, 250), (250, 1000)]
    with pytest.raises(ValueError, match="cannot hold"):
        spread(0, 2, [1, 1, 1])


def test_tokenize_keeps_typed_separators_and_sets_the_first() -> None:
    assert tokenize("  Hello  big\nworld ", " ") == [" Hello", "  big", " world"]
    assert tokenize("你好 世界", "") == ["你好", " 世界"]
    assert tokenize(" \t ", " ") == []


def test_respell_unchanged_text_returns_the_same_words() -> None:
    old = (Word(" a", 0, 10, 0.2), Word(" b", 30, 40, 0.3))
    assert respell(old, [" a", " b"], 0, 40) == old


def test_respell_into_an_empty_segment_spreads_over_the_window() -> None:
    words = respell((), ["x", " yy"], 100, 400)
    assert [(w.start_ms, w.end_ms) for w in words] == [(100, 200), (200, 400)]


def test_respell_rejects_words_that_cannot_fit() -> None:
    with pytest.raises(EditRejected, match="not enough time"):
        respell((Word("a", 0, 1),), ["a", " b"], 0, 1)


@st.composite
def old_words(draw: st.DrawFn) -> tuple[Word, ...]:
    words, t = [], draw(st.integers(0, 50))
    # Distinct words: with repeated ones, which of them "stayed" is a matter of choice.
    for body in draw(
        st.lists(st.sampled_from(["a", "bb", "c,", "Ü", "e"]), max_size=5, unique=True)
    ):
        t += draw(st.integers(0, 30))
        end = t + draw(st.integers(1, 30))
        words.append(Word(" " + body, t, end, 0.5))
        t = end
    return tuple(words)


@given(
    old=old_words(),
    new=st.lists(st.sampled_from([" a", " bb", " C", " dd", " ee,"]), max_size=6),
    margin=st.integers(0, 20),
)
def test_respell_gives_valid_words_inside_the_window(
    old: tuple[Word, ...], new: list[str], margin: int
) -> None:
    lo = max(0, (old[0].start_ms if old else 10) - margin)
    hi = (old[-1].end_ms if old else 10) + margin
    try:
        words = respell(old, new, lo, hi)
    except EditRejected:
        assert hi - lo < len(new)  # only refused when the words cannot fit at all
        return
    assert [w.text for w in words] == new
    assert all(lo <= w.start_ms < w.end_ms <= hi for w in words)
    assert all(a.end_ms <= b.start_ms for a, b in pairwise(words))
    # A word keeps the recogniser's probability only if it kept an old word's text.
    assert {w.text for w in words if w.probability == 0.5} <= {w.text for w in old}


@given(old=old_words(), keep=st.lists(st.booleans(), min_size=5, max_size=5))
def test_deleting_words_keeps_the_others_exactly(old: tuple[Word, ...], keep: list[bool]) -> None:
    kept = tuple(w for w, k in zip(old, keep, strict=False) if k)
    lo, hi = (old[0].start_ms, old[-1].end_ms) if old else (0, 0)
    assert respell(old, [w.text for w in kept], lo, hi) == kept
