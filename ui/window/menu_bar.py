"""The main window's own commands (File, Edit undo/redo, Transcription, Help) and their keys.

`SHORTCUTS` is the window's part of the app's shortcut table; `WindowActions` builds one QAction
per row, bound by the row's id (a field of `WindowActions` per id), so the keys cannot drift from
the table. The player's and the transcript editor's actions come from those widgets;
`app_shortcuts` joins the three tables for Help > Keyboard Shortcuts and the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle

from ui.playback import player_bar
from ui.shortcuts import Shortcut, make_action
from ui.transcript import actions as transcript_actions
from ui.window.preference_menus import PreferenceMenus

__all__ = ["SHORTCUTS", "WindowActions", "app_shortcuts", "build_menus"]

SHORTCUTS: Final = (
    Shortcut("open_media", "File", "Open Media…", ("Ctrl+O",),
             "Add recordings (or folders of them) to the transcription queue."),
    Shortcut("open_project", "File", "Open Project…", ("Ctrl+Shift+O",),
             "Open a saved transcript project."),
    Shortcut("save", "File", "Save", ("Ctrl+S",), "Save the transcript shown as a project."),
    Shortcut("save_as", "File", "Save As…", ("Ctrl+Shift+S",),
             "Save the transcript shown as a new project."),
    Shortcut("import_subtitles", "File", "Import Subtitles…", ("Ctrl+I",),
             "Open an SRT or WebVTT file, with its recording, to correct it."),
    Shortcut("export", "File", "Export…", ("Ctrl+E",),
             "Export as subtitles (SRT, WebVTT), text or JSON."),
    Shortcut("quit", "File", "Quit", ("Ctrl+Q",), "Close the app (asks about unsaved work)."),
    Shortcut("undo", "Edit", "Undo", ("Ctrl+Z",), "Undo the last edit."),
    Shortcut("redo", "Edit", "Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "Redo the edit just undone."),
    Shortcut("settings", "Transcription", "Transcription Settings…", ("Ctrl+,",),
             "Choose and download the model, the language and how to transcribe."),
    Shortcut("cancel", "Transcription", "Cancel Transcription", ("Ctrl+.",),
             "Stop the selection being transcribed again, else the file being transcribed."),
    Shortcut("shortcuts", "Help", "Keyboard Shortcuts", ("Ctrl+/",),
             "List every keyboard shortcut."),
)  # fmt: skip


def app_shortcuts() -> tuple[Shortcut, ...]:
    """Every shortcut of the app, in the order the dialog and the README list them."""
    return (*SHORTCUTS, *transcript_actions.SHORTCUTS, *player_bar.SHORTCUTS)


@dataclass(frozen=True, slots=True)
class WindowActions:
    """The window's actions, one per `SHORTCUTS` row (the field named by its id) plus About."""

    open_media: QAction
    open_project: QAction
    save: QAction
    save_as: QAction
    import_subtitles: QAction
    export: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    settings: QAction
    cancel: QAction
    shortcuts: QAction
    about: QAction

    @classmethod
    def create(cls, window: QMainWindow) -> WindowActions:
        """Make the actions (not yet connected) for ``window``."""
        made = {s.id: make_action(s, window) for s in SHORTCUTS}
        about = QAction("About Transcript Editor", window)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        actions = cls(**made, about=about)
        icon = window.style().standardIcon
        actions.open_media.setIcon(icon(QStyle.StandardPixmap.SP_DialogOpenButton))
        actions.save.setIcon(icon(QStyle.StandardPixmap.SP_DialogSaveButton))
        actions.quit.setMenuRole(QAction.MenuRole.QuitRole)
        actions.settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        # The platform's own keys too (Ctrl+Shift+Z vs Ctrl+Y, Cmd+Q), first from the table.
        for action, standard in (
            (actions.undo, QKeySequence.StandardKey.Undo),
            (actions.redo, QKeySequence.StandardKey.Redo),
            (actions.quit, QKeySequence.StandardKey.Quit),
        ):
            keys = list(action.shortcuts())
            keys += [k for k in QKeySequence.keyBindings(standard) if k not in keys]
            action.setShortcuts(keys)
        return actions


def build_menus(
    window: QMainWindow,
    actions: WindowActions,
    edit_actions: list[QAction],
    playback_actions: list[QAction],
    preferences: PreferenceMenus,
) -> QMenu:
    """Fill the menu bar; returns the (empty) File > Open Recent submenu for the caller."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(actions.open_media)
    file_menu.addAction(actions.open_project)
    recent = file_menu.addMenu("Open &Recent")
    file_menu.addSeparator()
    file_menu.addAction(actions.save)
    file_menu.addAction(actions.save_as)
    file_menu.addSeparator()
    file_menu.addAction(actions.import_subtitles)
    file_menu.addAction(actions.export)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(actions.undo)
    edit_menu.addAction(actions.redo)
    edit_menu.addSeparator()
    edit_menu.addActions(edit_actions)
    bar.addMenu(preferences.view_menu)
    playback = bar.addMenu("&Playback")
    playback.addActions(playback_actions)
    playback.addSeparator()
    for menu in preferences.playback_menus():
        playback.addMenu(menu)
    transcription = bar.addMenu("&Transcription")
    transcription.addAction(actions.settings)
    transcription.addAction(actions.cancel)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(actions.shortcuts)
    help_menu.addSeparator()
    help_menu.addAction(actions.about)
    return recent
