"""Converting times: float seconds to integer milliseconds, and ms to and from subtitle stamps.

One rounding rule serves the whole editor (`ms_from_seconds`), so a time read from the engine, a
JSON file or a subtitle file lands on the same millisecond whichever path it took.
"""

from __future__ import annotations

import math
import re

from editor.errors import InvariantError, SubtitleParseError

__all__ = ["format_clock", "format_timestamp", "ms_from_seconds", "parse_timestamp"]

MS_PER_SECOND = 1000
MS_PER_MINUTE = 60 * MS_PER_SECOND
MS_PER_HOUR = 60 * MS_PER_MINUTE

# [hours:]minutes:seconds[(.|,)fraction]. Digit counts are capped so a fuzzed file can never
# hand int() a huge string; hours may have more than two digits (long recordings, some tools).
_TIMESTAMP = re.compile(
    r"(?:(?P<h>[0-9]{1,9}):)?(?P<m>[0-9]{1,2}):(?P<s>[0-9]{1,2})(?:[.,](?P<f>[0-9]{1,9}))?",
    re.ASCII,
)


def ms_from_seconds(seconds: float) -> int:
    """Convert float seconds to whole milliseconds: THE rounding rule of the editor.

    The rule is round half up, ``math.floor(seconds * 1000 + 0.5)``, with negative times
    clamped to 0. Half up (rather than Python's round-half-to-even) makes a time and the same
    time shifted by a whole number of ms round the same way. The product is taken in binary
    floating point, so a value such as 1.0005 s, stored as 1.000499999..., gives 1000 ms.

    Args:
        seconds: A time in seconds.

    Returns:
        The time in milliseconds, never negative.

    Raises:
        InvariantError: ``seconds`` is NaN or infinite.
    """
    if not math.isfinite(seconds):
        raise InvariantError(f"a time must be a finite number of seconds, not {seconds}")
    return max(0, math.floor(seconds * MS_PER_SECOND + 0.5))


def format_clock(ms: int, *, with_hours: bool = False) -> str:
    """A time or duration as people read it: ``m:ss``, or ``h:mm:ss`` from one hour on.

    THE rule for durations and playhead times shown anywhere in the app: whole seconds cut off,
    never rounded, as media players do, so 100.7 s reads 1:40 in the queue and in the player
    alike (issue 17: they once showed 1:41 and 1:40 for the same file).

    Args:
        ms: The time in milliseconds (negative counts as 0).
        with_hours: Show the hours even under one hour (for a list of times in long media).
    """
    seconds = max(ms, 0) // MS_PER_SECOND
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours or with_hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_timestamp(ms: int, *, decimal: str = ",", always_hours: bool = True) -> str:
    """Format milliseconds as a subtitle time stamp such as ``01:02:03,456``.

    Args:
        ms: The time in milliseconds (not negative). Hours are not capped at 99.
        decimal: The mark before the milliseconds: "," for SRT, "." for WebVTT.
        always_hours: Write the hours even when they are zero (SRT needs them, WebVTT not).

    Returns:
        The time stamp.

    Raises:
        InvariantError: ``ms`` is negative.
    """
    if ms < 0:
        raise InvariantError(f"a time stamp cannot be negative ({ms} ms)")
    hours, rest = divmod(ms, MS_PER_HOUR)
    minutes, rest = divmod(rest, MS_PER_MINUTE)
    seconds, millis = divmod(rest, MS_PER_SECOND)
    hours_part = f"{hours:02d}:" if always_hours or hours else ""
    return f"{hours_part}{minutes:02d}:{seconds:02d}{decimal}{millis:03d}"


def parse_timestamp(text: str) -> int:
    """Parse a subtitle time stamp into milliseconds.

    Accepted: ``hh:mm:ss,mmm`` (SRT), ``hh:mm:ss.mmm`` and ``mm:ss.mmm`` (WebVTT), with any
    number of hour digits, one or two minute and second digits, and the fraction shorter
    (``.5`` is 500 ms) or longer than three digits (rounded half up to the ms), or missing when
    the hours are there (``mm:ss`` alone is ambiguous).

    Args:
        text: The time stamp; surrounding whitespace is ignored.

    Returns:
        The time in milliseconds.

    Raises:
        SubtitleParseError: ``text`` is not a time stamp or has minutes or seconds past 59.
    """
    match = _TIMESTAMP.fullmatch(text.strip())
    # "01:02" alone could be minutes or hours: a stamp without hours needs the fraction.
    if match is None or (match["h"] is None and match["f"] is None):
        raise SubtitleParseError(f"expected a time like 00:01:02,345, found {text.strip()!r}")
    minutes, seconds = int(match["m"]), int(match["s"])
    if minutes > 59 or seconds > 59:
        raise SubtitleParseError(f"minutes and seconds must be below 60 in {text.strip()!r}")
    fraction = match["f"] or ""
    millis = int(fraction[:3].ljust(3, "0"))
    if len(fraction) > 3 and fraction[3] >= "5":  # the rest is >= half a ms: round up
        millis += 1
    hours = int(match["h"] or 0)
    return hours * MS_PER_HOUR + minutes * MS_PER_MINUTE + seconds * MS_PER_SECOND + millis
