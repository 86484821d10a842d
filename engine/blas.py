"""Use the system's OpenBLAS for MLX on Linux CPUs.

MLX's Linux CPU wheel bundles the reference BLAS, whose float32 matmul runs at ~8 GFLOP/s on our
2-core machines; loading the system OpenBLAS (Debian: ``libopenblas0``) into the global symbol
namespace *before* mlx is first imported makes MLX resolve ``sgemm`` & co. from it (~250 GFLOP/s:
the tiny encoder goes from 7.6 s to ~1 s per 30 s window). Results are the same either way up to
float rounding; ``tests/engine/test_transcriber.py`` checks the transcription text is identical.

Set ``TRANSCRIPT_NO_OPENBLAS=1`` to turn this off, or ``TRANSCRIPT_OPENBLAS=/path/lib.so`` to pick
a library.

OpenBLAS picks its kernels for the CPU when it loads (``OPENBLAS_CORETYPE`` overrides that; some
machines set it to keep older OpenBLAS releases off kernels that misbehave on their CPU). The
choice matters: on our AMD EPYC machines the AVX-512 kernels ("Cooperlake", "SkylakeX") do the
encoder's matmuls at ~430 GFLOP/s against ~235 for the AVX2 ("Haswell") ones. So the kernels in
use are part of `BlasChoice` and of the log line, and the benchmarks record them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import itertools
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["BlasChoice", "blas_choice", "preload_openblas"]

log = logging.getLogger(__name__)

DISABLE_ENV = "TRANSCRIPT_NO_OPENBLAS"
LIBRARY_ENV = "TRANSCRIPT_OPENBLAS"
_CANDIDATES = ("libopenblas.so.0", "libopenblasp.so.0", "libopenblas.so")


@dataclass(frozen=True, slots=True)
class BlasChoice:
    """What BLAS MLX uses in this process.

    Attributes:
        library: The preloaded library's name, or None when MLX uses its bundled BLAS.
        reason: Why, in words (for logs and the About box).
        core: The kernels OpenBLAS picked for this CPU ("Haswell", "Cooperlake"...), when
            the library says.
    """

    library: str | None
    reason: str
    core: str | None = None


_choice: BlasChoice | None = None


def preload_openblas() -> BlasChoice:
    """Load the system OpenBLAS globally when it helps; safe to call more than once."""
    global _choice  # a process-wide fact, decided once
    if _choice is not None:
        return _choice
    _choice = _decide()
    log.info(
        "BLAS for MLX: %s (%s; %s kernels)",
        _choice.library or "bundled",
        _choice.reason,
        _choice.core or "its own",
    )
    return _choice


def blas_choice() -> BlasChoice:
    """The decision made by `preload_openblas` (made now if it has not run yet)."""
    return preload_openblas()


def _decide() -> BlasChoice:
    if not sys.platform.startswith("linux"):
        return BlasChoice(None, "not Linux: MLX uses Accelerate or its GPU backend")
    if os.environ.get(DISABLE_ENV, "").strip() not in ("", "0"):
        return BlasChoice(None, f"turned off by {DISABLE_ENV}")
    if "mlx.core" in sys.modules:
        return BlasChoice(None, "mlx was imported before the engine; too late to switch BLAS")
    requested = os.environ.get(LIBRARY_ENV)
    names = (requested,) if requested else _CANDIDATES
    for name in itertools.chain(names, () if requested else _found_by_the_linker()):
        try:
            library = ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            continue
        core = _core_name(library)
        return BlasChoice(name, "system OpenBLAS loaded before mlx", core)
    return BlasChoice(
        None, "no system OpenBLAS found (Debian/Ubuntu: apt install libopenblas0); CPU is slower"
    )


def _found_by_the_linker() -> Iterator[str]:
    """The linker's OpenBLAS, looked up only when the usual names failed (it runs ldconfig)."""
    found = ctypes.util.find_library("openblas")
    if found:
        yield found


def _core_name(library: ctypes.CDLL) -> str | None:
    """The kernels OpenBLAS chose ("SkylakeX", "Haswell"...), when the library says."""
    try:
        get = library.openblas_get_corename
    except AttributeError:
        return None
    get.restype = ctypes.c_char_p
    name = get()
    return name.decode("ascii", "replace") if name else None
