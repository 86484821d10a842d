"""The transcript editor: the view, its find bar and its actions, bound to one `Document`.

The widget follows the document through `Document.subscribe` (each `DocumentChange` replaces only
the blocks it names), highlights the word being played (`TranscriptIndex.highlight_at`) and
scrolls to follow it unless the person is typing or has scrolled away; clicking a word asks the
app to seek there. Every edit is an `editor.commands` command on the document's ``QUndoStack``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QGuiApplication, QTextCharFormat, QUndoStack
from PySide6.QtWidgets import QVBoxLayout, QWidget

from editor.commands import SpeakerSpan
from editor.document import Document, DocumentChange
from editor.queries import TranscriptIndex
from ui.transcript.actions import NUDGE_MS, build_actions
from ui.transcript.editing import EditController
from ui.transcript.empty_state import NO_DOCUMENT, TRANSCRIBING
from ui.transcript.find_bar import FindBar
from ui.transcript.highlighter import ConfidenceHighlighter
from ui.transcript.selection import selected_time_range, words_cursor
from ui.transcript.speakers import SpeakerEdits
from ui.transcript.sync import BlockSync
from ui.transcript.timing import TimingNudges
from ui.transcript.view import TranscriptView

__all__ = ["TranscriptEditor"]

log = logging.getLogger(__name__)


class TranscriptEditor(QWidget):
    """Shows and edits a transcript `Document`, in step with the player.

    Signals:
        seek_requested(int): The person clicked a word or a start time (milliseconds).
        status_message(str): Something to tell the person in the status bar.
        selection_changed(): The caret or selection moved.
        identify_speakers_requested(): Edit > Identify Speakers Again (the window runs it and
            hands the turns to `apply_speaker_turns`).
        export_audio_requested(): Edit > Export Selection as Audio (see `selected_time_range`).
        transcribe_again_requested(): Edit > Transcribe Selection Again (likewise).
        transcribe_with_requested(): Edit > Transcribe Selection With… (likewise).
    """

    seek_requested = Signal(int)
    status_message = Signal(str)
    selection_changed = Signal()
    identify_speakers_requested = Signal()
    export_audio_requested = Signal()
    transcribe_again_requested = Signal()
    transcribe_with_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        """An empty editor (see `set_document`)."""
        super().__init__(parent)
        self._document: Document | None = None
        self._stack: QUndoStack | None = None
        self._own_stack = QUndoStack(self)  # used when a document comes without a stack
        self._unsubscribe: Callable[[], None] | None = None
        self._index: TranscriptIndex | None = None
        self._playback: tuple[int, int] | None = None
        self._position_ms = 0
        self._follow = True  # off while the person has scrolled away, until Ctrl+J
        self._auto_follow = True  # the "Follow Playback" preference
        self._click_plays = False
        self._empty_message = TRANSCRIBING  # what a document without words says (its row's state)
        self._view = TranscriptView(self)
        self._sync = BlockSync(self._view)
        self._highlighter = ConfidenceHighlighter(self._view.document(), self._view.segment)
        self._sync.highlighter = self._highlighter
        self._edits = EditController(self._view, self._sync)
        self._timing = TimingNudges(self._edits)
        self._speakers = SpeakerEdits(self._edits, self)
        self._find = FindBar(self._view, self._edits, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._find)
        layout.addWidget(self._view, 1)
        self.setFocusProxy(self._view)  # focusing the editor focuses the text
        self._actions, self._view.reserved_keys = build_actions(self, self._callbacks())
        self._connect()
        self._apply_colours()
        self._update_state()

    # -- public API ------------------------------------------------------------------------------
    def set_document(self, document: Document | None, undo_stack: QUndoStack | None) -> None:
        """Show and edit ``document`` through ``undo_stack`` (None, None: show nothing).

        Typing not yet committed goes to the previous document first; nothing of it stays.
        """
        self.commit_pending()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._document = document
        self._stack = undo_stack if undo_stack is not None or document is None else self._own_stack
        if document is not None and undo_stack is None:
            self._own_stack.clear()
        self._edits.attach(document, self._stack)
        self._index, self._playback, self._follow = None, None, True
        self._view.transcript = document.transcript if document else None
        self._sync.rebuild(self._view.transcript, keep_place=False)
        self._view.show_playback(None)
        if document is not None:
            self._unsubscribe = document.subscribe(self._on_document_changed)
        self._find.document_changed()
        self._update_state()

    def document(self) -> Document | None:
        """The document shown, if any."""
        return self._document

    def undo_stack(self) -> QUndoStack | None:
        """The undo stack edits go to, if any."""
        return self._stack

    def commit_pending(self) -> None:
        """Commit typing not yet in the document (call before saving, exporting or undoing)."""
        self._edits.commit_pending()

    def undo(self) -> None:
        """Commit pending typing, then undo (for the window's Undo action)."""
        self._edits.undo()

    def redo(self) -> None:
        """Commit pending typing, then redo (for the window's Redo action)."""
        self._edits.redo()

    def set_playback_position(self, ms: int) -> None:
        """Highlight the word spoken at ``ms`` and follow it unless the person is busy."""
        self._position_ms = ms
        if self._document is None:
            return
        if self._index is None:
            self._index = TranscriptIndex(self._document.transcript)
        spot = self._index.highlight_at(ms)
        if spot != self._playback:
            self._playback = spot
            self._view.show_playback(spot)
        if (
            spot is not None
            and self._follow
            and self._auto_follow
            and not self._edits.recently_active()
            and not QGuiApplication.mouseButtons()  # never scroll under a dragged selection
            and not self._view.block_fully_visible(spot[0])
        ):
            self._view.scroll_to_block(spot[0])

    def follow_playback(self) -> None:
        """Scroll to the word being played and follow playback again."""
        self._follow = True
        if self._playback is not None:
            self._view.scroll_to_block(self._playback[0])

    def set_low_confidence_threshold(self, threshold: float) -> None:
        """Shade words whose probability is below ``threshold`` (0 shades nothing)."""
        self._highlighter.configure(threshold, self._low_confidence_format())
        with self._sync.quiet():
            self._highlighter.rehighlight()

    def set_auto_follow(self, follow: bool) -> None:
        """Whether playback scrolls the view to the spoken word (`follow_playback` still does)."""
        self._auto_follow = follow

    def set_click_plays(self, plays: bool) -> None:
        """Remember whether a click on a word should also start playback (the window decides)."""
        self._click_plays = plays

    def click_plays(self) -> bool:
        """Whether a click on a word should start playback (see `set_click_plays`)."""
        return self._click_plays

    def set_empty_message(self, message: str) -> None:
        """What the pane says while the document has no words (see `empty_state`)."""
        if message != self._empty_message:
            self._empty_message = message
            self._update_state()

    def show_find(self, replace: bool = False) -> None:
        """Open the find bar (with the replace row when ``replace``)."""
        self._find.open(replace)

    def edit_actions(self) -> list[QAction]:
        """The editor's actions for the Edit menu (with separators and a Timing submenu)."""
        return list(self._actions)

    def current_segment(self) -> int | None:
        """The index of the segment the caret is in, or None when there is none."""
        if self._document is None or not self._document.transcript.segments:
            return None
        return self._edits.caret()[0]

    def apply_speaker_turns(self, turns: Sequence[SpeakerSpan]) -> bool:
        """Lay identified speaker turns over the shown transcript as one undo step."""
        return self._speakers.apply_turns(turns)

    def selected_time_range(self) -> tuple[int, int] | None:
        """(start, end) in ms of the selected words; the caret's segment when none is selected."""
        if self._document is None or not self._document.transcript.segments:
            return None
        self.commit_pending()
        return selected_time_range(self._view.textCursor(), self._document.transcript)

    def selection_span(self) -> tuple[int, int] | None:
        """(start, end) in ms of the selected words as shown; None without a selection.

        Unlike `selected_time_range` it commits nothing, so the timeline can follow every move.
        """
        cursor = self._view.textCursor()
        if self._document is None or not cursor.hasSelection():
            return None
        return selected_time_range(cursor, self._document.transcript)

    def select_words(self, first: tuple[int, int], last: tuple[int, int]) -> None:
        """Select from word ``first`` to word ``last`` ((segment, word), both kept) and show it."""
        if self._document is None:
            return
        self.commit_pending()
        doc, transcript = self._view.document(), self._document.transcript
        self._view.setTextCursor(words_cursor(doc, transcript, first, last))
        self._view.ensureCursorVisible()

    def current_word(self) -> tuple[int, int] | None:
        """The (segment, word) the caret is in, or None."""
        return self._timing.current_word()

    # -- private ---------------------------------------------------------------------------------
    def _callbacks(self) -> dict[str, Callable[[], None]]:
        ops, speakers, edits, find = self._timing, self._speakers, self._edits, self._find
        return {
            "split": edits.split_at_caret,
            "merge_previous": edits.merge_with_previous,
            "merge_next": edits.merge_with_next,
            "delete": edits.delete_segments,
            "start_earlier": lambda: ops.nudge_segment("start", -NUDGE_MS),
            "start_later": lambda: ops.nudge_segment("start", NUDGE_MS),
            "end_earlier": lambda: ops.nudge_segment("end", -NUDGE_MS),
            "end_later": lambda: ops.nudge_segment("end", NUDGE_MS),
            "word_start_earlier": lambda: ops.nudge_word("start", -NUDGE_MS),
            "word_start_later": lambda: ops.nudge_word("start", NUDGE_MS),
            "word_end_earlier": lambda: ops.nudge_word("end", -NUDGE_MS),
            "word_end_later": lambda: ops.nudge_word("end", NUDGE_MS),
            "set_speaker": lambda: speakers.ask_speaker(),  # not triggered(bool) as a segment
            "rename_speaker": lambda: speakers.ask_rename(),
            "merge_speakers": lambda: speakers.ask_merge(),
            "identify_speakers": self.identify_speakers_requested.emit,
            "export_audio": self.export_audio_requested.emit,
            "transcribe_again": self.transcribe_again_requested.emit,
            "transcribe_with": self.transcribe_with_requested.emit,
            "find": lambda: self.show_find(False),
            "replace": lambda: self.show_find(True),
            "find_next": find.find_next,
            "find_previous": find.find_previous,
            "follow": self.follow_playback,
        }

    def _connect(self) -> None:
        view = self._view
        view.word_clicked.connect(self._on_word_clicked)
        view.time_clicked.connect(self._on_time_clicked)
        view.speaker_clicked.connect(self._speakers.on_speaker_clicked)
        view.scrolled.connect(self._on_scrolled)
        view.colours_changed.connect(self._apply_colours)
        view.cursorPositionChanged.connect(self.selection_changed)
        view.selectionChanged.connect(self.selection_changed)
        self._sync.structure_broken.connect(self._rebuild)
        self._edits.status_message.connect(self.status_message)
        self._find.closed.connect(self._view.setFocus)

    def _on_document_changed(self, change: DocumentChange) -> None:
        assert self._document is not None
        transcript = self._document.transcript
        old = self._view.transcript
        self._view.transcript = transcript
        self._sync.apply(change, transcript)
        self._index = None
        if self._playback is not None:  # word indices may have moved: highlight again
            self._playback = None
            self.set_playback_position(self._position_ms)
        if old is None or old.speakers != transcript.speakers or change.reset:
            self._view.refresh_gutter()
        elif old.end_ms < 3_600_000 <= transcript.end_ms:
            self._view.refresh_gutter()  # the times now need an hours column
        self._find.document_changed()
        if (old is None or not old.segments) != (not transcript.segments):
            self._update_state()

    def _rebuild(self) -> None:
        """A native edit broke the block structure: show the document again as it is."""
        self._sync.rebuild(self._document.transcript if self._document else None)
        self.status_message.emit("That edit could not be applied; the transcript is unchanged.")

    def _on_word_clicked(self, segment: int, word: int) -> None:
        if self._document is None:
            return
        self._follow = True
        self.seek_requested.emit(self._document.transcript.segments[segment].words[word].start_ms)

    def _on_time_clicked(self, segment: int) -> None:
        if self._document is None:
            return
        self._follow = True
        self._edits.place_caret(segment, 0)
        self.seek_requested.emit(self._document.transcript.segments[segment].start_ms)

    def _on_scrolled(self) -> None:
        """The view scrolled: following stops while the spoken word is out of sight."""
        if self._sync.syncing or self._playback is None:
            return
        self._follow = self._view.block_fully_visible(self._playback[0])

    def _update_state(self) -> None:
        """Read-only with a message while there is nothing to edit."""
        segments = self._document.transcript.segments if self._document else ()
        self._view.setReadOnly(not segments)
        empty = self._empty_message if self._document else NO_DOCUMENT
        self._view.empty_message = "" if segments else empty
        self._view.refresh_gutter()
        self._view.viewport().update()
        for action in self._actions:
            action.setEnabled(bool(segments))

    def _apply_colours(self) -> None:
        self._highlighter.configure(self._highlighter.threshold, self._low_confidence_format())
        with self._sync.quiet():
            self._highlighter.rehighlight()
        self._view.show_playback(self._playback)
        if self._find.isVisible():
            self._find.refresh()

    def _low_confidence_format(self) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setBackground(self._view.colours.low_confidence)
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        fmt.setUnderlineColor(self._view.colours.low_confidence_line)
        return fmt
