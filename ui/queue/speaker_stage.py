"""The "Identifying speakers" stage, run by the transcription worker on its own thread.

Kept beside the worker rather than in it: the worker moves results across threads, this holds
what speaker identification needs there (the embedding model, loaded once and reused for every
file, on the thread that runs MLX). Results leave as the engine's own dataclasses
(`SpeakerTurn`, `SpeakerProgress`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from engine.speakers import Embedder, SpeakerOptions, SpeakerProgress, SpeakerTurn

__all__ = ["SpeakerIdentifier", "SpeakerStage"]

log = logging.getLogger(__name__)


class SpeakerIdentifier(Protocol):
    """What the worker calls (`engine.speakers.identify_speakers`; tests pass a fake)."""

    def __call__(
        self,
        source: str,
        options: SpeakerOptions,
        cancel: threading.Event,
        on_progress: Callable[[SpeakerProgress], None],
    ) -> tuple[SpeakerTurn, ...]:
        """Speaker turns of ``source``; raises `Cancelled` when ``cancel`` is set."""
        ...


class SpeakerStage:
    """Runs speaker identification with one embedding model kept across files."""

    def __init__(self, identify: SpeakerIdentifier | None = None) -> None:
        """Use ``identify`` (tests), or the engine with a cached embedder by default."""
        self._identify = identify
        self._embedders: dict[str, Embedder] = {}

    def find(
        self,
        path: str,
        options: SpeakerOptions,
        cancel: threading.Event,
        on_progress: Callable[[SpeakerProgress], None],
    ) -> tuple[SpeakerTurn, ...] | str:
        """Speaker turns of ``path``, or why they cannot be found, in words.

        Raises:
            Cancelled: ``cancel`` was set.
        """
        from engine.errors import Cancelled, EngineError

        try:
            return self.run(path, options, cancel, on_progress)
        except Cancelled:
            raise
        except EngineError as e:
            log.info("no speakers for %s: %s", path, e)
            return f"Speakers could not be identified: {e}"
        except Exception as e:  # a bug in this stage must not lose the finished text
            log.exception("identifying speakers in %s failed unexpectedly", path)
            return f"Speakers could not be identified: {e}"

    def run(
        self,
        path: str,
        options: SpeakerOptions,
        cancel: threading.Event,
        on_progress: Callable[[SpeakerProgress], None],
    ) -> tuple[SpeakerTurn, ...]:
        """Speaker turns of ``path`` (on the calling thread, the worker's).

        Raises:
            Cancelled: ``cancel`` was set.
            EngineError: The audio or the speaker model cannot be read.
        """
        if self._identify is not None:
            return self._identify(path, options, cancel, on_progress)
        # Imported here so that merely importing the UI does not load MLX.
        from engine.speakers import identify_speakers, load_embedder

        embedder = self._embedders.get(options.embedder)
        if embedder is None:
            embedder = self._embedders[options.embedder] = load_embedder(options.embedder)
        return identify_speakers(path, options, cancel, on_progress, embedder=embedder)

    def drop_models(self) -> None:
        """Forget the loaded models (on the worker thread, whose arrays they are)."""
        self._embedders.clear()
