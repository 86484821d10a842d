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
from ui.files.writes import WRITE_WAIT_MS, WriteQueue

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

    Saves and autosaves are written from a snapshot on `writes`' thread, so the person can go
    on editing; the session is marked saved only for the snapshot the file holds.

    Signals:
        status_message(str): something to show in the status bar.
        saved(FileSession): a save finished; the session's project path may have changed.
    """

    status_message = Signal(str)
    saved = Signal(object)

    def __init__(
        self,
        questions: Questions,
        autosave_dir: Path,
        sessions: Callable[[], Iterable[FileSession]],
        interval_s: int = 30,
        parent: QObject | None = None,
        writes: WriteQueue | None = None,
    ) -> None:
        """Prepare project handling.

        Args:
            questions: Asks the person (where to save, what to recover...).
            autosave_dir: Where autosaves go.
            sessions: Returns the open sessions (for the periodic autosave).
            interval_s: Seconds between autosaves; 0 turns the timer off.
            parent: Qt parent.
            writes: Where files are written (shared with exports); a new queue when None.
        """
        super().__init__(parent)
        self.writes = writes or WriteQueue(self)
        self._saving: dict[FileSession, int] = {}  # saves under way per session
        self._autosaving: dict[FileSession, int] = {}  # revision of the autosave under way
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
        """Start saving to the session's project file, asking for one the first time.

        The file is written in the background (`writes`); False when nothing was started.
        """
        if session.project_path is None:
            return self.save_as(session)
        return self._write(session, session.project_path)

    def save_as(self, session: FileSession) -> bool:
        """Ask where to save and start saving there; False when cancelled."""
        suggested = session.project_path or (
            session.key_path.with_suffix(PROJECT_SUFFIX) if session.key_path else None
        )
        target = self._questions.project_to_save(suggested)
        return target is not None and self._write(session, target)

    def wait_for_writes(self, timeout_ms: int = WRITE_WAIT_MS) -> bool:
        """Wait for saves, autosaves and exports under way and report them; False on time-out."""
        return self.writes.wait_for_writes(timeout_ms)

    def _write(self, session: FileSession, path: Path) -> bool:
        try:
            project = session.to_project()  # the snapshot: the transcript is immutable
        except EditorError as e:  # editor state that cannot be saved
            log.warning("saving %s failed: %s", path, e)
            self._questions.tell("Cannot save", str(e))
            return False
        revision = session.document.revision
        self._saving[session] = self._saving.get(session, 0) + 1
        self.writes.submit(
            path,
            lambda: save_project(path, project),
            lambda error: self._on_saved(session, path, revision, error),
        )
        return True

    def _on_saved(
        self, session: FileSession, path: Path, revision: int, error: Exception | None
    ) -> None:
        self._saving[session] -= 1
        if not self._saving[session]:
            del self._saving[session]
        if error is not None:  # SaveError (disk full, read-only): the edits stay, unsaved
            log.warning("saving %s failed: %s", path, error)
            self._questions.tell("Cannot save", str(error))
            return
        stale = [session.autosave_file, self._autosave_path(session)]
        session.mark_saved(path, revision)
        stale.append(self._autosave_path(session))
        if not session.is_modified:  # else the autosaves hold edits the project lacks
            for autosave in {p for p in stale if p is not None}:
                self._discard(autosave)
            session.autosave_file = None
        self.status_message.emit(f"Saved {path.name}")
        self.saved.emit(session)

    # -- autosave ------------------------------------------------------------------------------
    def autosave(self, session: FileSession) -> bool:
        """Start writing the session's autosave if it changed since the last one.

        False when it has no autosave file (nothing identifies it yet). Written in the
        background; a failure is shown in the status bar.
        """
        path = self._autosave_path(session)
        if path is None:
            return False
        revision = session.document.revision
        if not session.needs_autosave or self._autosaving.get(session) == revision:
            return True
        if session in self._saving:
            return True  # the save under way holds at least this much
        project, owner = session.to_project(), session.project_path
        self._autosaving[session] = revision
        self.writes.submit(
            path,
            lambda: save_autosave(path, project, owner),
            lambda error: self._on_autosaved(session, path, revision, error),
            replaceable=True,  # the latest snapshot wins
        )
        return True

    def _on_autosaved(
        self, session: FileSession, path: Path, revision: int, error: Exception | None
    ) -> None:
        if self._autosaving.get(session) == revision:
            del self._autosaving[session]
        if error is not None:
            log.warning("autosave to %s failed: %s", path, error)
            self.status_message.emit(f"Autosave failed: {error}")
            return
        if not session.is_modified:  # saved meanwhile: this autosave has nothing to recover
            self._discard(path)
            return
        if session.autosave_file is not None and session.autosave_file != path:
            self._discard(session.autosave_file)
        session.mark_autosaved(path, revision)
        log.debug("autosaved %s", path)

    def autosave_all(self) -> None:
        """Autosave every session that changed since its last autosave."""
        for session in list(self._sessions()):
            self.autosave(session)

    def discard_autosaves(self, session: FileSession) -> None:
        """Delete a session's autosaves (it was closed without saving, on purpose).

        Waits for writes under way first, so no autosave lands after it was deleted.
        """
        self.writes.wait_for_writes()
        self._autosaving.pop(session, None)
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
