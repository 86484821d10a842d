"""Multilingual paths with a tiny random-weight model and Whisper's reference vocabulary.

Random weights say nothing useful, so what is checked is what the decoder was asked: every
prompt it ran is recorded (`prompts`), and must name the language and the task chosen or
detected (issue 16: the test used to check a tokenizer it built itself).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from engine_helpers import make_multilingual_model

import engine.decoding
import engine.host_decoding
from engine.options import TranscribeOptions, VadOptions
from engine.tokenizer import load_tokenizer
from engine.transcriber import Transcriber

SPEECHLIKE = (np.sin(np.linspace(0, 2000, 16000 * 6)) * 0.3).astype(np.float32)


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The prompt of every decode the engine runs (greedy, sampled or beam), in order."""
    seen: list[tuple[int, ...]] = []
    real = engine.decoding.prefill

    def recording(model, cross, prompt, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(prompt.tokens)
        return real(model, cross, prompt, *args, **kwargs)

    # both decoders run their prompt through `prefill`: on the device, and on the host (CPU)
    monkeypatch.setattr(engine.decoding, "prefill", recording)
    monkeypatch.setattr(engine.host_decoding, "prefill", recording)
    return seen


def language_and_task(prompt: tuple[int, ...], sot: int) -> tuple[int, int]:
    """The two tokens after start-of-transcript: Whisper's language and task."""
    at = prompt.index(sot)
    return prompt[at + 1], prompt[at + 2]


def test_language_detection_picks_the_favoured_language(
    tmp_path: Path, reference_dir: Path, prompts: list[tuple[int, ...]]
) -> None:
    probe = make_multilingual_model(tmp_path / "probe", reference_dir)
    german = load_tokenizer(probe, n_vocab=51865).language_token("de")
    folder = make_multilingual_model(tmp_path / "de", reference_dir, language_token=german)
    transcriber = Transcriber(folder)
    assert transcriber.multilingual
    # A tone is not speech to the voice-activity detector: use fixed windows.
    options = TranscribeOptions(word_timestamps=False, vad=VadOptions(enabled=False))
    info, segments = transcriber.transcribe(SPEECHLIKE, options)
    list(segments)  # random weights may say anything; they must not break the pipeline
    assert info.language == "de"
    assert info.language_probability > 0.9
    # ...and the text was decoded as German, not in the language the prompt starts with
    tok = load_tokenizer(probe, n_vocab=51865)
    assert prompts
    assert {language_and_task(p, tok.sot) for p in prompts} == {(german, tok.transcribe)}


@pytest.mark.parametrize("task", ["transcribe", "translate"])
def test_fixed_language_and_task_reach_the_decoder(
    tmp_path: Path, reference_dir: Path, task: str, prompts: list[tuple[int, ...]]
) -> None:
    transcriber = Transcriber(make_multilingual_model(tmp_path / "m", reference_dir))
    options = TranscribeOptions(language="fr", task=task, vad=VadOptions(enabled=False))  # type: ignore[arg-type]
    info, segments = transcriber.transcribe(SPEECHLIKE, options)
    results = list(segments)
    assert info.language == "fr"
    assert info.language_probability == 1.0
    for seg in results:
        assert 0.0 <= seg.start <= seg.end <= 6.0 + 1e-6
    # Every prompt the decoder ran names French and the task (translate: <|translate|>).
    tok = load_tokenizer(tmp_path / "m", n_vocab=51865)
    wanted = (tok.language_token("fr"), tok.translate if task == "translate" else tok.transcribe)
    assert prompts
    assert {language_and_task(p, tok.sot) for p in prompts} == {wanted}


def test_translate_is_refused_for_a_catalogue_model_not_trained_for_it(
    tmp_path: Path, reference_dir: Path
) -> None:
    # large-v3-turbo's weights are not available offline: its catalogue entry on the tiny
    # random model stands for it, which is all the refusal looks at.
    from engine.errors import EngineError
    from engine.models import find_spec, resolve_model

    folder = make_multilingual_model(tmp_path / "m", reference_dir)
    files = dataclasses.replace(resolve_model(folder), spec=find_spec("large-v3-turbo"))
    transcriber = Transcriber(files)
    with pytest.raises(EngineError, match="not trained to translate"):
        transcriber.transcribe(SPEECHLIKE, TranscribeOptions(task="translate"))
    info, segments = transcriber.transcribe(SPEECHLIKE, TranscribeOptions(language="fr"))
    list(segments)
    assert info.language == "fr"
