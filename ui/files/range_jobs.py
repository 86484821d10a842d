"""Stretches of a transcript being transcribed again (issue 15: re-transcribe a selection).

Such a job runs on the same worker as the queue's files, with the engine's clip ranges; it has
a job id below zero, which no queue row has, so the queue never mistakes it for a row. Its
segments are collected here until it ends; the window then puts them in place of the range's
words as one undoable edit (`editor.commands.ReplaceRange`).

`RangeChoice` is what may differ from the file's settings for one stretch (the model, the
language, the vocabulary prompt), as Edit > Transcribe Selection With… asks for it;
`default_choice` is the file's, `range_options` the engine's options for a job.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from editor.timefmt import format_clock
from editor.transcript import Transcript
from engine.models import find_spec
from engine.options import Task, TranscribeOptions
from engine.results import SegmentResult
from ui.settings import AppSettings, is_english_only, to_transcribe_options

__all__ = [
    "RangeChoice",
    "RangeJob",
    "RangeJobs",
    "can_do",
    "default_choice",
    "range_options",
    "range_text",
    "words_in_range",
]


@dataclass(frozen=True, slots=True)
class RangeChoice:
    """How to transcribe one stretch again.

    Attributes:
        model: The model (catalogue name, repository or folder), as in `AppSettings.model`.
        language: Language code, or None to detect it (from the stretch alone).
        task: "transcribe" or "translate", as the model allows.
        initial_prompt: Names and jargon shown to the model, or None.
    """

    model: str
    language: str | None = None
    task: Task = "transcribe"
    initial_prompt: str | None = None


def can_do(model: str, task: Task) -> bool:
    """Whether ``model`` does ``task`` (models outside the catalogue are trusted to)."""
    if task == "transcribe":
        return True
    spec = find_spec(model)
    return not is_english_only(model) and (spec is None or spec.supports(task))


def default_choice(settings: AppSettings, file_language: str | None = None) -> RangeChoice:
    """The file's settings as a choice for a stretch.

    Args:
        settings: The transcription settings the file was transcribed with.
        file_language: The language the file was found to be in, if known: used when the
            settings detect it, since a few seconds of speech are a poorer guide to the
            language than the whole file was.
    """
    options = to_transcribe_options(settings)  # English-only models get English here
    return RangeChoice(
        model=settings.model,
        language=options.language or file_language,
        task=options.task,
        initial_prompt=options.initial_prompt,
    )


def range_options(
    base: TranscribeOptions, start_ms: int, end_ms: int, choice: RangeChoice | None = None
) -> TranscribeOptions:
    """The engine's options for a stretch: ``base`` (the file's), with ``choice`` when given.

    An English-only model gets English and "transcribe" whatever the choice says, as a file
    does (`ui.settings.to_transcribe_options`); a task the model cannot do becomes
    "transcribe" (the dialog says so before it is chosen).
    """
    options = dataclasses.replace(base, clip_ranges=((start_ms / 1000, end_ms / 1000),))
    if choice is None:
        return options
    english_only = is_english_only(choice.model)
    return dataclasses.replace(
        options,
        language="en" if english_only else choice.language,
        task=choice.task if can_do(choice.model, choice.task) else "transcribe",
        initial_prompt=choice.initial_prompt or None,
    )


def range_text(start_ms: int, end_ms: int) -> str:
    """A stretch as people read it: "0:30–0:45"."""
    return f"{format_clock(start_ms)}–{format_clock(end_ms)}"


def words_in_range(transcript: Transcript, start_ms: int, end_ms: int) -> str:
    """The words a stretch's new words replace: those centred inside it, as `ReplaceRange`'s."""
    return " ".join(
        w.stripped
        for segment in transcript.segments
        for w in segment.words
        if start_ms <= (w.start_ms + w.end_ms) / 2 <= end_ms
    )


@dataclass
class RangeJob:
    """One stretch being transcribed again.

    Attributes:
        job_id: Its id on the worker (negative).
        item_id: The row whose transcript it belongs to.
        start_ms: Start of the stretch.
        end_ms: End of the stretch.
        own_model: It runs with another model than the settings' (which loads again after).
        results: The segments received so far.
    """

    job_id: int
    item_id: int
    start_ms: int
    end_ms: int
    own_model: bool = False
    results: list[SegmentResult] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The stretch as people read it: "0:30–0:45"."""
        return range_text(self.start_ms, self.end_ms)


class RangeJobs:
    """The range jobs under way, by job id."""

    def __init__(self) -> None:
        """No jobs yet."""
        self._jobs: dict[int, RangeJob] = {}
        self._last_id = 0

    def add(self, item_id: int, start_ms: int, end_ms: int, *, own_model: bool = False) -> int:
        """Register a job; returns its id (negative)."""
        self._last_id -= 1
        self._jobs[self._last_id] = RangeJob(self._last_id, item_id, start_ms, end_ms, own_model)
        return self._last_id

    def owns(self, job_id: int) -> bool:
        """Whether ``job_id`` is a range job under way."""
        return job_id in self._jobs

    def current(self) -> RangeJob | None:
        """The first job under way, or None."""
        return next(iter(self._jobs.values()), None)

    def collect(self, job_id: int, results: list[SegmentResult]) -> None:
        """Keep the segments the job sent."""
        self._jobs[job_id].results.extend(results)

    def finish(self, job_id: int) -> RangeJob:
        """The ended (or cancelled) job, forgotten: what it still sends is ignored."""
        return self._jobs.pop(job_id)

    def ids(self) -> list[int]:
        """Every job under way."""
        return list(self._jobs)

    def ids_of(self, item_id: int) -> list[int]:
        """The jobs of row ``item_id`` (to cancel them when it goes)."""
        return [i for i, job in self._jobs.items() if job.item_id == item_id]
