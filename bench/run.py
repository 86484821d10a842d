"""Benchmark our engine against mlx-whisper and faster-whisper (``make bench``).

    .venv/bin/python bench/run.py --quick              # clips + 100 s file, once (minutes)
    .venv/bin/python bench/run.py                      # + 10 min (3 runs) and 60 min (1 run)
    .venv/bin/python bench/run.py --systems ours,mlxw --sets 10min --repeats 5
    .venv/bin/python bench/run.py --device gpu         # our engine alone on MLX's GPU backend

Within each repetition the systems run one after the other on the same files (ours, mlx-whisper,
faster-whisper, then again), so a slow patch of a noisy machine hits them all alike. Results go to
``bench/results/<date>-<host>.json`` and ``bench/results/latest.md``, and the README's Performance
section. See ``bench/README.md`` for what each number means.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import report
from audio_sets import SET_NAMES, AudioSet, build_sets
from common import RESULTS, BenchError
from scoring import Row, summarize
from systems import (
    CPU_SYSTEMS,
    DEFAULT_SYSTEMS,
    REFERENCE_SYSTEM,
    RunResult,
    System,
    gpu_systems,
    make_systems,
    run_once,
)

QUICK_SETS = ("clips", "100s", "dense100s")
GPU_SETS = ("clips", "100s", "10min", "dense10min")
FULL_REPEATS = {
    "clips": 1,
    "100s": 3,
    "10min": 3,
    "60min": 1,
    "dense100s": 3,
    "dense10min": 3,
    "dense60min": 1,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="clips + 100 s file, 1 repetition")
    p.add_argument(
        "--systems",
        default=",".join(DEFAULT_SYSTEMS),
        help=f"comma-separated, from {', '.join(CPU_SYSTEMS)} (mlxw-fp16 is slow)",
    )
    p.add_argument("--sets", default=None, help=f"comma-separated, from {', '.join(SET_NAMES)}")
    p.add_argument("--repeats", type=int, default=None, help="repetitions per set (60min: 1)")
    p.add_argument("--batch-size", type=int, default=None, help="our engine's batch size")
    p.add_argument("--fw-beam-size", type=int, default=1, help="faster-whisper beam width")
    p.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    p.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    return p.parse_args(argv)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _repeats(args: argparse.Namespace, set_name: str) -> int:
    if set_name.endswith("60min"):
        return 1
    if args.repeats is not None:
        return max(1, int(args.repeats))
    return 1 if args.quick else FULL_REPEATS[set_name]


def measure(
    args: argparse.Namespace, systems: list[System], sets: list[AudioSet]
) -> tuple[list[Row], list[RunResult]]:
    """Run every system on every set, alternating systems within each repetition."""
    rows: list[Row] = []
    runs: list[RunResult] = []
    for audio_set in sets:
        by_system: dict[str, list[RunResult]] = {s.key: [] for s in systems}
        reps = _repeats(args, audio_set.name)
        for rep in range(reps):
            for system in systems:
                run = run_once(system, audio_set.items, audio_set.name, rep)
                by_system[system.key].append(run)
                runs.append(run)
                print(
                    f"[{audio_set.name}] {rep + 1}/{reps} {system.label}: {run.wall_s:.1f} s "
                    f"({audio_set.duration_s / max(run.wall_s, 1e-9):.1f}x real time), "
                    f"peak RSS {run.peak_rss_kib / 1024:.0f} MiB",
                    flush=True,
                )
        reference = by_system.get(REFERENCE_SYSTEM)
        for system in systems:
            rows.append(summarize(system, by_system[system.key], reference, audio_set.duration_s))
    return rows, runs


def _notes(args: argparse.Namespace, systems: list[System], runs: list[RunResult]) -> list[str]:
    configs: dict[str, dict[str, Any]] = {}
    for run in runs:
        configs.setdefault(run.system, run.config)
    notes = [
        f"{s.label}: " + ", ".join(f"{k} {v}" for k, v in configs.get(s.key, {}).items())
        for s in systems
    ]
    notes.append(
        "Audio is 16 kHz mono WAV for every system (converted once by ffmpeg), so decoding "
        "costs the same; word timestamps are on for all."
    )
    if args.quick:
        notes.append("Quick run (--quick): one repetition, short files only.")
    return notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_at_start = os.getloadavg()
    gpu = args.device == "gpu"
    default_sets = GPU_SETS if gpu else (QUICK_SETS if args.quick else SET_NAMES)
    set_names = _split(args.sets) if args.sets else list(default_sets)
    try:
        if gpu:
            systems = gpu_systems(args.batch_size)
        else:
            systems = make_systems(
                _split(args.systems), batch_size=args.batch_size, fw_beam_size=args.fw_beam_size
            )
        sets = build_sets(set_names)
        rows, runs = measure(args, systems, sets)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    ours = next((r.config for r in runs if r.system.startswith("ours")), {})
    blas = str(ours.get("blas", "?"))
    if ours.get("blas_kernels"):  # which OpenBLAS kernels ran: AVX2 or AVX-512 (engine/blas.py)
        blas += f" ({ours['blas_kernels']} kernels)"
    info = report.machine(blas, load_at_start)
    options = {k: v for k, v in vars(args).items() if k != "no_readme"}
    tag = "gpu" if gpu else ("quick" if args.quick else "")
    path = report.write_json(tag, info, options, rows, runs)
    title = "Benchmark (GPU)" if gpu else "Benchmark: ours vs mlx-whisper vs faster-whisper"
    body = report.section(info, rows, _notes(args, systems, runs))
    latest = RESULTS / ("latest-gpu.md" if gpu else "latest.md")
    latest.write_text(report.markdown(title, body), encoding="utf-8")
    print(f"\n{report.table(rows)}\nWrote {path} and {latest}")
    if not gpu and not args.no_readme:
        report.update_readme(report.readme_section(body, path))
        print(f"Updated the Performance section of {report.README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
