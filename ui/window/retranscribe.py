"""Edit > Transcribe Selection Again / With…: a stretch transcribed again, shown and cancellable.

`RetranscribeCommands` takes the selected words' stretch from the transcript editor, asks how to
transcribe it (With…: `ui.dialogs.retranscribe`; Again: the file's settings), hands it to the
workspace, shows "Transcribing 0:30–0:45 again…" with a Cancel button in the status bar while
it runs, and puts the new words in place of the stretch's as one undo step when it is done
(issue 15). A cancelled stretch leaves the transcript as it was. One stretch at a time: a second
request while one runs is refused with a word in the status bar (the workspace's rule).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStatusBar, QWidget

from editor.commands import ReplaceRange
from engine.results import SegmentResult, TranscriptionInfo
from ui.dialogs.retranscribe import ask_range_choice
from ui.files.convert import segments_from_results
from ui.files.range_jobs import RangeChoice, words_in_range
from ui.files.workspace import Workspace
from ui.settings import AppSettings, SettingsStore
from ui.transcript import TranscriptEditor
from ui.transcript.undo import push_edit

__all__ = ["AskChoice", "RangeStatus", "RetranscribeCommands"]

log = logging.getLogger(__name__)

#: Asks how to transcribe a stretch: (settings, start_ms, end_ms, file language, its words now,
#: parent) -> the choice, or None when cancelled. Tests replace it.
AskChoice = Callable[[AppSettings, int, int, str | None, str, QWidget | None], RangeChoice | None]


class RangeStatus(QWidget):
    """The status bar's "Transcribing 0:30–0:45 again…" and its Cancel button."""

    def __init__(self, parent: QWidget | None = None) -> None:
        """Hidden until a stretch is under way."""
        super().__init__(parent)
        self.label = QLabel(self)
        self.cancel = QPushButton("Cancel", self)
        self.cancel.setToolTip("Stop it; the transcript stays as it is (Ctrl+.)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.cancel)
        self.hide()


class RetranscribeCommands(QObject):
    """The two Edit commands and the stretch's life in the status bar; see the module docstring.

    Attributes:
        ask: How the With… command asks (`ask_range_choice`; tests put a fake here).
        status: The status bar widget.

    Signals:
        status_message(str): something to show in the status bar.
    """

    status_message = Signal(str)

    def __init__(
        self,
        workspace: Workspace,
        store: SettingsStore,
        editor: TranscriptEditor,
        current: Callable[[], int | None],
        status_bar: QStatusBar,
        parent: QWidget,
    ) -> None:
        """Wire the editor's two commands; ``current`` returns the row shown."""
        super().__init__(parent)
        self._parent = parent
        self._workspace = workspace
        self._store = store
        self._editor = editor
        self._current = current
        self.ask: AskChoice = ask_range_choice
        self.status = RangeStatus(status_bar)
        status_bar.insertPermanentWidget(0, self.status)  # left of the model's name
        self.status.cancel.clicked.connect(self.cancel)
        editor.transcribe_again_requested.connect(self.transcribe_again)
        editor.transcribe_with_requested.connect(self.transcribe_with)
        workspace.ranges_changed.connect(self._show_state)
        workspace.range_transcribed.connect(self._on_range_transcribed)
        workspace.worker.job_started.connect(self._on_job_started)

    @property
    def busy(self) -> bool:
        """Whether a stretch is being transcribed again."""
        return self._workspace.range_job() is not None

    def transcribe_again(self) -> bool:
        """Edit > Transcribe Selection Again: the selected stretch, with the file's settings."""
        span = self._editor.selected_time_range()
        return span is not None and self._workspace.transcribe_range_again(self._current(), *span)

    def transcribe_with(self) -> bool:
        """Edit > Transcribe Selection With…: ask for the model, language and vocabulary first."""
        item_id = self._current()
        session = self._workspace.session(item_id)
        span = self._editor.selected_time_range()
        if session is None or span is None:
            self.status_message.emit("Select the words to transcribe again first")
            return False
        if session.media_path is None:
            self.status_message.emit("This transcript has no recording to transcribe again")
            return False
        transcript = session.document.transcript
        choice = self.ask(
            self._store.current,
            *span,
            transcript.language,
            words_in_range(transcript, *span),
            self._parent,
        )
        return choice is not None and self._workspace.transcribe_range_again(item_id, *span, choice)

    def cancel(self) -> bool:
        """Stop the stretch under way (the transcript stays as it is); False if none runs."""
        return self._workspace.cancel_ranges()

    # -- reacting ------------------------------------------------------------------------------
    def _show_state(self, *, started: bool = False) -> None:
        job = self._workspace.range_job()
        if job is None:
            self.status.hide()
            return
        # Behind a file that is being transcribed it waits: say so until it starts.
        waits = not started and self._workspace.runner.running_id is not None
        what = f"{'Waiting to transcribe' if waits else 'Transcribing'} {job.text} again…"
        self.status.label.setText(what)
        self.status.show()

    def _on_job_started(self, job_id: int, info: TranscriptionInfo) -> None:
        current = self._workspace.range_job()
        if current is not None and job_id == current.job_id:
            self._show_state(started=True)

    def _on_range_transcribed(
        self, item_id: int, start_ms: int, end_ms: int, results: list[SegmentResult]
    ) -> None:
        # The new words replace the stretch's as one undo step, whatever was edited elsewhere.
        session = self._workspace.session(item_id)
        if session is None:
            return
        if item_id == self._current():
            self._editor.commit_pending()
        segments = tuple(segments_from_results(results))
        push_edit(session.undo_stack, session.document, ReplaceRange(start_ms, end_ms, segments))
        words = sum(len(s.words) for s in segments)
        self.status_message.emit(f"Transcribed again: {words} word{'s' if words != 1 else ''}")
