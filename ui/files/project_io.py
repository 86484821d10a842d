"""Saving and opening projects, autosave, recovery of unsaved work and relinking moved media.

`ProjectIO` does the file work for the main window and asks the person what it must (where to
save, whether to recover, where a moved recording went) through `Questions`, never a dialog of its
own. Errors are told in words and never lose the edits: a failed save leaves the session open and
modified.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from editor.autosave import (
    RecoveryCandidate,
    autosave_path_for,
    discard_autosave,
    find_recoverable,
    save_autosave,
)
from editor.errors import EditorError, ProjectError
from editor.media import MediaStatus, check_media, find_moved_media, media_info_for
from editor.project import load_project, save_project
from editor.transcript import MediaInfo
from ui.files.questions import Questions, RecoveryChoice
from ui.files.session import FileSession

__all__ = [
    "PROJECT_SUFFIX",
    "ProjectIO",
    "default_autosave_dir",
]

log = logging.getLogger(__name__)

PROJECT_SUFFIX = ".transcript"


def default_autosave_dir() -> Path:
    """``<app data>/autosave``, where the app keeps autosaves of unsaved work."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "autosave"


class ProjectIO(QObject):
    """Project files for the main window.

    Signals:
        status_message(str): something to show in the status bar.
    """

    status_message = Signal(str)

    def __init__(
        self,
        questions: Questions,
        autosave_dir: Path,
        sessions: Callable[[], Iterable[FileSession]],
        interval_s: int = 30,
        parent: QObject | None = None,
    ) -> None:
        """Prepare project handling.

        Args:
            questions: Asks the person (where to save, what to recover...).
            autosave_dir: Where autosaves go.
            sessions: Returns the open sessions (for the periodic autosave).
            interval_s: Seconds between autosaves; 0 turns the timer off.
            parent: Qt parent.
        """
        super().__init__(parent)
        self._questions = questions
        self.autosave_dir = autosave_dir
        self._sessions = sessions
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.autosave_all)
        self.set_interval(interval_s)

    def set_interval(self, seconds: int) -> None:
        """Autosave every ``seconds`` (0: never on a timer)."""
        self._timer.stop()
        if seconds > 0:
            self._timer.start(seconds * 1000)

    # -- saving --------------------------------------------------------------------------------
    def save(self, session: FileSession) -> bool:
        """Save to the session's project file, asking for one the first time."""
        if session.project_path is None:
            return self.save_as(session)
        return self._write(session, session.project_path)

    def save_as(self, session: FileSession) -> bool:
        """Ask where to save and save there; False when cancelled or failed."""
        suggested = session.project_path or (
            session.key_path.with_suffix(PROJECT_SUFFIX) if session.key_path else None
        )
        target = self._questions.project_to_save(suggested)
        return target is not None and self._write(session, target)

    def _write(self, session: FileSession, path: Path) -> bool:
        try:
            save_project(path, session.to_project())
        except EditorError as e:  # SaveError (disk full, read-only) or a bad editor state
            log.warning("saving %s failed: %s", path, e)
            self._questions.tell("Cannot save", str(e))
            return False
        stale = [session.autosave_file, self._autosave_path(session)]
        session.mark_saved(path)
        stale.append(self._autosave_path(session))
        for autosave in {p for p in stale if p is not None}:
            self._discard(autosave)
        session.autosave_file = None
        self.status_message.emit(f"Saved {path.name}")
        return True

    # -- autosave ------------------------------------------------------------------------------
    def autosave(self, session: FileSession) -> bool:
        """Write the session's autosave if it changed since the last one; False on failure."""
        path = self._autosave_path(session)
        if path is None:
            return False
        if not session.needs_autosave:
            return True
        try:
            save_autosave(path, session.to_project(), session.project_path)
        except EditorError as e:
            log.warning("autosave to %s failed: %s", path, e)
            self.status_message.emit(f"Autosave failed: {e}")
            return False
        if session.autosave_file is not None and session.autosave_file != path:
            self._discard(session.autosave_file)
        session.mark_autosaved(path)
        log.debug("autosaved %s", path)
        return True

    def autosave_all(self) -> None:
        """Autosave every session that changed since its last autosave."""
        for session in list(self._sessions()):
            self.autosave(session)

    def discard_autosaves(self, session: FileSession) -> None:
        """Delete a session's autosaves (it was closed without saving, on purpose)."""
        for path in {session.autosave_file, self._autosave_path(session)}:
            if path is not None:
                self._discard(path)
        session.autosave_file = None

    def _autosave_path(self, session: FileSession) -> Path | None:
        key = session.key_path or session.project_path
        if key is None:
            return None
        return autosave_path_for(session.project_path, key, self.autosave_dir)

    def _discard(self, path: Path) -> None:
        try:
            discard_autosave(path)
        except ProjectError as e:
            log.warning("%s", e)

    # -- opening -------------------------------------------------------------------------------
    def open_project(self, path: Path) -> FileSession | None:
        """Load a project into a new session (relinking moved media); None on failure."""
        try:
            project = load_project(path)
        except ProjectError as e:
            self._questions.tell("Cannot open project", str(e))
            return None
        transcript = project.transcript
        media = transcript.media
        session = FileSession(
            Path(media.path) if media and media.path else None,
            transcript,
            path,
            editor_state=project.editor_state,
        )
        if media is not None:
            self.relink_if_needed(session, media, search_dirs=[path.parent])
        self.status_message.emit(f"Opened {path.name}")
        return session

    def relink_if_needed(
        self, session: FileSession, media: MediaInfo, search_dirs: Iterable[Path]
    ) -> None:
        """Check the media file; find a moved one next to the project or ask the person."""
        status = check_media(session.project_path, media)
        if status is MediaStatus.OK:
            return
        if status is MediaStatus.CHANGED:
            self.status_message.emit(
                f"{Path(media.path).name} has changed since it was transcribed: "
                "the timings may not match."
            )
            return
        found = find_moved_media(media, search_dirs) or self._questions.locate_media(
            Path(media.path)
        )
        if found is None:
            self.status_message.emit(f"{Path(media.path).name} is missing: playback is off.")
            session.media_path = None
            return
        try:
            new = media_info_for(found, media.duration_ms)
        except ProjectError as e:
            self._questions.tell("Cannot use that file", str(e))
            return
        session.relink(new)
        self.status_message.emit(f"Relinked the recording: {found}")

    # -- recovery ------------------------------------------------------------------------------
    def recover(self) -> list[FileSession]:
        """Offer autosaves newer than their projects; returns the recovered sessions."""
        candidates = find_recoverable(self.autosave_dir)
        if not candidates:
            return []
        choice, chosen = self._questions.recovery(candidates)
        if choice is RecoveryChoice.DISCARD:
            for c in chosen:
                self._discard(c.autosave_path)
            self.status_message.emit(f"Discarded {len(chosen)} autosaved transcript(s)")
            return []
        if choice is RecoveryChoice.LATER:
            return []
        sessions = [s for c in chosen if (s := self._recover_one(c)) is not None]
        self.status_message.emit(f"Recovered {len(sessions)} transcript(s)")
        return sessions

    def _recover_one(self, c: RecoveryCandidate) -> FileSession | None:
        try:
            project = load_project(c.autosave_path)
        except ProjectError as e:
            self._questions.tell("Cannot recover", str(e))
            return None
        media = project.transcript.media
        session = FileSession(
            Path(media.path) if media and media.path else None,
            project.transcript,
            c.project_path,
            editor_state=project.editor_state,
        )
        session.autosave_file = c.autosave_path
        session.mark_unsaved()
        if media is not None:
            folder = c.project_path.parent if c.project_path else None
            self.relink_if_needed(session, media, [folder] if folder else [])
        return session
