"""Replaceable speaker-embedding models: a protocol and a catalogue of the ones we can load.

An embedder turns a stretch of 16 kHz audio into feature frames (`Embedder.features`) and fixed
windows of those frames into unit-length voice prints (`Embedder.embed_mels`); the rest of
`engine.speakers` knows nothing else about it. A stronger model (WeSpeaker ResNet34, CAM++)
joins by implementing the protocol and adding a catalogue entry whose loader fetches its weights,
e.g. from the Hugging Face hub with `engine.download` as the Whisper catalogue does; a
segmentation model (pyannote segmentation-3.0) would sit beside the voice-activity step in
`engine.speakers.extract` the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

import numpy as np
import numpy.typing as npt

from engine.errors import ModelLoadError
from engine.speakers.ge2e import Ge2eEncoder

__all__ = ["EMBEDDERS", "Embedder", "EmbedderEntry", "load_embedder"]

FloatArray = npt.NDArray[np.float32]


class Embedder(Protocol):
    """A speaker-embedding model.

    Attributes:
        name: Its catalogue name.
        hop_samples: 16 kHz samples between feature frames.
        window_frames: Feature frames per embedding window.
        dimension: Length of an embedding.
    """

    name: str
    hop_samples: int
    window_frames: int
    dimension: int

    def features(self, samples: npt.ArrayLike) -> FloatArray:
        """(frames, features) for a contiguous stretch of 16 kHz mono audio."""
        ...

    def embed_mels(self, mels: npt.ArrayLike) -> FloatArray:
        """(n, dimension) unit-length embeddings of (n, window_frames, features) windows."""
        ...


@dataclass(frozen=True, slots=True)
class EmbedderEntry:
    """A model in the catalogue.

    Attributes:
        name: The name options refer to.
        description: One line for a settings menu.
        licence: The weights' licence.
        load: Builds the model (may download); raises `ModelLoadError`.
    """

    name: str
    description: str
    licence: str
    load: Callable[[], Embedder]


EMBEDDERS: Mapping[str, EmbedderEntry] = MappingProxyType(
    {
        "ge2e-resemblyzer": EmbedderEntry(
            "ge2e-resemblyzer",
            "GE2E voice encoder (Resemblyzer), 1.4 M parameters, bundled",
            "Apache-2.0",
            Ge2eEncoder.load,
        ),
    }
)


def load_embedder(name: str) -> Embedder:
    """The catalogue model called ``name``.

    Raises:
        ModelLoadError: No such model, or its weights cannot be read.
    """
    entry = EMBEDDERS.get(name)
    if entry is None:
        known = ", ".join(sorted(EMBEDDERS))
        raise ModelLoadError(f"There is no speaker model called {name!r} (known: {known}).")
    return entry.load()
