"""What the transcript pane says while a file has no words yet: the truth about its row.

A pane that says "Transcribing…" for a file that failed, was cancelled or waits its turn leaves
a person waiting for nothing (issue 17, item 3). `empty_message` words the row's state: why it
failed and what to do, how to start a cancelled file again, where a waiting file stands.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

from ui.queue.item_model import JobState, QueueItem

__all__ = [
    "MODEL_ADVICE",
    "NO_DOCUMENT",
    "TRANSCRIBING",
    "empty_message",
    "queue_position",
]

log = logging.getLogger(__name__)

NO_DOCUMENT: Final = "Drop a recording here or use File › Open Media…"
TRANSCRIBING: Final = "Transcribing… the words appear here as they are recognised."
#: What to do when the model cannot be loaded (offline without a downloaded model, a bad folder).
MODEL_ADVICE: Final = (
    "To transcribe it, either connect to the internet and press Retry (the model downloads "
    "first), or open Transcription › Settings… and choose a model marked Downloaded, or a "
    "model folder with Add Model Folder…, then press Retry."
)


def queue_position(items: Sequence[QueueItem], item_id: int) -> int:
    """How many files go before this one (the one transcribing included); 0 if not waiting."""
    ahead = 0
    for item in items:
        if item.id == item_id:
            return ahead if item.state is JobState.WAITING else 0
        if item.state in (JobState.WAITING, JobState.RUNNING):
            ahead += 1
    return 0


def empty_message(item: QueueItem | None, ahead: int = 0) -> str:
    """The pane's text for a row without words (``ahead``: files before it in the queue)."""
    if item is None:
        return NO_DOCUMENT
    if item.state is JobState.WAITING:
        if ahead == 0:
            return f"{item.name} is next: its transcription starts in a moment."
        files = "file" if ahead == 1 else "files"
        return f"{item.name} is waiting: {ahead} {files} before it in the queue."
    if item.state is JobState.FAILED:
        why = item.error or "the transcription failed"
        advice = (
            MODEL_ADVICE
            if item.model_problem
            else "Press Retry in the file list to try again, or Remove to close it."
        )
        return f"Could not transcribe {item.name}: {why.rstrip('.')}.\n\n{advice}"
    if item.state is JobState.CANCELLED:
        return f"The transcription of {item.name} was cancelled.\n\nPress Retry to start it again."
    if item.state is JobState.DONE:
        return f"No speech was found in {item.name}."
    return TRANSCRIBING
