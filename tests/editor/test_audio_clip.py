"""Export a stretch of the recording as audio (pydub over ffmpeg)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from ci import require_tool

from editor.audio_clip import AUDIO_FORMATS, export_audio_clip
from editor.errors import ExportError


@pytest.fixture
def recording(tmp_path: Path) -> tuple[Path, np.ndarray]:
    rate = 16000
    t = np.arange(6 * rate) / rate
    samples = (0.3 * np.sin(2 * np.pi * 440 * t) * (t // 1 % 2 * 2 - 1)).astype(np.float32)
    path = tmp_path / "talk.wav"
    sf.write(path, samples, rate, subtype="PCM_16")
    return path, samples


def test_a_wav_clip_holds_exactly_the_stretch(
    recording: tuple[Path, np.ndarray], tmp_path: Path
) -> None:
    require_tool("ffmpeg", "Debian: apt install ffmpeg")
    media, samples = recording
    target = tmp_path / "quote.wav"
    export_audio_clip(media, 2000, 4500, target)
    clip, rate = sf.read(target, dtype="float32")
    assert rate == 16000
    assert clip.shape == (40000,)
    np.testing.assert_allclose(clip, samples[32000:72000], atol=2 / 32768)


@pytest.mark.parametrize("fmt", [f.extension for f in AUDIO_FORMATS if f.extension != "wav"])
def test_every_offered_format_is_written_and_reads_back(
    recording: tuple[Path, np.ndarray], tmp_path: Path, fmt: str
) -> None:
    require_tool("ffmpeg", "Debian: apt install ffmpeg")
    from pydub import AudioSegment

    target = tmp_path / f"quote.{fmt}"
    export_audio_clip(recording[0], 1000, 3000, target)
    assert abs(len(AudioSegment.from_file(str(target))) - 2000) <= 60  # codec padding


def test_bad_requests_say_what_to_do(recording: tuple[Path, np.ndarray], tmp_path: Path) -> None:
    media = recording[0]
    with pytest.raises(ExportError, match="can be saved as"):
        export_audio_clip(media, 0, 1000, tmp_path / "quote")
    with pytest.raises(ExportError, match="empty"):
        export_audio_clip(media, 1000, 1000, tmp_path / "quote.wav")
    with pytest.raises(ExportError, match="relink"):
        export_audio_clip(tmp_path / "gone.wav", 0, 1000, tmp_path / "quote.wav")
    assert not (tmp_path / "quote.wav").exists()


def test_without_ffmpeg_the_message_says_how_to_install_it(
    recording: tuple[Path, np.ndarray], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("editor.audio_clip.shutil.which", lambda name: None)
    with pytest.raises(ExportError, match="apt install ffmpeg"):
        export_audio_clip(recording[0], 0, 1000, tmp_path / "quote.mp3")


def test_a_file_ffmpeg_cannot_read_is_an_export_error(tmp_path: Path) -> None:
    require_tool("ffmpeg", "Debian: apt install ffmpeg")
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"not audio at all" * 100)
    with pytest.raises(ExportError, match=r"could not cut junk\.wav"):
        export_audio_clip(junk, 0, 1000, tmp_path / "quote.wav")
    assert not (tmp_path / "quote.wav").exists()
