"""The systems under test and how one run of a system is executed: a subprocess per run.

Each run starts the system's own Python on its runner (``bench/runners/``) with every file of an
audio set, and reads the JSON report the runner prints (protocol in ``runners/child.py``). A
fresh process per run keeps runs independent and makes the peak RSS that of one run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import envs
import models
from audio_sets import Item
from common import RUNNERS, TINY_EN, BenchError

CPU_SYSTEMS = ("ours", "mlxw", "mlxw-fp16", "fw", "fw-seq")
DEFAULT_SYSTEMS = ("ours", "mlxw", "fw", "fw-seq")
REFERENCE_SYSTEM = "mlxw"  # per-clip agreement is measured against it


@dataclass(frozen=True, slots=True)
class System:
    """One configuration to benchmark.

    Attributes:
        key: Short name used on the command line ("ours", "mlxw"...).
        label: What tables call it.
        python: The interpreter of its environment.
        runner: Its runner script.
        model: The model folder given to the runner.
        args: Extra runner arguments.
        scored: Whether its text means anything (False for random weights).
    """

    key: str
    label: str
    python: Path
    runner: Path
    model: Path
    args: tuple[str, ...] = ()
    scored: bool = True


@dataclass(frozen=True, slots=True)
class FileResult:
    """One file of one run.

    Attributes:
        item: The file.
        wall_s: Seconds to transcribe it.
        text: The transcript.
        segments: Segments with words, as the runner printed them.
    """

    item: Item
    wall_s: float
    text: str
    segments: list[dict[str, Any]] = field(repr=False)


@dataclass(frozen=True, slots=True)
class RunResult:
    """One process: a system transcribing every file of a set once.

    Attributes:
        system: Its key.
        set_name: The audio set.
        repetition: 0-based repetition number.
        load_s: Imports plus model load, in seconds.
        peak_rss_kib: Peak resident memory of the process, KiB.
        config: What the runner reported about itself (versions, BLAS, dtype...).
        files: Per-file results, in the set's order.
    """

    system: str
    set_name: str
    repetition: int
    load_s: float
    peak_rss_kib: int
    config: dict[str, Any]
    files: tuple[FileResult, ...]

    @property
    def wall_s(self) -> float:
        """Seconds spent transcribing, all files together (model load excluded)."""
        return sum(f.wall_s for f in self.files)


def make_systems(
    keys: list[str], *, batch_size: int | None = None, fw_beam_size: int = 1
) -> list[System]:
    """The CPU systems ``keys`` (see `CPU_SYSTEMS`), building their envs and weights."""
    unknown = [k for k in keys if k not in CPU_SYSTEMS]
    if unknown:
        raise BenchError(f"Unknown system(s) {', '.join(unknown)}; use {', '.join(CPU_SYSTEMS)}.")
    out = []
    batch = ("--batch-size", str(batch_size)) if batch_size else ()
    for key in keys:
        if key == "ours":
            out.append(
                System(key, "ours", Path(sys.executable), RUNNERS / "ours.py", TINY_EN, batch)
            )
        elif key in ("mlxw", "mlxw-fp16"):
            env = envs.mlxw_env()
            runner = RUNNERS / "mlx_whisper_run.py"
            if key == "mlxw":
                label = "mlx-whisper float32 + OpenBLAS"
                out.append(
                    System(key, label, env.python, runner, models.float32_copy(), ("--openblas",))
                )
            else:
                label = "mlx-whisper as installed (float16)"
                out.append(System(key, label, env.python, runner, TINY_EN, ("--fp16",)))
        else:
            env = envs.fw_env()
            sequential = key == "fw-seq"
            mode = "sequential" if sequential else "batched"
            label = f"faster-whisper int8 {mode} (beam {fw_beam_size})"
            args = ("--beam-size", str(fw_beam_size), *(("--sequential",) if sequential else ()))
            out.append(
                System(
                    key,
                    label,
                    env.python,
                    RUNNERS / "faster_whisper_run.py",
                    envs.fw_model(env),
                    args,
                )
            )
    return out


def gpu_systems(batch_size: int | None = None) -> list[System]:
    """Our engine on MLX's GPU backend: tiny.en, and random weights shaped as large-v3-turbo."""
    batch = ("--batch-size", str(batch_size)) if batch_size else ()
    python, runner = Path(sys.executable), RUNNERS / "ours.py"
    return [
        System(
            "ours-gpu", "ours tiny.en (GPU)", python, runner, TINY_EN, ("--device", "gpu", *batch)
        ),
        System(
            "turbo-random-gpu",
            "ours large-v3-turbo dims, random weights (GPU)",
            python,
            runner,
            models.random_model(),
            ("--device", "gpu", "--language", "en", "--no-fallback", *batch),
            scored=False,
        ),
    ]


def run_once(system: System, items: tuple[Item, ...], set_name: str, repetition: int) -> RunResult:
    """Run ``system`` on ``items`` in a fresh process and parse its report."""
    cmd = [str(system.python), str(system.runner), "--model", str(system.model), *system.args]
    cmd += ["--audio", *(str(i.path) for i in items)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=RUNNERS)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-20:])
        raise BenchError(f"{system.label} failed on {set_name} (exit {proc.returncode}):\n{tail}")
    try:
        report = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as e:
        raise BenchError(f"{system.label} printed no JSON report: {proc.stdout[-500:]!r}") from e
    files = tuple(
        FileResult(item, float(f["wall_s"]), str(f["text"]), list(f["segments"]))
        for item, f in zip(items, report["files"], strict=True)
    )
    return RunResult(
        system.key,
        set_name,
        repetition,
        float(report["load_s"]),
        int(report["peak_rss_kib"]),
        dict(report["config"]),
        files,
    )
