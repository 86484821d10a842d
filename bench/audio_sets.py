"""The audio every system transcribes, built under ``bench/work/audio/`` (never committed).

* ``clips``: the English clips of ``../shared/speech/manifest.tsv``, each converted once by
  ffmpeg to 16 kHz mono 16-bit WAV, so no system pays for decoding Opus/FLAC or resampling
  44.1/48 kHz audio and decoding costs the same for all.
* ``100s``, ``10min``: "meetings" made of those clips in a seeded random order (each clip used
  about equally often), separated by pauses drawn uniformly from 0.5-8 s, with faint seeded
  noise (-66 dBFS RMS) everywhere so the pauses are not digital silence. The reference is the
  concatenation of the clips' references.
* ``60min``: the 10-minute sequence six times, each with pauses drawn from another seed: a
  long file for peak memory.
* ``dense100s``, ``dense10min``, ``dense60min``: continuous speech, as meetings and lectures
  are: the same clips back to back with 0.3-0.5 s gaps (no pause for voice activity detection
  to skip, so every window is full of speech up to its end) over a fainter noise floor
  (-80 dBFS, so the quietest clips, at about -65 dBFS, are not buried in it).
Only English clips are used: the model under test (tiny.en) only knows English.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf
from common import WORK, BenchError, Clip, read_manifest

AUDIO = WORK / "audio"
RATE = 16000
PAUSE_S = (0.5, 8.0)
NOISE_RMS = 5e-4
VERSION = 1  # bump when the construction changes, to rebuild stale files
DENSE_PAUSE_S = (0.3, 0.5)
DENSE_NOISE_RMS = 1e-4
SEEDS = {"100s": 100, "10min": 600, "60min": 3600}
TARGETS_S = {"100s": 100.0, "10min": 600.0}
HOUR_REPEATS = 6
SET_NAMES = ("clips", "100s", "10min", "60min", "dense100s", "dense10min", "dense60min")
DENSE_PREFIX = "dense"


@dataclass(frozen=True, slots=True)
class Item:
    """One file to transcribe.

    Attributes:
        name: Short name for tables ("en_jfk", "10min").
        path: The 16 kHz mono WAV.
        duration_s: Its duration in seconds.
        reference: What is said in it.
    """

    name: str
    path: Path
    duration_s: float
    reference: str


@dataclass(frozen=True, slots=True)
class AudioSet:
    """Files transcribed together, one process per system and repetition.

    Attributes:
        name: "clips", "100s", "10min" or "60min".
        items: Its files.
    """

    name: str
    items: tuple[Item, ...]

    @property
    def duration_s(self) -> float:
        """Total audio in seconds."""
        return sum(i.duration_s for i in self.items)


def to_wav16k(source: Path, target: Path) -> None:
    """Decode ``source`` with ffmpeg to 16 kHz mono 16-bit WAV at ``target``."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise BenchError("ffmpeg is needed to prepare the audio (Debian: apt install ffmpeg).")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part.wav")
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source)]
    cmd += ["-ac", "1", "-ar", str(RATE), "-c:a", "pcm_s16le", str(part)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BenchError(f"ffmpeg cannot convert {source}: {proc.stderr.strip()[-500:]}")
    part.replace(target)


def wav_duration(path: Path) -> float:
    return float(sf.info(str(path)).duration)


def clip_items(clips: list[Clip] | None = None) -> list[Item]:
    """The English clips as 16 kHz WAVs (converted once)."""
    items = []
    for clip in clips if clips is not None else read_manifest("en"):
        target = AUDIO / "clips" / f"{clip.stem}.wav"
        if not target.is_file() or target.stat().st_mtime < clip.path.stat().st_mtime:
            to_wav16k(clip.path, target)
        items.append(Item(clip.stem, target, wav_duration(target), clip.reference))
    return items


def _read(item: Item) -> npt.NDArray[np.float32]:
    data, rate = sf.read(str(item.path), dtype="float32", always_2d=False)
    assert rate == RATE
    return np.asarray(data, dtype=np.float32)


def _order(n_clips: int, target_s: float, durations: list[float], seed: int) -> list[int]:
    """Clip indices, shuffled afresh each round, until ``target_s`` with average pauses."""
    rng = random.Random(seed)
    mean_pause = sum(PAUSE_S) / 2
    order: list[int] = []
    total = 0.0
    while total < target_s:
        round_ = list(range(n_clips))
        rng.shuffle(round_)
        for i in round_:
            if total >= target_s:
                break
            order.append(i)
            total += durations[i] + mean_pause
    return order


def _pauses(count: int, seed: int, span: tuple[float, float] = PAUSE_S) -> list[float]:
    rng = random.Random(seed * 7919 + 1)
    return [rng.uniform(*span) for _ in range(count)]


def _compose(
    clips: list[Item],
    order: list[int],
    pauses: list[float],
    seed: int,
    target: Path,
    noise_rms: float = NOISE_RMS,
) -> str:
    """Write the meeting WAV; return its reference text."""
    audio = [_read(c) for c in clips]
    pieces: list[npt.NDArray[np.float32]] = []
    for index, pause in zip(order, pauses, strict=True):
        pieces.append(audio[index])
        pieces.append(np.zeros(round(pause * RATE), dtype=np.float32))
    signal = np.concatenate(pieces)
    noise = np.random.default_rng(seed).normal(0.0, noise_rms, signal.size).astype(np.float32)
    signal = np.clip(signal + noise, -1.0, 1.0)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_suffix(".part.wav")
    sf.write(str(part), signal, RATE, subtype="PCM_16")
    part.replace(target)
    return " ".join(clips[i].reference.strip() for i in order)


def _recipe(name: str, clips: list[Item]) -> tuple[list[int], list[float], int]:
    if name.startswith(DENSE_PREFIX):
        return _dense_recipe(name.removeprefix(DENSE_PREFIX), clips)
    durations = [c.duration_s for c in clips]
    if name == "60min":
        base = SEEDS["10min"]
        ten = _order(len(clips), TARGETS_S["10min"], durations, base)
        order = ten * HOUR_REPEATS
        pauses = [p for k in range(HOUR_REPEATS) for p in _pauses(len(ten), base + 1000 * k)]
        return order, pauses, SEEDS[name]
    seed = SEEDS[name]
    order = _order(len(clips), TARGETS_S[name], durations, seed)
    return order, _pauses(len(order), seed), seed


def _dense_recipe(name: str, clips: list[Item]) -> tuple[list[int], list[float], int]:
    """Continuous speech: the clips in seeded rounds, pauses of 0.3-0.5 s, ``name`` long."""
    durations = [c.duration_s for c in clips]
    seconds = 3600.0 if name == "60min" else TARGETS_S[name]
    seed = SEEDS[name] + 7
    order: list[int] = []
    total = 0.0
    rng = random.Random(seed)
    while total < seconds:
        round_ = list(range(len(clips)))
        rng.shuffle(round_)
        for i in round_:
            if total >= seconds:
                break
            order.append(i)
            total += durations[i] + sum(DENSE_PAUSE_S) / 2
    return order, _pauses(len(order), seed, DENSE_PAUSE_S), seed


def meeting_item(name: str, clips: list[Item]) -> Item:
    """The ``name`` meeting file ("100s", "10min", "60min"), built once."""
    order, pauses, seed = _recipe(name, clips)
    recipe = {
        "version": VERSION,
        "clips": [c.name for c in clips],
        "digest": hashlib.sha256(b"".join(c.path.read_bytes() for c in clips)).hexdigest(),
        "order": order,
        "pauses": [round(p, 6) for p in pauses],
        "noise": DENSE_NOISE_RMS if name.startswith(DENSE_PREFIX) else NOISE_RMS,
    }
    target = AUDIO / f"meeting-{name}.wav"
    meta = target.with_suffix(".json")
    try:
        known = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = None
    if not (target.is_file() and isinstance(known, dict) and known.get("recipe") == recipe):
        reference = _compose(clips, order, pauses, seed, target, float(recipe["noise"]))
        known = {"recipe": recipe, "reference": reference}
        meta.write_text(json.dumps(known, indent=1) + "\n", encoding="utf-8")
    return Item(name, target, wav_duration(target), str(known["reference"]))


def build_sets(names: list[str]) -> list[AudioSet]:
    """The audio sets ``names`` (see `SET_NAMES`), building what is missing."""
    unknown = [n for n in names if n not in SET_NAMES]
    if unknown:
        raise BenchError(f"Unknown audio set(s) {', '.join(unknown)}; use {', '.join(SET_NAMES)}.")
    clips = clip_items()
    return [AudioSet(n, tuple(clips) if n == "clips" else (meeting_item(n, clips),)) for n in names]
