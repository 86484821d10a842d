from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.resample import Resampler, resample

TARGET = 16000
RATES = [44100, 48000, 22050, 8000, 96000, 11025, 37800, 12345]
DOWN_RATES = [r for r in RATES if r > TARGET]


def tone(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def middle(x: np.ndarray) -> np.ndarray:
    """The steady part, away from the zero padding at both ends."""
    return x[x.size // 8 : -x.size // 8]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def fitted_amplitude(y: np.ndarray, freq: float, rate: int) -> float:
    """Amplitude of the sinusoid at ``freq`` in ``y`` (least squares on sin and cos)."""
    t = np.arange(y.size) / rate
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, y.astype(np.float64), rcond=None)
    return float(np.hypot(*coef))


def chunked(r: Resampler, x: np.ndarray, sizes: list[int]) -> np.ndarray:
    out, i = [], 0
    for size in sizes:
        out.append(r.process(x[i : i + size]))
        i += size
    out.append(r.process(x[i:]))
    out.append(r.flush())
    return np.concatenate(out)


def test_equal_rates_are_identity() -> None:
    x = np.random.default_rng(1).standard_normal(12345).astype(np.float32)
    r = Resampler(TARGET, TARGET)
    y = np.concatenate([r.process(x[:100]), r.process(x[100:]), r.flush()])
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("share", [0.1, 0.3, 0.44])
def test_passband_sine_keeps_frequency_and_amplitude(rate: int, share: float) -> None:
    freq = share * min(rate, TARGET)
    y = middle(resample(tone(freq, rate, 3.0), rate))
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    peak_hz = np.argmax(spectrum) * TARGET / y.size
    assert abs(peak_hz - freq) <= TARGET / y.size
    assert fitted_amplitude(y, freq, TARGET) == pytest.approx(0.5, rel=2e-3)


@pytest.mark.parametrize("rate", DOWN_RATES)
def test_tones_above_target_nyquist_are_removed(rate: int) -> None:
    for freq in np.linspace(0.51 * TARGET, min(0.49 * rate, 2 * TARGET), 7):
        y = middle(resample(tone(freq, rate, 2.0), rate))
        attenuation = 20 * np.log10(rms(y) / (0.5 / math.sqrt(2)) + 1e-30)
        assert attenuation < -80, f"{freq:.0f} Hz only {attenuation:.1f} dB down"


@pytest.mark.parametrize("rate", [8000, 11025, 12345])
def test_upsampling_makes_no_images(rate: int) -> None:
    freq = 0.4 * rate
    y = middle(resample(tone(freq, rate, 3.0), rate))
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size))) ** 2
    freqs = np.fft.rfftfreq(y.size, 1 / TARGET)
    image = spectrum[freqs > 0.5 * rate + 50].sum() / spectrum.sum()
    assert 10 * np.log10(image + 1e-30) < -75


@pytest.mark.parametrize("rate", RATES)
def test_constant_stays_constant(rate: int) -> None:
    y = middle(resample(np.full(rate * 2, 0.25, dtype=np.float32), rate))
    np.testing.assert_allclose(y, 0.25, atol=1e-4)


@pytest.mark.parametrize("rate", RATES)
def test_blockwise_equals_one_shot(rate: int) -> None:
    # Long enough that outputs come out before the flush (the resampler batches ~8 s).
    x = (0.25 * np.random.default_rng(rate).standard_normal(rate * 25)).astype(np.float32)
    one_shot = resample(x, rate)
    sizes = list(np.random.default_rng(7).integers(1, rate, size=60))
    np.testing.assert_allclose(chunked(Resampler(rate), x, sizes), one_shot, atol=1e-6)


@given(
    rate=st.sampled_from(RATES),
    sizes=st.lists(st.integers(0, 50000), min_size=1, max_size=12),
)
@settings(max_examples=25, deadline=None)
def test_any_split_gives_the_same_output(rate: int, sizes: list[int]) -> None:
    x = (0.25 * np.random.default_rng(3).standard_normal(sum(sizes) + 17)).astype(np.float32)
    np.testing.assert_allclose(chunked(Resampler(rate), x, sizes), resample(x, rate), atol=1e-6)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("n_in", [0, 1, 2, 3, 440, 441, 442, 9973, 100003])
def test_output_length_is_ceil_of_ratio(rate: int, n_in: int) -> None:
    y = resample(np.zeros(n_in, dtype=np.float32), rate)
    assert y.size == math.ceil(n_in * TARGET / rate)
    assert y.dtype == np.float32


def test_flush_resets_for_a_new_stream() -> None:
    r = Resampler(44100)
    x = tone(1000, 44100, 1.0)
    first = np.concatenate([r.process(x), r.flush()])
    second = np.concatenate([r.process(x), r.flush()])
    np.testing.assert_array_equal(first, second)


def test_output_is_centred_on_input_time() -> None:
    # An impulse at input time t must peak at output time t: no filter delay to correct.
    x = np.zeros(44100, dtype=np.float32)
    x[441 * 50] = 1.0  # 0.5 s
    y = resample(x, 44100)
    assert int(np.argmax(y)) == 160 * 50


@pytest.mark.parametrize("rates", [(0, 16000), (16000, -1)])
def test_rejects_nonsense_rates(rates: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="positive"):
        Resampler(*rates)
