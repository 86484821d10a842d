from __future__ import annotations

import copy
import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from project_samples import make_media, sample_project, sample_transcript

from editor import project as project_module
from editor.errors import (
    InvariantError,
    ProjectCorruptError,
    ProjectError,
    ProjectVersionError,
    SaveError,
)
from editor.media import MediaStatus, check_media
from editor.project import (
    Project,
    load_project,
    load_project_with_extras,
    project_from_json,
    project_to_json,
    save_project,
)
from editor.transcript import MediaInfo, Segment, Transcript, Word

# -- round trips -----------------------------------------------------------------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
word_texts = st.text(min_size=1, max_size=10).filter(lambda s: s.strip())


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    segments: list[Segment] = []
    cursor = draw(st.integers(min_value=0, max_value=10_000))
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        words: list[Word] = []
        for _ in range(draw(st.integers(min_value=1, max_value=5))):
            start = cursor + draw(st.integers(min_value=0, max_value=2000))
            cursor = start + draw(st.integers(min_value=1, max_value=2000))
            probability = draw(st.floats(min_value=0.0, max_value=1.0))
            words.append(Word(draw(word_texts), start, cursor, probability))
        speaker = draw(st.none() | st.text(max_size=8))
        segments.append(Segment(tuple(words), speaker))
    media = draw(
        st.none()
        | st.builds(
            MediaInfo,
            path=st.from_regex(r"/recordings/[a-z ]{1,10}\.wav", fullmatch=True),
            duration_ms=st.none() | st.integers(min_value=cursor, max_value=cursor + 10**6),
            size=st.none() | st.integers(min_value=0, max_value=2**40),
            fingerprint=st.none() | st.text(max_size=20),
        )
    )
    language = draw(st.none() | st.sampled_from(["en", "de", "ja"]))
    metadata = draw(st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=3))
    return Transcript(tuple(segments), language, media, metadata)


@settings(max_examples=150, deadline=None)
@given(
    transcript=transcripts(), state=st.dictionaries(st.text(max_size=8), json_values, max_size=5)
)
def test_round_trip_keeps_everything(transcript: Transcript, state: dict[str, Any]) -> None:
    original = Project(transcript, state)
    loaded = project_from_json(project_to_json(original))
    assert loaded.transcript == original.transcript
    assert loaded.editor_state == original.editor_state
    assert loaded.saved_at is not None


def test_file_round_trip_and_layout(tmp_path: Path) -> None:
    media = make_media(tmp_path / "talk.wav")
    original = sample_project(media)
    path = tmp_path / "talk.tep.json"
    save_project(path, original)
    loaded = load_project(path)
    assert loaded.transcript == original.transcript
    assert dict(loaded.editor_state) == dict(original.editor_state)
    text = path.read_text(encoding="utf-8")
    # One line per segment, human-readable text (not \u escapes).
    assert sum('"words":' in line for line in text.splitlines()) == 3
    assert "日本語" in text


def test_two_hour_project_stays_small(tmp_path: Path) -> None:
    # About 3.3 words a second for two hours, with probabilities as the engine gives them.
    rng = random.Random(7)
    words = [Word(f" word{i % 97}", i * 300, i * 300 + 250, rng.random()) for i in range(24_000)]
    segments = tuple(Segment(tuple(words[i : i + 12])) for i in range(0, len(words), 12))
    path = tmp_path / "long.json"
    save_project(path, Project(Transcript(segments)))
    assert path.stat().st_size < 1.5 * 2**20
    assert load_project(path).transcript.word_count == len(words)


def test_editor_state_must_be_json_and_is_copied() -> None:
    state: dict[str, Any] = {"selected": [1, 2]}
    proj = Project(Transcript(), state)
    state["selected"].append(3)
    assert proj.editor_state["selected"] == [1, 2]
    with pytest.raises(InvariantError, match="plain JSON"):
        Project(Transcript(), {"when": object()})
    with pytest.raises(InvariantError):
        Project(Transcript(), {"x": float("nan")})


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + project_to_json(sample_project()).encode("utf-8"))
    assert load_project(path).transcript == sample_transcript()


# -- damaged files ---------------------------------------------------------------------------
def test_every_truncation_is_reported_as_truncated(tmp_path: Path) -> None:
    data = project_to_json(sample_project()).encode("utf-8")
    path = tmp_path / "cut.json"
    for cut in range(len(data.rstrip())):
        path.write_bytes(data[:cut])
        with pytest.raises(ProjectCorruptError) as info:
            load_project(path)
        message = str(info.value)
        assert str(path) in message
        assert "not saved completely" in message, f"cut at {cut}: {message}"


def valid_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(project_to_json(sample_project()))
    return doc


def words_of(doc: dict[str, Any], seg: int) -> list[list[Any]]:
    words: list[list[Any]] = doc["transcript"]["segments"][seg]["words"]
    return words


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return change


def _delete(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        node: Any = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return change


SEG = ["transcript", "segments"]
CORRUPTIONS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "float-time",
        _set([*SEG, 1, "words", 0, 2], 1300.5),
        "transcript.segments[1].words[0]: end_ms must be a whole number",
    ),
    (
        "text-time",
        _set([*SEG, 0, "words", 1, 1], "400"),
        "transcript.segments[0].words[1]: start_ms must be a whole number",
    ),
    (
        "negative-time",
        _set([*SEG, 0, "words", 0, 1], -5),
        "transcript.segments[0].words[0]: start_ms must be at least 0",
    ),
    (
        "short-word",
        _set([*SEG, 2, "words", 0], ["x", 1, 2]),
        "transcript.segments[2].words[0]: a word must be a list",
    ),
    (
        "word-text",
        _set([*SEG, 2, "words", 0, 0], 7),
        "transcript.segments[2].words[0]: text must be text",
    ),
    (
        "blank-word",
        _set([*SEG, 2, "words", 0, 0], "  "),
        "transcript.segments[2].words[0]: a word needs some text",
    ),
    (
        "ends-before-start",
        _set([*SEG, 1, "words", 1, 2], 1300),
        "transcript.segments[1].words[1]: word 'true,' must end after it starts",
    ),
    (
        "probability",
        _set([*SEG, 1, "words", 1, 3], 1.5),
        "transcript.segments[1].words[1]: word probability",
    ),
    (
        "probability-type",
        _set([*SEG, 1, "words", 1, 3], True),
        "transcript.segments[1].words[1]: probability must be a number",
    ),
    ("words-overlap", _set([*SEG, 0, "words", 1, 1], 300), "transcript.segments[0]: words 'Naïve'"),
    (
        "segments-overlap",
        _set([*SEG, 1, "words", 0, 1], 800),
        "transcript.segments: segments 1 and 2 overlap",
    ),
    (
        "past-media-end",
        _set(["media"], {"path": "/x.wav", "duration_ms": 2000}),
        "transcript.segments: segment 3 ends at 2500 ms",
    ),
    (
        "no-words",
        _set([*SEG, 0, "words"], []),
        "transcript.segments[0]: a segment needs at least one word",
    ),
    (
        "words-not-list",
        _set([*SEG, 0, "words"], {}),
        "transcript.segments[0]: words must be a list",
    ),
    ("segment-not-object", _set([*SEG, 0], []), "transcript.segments[0]: must be a JSON object"),
    ("speaker-type", _set([*SEG, 0, "speaker"], 3), "transcript.segments[0]: speaker must be text"),
    ("no-segments", _delete("transcript", "segments"), "transcript: segments is missing"),
    ("no-transcript", _delete("transcript"), "transcript is missing"),
    (
        "metadata-value",
        _set(["transcript", "metadata", "model"], 1),
        "transcript.metadata: model must be text",
    ),
    ("language", _set(["transcript", "language"], ["en"]), "transcript: language must be text"),
    ("media-path", _set(["media"], {"size": 3}), "media: path is missing"),
    (
        "media-size",
        _set(["media"], {"path": "/a.wav", "size": "big"}),
        "media: size must be a whole number",
    ),
    ("state", _set(["editor_state"], [1, 2]), "editor_state: must be a JSON object"),
    ("version-text", _set(["version"], "1"), "version must be a whole number"),
    ("version-zero", _set(["version"], 0), "version must be at least 1"),
    ("no-version", _delete("version"), "version must be a whole number"),
    ("saved-at", _set(["saved_at"], "yesterday"), "saved_at must be a date and time"),
]


@pytest.mark.parametrize(
    ("change", "expected"), [c[1:] for c in CORRUPTIONS], ids=[c[0] for c in CORRUPTIONS]
)
def test_schema_errors_name_the_location(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    doc = valid_doc()
    change(doc)
    with pytest.raises(ProjectCorruptError) as info:
        project_from_json(json.dumps(doc), source="talk.json")
    assert str(info.value).startswith("Cannot open talk.json: ")
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("hello", "not valid JSON (line 1, column 1"),
        ('{"format": "transcript-editor-project"} trailing', "not valid JSON"),
        ("[1, 2]", "not a transcript-editor project"),
        ('{"format": "something-else", "version": 1}', "not a transcript-editor project"),
        ('{"a": NaN}', "NaN is not allowed"),
        ("[" * 100_000 + "]" * 100_000, "not a transcript-editor project"),
    ],
    ids=["empty", "not-json", "trailing", "list", "other-format", "nan", "deep"],
)
def test_not_a_project(text: str, expected: str) -> None:
    with pytest.raises(ProjectCorruptError, match=r"^Cannot open x\.json: ") as info:
        project_from_json(text, source="x.json")
    assert expected in str(info.value)


def test_binary_file_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "talk.wav"
    path.write_bytes(b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\xff\xfe\x80")
    with pytest.raises(ProjectCorruptError, match="not a transcript-editor project"):
        load_project(path)


def test_newer_version_is_refused_with_advice() -> None:
    doc = valid_doc()
    doc["version"] = 2
    doc["transcript"] = "a layout this version cannot know"
    with pytest.raises(ProjectVersionError) as info:
        project_from_json(json.dumps(doc), source="new.json")
    message = str(info.value)
    assert "newer version (2)" in message
    assert "reads up to 1" in message
    assert "Update the app" in message


def test_unknown_keys_are_ignored() -> None:
    doc = valid_doc()
    doc["future_feature"] = {"x": 1}
    doc["transcript"]["segments"][0]["colour"] = "red"
    assert project_from_json(json.dumps(doc)).transcript == sample_transcript()


def _json_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _json_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            paths += _json_paths(value, (*prefix, i))
    return paths


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_damage_gives_a_project_error_or_a_valid_project(data: st.DataObject) -> None:
    doc = valid_doc()
    paths = _json_paths(doc)[1:]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        path = data.draw(st.sampled_from(paths))
        damaged = copy.deepcopy(doc)
        try:
            _set(list(path), data.draw(json_values))(damaged)
        except (KeyError, IndexError, TypeError):  # an earlier change removed this place
            continue
        doc = damaged
    outcome: Project | ProjectError
    try:
        outcome = project_from_json(json.dumps(doc))
    except ProjectError as e:  # anything else escapes and fails the test
        outcome = e
    if isinstance(outcome, ProjectError):
        assert str(outcome).startswith("Cannot open the project: ")
    else:
        assert isinstance(outcome.transcript, Transcript)


# -- reading problems ------------------------------------------------------------------------
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="does not exist"):
        load_project(tmp_path / "nope.json")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is a folder"):
        load_project(tmp_path)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.json"
    path.write_text(project_to_json(sample_project()))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(path))

    # Patched rather than chmod-ed: tests may run as root, who can read anything.
    monkeypatch.setattr(project_module, "open", refuse, raising=False)
    with pytest.raises(ProjectError, match="not allowed to read it"):
        load_project(path)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(2 * 2**30)  # sparse: 2 GiB that take no space
    with pytest.raises(ProjectError, match="far larger than any project"):
        load_project(path)


def test_save_error_is_plain(tmp_path: Path) -> None:
    with pytest.raises(SaveError, match="folder does not exist"):
        save_project(tmp_path / "gone" / "p.json", sample_project())


def test_extras_round_trip_and_cannot_replace_the_layout(tmp_path: Path) -> None:
    path = tmp_path / "extra.json"
    extra = {"autosave_of": "/work/talk.json", "later": {"x": [1, None]}}
    path.write_text(project_to_json(sample_project(), extra=extra), encoding="utf-8")
    project, extras = load_project_with_extras(path)
    assert extras == extra
    assert project.transcript == load_project(path).transcript == sample_transcript()
    save_project(path, sample_project())
    assert load_project_with_extras(path)[1] == {}
    with pytest.raises(InvariantError, match="transcript"):
        project_to_json(sample_project(), extra={"transcript": None})


# -- media paths in the file -----------------------------------------------------------------
def stored_media(path: Path) -> dict[str, Any]:
    media: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["media"]
    return media


def test_media_inside_the_folder_moves_with_it(tmp_path: Path) -> None:
    folder = tmp_path / "before"
    media = make_media(folder / "audio" / "talk.wav")
    save_project(folder / "talk.json", sample_project(media))
    assert stored_media(folder / "talk.json")["path"] == "audio/talk.wav"
    moved = tmp_path / "after"
    folder.rename(moved)
    loaded = load_project(moved / "talk.json")
    assert loaded.transcript.media is not None
    assert loaded.transcript.media.path == str(moved / "audio" / "talk.wav")
    assert check_media(moved / "talk.json", loaded.transcript.media) is MediaStatus.OK


def test_media_outside_the_folder_is_absolute(tmp_path: Path) -> None:
    media = make_media(tmp_path / "recordings" / "talk.wav")
    folder = tmp_path / "projects"
    folder.mkdir()
    save_project(folder / "talk.json", sample_project(media))
    assert stored_media(folder / "talk.json")["path"] == media.path
    folder.rename(tmp_path / "elsewhere")
    loaded = load_project(tmp_path / "elsewhere" / "talk.json")
    assert loaded.transcript.media == media


def test_project_file_moved_alone_still_finds_media(tmp_path: Path) -> None:
    media = make_media(tmp_path / "work" / "talk.wav")
    save_project(tmp_path / "work" / "talk.json", sample_project(media))
    (tmp_path / "copy").mkdir()
    shutil.move(tmp_path / "work" / "talk.json", tmp_path / "copy" / "talk.json")
    loaded = load_project(tmp_path / "copy" / "talk.json")
    assert loaded.transcript.media is not None
    assert loaded.transcript.media.path == media.path


def _with_media_path(tmp_path: Path, path: str, absolute: str | None = None) -> Path:
    project = tmp_path / "p.json"
    tmp_path.mkdir(exist_ok=True)
    doc = json.loads(project_to_json(Project(sample_transcript())))
    doc["media"] = {"path": path, "absolute_path": absolute}
    project.write_text(json.dumps(doc), encoding="utf-8")
    return project


def test_media_path_to_a_pipe_or_folder_is_refused(tmp_path: Path) -> None:
    # Checking the media reads it: a pipe would hang the app, a device would never end.
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    for name in ("pipe", "folder", "/dev/zero"):
        with pytest.raises(ProjectCorruptError, match="not a regular file"):
            load_project(_with_media_path(tmp_path, name))


def test_media_path_with_control_characters_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectCorruptError, match="control characters"):
        load_project(_with_media_path(tmp_path, "talk\x00.wav"))


def test_relative_fallback_media_path_is_not_resolved_against_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "talk.wav").write_bytes(b"RIFF")
    monkeypatch.chdir(cwd)
    project = _with_media_path(tmp_path / "elsewhere", "gone.wav", "talk.wav")
    media = load_project(project).transcript.media
    assert media is not None
    assert media.path == str(tmp_path / "elsewhere" / "gone.wav")
