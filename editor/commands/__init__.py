"""Edit commands: every change a person makes to a transcript, undoable.

Each command computes `editor.document.Splice` values from the document's current transcript,
applies them through `editor.document.Document.apply` and keeps the inverse splices for undo. An
undo stack (`editor.history.History`, or a ``QUndoStack`` in the app) only calls `Command.do`,
`Command.undo` and `Command.merge`.
"""

from editor.commands.base import NO_MERGE, Command
from editor.commands.ranges import ReplaceRange
from editor.commands.segments import (
    DeleteSegments,
    DeleteWords,
    MergeSegments,
    RenameSpeaker,
    SetSpeaker,
    SplitSegment,
)
from editor.commands.speakers import (
    ApplySpeakerTurns,
    MergeSpeakers,
    MoveWordsToSpeaker,
    SpeakerSpan,
)
from editor.commands.text import (
    TYPING_MERGE_ID,
    ReplaceAll,
    ReplaceMatch,
    ReplaceSegmentText,
    ReplaceWordText,
)
from editor.commands.timing import MoveSegmentBoundary, MoveWordBoundary

__all__ = [
    "NO_MERGE",
    "TYPING_MERGE_ID",
    "ApplySpeakerTurns",
    "Command",
    "DeleteSegments",
    "DeleteWords",
    "MergeSegments",
    "MergeSpeakers",
    "MoveSegmentBoundary",
    "MoveWordBoundary",
    "MoveWordsToSpeaker",
    "RenameSpeaker",
    "ReplaceAll",
    "ReplaceMatch",
    "ReplaceRange",
    "ReplaceSegmentText",
    "ReplaceWordText",
    "SetSpeaker",
    "SpeakerSpan",
    "SplitSegment",
]
