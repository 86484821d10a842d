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
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from editor.atomic import atomic_write_text, cleanup_stale_temps
from editor.errors import InvariantError, ProjectCorruptError, ProjectError, ProjectVersionError
from editor.transcript import MediaInfo, Segment, Transcript, Word

__all__ = [
    "AUTOSAVE_SUFFIX",
    "FINGERPRINT_SCHEME",
    "FORMAT",
    "MAX_PROJECT_BYTES",
    "VERSION",
    "MediaStatus",
    "Project",
    "RecoveryCandidate",
    "autosave_path_for",
    "check_media",
    "discard_autosave",
    "find_moved_media",
    "find_recoverable",
    "fingerprint_file",
    "load_project",
    "media_info_for",
    "project_from_json",
    "project_to_json",
    "save_autosave",
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


def project_to_json(project: Project, *, base_dir: StrPath | None = None) -> str:
    """The project file's text.

    Args:
        project: What to write.
        base_dir: The folder the file will live in; media inside it is referenced relative to
            it. None writes an absolute media path.
    """
    return _layout(_document(project, base_dir))


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
    return _load(path)[0]


def _load(path: StrPath) -> tuple[Project, dict[str, Any]]:
    """Like `load_project`, also returning the raw JSON object (for keys such as autosave_of)."""
    text = _decode(_read_bytes(path), str(path))
    base = Path(os.path.abspath(path)).parent
    return _parse(text, source=str(path), base_dir=base)


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
        raise ProjectError(f"Cannot open {path}: {_os_reason(e)}.") from e
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
    path = _text(_field(media, "path", "media"), "media", "path")
    fallback = _opt_text(media.get("absolute_path"), "media", "absolute_path")
    if base_dir is not None and path and not os.path.isabs(path):
        resolved = os.path.normpath(os.path.join(base_dir, path))
        # Only the project file was moved: the media is still where it was.
        if not os.path.exists(resolved) and fallback and os.path.exists(fallback):
            resolved = fallback
        path = resolved
    return MediaInfo(
        path=path,
        duration_ms=_opt_whole_number(media.get("duration_ms"), "media", "duration_ms"),
        size=_opt_whole_number(media.get("size"), "media", "size"),
        fingerprint=_opt_text(media.get("fingerprint"), "media", "fingerprint"),
    )


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


def _os_reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "the file does not exist (it may have been moved, renamed or deleted)"
    if isinstance(e, PermissionError):
        return "you are not allowed to read it"
    if isinstance(e, IsADirectoryError):
        return "it is a folder, not a project file"
    return (e.strerror or str(e)).rstrip(".").lower()


# -- media references ----------------------------------------------------------------------------
FINGERPRINT_SCHEME = "sha256-ends"
#: How much of each end of the media file the fingerprint reads.
FINGERPRINT_CHUNK_BYTES = 1024 * 1024


class MediaStatus(enum.Enum):
    """Whether a project's media file is still the one it was made from."""

    OK = "ok"
    MISSING = "missing"  # not there, or cannot be opened
    CHANGED = "changed"  # there, but its size or fingerprint differs


def fingerprint_file(path: StrPath) -> str:
    """A fast content fingerprint: SHA-256 over the size and the first and last MiB.

    Reading only the ends keeps this instant for hour-long recordings, and is enough to tell a
    re-encoded or different file from the original.

    Returns:
        ``"sha256-ends:<hex digest>"``.

    Raises:
        ProjectError: The file cannot be read.
    """
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            digest = hashlib.sha256(b"%d\n" % size)
            digest.update(f.read(FINGERPRINT_CHUNK_BYTES))
            if size > FINGERPRINT_CHUNK_BYTES:
                f.seek(max(size - FINGERPRINT_CHUNK_BYTES, FINGERPRINT_CHUNK_BYTES))
                digest.update(f.read(FINGERPRINT_CHUNK_BYTES))
    except OSError as e:
        raise ProjectError(f"Cannot read the media file {path}: {_os_reason(e)}.") from e
    return f"{FINGERPRINT_SCHEME}:{digest.hexdigest()}"


def media_info_for(path: StrPath, duration_ms: int | None) -> MediaInfo:
    """Describe a media file (absolute path, size, fingerprint) for a new transcript.

    Raises:
        ProjectError: The file cannot be read.
    """
    fingerprint = fingerprint_file(path)
    return MediaInfo(os.path.abspath(path), duration_ms, os.path.getsize(path), fingerprint)


def check_media(project_path: StrPath | None, media: MediaInfo) -> MediaStatus:
    """Tell whether ``media`` is still where the project says, and unchanged.

    Args:
        project_path: The project file; a relative media path is resolved against its folder.
        media: The media reference to check.
    """
    path = media.path
    if project_path is not None and not os.path.isabs(path):
        path = os.path.join(os.path.dirname(os.path.abspath(project_path)), path)
    try:
        if not os.path.isfile(path):
            return MediaStatus.MISSING
        if media.size is not None and os.path.getsize(path) != media.size:
            return MediaStatus.CHANGED
        known = (media.fingerprint or "").startswith(FINGERPRINT_SCHEME + ":")
        if known and fingerprint_file(path) != media.fingerprint:
            return MediaStatus.CHANGED
    except (OSError, ProjectError):
        return MediaStatus.MISSING
    return MediaStatus.OK


def find_moved_media(media: MediaInfo, search_dirs: Iterable[StrPath]) -> Path | None:
    """Look for the media file, moved, in other folders (for "relink a moved media file").

    A file matches when it has the same name and, where the project knows them, the same size
    and fingerprint.

    Args:
        media: The reference whose file went missing.
        search_dirs: Folders to look in, in order (e.g. the project's folder first).

    Returns:
        The first matching file, or None.
    """
    name = os.path.basename(media.path)
    for folder in search_dirs:
        candidate = Path(folder) / name
        if check_media(None, dataclasses.replace(media, path=str(candidate))) is MediaStatus.OK:
            return candidate
    return None


# -- autosave ------------------------------------------------------------------------------------
AUTOSAVE_SUFFIX = ".autosave.json"


@dataclass(frozen=True, slots=True)
class RecoveryCandidate:
    """An autosave holding work that was never saved to its project.

    Attributes:
        autosave_path: The autosave file; open it with `load_project`.
        project_path: The project it belongs to, or None for work never saved as a project.
        media_path: The media file it transcribes, when known.
        saved_at: When the autosave was written.
        word_count: How many words it holds (to help the person choose).
    """

    autosave_path: Path
    project_path: Path | None
    media_path: str | None
    saved_at: datetime
    word_count: int


def autosave_path_for(
    project_path: StrPath | None, media_path: StrPath, autosave_dir: StrPath
) -> Path:
    """The autosave file for a project (or, before its first save, for its media file).

    The name is stable for a given absolute path, readable, and distinct for different paths.
    """
    if project_path is not None:
        kind, target = "project", os.path.abspath(project_path)
    else:
        kind, target = "media", os.path.abspath(media_path)
    stem = re.sub(r"[^\w.-]+", "_", Path(target).stem)[:40] or "untitled"
    key = f"{kind}:{target}".encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(key).hexdigest()[:16]
    return Path(autosave_dir) / f"{stem}-{digest}{AUTOSAVE_SUFFIX}"


def save_autosave(autosave_path: StrPath, project: Project, project_path: StrPath | None) -> None:
    """Write an autosave: a project file (absolute media path) plus ``autosave_of``.

    Raises:
        SaveError: The file cannot be written.
    """
    doc = _document(project, base_dir=None)
    doc["autosave_of"] = os.path.abspath(project_path) if project_path else None
    try:
        os.makedirs(os.path.dirname(os.path.abspath(autosave_path)), exist_ok=True)
    except OSError as e:  # let the write below report it in plain words
        log.debug("cannot create the autosave folder: %s", e)
    atomic_write_text(autosave_path, _layout(doc))


def find_recoverable(autosave_dir: StrPath) -> list[RecoveryCandidate]:
    """Autosaves newer than their saved project (or with none), newest first.

    Unreadable autosaves are skipped with a warning; leftovers of interrupted autosaves are
    cleaned up.
    """
    if not os.path.isdir(autosave_dir):
        return []  # nothing autosaved yet
    cleanup_stale_temps(autosave_dir)
    found: list[RecoveryCandidate] = []
    for path in sorted(Path(autosave_dir).glob(f"*{AUTOSAVE_SUFFIX}")):
        try:
            mtime = path.stat().st_mtime
            project, doc = _load(path)
            owner = _opt_text(doc.get("autosave_of"), "", "autosave_of")
        except (OSError, ProjectError, _Bad) as e:
            log.warning("ignoring autosave %s: %s", path, e)
            continue
        project_path = Path(owner) if owner else None
        if project_path is not None and _mtime(project_path) >= mtime:
            continue  # the project was saved after this autosave: nothing to recover
        media = project.transcript.media
        found.append(
            RecoveryCandidate(
                autosave_path=path,
                project_path=project_path,
                media_path=media.path if media else None,
                saved_at=project.saved_at or datetime.fromtimestamp(mtime, UTC),
                word_count=project.transcript.word_count,
            )
        )
    found.sort(key=lambda c: c.saved_at.timestamp(), reverse=True)
    return found


def discard_autosave(path: StrPath) -> None:
    """Delete an autosave (after a save, or when the person declines recovery).

    Raises:
        ProjectError: It exists but cannot be deleted.
    """
    try:
        Path(path).unlink(missing_ok=True)
    except OSError as e:
        raise ProjectError(f"Cannot delete the autosave {path}: {_os_reason(e)}.") from e


def _mtime(path: Path) -> float:
    """Modification time, or -inf when the file is gone (so any autosave is newer)."""
    try:
        return path.stat().st_mtime
    except OSError:
        return float("-inf")
