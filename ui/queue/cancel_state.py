"""Which job the worker runs and its cancel event, shared by the GUI and worker threads."""

from __future__ import annotations

import threading

__all__ = ["CancelState"]


class CancelState:
    """Which job runs and its cancel event, shared by the GUI and worker threads."""

    def __init__(self) -> None:
        """No job runs yet."""
        self._lock = threading.Lock()
        self._current: int | None = None
        self._event = threading.Event()
        self._early: set[int] = set()  # cancelled after being requested, before starting
        self.closing = False

    def begin(self, job_id: int | None) -> threading.Event:
        """A fresh event for ``job_id`` (None: a model load), set already if it was cancelled."""
        with self._lock:
            self._current = job_id
            self._event = threading.Event()
            if job_id is not None and job_id in self._early:
                self._early.discard(job_id)
                self._event.set()
            if self.closing:
                self._event.set()
            return self._event

    def end(self) -> None:
        """The job is over."""
        with self._lock:
            self._current = None

    def cancel(self, job_id: int) -> None:
        """Cancel ``job_id`` now if it runs, else when it begins."""
        with self._lock:
            if job_id == self._current:
                self._event.set()
            else:
                self._early.add(job_id)

    def close(self) -> None:
        """Cancel whatever runs and everything that begins from now on."""
        with self._lock:
            self.closing = True
            self._event.set()
