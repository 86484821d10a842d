"""The background producer: order, error propagation, and clean shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from engine.prefetch import prefetch


def test_items_arrive_in_order() -> None:
    assert list(prefetch(iter(range(50)), depth=3, stop=threading.Event())) == list(range(50))


def test_producer_error_reaches_the_consumer() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise ValueError("bad audio")

    it = prefetch(broken(), depth=2, stop=threading.Event())
    assert next(it) == 1
    with pytest.raises(ValueError, match="bad audio"):
        next(it)


def test_closing_stops_and_joins_the_producer() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.set()

    before = threading.active_count()
    it = prefetch(endless(), depth=2, stop=threading.Event())
    assert next(it) == 0
    it.close()
    assert closed.wait(2)
    deadline = time.monotonic() + 2
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before


def test_stop_event_ends_production() -> None:
    stop = threading.Event()
    it = prefetch(iter(range(10**9)), depth=1, stop=stop)
    next(it)
    stop.set()
    assert len(list(it)) <= 2
