"""PyInstaller runtime hook: adapt the environment of the frozen app before ``ui.app`` runs.

- A model bundled with ``build.py --bundle-model`` lies in ``<bundle>/models/<name>``; its folder is
  announced in ``TRANSCRIPT_DEFAULT_MODEL`` for the app to use as its default model (the app reads
  it; see packaging/README.md). An existing value (a person's own choice) is kept.
- macOS: MLX finds its Metal kernels (``mlx.metallib``) beside the libmlx image it was loaded
  from. PyInstaller links ``mlx.core`` to a top-level ``libmlx.dylib`` link; loading the library
  first by its real path in ``mlx/lib`` makes dyld reuse that image, whose folder holds the
  metallib (the spec also puts a metallib link at the top level, in case it does not).
- macOS starts apps from Finder with ``PATH=/usr/bin:/bin:/usr/sbin:/sbin``, so Homebrew's ffmpeg
  (needed for m4a, mp4 and video) would not be found; its usual folders are appended to PATH.
"""

import contextlib
import ctypes
import os
import sys
from pathlib import Path

_BUNDLE = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
_MODELS = _BUNDLE / "models"
_HOMEBREW_BINS = ("/opt/homebrew/bin", "/usr/local/bin")


def _announce_bundled_model() -> None:
    if not _MODELS.is_dir():
        return
    folders = sorted(p for p in _MODELS.iterdir() if (p / "config.json").is_file())
    if folders:
        os.environ.setdefault("TRANSCRIPT_DEFAULT_MODEL", str(folders[0]))


def _extend_path_on_macos() -> None:
    if sys.platform != "darwin":
        return
    parts = os.environ.get("PATH", "").split(os.pathsep)
    extra = [d for d in _HOMEBREW_BINS if d not in parts and os.path.isdir(d)]
    os.environ["PATH"] = os.pathsep.join([*(p for p in parts if p), *extra])


def _load_mlx_from_its_folder() -> None:
    if sys.platform != "darwin":
        return
    lib = _BUNDLE / "mlx" / "lib" / "libmlx.dylib"
    if lib.is_file():
        # On failure mlx.core's own import reports the real problem.
        with contextlib.suppress(OSError):
            ctypes.CDLL(str(lib.resolve()))


_announce_bundled_model()
_extend_path_on_macos()
_load_mlx_from_its_folder()
