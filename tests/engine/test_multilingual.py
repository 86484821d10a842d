"""Multilingual paths with a tiny random-weight model and Whisper's reference vocabulary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from engine_helpers import make_multilingual_model

from engine.options import TranscribeOptions, VadOptions
from engine.tokenizer import load_tokenizer
from engine.transcriber import Transcriber

SPEECHLIKE = (np.sin(np.linspace(0, 2000, 16000 * 6)) * 0.3).astype(np.float32)


def test_language_detection_picks_the_favoured_language(
    tmp_path: Path, reference_dir: Path
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


@pytest.mark.parametrize("task", ["transcribe", "translate"])
def test_fixed_language_and_translate_run(tmp_path: Path, reference_dir: Path, task: str) -> None:
    transcriber = Transcriber(make_multilingual_model(tmp_path / "m", reference_dir))
    options = TranscribeOptions(language="fr", task=task, vad=VadOptions(enabled=False))  # type: ignore[arg-type]
    info, segments = transcriber.transcribe(SPEECHLIKE, options)
    results = list(segments)
    assert info.language == "fr"
    assert info.language_probability == 1.0
    for seg in results:
        assert 0.0 <= seg.start <= seg.end <= 6.0 + 1e-6
    # The prompt the decoder used names the language and the task.
    tok = load_tokenizer(tmp_path / "m", n_vocab=51865).with_language("fr", task)  # type: ignore[arg-type]
    assert tok.sot_sequence[1] == tok.language_token("fr")
    assert tok.sot_sequence[2] == (tok.translate if task == "translate" else tok.transcribe)
