"""The Qt app and the ``transcribe`` command, in rooms named for what they hold.

- ``app.py``, ``cli.py``: the entry points (``transcript-editor``, ``transcribe``).
- ``settings.py``: what the app remembers, and the one store that reads and writes it.
- ``shortcuts.py``: the shortcut row type that every room's key table is made of.
- ``window/``: the shell: main window, its actions and menus, drops, colours, error reporting.
- ``queue/``: the file list, its runner and the transcription worker thread, model downloads.
- ``files/``: what is open: the workspace, one session per file, project files; no widgets.
- ``playback/``: the media clock and the player bar.
- ``transcript/``: the transcript view, its editing and its undo stack.
- ``dialogs/``: every modal question the app asks.
"""
