"""The model catalogue as a table, for the transcription settings dialog.

Size, languages, speed, quality and whether each model is on this computer (a download's
progress while one runs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from engine.models import CATALOGUE, ModelSpec, find_spec, is_downloaded

__all__ = ["HEADERS", "ModelTableModel", "size_text"]

_Index = QModelIndex | QPersistentModelIndex
HEADERS: Final = ("Model", "Size", "Languages", "Speed", "Quality", "On this computer")
_HEADER_TIPS: Final = (
    "The model's name, as the command line takes it",
    "How much is downloaded the first time it is used",
    "English-only models are a little more accurate in English",
    "Decoding speed compared with large-v3",
    "Accuracy, one to five stars",
    "Whether the model is downloaded already",
)
_NUMERIC: Final = frozenset({1, 3})


def size_text(megabytes: int) -> str:
    """A download size for people: "75 MB", "1.6 GB"."""
    return f"{megabytes / 1000:.1f} GB" if megabytes >= 1000 else f"{megabytes} MB"


class ModelTableModel(QAbstractTableModel):
    """The model catalogue as a table, with each model's download state."""

    def __init__(
        self,
        specs: Sequence[ModelSpec] = CATALOGUE,
        downloaded: Callable[[ModelSpec], bool] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """Show ``specs``; ``downloaded`` tells whether one is cached (default: the engine's)."""
        super().__init__(parent)
        self._specs = tuple(specs)
        self._check = downloaded or is_downloaded
        self._downloaded = [self._check(s) for s in self._specs]
        self._progress: dict[str, float | None] = {}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        """One row per model."""
        return 0 if parent.isValid() else len(self._specs)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """The columns of `HEADERS`."""
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles and their tooltips."""
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _HEADER_TIPS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell texts, the model's description as tooltip, its name as `UserRole`."""
        if not index.isValid() or not 0 <= index.row() < len(self._specs):
            return None
        spec = self._specs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(spec, index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return spec.description
        if role == Qt.ItemDataRole.UserRole:
            return spec.name
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, spec: ModelSpec, row: int, column: int) -> str:
        if column == 0:
            return spec.name
        if column == 1:
            return size_text(spec.download_mb)
        if column == 2:
            return "English" if spec.languages == "en" else "Many"
        if column == 3:
            return f"{spec.relative_speed:g}×"
        if column == 4:
            return "★" * spec.quality + "☆" * (5 - spec.quality)
        if spec.name in self._progress:
            fraction = self._progress[spec.name]
            return "Downloading…" if fraction is None else f"Downloading {fraction:.0%}"
        return "Yes" if self._downloaded[row] else "No"

    # -- state -------------------------------------------------------------------------------
    def spec(self, row: int) -> ModelSpec:
        """The catalogue entry of a row."""
        return self._specs[row]

    def row_of(self, name: str) -> int | None:
        """The row of a model name, repository or alias, or None when it is not listed."""
        spec = find_spec(name)
        return self._specs.index(spec) if spec in self._specs else None

    def is_downloaded(self, row: int) -> bool:
        """Whether the model of a row is on this computer (as last checked)."""
        return self._downloaded[row]

    def set_progress(self, name: str, fraction: float | None) -> None:
        """Show a download going on (``fraction`` None: size unknown yet)."""
        self._progress[name] = fraction
        self._changed(name)

    def end_download(self, name: str) -> None:
        """A download ended (done, failed or cancelled): check the cache again."""
        self._progress.pop(name, None)
        row = self.row_of(name)
        if row is not None:
            self._downloaded[row] = self._check(self._specs[row])
        self._changed(name)

    def _changed(self, name: str) -> None:
        row = self.row_of(name)
        if row is not None:
            cell = self.index(row, len(HEADERS) - 1)
            self.dataChanged.emit(cell, cell, [Qt.ItemDataRole.DisplayRole])
