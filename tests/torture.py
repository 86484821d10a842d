"""Builds awkward and broken media files, for testing the audio front door and the engine.

``build_torture_set(folder, speech_dir)`` writes every file into ``folder`` and returns what each
one should do. Nothing binary is committed: files come from numpy, soundfile and (when it is
installed) ffmpeg. Files that only ffmpeg can make are left out when it is missing, except under CI,
where a missing ffmpeg fails the test that builds the set (issue 16: they used to drop silently).

Expectations:
    "error": decoding raises `AudioDecodeError` (or a subclass) naming the problem.
    "audio": decodes to speech-bearing 16 kHz mono float32 of ``duration`` seconds.
    "silence": decodes, but holds nothing a transcript should contain (silence, noise, tones).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import struct
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pytest
import soundfile as sf
from ci import ci_is_set

Expect = Literal["error", "audio", "silence"]
SPEECH_CLIP = Path("en") / "jfk.flac"
FULL_SET = 49  # cases built when ffmpeg is installed; tests ask for all of them
FFMPEG_ONLY = 13  # of those, the ones only ffmpeg can make (left out without it, outside CI)


@dataclass(frozen=True, slots=True)
class TortureCase:
    """One file and what decoding it should give.

    Attributes:
        name: Short id for test reports.
        path: The file (or folder, pipe...).
        expect: "error", "audio" or "silence" (see the module docstring).
        note: What is awkward about it.
        duration: Seconds it should decode to (within 50 ms); None where a damaged file gives
            an unknown part (then only "more than nothing" is checked).
        needs_ffmpeg: Only ffmpeg decodes it: without ffmpeg it must raise FfmpegMissingError.
        error_words: For errors, words the message must contain (lowercase).
    """

    name: str
    path: Path
    expect: Expect
    note: str
    duration: float | None = None
    needs_ffmpeg: bool = False
    error_words: tuple[str, ...] = ()


def _speech(speech_dir: Path | None) -> tuple[np.ndarray, int]:
    """Real speech (JFK, 44.1 kHz stereo) or, without the data, a speech-like synthetic signal."""
    if speech_dir is not None:
        audio, rate = sf.read(speech_dir / SPEECH_CLIP, dtype="float32", always_2d=True)
        return audio, rate
    rate = 16000
    t = np.arange(rate * 6) / rate
    syllables = np.clip(np.sin(2 * np.pi * 3.0 * t), 0, None) ** 2
    voice = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 20))
    return (0.3 * syllables * voice / 3).astype(np.float32)[:, None], rate


def _ffmpeg(*args: str | Path) -> None:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def _truncate(src: Path, dst: Path, keep: float) -> None:
    data = src.read_bytes()
    dst.write_bytes(data[: int(len(data) * keep)])


class _Builder:
    def __init__(self, folder: Path, speech_dir: Path | None) -> None:
        self.folder = folder
        self.speech, self.rate = _speech(speech_dir)
        self.seconds = self.speech.shape[0] / self.rate
        self.rng = np.random.default_rng(20240521)
        self.cases: list[TortureCase] = []

    def add(
        self,
        name: str,
        file: str,
        expect: Expect,
        note: str,
        *,
        duration: float | None = None,
        needs_ffmpeg: bool = False,
        error_words: tuple[str, ...] = (),
    ) -> Path:
        path = self.folder / file
        case = TortureCase(name, path, expect, note, duration, needs_ffmpeg, error_words)
        self.cases.append(case)
        return path

    def wav(
        self,
        name: str,
        file: str,
        audio: np.ndarray,
        rate: int,
        *,
        expect: Expect = "audio",
        note: str = "",
        subtype: str = "PCM_16",
    ) -> None:
        path = self.add(name, file, expect, note or name, duration=len(audio) / rate)
        sf.write(path, audio, rate, subtype=subtype)


def _empty_and_broken(b: _Builder) -> None:
    b.add("empty", "empty.wav", "error", "0 bytes", error_words=("empty",)).touch()
    path = b.add("header_only", "header_only.wav", "error", "a WAV header and no samples")
    sf.write(path, np.zeros((0, 1), dtype=np.float32), 16000, subtype="PCM_16")
    b.wav("one_sample", "one_sample.wav", np.array([0.5], dtype=np.float32), 16000)
    text = b.add("text", "notes.wav", "error", "a text file named .wav", error_words=("text",))
    text.write_text("Meeting notes\nNot audio at all.\n", encoding="utf-8")
    for ext in ("wav", "mp3", "m4a", "mp4"):
        path = b.add(f"random_{ext}", f"random.{ext}", "error", "random bytes", needs_ffmpeg=True)
        path.write_bytes(b.rng.bytes(30000))
    b.add("folder", "folder.wav", "error", "a directory", error_words=("folder",)).mkdir()
    if hasattr(os, "mkfifo"):
        fifo = b.add("fifo", "pipe.wav", "error", "a named pipe", error_words=("regular",))
        os.mkfifo(fifo)
    missing = b.add("missing", "missing.wav", "error", "no such file", error_words=("not found",))
    assert not missing.exists()


def _unreadable(b: _Builder) -> None:
    """chmod 000 files and folders; root reads them anyway, so the expectation follows access."""
    audio = b.speech[: b.rate * 2]
    (b.folder / "locked").mkdir()
    for name, path, locked, note in (
        ("unreadable", b.folder / "unreadable.wav", "unreadable.wav", "a chmod 000 file"),
        ("locked_folder", b.folder / "locked" / "inside.wav", "locked", "in a chmod 000 folder"),
    ):
        sf.write(path, audio, b.rate, subtype="PCM_16")
        (b.folder / locked).chmod(0)
        readable = os.access(path, os.R_OK)  # True as root: then it must simply decode
        expect: Expect = "audio" if readable else "error"
        words = () if readable else ("permission",)
        b.cases.append(TortureCase(name, path, expect, note, 2.0, error_words=words))


def _wav_variants(b: _Builder) -> None:
    s, r = b.speech, b.rate
    b.wav("pcm_u8", "pcm_u8.wav", s, r, subtype="PCM_U8", note="8-bit unsigned")
    b.wav("pcm_24", "pcm_24.wav", s, r, subtype="PCM_24", note="24-bit")
    b.wav("float32", "float32.wav", s, r, subtype="FLOAT", note="32-bit float")
    mono = s.mean(axis=1)
    b.wav("rate_8k", "rate_8k.wav", _decimate(mono, r, 8000), 8000, note="8 kHz")
    b.wav("rate_96k", "rate_96k.flac", _decimate(mono[: r * 3], r, 96000), 96000, note="96 kHz")
    six = np.tile(mono[: r * 3, None], (1, 6)) * np.linspace(1.0, 0.2, 6)
    b.wav("six_channels", "six_channels.wav", six, r, note="5.1, six channels")
    b.wav("aiff", "speech.aiff", s, r, note="AIFF")
    name = "интервью 'тест' 録音.flac"
    b.wav("non_latin_name", name, s, r, note="spaces, quotes, Cyrillic, Japanese")
    b.wav("quotes_name", 'with spaces "and" quotes.wav', s, r, note="double quotes in name")
    b.wav("dash_name", "-starts-with-dash.wav", s[: r * 2], r, note="looks like an option")
    b.wav("clipped", "clipped_speech.wav", np.clip(s * 12, -1, 1), r, note="clipped hard")
    b.wav("quiet", "quiet_speech.wav", s * 10 ** (-30 / 20), r, note="speech at -30 dB")
    gap = np.zeros((r * 20, s.shape[1]), dtype=np.float32)
    long = np.concatenate([gap[: r * 3], s, gap, s[: r * 4], gap[: r * 12]])
    b.wav("long_silences", "long_silences.flac", long, r, note="20 s of silence between speech")


def _decimate(x: np.ndarray, rate: int, target: int) -> np.ndarray:
    """A crude rate change for making test input (the engine's resampler is under test)."""
    n = int(len(x) * target / rate)
    out: np.ndarray = np.interp(np.arange(n) * rate / target, np.arange(len(x)), x)
    return out.astype(np.float32)


def _not_speech(b: _Builder) -> None:
    ten = np.arange(16000 * 10) / 16000
    silence = np.zeros(8000 * 600, dtype=np.uint8) + 128  # 8-bit zero is 128
    path = b.add("silence_10min", "silence_10min.wav", "silence", "10 minutes", duration=600.0)
    _write_raw_wav(path, silence.tobytes(), rate=8000, bits=8, channels=1)
    noise = (0.1 * b.rng.standard_normal(ten.size)).astype(np.float32)
    b.wav("white_noise", "white_noise.wav", noise, 16000, expect="silence")
    tone = (0.5 * np.sin(2 * np.pi * 440 * ten)).astype(np.float32)
    b.wav("tone_440", "tone_440.wav", tone, 16000, expect="silence")
    high = (0.3 * np.sin(2 * np.pi * 3000 * ten)).astype(np.float32)
    b.wav("tone_3k", "tone_3k.flac", high, 16000, expect="silence")
    dc = (0.25 + 1e-4 * b.rng.standard_normal(ten.size)).astype(np.float32)
    b.wav("dc_offset", "dc_offset.wav", dc, 16000, expect="silence", note="constant +0.25")


def _write_raw_wav(
    path: Path, data: bytes, rate: int, bits: int, channels: int, claim: int | None = None
) -> None:
    """A canonical 44-byte-header WAV; ``claim`` overrides the data size the header states."""
    size = len(data) if claim is None else claim
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, bits)
    header = b"RIFF" + struct.pack("<I", min(36 + size, 0xFFFFFFFF)) + b"WAVE"
    header += b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", size)
    path.write_bytes(header + data)


def _lying_headers(b: _Builder) -> None:
    half = (b.rng.standard_normal(8000) * 3000).astype("<i2").tobytes()
    path = b.add("claims_hours", "claims_hours.wav", "audio", "header says 10 h", duration=0.5)
    _write_raw_wav(path, half, rate=16000, bits=16, channels=1, claim=16000 * 2 * 3600 * 10)
    pcm = (b.speech.mean(axis=1) * 30000).astype("<i2").tobytes()
    kept = len(pcm) * 2 // 5
    path = b.add(
        "truncated_wav", "truncated.wav", "audio", "cut at 40 %", duration=kept / 2 / b.rate
    )
    _write_raw_wav(path, pcm[:kept], rate=b.rate, bits=16, channels=1, claim=len(pcm))
    full = b.folder / "full.flac.src"
    sf.write(full, b.speech, b.rate, format="FLAC", subtype="PCM_16")
    _truncate(full, b.add("truncated_flac", "truncated.flac", "audio", "cut at 50 %"), 0.5)
    full.unlink()
    vorbis = b.folder / "full.ogg.src"
    sf.write(vorbis, b.speech, b.rate, format="OGG", subtype="VORBIS")
    _truncate(vorbis, b.add("truncated_ogg", "truncated.ogg", "audio", "cut at 50 %"), 0.5)
    vorbis.unlink()
    d = b.seconds
    b.wav("ogg_vorbis", "speech.ogg", b.speech, b.rate, note="Ogg Vorbis", subtype="VORBIS")
    opus = _decimate(b.speech.mean(axis=1), b.rate, 48000)
    path = b.add("opus", "speech.opus", "audio", "Ogg Opus at 48 kHz", duration=d)
    sf.write(path, opus, 48000, format="OGG", subtype="OPUS")


def _ffmpeg_made(b: _Builder) -> None:
    """Compressed formats and videos, made from the speech by ffmpeg."""
    src = b.folder / "source.wav.src"
    sf.write(src, b.speech, b.rate, format="WAV", subtype="PCM_16")
    d, words = b.seconds, ("no audio track",)
    blue = ["-f", "lavfi", "-i", "color=c=blue:s=64x64:r=10"]
    aac: list[str | Path] = ["-i", src, "-c:a", "aac", "-b:a", "64k"]

    mp3 = b.add("mp3", "speech.mp3", "audio", "MP3", duration=d)
    _ffmpeg("-i", src, "-c:a", "libmp3lame", "-b:a", "64k", mp3)
    as_wav = b.add("mp3_as_wav", "mp3.wav", "audio", "MP3 named .wav", duration=d)
    _ffmpeg("-i", src, "-f", "mp3", as_wav)
    _truncate(mp3, b.add("truncated_mp3", "truncated.mp3", "audio", "MP3 cut at 50 %"), 0.5)

    m4a = b.add("m4a", "speech.m4a", "audio", "AAC in MP4", duration=d, needs_ffmpeg=True)
    _ffmpeg(*aac, m4a)
    colon = b.add("colon_name", "take:1.m4a", "audio", "colon", duration=d, needs_ffmpeg=True)
    _ffmpeg(*aac, colon)
    cut = b.add("m4a_no_index", "no_index.m4a", "error", "index at the end, cut", needs_ffmpeg=True)
    _truncate(m4a, cut, 0.5)
    fast = b.folder / "faststart.m4a.src"
    _ffmpeg(*aac, "-movflags", "+faststart", "-f", "mp4", fast)
    cut = b.add("truncated_m4a", "truncated.m4a", "audio", "index first, cut", needs_ffmpeg=True)
    _truncate(fast, cut, 0.5)
    fast.unlink()

    webm = b.add("webm", "speech.webm", "audio", "Opus in WebM", duration=d, needs_ffmpeg=True)
    _ffmpeg("-i", src, "-c:a", "libopus", webm)
    mkv = b.add("mkv", "speech.mkv", "audio", "FLAC in Matroska", duration=d, needs_ffmpeg=True)
    _ffmpeg("-i", src, "-c:a", "flac", mkv)
    mp4 = b.add("video", "video.mp4", "audio", "video and AAC", duration=d, needs_ffmpeg=True)
    _ffmpeg(*blue, *aac, "-shortest", "-map", "0:v", "-map", "1:a", "-c:v", "mpeg4", mp4)
    mp4 = b.add("mute", "mute.mp4", "error", "video only", needs_ffmpeg=True, error_words=words)
    _ffmpeg(*blue, "-t", "2", "-c:v", "mpeg4", mp4)
    png = b.add("image", "cover.mp3", "error", "PNG as .mp3", needs_ffmpeg=True, error_words=words)
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32", "-frames:v", "1", "-f", "image2", png)
    src.unlink()


def build_torture_set(folder: Path, speech_dir: Path | None) -> list[TortureCase]:
    """Write the torture files into ``folder`` (created if needed) and describe them.

    Args:
        folder: Where to write; use a temporary folder.
        speech_dir: The shared speech folder, or None for a synthetic speech-like signal.

    Returns:
        `FULL_SET` cases; `FFMPEG_ONLY` fewer without ffmpeg, which makes the compressed and video
        ones (under CI a missing ffmpeg fails the calling test instead).
    """
    folder.mkdir(parents=True, exist_ok=True)
    b = _Builder(folder, speech_dir)
    steps: list[Callable[[_Builder], None]] = [
        _empty_and_broken,
        _wav_variants,
        _not_speech,
        _lying_headers,
        _unreadable,
    ]
    if shutil.which("ffmpeg"):
        steps.append(_ffmpeg_made)
    elif ci_is_set():
        pytest.fail("ffmpeg is not installed, and CI is set: the torture set needs its files")
    for step in steps:
        step(b)
    return b.cases


@contextlib.contextmanager
def restored_permissions(cases: list[TortureCase]) -> Iterator[list[TortureCase]]:
    """Give back the permissions the set took away, so the temporary folder can be deleted."""
    try:
        yield cases
    finally:
        for case in cases:
            for p in (case.path.parent, case.path):
                with contextlib.suppress(OSError):
                    if p.is_dir() or p.is_file():
                        p.chmod(p.stat().st_mode | stat.S_IRWXU)
