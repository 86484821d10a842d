"""The row type of the app's keyboard shortcut tables, and what is made from a table.

Each part of the app lists its shortcuts as a module-level ``SHORTCUTS`` tuple of `Shortcut`
(the window in `ui.window.menu_bar`, the transcript editor in `ui.transcript.actions`, the player
in `ui.playback.player_bar`) and builds its QActions from that tuple by each row's ``id``, so the
keys cannot drift from the table and reordering rows never rebinds a key.
`ui.window.menu_bar.app_shortcuts` joins the tables for Help > Keyboard Shortcuts
(`ui.dialogs.keyboard_shortcuts`) and for the README, whose tables between its ``shortcuts:``
markers are ``shortcuts_markdown(app_shortcuts()).replace("### ", "#### ")`` (a test keeps them
current).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

__all__ = ["Shortcut", "grouped", "make_action", "shortcuts_markdown"]


@dataclass(frozen=True, slots=True)
class Shortcut:
    """A command and the keys that run it.

    Attributes:
        id: What the code binds its action to ("play_pause"); unique in its table, never shown.
        group: Where it belongs, as the menu is named ("Playback", "Edit").
        action: The command's name as the menu shows it ("Play/Pause").
        keys: Key sequences in Qt's portable text ("Ctrl+Space"), the first is the main one.
        description: What it does, in one short sentence.
    """

    id: str
    group: str
    action: str
    keys: tuple[str, ...]
    description: str

    @property
    def sequences(self) -> list[QKeySequence]:
        """The keys as QKeySequence values, for `QAction.setShortcuts`."""
        return [
            QKeySequence.fromString(k, QKeySequence.SequenceFormat.PortableText) for k in self.keys
        ]

    def native_keys(self) -> str:
        """The keys as this platform writes them (⌘ on macOS), joined with " or "."""
        native = QKeySequence.SequenceFormat.NativeText
        return " or ".join(s.toString(native) for s in self.sequences)


def make_action(shortcut: Shortcut, parent: QWidget) -> QAction:
    """A QAction named, keyed and described by a table row.

    Its shortcut context is the window, so the keys work wherever the focus is in it once the
    action is added to a menu or to a widget of the window.
    """
    action = QAction(shortcut.action, parent)
    action.setShortcuts(shortcut.sequences)
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.setStatusTip(shortcut.description)
    action.setToolTip(f"{shortcut.action} ({shortcut.native_keys()})")
    return action


def grouped(shortcuts: Sequence[Shortcut]) -> dict[str, list[Shortcut]]:
    """The rows by group, groups in the order they first appear."""
    groups: dict[str, list[Shortcut]] = {}
    for s in shortcuts:
        groups.setdefault(s.group, []).append(s)
    return groups


def shortcuts_markdown(shortcuts: Sequence[Shortcut]) -> str:
    """The shortcuts as Markdown tables, one per group, for the README."""
    parts: list[str] = []
    for group, rows in grouped(shortcuts).items():
        lines = [f"### {group}", "", "| Action | Keys | What it does |", "| --- | --- | --- |"]
        for s in rows:
            keys = " or ".join(f"`{k}`" for k in s.keys)
            cells = (s.action, keys, s.description)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
