"""Whisper's audio front end: 16 kHz samples -> normalised log-mel spectrogram frames.

Follows openai/whisper ``whisper/audio.py`` exactly (same STFT, filterbank, clamping and
scaling), computed with MLX so it runs where the model runs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Final

import mlx.core as mx
import numpy as np
import numpy.typing as npt

__all__ = [
    "CHUNK_LENGTH",
    "FRAMES_PER_SECOND",
    "HOP_LENGTH",
    "N_FFT",
    "N_FRAMES",
    "N_SAMPLES",
    "SAMPLES_PER_TOKEN",
    "SAMPLE_RATE",
    "TOKENS_PER_SECOND",
    "log_mel_batch",
    "log_mel_spectrogram",
    "mel_filters",
]

SAMPLE_RATE: Final = 16000  # samples per second the model hears
N_FFT: Final = 400  # samples per STFT window (25 ms)
HOP_LENGTH: Final = 160  # samples between STFT frames (10 ms)
CHUNK_LENGTH: Final = 30  # seconds in one model window
N_SAMPLES: Final = CHUNK_LENGTH * SAMPLE_RATE  # 480000 samples in one window
N_FRAMES: Final = N_SAMPLES // HOP_LENGTH  # 3000 mel frames in one window
FRAMES_PER_SECOND: Final = SAMPLE_RATE // HOP_LENGTH  # 100 mel frames per second (10 ms)
SAMPLES_PER_TOKEN: Final = HOP_LENGTH * 2  # 320: the encoder's stride-2 conv halves the frames
TOKENS_PER_SECOND: Final = SAMPLE_RATE // SAMPLES_PER_TOKEN  # 50 audio positions (20 ms each)

_LOG_FLOOR: Final = 1e-10  # mel power floor before log10 (Whisper's clamp)
_DYNAMIC_RANGE: Final = 8.0  # log10 units kept below the loudest value (80 dB)


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (librosa's htk=False)."""
    linear = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def _mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Inverse of `_hz_to_mel`."""
    linear = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


@functools.lru_cache(maxsize=8)
def _cached_filters(n_mels: int, sample_rate: int, n_fft: int) -> npt.NDArray[np.float32]:
    fft_hz = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    # n_mels triangles need n_mels + 2 edges, evenly spaced in mel from 0 Hz to Nyquist.
    top = _hz_to_mel(np.array([sample_rate / 2], dtype=np.float64))[0]
    edges_hz = _mel_to_hz(np.linspace(0.0, top, n_mels + 2))
    widths = np.diff(edges_hz)
    ramps = edges_hz[:, None] - fft_hz[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(rising, falling))
    # Slaney normalisation: every triangle has the same area, not the same height.
    weights *= (2.0 / (edges_hz[2:] - edges_hz[:-2]))[:, None]
    filters = weights.astype(np.float32)
    filters.setflags(write=False)  # shared by the cache
    return filters


def mel_filters(
    n_mels: int, *, sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT
) -> npt.NDArray[np.float32]:
    """Whisper's triangular mel filterbank (Slaney scale and normalisation).

    The same values as librosa's ``mel(sr, n_fft, n_mels, htk=False, norm="slaney")``, which
    made Whisper's ``mel_filters.npz``. Cached; the array is read-only.

    Args:
        n_mels: Number of mel bands (80, or 128 from large-v3 on).
        sample_rate: Audio sample rate in Hz.
        n_fft: FFT size in samples.

    Returns:
        float32 array of shape (n_mels, n_fft // 2 + 1).
    """
    if n_mels <= 0 or n_fft <= 0 or sample_rate <= 0:
        raise ValueError(f"bad filterbank size: {n_mels} bands, {n_fft} FFT, {sample_rate} Hz")
    return _cached_filters(n_mels, sample_rate, n_fft)


def _log_mel(padded: mx.array, n_frames: int, n_mels: int) -> mx.array:
    """Normalised log-mel frames of a batch of reflect-padded signals.

    Args:
        padded: (B, L + N_FFT) float32: each signal with N_FFT // 2 reflected samples per side.
        n_frames: Frames to keep: L // HOP_LENGTH (Whisper drops the STFT's last frame).
        n_mels: Number of mel bands.

    Returns:
        (B, n_frames, n_mels) float32, each row normalised on its own maximum.
    """
    batch, length = padded.shape
    if n_frames == 0:  # under 10 ms of audio: nothing to normalise
        return mx.zeros((batch, 0, n_mels), mx.float32)
    # One strided view frames every signal of the batch at once (no index array).
    frames = mx.as_strided(padded, (batch, n_frames, N_FFT), (length, HOP_LENGTH, 1))
    n = mx.arange(N_FFT, dtype=mx.float32)
    window = 0.5 - 0.5 * mx.cos(2 * np.pi * n / N_FFT)  # periodic Hann, as torch.hann_window
    spectrum = mx.fft.rfft(frames * window, axis=-1)
    power = mx.square(mx.real(spectrum)) + mx.square(mx.imag(spectrum))
    mel = power @ mx.array(mel_filters(n_mels)).T
    log_spec = mx.log10(mx.maximum(mel, _LOG_FLOOR))
    ceiling = mx.max(log_spec, axis=(1, 2), keepdims=True)
    log_spec = mx.maximum(log_spec, ceiling - _DYNAMIC_RANGE)
    return (log_spec + 4.0) / 4.0


def log_mel_spectrogram(
    audio: mx.array | npt.NDArray[np.floating], n_mels: int = 80, padding: int = 0
) -> mx.array:
    """Whisper's log-mel spectrogram of a whole signal.

    Args:
        audio: Mono 16 kHz samples in [-1, 1], shape (n_samples,).
        n_mels: Number of mel bands the model expects.
        padding: Zero samples appended before the STFT.

    Returns:
        (n_frames, n_mels) float32, n_frames = (n_samples + padding) // HOP_LENGTH, normalised
        on the loudest frame of the whole signal.

    Raises:
        ValueError: The audio is not one-dimensional.
    """
    signal = mx.array(audio, dtype=mx.float32)
    if signal.ndim != 1:
        raise ValueError(f"expected mono samples, got an array of shape {signal.shape}")
    length = signal.shape[0] + padding
    # Reflect padding needs more samples than the pad; shorter signals get zeros first.
    total = max(length, N_FFT // 2 + 1)
    if total > signal.shape[0]:
        signal = mx.concatenate([signal, mx.zeros((total - signal.shape[0],), mx.float32)])
    half = N_FFT // 2
    padded = mx.concatenate([signal[1 : half + 1][::-1], signal, signal[-half - 1 : -1][::-1]])
    return _log_mel(padded[None], length // HOP_LENGTH, n_mels)[0]


def log_mel_batch(chunks: Sequence[npt.NDArray[np.floating]], n_mels: int = 80) -> mx.array:
    """Log-mel spectrograms of up to 30 s chunks, as one batch for the encoder.

    Each chunk is zero-padded to `N_SAMPLES` and normalised on its own maximum, as if it were
    passed alone to `log_mel_spectrogram`; the STFT runs once for the whole batch. Frames after
    a chunk's audio are then set to 0 in the normalised mel, exactly as openai-whisper's (and
    mlx-whisper's and faster-whisper's) transcription pads its last window, which the model
    decodes differently from the log-mel of silence (-0.74 or so): on a 4 s clip, "apologized
    Whitmore" against "apologized to it more".

    Args:
        chunks: Mono 16 kHz float samples, each at most `N_SAMPLES` long.
        n_mels: Number of mel bands the model expects.

    Returns:
        (len(chunks), N_FRAMES, n_mels) float32.

    Raises:
        ValueError: A chunk is not one-dimensional or is longer than 30 s.
    """
    half = N_FFT // 2
    batch = np.zeros((len(chunks), N_SAMPLES + 2 * half), dtype=np.float32)
    for row, chunk in zip(batch, chunks, strict=True):
        samples = np.asarray(chunk, dtype=np.float32)
        if samples.ndim != 1 or samples.shape[0] > N_SAMPLES:
            raise ValueError(
                f"a chunk must be mono and at most {N_SAMPLES} samples, got {samples.shape}"
            )
        row[half : half + samples.shape[0]] = samples
        # Reflect padding (as torch.stft(center=True)) of the zero-padded chunk.
        row[:half] = row[half + 1 : 2 * half + 1][::-1]
        row[-half:] = row[-2 * half - 1 : -half - 1][::-1]
    if not chunks:
        return mx.zeros((0, N_FRAMES, n_mels), mx.float32)
    mel = _log_mel(mx.array(batch), N_FRAMES, n_mels)
    content = mx.array([len(c) // HOP_LENGTH for c in chunks])
    inside = mx.arange(N_FRAMES)[None, :] < content[:, None]
    return mx.where(inside[..., None], mel, 0.0)
