"""The inputs of Silero VAD's reference probabilities (``data/silero_reference.npz``).

Shared by ``test_silero.py`` and ``scripts/convert_silero_vad.py`` (which runs the upstream model
on them), so both see the same samples: real clips decoded by `engine.audio.load_audio`, and a
synthetic signal built with integer hashing rather than a random generator whose stream could
change between numpy versions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from engine.audio import SAMPLE_RATE, load_audio

FloatArray = npt.NDArray[np.float32]

CLIPS = {
    "jfk": "en/jfk.flac",
    "ls_test": "en/ls_test.flac",
    "fleurs_en_002": "en/fleurs/fleurs-en-002.ogg",
    "fleurs_de_001": "de/fleurs/fleurs-de-001.ogg",
}
SYNTHETIC = (
    "2 s of hash noise at -66 dBFS RMS; en/jfk.flac at -40 dB over the same noise; 2 s of "
    "noise; 1 s of a 440 Hz tone at amplitude 0.1; 1 s of digital silence"
)
NAMES = (*CLIPS, "synthetic")
NOISE_RMS = 10 ** (-66 / 20)


def hash_noise(count: int, seed: int) -> FloatArray:
    """Uniform noise of unit RMS from splitmix64 of the sample index: the same everywhere."""
    z = np.arange(count, dtype=np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    uniform = (z >> np.uint64(11)).astype(np.float64) * 2.0**-53  # [0, 1)
    return ((2.0 * uniform - 1.0) * np.sqrt(3.0)).astype(np.float32)


def synthetic(jfk: FloatArray) -> FloatArray:
    """Quiet speech in faint noise, then noise, a tone and silence (see `SYNTHETIC`)."""
    two = 2 * SAMPLE_RATE
    noisy = np.concatenate([np.zeros(two), jfk * 10 ** (-40 / 20), np.zeros(two)])
    noisy = noisy + NOISE_RMS * hash_noise(noisy.size, seed=1)
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = 0.1 * np.sin(2 * np.pi * 440 * t)
    return np.concatenate([noisy, tone, np.zeros(SAMPLE_RATE)]).astype(np.float32)


def reference_inputs(speech_dir: Path) -> dict[str, FloatArray]:
    """Every input by name, as 16 kHz mono float32."""
    inputs = {name: load_audio(speech_dir / path) for name, path in CLIPS.items()}
    inputs["synthetic"] = synthetic(inputs["jfk"])
    return inputs


def descriptions() -> dict[str, str]:
    """How each input was made, in words (stored beside the probabilities)."""
    made = {name: f"engine.audio.load_audio(../shared/speech/{p})" for name, p in CLIPS.items()}
    return {**made, "synthetic": SYNTHETIC}
