"""Notices when an English-only model was given speech that is probably not English.

Such a model writes confident-looking English that was never said (issue 17). This watches the
worker's jobs, scores each file's decoding with `engine.language_guess`, and keeps, per row, the
sentence to show; the window shows it in a banner with a way to choose a multilingual model.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from engine import language_guess
from engine.language_guess import SpeechScore
from engine.results import SegmentResult, TranscriptionInfo
from ui.queue.item_model import JobState
from ui.queue.worker import JobEnd, TranscriptionWorker
from ui.settings import is_english_only

__all__ = ["LanguageWatch", "not_english_message"]

log = logging.getLogger(__name__)


def not_english_message(model: str) -> str:
    """The warning, in words, for a file ``model`` (English-only) probably misheard."""
    return f"{language_guess.not_english_message(model)} Choose one in Transcription Settings."


class LanguageWatch(QObject):
    """Scores the jobs of English-only models; ``doubted`` names a row whose speech is in doubt.

    Signals:
        doubted(int item_id): the row's transcription finished and is probably not English.
    """

    doubted = Signal(int)

    def __init__(self, worker: TranscriptionWorker, parent: QObject | None = None) -> None:
        """Watch ``worker``'s jobs (signals come to this object's thread)."""
        super().__init__(parent)
        self._scores: dict[int, tuple[str, SpeechScore]] = {}
        self._doubts: dict[int, str] = {}
        worker.job_started.connect(self._on_started)
        worker.segments_ready.connect(self._on_segments)
        worker.job_ended.connect(self._on_ended)

    def message(self, item_id: int | None) -> str | None:
        """The warning for a row, or None when there is nothing to doubt."""
        return self._doubts.get(item_id) if item_id is not None else None

    def dismiss(self, item_id: int) -> None:
        """Forget a row's warning (the person read it, or the row is gone)."""
        self._doubts.pop(item_id, None)

    def _on_started(self, item_id: int, info: TranscriptionInfo) -> None:
        self._doubts.pop(item_id, None)  # transcribed again: judged again
        if is_english_only(info.model):
            self._scores[item_id] = (info.model, SpeechScore())

    def _on_segments(self, item_id: int, results: list[SegmentResult]) -> None:
        entry = self._scores.get(item_id)
        if entry is not None:
            self._scores[item_id] = (entry[0], entry[1].plus(results))

    def _on_ended(self, item_id: int, end: JobEnd) -> None:
        entry = self._scores.pop(item_id, None)
        if entry is None or end.state is not JobState.DONE:
            return
        model, score = entry
        if score.probably_not_english:
            log.warning(
                "job %d: mean log-probability %.2f over %.0f s with English-only %s",
                item_id, score.mean_logprob, score.seconds, model,
            )  # fmt: skip
            self._doubts[item_id] = not_english_message(model)
            self.doubted.emit(item_id)
