"""Who speaks when: `identify_speakers` runs extraction, clustering and turn building."""

from __future__ import annotations

import logging
import threading
import time

from engine.speakers.clustering import cluster_embeddings
from engine.speakers.embedders import Embedder, load_embedder
from engine.speakers.extract import AudioSource, ProgressCallback, embed_speech
from engine.speakers.options import SpeakerOptions, SpeakerProgress, SpeakerTurn
from engine.speakers.turns import speaker_turns

__all__ = ["identify_speakers"]

log = logging.getLogger(__name__)


def identify_speakers(
    source: AudioSource,
    options: SpeakerOptions | None = None,
    cancel: threading.Event | None = None,
    on_progress: ProgressCallback | None = None,
    *,
    embedder: Embedder | None = None,
) -> tuple[SpeakerTurn, ...]:
    """Find who speaks when in a recording.

    Args:
        source: A media file, or 16 kHz mono float samples.
        options: Speaker count or bounds and the model; defaults estimate the count.
        cancel: Set it from another thread to stop; `Cancelled` is raised within a chunk.
        on_progress: Called as audio is read, then once when clustering starts.
        embedder: An already loaded model (reuse it across files); by default the one
            ``options.embedder`` names is loaded.

    Returns:
        Speaker turns in time order, never overlapping; empty when there is no speech.

    Raises:
        Cancelled: ``cancel`` was set.
        AudioDecodeError: The file cannot be decoded.
        ModelLoadError: A model cannot be read.
    """
    options = options or SpeakerOptions()
    began = time.perf_counter()
    model = embedder if embedder is not None else load_embedder(options.embedder)
    windows = embed_speech(
        source, model, window_s=options.window_s, cancel=cancel, on_progress=on_progress
    )
    if on_progress is not None:
        on_progress(SpeakerProgress("clustering", windows.duration, windows.duration))
    low, high = options.bounds(len(windows.embeddings))
    labels = cluster_embeddings(windows.embeddings, low, high, options.threshold, cancel)
    turns = speaker_turns(windows, labels)
    log.info(
        "%d speakers in %.1f s of audio (%d windows) in %.2f s",
        len({t.speaker for t in turns}),
        windows.duration,
        len(windows.embeddings),
        time.perf_counter() - began,
    )
    return turns
