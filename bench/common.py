"""Paths, the speech manifest, and the text normaliser and WER shared by every bench script.

The normaliser is deliberately simple and identical for every system: Unicode NFKC, lowercase,
curly apostrophes made straight, every character that is not a letter, digit, apostrophe or
space becomes a space (so "cold-hearted" is two words), and apostrophes at the edges of a word
are dropped ("'em" -> "em", "don't" stays). Numbers are NOT spelled out: a reference saying
"ten meters" and a transcript saying "10 meters" count as one substitution for every system.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
SHARED = REPO.parent / "shared"
SPEECH = SHARED / "speech"
MANIFEST = SPEECH / "manifest.tsv"
TINY_EN = SHARED / "models" / "whisper-tiny.en-mlx"
MULTILINGUAL_TIKTOKEN = SHARED / "reference" / "multilingual.tiktoken"
ENVS = BENCH / "envs"
WORK = BENCH / "work"
RESULTS = BENCH / "results"
RUNNERS = BENCH / "runners"
PROJECT_PYTHON = REPO / ".venv" / "bin" / "python"

_NOT_WORD = re.compile(r"[^\w\s']|_")


class BenchError(Exception):
    """A bench step failed; the message says what to do. Scripts print it and exit 2."""


@dataclass(frozen=True, slots=True)
class Clip:
    """One recording of the speech manifest.

    Attributes:
        file: Path relative to the speech folder ("en/jfk.flac").
        duration_s: Duration in seconds as the manifest gives it.
        language: Language code.
        reference: The exact reference transcript.
        quality: The manifest's note on how reliable the reference is.
        license: The manifest's licence note.
    """

    file: str
    duration_s: float
    language: str
    reference: str
    quality: str
    license: str

    @property
    def path(self) -> Path:
        """Absolute path of the recording."""
        return SPEECH / self.file

    @property
    def stem(self) -> str:
        """A file-name-safe unique name ("en_jfk")."""
        return re.sub(r"[^A-Za-z0-9_.-]", "_", str(Path(self.file).with_suffix("")))


def shown_path(path: Path | str) -> str:
    """``path`` as results record it: relative to the project (or ``../shared``), never the
    absolute path of the machine that ran the benchmark."""
    resolved = Path(path).resolve()
    for base, prefix in ((REPO, ""), (SHARED, "../shared/")):
        if resolved.is_relative_to(base):
            return prefix + resolved.relative_to(base).as_posix()
    return resolved.name


def read_manifest(language: str | None = "en") -> list[Clip]:
    """The clips of ``language`` (all when None) from ``../shared/speech/manifest.tsv``."""
    if not MANIFEST.is_file():
        raise BenchError(f"{MANIFEST} not found: the bench needs the shared speech clips.")
    with MANIFEST.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [
        Clip(
            file=r["file"],
            duration_s=float(r["duration_s"]),
            language=r["language"],
            reference=r["reference_text"],
            quality=r["reference_quality"],
            license=r["license"],
        )
        for r in rows
        if language is None or r["language"] == language
    ]


def normalize(text: str) -> list[str]:
    """The words of ``text`` after the shared normalisation (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("\u2019", "'")
    words = (w.strip("'") for w in _NOT_WORD.sub(" ", text).split())
    return [w for w in words if w]


def word_errors(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance over words: substitutions + deletions + insertions.

    One row of the dynamic programme at a time, vectorised with numpy: the insertion
    recurrence ``row[j] = min(tmp[j], row[j-1] + 1)`` is ``j + cummin(tmp[k] - k)``, so an
    hour of speech (~10k x 10k words) takes about a second instead of minutes.
    """
    vocab: dict[str, int] = {}
    ref = np.array([vocab.setdefault(w, len(vocab)) for w in reference], dtype=np.int64)
    hyp = np.array([vocab.setdefault(w, len(vocab)) for w in hypothesis], dtype=np.int64)
    if ref.size == 0 or hyp.size == 0:
        return int(max(ref.size, hyp.size))
    cols = np.arange(hyp.size + 1, dtype=np.int64)
    prev = cols.copy()
    for i, r in enumerate(ref, start=1):
        tmp = np.empty_like(prev)
        tmp[0] = i
        tmp[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (hyp != r))
        prev = cols + np.minimum.accumulate(tmp - cols)
    return int(prev[-1])


def wer(errors: int, reference_words: int) -> float:
    """Word error rate (0..), or 0 for an empty reference with no errors."""
    if reference_words == 0:
        return 0.0 if errors == 0 else float("inf")
    return errors / reference_words
