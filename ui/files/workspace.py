"""The open files: the queue, its transcription worker, one session per row, project files.

`Workspace` is the window's model of what is open. It keeps one `FileSession` per row of the
`QueueModel` (a queued recording, an opened project, imported subtitles), feeds streamed segments
into the sessions, autosaves a file when its transcription finishes, and stops the worker thread
on `shutdown`. It follows the `SettingsStore` (the model, the autosave interval) and asks the
person through `Questions`; it shows no widget.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from editor.importers import import_subtitles
from editor.media import media_info_for
from engine.results import SegmentResult, TranscriptionInfo
from ui.files.project_io import ProjectIO
from ui.files.questions import Questions
from ui.files.range_jobs import RangeChoice, RangeJob, RangeJobs, range_options
from ui.files.session import FileSession
from ui.files.writes import WRITE_WAIT_MS, WriteQueue
from ui.queue.item_model import JobState, QueueModel
from ui.queue.runner import QueueRunner
from ui.queue.speaker_stage import SpeakerIdentifier
from ui.queue.worker import JobEnd, TranscriberFactory, TranscriptionWorker
from ui.settings import AppSettings, SettingsStore, to_speaker_options, to_transcribe_options

if TYPE_CHECKING:
    from engine.speakers import SpeakerTurn

__all__ = ["Workspace", "model_on_disk"]

log = logging.getLogger(__name__)


class Workspace(QObject):
    """The rows, their sessions and the machinery behind them.

    Attributes:
        worker: The transcription worker (its thread runs from construction to `shutdown`).
        queue_model: The rows.
        runner: Sends waiting rows to the worker.
        project_io: Project files, autosave and recovery.
        writes: Saves, autosaves and exports, written off the UI thread.

    Signals:
        session_created(int item_id): a row got its session.
        job_started(int item_id): a row's transcription started; its document was reset.
        status_message(str): something to show in the status bar.
        speakers_identified(int item_id, tuple[SpeakerTurn, ...]): turns found again for an
            edited transcript (`identify_speakers_again`); the window pushes them as one edit.
        range_transcribed(int item_id, int start_ms, int end_ms, list[SegmentResult]): a
            stretch transcribed again (`transcribe_range_again`); the window puts the words in
            place of the range's as one edit.
        ranges_changed(): a stretch started or stopped being transcribed again (`range_job`).
    """

    session_created = Signal(int)
    job_started = Signal(int)
    status_message = Signal(str)
    speakers_identified = Signal(int, object)
    range_transcribed = Signal(int, int, int, object)
    ranges_changed = Signal()

    def __init__(
        self,
        questions: Questions,
        store: SettingsStore,
        autosave_dir: Path,
        factory: TranscriberFactory | None = None,
        parent: QObject | None = None,
        identify: SpeakerIdentifier | None = None,
    ) -> None:
        """Start the worker thread, wire the queue and start loading the chosen model.

        Args:
            questions: Asks the person (where to save, whether to transcribe again...).
            store: The settings: the model, the transcription options, the autosave interval.
            autosave_dir: Where autosaves go.
            factory: Builds transcribers on the worker thread (tests inject a fake one).
            identify: Finds speaker turns on the worker thread (tests inject a fake one).
            parent: Qt parent.
        """
        super().__init__(parent)
        self._questions = questions
        self._store = store
        self._sessions: dict[int, FileSession] = {}
        self.worker = TranscriptionWorker(factory, identify)
        self.worker.start()
        self.queue_model = QueueModel(self)
        self.runner = QueueRunner(
            self.queue_model,
            self.worker,
            lambda: to_transcribe_options(store.current),
            self,
            speakers=lambda: to_speaker_options(store.current),
        )
        self._again: set[int] = set()  # rows whose speakers are being identified again
        self._ranges = RangeJobs()
        self.writes = WriteQueue(self)
        self.project_io = ProjectIO(
            questions,
            autosave_dir,
            lambda: list(self._sessions.values()),
            store.current.autosave_interval_s,
            self,
            self.writes,
        )
        self.queue_model.rowsInserted.connect(self._ensure_sessions)
        # The one place where the worker's results become document updates.
        self.worker.job_started.connect(self._on_job_started)
        self.worker.segments_ready.connect(self._on_segments)
        self.worker.job_ended.connect(self._on_job_ended)
        self.worker.speakers_ready.connect(self._on_speakers)
        self.worker.speakers_failed.connect(self._on_speakers_failed)
        for source in (self.runner, self.project_io):
            source.status_message.connect(self.status_message)
        self._model = store.current.model
        self.runner.set_model(self._model, preload=model_on_disk(self._model))
        store.changed.connect(self._on_settings)

    # -- reading -------------------------------------------------------------------------------
    def session(self, item_id: int | None) -> FileSession | None:
        """A row's session."""
        return self._sessions.get(item_id) if item_id is not None else None

    def sessions(self) -> list[FileSession]:
        """Every open session."""
        return list(self._sessions.values())

    def id_of(self, session: FileSession) -> int | None:
        """The row of a session."""
        return next((i for i, s in self._sessions.items() if s is session), None)

    def unsaved(self) -> list[FileSession]:
        """Sessions with work not in their project file."""
        return [s for s in self._sessions.values() if s.is_modified and s.has_content]

    # -- opening -------------------------------------------------------------------------------
    def add_files(self, paths: Iterable[Path]) -> list[int]:
        """Queue recordings (folders: the media inside); returns the new rows."""
        return self.queue_model.add_files(list(paths))

    def open_project(self, path: Path) -> int | None:
        """Open a project in a row (the existing row when it is open already)."""
        existing = self.queue_model.find_path(path)
        if existing is not None:
            return existing.id
        session = self.project_io.open_project(path)
        return None if session is None else self.add_session(session, path)

    def import_subtitles(self, subtitles: Path, media: Path | None) -> int:
        """Open an SRT or WebVTT file with its recording.

        Raises:
            EditorError: The subtitles cannot be read, or the media described.
        """
        transcript = import_subtitles(subtitles)
        if media is not None:
            # No duration: the cues decide, the player reads the real one.
            transcript = transcript.with_media(media_info_for(media, None))
        session = FileSession(media, transcript, source_path=subtitles)
        session.mark_unsaved()
        self.status_message.emit(f"Imported {subtitles.name}")
        return self.add_session(session, media or subtitles)

    def offer_recovery(self) -> list[int]:
        """Offer autosaved work newer than its project; returns the rows recovered."""
        return [
            self.add_session(s, s.project_path or s.key_path or Path(s.display_name))
            for s in self.project_io.recover()
        ]

    def add_session(self, session: FileSession, row_path: Path) -> int:
        """Give a finished session (a project, imported subtitles) its own row."""
        # A second transcript of a file already listed gets a row of its own.
        (item_id,) = self.queue_model.add_files([row_path], state=JobState.DONE, unique=False)
        transcript = session.document.transcript
        duration = transcript.duration_ms
        seconds = duration / 1000 if duration else None
        self.queue_model.update(item_id, progress=1.0, duration=seconds)
        if seconds is None:
            # Imported subtitles know no duration (issue 17): read the recording's, or, with no
            # recording, show how long the transcript runs.
            if session.media_path is not None:
                self.runner.prober.probe(item_id, session.media_path)
            elif transcript.end_ms:
                self.queue_model.update(item_id, duration=transcript.end_ms / 1000)
        self._register(item_id, session)
        return item_id

    # -- changing ------------------------------------------------------------------------------
    def retry(self, item_id: int) -> bool:
        """Transcribe a failed or cancelled file again (asks first when it has edits)."""
        session = self._sessions.get(item_id)
        if session is not None and session.undo_stack.count() > 0:
            text = (
                f"Transcribing {session.display_name} again replaces its transcript and your "
                "edits of it."
            )
            if not self._questions.confirm("Transcribe again?", text):
                return False
        return self.runner.retry(item_id)

    def identify_speakers_again(self, item_id: int | None) -> bool:
        """Find a transcribed row's speakers again; ``speakers_identified`` brings the turns.

        Returns:
            False when there is nothing to do it on (no recording, or it is being transcribed).
        """
        session = self.session(item_id)
        if item_id is None or session is None or session.media_path is None:
            return False
        if session.transcribing or item_id in self._again:
            self.status_message.emit("Speakers are found once the transcription is done.")
            return False
        options = to_speaker_options(self._store.current, asked=True)
        assert options is not None  # asked=True always gives options
        self._again.add(item_id)
        self.status_message.emit(f"Identifying speakers in {session.display_name}…")
        self.worker.request_speakers(item_id, str(session.media_path), options)
        return True

    def transcribe_range_again(
        self, item_id: int | None, start_ms: int, end_ms: int, choice: RangeChoice | None = None
    ) -> bool:
        """Transcribe a stretch of a row's recording again: ``choice``, else the settings.

        ``range_transcribed`` brings the segments (only words inside the stretch). One stretch
        at a time: the status bar shows it with its Cancel button, and a second would only wait.

        Returns:
            False when it cannot start (no recording, the file is being transcribed, or another
            stretch is); the status bar says why.
        """
        session = self.session(item_id)
        if item_id is None or session is None or session.media_path is None:
            return False
        if session.transcribing:
            self.status_message.emit("Wait until the transcription of this file is done.")
            return False
        under_way = self.range_job()
        if under_way is not None:
            self.status_message.emit(
                f"Already transcribing {under_way.text} again: wait for it, or cancel it first."
            )
            return False
        settings = self._store.current
        options = range_options(to_transcribe_options(settings), start_ms, end_ms, choice)
        # Another model runs this job only; the queue's files keep the settings' model.
        model = choice.model if choice is not None and choice.model != settings.model else None
        job_id = self._ranges.add(item_id, start_ms, end_ms, own_model=model is not None)
        self.worker.request_job(job_id, str(session.media_path), options, None, model)
        self.ranges_changed.emit()
        return True

    def range_job(self) -> RangeJob | None:
        """The stretch being transcribed again, if any."""
        return self._ranges.current()

    def cancel_ranges(self) -> bool:
        """Stop the stretches being transcribed again (the transcript stays as it is).

        They are forgotten at once, so whatever the worker still sends for them is ignored,
        even a result already on its way.

        Returns:
            Whether there was one to cancel.
        """
        ids = self._ranges.ids()
        for job_id in ids:
            self.worker.cancel_job(job_id)
            self._ranges.finish(job_id)
        if ids:
            self.status_message.emit("Cancelled: the transcript is unchanged.")
            self.ranges_changed.emit()
        return bool(ids)

    def remove(self, item_id: int) -> None:
        """Close a row: cancel its job, drop its session and its autosaves."""
        for job_id in self._ranges.ids_of(item_id):
            self.worker.cancel_job(job_id)
            self._ranges.finish(job_id)
            self.ranges_changed.emit()
        self.runner.remove(item_id)
        session = self._sessions.pop(item_id, None)
        if session is not None:
            self.project_io.discard_autosaves(session)
            session.deleteLater()

    def shutdown(self, timeout_ms: int) -> bool:
        """Cancel every job, stop the worker thread and finish writing files.

        Returns False if the worker thread is still running. Files being written are waited
        for (`WRITE_WAIT_MS` at most, logged past it) so no save is lost on quitting.
        """
        self.runner.cancel_all()
        self.project_io.set_interval(0)
        stopped = self.worker.shutdown(timeout_ms)
        self.runner.shutdown()
        self.writes.wait_for_writes(WRITE_WAIT_MS)
        return stopped

    # -- reacting ------------------------------------------------------------------------------
    def _on_settings(self, settings: AppSettings) -> None:
        self.project_io.set_interval(settings.autosave_interval_s)
        if settings.model != self._model:
            # A new model loads before the next file (at once when it is on disk).
            self._model = settings.model
            self.runner.set_model(settings.model, preload=model_on_disk(settings.model))

    def _register(self, item_id: int, session: FileSession) -> None:
        session.setParent(self)
        self._sessions[item_id] = session
        self.session_created.emit(item_id)

    def _ensure_sessions(self, *args: object) -> None:
        # Rows added done (projects, subtitles) get their session from `add_session`; any other
        # row, waiting or already sent to the worker by the runner, gets an empty one.
        for item in self.queue_model.items():
            if item.id not in self._sessions and item.state is not JobState.DONE:
                self._register(item.id, FileSession(item.path))

    def _on_job_started(self, item_id: int, info: TranscriptionInfo) -> None:
        if self._ranges.owns(item_id):
            return  # the transcript stays as it is until the stretch's words are all in
        session = self._sessions.get(item_id)
        if session is not None:
            session.start_transcription(info)
            self.job_started.emit(item_id)

    def _on_segments(self, item_id: int, results: list[SegmentResult]) -> None:
        if self._ranges.owns(item_id):
            self._ranges.collect(item_id, results)
            return
        session = self._sessions.get(item_id)
        if session is not None:
            session.append_results(results)

    def _on_speakers(self, item_id: int, turns: tuple[SpeakerTurn, ...]) -> None:
        session = self._sessions.get(item_id)
        if session is None:
            return
        if item_id in self._again:
            # Asked for on an edited transcript: the window makes it one undo step.
            self._again.discard(item_id)
            self.speakers_identified.emit(item_id, turns)
        else:
            session.apply_speakers(turns)
        count = len({t.speaker for t in turns})
        self.status_message.emit(f"{count} speaker{'s' if count != 1 else ''} identified")

    def _on_speakers_failed(self, item_id: int, message: str) -> None:
        self._again.discard(item_id)
        self.status_message.emit(message)

    def _on_job_ended(self, item_id: int, end: JobEnd) -> None:
        if self._ranges.owns(item_id):
            job = self._ranges.finish(item_id)
            self.ranges_changed.emit()
            if end.state is JobState.DONE and job.item_id in self._sessions:
                self.range_transcribed.emit(job.item_id, job.start_ms, job.end_ms, job.results)
            elif end.state is JobState.FAILED:
                self.status_message.emit(f"Could not transcribe the selection again: {end.error}")
                if end.model_problem and job.own_model:  # the settings' model loads again
                    self.runner.set_model(self._model, preload=model_on_disk(self._model))
            return
        session = self._sessions.get(item_id)
        if session is None:
            return
        session.finish_transcription()
        if end.state is JobState.DONE:
            self.project_io.autosave(session)


def model_on_disk(name: str) -> bool:
    """Whether a model can load without a download (a folder, or a cached catalogue model)."""
    from engine.models import find_spec, is_downloaded

    if Path(name).expanduser().is_dir():
        return True
    spec = find_spec(name)
    try:
        return spec is not None and is_downloaded(spec)
    except Exception:  # a broken cache only means "download it when needed"
        log.debug("cannot tell whether %s is downloaded", name, exc_info=True)
        return False
