"""Project files: a transcript, its media reference and the editor's state, as versioned JSON.

The layout (version 1)::

    {"format": "transcript-editor-project", "version": 1,
     "saved_at": "2024-05-01T12:00:00+00:00", "app_version": "0.1.0",
     "media": {"path": "talk.wav", "absolute_path": "/talks/talk.wav", "size": 123,
               "duration_ms": 60000, "fingerprint": "sha256-ends:..."} or null,
     "transcript": {"language": "en", "metadata": {...},
                    "segments": [{"speaker": "Ann", "words": [[" Hi", 0, 300, 0.98], ...]}]},
     "editor_state": {...any JSON object the app likes...}}

Words are compact arrays (text, start_ms, end_ms, probability), one segment per line, so a
two-hour project stays around a megabyte and still diffs well. The media path is relative to the
project's folder when the media lies inside it (moving the folder keeps the link), absolute
otherwise; ``absolute_path`` is a fallback for when only the project file was moved. Unknown keys
are ignored, so later version-1 writers may add some.

Loading checks everything and raises only `ProjectError` subclasses whose messages say what is
wrong and where (``transcript.segments[3].words[2]: end_ms must be a whole number``).

Checking that the media file is still there and unchanged is `editor.media`'s job; autosaves
(project files with one more key) are written and recovered by `editor.autosave`.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from editor.atomic import atomic_write_text
from editor.errors import InvariantError, ProjectCorruptError, ProjectError, ProjectVersionError
from editor.transcript import MediaInfo, Segment, Transcript, Word

__all__ = [
    "FORMAT",
    "MAX_PROJECT_BYTES",
    "VERSION",
    "Project",
    "StrPath",
    "load_project",
    "load_project_with_extras",
    "os_error_reason",
    "project_from_json",
    "project_to_json",
    "save_project",
]

log = logging.getLogger(__name__)

StrPath = str | os.PathLike[str]

FORMAT = "transcript-editor-project"
#: The newest layout this code writes and reads.
VERSION = 1
#: A ten-hour project is a few megabytes; anything this big is not a project, and reading it
#: whole would only stall the app.
MAX_PROJECT_BYTES = 256 * 1024 * 1024
# The top-level keys of the layout; any others are extras (see `project_to_json`).
_KEYS = frozenset(
    {"format", "version", "saved_at", "app_version", "media", "transcript", "editor_state"}
)

_TRUNCATED = "the file ends in the middle: it was probably not saved completely"
_NOT_A_PROJECT = "it is not a transcript-editor project"
# Strings (whole), a lone quote (a string that never ends), and brackets: enough to tell a file
# that stops in the middle from one that is broken somewhere inside.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|"|[\[\]{}]')


@dataclass(frozen=True, slots=True)
class Project:
    """Everything a project file holds.

    Attributes:
        transcript: The transcript, with its media reference (an absolute path after loading).
        editor_state: Free-form JSON data of the app: playback position, selected segment,
            low-confidence threshold, export settings... Kept as a read-only copy; keys are
            strings.
        saved_at: When the file was written (None for a project never saved).
        app_version: The app version that wrote the file, when known.
    """

    transcript: Transcript
    editor_state: Mapping[str, Any] = field(default_factory=dict)
    saved_at: datetime | None = None
    app_version: str | None = None

    def __post_init__(self) -> None:
        # A JSON round trip both checks that the state can be saved and copies it, so later
        # changes to the caller's dict cannot leak in.
        try:
            state = json.loads(json.dumps(dict(self.editor_state), allow_nan=False))
        except (TypeError, ValueError, RecursionError) as e:
            raise InvariantError(f"editor_state must hold only plain JSON data: {e}") from e
        object.__setattr__(self, "editor_state", MappingProxyType(state))


class _Bad(Exception):  # private: turned into ProjectCorruptError with the source named
    """A schema problem at a JSON location."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)


# -- saving --------------------------------------------------------------------------------------
def save_project(path: StrPath, project: Project) -> None:
    """Write ``project`` to ``path`` atomically (the old file survives any failure).

    Raises:
        SaveError: The file cannot be written; the message says why in plain words.
    """
    base = Path(os.path.abspath(path)).parent
    atomic_write_text(path, project_to_json(project, base_dir=base))
    log.info("saved project %s (%d words)", path, project.transcript.word_count)


def project_to_json(
    project: Project,
    *,
    base_dir: StrPath | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """The project file's text.

    Args:
        project: What to write.
        base_dir: The folder the file will live in; media inside it is referenced relative to
            it. None writes an absolute media path.
        extra: More top-level keys, written after the standard ones (an autosave's
            ``autosave_of``), plain JSON values; `load_project_with_extras` gives them back,
            other readers ignore them.

    Raises:
        InvariantError: ``extra`` reuses a key of the layout.
    """
    doc = _document(project, base_dir)
    if extra:
        if clash := sorted(_KEYS.intersection(extra)):
            raise InvariantError(f"extra keys must not replace the layout's: {', '.join(clash)}")
        doc.update(extra)
    return _layout(doc)


def _document(project: Project, base_dir: StrPath | None) -> dict[str, Any]:
    """The project as a JSON-ready dict (``saved_at`` is now)."""
    t = project.transcript
    return {
        "format": FORMAT,
        "version": VERSION,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": _app_version(),
        "media": _media_to_json(t.media, base_dir),
        "transcript": {
            "language": t.language,
            "metadata": dict(t.metadata),
            "segments": [
                {
                    "speaker": s.speaker,
                    "words": [[w.text, w.start_ms, w.end_ms, w.probability] for w in s.words],
                }
                for s in t.segments
            ],
        },
        "editor_state": dict(project.editor_state),
    }


def _layout(doc: Mapping[str, Any]) -> str:
    """Indented JSON with one line per segment: readable, diffable, and still small."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    lines: list[str] = []
    for key, value in doc.items():
        if key == "transcript":
            inner = [f"    {dump(k)}: {dump(v)}" for k, v in value.items() if k != "segments"]
            rows = ",\n".join(f"      {dump(s)}" for s in value["segments"])
            inner.append(f'    "segments": [\n{rows}\n    ]' if rows else '    "segments": []')
            lines.append(f"  {dump(key)}: {{\n" + ",\n".join(inner) + "\n  }")
        else:
            lines.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _media_to_json(media: MediaInfo | None, base_dir: StrPath | None) -> dict[str, Any] | None:
    if media is None:
        return None
    absolute = os.path.abspath(media.path) if media.path else media.path
    out: dict[str, Any] = {"path": absolute}
    if base_dir is not None and absolute:
        try:
            relative = os.path.relpath(absolute, os.path.abspath(base_dir))
        except ValueError:  # another drive (Windows): no relative path exists
            relative = os.pardir
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            out = {"path": Path(relative).as_posix(), "absolute_path": absolute}
    out.update(size=media.size, duration_ms=media.duration_ms, fingerprint=media.fingerprint)
    return out


@functools.cache
def _app_version() -> str:
    try:
        return importlib.metadata.version("transcript-editor")
    except importlib.metadata.PackageNotFoundError:  # running from a plain checkout
        return "unknown"


# -- loading -------------------------------------------------------------------------------------
def load_project(path: StrPath) -> Project:
    """Read and check a project file.

    Raises:
        ProjectVersionError: A newer app version wrote it.
        ProjectCorruptError: It is damaged, truncated, or not a project; the message says where.
        ProjectError: It cannot be read at all (missing, no permission, a folder, far too big).
    """
    return load_project_with_extras(path)[0]


def load_project_with_extras(path: StrPath) -> tuple[Project, dict[str, Any]]:
    """Like `load_project`, also returning the file's extra top-level keys, unchecked.

    Returns:
        The project, and the keys outside the layout (such as an autosave's ``autosave_of``,
        see `project_to_json`) with their JSON values as they are in the file.

    Raises:
        ProjectError: As `load_project` (a `ProjectVersionError` or `ProjectCorruptError` too).
    """
    text = _decode(_read_bytes(path), str(path))
    base = Path(os.path.abspath(path)).parent
    project, doc = _parse(text, source=str(path), base_dir=base)
    return project, {key: value for key, value in doc.items() if key not in _KEYS}


def project_from_json(
    text: str, *, source: str = "the project", base_dir: StrPath | None = None
) -> Project:
    """Check and build a project from its file text.

    Args:
        text: The file's text.
        source: How to name it in error messages (usually its path).
        base_dir: The folder relative media paths are resolved against (None keeps them).

    Raises:
        ProjectVersionError: A newer app version wrote it.
        ProjectCorruptError: It is damaged, truncated, or not a project.
    """
    return _parse(text, source=source, base_dir=base_dir)[0]


def _read_bytes(path: StrPath) -> bytes:
    """The file's bytes, refusing sizes no project can have; OS problems become ProjectError."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            data = f.read(MAX_PROJECT_BYTES + 1) if size <= MAX_PROJECT_BYTES else b""
    except OSError as e:
        raise ProjectError(f"Cannot open {path}: {os_error_reason(e)}.") from e
    if size > MAX_PROJECT_BYTES or len(data) > MAX_PROJECT_BYTES:
        raise ProjectError(
            f"Cannot open {path}: it is {max(size, len(data)) // 2**20} MiB, far larger than any "
            f"project (at most {MAX_PROJECT_BYTES // 2**20} MiB); it is probably not a project."
        )
    return data


def _decode(data: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark is allowed), or ProjectCorruptError saying why not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        ends_early = e.reason == "unexpected end of data"
        detail = _TRUNCATED if ends_early else f"{_NOT_A_PROJECT} (it is not UTF-8 text)"
        raise ProjectCorruptError(f"Cannot open {source}: {detail}.") from e


def _parse(text: str, *, source: str, base_dir: StrPath | None) -> tuple[Project, dict[str, Any]]:
    """Check and build a project from text; also return the raw JSON object."""
    doc = _parse_json(text, source)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ProjectCorruptError(f"Cannot open {source}: {_NOT_A_PROJECT}.")
    version = doc.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise ProjectVersionError(
            f"Cannot open {source}: it was written by a newer version ({version}) of Transcript "
            f"Editor; this version reads up to {VERSION}. Update the app to open it."
        )
    try:
        _whole_number(version, "", "version", minimum=1)
        project = Project(
            transcript=_transcript(doc, base_dir),
            editor_state=_object(doc.get("editor_state", {}), "editor_state"),
            saved_at=_timestamp(doc.get("saved_at")),
            app_version=_opt_text(doc.get("app_version"), "", "app_version"),
        )
    except _Bad as e:
        raise ProjectCorruptError(f"Cannot open {source}: {e}.") from e
    return project, doc


def _parse_json(text: str, source: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not allowed in a project file")

    try:
        return json.loads(text, parse_constant=refuse)
    except RecursionError as e:
        raise ProjectCorruptError(
            f"Cannot open {source}: {_NOT_A_PROJECT} (nested too deeply)."
        ) from e
    except ValueError as e:
        if not text.strip():
            detail = "the file is empty: it was probably not saved completely"
        elif _is_unfinished(text):
            detail = _TRUNCATED
        elif isinstance(e, json.JSONDecodeError):
            detail = f"it is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        else:
            detail = str(e)
        raise ProjectCorruptError(f"Cannot open {source}: {detail}.") from e


def _is_unfinished(text: str) -> bool:
    """Whether JSON text stops inside a string or with brackets still open."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token == '"':
            return True
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
    return depth > 0


# -- schema checks -------------------------------------------------------------------------------
def _transcript(doc: dict[str, Any], base_dir: StrPath | None) -> Transcript:
    t = _object(_field(doc, "transcript", ""), "transcript")
    metadata = _object(t.get("metadata", {}), "transcript.metadata")
    for key, value in metadata.items():
        _text(value, "transcript.metadata", key)
    raw_segments = _field(t, "segments", "transcript")
    if not isinstance(raw_segments, list):
        raise _Bad("transcript", "segments must be a list")
    segments = tuple(_segment(s, f"transcript.segments[{i}]") for i, s in enumerate(raw_segments))
    language = _opt_text(t.get("language"), "transcript", "language")
    media = _media(doc.get("media"), base_dir)
    try:
        return Transcript(segments, language, media, metadata)
    except InvariantError as e:
        raise _Bad("transcript.segments", str(e)) from e


def _segment(value: Any, where: str) -> Segment:
    seg = _object(value, where)
    raw_words = _field(seg, "words", where)
    if not isinstance(raw_words, list):
        raise _Bad(where, "words must be a list")
    words = tuple(_word(w, f"{where}.words[{j}]") for j, w in enumerate(raw_words))
    speaker = _opt_text(seg.get("speaker"), where, "speaker")
    try:
        return Segment(words, speaker)
    except InvariantError as e:
        raise _Bad(where, str(e)) from e


def _word(value: Any, where: str) -> Word:
    if not isinstance(value, list) or len(value) != 4:
        raise _Bad(where, "a word must be a list of [text, start_ms, end_ms, probability]")
    text, start, end, probability = value
    if isinstance(probability, bool) or not isinstance(probability, int | float):
        raise _Bad(where, "probability must be a number")
    try:
        return Word(
            _text(text, where, "text"),
            _whole_number(start, where, "start_ms"),
            _whole_number(end, where, "end_ms"),
            float(probability),
        )
    except InvariantError as e:
        raise _Bad(where, str(e)) from e


def _media(value: Any, base_dir: StrPath | None) -> MediaInfo | None:
    if value is None:
        return None
    media = _object(value, "media")
    path = _path_text(_text(_field(media, "path", "media"), "media", "path"), "path")
    fallback = _opt_text(media.get("absolute_path"), "media", "absolute_path")
    if fallback is not None:
        fallback = _path_text(fallback, "absolute_path")
    if base_dir is not None and path and not os.path.isabs(path):
        resolved = os.path.normpath(os.path.join(base_dir, path))
        # Only the project file was moved: the media is still where it was. A relative
        # fallback would resolve against wherever the app was started: never used.
        if (
            not os.path.exists(resolved)
            and fallback
            and os.path.isabs(fallback)
            and os.path.exists(fallback)
        ):
            resolved = os.path.normpath(fallback)
        path = resolved
    if path and os.path.exists(path) and not os.path.isfile(path):
        # Opening a pipe or a device to check it would hang or never end; a folder is no media.
        raise _Bad("media.path", f"{path} is not a regular file (a folder, device or pipe)")
    return MediaInfo(
        path=path,
        duration_ms=_opt_whole_number(media.get("duration_ms"), "media", "duration_ms"),
        size=_opt_whole_number(media.get("size"), "media", "size"),
        fingerprint=_opt_text(media.get("fingerprint"), "media", "fingerprint"),
    )


def _path_text(path: str, name: str) -> str:
    """A media path from the file, refused when no real file could be named so."""
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise _Bad(f"media.{name}", "is not a usable file path (it contains control characters)")
    return path


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    text = _text(value, "", "saved_at")
    try:
        return datetime.fromisoformat(text)
    except ValueError as e:
        raise _Bad("", "saved_at must be a date and time such as 2024-05-01T12:00:00+00:00") from e


def _field(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise _Bad(where, f"{key} is missing")
    return obj[key]


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(where, "must be a JSON object")
    return value


def _text(value: Any, where: str, name: str) -> str:
    if not isinstance(value, str):
        raise _Bad(where, f"{name} must be text")
    return value


def _opt_text(value: Any, where: str, name: str) -> str | None:
    return None if value is None else _text(value, where, name)


def _whole_number(value: Any, where: str, name: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(where, f"{name} must be a whole number")
    if value < minimum:
        raise _Bad(where, f"{name} must be at least {minimum}, not {value}")
    return value


def _opt_whole_number(value: Any, where: str, name: str) -> int | None:
    return None if value is None else _whole_number(value, where, name)


def os_error_reason(e: OSError) -> str:
    """Why a file operation failed, in words that end a sentence such as "Cannot open X: ...".

    Shared with `editor.media` and `editor.autosave` so every file error reads alike.
    """
    if isinstance(e, FileNotFoundError):
        return "the file does not exist (it may have been moved, renamed or deleted)"
    if isinstance(e, PermissionError):
        return "you are not allowed to read it"
    if isinstance(e, IsADirectoryError):
        return "it is a folder, not a project file"
    return (e.strerror or str(e)).rstrip(".").lower()
