"""The numpy Silero VAD against the upstream PyTorch model's own probabilities.

``data/silero_reference.npz`` holds what the upstream TorchScript model (silero-vad, run by
``scripts/convert_silero_vad.py reference``) gave for the inputs of ``silero_inputs.py``. Our
products sum in another order than torch's, so results differ by float32 rounding: a few 1e-6
measured, 1e-4 allowed (a real mistake, such as a wrong padding or gate, shows as > 0.01).
"""

from __future__ import annotations

from pathlib import Path

import mlx.core as mx
import numpy as np
import pytest
from silero_inputs import NAMES, reference_inputs

from engine.errors import ModelLoadError
from engine.silero import FRAME, WEIGHTS, SileroVad

REFERENCE = Path(__file__).parent / "data" / "silero_reference.npz"
TOLERANCE = 1e-4
# Blocks of another size batch the products differently: rounding again, not state.
STREAM_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def reference() -> dict[str, np.ndarray]:
    with np.load(REFERENCE, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def inputs(speech_dir: Path) -> dict[str, np.ndarray]:
    return reference_inputs(speech_dir)


@pytest.fixture(scope="module")
def vad() -> SileroVad:
    return SileroVad.load()


def probabilities(vad: SileroVad, audio: np.ndarray, block: int | None = None) -> np.ndarray:
    vad.reset()
    size = block or max(1, audio.size)
    parts = [vad.process(audio[i : i + size]) for i in range(0, audio.size, size)]
    return np.concatenate([*parts, vad.flush()])


def test_reference_was_made_with_the_shipped_weights(reference: dict[str, np.ndarray]) -> None:
    _, metadata = mx.load(str(WEIGHTS), return_metadata=True)
    assert str(reference["source_sha256"]) == metadata["source_sha256"]
    assert str(reference["package"]) == metadata["package"]


@pytest.mark.parametrize("name", NAMES)
def test_probabilities_match_the_upstream_model(
    vad: SileroVad,
    inputs: dict[str, np.ndarray],
    reference: dict[str, np.ndarray],
    name: str,
) -> None:
    audio, expected = inputs[name], reference[name]
    got = probabilities(vad, audio)
    assert got.dtype == np.float32
    assert got.shape == expected.shape == (-(-audio.size // FRAME),)
    difference = float(np.abs(got - expected).max())
    assert difference < TOLERANCE, f"{name} ({reference[f'{name}.made']}): {difference:.2e}"


def test_the_inputs_span_speech_and_non_speech(reference: dict[str, np.ndarray]) -> None:
    # The comparison above means something only if the model says both yes and no in them.
    synthetic = reference["synthetic"]
    assert (synthetic > 0.5).sum() > 50
    assert (synthetic < 0.1).sum() > 100


@pytest.mark.parametrize("block", [1, 100, 511, 512, 513, 1000, 4097, 3 * 16000 + 7])
def test_blocks_of_any_size_give_the_same_probabilities(
    vad: SileroVad, inputs: dict[str, np.ndarray], block: int
) -> None:
    audio = inputs["jfk"][: 4 * 16000 if block < 512 else None]  # tiny blocks: a shorter clip
    whole = probabilities(vad, audio)
    np.testing.assert_allclose(probabilities(vad, audio, block), whole, atol=STREAM_TOLERANCE)


def test_reset_starts_a_new_stream_and_flush_ends_one(
    vad: SileroVad, inputs: dict[str, np.ndarray]
) -> None:
    audio = inputs["ls_test"][: 3 * 16000 + 100]
    first = probabilities(vad, audio)
    vad.process(inputs["jfk"][:5000])  # a stream abandoned midway
    vad.reset()
    np.testing.assert_array_equal(probabilities(vad, audio), first)
    assert vad.flush().size == 0  # nothing pending after a flush
    assert first.size == -(-audio.size // FRAME)


def test_silence_is_not_speech(vad: SileroVad) -> None:
    probs = probabilities(vad, np.zeros(5 * 16000, dtype=np.float32))
    assert probs.max() < 0.1


def test_missing_or_damaged_weights_raise_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="missing or damaged"):
        SileroVad.load(tmp_path / "absent.safetensors")
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(WEIGHTS.read_bytes()[:1000])
    with pytest.raises(ModelLoadError, match="missing or damaged"):
        SileroVad.load(damaged)
    partial = tmp_path / "partial.safetensors"
    weights = dict(mx.load(str(WEIGHTS)))
    del weights["decoder.rnn.weight_hh"]
    mx.save_safetensors(str(partial), weights)
    with pytest.raises(ModelLoadError, match=r"decoder\.rnn\.weight_hh"):
        SileroVad.load(partial)


def test_shipped_weights_are_small_float32() -> None:
    weights = mx.load(str(WEIGHTS))
    assert isinstance(weights, dict)
    assert all(w.dtype == mx.float32 for w in weights.values())
    assert WEIGHTS.stat().st_size < 2_000_000
