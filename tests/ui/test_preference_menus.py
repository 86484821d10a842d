"""The View menu and the Playback menu's preference submenus (`ui.window.preference_menus`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget
from pytestqt.qtbot import QtBot

from ui.settings import AppSettings
from ui.window.preference_menus import (
    REWIND_CHOICES_MS,
    SKIP_CHOICES_MS,
    THRESHOLD_CHOICES,
    PreferenceMenus,
)

_parents: list[QWidget] = []  # the menus live as long as their window


@pytest.fixture(autouse=True)
def _release_parents() -> Iterator[None]:
    yield
    _parents.clear()


Chosen = tuple[str, object]


def _make(qtbot: QtBot, settings: AppSettings) -> tuple[PreferenceMenus, list[Chosen]]:
    parent = QWidget()
    qtbot.addWidget(parent)
    _parents.append(parent)
    menus = PreferenceMenus(settings, parent)
    emitted: list[Chosen] = []
    menus.changed.connect(lambda name, value: emitted.append((name, value)))
    return menus, emitted


def _submenu(menu: QMenu, text: str) -> QMenu:
    for action in menu.actions():
        sub = action.menu()
        if sub is not None and action.text().replace("&", "") == text:
            return sub
    raise AssertionError(f"no submenu {text!r} in {[a.text() for a in menu.actions()]}")


def _items(menu: QMenu) -> list[QAction]:
    return [a for a in menu.actions() if not a.isSeparator() and a.menu() is None]


def _checked(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in _items(menu) if a.isChecked()]


def test_the_menus_show_the_settings(qtbot: QtBot) -> None:
    settings = AppSettings(
        click_plays=False, follow_playback=False, low_confidence_threshold=0.7, skip_ms=5000
    )
    menus, _ = _make(qtbot, settings)
    assert not menus.click_plays.isChecked()
    assert not menus.follow.isChecked()
    unsure = _submenu(menus.view_menu, "Mark Unsure Words")
    assert len(_items(unsure)) == len(THRESHOLD_CHOICES)
    assert _checked(unsure) == ["Below 70 %"]
    rewind, skip = menus.playback_menus()
    assert len(_items(rewind)) == len(REWIND_CHOICES_MS)
    assert _checked(rewind) == ["1 s"]  # the default
    assert len(_items(skip)) == len(SKIP_CHOICES_MS)
    assert _checked(skip) == ["5 s"]


def test_choosing_an_item_names_the_setting_and_its_value(qtbot: QtBot) -> None:
    menus, emitted = _make(qtbot, AppSettings())
    unsure = _submenu(menus.view_menu, "Mark Unsure Words")
    (off,) = [a for a in _items(unsure) if a.text().replace("&", "") == "Off"]
    off.trigger()
    menus.click_plays.trigger()
    rewind, skip = menus.playback_menus()
    (three,) = [a for a in _items(skip) if a.text() == "3 s"]
    three.trigger()
    assert emitted == [
        ("low_confidence_threshold", 0.0),
        ("click_plays", False),
        ("skip_ms", 3000),
    ]
    assert isinstance(emitted[-1][1], int)  # milliseconds stay whole numbers
    assert _checked(skip) == ["3 s"]
    assert _checked(rewind) == ["1 s"]


def test_a_value_not_offered_is_shown_and_kept(qtbot: QtBot) -> None:
    menus, emitted = _make(qtbot, AppSettings(low_confidence_threshold=0.35, skip_ms=1500))
    unsure = _submenu(menus.view_menu, "Mark Unsure Words")
    assert _checked(unsure) == ["Below 35 %"]
    assert len(_items(unsure)) == len(THRESHOLD_CHOICES) + 1
    _rewind, skip = menus.playback_menus()
    assert _checked(skip) == ["1.5 s"]
    menus.set_settings(AppSettings(low_confidence_threshold=0.5, skip_ms=1500))
    assert _checked(unsure) == ["Below 50 %"]
    assert len(_items(unsure)) == len(THRESHOLD_CHOICES)  # the extra item is gone
    assert emitted == []  # showing settings is not changing them
