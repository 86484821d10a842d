"""Export the 16 kHz Silero VAD (v6) weights and reference outputs (provenance, not runtime).

``weights`` and ``reference`` need torch and the ``silero-vad`` package (MIT licence): run them in
a throwaway environment, never in the project's own. ``inputs`` runs in the project's environment
(it decodes the clips with `engine.audio`, as the tests do):

    python -m venv /tmp/silero-env
    /tmp/silero-env/bin/pip install torch silero-vad safetensors
    /tmp/silero-env/bin/python scripts/convert_silero_vad.py weights
    .venv/bin/python scripts/convert_silero_vad.py inputs /tmp/silero-inputs.npz
    /tmp/silero-env/bin/python scripts/convert_silero_vad.py reference /tmp/silero-inputs.npz

The TorchScript file holds a 16 kHz and an 8 kHz model; only the 16 kHz one (``_model``) is kept,
as float32, under its TorchScript names without the ``_model.`` prefix:

* ``stft.forward_basis_buffer`` (258, 1, 256): an STFT as a convolution (hop 128, after a right
  reflect pad of 64 samples), real rows then imaginary rows;
* ``encoder.{0..3}.reparam_conv.{weight,bias}``: four conv1d layers (kernel 3, padding 1,
  strides 1, 2, 2, 1), each followed by ReLU;
* ``decoder.rnn.{weight_ih,weight_hh,bias_ih,bias_hh}``: an LSTM cell (hidden 128, gate order
  i, f, g, o);
* ``decoder.decoder.2.{weight,bias}``: ReLU, a 1x1 conv to one channel, sigmoid.

``weights`` fails if the file does not have that structure, so a future model with another layout
is not exported silently. ``reference`` runs the upstream model as its own
``get_speech_timestamps`` does (state reset, then 512-sample frames in order, the last one padded
with zeros) and stores the probabilities for ``tests/engine/test_silero.py``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "engine" / "assets" / "silero_vad_v6.safetensors"
REFERENCE = ROOT / "tests" / "engine" / "data" / "silero_reference.npz"
SHAPES = {
    "stft.forward_basis_buffer": (258, 1, 256),
    "encoder.0.reparam_conv.weight": (128, 129, 3),
    "encoder.0.reparam_conv.bias": (128,),
    "encoder.1.reparam_conv.weight": (64, 128, 3),
    "encoder.1.reparam_conv.bias": (64,),
    "encoder.2.reparam_conv.weight": (64, 64, 3),
    "encoder.2.reparam_conv.bias": (64,),
    "encoder.3.reparam_conv.weight": (128, 64, 3),
    "encoder.3.reparam_conv.bias": (128,),
    "decoder.rnn.weight_ih": (512, 128),
    "decoder.rnn.weight_hh": (512, 128),
    "decoder.rnn.bias_ih": (512,),
    "decoder.rnn.bias_hh": (512,),
    "decoder.decoder.2.weight": (1, 128, 1),
    "decoder.decoder.2.bias": (1,),
}
STRIDES = (1, 2, 2, 1)
FRAME = 512


def default_jit() -> Path:
    return Path(str(resources.files("silero_vad.data").joinpath("silero_vad.jit")))


def package_version(jit: Path) -> str:
    """The version of the silero-vad package holding ``jit`` (site-packages or unpacked wheel)."""
    for dist in jit.parents[2].glob("silero_vad-*.dist-info"):
        return dist.name.removeprefix("silero_vad-").removesuffix(".dist-info")
    return importlib.metadata.version("silero-vad")


def provenance(jit: Path) -> dict[str, str]:
    return {
        "package": f"silero-vad {package_version(jit)}",
        "source_file": jit.name,
        "source_sha256": hashlib.sha256(jit.read_bytes()).hexdigest(),
    }


def check_structure(model: Any) -> None:
    """Fail unless the 16 kHz model is laid out as `engine.silero` computes it."""
    stft = model.stft
    assert (stft.filter_length, stft.hop_length) == (256, 128), "STFT size"
    assert tuple(stft.padding.padding) == (0, 64), "STFT padding"
    assert model.context_size_samples == 64, "context"
    for i, stride in enumerate(STRIDES):
        conv = getattr(model.encoder, str(i)).reparam_conv
        assert (conv.stride, conv.padding, conv.dilation) == ((stride,), (1,), (1,)), f"conv {i}"
    assert "relu" in getattr(model.encoder, "0").activation.code, "encoder activation"
    assert "sigmoid" in getattr(model.decoder.decoder, "3").code, "decoder output"


def export_weights(jit: Path, out: Path) -> None:
    import torch
    from safetensors.torch import save_file

    model = torch.jit.load(str(jit), map_location="cpu")._model
    check_structure(model)
    state = {k: v.detach().to(torch.float32).contiguous() for k, v in model.state_dict().items()}
    if {k: tuple(v.shape) for k, v in state.items()} != SHAPES:
        raise SystemExit(f"unexpected weights in {jit}: {sorted(state)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = provenance(jit)
    save_file(state, str(out), metadata=meta)
    out.chmod(0o644)
    print(f"read {jit} ({meta['package']}, sha256 {meta['source_sha256']})")
    print(f"wrote {out}: {out.stat().st_size} bytes, {len(state)} tensors")


def save_inputs(out: Path) -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "engine")]
    from silero_inputs import descriptions, reference_inputs

    inputs = reference_inputs(ROOT.parent / "shared" / "speech")
    made = descriptions()
    np.savez(out, **inputs, **{f"{k}.made": np.array(v) for k, v in made.items()})
    print(f"wrote {out}: {', '.join(inputs)}")


def reference(jit: Path, inputs: Path, out: Path) -> None:
    import torch

    torch.set_num_threads(1)
    model = torch.jit.load(str(jit), map_location="cpu")
    model.eval()
    data = np.load(inputs, allow_pickle=False)
    names = [k for k in data.files if not k.endswith(".made")]
    result: dict[str, np.ndarray] = {}
    with torch.no_grad():
        for name in names:
            audio = data[name].astype(np.float32)
            model.reset_states()
            padded = np.pad(audio, (0, -audio.size % FRAME))
            frames = torch.from_numpy(padded).reshape(-1, FRAME)
            probs = [float(model(frame, 16000).item()) for frame in frames]
            result[name] = np.array(probs, dtype=np.float32)
            result[f"{name}.made"] = data[f"{name}.made"]
            print(f"{name}: {len(probs)} frames, mean {np.mean(probs):.3f}")
    result.update({k: np.array(v) for k, v in provenance(jit).items()})
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **result)
    print(f"wrote {out}: {out.stat().st_size} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("weights", help="export the 16 kHz weights (torch env)")
    w.add_argument("--jit", type=Path, default=None, help="silero_vad.jit to read")
    w.add_argument("--out", type=Path, default=WEIGHTS)
    i = sub.add_parser("inputs", help="decode the reference inputs (project env)")
    i.add_argument("out", type=Path)
    r = sub.add_parser("reference", help="the upstream model's probabilities (torch env)")
    r.add_argument("inputs", type=Path)
    r.add_argument("--jit", type=Path, default=None)
    r.add_argument("--out", type=Path, default=REFERENCE)
    args = parser.parse_args()
    if args.command == "weights":
        export_weights(args.jit or default_jit(), args.out)
    elif args.command == "inputs":
        save_inputs(args.out)
    else:
        reference(args.jit or default_jit(), args.inputs, args.out)


if __name__ == "__main__":
    main()
