"""The list of files the app works on: queued for transcription, running, done or failed.

`QueueModel` is a Qt list model over `QueueItem` values (frozen; a change replaces the item and
emits ``dataChanged``). Waiting rows can be reordered by dragging (``moveRows``, which QListView's
internal move calls); files and folders dropped on the list are added where they are dropped.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

__all__ = [
    "MEDIA_EXTENSIONS",
    "QUEUE_MIME_TYPE",
    "JobState",
    "QueueItem",
    "QueueModel",
    "collect_media_files",
]

log = logging.getLogger(__name__)

#: Files with these extensions are taken from dropped or opened folders.
MEDIA_EXTENSIONS = frozenset(
    ("wav", "flac", "mp3", "ogg", "opus", "m4a", "aac", "mp4", "mov", "mkv", "webm", "wma", "aiff",
     "aif")
)  # fmt: skip
#: Drag data of rows moved inside the list: a JSON list of item ids.
QUEUE_MIME_TYPE = "application/x-transcript-editor-queue-ids"

Index = QModelIndex | QPersistentModelIndex


class JobState(enum.Enum):
    """Where a file stands."""

    WAITING = "Waiting"
    RUNNING = "Transcribing"
    DONE = "Done"
    FAILED = "Failed"
    CANCELLED = "Cancelled"

    @property
    def label(self) -> str:
        """The state in words."""
        return self.value


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One file of the queue.

    Attributes:
        id: Stable identifier (rows move; ids do not).
        path: The media file.
        duration: Its duration in seconds, once probed (None before, or when unknown).
        state: Where the file stands.
        progress: Fraction of the media transcribed, 0 to 1 (of the stage, during one).
        stage: What a running job does after transcribing ("Identifying speakers"), or None.
        eta: Seconds left, when the transcription can estimate it.
        error: Why it failed, in words.
        model_problem: It failed because the model could not be loaded (every file would):
            the person is told how to get a model, not to retry the file.
    """

    id: int
    path: Path
    duration: float | None = None
    state: JobState = JobState.WAITING
    progress: float = 0.0
    eta: float | None = None
    stage: str | None = None
    error: str | None = None
    model_problem: bool = False

    @property
    def name(self) -> str:
        """The file name shown in the list."""
        return self.path.name


class QueueModel(QAbstractListModel):
    """A list model of `QueueItem`; see the module docstring."""

    ItemRole = Qt.ItemDataRole.UserRole + 1
    StateRole = Qt.ItemDataRole.UserRole + 2
    ProgressRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, parent: Any = None) -> None:
        """An empty queue."""
        super().__init__(parent)
        self._items: list[QueueItem] = []
        self._next_id = 1

    # -- reading -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Rows under the root; items have no children."""
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The item's name, tooltip, or the item itself / its state / progress (custom roles)."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return item.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.path}\n{item.error}" if item.error else str(item.path)
        if role == self.ItemRole:
            return item
        if role == self.StateRole:
            return item.state.label
        if role == self.ProgressRole:
            return item.progress
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """Rows are selectable; waiting rows can be dragged; drops go between rows."""
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._items[index.row()].state is JobState.WAITING:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def items(self) -> list[QueueItem]:
        """All items in row order."""
        return list(self._items)

    def item(self, item_id: int) -> QueueItem | None:
        """The item with this id, or None."""
        row = self.row_of(item_id)
        return None if row is None else self._items[row]

    def row_of(self, item_id: int) -> int | None:
        """The row of an item, or None."""
        return next((r for r, it in enumerate(self._items) if it.id == item_id), None)

    def next_waiting(self) -> QueueItem | None:
        """The first waiting item in row order (the next to transcribe)."""
        return next((it for it in self._items if it.state is JobState.WAITING), None)

    def find_path(self, path: Path) -> QueueItem | None:
        """The item of a media file, if it is in the list."""
        key = _key(path)
        return next((it for it in self._items if _key(it.path) == key), None)

    # -- changing ------------------------------------------------------------------------------
    def add_files(
        self,
        paths: Iterable[Path],
        row: int | None = None,
        state: JobState = JobState.WAITING,
        *,
        unique: bool = True,
    ) -> list[int]:
        """Add files (folders: the media files inside) at ``row`` (the end by default).

        Args:
            paths: Files and folders.
            row: Where the new rows go.
            state: Their state (`JobState.DONE` for opened projects).
            unique: Skip files already in the list.

        Returns:
            The ids of the new items, in order.
        """
        seen = {_key(it.path) for it in self._items} if unique else set()
        new: list[QueueItem] = []
        for path in collect_media_files(paths):
            if _key(path) in seen:
                continue
            if unique:
                seen.add(_key(path))
            new.append(QueueItem(self._next_id, path, state=state))
            self._next_id += 1
        if new:
            at = len(self._items) if row is None or not 0 <= row <= len(self._items) else row
            self.beginInsertRows(QModelIndex(), at, at + len(new) - 1)
            self._items[at:at] = new
            self.endInsertRows()
        return [it.id for it in new]

    def update(self, item_id: int, **changes: Any) -> QueueItem | None:
        """Replace fields of an item (``state=JobState.DONE``...); returns the new item."""
        row = self.row_of(item_id)
        if row is None:
            return None
        item = dataclasses.replace(self._items[row], **changes)
        self._items[row] = item
        index = self.index(row)
        self.dataChanged.emit(index, index)
        return item

    def remove(self, item_id: int) -> bool:
        """Remove an item; False when it is not there."""
        row = self.row_of(item_id)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self.endRemoveRows()
        return True

    def moveRows(
        self,
        source_parent: Index,
        source_row: int,
        count: int,
        destination_parent: Index,
        destination_child: int,
    ) -> bool:
        """Move waiting rows (only those) to before ``destination_child``."""
        n = len(self._items)
        last = source_row + count - 1
        if (
            source_parent.isValid()
            or destination_parent.isValid()
            or count < 1
            or source_row < 0
            or last >= n
            or not 0 <= destination_child <= n
            or source_row <= destination_child <= last + 1  # onto itself: nothing to do
        ):
            return False
        moving = self._items[source_row : last + 1]
        if any(it.state is not JobState.WAITING for it in moving):
            return False
        self.beginMoveRows(QModelIndex(), source_row, last, QModelIndex(), destination_child)
        del self._items[source_row : last + 1]
        at = destination_child if destination_child < source_row else destination_child - count
        self._items[at:at] = moving
        self.endMoveRows()
        return True

    def move_item(self, item_id: int, row: int) -> bool:
        """Move one waiting item so it ends up before the item now at ``row``."""
        source = self.row_of(item_id)
        if source is None:
            return False
        return self.moveRows(QModelIndex(), source, 1, QModelIndex(), row)

    # -- drag and drop -------------------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        """Rows move; files are copied in."""
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        """Rows only move."""
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        """Row ids, or file URLs."""
        return [QUEUE_MIME_TYPE, "text/uri-list"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged rows' ids."""
        ids = sorted({self._items[i.row()].id for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(QUEUE_MIME_TYPE, QByteArray(json.dumps(ids).encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """Files anywhere; rows only as a move, between rows."""
        if parent.isValid():
            return False
        if data.hasFormat(QUEUE_MIME_TYPE):
            return action == Qt.DropAction.MoveAction
        return any(url.isLocalFile() for url in data.urls())

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        """Add dropped files at the drop row, or move dragged rows there."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        at = row if row >= 0 else len(self._items)
        if data.hasFormat(QUEUE_MIME_TYPE):
            try:
                ids = json.loads(bytes(data.data(QUEUE_MIME_TYPE).data()).decode())
            except ValueError:
                return False
            for item_id in ids:
                self.move_item(item_id, at)
                moved = self.row_of(item_id)
                at = at if moved is None else moved + 1
            # The move is done here: tell the view not to remove the source rows.
            return False
        paths = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
        return bool(self.add_files(paths, at))


def collect_media_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given, plus the media files inside folders (recursively, in name order).

    Files named explicitly are kept whatever their extension (the engine says whether it can
    read them); inside folders only `MEDIA_EXTENSIONS` count, hidden files and folders are skipped.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(_media_in(path))
        else:
            out.append(path)
    return out


def _media_in(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=lambda e: log.warning("%s", e)):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files, key=str.casefold):
            if name.startswith("."):
                continue
            if Path(name).suffix.lower().lstrip(".") in MEDIA_EXTENSIONS:
                found.append(Path(root) / name)
    return found


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))
