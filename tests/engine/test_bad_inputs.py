"""The audio front door against the torture set: every file decodes or fails in plain words."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from ci import missing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torture import FFMPEG_ONLY, FULL_SET, TortureCase, build_torture_set, restored_permissions

from engine.audio import FFMPEG_ENV, SAMPLE_RATE, open_audio, probe
from engine.errors import AudioDecodeError, FfmpegMissingError

HAVE_FFMPEG = shutil.which("ffmpeg") is not None


@pytest.fixture(scope="module")
def torture(
    tmp_path_factory: pytest.TempPathFactory, speech_dir: Path
) -> Iterator[list[TortureCase]]:
    folder = tmp_path_factory.mktemp("torture")
    with restored_permissions(build_torture_set(folder, speech_dir)) as cases:
        yield cases


def decode(path: Path) -> tuple[int, int]:
    """Probe, then stream the whole file; returns (samples, largest block)."""
    probe(path)
    total = largest = 0
    with open_audio(path, block_seconds=10.0) as stream:
        for block in stream:
            assert block.dtype == np.float32
            assert block.ndim == 1
            total += block.size
            largest = max(largest, block.size)
    return total, largest


def check(case: TortureCase, ffmpeg_present: bool) -> str | None:
    """What is wrong with how the front door handled ``case``, or None."""
    try:
        samples, largest = decode(case.path)
    except AudioDecodeError as e:
        message = str(e)
        if "Traceback" in message or "\n" in message.strip() or not message:
            return f"unreadable message: {message!r}"
        if case.needs_ffmpeg and not ffmpeg_present:
            ok = isinstance(e, FfmpegMissingError) and "install" in message
            return None if ok else f"wanted FfmpegMissingError, got {message!r}"
        if case.expect != "error":
            return f"wanted {case.expect}, got {type(e).__name__}: {message}"
        missing = [w for w in case.error_words if w not in message.lower()]
        return f"message {message!r} lacks {missing}" if missing else None
    if case.needs_ffmpeg and not ffmpeg_present:
        return "decoded without ffmpeg, yet it is marked as needing ffmpeg"
    if case.expect == "error":
        return f"wanted an error, decoded {samples} samples"
    if largest > 10 * SAMPLE_RATE:
        return f"a block of {largest} samples is longer than asked"
    seconds = samples / SAMPLE_RATE
    if case.duration is not None and abs(seconds - case.duration) > 0.05:
        return f"decoded {seconds:.3f} s, wanted {case.duration:.3f} s"
    return None if samples > 0 else "decoded nothing"


def test_the_set_is_large_and_varied(torture: list[TortureCase]) -> None:
    assert len(torture) == (FULL_SET if HAVE_FFMPEG else FULL_SET - FFMPEG_ONLY)
    assert {c.expect for c in torture} == {"error", "audio", "silence"}
    assert len({c.name for c in torture}) == len(torture)


@pytest.mark.parametrize("ffmpeg_present", [True, False], ids=["ffmpeg", "no_ffmpeg"])
def test_every_case_decodes_or_fails_in_plain_words(
    torture: list[TortureCase],
    ffmpeg_present: bool,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    if ffmpeg_present and not HAVE_FFMPEG:
        missing("ffmpeg (Debian: apt-get install ffmpeg)")
    if not ffmpeg_present:
        # Without ffmpeg (made so here) the ffmpeg-only cases must say how to get it.
        monkeypatch.setenv(FFMPEG_ENV, str(tmp_path / "no-ffmpeg-here"))
        ffmpeg_present = False
    problems = [f"{c.name} ({c.note}): {p}" for c in torture if (p := check(c, ffmpeg_present))]
    assert not problems, "\n".join(problems)


EXTENSIONS = ["wav", "mp3", "flac", "ogg", "opus", "m4a", "mp4", "webm", "aiff", "txt", ""]
MAGIC = [
    b"",
    b"RIFF\x24\x00\x00\x00WAVEfmt ",
    b"fLaC",
    b"OggS\x00\x02",
    b"ID3\x04\x00",
    b"\xff\xfb",
]


@given(
    magic=st.sampled_from(MAGIC),
    body=st.binary(min_size=0, max_size=3000),
    ext=st.sampled_from(EXTENSIONS),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_random_bytes_decode_or_raise_audio_errors(
    tmp_path: Path, magic: bytes, body: bytes, ext: str
) -> None:
    path = tmp_path / (f"blob.{ext}" if ext else "blob")
    path.write_bytes(magic + body)
    samples, message = 0, ""
    try:
        samples, _ = decode(path)
    except AudioDecodeError as e:
        message = str(e)
    assert (samples > 0) != bool(message)  # some audio, or an error that explains itself
    assert "Traceback" not in message
