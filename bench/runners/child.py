"""What every runner shares: its command line, timing, peak memory and the JSON it prints.

Runners run in their system's own virtualenv, so this file uses the standard library only.
Protocol: ``python RUNNER --model DIR --audio FILE [FILE...] [options]`` prints one JSON object
on stdout (anything the libraries print goes to stderr):

    {"system": ..., "config": {...}, "load_s": seconds to load the model,
     "peak_rss_kib": the process's own peak resident memory (KiB; VmHWM on Linux),
     "files": [{"audio": path, "wall_s": seconds to transcribe it, "text": ...,
                "segments": [{"start", "end", "text", "words": [{"start", "end", "word"}]}]}]}

``wall_s`` runs from the transcribe call until the last segment is in hand (results are lazy
generators in two of the three systems, so the time includes consuming them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Segments = list[dict[str, Any]]


def parse_args(description: str) -> argparse.Namespace:
    """The options shared by every runner."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--model", required=True, help="model folder")
    p.add_argument("--audio", required=True, nargs="+", help="files to transcribe, in order")
    p.add_argument("--batch-size", type=int, default=None, help="chunks decoded together")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (faster-whisper)")
    p.add_argument("--beam-size", type=int, default=None, help="beam width (faster-whisper)")
    p.add_argument(
        "--sequential", action="store_true", help="faster-whisper: WhisperModel, not batched"
    )
    p.add_argument("--openblas", action="store_true", help="preload the system OpenBLAS")
    p.add_argument("--fp16", action="store_true", help="compute in float16 (mlx-whisper)")
    p.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    p.add_argument("--language", default=None, help="language code (ours; default: detect)")
    p.add_argument("--no-fallback", action="store_true", help="temperature 0 only (ours)")
    return p.parse_args()


@contextmanager
def stdout_to_stderr() -> Iterator[int]:
    """Send fd 1 to stderr (C libraries too) while working; yields the real stdout's fd."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield saved
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def word(start: float, end: float, text: str) -> dict[str, Any]:
    """One word as the protocol writes it."""
    return {"start": round(float(start), 3), "end": round(float(end), 3), "word": text}


def segment(start: float, end: float, text: str, words: list[dict[str, Any]]) -> dict[str, Any]:
    """One segment as the protocol writes it."""
    return {
        "start": round(float(start), 3),
        "end": round(float(end), 3),
        "text": text,
        "words": words,
    }


def peak_rss_kib() -> int:
    """This process's peak resident memory so far, in KiB.

    On Linux, from ``VmHWM``: ``ru_maxrss`` keeps the peak of the image that exec replaced, so
    every runner started by a benchmark that had just built the hour-long sets (1 GB) reported
    that 1 GB as its own. macOS's ``ru_maxrss`` is in bytes.
    """
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def run(
    system: str,
    args: argparse.Namespace,
    load: Callable[[], Any],
    transcribe: Callable[[Any, str], Segments],
    config: Callable[[], dict[str, Any]],
) -> int:
    """Load once, transcribe every ``--audio`` file in order, print the JSON report."""
    with stdout_to_stderr() as real_stdout:
        started = time.perf_counter()
        model = load()
        load_s = time.perf_counter() - started
        files = []
        for path in args.audio:
            started = time.perf_counter()
            segments = transcribe(model, path)
            wall_s = time.perf_counter() - started
            text = " ".join(s["text"].strip() for s in segments if s["text"].strip())
            files.append({"audio": path, "wall_s": wall_s, "text": text, "segments": segments})
        report = {
            "system": system,
            "config": config(),
            "load_s": load_s,
            "peak_rss_kib": peak_rss_kib(),
            "files": files,
        }
        data = (json.dumps(report) + "\n").encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(real_stdout, view) :]
    return 0
