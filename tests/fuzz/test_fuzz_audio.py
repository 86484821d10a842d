"""Fuzzing the audio front door (`engine.audio.probe` and `open_audio`) with damaged media.

`tests/engine/test_bad_inputs.py` feeds it random bytes behind a few magic numbers; this damages
valid files of every format the front door reads (bit flips, cuts, insertions, repeats) and names
them with any extension. Each must decode to 16 kHz mono float32 blocks or raise
`AudioDecodeError` with a one-line message: nothing else may escape. Coverage-guided:
`atheris_audio.py`.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from fuzz_helpers import assert_plain, damaged, write_as
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.audio import load_audio, open_audio, probe
from engine.errors import AudioDecodeError

RATE = 22050
EXTENSIONS = ["wav", "flac", "ogg", "opus", "mp3", "m4a", "mp4", "webm", "aiff", "txt", ""]
# (format, subtype) that libsndfile writes; ffmpeg adds M4A and WebM when it is installed.
SOUNDFILE_SEEDS = [
    ("WAV", "PCM_16"),
    ("WAV", "FLOAT"),
    ("WAV", "PCM_U8"),
    ("FLAC", "PCM_16"),
    ("OGG", "VORBIS"),
    ("OGG", "OPUS"),
    ("MP3", "MPEG_LAYER_III"),
    ("AIFF", "PCM_24"),
]


def _signal() -> np.ndarray:
    t = np.arange(RATE // 2) / RATE
    tone = 0.3 * np.sin(2 * np.pi * 220 * t) * np.sin(2 * np.pi * 3 * t)
    return np.stack([tone, 0.5 * tone], axis=1).astype(np.float32)


def seeds() -> list[bytes]:
    """Half a second of stereo audio (a quarter at 48 kHz) in every format at hand."""
    out = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt, subtype in SOUNDFILE_SEEDS:
            rate = 48000 if subtype == "OPUS" else RATE
            path = Path(folder) / f"seed.{fmt.lower()}"
            sf.write(path, _signal(), rate, format=fmt, subtype=subtype)
            out.append(path.read_bytes())
        ffmpeg = shutil.which("ffmpeg")
        for ext, codec in (("m4a", "aac"), ("webm", "libopus")) if ffmpeg else ():
            path = Path(folder) / f"seed.{ext}"
            cmd = [ffmpeg, "-nostdin", "-v", "error", "-i", Path(folder) / "seed.wav"]
            subprocess.run([*map(str, cmd), "-c:a", codec, str(path)], check=True, timeout=60)
            out.append(path.read_bytes())
    return out


SEEDS = seeds()


def decode(path: Path) -> int:
    """Probe, then stream the whole file; returns the samples decoded."""
    probe(path)
    total = 0
    with open_audio(path, block_seconds=1.0) as stream:
        for block in stream:
            assert block.dtype == np.float32
            assert block.ndim == 1
            total += block.size
    return total


@settings(max_examples=120, deadline=None)
@given(data=st.sampled_from(SEEDS).flatmap(damaged), ext=st.sampled_from(EXTENSIONS))
def test_damaged_media_decode_or_raise_audio_errors(data: bytes, ext: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        try:
            samples = decode(write_as(folder, data, ext))
        except AudioDecodeError as e:  # anything else escapes and fails the test
            assert_plain(str(e))
        else:
            assert samples > 0


def test_the_seeds_decode(tmp_path: Path) -> None:
    # The seeds of the fuzzing above must themselves decode, or the damage means little.
    for i, data in enumerate(SEEDS):
        (tmp_path / f"{i}.bin").write_bytes(data)
        assert decode(tmp_path / f"{i}.bin") > 0.2 * 16000


@pytest.mark.parametrize("bad", [np.nan, np.inf, -1e30], ids=["nan", "inf", "huge"])
def test_a_damaged_float_sample_comes_out_finite(tmp_path: Path, bad: float) -> None:
    samples = _signal()[:, 0].copy()
    samples[1000] = bad
    sf.write(tmp_path / "float.wav", samples, RATE, subtype="FLOAT")
    decoded = load_audio(tmp_path / "float.wav")
    assert np.isfinite(decoded).all()
    assert np.abs(decoded).max() <= 1.0
