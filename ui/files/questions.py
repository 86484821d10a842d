"""The questions the app puts to the person, as one small protocol.

Non-visual code (`ui.files`, `ui.queue`) never opens a dialog: it calls the `Questions` it was
given, and so does the window for its File menu questions. The app passes
`ui.dialogs.dialog_questions.DialogQuestions` (message boxes and file pickers); tests pass a
fake that answers from a script, so no test patches a Qt dialog. A new question is one more
method here and its dialog in `ui.dialogs`.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Protocol

from editor.autosave import RecoveryCandidate

__all__ = ["Questions", "RecoveryChoice", "SaveChoice"]


class RecoveryChoice(enum.Enum):
    """What the person chose in the recovery dialog."""

    RECOVER = "recover"
    DISCARD = "discard"
    LATER = "later"


class SaveChoice(enum.Enum):
    """The answer to "Save the changes?" before unsaved work is dropped."""

    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class Questions(Protocol):
    """Everything the app asks the person; each method blocks until the answer."""

    def tell(self, title: str, text: str) -> None:
        """Show a problem in words (a file that cannot be saved, opened or used)."""
        ...

    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question about something that cannot be undone; True for yes."""
        ...

    def save_changes(self, text: str) -> SaveChoice:
        """Save, discard or keep (cancel) unsaved work that is about to be dropped."""
        ...

    def project_to_save(self, suggested: Path | None) -> Path | None:
        """Where to save a project (None: cancelled)."""
        ...

    def project_to_open(self) -> Path | None:
        """A project file to open (None: cancelled)."""
        ...

    def media_to_open(self) -> list[Path]:
        """Recordings to queue (empty: cancelled)."""
        ...

    def subtitles_to_import(self) -> tuple[Path, Path | None] | None:
        """A subtitle file and its recording, if any (None: cancelled)."""
        ...

    def locate_media(self, missing: Path) -> Path | None:
        """Where a recording went that is not where its project says (None: open without)."""
        ...

    def audio_clip_to_save(self, suggested: Path) -> Path | None:
        """Where to save a stretch of the recording as audio (None: cancelled)."""
        ...

    def recovery(
        self, candidates: list[RecoveryCandidate]
    ) -> tuple[RecoveryChoice, list[RecoveryCandidate]]:
        """What to do with autosaved work: the choice and the candidates it applies to."""
        ...
