"""Subtitle cues laid out from word timings: where cues start and end, and how lines break.

`layout_cues` turns a transcript into cues that a viewer can read, following the usual
subtitling rules (Netflix's timed-text style guides are the reference for the numbers):

- A cue never holds words of two speakers. Consecutive segments of one speaker are laid out as
  one run of words: a segment that ends mid-sentence would otherwise leave a cue too short to
  read (Whisper's segments are not sentences), and cue rules must hold across them.
- A pause of at least ``pause_split_ms`` always starts a new cue.
- Longer stretches are cut where the cost is lowest (a small dynamic program over the words of a
  stretch): after a sentence end costs nothing, after a comma or at a medium pause a little, and
  anywhere else more; each extra cue and each nearly empty cue cost something too. A cut is only
  made when the words do not fit ``max_lines`` lines of ``max_chars_per_line`` characters or
  last longer than ``max_duration_ms``, as a cue that fits is always cheaper whole.
- Lines are balanced: among the ways to fill the fewest lines, the one whose lines are closest
  in length wins, with a break after punctuation preferred and a longer bottom line preferred
  on a tie (the "pyramid"). A line is longer than the limit only when one word is.
- Times come from the words. A cue too short for ``min_duration_ms`` or too fast for
  ``max_cps`` is extended into the silence after it, stopping ``min_gap_ms`` before the next
  cue and at ``max_duration_ms``. Where there is no such silence the cue stays fast: the
  alternatives (dropping words, or starting cues before the speech) change what or when the
  viewer reads, which a transcript must not do, and cutting a fast cue into more cues does
  not slow it down. Cues that follow each other without a pause are separated by
  ``min_gap_ms`` taken from the end of the earlier cue, when that cue stays at least
  ``min_duration_ms`` long.

Lengths are counted in characters (code points), spaces included; a word without a leading
separator (Chinese, Japanese) joins the word before it without a space, and a line may break
between any two words, so such text can break anywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from types import MappingProxyType

from editor.errors import ExportError
from editor.transcript import Transcript, Word

__all__ = ["PRESETS", "Cue", "SubtitleOptions", "clean_cue_text", "layout_cues"]


@dataclass(frozen=True, slots=True)
class SubtitleOptions:
    """How cues are laid out; see the module docstring for how each limit is applied.

    Attributes:
        max_chars_per_line: Characters per line, spaces included.
        max_lines: Lines per cue.
        max_cps: Reading speed limit in characters per second (line breaks count as one).
        min_duration_ms: Shortest time a cue stays on screen, when the silence after it allows.
        max_duration_ms: Longest time a cue stays on screen (a single longer word is kept whole).
        min_gap_ms: Gap kept between cues where the speech allows (83 ms is two frames at 24 fps).
        pause_split_ms: A pause between words at least this long always starts a new cue.
    """

    max_chars_per_line: int = 42
    max_lines: int = 2
    max_cps: float = 17.0
    min_duration_ms: int = 830
    max_duration_ms: int = 7000
    min_gap_ms: int = 83
    pause_split_ms: int = 700

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be at least {low}, not {value}"
            for name, value, low in (
                ("max_chars_per_line", self.max_chars_per_line, 1),
                ("max_lines", self.max_lines, 1),
                ("min_duration_ms", self.min_duration_ms, 0),
                ("max_duration_ms", self.max_duration_ms, max(1, self.min_duration_ms)),
                ("min_gap_ms", self.min_gap_ms, 0),
                ("pause_split_ms", self.pause_split_ms, 1),
            )
            if value < low
        ]
        if not self.max_cps > 0:  # also catches NaN
            problems.append(f"max_cps must be above 0, not {self.max_cps}")
        if problems:
            raise ExportError("Invalid subtitle settings: " + "; ".join(problems) + ".")

    @classmethod
    def preset(cls, name: str) -> SubtitleOptions:
        """The options of a named preset ("strict", "netflix" or "lenient", see `PRESETS`).

        Raises:
            ExportError: There is no preset of that name.
        """
        try:
            return PRESETS[name]
        except KeyError:
            known = ", ".join(PRESETS)
            raise ExportError(f"Unknown subtitle preset {name!r}; choose one of {known}.") from None


#: Named settings for a combo box, in the order to show them.
PRESETS: Mapping[str, SubtitleOptions] = MappingProxyType(
    {
        # Short lines and slow reading: children's programmes, learners, small screens.
        "strict": SubtitleOptions(
            max_chars_per_line=37,
            max_cps=15.0,
            min_duration_ms=1000,
            max_duration_ms=6000,
            pause_split_ms=500,
        ),
        # Netflix's English guide: 42 characters, 7 s at most, 5/6 s at least, 2-frame gaps;
        # 17 cps is its children's reading speed, a safe default for transcripts.
        "netflix": SubtitleOptions(
            max_chars_per_line=42, max_cps=17.0, min_duration_ms=833, max_duration_ms=7000
        ),
        # Long lines and fast reading: meeting notes, fast talkers, large screens.
        "lenient": SubtitleOptions(
            max_chars_per_line=50,
            max_cps=25.0,
            min_duration_ms=500,
            max_duration_ms=10000,
            min_gap_ms=40,
            pause_split_ms=1000,
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Cue:
    """One subtitle on screen.

    Attributes:
        start_ms: When it appears.
        end_ms: When it disappears; always after ``start_ms``.
        lines: The lines of text, none empty and none containing "-->".
        speaker: The speaker of the segment it comes from, when set.
    """

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]
    speaker: str | None = None

    @property
    def text(self) -> str:
        """The lines joined with line breaks."""
        return "\n".join(self.lines)


# -- text ------------------------------------------------------------------------------------------

_CLOSERS = "\"'”’»)\\]}」』"
_SENTENCE_END = re.compile(rf"[.!?…。！？‼⁇⁈⁉][{_CLOSERS}]*$")
_CLAUSE_END = re.compile(rf"[,;:–—、，；：][{_CLOSERS}]*$")
_WHITESPACE = re.compile(r"\s+")


def clean_cue_text(text: str) -> str:
    """Text made safe for one cue line: whitespace (line breaks too) collapsed, "-->" as "→"."""
    return _WHITESPACE.sub(" ", text).replace("-->", "→").strip()


@dataclass(frozen=True, slots=True)
class _Token:
    """A word as the layout sees it: cleaned text, whether a space precedes it, its times."""

    sep: str
    body: str
    start_ms: int
    end_ms: int


def _tokens(words: Sequence[Word]) -> list[_Token]:
    return [
        _Token(" " if w.text[:1].isspace() else "", clean_cue_text(w.text), w.start_ms, w.end_ms)
        for w in words
    ]


def _join(tokens: Sequence[_Token], lead: str) -> str:
    text = lead + tokens[0].body + "".join(t.sep + t.body for t in tokens[1:])
    return text.replace("-->", "→")  # "--" and ">" may meet across words without spaces


def _line_length(tokens: Sequence[_Token], lead: str) -> int:
    return len(lead) + sum(len(t.sep) + len(t.body) for t in tokens) - len(tokens[0].sep)


def _lines_needed(tokens: Sequence[_Token], lead: str, width: int) -> int:
    """The fewest lines of ``width`` that hold the tokens (greedy filling is optimal here)."""
    lines, used = 1, len(lead) + len(tokens[0].body)
    for t in tokens[1:]:
        if used + len(t.sep) + len(t.body) <= width:
            used += len(t.sep) + len(t.body)
        else:
            lines, used = lines + 1, len(t.body)
    return lines


def _ends_phrase(token: _Token) -> bool:
    return bool(_SENTENCE_END.search(token.body) or _CLAUSE_END.search(token.body))


# -- cutting a stretch of words into cues ----------------------------------------------------------

_CUE_COST = 1.0  # each cue: a cut is only made when the words do not fit one cue
_FILL_WEIGHT = 1.0  # nearly empty cues cost up to this much more (keeps cues of similar size)
_SHORT_WEIGHT = 1.0  # cues shorter than min_duration_ms cost up to this much more
_CUT_SENTENCE, _CUT_CLAUSE, _CUT_ANYWHERE = 0.0, 1.0, 3.0


def _cut_cost(before: _Token, after: _Token, opts: SubtitleOptions) -> float:
    """The cost of ending a cue after ``before``: punctuation or a pause make it cheap."""
    if _SENTENCE_END.search(before.body):
        punct = _CUT_SENTENCE
    elif _CLAUSE_END.search(before.body):
        punct = _CUT_CLAUSE
    else:
        punct = _CUT_ANYWHERE
    gap = after.start_ms - before.end_ms
    pause = _CUT_ANYWHERE * max(0.0, 1.0 - gap / opts.pause_split_ms)
    return min(punct, pause)


def _cue_cost(length: int, duration_ms: int, opts: SubtitleOptions) -> float:
    """The cost of one cue of ``length`` characters lasting ``duration_ms``."""
    fill = min(1.0, length / (opts.max_chars_per_line * opts.max_lines))
    cost = _CUE_COST + _FILL_WEIGHT * (1.0 - fill) ** 2
    if duration_ms < opts.min_duration_ms:
        cost += _SHORT_WEIGHT * (1.0 - duration_ms / opts.min_duration_ms)
    return cost


def _cut_stretch(tokens: Sequence[_Token], lead: str, opts: SubtitleOptions) -> list[int]:
    """Where to cut ``tokens`` into cues: the start index of every cue, cheapest overall.

    ``best[j]`` is the cheapest cost of the first j tokens. From each cue start i the cue grows
    word by word, filling lines greedily (which needs the fewest lines), until it no longer
    fits; so the work is linear in the words times the words per cue. ``lead`` (a speaker
    label) starts the first cue only.
    """
    width = opts.max_chars_per_line
    best = [0.0] + [math.inf] * len(tokens)
    start_of = [0] * (len(tokens) + 1)
    for i, first in enumerate(tokens):
        base = best[i] + (_cut_cost(tokens[i - 1], first, opts) if i > 0 else 0.0)
        used = length = len(lead if i == 0 else "") + len(first.body)
        lines = 1
        for j in range(i + 1, len(tokens) + 1):
            last = tokens[j - 1]
            if j > i + 1:  # a single word always makes a cue, however long
                step = len(last.sep) + len(last.body)
                length += step
                used, lines = (
                    (used + step, lines) if used + step <= width else (len(last.body), lines + 1)
                )
                if lines > opts.max_lines or last.end_ms - first.start_ms > opts.max_duration_ms:
                    break
            cost = base + _cue_cost(length, last.end_ms - first.start_ms, opts)
            if cost < best[j]:
                best[j], start_of[j] = cost, i
    starts: list[int] = []
    j = len(tokens)
    while j > 0:
        j = start_of[j]
        starts.append(j)
    return starts[::-1]


def _stretches(tokens: list[_Token], pause_ms: int) -> list[list[_Token]]:
    """Split at every pause of at least ``pause_ms``: such a pause always starts a new cue."""
    out = [[tokens[0]]]
    for before, after in pairwise(tokens):
        if after.start_ms - before.end_ms >= pause_ms:
            out.append([])
        out[-1].append(after)
    return out


# -- breaking a cue into lines ---------------------------------------------------------------------

_UNBALANCE_WEIGHT = 1.0  # per character a line is off the average length
_NO_PUNCT_BREAK = 8.0  # a break not after punctuation: worth 8 characters of imbalance
_LONE_AFTER_LABEL = 8.0  # "Name: And" over the rest of the sentence reads badly
_TOP_HEAVY = 0.5  # a line longer than average above another (pyramid preferred on ties)


def _break_lines(tokens: Sequence[_Token], lead: str, opts: SubtitleOptions) -> tuple[str, ...]:
    """Break a cue's tokens into the fewest lines, as balanced as possible."""
    width = opts.max_chars_per_line
    count = _lines_needed(tokens, lead, width)
    if count == 1:
        return (_join(tokens, lead),)
    n = len(tokens)
    target = (_line_length(tokens, lead) - (count - 1)) / count
    # ends[j]: length of tokens[:j] with their separators, so a line's length is a difference.
    ends = [0]
    for t in tokens:
        ends.append(ends[-1] + len(t.sep) + len(t.body))
    after_phrase = [_ends_phrase(t) for t in tokens]
    # best[k][j]: cheapest way to put tokens[:j] on k lines; start[k][j]: where line k starts.
    best = [[math.inf] * (n + 1) for _ in range(count + 1)]
    start = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        last = k == count
        for j in [n] if last else range(k, n - (count - k) + 1):
            for i in range(j - 1, k - 2, -1):  # line k holds tokens[i:j], longer as i falls
                length = ends[j] - ends[i] - len(tokens[i].sep) + (len(lead) if i == 0 else 0)
                if length > width and j - i > 1:
                    break
                cost = best[k - 1][i] + _UNBALANCE_WEIGHT * abs(length - target)
                if not last:
                    cost += 0.0 if after_phrase[j - 1] else _NO_PUNCT_BREAK
                    cost += _TOP_HEAVY if length > target else 0.0
                    cost += _LONE_AFTER_LABEL if lead and i == 0 and j == 1 else 0.0
                if cost < best[k][j]:
                    best[k][j], start[k][j] = cost, i
    bounds = [n]
    for k in range(count, 0, -1):
        bounds.append(start[k][bounds[-1]])
    bounds.reverse()
    return tuple(_join(tokens[i:j], lead if i == 0 else "") for i, j in pairwise(bounds))


# -- timing ----------------------------------------------------------------------------------------


def _reading_ms(cue: Cue, max_cps: float) -> int:
    chars = sum(len(line) for line in cue.lines) + len(cue.lines) - 1
    return math.ceil(chars * 1000 / max_cps)


def _retime(cues: list[Cue], opts: SubtitleOptions, media_end: int | None) -> list[Cue]:
    """Extend short or fast cues into the silence after them and keep gaps between cues."""
    out: list[Cue] = []
    for k, cue in enumerate(cues):
        next_start = cues[k + 1].start_ms if k + 1 < len(cues) else None
        wanted = cue.start_ms + max(opts.min_duration_ms, _reading_ms(cue, opts.max_cps))
        wanted = min(wanted, cue.start_ms + opts.max_duration_ms)
        limit = next_start - opts.min_gap_ms if next_start is not None else media_end
        end = max(cue.end_ms, wanted if limit is None else min(wanted, limit))
        if next_start is not None and next_start - end < opts.min_gap_ms:
            trimmed = next_start - opts.min_gap_ms
            if trimmed - cue.start_ms >= max(opts.min_duration_ms, 1):
                end = trimmed
        out.append(replace(cue, end_ms=end))
    return out


def _speaker_runs(transcript: Transcript) -> list[tuple[str | None, list[Word]]]:
    """The words of each run of consecutive segments with the same speaker."""
    runs: list[tuple[str | None, list[Word]]] = []
    for segment in transcript.segments:
        if runs and runs[-1][0] == segment.speaker:
            runs[-1][1].extend(segment.words)
        else:
            runs.append((segment.speaker, list(segment.words)))
    return runs


def layout_cues(
    transcript: Transcript,
    options: SubtitleOptions | None = None,
    *,
    speaker_labels: bool = False,
) -> list[Cue]:
    """Lay the transcript out as subtitle cues (see the module docstring for the rules).

    Args:
        transcript: The transcript.
        options: The limits; `SubtitleOptions()` when None.
        speaker_labels: Start the first line of a speaker's first cue with "Name: ", counted
            in the line length (for formats without voice tags, such as SRT). Later cues are
            not labelled until another speaker has spoken: the label marks where a speaker
            starts, and repeating it would only take reading time.

    Returns:
        The cues in time order, never overlapping, none of zero length.
    """
    opts = options if options is not None else SubtitleOptions()
    cues: list[Cue] = []
    for who, words in _speaker_runs(transcript):
        speaker = clean_cue_text(who) if who else ""
        lead = f"{speaker}: " if speaker_labels and speaker else ""
        for stretch in _stretches(_tokens(words), opts.pause_split_ms):
            starts = _cut_stretch(stretch, lead, opts)
            for i, j in zip(starts, [*starts[1:], len(stretch)], strict=True):
                part = stretch[i:j]
                lines = _break_lines(part, lead if i == 0 else "", opts)
                cues.append(Cue(part[0].start_ms, part[-1].end_ms, lines, who))
            lead = ""  # the label marks where the speaker starts: the run's first cue
    return _retime(cues, opts, transcript.duration_ms)
