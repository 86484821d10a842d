"""Coverage-guided fuzzing of the SRT/WebVTT importers with atheris (by hand; not in make test).

    .venv/bin/pip install atheris      # wheels on PyPI for Linux and macOS; not in the dev extra
    .venv/bin/python tests/fuzz/atheris_subtitles.py -atheris_runs=200000 [corpus_folder]

Any exception other than `EditorError` stops the run with its traceback and the input that
caused it (``crash-<sha1>``); pass that file as the argument to replay it.
"""

from __future__ import annotations

import contextlib
import logging
import sys

import atheris

with atheris.instrument_imports():
    from editor.errors import EditorError
    from editor.importers import import_subtitles


def test_one_input(data: bytes) -> None:
    # The first byte picks the format, as a file name's extension would.
    fmt = ("srt", "vtt", None)[data[0] % 3] if data else None
    with contextlib.suppress(EditorError):
        import_subtitles(data[1:], fmt)


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # damaged input is expected: keep the output readable
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
