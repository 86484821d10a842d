from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from project_samples import make_media, sample_project

from editor.autosave import (
    AUTOSAVE_SUFFIX,
    autosave_path_for,
    discard_autosave,
    find_recoverable,
    save_autosave,
)
from editor.project import load_project, load_project_with_extras, project_to_json, save_project


def test_autosave_paths_are_stable_and_distinct(tmp_path: Path) -> None:
    autosaves = tmp_path / "app-data"
    a = autosave_path_for(tmp_path / "a.json", tmp_path / "m.wav", autosaves)
    assert a == autosave_path_for(tmp_path / "a.json", tmp_path / "other.wav", autosaves)
    assert a.parent == autosaves
    assert a.name.endswith(AUTOSAVE_SUFFIX)
    b = autosave_path_for(tmp_path / "sub" / "a.json", tmp_path / "m.wav", autosaves)
    untitled = autosave_path_for(None, tmp_path / "m.wav", autosaves)
    assert len({a, b, untitled}) == 3


def set_mtime(path: Path, when: float) -> None:
    os.utime(path, (when, when))


def test_find_recoverable(tmp_path: Path) -> None:
    autosaves = tmp_path / "autosaves"
    media = make_media(tmp_path / "talk.wav")
    proj = sample_project(media)
    now = 1_700_000_000.0

    saved = tmp_path / "saved.json"  # saved after its autosave: nothing to recover
    save_project(saved, proj)
    stale = autosave_path_for(saved, media.path, autosaves)
    save_autosave(stale, proj, saved)
    set_mtime(stale, now - 100)
    set_mtime(saved, now - 50)

    edited = tmp_path / "edited.json"  # autosaved after its last save
    save_project(edited, proj)
    newer = autosave_path_for(edited, media.path, autosaves)
    save_autosave(newer, proj, edited)
    set_mtime(edited, now - 300)
    set_mtime(newer, now - 200)

    untitled = autosave_path_for(None, media.path, autosaves)  # never saved as a project
    save_autosave(untitled, proj, None)

    (autosaves / f"broken{AUTOSAVE_SUFFIX}").write_text('{"format": "transcript-edi')

    found = find_recoverable(autosaves)
    assert {c.autosave_path for c in found} == {newer, untitled}
    by_path = {c.autosave_path: c for c in found}
    assert by_path[newer].project_path == edited
    assert by_path[untitled].project_path is None
    for c in found:
        assert c.media_path == media.path
        assert c.word_count == proj.transcript.word_count
        assert load_project(c.autosave_path).transcript == proj.transcript
    assert [c.saved_at for c in found] == sorted((c.saved_at for c in found), reverse=True)

    edited.unlink()  # a project deleted since: its autosave is all that is left
    assert newer in {c.autosave_path for c in find_recoverable(autosaves)}

    discard_autosave(newer)
    discard_autosave(newer)  # already gone: fine
    assert newer not in {c.autosave_path for c in find_recoverable(autosaves)}


def test_no_autosave_folder_means_nothing_to_recover(tmp_path: Path) -> None:
    assert find_recoverable(tmp_path / "never-created") == []


def test_autosave_names_its_project_and_keeps_the_media_path_absolute(tmp_path: Path) -> None:
    media = make_media(tmp_path / "work" / "talk.wav")
    project_path = tmp_path / "work" / "talk.json"
    autosave = autosave_path_for(project_path, media.path, tmp_path / "work" / "not-yet-made")
    save_autosave(autosave, sample_project(media), project_path)
    stored = json.loads(autosave.read_text(encoding="utf-8"))
    assert stored["media"]["path"] == media.path
    loaded, extras = load_project_with_extras(autosave)
    assert extras == {"autosave_of": str(project_path)}
    assert loaded.transcript == sample_project(media).transcript


def test_an_autosave_naming_no_text_project_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    autosaves = tmp_path / "autosaves"
    autosaves.mkdir()
    odd = autosaves / f"odd{AUTOSAVE_SUFFIX}"
    odd.write_text(project_to_json(sample_project(), extra={"autosave_of": 5}), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="editor.autosave"):
        assert find_recoverable(autosaves) == []
    assert "autosave_of must be text" in caplog.text


def test_an_autosave_whose_project_is_not_the_one_its_name_says_is_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Recovering an autosave later saves over its project: a planted or edited autosave must
    # not be able to name some other file as "its project".
    autosaves = tmp_path / "autosaves"
    project_path = tmp_path / "talk.transcript"
    autosave = autosave_path_for(project_path, "", autosaves)
    elsewhere = tmp_path / "not-a-project.txt"
    for owner in (str(elsewhere), "talk.transcript", f"{project_path}\n"):
        save_autosave(autosave, sample_project(), project_path)
        data = json.loads(autosave.read_text(encoding="utf-8"))
        data["autosave_of"] = owner
        autosave.write_text(json.dumps(data), encoding="utf-8")
        with caplog.at_level(logging.WARNING, logger="editor.autosave"):
            assert find_recoverable(autosaves) == []
    assert "does not match the autosave's name" in caplog.text
    assert "is not an absolute path" in caplog.text
    assert "control characters" in caplog.text


def test_an_autosave_whose_project_is_a_folder_is_skipped(tmp_path: Path) -> None:
    autosaves = tmp_path / "autosaves"
    project_path = tmp_path / "talk.transcript"
    project_path.mkdir()
    save_autosave(autosave_path_for(project_path, "", autosaves), sample_project(), project_path)
    assert find_recoverable(autosaves) == []
