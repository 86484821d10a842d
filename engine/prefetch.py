"""Run a producer generator on a background thread, a few items ahead of its consumer.

Audio decoding (ffmpeg or libsndfile), resampling and voice-activity detection release the GIL
for most of their time, so preparing the next batch overlaps with the model working on this one.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

__all__ = ["prefetch"]

log = logging.getLogger(__name__)

T = TypeVar("T")
_DONE = object()
_POLL_S = 0.1


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterator[T], depth: int, stop: threading.Event) -> Generator[T, None, None]:
    """Yield ``items`` as produced on a worker thread, at most ``depth`` ahead.

    An exception in the producer is re-raised in the consumer. Closing the generator (or
    setting ``stop``) stops the producer and joins its thread.
    """
    buffer: queue.Queue[object] = queue.Queue(maxsize=max(1, depth))
    finished = threading.Event()

    def put(item: object) -> bool:
        while not (finished.is_set() or stop.is_set()):
            try:
                buffer.put(item, timeout=_POLL_S)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as e:  # handed to the consumer, which re-raises it
            put(_Failure(e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="audio-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item = buffer.get(timeout=_POLL_S)
            except queue.Empty:
                if not worker.is_alive() and buffer.empty():
                    return
                continue
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        finished.set()
        worker.join()
