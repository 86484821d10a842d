"""Runner for faster-whisper (``bench/envs/fw``); see ``child.py`` for the protocol.

int8 CTranslate2 on the CPU with ``BatchedInferencePipeline`` (its default Silero VAD), word
timestamps on; ``--sequential``: ``WhisperModel.transcribe`` as its README's first example
(30 s windows one after the other, each conditioned on the previous text, no VAD). The beam
width is the harness's choice (greedy by default, like the others; faster-whisper's own default
is 5).
"""

from __future__ import annotations

import sys
from typing import Any

import child

DEFAULT_THREADS = 2


def main() -> int:
    """Transcribe ``--audio`` with faster-whisper and print JSON."""
    args = child.parse_args("Transcribe files with faster-whisper and print JSON.")
    threads = args.threads or DEFAULT_THREADS
    beam = args.beam_size or 1

    def load() -> Any:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        model = WhisperModel(args.model, device="cpu", compute_type="int8", cpu_threads=threads)
        return model if args.sequential else BatchedInferencePipeline(model)

    def transcribe(pipeline: Any, path: str) -> child.Segments:
        kwargs: dict[str, Any] = {"word_timestamps": True, "beam_size": beam}
        if args.batch_size and not args.sequential:
            kwargs["batch_size"] = args.batch_size
        segments, _info = pipeline.transcribe(path, **kwargs)
        return [
            child.segment(
                s.start, s.end, s.text, [child.word(w.start, w.end, w.word) for w in s.words or []]
            )
            for s in segments
        ]

    def config() -> dict[str, Any]:
        import importlib.metadata

        return {
            "faster_whisper": importlib.metadata.version("faster-whisper"),
            "ctranslate2": importlib.metadata.version("ctranslate2"),
            "compute_type": "int8",
            "cpu_threads": threads,
            "beam_size": beam,
            "mode": "sequential" if args.sequential else "batched",
            **({} if args.sequential else {"batch_size": args.batch_size or 8}),
        }

    return child.run("faster-whisper", args, load, transcribe, config)


if __name__ == "__main__":
    sys.exit(main())
