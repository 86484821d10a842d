"""The numpy GE2E voice encoder against Resemblyzer's own mel and embeddings.

The reference (``../shared/diarization/reference``) was made by ``resemblyzer==0.1.4`` with torch
and librosa. Our sums run in another order, so values differ by float32 rounding: about 1e-6
measured; 1e-4 allowed for embeddings (a wrong gate order or padding shows as > 0.05) and a
relative 1e-4 for the mel (its values span 1e-8 to 5).
"""

from __future__ import annotations

import numpy as np
import pytest
from speaker_helpers import reference_embeddings

from engine.errors import ModelLoadError
from engine.speakers.ge2e import HOP, PARTIAL_FRAMES, Ge2eEncoder, ge2e_mel

TOLERANCE = 1e-4
NAMES = ("sample", "jfk")


@pytest.fixture(scope="module")
def encoder() -> Ge2eEncoder:
    return Ge2eEncoder.load()


@pytest.mark.parametrize("name", NAMES)
def test_mel_matches_librosa(name: str) -> None:
    ref = reference_embeddings(name)
    mel = ge2e_mel(ref["preprocessed_wav"])
    assert mel.shape == ref["mel"].shape
    np.testing.assert_allclose(mel, ref["mel"], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_first_partial_matches(name: str, encoder: Ge2eEncoder) -> None:
    ref = reference_embeddings(name)
    embed = encoder.embed_mels(ref["mel"][None, :PARTIAL_FRAMES])[0]
    assert np.abs(embed - ref["first_partial_embed"]).max() < TOLERANCE


@pytest.mark.parametrize("name", NAMES)
def test_partials_and_utterance_match(name: str, encoder: Ge2eEncoder) -> None:
    ref = reference_embeddings(name)
    wav = ref["preprocessed_wav"]
    starts, stops = ref["partial_starts"], ref["partial_stops"]
    # As `embed_utterance`: the waveform is zero-padded up to the last partial's end.
    wav = np.pad(wav, (0, max(0, int(stops[-1]) - wav.size)))
    frames = encoder.features(wav)
    assert np.all(stops - starts == encoder.window_frames * encoder.hop_samples)
    assert (encoder.window_frames, encoder.hop_samples) == (PARTIAL_FRAMES, HOP)
    windows = np.stack([frames[a // HOP : a // HOP + PARTIAL_FRAMES] for a in starts])
    partials = encoder.embed_mels(windows)
    assert partials.shape == ref["partial_embeds"].shape
    assert np.abs(partials - ref["partial_embeds"]).max() < TOLERANCE
    mean = partials.mean(axis=0)
    utterance = mean / np.linalg.norm(mean)
    assert np.abs(utterance - ref["utterance_embed"]).max() < TOLERANCE


def test_embeddings_are_unit_vectors_and_batches_agree(encoder: Ge2eEncoder) -> None:
    rng = np.random.default_rng(0)
    frames = encoder.features(rng.normal(0, 0.05, 70 * 160 * HOP).astype(np.float32))
    windows = frames[: 70 * 160].reshape(70, 160, -1)
    together = encoder.embed_mels(windows)  # more than one internal batch
    apart = np.concatenate([encoder.embed_mels(windows[:5]), encoder.embed_mels(windows[5:])])
    np.testing.assert_allclose(together, apart, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert encoder.embed_mels(np.zeros((0, 160, 40))).shape == (0, 256)


def test_missing_weights_raise_model_load_error(tmp_path) -> None:
    with pytest.raises(ModelLoadError):
        Ge2eEncoder.load(tmp_path / "absent.safetensors")
