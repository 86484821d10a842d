r"""Opening existing subtitles (SubRip and WebVTT) as a transcript.

Each cue becomes one segment. A cue has no word times, so its words share the cue's time in
proportion to their lengths in characters; they get probability 1. Markup is dropped (styling
and timestamp tags, SRT ``<font>`` and ``{\an8}`` overrides) and HTML entities are decoded; a
WebVTT voice tag (``<v Name>``) becomes the segment's speaker. Text in Chinese or Japanese
script is split into one word per character, so it can be edited word by word as well.

YouTube's automatic captions time each word inline (``this<00:05:04.199><c> will</c>``): those
stamps become the words' start times, and only the words between two stamps share a span.

Readers are forgiving, as subtitle files in the wild often break the rules: any line ends, a
byte order mark, no final blank line, WebVTT stamps without hours, cue settings, cue
identifiers, NOTE/STYLE/REGION blocks, a time line right under the previous cue's text with
no blank line (a new cue, as WebVTT's parsing rules say), cues out of order or overlapping
(clamped so the
transcript's rules hold, and logged), and files that are not UTF-8 (read as Windows-1252 or
Latin-1, and logged). A block that cannot be read is skipped with a warning; only when nothing
at all can be read does `SubtitleParseError` come, naming the line and what was expected.
"""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from editor.errors import SubtitleParseError
from editor.timefmt import parse_timestamp
from editor.transcript import Segment, Transcript, Word

__all__ = ["decode_subtitle_bytes", "import_subtitles", "parse_srt", "parse_vtt"]

log = logging.getLogger(__name__)

_TIMING = re.compile(r"\s*(\S+?)\s*-->\s*(\S+)(?:\s.*)?")
_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_VTT_LANGUAGE = re.compile(r"Language:\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)*)\s*")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>\n]*>")
# A WebVTT cue timestamp tag: YouTube's word times (https://www.w3.org/TR/webvtt1/#webvtt-cue-timestamp)
_TIME_TAG = re.compile(r"<((?:[0-9]+:)?[0-9]{2}:[0-9]{2}\.[0-9]{3})>")
_SSA_OVERRIDE = re.compile(r"\{\\[^}]*\}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
# Kana and CJK ideographs: written without spaces, so every character is a word. Punctuation
# that follows a character (not a word character) stays with it.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECE = re.compile(rf"[{_CJK}][^\w\s]*|(?:(?![{_CJK}])\S)+")

_EXPECTED_TIMING = "a time line like '00:00:01,000 --> 00:00:04,000'"


@dataclass(frozen=True, slots=True)
class _Cue:
    """A cue as read: times, the words' texts (with separators), the speaker, the line."""

    start_ms: int
    end_ms: int
    words: tuple[str, ...]
    speaker: str | None
    line: int
    starts: tuple[int | None, ...] = ()  # per word: its start from a timestamp tag, or None


def import_subtitles(source: str | bytes | os.PathLike[str], fmt: str | None = None) -> Transcript:
    """Read an SRT or WebVTT file, or its content, as a transcript.

    Args:
        source: A path; or the file's content as bytes, or as a string (a string is taken as
            content when it is blank, has a line break or "-->", or starts with "WEBVTT";
            otherwise as a path).
        fmt: "srt" or "vtt"; when None, content starting with "WEBVTT" or a ".vtt" file name
            means WebVTT, anything else SubRip.

    Returns:
        The transcript, one segment per cue.

    Raises:
        SubtitleParseError: The file cannot be read or understood; the message says where.
    """
    path: Path | None = None
    if isinstance(source, bytes):
        text = decode_subtitle_bytes(source)
    elif isinstance(source, str) and _looks_like_content(source):
        text = source
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except (OSError, ValueError) as e:  # ValueError: a NUL character in the path
            raise SubtitleParseError(
                f"Cannot read {path}: {getattr(e, 'strerror', None) or e}."
            ) from e
        text = decode_subtitle_bytes(data, name=str(path))
    kind = (fmt or "").strip().lower().removeprefix(".")
    if not kind:
        is_vtt = text.lstrip("\ufeff").startswith("WEBVTT")
        kind = "vtt" if is_vtt or (path is not None and path.suffix.lower() == ".vtt") else "srt"
    if kind in ("vtt", "webvtt"):
        return parse_vtt(text)
    if kind == "srt":
        return parse_srt(text)
    raise SubtitleParseError(f"Unknown subtitle format {fmt!r}: expected 'srt' or 'vtt'.")


def _looks_like_content(text: str) -> bool:
    """Whether a string passed to `import_subtitles` is the file's content, not its path."""
    start = text.lstrip("\ufeff")
    return not text.strip() or "\n" in text or "-->" in text or start.startswith("WEBVTT")


def decode_subtitle_bytes(data: bytes, name: str = "the subtitles") -> str:
    """Decode a subtitle file: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Bytes that are not UTF-8 are read as Windows-1252 (Latin-1 plus typographic quotes), or as
    Latin-1 when even that fails; either way a warning is logged, as accents may come out wrong.

    Raises:
        SubtitleParseError: A UTF-16 byte order mark is followed by invalid UTF-16.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise SubtitleParseError(f"{name} starts like UTF-16 text but is not: {e}.") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text, encoding = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined; Latin-1 maps every byte
        text, encoding = data.decode("latin-1"), "latin-1"
    log.warning("%s is not UTF-8 (%s); read it as %s", name, utf8_error.reason, encoding)
    return text


def parse_srt(text: str) -> Transcript:
    """Parse SubRip text: blocks of an optional number, a time line and text lines.

    Raises:
        SubtitleParseError: The text holds something but no cue can be read from it.
    """
    lines = _split_lines(text)
    cues: list[_Cue] = []
    problems: list[str] = []
    for line_no, block in _cue_blocks(_blocks(lines), srt=True):
        try:
            cues.append(_read_cue(block, line_no, srt=True))
        except SubtitleParseError as e:
            problems.append(str(e))
    return _transcript(cues, problems, "srt")


def parse_vtt(text: str) -> Transcript:
    """Parse WebVTT text: a WEBVTT header, then cues and NOTE, STYLE and REGION blocks.

    Raises:
        SubtitleParseError: The header is missing, or cues exist but none can be read.
    """
    lines = _split_lines(text)
    if not lines or not _VTT_HEADER.fullmatch(lines[0]):
        first = lines[0] if lines else ""
        raise SubtitleParseError(f"line 1: expected the header 'WEBVTT', found {first[:40]!r}")
    blocks = _blocks(lines)
    _, header = blocks[0]
    language: str | None = None
    for i, line in enumerate(header[1:], start=1):
        if "-->" in line:  # a cue right under the header, without the blank line
            blocks[0] = (1 + i, header[i:])
            break
        if match := _VTT_LANGUAGE.fullmatch(line):
            language = match[1].lower()
    else:
        del blocks[0]
    cues: list[_Cue] = []
    problems: list[str] = []
    for line_no, block in _cue_blocks(blocks, srt=False):
        if _VTT_SKIPPED_BLOCK.fullmatch(block[0]) and "-->" not in block[0]:
            continue
        try:
            cues.append(_read_cue(block, line_no, srt=False))
        except SubtitleParseError as e:
            problems.append(str(e))
    return _transcript(cues, problems, "vtt", language)


def _split_lines(text: str) -> list[str]:
    """Lines without their ends (CRLF, CR or LF), the BOM dropped; refuses binary data."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise SubtitleParseError(f"line {line}: found binary data (a NUL byte); expected text")
    return text.split("\n")


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the 1-based number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        elif current:
            current = []
    return blocks


def _is_time_line(line: str) -> bool:
    """Whether a line is a cue's time line (text such as "A --> B" is not)."""
    match = _TIMING.fullmatch(line)
    if match is None:
        return False
    try:
        parse_timestamp(match[1])
        parse_timestamp(match[2])
    except SubtitleParseError:
        return False
    return True


def _cue_blocks(blocks: list[tuple[int, list[str]]], *, srt: bool) -> list[tuple[int, list[str]]]:
    """Blocks split where a time line follows a cue's text without a blank line.

    WebVTT's parser ends a cue's text at any line holding "-->" (YouTube's automatic captions
    rely on it); in SubRip the cue number above such a time line goes with it.
    """
    out: list[tuple[int, list[str]]] = []
    for line_no, block in blocks:
        first = 0
        own = next((i for i, line in enumerate(block[:2]) if "-->" in line), len(block))
        for i in range(own + 1, len(block)):
            if not _is_time_line(block[i]):
                continue
            cut = i - 1 if srt and i - 1 > own and block[i - 1].strip().isdigit() else i
            if cut > first:
                out.append((line_no + first, block[first:cut]))
                first = cut
        out.append((line_no + first, block[first:]))
    return out


def _read_cue(block: list[str], line_no: int, *, srt: bool) -> _Cue:
    """A cue from its block: an optional number or identifier, the time line, the text."""
    if "-->" in block[0]:
        at = 0
    elif len(block) > 1 and "-->" in block[1]:
        at = 1
        if srt and not block[0].strip().isdigit():
            # Text above a time line is not a cue of SubRip's; reading it as a number would
            # hide the text and import an empty transcript without a word of warning.
            raise SubtitleParseError(
                f"line {line_no}: expected a cue number or {_EXPECTED_TIMING}, found "
                f"{block[0][:60]!r}"
            )
    else:  # point at the line that should have been the time line
        at = 1 if len(block) > 1 and block[0].strip().isdigit() else 0
        raise SubtitleParseError(
            f"line {line_no + at}: expected {_EXPECTED_TIMING}, found {block[at][:60]!r}"
        )
    match = _TIMING.fullmatch(block[at])
    try:
        if match is None:
            raise SubtitleParseError(f"expected {_EXPECTED_TIMING}, found {block[at][:60]!r}")
        start, end = parse_timestamp(match[1]), parse_timestamp(match[2])
    except SubtitleParseError as e:
        raise SubtitleParseError(f"line {line_no + at}: {e}") from e
    words, starts, speaker = _words_and_speaker(block[at + 1 :])
    return _Cue(start, end, words, speaker, line_no, starts)


def _words_and_speaker(
    lines: list[str],
) -> tuple[tuple[str, ...], tuple[int | None, ...], str | None]:
    """The cue's words, their start times from timestamp tags, and its voice.

    Words carry their leading space, Whisper-style; a word no timestamp tag starts has None.
    """
    raw = " ".join(lines)
    voice = _VOICE.search(raw)
    speaker = " ".join(html.unescape(voice[1]).split()) if voice else ""
    # re.split with the stamp captured: text, stamp, text, stamp, ... text
    parts = _TIME_TAG.split(raw)
    words: list[str] = []
    starts: list[int | None] = []
    pending: int | None = None
    for k, part in enumerate(parts):
        if k % 2:
            pending = parse_timestamp(part)
            continue
        text = html.unescape(_SSA_OVERRIDE.sub("", _TAG.sub("", part)))
        for token in _CONTROL.sub("", text).split():
            pieces = _PIECE.findall(token)
            words.append(" " + pieces[0])
            words.extend(pieces[1:])
            starts.extend([pending] + [None] * (len(pieces) - 1))
            pending = None
    return tuple(words), tuple(starts), speaker or None


def _transcript(
    cues: list[_Cue], problems: list[str], fmt: str, language: str | None = None
) -> Transcript:
    """Segments from the cues read: empty ones dropped, order and overlaps repaired."""
    if problems and not cues:
        raise SubtitleParseError(f"No cue could be read: {problems[0]}.")
    if problems:
        log.warning(
            "skipped %d unreadable cue(s) in %s; the first: %s", len(problems), fmt, problems[0]
        )
    kept = [c for c in cues if c.words]
    if len(kept) < len(cues):
        log.info("dropped %d cue(s) without text", len(cues) - len(kept))
    ordered = sorted(kept, key=lambda c: (c.start_ms, c.end_ms))
    if ordered != kept:
        log.info("cues in the %s file are out of time order; sorted them", fmt)
    segments: list[Segment] = []
    clamped = 0
    end = 0
    for k, cue in enumerate(ordered):
        start = max(cue.start_ms, end)
        end = cue.end_ms if k + 1 == len(ordered) else min(cue.end_ms, ordered[k + 1].start_ms)
        end = max(end, start + len(cue.words))  # every word needs at least 1 ms
        if (start, end) != (cue.start_ms, cue.end_ms):
            clamped += 1
            log.debug("cue at line %d moved to %d-%d ms", cue.line, start, end)
        segments.append(Segment(_timed(cue.words, cue.starts, start, end), cue.speaker))
    if clamped:
        log.info("clamped %d overlapping or empty cue(s) so that none overlap", clamped)
    return Transcript(tuple(segments), language=language, metadata={"imported_from": fmt})


def _timed(
    texts: tuple[str, ...], starts: tuple[int | None, ...], start: int, end: int
) -> tuple[Word, ...]:
    """Words in ``start``..``end``, beginning at their own start times where they have one.

    Those times are kept in order and inside the cue, with at least 1 ms per word; the words
    between two of them share that span in proportion to their lengths.

    Needs ``end - start >= len(texts)``.
    """
    cuts = [i for i, t in enumerate(starts) if t is not None and i > 0]
    words: list[Word] = []
    run_start = start
    for a, b in zip([0, *cuts], [*cuts, len(texts)], strict=True):
        wanted = end if b == len(texts) else starts[b]
        assert wanted is not None
        # room for this run's words, and for every word after it
        run_end = min(max(wanted, run_start + (b - a)), end - (len(texts) - b))
        words.extend(_spread(texts[a:b], run_start, run_end))
        run_start = run_end
    return tuple(words)


def _spread(texts: tuple[str, ...], start: int, end: int) -> tuple[Word, ...]:
    """Words sharing ``start``..``end`` in proportion to their lengths, each at least 1 ms.

    Needs ``end - start >= len(texts)``.
    """
    weights = [len(t.strip()) for t in texts]
    total, span, count = sum(weights), end - start, len(texts)
    bounds = [start]
    done = 0
    for k, weight in enumerate(weights, start=1):
        done += weight
        bound = start + (2 * span * done + total) // (2 * total)  # rounded half up
        bounds.append(min(max(bound, bounds[-1] + 1), end - (count - k)))
    return tuple(Word(t, a, b, 1.0) for t, a, b in zip(texts, bounds, bounds[1:], strict=False))
