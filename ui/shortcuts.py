"""One table of the app's keyboard shortcuts: for Help > Keyboard shortcuts and the README.

Each part of the app lists its shortcuts as a module-level ``SHORTCUTS`` tuple of `Shortcut`
(the player in `ui.player`, the transcript editor in `ui.transcript`, the main window in
`ui.main_window`) and builds its QActions from that tuple, so the table cannot drift from the
keys that work. `all_shortcuts` imports those modules lazily (they import Qt widgets, and some
of them import this module) and skips any that is missing. Code elsewhere may also call
`register`.

The README's tables, between its ``shortcuts:`` markers, are
``shortcuts_markdown().replace("### ", "#### ")`` (a test keeps them current).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "SOURCE_MODULES",
    "Shortcut",
    "ShortcutsDialog",
    "all_shortcuts",
    "make_action",
    "register",
    "shortcuts_markdown",
]

log = logging.getLogger(__name__)

#: Modules whose ``SHORTCUTS`` tuple is collected, in the order their groups are shown.
SOURCE_MODULES: Final = ("ui.main_window", "ui.transcript", "ui.transcript.editor", "ui.player")


@dataclass(frozen=True, slots=True)
class Shortcut:
    """A command and the keys that run it.

    Attributes:
        group: Where it belongs, as the menu is named ("Playback", "Edit").
        action: The command's name as the menu shows it ("Play/Pause").
        keys: Key sequences in Qt's portable text ("Ctrl+Space"), the first is the main one.
        description: What it does, in one short sentence.
    """

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


_registered: list[Shortcut] = []


def register(shortcuts: Iterable[Shortcut]) -> None:
    """Add shortcuts that no ``SHORTCUTS`` tuple in `SOURCE_MODULES` lists."""
    _registered.extend(s for s in shortcuts if s not in _registered)


def all_shortcuts() -> tuple[Shortcut, ...]:
    """Every shortcut: those of `SOURCE_MODULES` that can be imported, then registered ones."""
    rows: list[Shortcut] = []
    for name in SOURCE_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError as e:
            log.debug("No shortcuts from %s: %s", name, e)
            continue
        for row in getattr(module, "SHORTCUTS", ()):
            if isinstance(row, Shortcut):
                rows.append(row)
            else:
                log.warning("%s.SHORTCUTS holds %r, not a Shortcut", name, row)
    rows.extend(_registered)
    return tuple(dict.fromkeys(rows))  # a module imported under two names is listed once


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


def _grouped(shortcuts: Sequence[Shortcut]) -> dict[str, list[Shortcut]]:
    groups: dict[str, list[Shortcut]] = {}
    for s in shortcuts:
        groups.setdefault(s.group, []).append(s)
    return groups


def shortcuts_markdown(shortcuts: Sequence[Shortcut] | None = None) -> str:
    """The shortcuts as Markdown tables, one per group, for the README."""
    parts: list[str] = []
    for group, rows in _grouped(all_shortcuts() if shortcuts is None else shortcuts).items():
        lines = [f"### {group}", "", "| Action | Keys | What it does |", "| --- | --- | --- |"]
        for s in rows:
            keys = " or ".join(f"`{k}`" for k in s.keys)
            cells = (s.action, keys, s.description)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: a read-only table, a bold row above each group."""

    def __init__(
        self, parent: QWidget | None = None, shortcuts: Sequence[Shortcut] | None = None
    ) -> None:
        """Show ``shortcuts`` (default: `all_shortcuts`)."""
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self._table = QTableWidget(0, 3, self)
        self._table.setHorizontalHeaderLabels(["Action", "Keys", "What it does"])
        self._table.verticalHeader().hide()
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setWordWrap(False)
        self._table.setShowGrid(False)
        self._table.setAlternatingRowColors(True)
        self._table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no current-cell frame on open
        self._fill(all_shortcuts() if shortcuts is None else shortcuts)
        header = self._table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._table)
        layout.addWidget(buttons)
        self.resize(860, 560)

    def _fill(self, shortcuts: Sequence[Shortcut]) -> None:
        bold = QFont(self.font())
        bold.setBold(True)
        for group, rows in _grouped(shortcuts).items():
            row = self._table.rowCount()
            self._table.insertRow(row)
            heading = QTableWidgetItem(group)
            heading.setFont(bold)
            heading.setBackground(self.palette().brush(QPalette.ColorRole.Button))
            self._table.setItem(row, 0, heading)
            self._table.setSpan(row, 0, 1, 3)
            for s in rows:
                row = self._table.rowCount()
                self._table.insertRow(row)
                for column, text in enumerate((s.action, s.native_keys(), s.description)):
                    item = QTableWidgetItem(text)
                    item.setToolTip(s.description)
                    self._table.setItem(row, column, item)

    def row_texts(self) -> list[tuple[str, ...]]:
        """The table's cells, row by row (a group heading is a one-cell row)."""
        rows = []
        for r in range(self._table.rowCount()):
            cells = (self._table.item(r, c) for c in range(3))
            rows.append(tuple(item.text() for item in cells if item is not None))
        return rows
