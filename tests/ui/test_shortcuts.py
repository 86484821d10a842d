from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from ui.dialogs.keyboard_shortcuts import ShortcutsDialog
from ui.playback import player_bar as player
from ui.shortcuts import Shortcut, make_action, shortcuts_markdown
from ui.transcript import actions as transcript_actions
from ui.window.menu_bar import SHORTCUTS as WINDOW_SHORTCUTS
from ui.window.menu_bar import app_shortcuts

ROWS = (
    Shortcut("play", "Playback", "Play/Pause", ("Esc", "Ctrl+Space"), "Start or stop."),
    Shortcut("split", "Edit", "Split | here", ("Ctrl+Return",), "Split the line."),
)


def test_app_shortcuts_join_every_table_once() -> None:
    rows = app_shortcuts()
    for table in (WINDOW_SHORTCUTS, transcript_actions.SHORTCUTS, player.SHORTCUTS):
        for row in table:
            assert rows.count(row) == 1
    assert len(rows) == len(WINDOW_SHORTCUTS) + len(transcript_actions.SHORTCUTS) + len(
        player.SHORTCUTS
    )


@pytest.mark.parametrize(
    "table", [WINDOW_SHORTCUTS, transcript_actions.SHORTCUTS, player.SHORTCUTS]
)
def test_ids_are_unique_in_each_table(table: tuple[Shortcut, ...]) -> None:
    ids = [row.id for row in table]
    assert len(ids) == len(set(ids))


def test_markdown_has_a_table_per_group() -> None:
    text = shortcuts_markdown(ROWS)
    assert text == (
        "### Playback\n\n| Action | Keys | What it does |\n| --- | --- | --- |\n"
        "| Play/Pause | `Esc` or `Ctrl+Space` | Start or stop. |\n\n"
        "### Edit\n\n| Action | Keys | What it does |\n| --- | --- | --- |\n"
        "| Split \\| here | `Ctrl+Return` | Split the line. |\n"
    )


def test_default_markdown_lists_the_player_keys() -> None:
    text = shortcuts_markdown(app_shortcuts())
    assert "| Play/Pause | `Esc` or `Ctrl+Space` |" in text
    assert "`F4`" in text


def test_dialog_shows_groups_and_rows(qtbot: QtBot) -> None:
    dialog = ShortcutsDialog(ROWS)
    qtbot.addWidget(dialog)
    assert dialog.row_texts() == [
        ("Playback",),
        ("Play/Pause", ROWS[0].native_keys(), "Start or stop."),
        ("Edit",),
        ("Split | here", ROWS[1].native_keys(), "Split the line."),
    ]
    assert " or " in ROWS[0].native_keys()


def test_make_action_takes_name_keys_and_description(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    action = make_action(ROWS[0], parent)
    assert action.text() == "Play/Pause"
    assert [k.toString() for k in action.shortcuts()] == ["Esc", "Ctrl+Space"]
    assert action.statusTip() == "Start or stop."


def test_the_readme_lists_the_current_shortcuts() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- shortcuts:start -->\n", "<!-- shortcuts:end -->"
    assert start in readme
    assert end in readme
    listed = readme.split(start, 1)[1].split(end, 1)[0]
    # The README nests the groups one level deeper, under "Keyboard shortcuts".
    assert listed == shortcuts_markdown(app_shortcuts()).replace("### ", "#### "), (
        "README.md's shortcut tables are out of date: regenerate them (see ui/shortcuts.py)"
    )
