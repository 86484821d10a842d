"""Runner for mlx-whisper (``bench/envs/mlxw``); see ``child.py`` for the protocol.

mlx-whisper's loader keeps the dtype of the weights file, so the float32 configuration is given
a float32 copy of the weights (``bench/models.py``) and ``fp16=False``. ``--openblas`` loads the
system OpenBLAS into the global namespace before mlx is imported, as our engine does.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

import child


def main() -> int:
    """Transcribe ``--audio`` with ``mlx_whisper.transcribe`` and print JSON."""
    args = child.parse_args("Transcribe files with mlx-whisper and print JSON.")
    blas = "bundled"
    kernels: str | None = None

    def load() -> Any:
        nonlocal blas, kernels
        if args.openblas and sys.platform.startswith("linux"):
            library = ctypes.CDLL("libopenblas.so.0", mode=ctypes.RTLD_GLOBAL)
            blas = "libopenblas.so.0"
            # The environment (OPENBLAS_CORETYPE) is the parent's, so both MLX systems run
            # the same OpenBLAS kernels; recorded to show it.
            library.openblas_get_corename.restype = ctypes.c_char_p
            kernels = library.openblas_get_corename().decode("ascii", "replace")
        import mlx.core as mx
        from mlx_whisper.transcribe import ModelHolder

        if args.device == "cpu":
            mx.set_default_device(mx.cpu)
        # transcribe() loads through this cache, so the model is loaded (and timed) here once.
        return ModelHolder.get_model(args.model, mx.float16 if args.fp16 else mx.float32)

    def transcribe(_model: Any, path: str) -> child.Segments:
        import mlx_whisper

        result = mlx_whisper.transcribe(
            path, path_or_hf_repo=args.model, word_timestamps=True, fp16=args.fp16, verbose=None
        )
        return [
            child.segment(
                s["start"],
                s["end"],
                s["text"],
                [child.word(w["start"], w["end"], w["word"]) for w in s.get("words", [])],
            )
            for s in result["segments"]
        ]

    def config() -> dict[str, Any]:
        import importlib.metadata

        return {
            "mlx_whisper": importlib.metadata.version("mlx-whisper"),
            "mlx": importlib.metadata.version("mlx"),
            "blas": blas,
            "blas_kernels": kernels,
            "dtype": "float16" if args.fp16 else "float32",
        }

    return child.run("mlx-whisper", args, load, transcribe, config)


if __name__ == "__main__":
    sys.exit(main())
