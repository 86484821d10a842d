"""The queue pane: the list of files with their state and progress, and buttons to act on them.

Each row shows the file name and duration, then its state: a progress bar with the time left
while it is transcribed, the error in words when it failed. Waiting rows can be dragged into
another order; files dropped on the list are added where they are dropped.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from editor import timefmt
from ui.queue.item_model import JobState, QueueItem, QueueModel

__all__ = ["QueueDelegate", "QueuePane", "format_clock", "status_text"]

log = logging.getLogger(__name__)

_PAD = 8  # pixels around a row's content
_BAR_HEIGHT = 4
FAILED_RED = "#c62828"


def format_clock(seconds: float) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on: the player's rule (`editor.timefmt`)."""
    return timefmt.format_clock(timefmt.ms_from_seconds(seconds) if math.isfinite(seconds) else 0)


def status_text(item: QueueItem) -> str:
    """The second line of a row: state, progress and time left, or the error."""
    if item.state is JobState.RUNNING:
        left = f" · {format_clock(item.eta)} left" if item.eta is not None else ""
        stage = f"{item.stage} · " if item.stage else ""
        return f"{stage}{item.progress:.0%}{left}"
    if item.state is JobState.FAILED and item.error:
        return item.error
    return item.state.label


class QueueDelegate(QStyledItemDelegate):
    """Paints a queue row: name and duration, then state, progress bar or error."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Two lines of text, room for the progress bar, and padding."""
        line = option.fontMetrics.height()
        return QSize(200, 2 * _PAD + 2 * line + _BAR_HEIGHT + 4)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """Draw the row (background and selection by the style, the rest by hand)."""
        item = index.data(QueueModel.ItemRole)
        if not isinstance(item, QueueItem):
            return
        self.initStyleOption(option, index)
        option.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Active
            if option.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        pal = option.palette
        text_color = pal.color(
            group,
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text,
        )
        r = option.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        fm = option.fontMetrics
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # First line: name (elided) and duration.
        duration = format_clock(item.duration) if item.duration is not None else ""
        dur_width = fm.horizontalAdvance(duration) + (_PAD if duration else 0)
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        name_rect = QRect(r.left(), r.top(), r.width() - dur_width, fm.height())
        name = painter.fontMetrics().elidedText(
            item.name, Qt.TextElideMode.ElideMiddle, name_rect.width()
        )
        painter.setPen(text_color)
        painter.drawText(
            name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name
        )
        painter.setFont(option.font)
        painter.setPen(_muted(text_color, pal, group, selected))
        painter.drawText(
            QRect(r.right() - dur_width, r.top(), dur_width, fm.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            duration,
        )
        # Second line: a progress bar while running, then the state or the error.
        top = r.top() + fm.height() + 3
        if item.state is JobState.RUNNING:
            bar = QRect(r.left(), top, r.width(), _BAR_HEIGHT)
            self._paint_bar(painter, bar, item, pal, text_color if selected else None)
        line = QRect(r.left(), top + _BAR_HEIGHT + 1, r.width(), fm.height())
        if item.state is JobState.FAILED:
            # A badge of its own colours: the red text turns white on a selected row, the
            # badge keeps saying "failed" there (issue 17).
            _paint_failed_badge(
                painter, QRect(line.left(), line.top(), line.height(), line.height())
            )
            line.setLeft(line.left() + line.height() + 4)
        color = _state_color(item.state, text_color, pal, group, selected)
        painter.setPen(color)
        text = fm.elidedText(status_text(item), Qt.TextElideMode.ElideRight, line.width())
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        painter.restore()

    @staticmethod
    def _paint_bar(
        painter: QPainter, rect: QRect, item: QueueItem, pal: QPalette, on_selection: QColor | None
    ) -> None:
        """Draw the bar, in ``on_selection`` (the text colour) on a selected row.

        The highlight colour vanishes on the highlight itself (issue 17).
        """
        track = QColor(on_selection or pal.color(QPalette.ColorRole.Text))
        track.setAlphaF(0.35 if on_selection is not None else 0.15)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        radius = rect.height() / 2
        painter.drawRoundedRect(rect, radius, radius)
        done = QRect(rect)
        done.setWidth(max(int(rect.width() * item.progress), rect.height()))
        fill = on_selection or pal.color(QPalette.ColorRole.Highlight).lighter(115)
        painter.setBrush(fill)
        painter.drawRoundedRect(done, radius, radius)


def _paint_failed_badge(painter: QPainter, rect: QRect) -> None:
    """A red disc with a white "!" and a white rim, readable on any row colour."""
    painter.save()
    painter.setPen(QPen(QColor("white"), 1.2))
    painter.setBrush(QColor(FAILED_RED))
    painter.drawEllipse(rect.adjusted(1, 1, -1, -1))
    font = painter.font()
    font.setBold(True)
    font.setPixelSize(max(rect.height() - 5, 7))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "!")
    painter.restore()


def _muted(color: QColor, pal: QPalette, group: QPalette.ColorGroup, selected: bool) -> QColor:
    if selected:
        return color
    muted = QColor(pal.color(group, QPalette.ColorRole.PlaceholderText))
    return muted if muted.isValid() else color


def _state_color(
    state: JobState, text: QColor, pal: QPalette, group: QPalette.ColorGroup, selected: bool
) -> QColor:
    if selected:
        return text
    if state is JobState.FAILED:
        dark = pal.color(QPalette.ColorRole.Window).lightness() < 128
        return QColor("#ff6b6b") if dark else QColor(FAILED_RED)
    return _muted(text, pal, group, selected)


class QueuePane(QWidget):
    """The list of files with Cancel, Remove and Retry buttons.

    Signals:
        current_changed(int item_id): the selected row changed (0 when none).
        open_requested(int item_id): a row was double-clicked or activated.
        cancel_requested(int item_id), remove_requested(int item_id),
        retry_requested(int item_id): a button was pressed for the selected row.
    """

    current_changed = Signal(int)
    open_requested = Signal(int)
    cancel_requested = Signal(int)
    remove_requested = Signal(int)
    retry_requested = Signal(int)

    def __init__(self, model: QueueModel, parent: QWidget | None = None) -> None:
        """Build the pane over ``model``."""
        super().__init__(parent)
        self._model = model
        self._title = QLabel("Files")
        self._title.setObjectName("paneTitle")
        font = self._title.font()
        font.setWeight(QFont.Weight.DemiBold)
        self._title.setFont(font)
        self._view = QListView()
        self._view.setObjectName("queueList")
        self._view.setModel(model)
        self._view.setItemDelegate(QueueDelegate(self._view))
        self._view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self._view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self._view.setDropIndicatorShown(True)
        self._view.setDragEnabled(True)
        self._view.setAcceptDrops(True)
        self._view.setUniformItemSizes(True)
        self._view.setAlternatingRowColors(False)
        self._view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self._empty = QLabel("No files yet")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setEnabled(False)
        self.cancel_button = QPushButton("Cancel")
        self.remove_button = QPushButton("Remove")
        self.retry_button = QPushButton("Retry")
        for button, tip in (
            (self.cancel_button, "Stop transcribing the selected file"),
            (self.remove_button, "Take the selected file out of the list"),
            (self.retry_button, "Transcribe the selected file again"),
        ):
            button.setToolTip(tip)
            button.setAutoDefault(False)
        self._build_layout()
        self._view.selectionModel().currentChanged.connect(self._on_current_changed)
        self._view.activated.connect(self._on_activated)
        self._view.doubleClicked.connect(self._on_activated)
        self.cancel_button.clicked.connect(lambda: self._request(self.cancel_requested))
        self.remove_button.clicked.connect(lambda: self._request(self.remove_requested))
        self.retry_button.clicked.connect(lambda: self._request(self.retry_requested))
        for signal in (model.rowsInserted, model.rowsRemoved, model.dataChanged, model.modelReset):
            signal.connect(self._refresh)
        self._refresh()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        for button in (self.cancel_button, self.remove_button, self.retry_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self._title)
        layout.addWidget(self._view, 1)
        layout.addWidget(self._empty, 1)
        layout.addLayout(buttons)

    @property
    def view(self) -> QListView:
        """The list view (for tests and focus handling)."""
        return self._view

    def current_id(self) -> int | None:
        """The selected item's id, or None."""
        item = self._view.currentIndex().data(QueueModel.ItemRole)
        return item.id if isinstance(item, QueueItem) else None

    def select(self, item_id: int) -> None:
        """Make an item the current row."""
        row = self._model.row_of(item_id)
        if row is not None:
            self._view.setCurrentIndex(self._model.index(row))
            self._view.scrollTo(self._model.index(row))

    def _request(self, signal: SignalInstance) -> None:
        item_id = self.current_id()
        if item_id is not None:
            signal.emit(item_id)

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        item = current.data(QueueModel.ItemRole)
        self.current_changed.emit(item.id if isinstance(item, QueueItem) else 0)
        self._refresh()

    def _on_activated(self, index: QModelIndex) -> None:
        item = index.data(QueueModel.ItemRole)
        if isinstance(item, QueueItem):
            self.open_requested.emit(item.id)

    def _refresh(self, *args: object) -> None:
        empty = self._model.rowCount() == 0
        self._view.setVisible(not empty)
        self._empty.setVisible(empty)
        item_id = self.current_id()
        item = self._model.item(item_id) if item_id is not None else None
        state = item.state if item is not None else None
        self.cancel_button.setEnabled(state in (JobState.WAITING, JobState.RUNNING))
        self.remove_button.setEnabled(item is not None)
        self.retry_button.setEnabled(state in (JobState.FAILED, JobState.CANCELLED))
