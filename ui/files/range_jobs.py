"""Stretches of a transcript being transcribed again (issue 15: re-transcribe a selection).

Such a job runs on the same worker as the queue's files, with the engine's clip ranges; it has
a job id below zero, which no queue row has, so the queue never mistakes it for a row. Its
segments are collected here until it ends; the window then puts them in place of the range's
words as one undoable edit (`editor.commands.ReplaceRange`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.results import SegmentResult

__all__ = ["RangeJob", "RangeJobs"]


@dataclass
class RangeJob:
    """One stretch being transcribed again.

    Attributes:
        item_id: The row whose transcript it belongs to.
        start_ms: Start of the stretch.
        end_ms: End of the stretch.
        results: The segments received so far.
    """

    item_id: int
    start_ms: int
    end_ms: int
    results: list[SegmentResult] = field(default_factory=list)


class RangeJobs:
    """The range jobs under way, by job id."""

    def __init__(self) -> None:
        """No jobs yet."""
        self._jobs: dict[int, RangeJob] = {}
        self._last_id = 0

    def add(self, item_id: int, start_ms: int, end_ms: int) -> int:
        """Register a job; returns its id (negative)."""
        self._last_id -= 1
        self._jobs[self._last_id] = RangeJob(item_id, start_ms, end_ms)
        return self._last_id

    def owns(self, job_id: int) -> bool:
        """Whether ``job_id`` is a range job under way."""
        return job_id in self._jobs

    def busy(self, item_id: int) -> bool:
        """Whether a stretch of row ``item_id`` is being transcribed again."""
        return any(job.item_id == item_id for job in self._jobs.values())

    def collect(self, job_id: int, results: list[SegmentResult]) -> None:
        """Keep the segments the job sent."""
        self._jobs[job_id].results.extend(results)

    def finish(self, job_id: int) -> RangeJob:
        """The ended job, forgotten."""
        return self._jobs.pop(job_id)

    def ids_of(self, item_id: int) -> list[int]:
        """The jobs of row ``item_id`` (to cancel them when it goes)."""
        return [i for i, job in self._jobs.items() if job.item_id == item_id]
