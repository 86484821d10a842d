"""The engine end to end with real tiny.en weights and real speech."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from engine_helpers import normalise

from engine.audio import load_audio
from engine.errors import Cancelled, EngineError
from engine.options import TranscribeOptions, VadOptions
from engine.results import Progress, SegmentResult
from engine.transcriber import Transcriber

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def transcriber(tiny_en_model: Path) -> Transcriber:
    return Transcriber(tiny_en_model)


def text_of(segments: list[SegmentResult]) -> str:
    return " ".join(s.text for s in segments)


def check_words(segments: list[SegmentResult], duration: float) -> None:
    words = [w for s in segments for w in s.words]
    assert words
    previous_end = 0.0
    for w in words:
        assert 0.0 <= w.start <= w.end <= duration + 1e-6
        assert w.start >= previous_end - 1e-6
        assert 0.0 <= w.probability <= 1.0
        previous_end = w.end
    starts = [s.start for s in segments]
    assert starts == sorted(starts)


def test_jfk_gives_the_known_sentence(
    transcriber: Transcriber, jfk_flac: Path, jfk_text: str
) -> None:
    info, segments = transcriber.transcribe(jfk_flac)
    result = list(segments)
    assert info.language == "en"
    assert info.duration == pytest.approx(11.0, abs=0.05)
    assert normalise(text_of(result)) == normalise(jfk_text)
    check_words(result, info.duration)
    assert [s.id for s in result] == list(range(len(result)))
    assert "".join(w.text for s in result for w in s.words).strip() == text_of(result)


def test_vad_off_and_beam_search_give_the_same_words(
    transcriber: Transcriber, jfk_flac: Path, jfk_text: str
) -> None:
    for options in (
        TranscribeOptions(vad=VadOptions(enabled=False)),
        TranscribeOptions(beam_size=5, word_timestamps=False),
    ):
        _, segments = transcriber.transcribe(jfk_flac, options)
        assert normalise(text_of(list(segments))) == normalise(jfk_text)


def test_samples_in_memory_work(transcriber: Transcriber, jfk_flac: Path, jfk_text: str) -> None:
    samples = load_audio(jfk_flac)
    info, segments = transcriber.transcribe(samples)
    assert normalise(text_of(list(segments))) == normalise(jfk_text)
    assert info.duration == pytest.approx(len(samples) / 16000)


def test_progress_reaches_the_end(transcriber: Transcriber, jfk_flac: Path) -> None:
    reports: list[Progress] = []
    _, segments = transcriber.transcribe(jfk_flac, on_progress=reports.append)
    list(segments)
    assert reports
    done = [p.done for p in reports]
    assert done == sorted(done)
    assert reports[-1].fraction == pytest.approx(1.0)


def test_runs_on_a_worker_thread(tiny_en_model: Path, jfk_flac: Path, jfk_text: str) -> None:
    # MLX streams are per thread: the model is loaded on the thread that uses it.
    out: dict[str, object] = {}

    def work() -> None:
        try:
            t = Transcriber(tiny_en_model)
            _, segments = t.transcribe(jfk_flac)
            out["text"] = text_of(list(segments))
        except BaseException as e:  # reported to the test thread
            out["error"] = e

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)
    assert "error" not in out, out.get("error")
    assert normalise(str(out["text"])) == normalise(jfk_text)


def test_cancel_stops_within_one_batch(
    transcriber: Transcriber, speech_dir: Path, tmp_path: Path
) -> None:
    # Short clips with pauses, over 60 s: fixed 30 s windows, one per batch.
    clips = sorted((speech_dir / "en" / "cmu_arctic").glob("*.wav"))
    pieces = []
    for clip in clips * 3:
        audio, rate = sf.read(clip, dtype="float32")
        assert rate == 16000
        pieces += [audio, np.zeros(16000 * 2, dtype=np.float32)]
    path = tmp_path / "clips.wav"
    sf.write(path, np.concatenate(pieces), 16000)
    assert sf.info(path).duration > 60
    cancel = threading.Event()
    options = TranscribeOptions(batch_size=1, vad=VadOptions(enabled=False))
    _, segments = transcriber.transcribe(path, options, cancel=cancel)
    got = [next(segments)]
    cancel.set()
    with pytest.raises(Cancelled):
        got.extend(segments)
    # Only what the first window already produced arrives after the cancel.
    assert all(seg.end <= 30.0 + 1e-6 for seg in got)


def test_cancel_before_start(transcriber: Transcriber, jfk_flac: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    _, segments = transcriber.transcribe(jfk_flac, cancel=cancel)
    with pytest.raises(Cancelled):
        list(segments)


def test_english_only_model_refuses_other_languages(
    transcriber: Transcriber, jfk_flac: Path
) -> None:
    with pytest.raises(EngineError, match="only knows English"):
        transcriber.transcribe(jfk_flac, TranscribeOptions(language="de"))
    with pytest.raises(EngineError, match="translate"):
        transcriber.transcribe(jfk_flac, TranscribeOptions(task="translate"))


def test_silence_gives_no_text(transcriber: Transcriber, tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(16000 * 20, dtype=np.float32), 16000)
    _, segments = transcriber.transcribe(path)
    assert list(segments) == []


@pytest.mark.slow
def test_openblas_does_not_change_results(tiny_en_model: Path, jfk_flac: Path) -> None:
    script = (
        "import sys; from engine.transcriber import Transcriber; "
        "from engine.blas import blas_choice; "
        "_, s = Transcriber(sys.argv[1]).transcribe(sys.argv[2]);"
        "print(blas_choice().library); print('|'.join(x.text for x in s))"
    )
    outputs = {}
    for disable in ("0", "1"):
        env = {**os.environ, "TRANSCRIPT_NO_OPENBLAS": disable}
        proc = subprocess.run(
            [sys.executable, "-c", script, str(tiny_en_model), str(jfk_flac)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=600,
            check=True,
        )
        library, text = proc.stdout.strip().splitlines()[-2:]
        outputs[disable] = (library, text)
    assert outputs["1"][0] == "None"
    if not sys.platform.startswith("linux"):
        # macOS: MLX brings Accelerate (and Metal); the engine must leave BLAS alone (issue 16:
        # this test demanded OpenBLAS on every system and so failed on any Mac).
        assert outputs["0"][0] == "None"
    elif outputs["0"][0] == "None":
        pytest.fail("the system OpenBLAS was not loaded (install libopenblas0)")
    assert outputs["0"][1] == outputs["1"][1]
