"""The log-mel front end against Whisper's reference filterbank and a plain numpy version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf

from engine.mel import (
    CHUNK_LENGTH,
    FRAMES_PER_SECOND,
    HOP_LENGTH,
    N_FFT,
    N_FRAMES,
    N_SAMPLES,
    SAMPLE_RATE,
    SAMPLES_PER_TOKEN,
    TOKENS_PER_SECOND,
    log_mel_batch,
    log_mel_spectrogram,
    mel_filters,
)

F32 = npt.NDArray[np.float32]


@pytest.fixture(scope="module")
def reference_filters(reference_dir: Path) -> dict[int, F32]:
    with np.load(reference_dir / "mel_filters.npz", allow_pickle=False) as npz:
        return {80: npz["mel_80"], 128: npz["mel_128"]}


def whisper_log_mel(audio: F32, filters: F32, padding: int = 0) -> F32:
    """openai/whisper's ``log_mel_spectrogram`` written out in float64 numpy."""
    signal = np.pad(audio.astype(np.float64), (0, padding))
    signal = np.pad(signal, N_FFT // 2, mode="reflect")  # torch.stft(center=True)
    n_frames = 1 + (len(signal) - N_FFT) // HOP_LENGTH
    starts = np.arange(n_frames) * HOP_LENGTH
    frames = signal[starts[:, None] + np.arange(N_FFT)]
    window = np.hanning(N_FFT + 1)[:-1]  # periodic Hann
    power = np.abs(np.fft.rfft(frames * window, axis=-1)) ** 2
    mel = power[:-1] @ filters.T.astype(np.float64)  # the last STFT frame is dropped
    log_spec = np.log10(np.maximum(mel, 1e-10))
    log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
    result: F32 = ((log_spec + 4.0) / 4.0).astype(np.float32)
    return result


def test_constants_are_consistent() -> None:
    assert N_SAMPLES == CHUNK_LENGTH * SAMPLE_RATE
    assert N_FRAMES * HOP_LENGTH == N_SAMPLES
    assert FRAMES_PER_SECOND * HOP_LENGTH == SAMPLE_RATE
    assert TOKENS_PER_SECOND * SAMPLES_PER_TOKEN == SAMPLE_RATE


@pytest.mark.parametrize("n_mels", [80, 128])
def test_filterbank_matches_whisper(reference_filters: dict[int, F32], n_mels: int) -> None:
    ours = mel_filters(n_mels)
    assert ours.dtype == np.float32
    assert ours.shape == reference_filters[n_mels].shape == (n_mels, N_FFT // 2 + 1)
    assert np.abs(ours - reference_filters[n_mels]).max() <= 1e-6


def test_filterbank_is_cached_and_read_only() -> None:
    assert mel_filters(80) is mel_filters(80)
    assert mel_filters(80, sample_rate=8000) is not mel_filters(80)
    with pytest.raises(ValueError, match="read-only"):
        mel_filters(80)[0, 0] = 1.0
    with pytest.raises(ValueError, match="bad filterbank"):
        mel_filters(0)


def _test_signal(seconds: float, seed: int = 0) -> F32:
    """Tones, a chirp and a little noise: energy spread over the whole band."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    rng = np.random.default_rng(seed)
    chirp = np.sin(2 * np.pi * (100 + 3000 * t / seconds) * t)
    tones = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 5500 * t)
    return (0.5 * chirp + tones + 0.01 * rng.standard_normal(t.shape)).astype(np.float32)


@pytest.mark.parametrize(("n_mels", "padding"), [(80, 0), (128, 0), (80, 16000)])
def test_log_mel_matches_numpy_reference(
    reference_filters: dict[int, F32], n_mels: int, padding: int
) -> None:
    audio = _test_signal(3.21)
    ours = np.array(log_mel_spectrogram(audio, n_mels, padding=padding))
    expected = whisper_log_mel(audio, reference_filters[n_mels], padding)
    assert ours.shape == expected.shape == ((len(audio) + padding) // HOP_LENGTH, n_mels)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected, atol=1e-4)


@pytest.mark.parametrize(
    "clip", ["en/ls_test.flac", "en/librivox_austen/sense_and_sensibility_01_austen_64kb-0870.wav"]
)
def test_log_mel_of_speech_matches_numpy_reference(
    speech_dir: Path, reference_filters: dict[int, F32], clip: str
) -> None:
    audio, rate = sf.read(speech_dir / clip, dtype="float32")
    assert rate == SAMPLE_RATE
    assert audio.ndim == 1
    ours = np.array(log_mel_spectrogram(audio, 80, padding=N_SAMPLES))
    np.testing.assert_allclose(
        ours, whisper_log_mel(audio, reference_filters[80], N_SAMPLES), atol=1e-4
    )


def test_batch_equals_one_chunk_at_a_time() -> None:
    chunks = [_test_signal(s, seed) for seed, s in enumerate([30.0, 5.0, 0.005, 12.34])]
    chunks.append(0.001 * _test_signal(7.0))  # quiet: normalised on its own maximum
    batch = np.array(log_mel_batch(chunks, 80))
    assert batch.shape == (len(chunks), N_FRAMES, 80)
    for row, chunk in zip(batch, chunks, strict=True):
        alone = np.array(log_mel_spectrogram(chunk, 80, padding=N_SAMPLES - len(chunk)))
        content = len(chunk) // HOP_LENGTH
        np.testing.assert_allclose(row[:content], alone[:content], atol=1e-5)
        assert np.all(row[content:] == 0.0)


def test_short_chunk_is_padded_to_a_full_window(reference_filters: dict[int, F32]) -> None:
    chunk = _test_signal(5.0)
    mel = np.array(log_mel_batch([chunk], 128))[0]
    assert mel.shape == (N_FRAMES, 128)
    # As openai-whisper's transcription pads its last window: the audio's frames are the
    # log-mel of the chunk padded with silence, the frames after it are zeros in the mel.
    content = len(chunk) // HOP_LENGTH
    expected = whisper_log_mel(chunk, reference_filters[128], N_SAMPLES - len(chunk))
    np.testing.assert_allclose(mel[:content], expected[:content], atol=1e-4)
    assert np.all(mel[content:] == 0.0)
    assert (mel[:content] != 0.0).any(axis=1).all()


def test_batch_rejects_bad_chunks() -> None:
    with pytest.raises(ValueError, match="at most"):
        log_mel_batch([np.zeros(N_SAMPLES + 1, np.float32)])
    with pytest.raises(ValueError, match="mono"):
        log_mel_batch([np.zeros((2, 1000), np.float32)])
    assert log_mel_batch([], 80).shape == (0, N_FRAMES, 80)


def test_very_short_audio() -> None:
    assert log_mel_spectrogram(np.zeros(100, np.float32)).shape == (0, 80)
    one_frame = np.array(log_mel_spectrogram(_test_signal(0.012)))
    assert one_frame.shape == (1, 80)
    assert np.isfinite(one_frame).all()
    with pytest.raises(ValueError, match="mono"):
        log_mel_spectrogram(np.zeros((2, 1000), np.float32))
