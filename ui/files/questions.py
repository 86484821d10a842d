"""The questions that `ui.files` and `ui.queue` put to the person, as one small protocol.

Non-visual code never opens a dialog: it calls a `Questions` it was given. The app passes
`ui.dialogs.asker.DialogQuestions` (message boxes and file pickers); tests pass a fake that
answers from a script.
"""

from __future__ import annotations

import enum

__all__ = ["RecoveryChoice"]


class RecoveryChoice(enum.Enum):
    """What the person chose in the recovery dialog."""

    RECOVER = "recover"
    DISCARD = "discard"
    LATER = "later"
