from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.errors import InvariantError, SubtitleParseError
from editor.timefmt import format_timestamp, ms_from_seconds, parse_timestamp


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0.0, 0),
        (1.0, 1000),
        (0.0004, 0),
        (0.0005, 1),  # half a millisecond rounds up...
        (2.5e-3, 3),  # ...also where round-half-to-even would go down
        (0.0015, 2),
        (12.3456, 12346),
        (-0.2, 0),
        (-1e9, 0),
    ],
)
def test_ms_from_seconds_rounds_half_up_and_clamps(seconds: float, expected: int) -> None:
    assert ms_from_seconds(seconds) == expected


@given(st.integers(0, 10**9))
def test_ms_from_seconds_is_exact_on_whole_milliseconds(ms: int) -> None:
    assert ms_from_seconds(ms / 1000) == ms


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_ms_from_seconds_matches_the_documented_formula(seconds: float) -> None:
    assert ms_from_seconds(seconds) == math.floor(seconds * 1000 + 0.5)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_ms_from_seconds_refuses_non_finite(bad: float) -> None:
    with pytest.raises(InvariantError):
        ms_from_seconds(bad)


def test_format_timestamp_styles() -> None:
    ms = ((1 * 60 + 2) * 60 + 3) * 1000 + 456
    assert format_timestamp(ms) == "01:02:03,456"
    assert format_timestamp(ms, decimal=".") == "01:02:03.456"
    assert format_timestamp(0, decimal=".", always_hours=False) == "00:00.000"
    assert format_timestamp(ms, always_hours=False) == "01:02:03,456"
    assert format_timestamp(123 * 3_600_000) == "123:00:00,000"


def test_format_timestamp_refuses_negative() -> None:
    with pytest.raises(InvariantError):
        format_timestamp(-1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01:02:03,456", 3_723_456),
        ("01:02:03.456", 3_723_456),
        ("02:03.456", 123_456),
        (" 00:00:01,5 ", 1_500),
        ("00:00:01.05", 1_050),
        ("00:00:01.2344", 1_234),
        ("00:00:01.2345", 1_235),
        ("00:00:01.9999", 2_000),
        ("0:0:1", 1_000),
        ("100:00:00,000", 360_000_000),
    ],
)
def test_parse_timestamp_accepts_the_usual_forms(text: str, expected: int) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "garbage", "00:00", "1.5", "00:60:00,000", "00:00:60,000", "-00:00:01,000", "00:00:01;5"],
)
def test_parse_timestamp_refuses_garbage(text: str) -> None:
    with pytest.raises(SubtitleParseError):
        parse_timestamp(text)


@given(st.integers(0, 10**10), st.sampled_from([",", "."]), st.booleans())
def test_format_then_parse_round_trips(ms: int, decimal: str, always_hours: bool) -> None:
    assert parse_timestamp(format_timestamp(ms, decimal=decimal, always_hours=always_hours)) == ms


@given(st.text(max_size=40))
def test_parse_timestamp_raises_only_subtitle_errors(text: str) -> None:
    try:
        ms = parse_timestamp(text)
    except SubtitleParseError:  # any other exception fails the test
        return
    assert ms >= 0
