"""Help > Keyboard Shortcuts: every shortcut of the app in one read-only table."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
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

from ui.shortcuts import Shortcut, grouped

__all__ = ["ShortcutsDialog"]


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: a read-only table, a bold row above each group."""

    def __init__(self, shortcuts: Sequence[Shortcut], parent: QWidget | None = None) -> None:
        """Show ``shortcuts``, grouped as they come."""
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
        self._fill(shortcuts)
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
        for group, rows in grouped(shortcuts).items():
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
