"""Continuous speech for tests: the English clips of ``../shared/speech`` back to back.

Meetings and lectures have little silence for voice activity detection to skip, so windows are
full of speech up to their end, which is where Whisper drops sentences. Clips follow each other
with 0.3-0.5 s gaps in a seeded order (every clip used about equally often) over a faint noise
floor (-80 dBFS: the quietest clips, at about -65 dBFS, stay audible above it).
"""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from engine_helpers import normalise

from engine.audio import SAMPLE_RATE, load_audio

GAP_S = (0.3, 0.5)
NOISE_RMS = 1e-4


@dataclass(frozen=True, slots=True)
class Placed:
    """One clip in the continuous recording.

    Attributes:
        name: The clip's path in the manifest.
        start: Where it starts in the recording, seconds.
        end: Where it ends, seconds.
        reference: What is said in it (the manifest's text).
    """

    name: str
    start: float
    end: float
    reference: str


def english_clips(speech_dir: Path) -> list[tuple[str, str]]:
    """(path in the manifest, reference text) of every English clip."""
    rows = (speech_dir / "manifest.tsv").read_text(encoding="utf-8").splitlines()
    fields = [r.split("\t") for r in rows[1:] if r.strip()]
    return [(f[0], f[3]) for f in fields if f[2] == "en"]


def build_continuous(
    speech_dir: Path, seconds: float, seed: int
) -> tuple[npt.NDArray[np.float32], list[Placed]]:
    """About ``seconds`` of continuous speech (16 kHz mono) and where each clip lies in it."""
    clips = english_clips(speech_dir)
    audio = {name: load_audio(speech_dir / name) for name, _ in clips}
    rng = random.Random(seed)
    pieces: list[npt.NDArray[np.float32]] = []
    placed: list[Placed] = []
    at = 0
    while at < seconds * SAMPLE_RATE:
        order = list(range(len(clips)))
        rng.shuffle(order)
        for i in order:
            if at >= seconds * SAMPLE_RATE:
                break
            name, reference = clips[i]
            samples = audio[name]
            placed.append(
                Placed(name, at / SAMPLE_RATE, (at + samples.size) / SAMPLE_RATE, reference)
            )
            gap = np.zeros(round(rng.uniform(*GAP_S) * SAMPLE_RATE), dtype=np.float32)
            pieces += [samples, gap]
            at += samples.size + gap.size
    signal = np.concatenate(pieces)
    signal += np.random.default_rng(seed).normal(0.0, NOISE_RMS, signal.size).astype(np.float32)
    return np.clip(signal, -1.0, 1.0).astype(np.float32), placed


_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spelled(word: str) -> str:
    """``word`` with a number below 100 written out ("7" -> "seven", "25" -> "twenty five")."""
    if not word.isdigit() or int(word) >= 100:
        return word
    n = int(word)
    if n < 20:
        return _UNITS[n]
    return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _UNITS[n % 10])


def heard(expected: list[str], found: list[str]) -> float:
    """The share of ``expected``'s letters that ``found`` has, in order (numbers spelled out).

    Letters, not words: the model writes "clos" for "clubs" or "8" for "eight" depending on
    context, and a dropped sentence must be told from a misheard one.
    """
    a = " ".join(spelled(w) for w in expected)
    b = " ".join(spelled(w) for w in found)
    if not a:
        return 1.0
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(m.size for m in blocks) / len(a)


def words_between(words: list[tuple[str, float, float]], start: float, end: float) -> list[str]:
    """The normalised words whose middle lies within ``start``-``end``."""
    return [n for text, a, b in words if start <= (a + b) / 2 <= end for n in normalise(text)]
