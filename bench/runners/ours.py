"""Runner for our engine (the project's ``.venv``); see ``child.py`` for the protocol.

``import engine`` preloads the system OpenBLAS on Linux (``engine.blas``), as the app does.
"""

from __future__ import annotations

import sys
from typing import Any

import child


def main() -> int:
    """Transcribe ``--audio`` with ``engine.transcriber.Transcriber`` and print JSON."""
    args = child.parse_args("Transcribe files with our engine and print JSON.")
    state: dict[str, Any] = {}

    def load() -> Any:
        from engine.blas import preload_openblas

        preload_openblas()  # what `import engine` does; it must come before mlx's import
        import mlx.core as mx

        from engine.transcriber import Transcriber

        if args.device == "cpu":
            mx.set_default_device(mx.cpu)
        elif mx.default_device().type != mx.gpu:
            raise SystemExit("--device gpu: MLX has no GPU backend here (install mlx[cuda13]).")
        return Transcriber(args.model, allow_download=False)

    def transcribe(transcriber: Any, path: str) -> child.Segments:
        import dataclasses

        from engine.options import TranscribeOptions

        options = TranscribeOptions(
            language=args.language, word_timestamps=True, batch_size=args.batch_size
        )
        if args.no_fallback:  # random weights: every window would fall back to the end
            options = dataclasses.replace(options, temperatures=(0.0,))
        info, segments = transcriber.transcribe(path, options)
        state["batch_size"] = info.batch_size
        state["device"] = info.device
        return [
            child.segment(
                s.start, s.end, s.text, [child.word(w.start, w.end, w.text) for w in s.words]
            )
            for s in segments
        ]

    def config() -> dict[str, Any]:
        import importlib.metadata

        from engine.blas import blas_choice

        return {
            "mlx": importlib.metadata.version("mlx"),
            "blas": blas_choice().library or "bundled",
            "blas_kernels": blas_choice().core,
            **state,
        }

    def load_and_note() -> Any:
        transcriber = load()
        state["dtype"] = transcriber.loaded.dtype
        state["model"] = transcriber.name
        return transcriber

    return child.run("ours", args, load_and_note, transcribe, config)


if __name__ == "__main__":
    sys.exit(main())
