"""From runs to numbers: WER, per-clip agreement with mlx-whisper, medians, x real time.

Definitions (also in ``bench/README.md``):

* wall: seconds from the transcribe call to the last segment, summed over the set's files,
  median over repetitions; model load (imports included) is reported apart.
* x real time: audio seconds / wall seconds (10 means ten times faster than real time).
* peak RSS: the runner process's peak resident memory (getrusage), max over repetitions.
* WER: word errors (Levenshtein over normalised words, `common.normalize`) summed over the
  set's files, divided by the reference's word count, from the first repetition.
* same text / <= errors: over the clips, the fraction where a system's normalised words equal
  mlx-whisper's, and where it makes no more word errors than mlx-whisper.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from common import normalize, wer, word_errors
from systems import FileResult, RunResult, System


@dataclass(frozen=True, slots=True)
class Scored:
    """One transcript against its reference.

    Attributes:
        name: The file's name.
        words: The transcript's normalised words.
        reference_words: Words in the normalised reference.
        errors: Word errors.
    """

    name: str
    words: tuple[str, ...]
    reference_words: int
    errors: int


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the results table: a system on a set.

    Attributes:
        set_name: The audio set.
        system: The system's key.
        label: The system's label.
        audio_s: Seconds of audio in the set.
        repetitions: Runs measured.
        wall_s: Median transcription wall time (s).
        load_s: Median imports + model load (s).
        x_real_time: audio_s / wall_s.
        peak_rss_mib: Max peak RSS (MiB).
        wer: Word error rate, None when the text is not scored.
        errors: Word errors.
        reference_words: Reference words.
        returned_words: Normalised words in the transcripts (dropped speech shows here first).
        same_text: Fraction of clips with the same normalised text as mlx-whisper (or None).
        no_more_errors: Fraction of clips with no more errors than mlx-whisper (or None).
    """

    set_name: str
    system: str
    label: str
    audio_s: float
    repetitions: int
    wall_s: float
    load_s: float
    x_real_time: float
    peak_rss_mib: float
    wer: float | None
    errors: int
    reference_words: int
    same_text: float | None
    no_more_errors: float | None
    returned_words: int = 0


def score(files: tuple[FileResult, ...]) -> list[Scored]:
    """Each file's transcript against its reference."""
    out = []
    for f in files:
        ref, hyp = normalize(f.item.reference), normalize(f.text)
        out.append(Scored(f.item.name, tuple(hyp), len(ref), word_errors(ref, hyp)))
    return out


def agreement(mine: list[Scored], theirs: list[Scored]) -> tuple[float, float]:
    """(fraction with the same normalised text, fraction with no more errors), per file."""
    pairs = list(zip(mine, theirs, strict=True))
    if not pairs:
        return 0.0, 0.0
    same = sum(a.words == b.words for a, b in pairs) / len(pairs)
    no_more = sum(a.errors <= b.errors for a, b in pairs) / len(pairs)
    return same, no_more


def summarize(
    system: System, runs: list[RunResult], reference: list[RunResult] | None, audio_s: float
) -> Row:
    """The table row of ``system``'s ``runs`` on one set (``reference``: mlx-whisper's runs)."""
    first = runs[0]
    wall = statistics.median(r.wall_s for r in runs)
    scored = score(first.files) if system.scored else []
    errors = sum(s.errors for s in scored)
    words = sum(s.reference_words for s in scored)
    same: float | None = None
    no_more: float | None = None
    if system.scored and reference and system.key != reference[0].system and len(scored) > 1:
        same, no_more = agreement(scored, score(reference[0].files))
    return Row(
        set_name=first.set_name,
        system=system.key,
        label=system.label,
        audio_s=audio_s,
        repetitions=len(runs),
        wall_s=wall,
        load_s=statistics.median(r.load_s for r in runs),
        x_real_time=audio_s / wall if wall > 0 else float("inf"),
        peak_rss_mib=max(r.peak_rss_kib for r in runs) / 1024,
        wer=wer(errors, words) if system.scored else None,
        errors=errors,
        reference_words=words,
        same_text=same,
        no_more_errors=no_more,
        returned_words=sum(len(s.words) for s in scored),
    )
