"""Preferences a person changes while listening, as menu items rather than a dialog.

The View menu holds what a click on a word does, whether the transcript follows playback and
which words are marked as unsure; the Playback menu gets how far playback rewinds on resume and
how far the skip keys jump. Each item edits one field of `AppSettings`: `changed` names the field
and its new value, and the window applies and stores it, as it does for the settings dialog; the
menus keep no settings of their own, they only show what `set_settings` gives them. A stored
value that is not among the offered choices (an older version, a hand-edited file) is shown as
one more, checked, choice instead of being replaced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from ui.settings import AppSettings

__all__ = ["REWIND_CHOICES_MS", "SKIP_CHOICES_MS", "THRESHOLD_CHOICES", "PreferenceMenus"]

#: Probabilities under which words are marked (0: mark nothing).
THRESHOLD_CHOICES: Final = (0.0, 0.3, 0.5, 0.7, 0.9)
#: How far playback starts before where it was paused (0: off).
REWIND_CHOICES_MS: Final = (0, 500, 1000, 2000, 3000)
#: How far F1/F2 jump.
SKIP_CHOICES_MS: Final = (1000, 2000, 3000, 5000, 10000)


def _threshold_label(value: float) -> str:
    return "&Off" if value <= 0 else f"Below {round(value * 100)} %"


def _rewind_label(ms: float) -> str:
    return "&Off" if ms <= 0 else _seconds(ms)


def _seconds(ms: float) -> str:
    seconds = ms / 1000
    return f"{seconds:g} s"


@dataclass(slots=True)
class _Choices:
    """An exclusive group of menu items for one numeric setting."""

    menu: QMenu
    group: QActionGroup
    label: Callable[[float], str]
    extra: QAction | None = None

    def check(self, value: float) -> None:
        """Check the item for ``value``, adding one for a value not offered."""
        for action in self.group.actions():
            if action is not self.extra and action.data() == value:
                action.setChecked(True)
                self._drop_extra()
                return
        if self.extra is None:
            self.extra = self.menu.addAction("")
            self.extra.setCheckable(True)
            self.group.addAction(self.extra)
        self.extra.setText(self.label(value))
        self.extra.setData(value)
        self.extra.setChecked(True)

    def _drop_extra(self) -> None:
        if self.extra is not None:
            self.group.removeAction(self.extra)
            self.menu.removeAction(self.extra)
            self.extra.deleteLater()
            self.extra = None


class PreferenceMenus(QObject):
    """The View menu and the Playback menu's preference submenus.

    Signals:
        changed(str, object): The person chose a value: the `AppSettings` field and the value
            (it may be the one the field already has).
    """

    changed = Signal(str, object)

    def __init__(self, settings: AppSettings, parent: QWidget) -> None:
        """Menus showing ``settings`` (parent: the window)."""
        super().__init__(parent)
        self.view_menu = QMenu("&View", parent)
        self.click_plays = self._toggle(
            "&Play When a Word Is Clicked",
            "click_plays",
            "A click on a word starts playback there (otherwise it only moves the playhead).",
        )
        self.follow = self._toggle(
            "&Follow Playback",
            "follow_playback",
            "Keep the word being played in view (Ctrl+J scrolls to it when this is off).",
        )
        self.view_menu.addSeparator()
        self._thresholds = self._choices(
            self.view_menu.addMenu("Mark &Unsure Words"),
            "low_confidence_threshold",
            THRESHOLD_CHOICES,
            _threshold_label,
        )
        self.rewind_menu = QMenu("&Rewind on Resume", parent)
        self.skip_menu = QMenu("S&kip Distance", parent)
        self._rewinds = self._choices(
            self.rewind_menu, "rewind_on_resume_ms", REWIND_CHOICES_MS, _rewind_label
        )
        self._skips = self._choices(self.skip_menu, "skip_ms", SKIP_CHOICES_MS, _seconds)
        self.set_settings(settings)

    def playback_menus(self) -> Sequence[QMenu]:
        """The submenus for the Playback menu, in order."""
        return (self.rewind_menu, self.skip_menu)

    def set_settings(self, settings: AppSettings) -> None:
        """Show ``settings`` (without emitting `changed`)."""
        self.click_plays.setChecked(settings.click_plays)
        self.follow.setChecked(settings.follow_playback)
        self._thresholds.check(settings.low_confidence_threshold)
        self._rewinds.check(settings.rewind_on_resume_ms)
        self._skips.check(settings.skip_ms)

    # -- private ---------------------------------------------------------------------------------
    def _toggle(self, text: str, field: str, tip: str) -> QAction:
        action = self.view_menu.addAction(text)
        action.setCheckable(True)
        action.setStatusTip(tip)
        action.triggered.connect(lambda checked: self.changed.emit(field, bool(checked)))
        return action

    def _choices(
        self, menu: QMenu, field: str, values: Sequence[float], label: Callable[[float], str]
    ) -> _Choices:
        group = QActionGroup(menu)
        group.setExclusive(True)
        for value in values:
            action = menu.addAction(label(value))
            action.setCheckable(True)
            action.setData(value)
            group.addAction(action)
        group.triggered.connect(lambda action: self.changed.emit(field, action.data()))
        return _Choices(menu, group, label)
