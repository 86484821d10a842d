"""The transcript editor's menu actions and their keys.

`SPECS` is the one table of the editor's actions: `build_actions` makes ``QAction`` objects from
it, and `SHORTCUTS` (name, keys, description) documents them for the keyboard shortcuts dialog.
Keys avoid the player's (Esc, Ctrl+Space, F1-F4) and the window's (Ctrl+Z/Shift+Z/S/O/Q).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from ui.shortcuts import Shortcut

__all__ = [
    "SHORTCUTS",
    "SPECS",
    "ActionSpec",
    "build_actions",
]

NUDGE_MS = 100
"""How far one nudge moves a start or an end, in milliseconds."""


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One editor action.

    Attributes:
        name: Identifier (the key of the callback in `build_actions`).
        text: The menu text.
        keys: The shortcut (portable text), or "" for none.
        description: What it does, for the shortcuts dialog and the tooltip.
        shown: Keys handled by the text itself, shown in the menu but not bound ("Enter").
        group: The submenu it goes in ("" for the main list).
        window: Active anywhere in the window, not only while the transcript has the focus.
        separator_after: A menu separator follows (after its submenu, for a group's last).
    """

    name: str
    text: str
    keys: str
    description: str
    shown: str = ""
    group: str = ""
    window: bool = False
    separator_after: bool = False


# Qt writes macOS's Command key as "Ctrl"; Command+H hides the app there, so Replace moves.
_REPLACE = "Ctrl+Alt+F" if sys.platform == "darwin" else "Ctrl+H"

_AT_CARET = "of the word at the caret"
SPECS: tuple[ActionSpec, ...] = (
    ActionSpec("split", "Split Segment Here", "",
               "Split the segment between the words at the caret.", shown="Enter"),
    ActionSpec("merge_previous", "Merge with Previous", "Alt+Up",
               "Join the segment to the one before (Backspace at its start does too)."),
    ActionSpec("merge_next", "Merge with Next", "Alt+Down",
               "Join the next segment to this one (Delete at its end does too)."),
    ActionSpec("delete", "Delete Segment", "Ctrl+Shift+Del",
               "Delete the segments the selection touches.", separator_after=True),
    ActionSpec("start_earlier", "Segment Starts Earlier", "Alt+Left",
               f"Move the segment's start {NUDGE_MS} ms earlier.", group="Timing"),
    ActionSpec("start_later", "Segment Starts Later", "Alt+Right",
               f"Move the segment's start {NUDGE_MS} ms later.", group="Timing"),
    ActionSpec("end_earlier", "Segment Ends Earlier", "Alt+Shift+Left",
               f"Move the segment's end {NUDGE_MS} ms earlier.", group="Timing"),
    ActionSpec("end_later", "Segment Ends Later", "Alt+Shift+Right",
               f"Move the segment's end {NUDGE_MS} ms later.", group="Timing"),
    ActionSpec("word_start_earlier", "Word Starts Earlier", "Ctrl+Alt+Left",
               f"Move the start {_AT_CARET} {NUDGE_MS} ms earlier.", group="Timing"),
    ActionSpec("word_start_later", "Word Starts Later", "Ctrl+Alt+Right",
               f"Move the start {_AT_CARET} {NUDGE_MS} ms later.", group="Timing"),
    ActionSpec("word_end_earlier", "Word Ends Earlier", "Ctrl+Alt+Shift+Left",
               f"Move the end {_AT_CARET} {NUDGE_MS} ms earlier.", group="Timing"),
    ActionSpec("word_end_later", "Word Ends Later", "Ctrl+Alt+Shift+Right",
               f"Move the end {_AT_CARET} {NUDGE_MS} ms later.", group="Timing",
               separator_after=True),
    ActionSpec("set_speaker", "Set Speaker…", "Ctrl+K",
               "Name who speaks in the selected segments."),
    ActionSpec("rename_speaker", "Rename Speaker…", "Ctrl+Shift+K",
               "Rename a speaker in every segment."),
    ActionSpec("merge_speakers", "Merge Speakers…", "Ctrl+Alt+K",
               "Make two speakers one: every segment of one goes to the other."),
    ActionSpec("identify_speakers", "Identify Speakers Again", "Ctrl+Alt+Shift+K",
               "Find who speaks when again; every text edit stays (one undo step).",
               separator_after=True),
    ActionSpec("transcribe_again", "Transcribe Selection Again", "Ctrl+Shift+T",
               "Transcribe the selected words' stretch again with the model in Transcription "
               "Settings; the new words replace them (one undo step)."),
    ActionSpec("transcribe_with", "Transcribe Selection With…", "Ctrl+Alt+Shift+T",
               "Transcribe the selected words' stretch again with the model, language and "
               "vocabulary you choose; the new words replace them (one undo step)."),
    ActionSpec("export_audio", "Export Selection as Audio…", "Ctrl+Shift+E",
               "Save the stretch of the recording under the selected words as an audio file.",
               separator_after=True),
    ActionSpec("find", "Find…", "Ctrl+F", "Find text in the transcript.", window=True),
    ActionSpec("replace", "Replace…", _REPLACE, "Find and replace text.", window=True),
    ActionSpec("find_next", "Find Next", "Ctrl+G", "Go to the next match.", window=True),
    ActionSpec("find_previous", "Find Previous", "Ctrl+Shift+G", "Go to the previous match.",
               window=True),
    ActionSpec("follow", "Go to Playing Word", "Ctrl+J",
               "Scroll to the word being played and follow playback again.", window=True),
)  # fmt: skip

SHORTCUTS: tuple[Shortcut, ...] = tuple(
    Shortcut(
        spec.name,
        spec.group or "Edit",
        spec.text.rstrip("…"),
        (spec.keys or spec.shown,),
        spec.description,
    )
    for spec in SPECS
)
"""The transcript editor's rows of the app's shortcut table (see `ui.shortcuts`)."""


def build_actions(
    owner: QWidget, callbacks: Mapping[str, Callable[[], None]]
) -> tuple[list[QAction], set[str]]:
    """Make the actions of `SPECS` for ``owner`` (the transcript editor).

    Actions that are only for the transcript get a widget-with-children shortcut context and
    are added to ``owner``, so their keys work when the transcript (or its find bar) has the
    focus and never steal keys from other panes. Timing nudges go into a submenu.

    Returns:
        The actions for a menu (with separators, the submenu as one action) and the portable
        texts of every key bound (the text view must leave them to the shortcuts).
    """
    menu_actions: list[QAction] = []
    submenus: dict[str, QMenu] = {}
    keys: set[str] = set()
    for spec in SPECS:
        action = QAction(spec.text + (f"\t{spec.shown}" if spec.shown else ""), owner)
        action.setObjectName(f"transcript_{spec.name}")
        action.setToolTip(spec.description)
        action.setStatusTip(spec.description)
        if spec.keys:
            action.setShortcut(QKeySequence(spec.keys))
            keys.add(QKeySequence(spec.keys).toString())
        if not spec.window:
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(callbacks[spec.name])
        owner.addAction(action)
        if spec.group:
            if spec.group not in submenus:
                submenus[spec.group] = QMenu(spec.group, owner)
                menu_actions.append(submenus[spec.group].menuAction())
            submenus[spec.group].addAction(action)
        else:
            menu_actions.append(action)
        if spec.separator_after:
            separator = QAction(owner)
            separator.setSeparator(True)
            menu_actions.append(separator)
    return menu_actions, keys
