"""Damaged and mismatched model folders: each gives a `ModelLoadError` that says what to do.

Every case goes through both doors a caller uses: `engine.loading.load_model` (a folder straight
to MLX) and `engine.transcriber.Transcriber` (which resolves the folder with
`engine.models.resolve_model` first). The folders are the real tiny.en files with one of them
replaced, so anything that gets past the damaged part meets a real model. No model file may ever
be unpickled: pickles that would create a marker file when unpickled prove it.
"""

from __future__ import annotations

import builtins
import json
import pickle
import struct
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import mlx.core as mx
import numpy as np
import pytest
from hub_fakes import FakeHub, all_files, storage, use_temporary_hub

from engine.download import DownloadProgress
from engine.errors import Cancelled, ModelLoadError
from engine.loading import load_model
from engine.models import find_spec, is_downloaded, resolve_model
from engine.transcriber import Transcriber

pytestmark = pytest.mark.model

FILES = ("config.json", "weights.safetensors", "tokenizer.json")
# A message says what to do when it names one of these actions.
ADVICE = ("download", "delete", "use ", "choose", "convert")


@pytest.fixture(autouse=True)
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeHub:
    """An empty Hugging Face cache and no network: nothing may be fetched to mend a folder."""
    return use_temporary_hub(monkeypatch, tmp_path)


class _Trap:
    """Unpickling this creates ``marker``: proof that someone unpickled a model file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return builtins.open, (str(self.marker), "w")


def trap_pickle(marker: Path) -> bytes:
    """A PyTorch-like state dict whose unpickling creates ``marker``."""
    return pickle.dumps({"model_state_dict": {"encoder.conv1.weight": _Trap(marker)}})


def model_folder(root: Path, source: Path, **replace: bytes | None) -> Path:
    """The real model's files in a new folder, linked, with some replaced (None: left out)."""
    folder = root / "model"
    folder.mkdir()
    for name in FILES:
        if name not in replace:
            (folder / name).symlink_to(source / name)
    for name, data in replace.items():
        if data is not None:
            (folder / name).write_bytes(data)
    return folder


def config(source: Path, **changes: Any) -> bytes:
    """The real config.json with some entries changed (None: removed)."""
    values = json.loads((source / "config.json").read_text(encoding="utf-8"))
    values.update(changes)
    return json.dumps({k: v for k, v in values.items() if v is not None}).encode()


def truncated(source: Path, name: str, keep: Callable[[bytes], int]) -> bytes:
    data = (source / name).read_bytes()
    return data[: keep(data)]


def header_end(data: bytes) -> int:
    """Where a safetensors file's JSON header ends and its tensor data begins."""
    return 8 + int(struct.unpack("<Q", data[:8])[0])


def other_tokenizer_ids(source: Path) -> bytes:
    """The real tokenizer.json with Whisper's special tokens one id further on."""
    data = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    for token in data["added_tokens"]:
        token["id"] += 1
    return json.dumps(data).encode()


def byte_level_tokenizer() -> bytes:
    """A valid byte-level BPE tokenizer.json with only the 256 byte tokens (another vocabulary)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    printable += range(ord("®"), ord("ÿ") + 1)
    others = [b for b in range(256) if b not in printable]
    chars = [chr(b) for b in printable] + [chr(256 + i) for i in range(len(others))]
    vocab = {c: i for i, c in enumerate(chars)}
    return json.dumps({"model": {"type": "BPE", "vocab": vocab, "merges": []}}).encode()


def other_model_weights(tmp_path: Path) -> bytes:
    """A valid safetensors file holding another network's tensors."""
    path = tmp_path / "other.safetensors"
    mx.save_safetensors(str(path), {"classifier.weight": mx.zeros((4, 4))})
    return path.read_bytes()


Case = Callable[[Path, Path], dict[str, bytes | None]]

# name -> (what replaces the real files, words the message must contain).
CASES: dict[str, tuple[Case, tuple[str, ...]]] = {
    # Partial downloads: the weights cut anywhere.
    "weights_cut_in_length": (
        lambda s, _: {"weights.safetensors": truncated(s, "weights.safetensors", lambda _: 4)},
        ("weights.safetensors",),
    ),
    "weights_cut_in_header": (
        lambda s, _: {
            "weights.safetensors": truncated(s, "weights.safetensors", lambda d: header_end(d) // 2)
        },
        ("weights.safetensors",),
    ),
    "weights_header_only": (
        lambda s, _: {"weights.safetensors": truncated(s, "weights.safetensors", header_end)},
        ("weights.safetensors",),
    ),
    "weights_half": (
        lambda s, _: {
            "weights.safetensors": truncated(s, "weights.safetensors", lambda d: len(d) // 2)
        },
        ("weights.safetensors",),
    ),
    "weights_last_byte_missing": (
        lambda s, _: {
            "weights.safetensors": truncated(s, "weights.safetensors", lambda d: len(d) - 1)
        },
        ("weights.safetensors",),
    ),
    "weights_empty": (lambda _s, _t: {"weights.safetensors": b""}, ("weights.safetensors",)),
    "weights_random_bytes": (
        lambda _s, _t: {"weights.safetensors": np.random.default_rng(7).bytes(200_000)},
        ("weights.safetensors",),
    ),
    "weights_of_another_network": (
        lambda _s, t: {"weights.safetensors": other_model_weights(t)},
        ("config.json",),
    ),
    "weights_missing": (lambda _s, _t: {"weights.safetensors": None}, ("weights",)),
    # config.json missing, damaged, or describing another model.
    "config_missing": (lambda _s, _t: {"config.json": None}, ("config.json",)),
    "config_not_json": (lambda _s, _t: {"config.json": b"\x89PNG\r\n\x1a\n"}, ("config.json",)),
    "config_cut": (
        lambda s, _: {"config.json": truncated(s, "config.json", lambda d: len(d) // 2)},
        ("config.json",),
    ),
    "config_a_list": (lambda _s, _t: {"config.json": b"[80, 1500]"}, ("config",)),
    "config_lacks_n_mels": (lambda s, _: {"config.json": config(s, n_mels=None)}, ("n_mels",)),
    "config_dims_as_text": (lambda s, _: {"config.json": config(s, n_mels="80")}, ("n_mels",)),
    "config_negative_dims": (
        lambda s, _: {"config.json": config(s, n_text_layer=-4)},
        ("n_text_layer",),
    ),
    "config_more_mels_than_weights": (
        lambda s, _: {"config.json": config(s, n_mels=128)},
        ("config.json",),
    ),
    "config_multilingual_vocabulary": (
        lambda s, _: {"config.json": config(s, n_vocab=51865)},
        ("config.json",),
    ),
    "config_more_layers_than_weights": (
        lambda s, _: {"config.json": config(s, n_audio_layer=5)},
        ("config.json",),
    ),
    "config_shorter_text_context": (
        lambda s, _: {"config.json": config(s, n_text_ctx=100)},
        ("config.json",),
    ),
    # Dimensions that fit the weights' shapes yet cannot be Whisper's.
    "config_heads_not_dividing_width": (
        lambda s, _: {"config.json": config(s, n_audio_head=5)},
        ("n_audio_head",),
    ),
    "config_wrong_head_count": (
        lambda s, _: {"config.json": config(s, n_text_head=12)},
        ("n_text_head",),
    ),
    "config_audio_context_not_30_s": (
        lambda s, _: {"config.json": config(s, n_audio_ctx=1000)},
        ("n_audio_ctx",),
    ),
    "config_huge_audio_context": (
        lambda s, _: {"config.json": config(s, n_audio_ctx=10**12)},
        ("n_audio_ctx",),
    ),
    "config_width_too_small": (
        lambda s, _: {"config.json": config(s, n_audio_state=2)},
        ("n_audio_state",),
    ),
    # Tokenizers of other models, or damaged ones.
    "tokenizer_of_another_vocabulary": (
        lambda _s, _t: {"tokenizer.json": byte_level_tokenizer()},
        ("tokenizer",),
    ),
    "tokenizer_with_shifted_special_tokens": (
        lambda s, _: {"tokenizer.json": other_tokenizer_ids(s)},
        ("tokenizer",),
    ),
    "tokenizer_cut": (
        lambda s, _: {"tokenizer.json": truncated(s, "tokenizer.json", lambda d: len(d) // 3)},
        ("tokenizer",),
    ),
}

# Loader bugs found by this file; the lead fixes them in engine/ (see the report of issue 6).

LOADERS: dict[str, Callable[[Path], object]] = {
    "load_model": load_model,
    "Transcriber": lambda folder: Transcriber(folder, allow_download=False),
}


def check_message(error: ModelLoadError, must_name: tuple[str, ...]) -> None:
    message = str(error)
    lowered = message.lower()
    assert message
    assert "Traceback" not in message
    assert "\n" not in message.strip(), f"not one line: {message!r}"
    assert any(action in lowered for action in ADVICE), f"says not what to do: {message!r}"
    missing = [word for word in must_name if word.lower() not in lowered]
    assert not missing, f"{message!r} does not name {missing}"


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    "case",
    list(CASES),
)
def test_damaged_folder_gives_a_load_error_that_says_what_to_do(
    tiny_en_model: Path, tmp_path: Path, case: str, loader: str
) -> None:
    build, must_name = CASES[case]
    folder = model_folder(tmp_path, tiny_en_model, **build(tiny_en_model, tmp_path))
    with pytest.raises(ModelLoadError) as caught:
        LOADERS[loader](folder)
    check_message(caught.value, must_name)


def test_the_real_folder_loads_through_both_doors(tiny_en_model: Path, tmp_path: Path) -> None:
    # The control for the cases above: the same linked folder with nothing replaced works.
    folder = model_folder(tmp_path, tiny_en_model)
    for open_model in LOADERS.values():
        assert open_model(folder) is not None


# -- pickles are never loaded -----------------------------------------------------------------


def npz_with_object_array(marker: Path, tmp_path: Path) -> bytes:
    path = tmp_path / "objects.npz"
    arrays: dict[str, Any] = {"encoder.conv1.weight": np.array([_Trap(marker)], dtype=object)}
    np.savez(path, **arrays)
    return path.read_bytes()


def torch_zip(marker: Path) -> bytes:
    """The layout of ``torch.save``: a zip archive holding ``archive/data.pkl``."""
    path = marker.with_name("torch.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", trap_pickle(marker))
    return path.read_bytes()


PICKLED: dict[str, Callable[[Path, Path], dict[str, bytes | None]]] = {
    "model_pt": lambda m, _: {"weights.safetensors": None, "model.pt": trap_pickle(m)},
    "pytorch_model_bin": lambda m, _: {
        "weights.safetensors": None,
        "pytorch_model.bin": torch_zip(m),
    },
    "pickle_named_safetensors": lambda m, _: {"weights.safetensors": trap_pickle(m)},
    "npz_of_objects": lambda m, t: {
        "weights.safetensors": None,
        "weights.npz": npz_with_object_array(m, t),
    },
}


def test_the_trap_works(tmp_path: Path) -> None:
    # Proof that the checks below mean something: unpickling these files creates the marker.
    marker = tmp_path / "unpickled"
    pickle.loads(trap_pickle(marker))
    assert marker.exists()
    marker.unlink()
    (tmp_path / "t.npz").write_bytes(npz_with_object_array(marker, tmp_path))
    np.load(tmp_path / "t.npz", allow_pickle=True)["encoder.conv1.weight"]
    assert marker.exists()


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("case", PICKLED)
def test_pickled_weights_are_refused_unopened(
    tiny_en_model: Path, tmp_path: Path, case: str, loader: str
) -> None:
    marker = tmp_path / "unpickled"
    folder = model_folder(tmp_path, tiny_en_model, **PICKLED[case](marker, tmp_path))
    with pytest.raises(ModelLoadError) as caught:
        LOADERS[loader](folder)
    assert not marker.exists(), "a model file was unpickled"
    check_message(caught.value, ())


# -- downloads ----------------------------------------------------------------------------------


def test_cancelled_download_resumes_and_loads(
    tiny_en_model: Path, hub: FakeHub, tmp_path: Path
) -> None:
    """A cancelled download is not a model; what it leaves is resumed into one that loads."""
    spec = find_spec("tiny.en")
    assert spec is not None
    hub.chunk_size = 1 << 20
    hub.remote[spec.repo] = {name: (tiny_en_model / name).read_bytes() for name in FILES}
    outside = all_files(tmp_path) - all_files(hub.cache)
    cancel = threading.Event()

    def on_progress(progress: DownloadProgress) -> None:
        if progress.file == "weights.safetensors" and progress.downloaded_bytes > 20 << 20:
            cancel.set()

    with pytest.raises(Cancelled):
        resolve_model("tiny.en", on_progress=on_progress, cancel=cancel)
    assert all_files(tmp_path) - all_files(hub.cache) == outside, "it wrote outside the cache"
    assert len(list(storage(hub.cache, spec.repo).glob("blobs/*.incomplete"))) == 1
    assert not is_downloaded(spec)
    with pytest.raises(ModelLoadError) as caught:
        Transcriber("tiny.en", allow_download=False)
    check_message(caught.value, ("tiny.en",))

    transcriber = Transcriber("tiny.en")  # resumes the partial blob, then loads
    assert transcriber.name == "tiny.en"
    assert is_downloaded(spec)
    assert not list(storage(hub.cache, spec.repo).glob("blobs/*.incomplete"))


def test_no_model_file_is_opened_with_pickle(
    tiny_en_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading a real model never calls the unpickler (numpy's allow_pickle included)."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a model file was unpickled")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    folder = model_folder(tmp_path, tiny_en_model)
    assert Transcriber(folder, allow_download=False).name == folder.name
