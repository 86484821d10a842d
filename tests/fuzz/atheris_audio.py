"""Coverage-guided fuzzing of the audio front door with atheris (by hand; not in make test).

    .venv/bin/pip install atheris      # wheels on PyPI for Linux and macOS; not in the dev extra
    .venv/bin/python tests/fuzz/atheris_audio.py -atheris_runs=20000 [corpus_folder]

Each input becomes a file (its first byte picks the extension) that is probed and decoded to
the end with `engine.audio`; any exception other than `AudioDecodeError` stops the run with its
traceback and the input. Only the Python side is instrumented: libsndfile and ffmpeg are not,
so seed the corpus with small valid media files for coverage to grow from.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from engine.audio import open_audio, probe
    from engine.errors import AudioDecodeError

EXTENSIONS = ("wav", "flac", "ogg", "opus", "mp3", "m4a", "mp4", "webm", "aiff", "txt", "")
FOLDER = Path(tempfile.mkdtemp(prefix="atheris-audio-"))


def test_one_input(data: bytes) -> None:
    ext = EXTENSIONS[data[0] % len(EXTENSIONS)] if data else ""
    path = FOLDER / (f"fuzzed.{ext}" if ext else "fuzzed")
    path.write_bytes(data[1:])
    try:
        probe(path)
        with open_audio(path, block_seconds=1.0) as stream:
            for _block in stream:
                pass
    except AudioDecodeError:
        pass


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # damaged input is expected: keep the output readable
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
