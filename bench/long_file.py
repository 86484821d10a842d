"""A 3-hour recording through our engine: speed, peak memory, and cancelling at random moments.

    .venv/bin/python bench/long_file.py                     # 3 h; ~15-40 min on a 2-core CPU
    .venv/bin/python bench/long_file.py --hours 0.5 --cancels 4

The recording is built once under ``bench/work/long/`` (git-ignored, never committed): the
English clips of ``../shared/speech`` in a seeded random order, each round shuffled afresh, with
pauses of 0.3-3 s, a minute of silence every 15 minutes (a break), faint noise everywhere; written
as FLAC block by block, then encoded by ffmpeg to 48 kHz stereo AAC in M4A, as phones and
meeting apps record (FLAC is kept when ffmpeg is missing). Its reference text is the clips'.

Then two fresh processes (this script's ``--child`` mode), as the app would run them:

1. One transcription with default options. RSS is sampled every second; at every batch the
   audio done, the wall time and the RSS are recorded, so a reader can see memory stay flat.
2. ``--cancels`` transcriptions of the same file, each cancelled from another thread after a
   random delay (seeded): the time from setting the event to `Cancelled`, and any thread or
   child process (ffmpeg) still alive afterwards.

Prints a summary and writes ``bench/results/long-file-<date>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from audio_sets import clip_items
from common import (
    PROJECT_PYTHON,
    RESULTS,
    TINY_EN,
    WORK,
    BenchError,
    normalize,
    shown_path,
    wer,
    word_errors,
)

LONG = WORK / "long"
RATE = 16000
PAUSE_S = (0.3, 3.0)
BREAK_EVERY_S, BREAK_S = 15 * 60.0, 60.0
NOISE_RMS = 5e-4
SEED = 10800
VERSION = 1  # bump when the construction changes, to rebuild stale files
HERE = Path(__file__).resolve()


def build(hours: float) -> tuple[Path, str]:
    """The recording of ``hours`` and its reference text, built once."""
    recipe = {"version": VERSION, "hours": hours, "seed": SEED}
    name = f"long-{hours:g}h"
    meta, m4a, flac = (LONG / f"{name}.{ext}" for ext in ("json", "m4a", "flac"))
    done = [p for p in (m4a, flac) if p.is_file()]
    try:
        known = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = None
    if done and isinstance(known, dict) and known.get("recipe") == recipe:
        return done[0], str(known["reference"])
    LONG.mkdir(parents=True, exist_ok=True)
    print(f"Building {hours:g} h of audio in {LONG} ...", flush=True)
    reference = _write_flac(flac, hours * 3600)
    target = _encode_m4a(flac) or flac
    meta.write_text(json.dumps({"recipe": recipe, "reference": reference}) + "\n", "utf-8")
    return target, reference


def _write_flac(path: Path, seconds: float) -> str:
    clips = clip_items()
    audio = [sf.read(str(c.path), dtype="float32")[0] for c in clips]
    rng, noise = random.Random(SEED), np.random.default_rng(SEED)
    total, written, next_break = round(seconds * RATE), 0, BREAK_EVERY_S * RATE
    said: list[str] = []
    part = path.with_name(path.stem + ".part.flac")
    with sf.SoundFile(str(part), "w", RATE, 1, format="FLAC", subtype="PCM_16") as out:
        while written < total:
            order = list(range(len(clips)))
            rng.shuffle(order)
            for i in order:
                pause = BREAK_S if written >= next_break else rng.uniform(*PAUSE_S)
                next_break += BREAK_EVERY_S * RATE if written >= next_break else 0
                block = np.concatenate([audio[i], np.zeros(round(pause * RATE), np.float32)])
                block = block[: total - written]
                block += noise.normal(0.0, NOISE_RMS, block.size).astype(np.float32)
                out.write(np.clip(block, -1.0, 1.0))
                written += block.size
                said.append(clips[i].reference.strip())
                if written >= total:
                    break
    part.replace(path)
    return " ".join(said)


def _encode_m4a(flac: Path) -> Path | None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        print("ffmpeg not found: keeping the FLAC", flush=True)
        return None
    m4a = flac.with_name(flac.stem + ".m4a")
    part = flac.with_name(flac.stem + ".part.m4a")
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(flac), "-ac", "2", "-ar", "48000"]
    cmd += ["-c:a", "aac", "-b:a", "96k", str(part)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BenchError(f"ffmpeg cannot encode {flac}: {proc.stderr.strip()[-500:]}")
    part.replace(m4a)
    flac.unlink()
    return m4a


def run_child(mode: str, audio: Path, model: Path, extra: list[str]) -> dict[str, Any]:
    """Run this script's ``--child`` mode in the project's Python; return its last JSON line."""
    cmd = [str(PROJECT_PYTHON), str(HERE), "--child", mode, "--model", str(model)]
    cmd += ["--audio", str(audio), *extra]
    env = {**os.environ, "PYTHONPATH": str(HERE.parents[1])}
    # stderr is left to the terminal: the child reports its progress there.
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise BenchError(f"the {mode} run failed (exit status {proc.returncode}); see above")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# -- the child processes --------------------------------------------------------------------------


def rss_mib() -> float:
    """Resident memory now (Linux), else the peak so far."""
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError:
        return peak_rss_mib()
    kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kib / 1024


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def left_running(threads_before: set[threading.Thread]) -> list[str]:
    """Threads started since ``threads_before`` and still alive, and child processes (Linux)."""
    found = [f"thread {t.name}" for t in threading.enumerate() if t not in threads_before]
    for task in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            found += [f"process {pid}" for pid in task.read_text().split()]
    return found


def child_full(model: Path, audio: Path) -> dict[str, Any]:
    import engine  # noqa: F401  # the system OpenBLAS, before anything imports mlx
    from engine.blas import blas_choice
    from engine.transcriber import Transcriber

    started = time.perf_counter()
    transcriber = Transcriber(model, allow_download=False)
    load_s, loaded = time.perf_counter() - started, rss_mib()
    progress: list[dict[str, float]] = []
    started = time.perf_counter()

    def on_progress(p: Any) -> None:
        wall, rss = time.perf_counter() - started, rss_mib()
        progress.append({"audio_s": round(p.done, 1), "wall_s": round(wall, 1), "rss_mib": rss})
        print(
            f"  {p.done / 60:6.1f} of {p.total / 60:.1f} min audio in {wall / 60:5.1f} min, "
            f"RSS {rss:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )

    info, segments = transcriber.transcribe(audio, on_progress=on_progress)
    texts = [s.text for s in segments]
    wall_s = time.perf_counter() - started
    return {
        "duration_s": info.duration,
        "wall_s": wall_s,
        "load_s": load_s,
        "segments": len(texts),
        "words": sum(len(t.split()) for t in texts),
        "text": " ".join(texts),
        "rss_loaded_mib": loaded,
        "peak_rss_mib": peak_rss_mib(),
        "progress": progress[:: max(1, len(progress) // 60)] + progress[-1:],
        "batch_size": info.batch_size,
        "device": info.device,
        "blas": blas_choice().library or "bundled",
    }


def child_cancel(model: Path, audio: Path, delays: list[float]) -> dict[str, Any]:
    import engine  # noqa: F401  # the system OpenBLAS, before anything imports mlx
    from engine.errors import Cancelled
    from engine.transcriber import Transcriber

    transcriber = Transcriber(model, allow_download=False)
    trials = []
    for delay in delays:
        before = set(threading.enumerate())
        cancel, set_at, done = threading.Event(), [0.0], [0.0]

        def fire(event: threading.Event = cancel, when: list[float] = set_at) -> None:
            when[0] = time.perf_counter()
            event.set()

        def on_progress(p: Any, reached: list[float] = done) -> None:
            reached[0] = p.done

        timer = threading.Timer(delay, fire)
        timer.start()
        try:
            for _segment in transcriber.transcribe(audio, cancel=cancel, on_progress=on_progress)[
                1
            ]:
                pass
            outcome = "finished before the cancel"
        except Cancelled:
            outcome = "Cancelled"
        raised_at = time.perf_counter()
        timer.join()
        time.sleep(0.2)  # a thread that is ending may take a moment to leave the list
        trials.append(
            {
                "delay_s": delay,
                "outcome": outcome,
                "latency_s": round(raised_at - set_at[0], 3),
                "audio_done_s": round(done[0], 1),
                "left_running": left_running(before),
            }
        )
    return {"trials": trials}


def child_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=("full", "cancel"))
    p.add_argument("--model", type=Path, required=True)
    p.add_argument("--audio", type=Path, required=True)
    p.add_argument("--delays", type=float, nargs="*", default=[])
    args = p.parse_args(argv)
    if args.mode == "full":
        result = child_full(args.model, args.audio)
    else:
        result = child_cancel(args.model, args.audio, args.delays)
    print(json.dumps(result))
    return 0


# -- the parent -----------------------------------------------------------------------------------


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hours", type=float, default=3.0, help="length of the recording")
    p.add_argument("--model", type=Path, default=TINY_EN, help="model folder")
    p.add_argument("--cancels", type=int, default=8, help="cancelled runs")
    p.add_argument("--max-delay", type=float, default=30.0, help="latest cancel, in seconds")
    args = p.parse_args()
    from report import machine  # imports mlx (through models.py): never in the children

    try:
        load_at_start = os.getloadavg()
        audio, reference = build(args.hours)
        print(f"Transcribing {audio} ({audio.stat().st_size / 2**20:.0f} MiB) ...", flush=True)
        full = run_child("full", audio, args.model, [])
        ref_words = normalize(reference)
        full["wer"] = wer(word_errors(ref_words, normalize(full.pop("text"))), len(ref_words))
        rng = random.Random(SEED)
        delays = [round(rng.uniform(0.0, args.max_delay), 2) for _ in range(args.cancels)]
        print(f"Cancelling {len(delays)} runs after {delays} s ...", flush=True)
        cancels = run_child("cancel", audio, args.model, ["--delays", *map(str, delays)])
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    record = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(full["blas"], load_at_start),
        "audio": {"path": shown_path(audio), "bytes": audio.stat().st_size, "hours": args.hours},
        "full": full,
        "cancel": cancels,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"long-file-{dt.date.today().isoformat()}.json"
    out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print_summary(record)
    print(f"Wrote {out}")
    return 0


def print_summary(record: dict[str, Any]) -> None:
    full, cancel, m = record["full"], record["cancel"], record["machine"]
    latencies = [t["latency_s"] for t in cancel["trials"]]
    left = [t for t in cancel["trials"] if t["left_running"]]
    print(
        f"{m['cores']} cores, load {m['load_average_start']} -> {m['load_average_end']}\n"
        f"audio {full['duration_s'] / 3600:.2f} h, wall {full['wall_s'] / 60:.1f} min "
        f"({full['duration_s'] / full['wall_s']:.1f}x real time), load {full['load_s']:.1f} s\n"
        f"peak RSS {full['peak_rss_mib']:.0f} MiB (after loading {full['rss_loaded_mib']:.0f}), "
        f"segments {full['segments']}, words {full['words']}, WER {full['wer']:.1%}\n"
        f"cancelled {len(latencies)} runs: latency median {np.median(latencies):.2f} s, "
        f"max {max(latencies):.2f} s; left running: {len(left)}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.exit(child_main(sys.argv[2:]))
    started = time.perf_counter()
    code = main()
    print(f"({(time.perf_counter() - started) / 60:.1f} min)")
    sys.exit(code)
