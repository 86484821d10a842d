"""Where the shared diarization recordings and reference embeddings are, for the speaker tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import SHARED, missing

DIARIZATION = SHARED / "diarization"


def diarization_file(name: str) -> Path:
    """A file of ``../shared/diarization`` (skipped locally, failed in CI, when absent)."""
    path = DIARIZATION / name
    if not path.is_file():
        missing(f"../shared/diarization/{name}")
    return path


def reference_embeddings(name: str) -> dict[str, np.ndarray]:
    """Resemblyzer's own mel and embeddings for ``name`` (see the folder's README)."""
    with np.load(diarization_file(f"reference/{name}.npz"), allow_pickle=False) as data:
        return {k: data[k] for k in data.files}
