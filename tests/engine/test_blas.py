"""engine.blas: OpenBLAS is loaded for MLX on Linux only, and never even tried on macOS.

The decision is rerun here with a pretended ``sys.platform`` and a stand-in loader, so both
systems' branches are checked wherever the suite runs. That the loaded library leaves the words
unchanged is checked on real weights in ``test_transcriber.py``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import pytest

from engine import blas


@pytest.fixture
def tried(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The libraries the engine asks the loader for; each attempt fails, as with none installed."""
    names: list[str] = []

    def fake_cdll(name: str, mode: int = 0) -> None:
        assert mode == ctypes.RTLD_GLOBAL  # MLX resolves sgemm from the global namespace
        names.append(name)
        raise OSError(f"{name}: not here")

    def fake_find_library(name: str) -> str | None:
        names.append(f"find {name}")
        return None

    monkeypatch.setattr(ctypes, "CDLL", fake_cdll)
    monkeypatch.setattr(ctypes.util, "find_library", fake_find_library)
    monkeypatch.setattr(blas, "_choice", None)  # decide again, not the cached answer
    monkeypatch.delenv(blas.DISABLE_ENV, raising=False)
    monkeypatch.delenv(blas.LIBRARY_ENV, raising=False)
    # mlx is already imported in this process; pretend it is not, as in a fresh one.
    monkeypatch.delitem(sys.modules, "mlx.core", raising=False)
    return names


def test_macos_never_tries_to_load_openblas(
    tried: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    choice = blas.preload_openblas()
    assert choice.library is None
    assert "Accelerate" in choice.reason
    assert tried == []


def test_macos_ignores_a_requested_library(
    tried: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setenv(blas.LIBRARY_ENV, "/opt/homebrew/lib/libopenblas.dylib")
    assert blas.preload_openblas().library is None
    assert tried == []


def test_linux_tries_the_system_openblas_then_says_it_is_missing(
    tried: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    choice = blas.preload_openblas()
    assert tried[0] == "libopenblas.so.0"
    assert tried[-1] == "find openblas"
    assert choice.library is None
    assert "libopenblas0" in choice.reason


def test_the_kernels_openblas_picked_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    class CoreName:
        restype: object = None

        def __call__(self) -> bytes:
            assert self.restype is ctypes.c_char_p  # else ctypes would return an int
            return b"Cooperlake"

    class Library:
        openblas_get_corename = CoreName()

    monkeypatch.setattr(ctypes, "CDLL", lambda name, mode=0: Library())
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(blas, "_choice", None)
    monkeypatch.delenv(blas.DISABLE_ENV, raising=False)
    monkeypatch.delenv(blas.LIBRARY_ENV, raising=False)
    monkeypatch.delitem(sys.modules, "mlx.core", raising=False)
    choice = blas.preload_openblas()
    assert choice.library == "libopenblas.so.0"
    assert choice.core == "Cooperlake"


def test_a_library_that_cannot_say_its_kernels_still_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ctypes, "CDLL", lambda name, mode=0: object())  # no openblas_get_corename
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(blas, "_choice", None)
    monkeypatch.delenv(blas.DISABLE_ENV, raising=False)
    monkeypatch.setenv(blas.LIBRARY_ENV, "/opt/blas/libblis.so")
    monkeypatch.delitem(sys.modules, "mlx.core", raising=False)
    choice = blas.preload_openblas()
    assert choice.library == "/opt/blas/libblis.so"
    assert choice.core is None
