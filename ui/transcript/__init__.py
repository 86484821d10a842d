"""The transcript view and its editing: one text widget whose blocks are the segments.

`TranscriptEditor` is the widget the window uses; `SHORTCUTS` documents its keys.
"""

from ui.transcript.actions import SHORTCUTS
from ui.transcript.editor import TranscriptEditor
from ui.transcript.find_bar import FindBar

__all__ = ["SHORTCUTS", "FindBar", "TranscriptEditor"]
