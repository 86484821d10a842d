from __future__ import annotations

import gc
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from ci import require_tool
from process_helpers import children, open_fds

from engine.audio import (
    FFMPEG_ENV,
    SAMPLE_RATE,
    AudioInfo,
    find_ffmpeg,
    load_audio,
    open_audio,
    probe,
)
from engine.audio.ffmpeg import summarize_stderr
from engine.errors import AudioDecodeError, FfmpegMissingError
from engine.resample import resample

needs_ffmpeg = pytest.mark.usefixtures("ffmpeg_installed")


def ffmpeg(*args: str | Path) -> None:
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", *map(str, args)]
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def ffmpeg_installed() -> None:
    require_tool("ffmpeg", "Debian: apt-get install ffmpeg")


@pytest.fixture(scope="module")
def m4a(tmp_path_factory: pytest.TempPathFactory, jfk_flac: Path, ffmpeg_installed: None) -> Path:
    path = tmp_path_factory.mktemp("m4a") / "jfk.m4a"
    ffmpeg("-i", jfk_flac, "-c:a", "aac", "-b:a", "64k", path)
    return path


def test_blocks_are_16k_mono_float32_of_the_asked_length(jfk_flac: Path) -> None:
    with open_audio(jfk_flac, block_seconds=2.0) as stream:
        assert stream.info.decoder == "soundfile"
        assert (stream.info.source_rate, stream.info.channels) == (44100, 2)
        blocks = list(stream)
        assert stream.position == sum(b.size for b in blocks)
    assert all(b.dtype == np.float32 and b.ndim == 1 and b.flags.writeable for b in blocks)
    assert [b.size for b in blocks[:-1]] == [2 * SAMPLE_RATE] * (len(blocks) - 1)
    assert 0 < blocks[-1].size <= 2 * SAMPLE_RATE
    assert sum(b.size for b in blocks) / SAMPLE_RATE == pytest.approx(11.0, abs=0.001)


def test_stream_equals_downmix_then_resample(jfk_flac: Path) -> None:
    stereo, rate = sf.read(jfk_flac, dtype="float32")
    expected = resample(stereo.mean(axis=1), rate)
    np.testing.assert_allclose(load_audio(jfk_flac), expected, atol=1e-6)


def test_16k_pcm_is_scaled_not_filtered(tmp_path: Path) -> None:
    ints = np.array([0, 16384, -32768, 32767, -1], dtype=np.int16)
    path = tmp_path / "ints.wav"
    sf.write(path, ints, SAMPLE_RATE, subtype="PCM_16")
    np.testing.assert_array_equal(load_audio(path), ints / 32768.0)


def test_downmix_is_the_mean_of_channels(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    audio = (0.2 * rng.standard_normal((8000, 3))).astype(np.float32)
    path = tmp_path / "three.wav"
    sf.write(path, audio, SAMPLE_RATE, subtype="FLOAT")
    np.testing.assert_allclose(load_audio(path), audio.mean(axis=1), atol=1e-7)


@needs_ffmpeg
def test_ffmpeg_downmix_is_the_mean_too(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    audio = (0.2 * rng.standard_normal((16000, 2))).astype(np.float32)
    wav = tmp_path / "two.wav"
    sf.write(wav, audio, SAMPLE_RATE, subtype="FLOAT")
    mka = tmp_path / "two.mka"
    ffmpeg("-i", wav, "-c:a", "pcm_f32le", mka)
    assert probe(mka).decoder == "ffmpeg"
    np.testing.assert_allclose(load_audio(mka), audio.mean(axis=1), atol=1e-6)


def test_probe_describes_soundfile_formats(jfk_flac: Path) -> None:
    info = probe(jfk_flac)
    assert isinstance(info, AudioInfo)
    assert info.duration == pytest.approx(11.0)
    assert (info.source_rate, info.channels, info.decoder) == (44100, 2, "soundfile")
    assert "flac" in info.codec


def test_probe_and_decode_m4a_with_ffmpeg(m4a: Path) -> None:
    info = probe(m4a)
    assert (info.decoder, info.codec, info.source_rate, info.channels) == (
        "ffmpeg",
        "aac",
        44100,
        2,
    )
    assert info.duration == pytest.approx(11.0, abs=0.05)
    audio = load_audio(m4a)
    assert audio.size / SAMPLE_RATE == pytest.approx(11.0, abs=0.05)
    assert audio.dtype == np.float32
    assert audio.flags.writeable


def test_probe_without_ffprobe_reads_ffmpeg_banner(
    m4a: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An ffmpeg under another name has no ffprobe beside it: probing parses `ffmpeg -i`.
    alias = tmp_path / "my-decoder"
    alias.symlink_to(shutil.which("ffmpeg") or "")
    with_ffprobe, samples = probe(m4a), load_audio(m4a)
    monkeypatch.setenv(FFMPEG_ENV, str(alias))
    assert find_ffmpeg() == str(alias)
    banner = probe(m4a)
    assert banner.codec == with_ffprobe.codec
    assert (banner.source_rate, banner.channels) == (with_ffprobe.source_rate, 2)
    assert banner.duration == pytest.approx(with_ffprobe.duration, abs=0.01)
    np.testing.assert_array_equal(load_audio(m4a), samples)


@needs_ffmpeg
def test_banner_probe_reports_a_video_without_audio(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = tmp_path / "silent.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32:r=5", "-t", "1", "-c:v", "mpeg4", video)
    alias = tmp_path / "my-decoder"
    alias.symlink_to(shutil.which("ffmpeg") or "")
    monkeypatch.setenv(FFMPEG_ENV, str(alias))
    with pytest.raises(AudioDecodeError, match="no audio track"):
        probe(video)


def test_missing_ffmpeg_names_the_fix_and_soundfile_formats_still_work(
    m4a: Path, jfk_flac: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wav = tmp_path / "short.wav"
    sf.write(wav, np.zeros(1600, dtype=np.float32), 16000)
    monkeypatch.setenv(FFMPEG_ENV, str(tmp_path / "no" / "ffmpeg"))
    assert find_ffmpeg() is None
    for action in (probe, load_audio):
        with pytest.raises(FfmpegMissingError) as caught:
            action(m4a)
        message = str(caught.value)
        assert "brew install ffmpeg" in message
        assert "sudo apt install ffmpeg" in message
        assert FFMPEG_ENV in message
        assert "jfk.m4a" in message
    assert load_audio(jfk_flac).size == 11 * SAMPLE_RATE
    assert load_audio(wav).size == 1600


def test_without_ffmpeg_on_path_the_message_says_not_installed(
    m4a: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FFMPEG_ENV, raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(FfmpegMissingError, match="ffmpeg is not installed"):
        load_audio(m4a)


def test_breaking_out_early_kills_and_reaps_ffmpeg(m4a: Path) -> None:
    before_children, before_fds = children(), open_fds()
    with open_audio(m4a, block_seconds=0.5) as stream:
        first = next(stream)
        assert first.size == SAMPLE_RATE // 2
        assert len(children()) == len(before_children) + 1  # ffmpeg runs
    assert children() == before_children
    assert open_fds() == before_fds


def test_an_exception_in_the_with_block_cleans_up(m4a: Path) -> None:
    before_children, before_fds = children(), open_fds()

    def read_then_fail() -> None:
        with open_audio(m4a, block_seconds=1.0) as stream:
            next(stream)
            raise KeyError("caller failed")

    with pytest.raises(KeyError):
        read_then_fail()
    assert children() == before_children
    assert open_fds() == before_fds


def test_a_dropped_stream_stops_ffmpeg(m4a: Path) -> None:
    before_children = children()
    stream = open_audio(m4a, block_seconds=1.0)
    next(stream)
    del stream
    gc.collect()
    assert children() == before_children


def test_reading_to_the_end_reaps_ffmpeg(m4a: Path) -> None:
    before_children, before_fds = children(), open_fds()
    stream = open_audio(m4a)
    total = sum(block.size for block in stream)
    assert total == stream.position > 0
    assert children() == before_children
    assert open_fds() == before_fds
    stream.close()  # twice is fine
    with pytest.raises(StopIteration):
        next(stream)


def test_permission_denied_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root reads chmod 000 files, so refuse the open itself, as the OS would for a user.
    path = tmp_path / "private.wav"
    sf.write(path, np.zeros(160, dtype=np.float32), SAMPLE_RATE)
    real_open = Path.open

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", deny)
    for action in (probe, open_audio):
        with pytest.raises(
            AudioDecodeError, match=r"Permission denied: cannot read 'private\.wav'"
        ):
            action(path)


def test_truncated_flac_keeps_all_that_decodes(
    jfk_flac: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = jfk_flac.read_bytes()
    cut = tmp_path / "cut.flac"
    cut.write_bytes(data[: len(data) // 2])
    with caplog.at_level("WARNING"):
        audio = load_audio(cut)
    assert "truncated" in caplog.text
    full = load_audio(jfk_flac)
    # About half of the file; the kept part is exactly the start of the full decode.
    assert 0.4 < audio.size / full.size < 0.6
    np.testing.assert_allclose(
        audio[: audio.size - SAMPLE_RATE], full[: audio.size - SAMPLE_RATE], atol=1e-5
    )


def test_text_files_are_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "subtitles.mp3"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello — привет\n", encoding="utf-8")
    for action in (probe, load_audio):
        with pytest.raises(AudioDecodeError, match="text file"):
            action(path)


def test_stderr_summary_keeps_the_cause_only() -> None:
    stderr = (
        "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55f0063e1b80] moov atom not found\n"
        "file:/home/a/b c.m4a: Invalid data found when processing input\n"
        "Conversion failed!\n"
    )
    assert summarize_stderr(stderr) == "Invalid data found when processing input"
    assert summarize_stderr("Error marking filters as finished\n") == ""
