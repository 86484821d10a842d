"""The pinned commit and weights checksum of each catalogue model.

Written by ``scripts/pin_models.py`` from the Hugging Face Hub; read it, do not edit it by hand.
A model listed here downloads exactly that commit, and its weights must match the sha256 or the
download is rejected. A model not listed is unpinned: it gets what ``main`` serves, and
`engine.models.ModelSpec.pinned` says so to the UI and the logs.

Empty until a maintainer runs the script online and checks the models it pins (issue 16).
"""

from __future__ import annotations

from typing import Final

# catalogue name -> (commit, sha256 of weights.safetensors, or weights.npz where it has none)
PINS: Final[dict[str, tuple[str, str]]] = {}
