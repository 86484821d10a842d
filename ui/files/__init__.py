"""What is open: the workspace, one session per file, project files, autosave and recovery.

Nothing here shows a widget or asks a question itself: questions go through `Questions`. The
engine -> document conversion (`convert`) imports no Qt, so the ``transcribe`` command uses it
without PySide6; keep this package's ``__init__`` free of imports for that reason.
"""
