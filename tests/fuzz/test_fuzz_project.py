"""Fuzzing the project loader and autosave recovery with damaged project files on disk.

`tests/editor/test_project.py` damages the JSON structure (values at random places) and cuts
the file at every length; this damages the bytes: bit flips, cuts, insertions, repeats, and
arbitrary bytes. `load_project` may only raise `ProjectError`; `find_recoverable` (run at every
start) may not raise at all: it skips what it cannot read. Coverage-guided: `atheris_project.py`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fuzz_helpers import assert_plain, damaged, write_as
from hypothesis import given, settings
from hypothesis import strategies as st

from editor.autosave import AUTOSAVE_SUFFIX, find_recoverable, save_autosave
from editor.errors import ProjectError
from editor.media import media_info_for
from editor.project import Project, load_project, save_project
from editor.transcript import Segment, Transcript, Word


def sample_files() -> list[bytes]:
    """A saved project and an autosave, with media, speakers, editor state and odd text."""
    with tempfile.TemporaryDirectory() as folder:
        media = Path(folder) / "talk.wav"
        media.write_bytes(b"RIFF" + bytes(2000))
        segments = (
            Segment((Word("Naïve", 0, 400, 0.9), Word(' "quoted"', 400, 900, 0.5)), "Ann"),
            Segment(tuple(Word(f" w{i}", 1000 + 100 * i, 1090 + 100 * i, 1.0) for i in range(30))),
        )
        transcript = Transcript(segments, "en", media_info_for(media, 4000), {"model": "tiny"})
        project = Project(transcript, {"position_ms": 1234, "export": {"format": "srt"}})
        save_project(Path(folder) / "talk.json", project)
        save_autosave(Path(folder) / f"a{AUTOSAVE_SUFFIX}", project, Path(folder) / "talk.json")
        return [(Path(folder) / name).read_bytes() for name in ("talk.json", f"a{AUTOSAVE_SUFFIX}")]


SAMPLES = sample_files()


@settings(max_examples=500, deadline=None)
@given(data=st.sampled_from(SAMPLES).flatmap(damaged))
def test_damaged_project_files_raise_only_project_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        try:
            project = load_project(write_as(folder, data, "json"))
        except ProjectError as e:  # anything else escapes and fails the test
            message = str(e)
        else:
            assert isinstance(project.transcript, Transcript)
            return
    assert message.startswith("Cannot open ")
    assert_plain(message)


@settings(max_examples=150, deadline=None)
@given(files=st.lists(st.sampled_from(SAMPLES).flatmap(damaged), min_size=1, max_size=3))
def test_recovery_skips_damaged_autosaves(files: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for i, data in enumerate(files):
            (Path(folder) / f"{i}{AUTOSAVE_SUFFIX}").write_bytes(data)
        found = find_recoverable(folder)  # must not raise, whatever the files hold
        assert len(found) <= len(files)
        for candidate in found:
            assert isinstance(load_project(candidate.autosave_path).transcript, Transcript)


def test_the_samples_are_valid() -> None:
    # The seeds of the fuzzing above must themselves load, or the damage means little.
    with tempfile.TemporaryDirectory() as folder:
        for i, data in enumerate(SAMPLES):
            (Path(folder) / f"{i}.json").write_bytes(data)
            assert load_project(Path(folder) / f"{i}.json").transcript.word_count == 32
