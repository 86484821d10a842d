"""Where our engine's time goes on one file (the 10-minute meeting by default).

    .venv/bin/python bench/profile.py                 # bench/work/audio/meeting-10min.wav
    .venv/bin/python bench/profile.py --audio talk.m4a --batch-size 8
    PYTHONPATH=<older checkout> .venv/bin/python bench/profile.py --out before.json

The engine is instrumented from outside, in this process: its functions are wrapped with timers
(an ``mx.eval`` where MLX would otherwise defer the work into the next stage), then one
transcription runs as the app runs it. Stages on the main thread add up to the wall time with
"other" (segment building, guards, waiting for audio); audio decoding + resampling and voice
activity detection run on the prefetch thread, overlapped with the model, so their own time is
shown beside the wall time, not inside it. A short warm-up transcription runs first (MLX
compiles kernels on first use) unless ``--no-warmup``.

Writes ``bench/results/profile-<date>-<host>.json`` too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from audio_sets import build_sets
from common import RESULTS, TINY_EN, BenchError, shown_path

# `import engine` loads the system OpenBLAS, which must happen before anything imports mlx.
import engine
import engine.audio.stream
import engine.timing
import engine.transcriber
import engine.vad
import engine.windows
from engine.options import TranscribeOptions
from engine.transcriber import Transcriber

PREFETCH = "prefetch thread"
MAIN = "main thread"
# (stage, thread, what it covers), in the order of the table.
STAGES = (
    ("audio decode + resample", PREFETCH, "AudioStream.__next__ (libsndfile/ffmpeg, resampler)"),
    ("VAD + chunking", PREFETCH, "Chunker.feed / flush"),
    ("log-mel", MAIN, "windows.log_mel_batch"),
    ("encoder + cross K/V", MAIN, "encode_batch minus log-mel"),
    ("decoder, first pass", MAIN, "greedy/beam decode at temperature 0"),
    ("decoder, fallbacks", MAIN, "re-decodes at temperature > 0"),
    ("word timing pass", MAIN, "align_words minus DTW (teacher-forced decoder, attention)"),
    ("DTW", MAIN, "timing.dtw"),
    ("other", MAIN, "wall minus the stages above (segments, guards, waiting for audio)"),
)


class Timers:
    """Accumulated seconds and calls per name, from any thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def add(self, name: str, seconds: float) -> None:
        with self.lock:
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds
            self.calls[name] = self.calls.get(name, 0) + 1

    def reset(self) -> None:
        with self.lock:
            self.seconds.clear()
            self.calls.clear()

    def wrap(
        self, name: str | Callable[..., str], fn: Callable[..., Any], evaluate: bool = False
    ) -> Callable[..., Any]:
        """``fn`` timed under ``name`` (or ``name(*args, **kwargs)``); ``evaluate``: mx.eval it."""
        import mlx.core as mx  # here, not at the top: engine must load OpenBLAS before mlx

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
                if evaluate:
                    mx.eval(result)
                return result
            finally:
                label = name(*args, **kwargs) if callable(name) else name
                self.add(label, time.perf_counter() - started)

        return timed


def _decode_stage(*_args: Any, temperature: float = 0.0, **_kwargs: Any) -> str:
    return "decode@0" if temperature == 0 else "decode@fallback"


@contextmanager
def instrumented(timers: Timers) -> Iterator[None]:
    """Wrap the engine's stage functions with timers; restore them on exit."""
    patches: list[tuple[Any, str, str | Callable[..., str], bool]] = [
        (engine.audio.stream.AudioStream, "__next__", "audio", False),
        (engine.vad.Chunker, "feed", "vad", False),
        (engine.vad.Chunker, "flush", "vad", False),
        (engine.windows, "log_mel_batch", "logmel", True),
        (engine.transcriber, "encode_batch", "encode", False),
        (engine.windows, "encode_batch", "encode", False),  # re-decoding of skipped speech
        (engine.windows, "greedy_decode", _decode_stage, False),
        (engine.windows, "greedy_decode_host", _decode_stage, False),
        (engine.windows, "beam_decode", _decode_stage, False),
        (engine.windows, "align_words", "align", False),
        (engine.timing, "dtw", "dtw", False),
    ]
    saved = []
    for owner, attr, name, evaluate in patches:
        # Older engine versions (PYTHONPATH=<checkout>, for a before/after profile) lack some.
        original = getattr(owner, attr, None)
        if original is None:
            continue
        saved.append((owner, attr, original))
        setattr(owner, attr, timers.wrap(name, original, evaluate))
    try:
        yield
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)


def transcribe(transcriber: Transcriber, path: Path, options: TranscribeOptions) -> float:
    """Transcribe ``path`` to the end; returns the wall time."""
    started = time.perf_counter()
    _info, segments = transcriber.transcribe(path, options)
    for _ in segments:
        pass
    return time.perf_counter() - started


def stage_seconds(timers: Timers, wall: float) -> dict[str, tuple[float, int]]:
    """Seconds and calls per table stage, from the raw timers."""
    s, c = timers.seconds, timers.calls
    logmel = s.get("logmel", 0.0)
    dtw = s.get("dtw", 0.0)
    table = {
        "audio decode + resample": (s.get("audio", 0.0), c.get("audio", 0)),
        "VAD + chunking": (s.get("vad", 0.0), c.get("vad", 0)),
        "log-mel": (logmel, c.get("logmel", 0)),
        "encoder + cross K/V": (s.get("encode", 0.0) - logmel, c.get("encode", 0)),
        "decoder, first pass": (s.get("decode@0", 0.0), c.get("decode@0", 0)),
        "decoder, fallbacks": (s.get("decode@fallback", 0.0), c.get("decode@fallback", 0)),
        "word timing pass": (s.get("align", 0.0) - dtw, c.get("align", 0)),
        "DTW": (dtw, c.get("dtw", 0)),
    }
    main = sum(table[stage][0] for stage, thread, _what in STAGES[:-1] if thread == MAIN)
    table["other"] = (wall - main, 0)
    return table


def print_table(
    table: dict[str, tuple[float, int]], wall: float, load: float, audio: float
) -> None:
    print(f"{'stage':<26} {'thread':<16} {'seconds':>8} {'% wall':>7} {'calls':>6}")
    for stage, thread, _what in STAGES:
        seconds, calls = table[stage]
        print(f"{stage:<26} {thread:<16} {seconds:>8.2f} {100 * seconds / wall:>6.1f}% {calls:>6}")
    print(f"{'wall total':<26} {'':<16} {wall:>8.2f} {100.0:>6.1f}%")
    print(f"\n{audio:.0f} s of audio, {audio / wall:.1f}x real time; model load {load:.2f} s")
    print("Prefetch-thread stages overlap the main thread; they are not part of the wall sum.")


def _engine_version() -> str:
    """The commit of the checkout whose ``engine`` package is profiled (``?`` outside git)."""
    folder = Path(engine.__file__).resolve().parent.parent
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "?"
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--audio", type=Path, default=None, help="a file (default: the 10 min file)")
    p.add_argument("--model", type=Path, default=TINY_EN, help="model folder")
    p.add_argument("--batch-size", type=int, default=None, help="chunks decoded together")
    p.add_argument("--no-warmup", action="store_true", help="skip the warm-up transcription")
    p.add_argument("--out", type=Path, default=None, help="JSON record (default: bench/results)")
    args = p.parse_args(argv)
    try:
        sets = build_sets(["clips", "10min"])
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    path = args.audio or sets[1].items[0].path
    options = TranscribeOptions(word_timestamps=True, batch_size=args.batch_size)
    started = time.perf_counter()
    transcriber = Transcriber(args.model, allow_download=False)
    load = time.perf_counter() - started
    if not args.no_warmup:
        transcribe(transcriber, sets[0].items[0].path, options)
    timers = Timers()
    with instrumented(timers):
        wall = transcribe(transcriber, path, options)
    audio = engine.audio.probe(path).duration or 0.0
    table = stage_seconds(timers, wall)
    print_table(table, wall, load, audio)
    RESULTS.mkdir(parents=True, exist_ok=True)
    host = socket.gethostname()
    out = args.out or RESULTS / f"profile-{dt.date.today().isoformat()}-{host}.json"
    record = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": host,
        "engine": _engine_version(),
        "audio": shown_path(path),
        "audio_s": audio,
        "model": shown_path(args.model),
        "batch_size": args.batch_size,
        "load_s": load,
        "wall_s": wall,
        "stages": [
            {"stage": s, "thread": t, "covers": w, "seconds": table[s][0], "calls": table[s][1]}
            for s, t, w in STAGES
        ],
    }
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
