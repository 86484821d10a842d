"""Export the GE2E voice encoder of Resemblyzer 0.1.4 to safetensors (provenance, not runtime).

The ``resemblyzer==0.1.4`` wheel on PyPI (Apache-2.0, Resemble AI) ships the weights as
``resemblyzer/pretrained.pt``, a legacy (pre-zip) ``torch.save`` file: a few pickles followed by
the raw storages. This script reads it **without torch and without executing pickled code**: the
unpickler below resolves only three known globals (tensor rebuild, float storage, OrderedDict) to
inert local stand-ins and refuses everything else, then the storages are read as raw little-endian
float32. Only ``model_state`` is kept (the checkpoint also holds the optimiser's state), without
the GE2E loss's ``similarity_weight`` and ``similarity_bias`` (training only), under its PyTorch
names:

* ``lstm.{weight_ih,weight_hh,bias_ih,bias_hh}_l{0,1,2}``: a 3-layer LSTM, hidden 256, input 40
  mel bands, gate order i, f, g, o;
* ``linear.{weight,bias}``: 256 -> 256, then ReLU and L2 normalisation.

It runs in the project's environment (numpy and mlx only):

    pip download --no-deps resemblyzer==0.1.4 -d /tmp/rz
    .venv/bin/python scripts/convert_resemblyzer.py /tmp/rz/Resemblyzer-0.1.4-py3-none-any.whl

It fails if the checkpoint does not hold exactly these tensors with these shapes, so another
model is never exported silently.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import pickle
import struct
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "engine" / "assets" / "ge2e_resemblyzer.safetensors"
MEMBER = "resemblyzer/pretrained.pt"
TRAINING_ONLY = ("similarity_weight", "similarity_bias")
MAGIC = 0x1950A86A20F9469CFC6C  # torch's legacy serialisation magic number
HIDDEN, MELS = 256, 40
SHAPES: dict[str, tuple[int, ...]] = {"linear.weight": (256, HIDDEN), "linear.bias": (256,)}
for _layer in range(3):
    _inputs = MELS if _layer == 0 else HIDDEN
    SHAPES |= {
        f"lstm.weight_ih_l{_layer}": (4 * HIDDEN, _inputs),
        f"lstm.weight_hh_l{_layer}": (4 * HIDDEN, HIDDEN),
        f"lstm.bias_ih_l{_layer}": (4 * HIDDEN,),
        f"lstm.bias_hh_l{_layer}": (4 * HIDDEN,),
    }


@dataclass(frozen=True)
class StorageRef:
    key: str
    numel: int


@dataclass(frozen=True)
class TensorRef:
    storage: StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


class FloatStorage:
    """Stand-in for ``torch.FloatStorage``: only ever used as a type tag."""


def rebuild_tensor(storage: StorageRef, offset: int, size: Any, stride: Any, *_: Any) -> TensorRef:
    return TensorRef(storage, int(offset), tuple(size), tuple(stride))


class SafeUnpickler(pickle.Unpickler):
    """Resolves the three globals a state dict needs to inert stand-ins; refuses all others."""

    ALLOWED: dict[tuple[str, str], Any] = {  # noqa: RUF012
        ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor,
        ("torch._utils", "_rebuild_tensor"): rebuild_tensor,
        ("torch", "FloatStorage"): FloatStorage,
        ("collections", "OrderedDict"): OrderedDict,
    }

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self.ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}") from None

    def persistent_load(self, pid: Any) -> StorageRef:
        kind, storage_type, key, _location, numel = pid[:5]
        if kind != "storage" or storage_type is not FloatStorage:
            raise pickle.UnpicklingError(f"unexpected storage {pid!r}")
        return StorageRef(str(key), int(numel))


def read_checkpoint(data: bytes) -> dict[str, np.ndarray]:
    """The float32 arrays of ``model_state`` in a legacy torch checkpoint."""
    f = io.BytesIO(data)
    if SafeUnpickler(f).load() != MAGIC:
        raise SystemExit("not a legacy torch checkpoint (magic number differs)")
    SafeUnpickler(f).load()  # protocol version
    sys_info = SafeUnpickler(f).load()
    if not sys_info.get("little_endian", False):
        raise SystemExit("big-endian checkpoint")
    checkpoint = SafeUnpickler(f).load()
    keys = SafeUnpickler(f).load()
    storages: dict[str, np.ndarray] = {}
    for key in keys:
        (numel,) = struct.unpack("<q", f.read(8))
        storages[key] = np.frombuffer(f.read(4 * numel), dtype="<f4")
    state = checkpoint["model_state"]
    out = {}
    for name, ref in state.items():
        flat = storages[ref.storage.key]
        strides = tuple(4 * s for s in ref.stride)
        view = np.lib.stride_tricks.as_strided(flat[ref.offset :], ref.size, strides)
        out[name] = np.ascontiguousarray(view, dtype=np.float32)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="Resemblyzer-0.1.4-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with zipfile.ZipFile(args.wheel) as wheel:
        data = wheel.read(MEMBER)
    state = read_checkpoint(data)
    # The GE2E loss's scale and offset: used in training only (Resemblyzer loads non-strictly).
    for name in TRAINING_ONLY:
        state.pop(name, None)
    shapes = {k: v.shape for k, v in state.items()}
    if shapes != SHAPES:
        raise SystemExit(f"unexpected tensors in {MEMBER}: {shapes}")
    import mlx.core as mx

    meta = {
        "package": "resemblyzer 0.1.4",
        "source_file": MEMBER,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "licence": "Apache-2.0 (Resemble AI)",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(args.out), {k: mx.array(v) for k, v in state.items()}, metadata=meta)
    args.out.chmod(0o644)
    total = sum(v.size for v in state.values())
    print(f"read {MEMBER} (sha256 {meta['source_sha256']})")
    print(
        f"wrote {args.out}: {args.out.stat().st_size} bytes, {len(state)} tensors, {total} values"
    )


if __name__ == "__main__":
    main()
