"""Coverage-guided fuzzing of the project loader with atheris (by hand; not in make test).

    .venv/bin/pip install atheris      # wheels on PyPI for Linux and macOS; not in the dev extra
    .venv/bin/python tests/fuzz/atheris_project.py -atheris_runs=200000 [corpus_folder]

Each input is written to a file and opened with `load_project`, as the app opens a project;
any exception other than `ProjectError` stops the run with its traceback and the input.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from editor.errors import ProjectError
    from editor.project import load_project

FOLDER = Path(tempfile.mkdtemp(prefix="atheris-project-"))


def test_one_input(data: bytes) -> None:
    path = FOLDER / "fuzzed.json"
    path.write_bytes(data)
    with contextlib.suppress(ProjectError):
        load_project(path)


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # damaged input is expected: keep the output readable
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
