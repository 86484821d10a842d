"""Errors raised by the transcript document, its commands, project files and subtitle formats.

Every message is written for a person: it says what is wrong and, where possible, what to do.
"""


class EditorError(Exception):
    """Base class of every error the editor package raises on purpose."""


class InvariantError(EditorError, ValueError):
    """A word, segment or transcript would break the document's rules (order, overlap, length)."""


class EditRejected(EditorError):
    """An edit command cannot be applied to the document as it is now (e.g. a stale index)."""


class ProjectError(EditorError):
    """A project file cannot be read or written."""


class ProjectCorruptError(ProjectError):
    """A project file is not valid JSON, is truncated, or does not follow the schema."""


class ProjectVersionError(ProjectError):
    """A project file was written by a newer version of the app than this one."""


class SaveError(EditorError):
    """A file cannot be written (disk full, read-only folder...); the old file is left intact.

    Raised by `editor.atomic`; project saves raise it as is, exporters may re-raise it as
    `ExportError`.
    """


class SubtitleParseError(EditorError):
    """A subtitle file (SRT or WebVTT) cannot be understood."""


class ExportError(EditorError):
    """A transcript cannot be exported (unknown format, unwritable destination...)."""


class SearchError(EditorError):
    """A search or replacement cannot be run (an invalid regular expression or group reference)."""
