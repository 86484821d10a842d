"""Long recordings: memory does not grow with length, and a run can be cancelled at any moment.

The recordings are built here from speech clips and silence (nothing is committed). The 3-hour
run is a benchmark, `bench/long_file.py`; this keeps to half an hour of audio, mostly silence,
so that decoding, voice detection and packing see the length while the model sees a few windows.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import soundfile as sf
from process_helpers import leftovers, with_own_peak

from engine.errors import Cancelled
from engine.options import TranscribeOptions
from engine.results import Progress
from engine.transcriber import Transcriber

pytestmark = [pytest.mark.model, pytest.mark.slow]

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHORT_MIN, LONG_MIN = 5, 30
SPEECH_EVERY_S = 300.0  # one clip this often in the long recordings, silence between
MIN_CLIP_WORDS = 4  # the CMU ARCTIC sentences have 5 to 11 words
RATE = 16000
MIN_MODEL_MB = 100  # tiny.en and MLX raise the peak by ~350 MB once loaded and warmed up
MAX_GROWTH_MB = 1500  # peak memory above the peak of loading and warming up, for any length
# Between the 5- and the 30-minute file at one window per batch. Keeping the whole recording
# would add ~190 MB (as decoded: 16 kHz stereo float32) or ~96 MB (mono); the peak varies by
# ~25 MB from run to run.
MAX_LENGTH_GROWTH_MB = 60


def arctic_clips(speech_dir: Path) -> list[npt.NDArray[np.float32]]:
    """Six different sentences, 16 kHz, as stereo (no resampling to pay for half an hour).

    Different ones: the same sentence twice in one window reads as a decoding loop to the
    engine (gzip compresses it too well), which then retries at every temperature.
    """
    clips = []
    for path in sorted((speech_dir / "en" / "cmu_arctic").glob("*.wav")):
        mono, rate = sf.read(path, dtype="float32")
        assert rate == RATE
        clips.append(np.stack([mono, 0.8 * mono], axis=1))
    return clips


def build_recording(
    path: Path, clips: list[npt.NDArray[np.float32]], rate: int, minutes: float, every_s: float
) -> None:
    """Write ``minutes`` of ``every_s``-second stretches of silence, each ending with a clip.

    Written block by block, so the test itself never holds the whole recording.
    """
    total, written = round(minutes * 60 * rate), 0
    with sf.SoundFile(path, "w", rate, clips[0].shape[1], format="FLAC", subtype="PCM_16") as out:
        for clip in itertools.cycle(clips):
            gap = np.zeros((round(every_s * rate) - len(clip), clip.shape[1]), dtype=np.float32)
            for block in (gap, clip):
                part = block[: total - written]
                out.write(part)
                written += len(part)
            if written >= total:
                return


# -- memory -------------------------------------------------------------------------------------

# Runs in a fresh process: loads the model, warms up on the clip, then transcribes one file and
# prints the process's peak resident memory before and after it. A process per file, because the
# portable peak (getrusage) cannot be restarted the way Linux's VmHWM can (issue 16: this test
# read /proc and so skipped on macOS). Batches are one window first: the default batch widens with
# the speech found, up to its cap (`engine.windows.batch_sizes`), which would hide what this looks
# for, memory that grows with the length of the recording. The long file then runs again with the
# default batch: the peak a person gets.
CHILD = r"""
import engine  # the system OpenBLAS, before mlx
from process_helpers import peak_rss_bytes
start = peak_rss_bytes()  # before mlx and the model
import json, sys
from engine.options import TranscribeOptions
from engine.transcriber import Transcriber

model, warm_up, path, batch = sys.argv[1:5]
options = TranscribeOptions(batch_size=int(batch)) if batch else TranscribeOptions()
transcriber = Transcriber(model)
for s in transcriber.transcribe(warm_up, TranscribeOptions(batch_size=1))[1]:
    pass
loaded = peak_rss_bytes()
info, segments = transcriber.transcribe(path, options)
texts = [s.text for s in segments]
print(json.dumps({"start": start, "loaded": loaded, "duration": info.duration,
                  "words": sum(len(t.split()) for t in texts), "peak": peak_rss_bytes()}))
"""


def measure(model: Path, warm_up: Path, path: Path, batch: int | None) -> dict[str, float]:
    """What `CHILD` reports for ``path`` (``batch`` None: the default batch size)."""
    args = [str(model), str(warm_up), str(path), "" if batch is None else str(batch)]
    proc = subprocess.run(
        with_own_peak([sys.executable, "-c", CHILD, *args]),
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)])},
        timeout=280,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, float] = json.loads(proc.stdout.splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory, speech_dir: Path) -> list[Path]:
    folder = tmp_path_factory.mktemp("long")
    clips = arctic_clips(speech_dir)
    paths = [folder / f"{minutes}min.flac" for minutes in (SHORT_MIN, LONG_MIN)]
    for path, minutes in zip(paths, (SHORT_MIN, LONG_MIN), strict=True):
        build_recording(path, clips, RATE, minutes, SPEECH_EVERY_S)
    return paths


@pytest.mark.timeout(900)
def test_memory_does_not_grow_with_length(
    tiny_en_model: Path, jfk_flac: Path, recordings: list[Path]
) -> None:
    short_file, long_file = recordings
    short = measure(tiny_en_model, jfk_flac, short_file, 1)
    long = measure(tiny_en_model, jfk_flac, long_file, 1)
    default = measure(tiny_en_model, jfk_flac, long_file, None)
    mb = 1 << 20
    for run, minutes in ((short, SHORT_MIN), (long, LONG_MIN), (default, LONG_MIN)):
        assert run["duration"] == pytest.approx(minutes * 60, abs=0.1)
        clips = minutes * 60 // SPEECH_EVERY_S
        assert run["words"] >= MIN_CLIP_WORDS * clips, "a clip was not transcribed"
        # Loading the model shows in the child's peak: it is the child's own, not one inherited.
        assert run["loaded"] - run["start"] > MIN_MODEL_MB * mb, run
        assert run["peak"] - run["loaded"] < MAX_GROWTH_MB * mb
    assert long["peak"] - short["peak"] < MAX_LENGTH_GROWTH_MB * mb, (short, long)


# -- cancelling ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory, jfk_flac: Path) -> list[Path]:
    """Six minutes of near-continuous speech, as FLAC and (when ffmpeg is here) as M4A."""
    folder = tmp_path_factory.mktemp("dense")
    flac = folder / "dense.flac"
    clip, rate = sf.read(jfk_flac, dtype="float32", always_2d=True)
    build_recording(flac, [clip], rate, 6, 12.0)
    if shutil.which("ffmpeg") is None:
        return [flac]
    m4a = folder / "dense.m4a"
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(flac), "-c:a", "aac", str(m4a)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return [flac, m4a]


@pytest.fixture(scope="module")
def transcriber(tiny_en_model: Path) -> Transcriber:
    return Transcriber(tiny_en_model)


def cancel_after(transcriber: Transcriber, path: Path, delay: float) -> list[Progress]:
    """Transcribe ``path``, setting the cancel event after ``delay`` seconds from another thread.

    Returns the progress reports (one per batch) that came after the event was set.
    """
    cancel = threading.Event()
    late: list[Progress] = []

    def on_progress(progress: Progress) -> None:
        if cancel.is_set():
            late.append(progress)

    timer = threading.Timer(delay, cancel.set)
    timer.start()
    try:
        _, segments = transcriber.transcribe(
            path, TranscribeOptions(batch_size=1), cancel=cancel, on_progress=on_progress
        )
        for _segment in segments:
            pass
    except Cancelled:
        return late
    finally:
        timer.cancel()
        timer.join()
    pytest.fail(f"{path.name} was transcribed to the end: the cancel came too late to test")


def test_cancel_at_random_moments(transcriber: Transcriber, dense: list[Path]) -> None:
    """Cancelled comes within the batch in flight, and no thread or ffmpeg is left running."""
    rng = random.Random(20240612)
    delays = [0.0, *(rng.uniform(0.0, 3.0) for _ in range(5))]
    for trial, delay in enumerate(delays):
        path = dense[trial % len(dense)]
        before = set(threading.enumerate())
        late = cancel_after(transcriber, path, delay)
        assert len(late) <= 1, f"{path.name}, cancelled after {delay:.2f} s: {late}"
        assert leftovers(before) == [], f"{path.name}, cancelled after {delay:.2f} s"
