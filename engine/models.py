"""The Whisper models the app offers, and turning a model name or folder into files to load.

`resolve_model` accepts a catalogue name ("small"), a Hugging Face repository id
("mlx-community/whisper-small-mlx") or a model folder, and returns `ModelFiles`: the paths of the
config, weights and tokenizer. They are separate paths because the tokenizer does not always sit
beside the weights: most mlx-community conversions ship no ``tokenizer.json``, so it is fetched
from the matching openai/distil-whisper repository into that repository's own cache snapshot
(the cache's snapshot folders must not be written into, and a copy elsewhere could be left
half-written). Cached models resolve without touching the network.

Only ``weights.safetensors`` and ``weights.npz`` are ever loaded: never pickled PyTorch files,
which can run code when opened. Catalogue models pinned in `engine.model_pins` download that
commit only, and their weights are checked against the pinned sha256.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from engine.download import (
    DownloadProgress,
    ProgressTracker,
    RepoPlan,
    cached_file,
    cached_snapshot,
    delete_repo,
    fetch,
    hub_offline,
    plan_fetch,
    repo_size_on_disk,
)
from engine.errors import EngineError, ModelLoadError
from engine.model_pins import PINS

__all__ = [
    "CATALOGUE",
    "DEFAULT_MODEL",
    "DEFAULT_MODEL_ENV",
    "DownloadProgress",
    "ModelFiles",
    "ModelSpec",
    "cached_models",
    "check_task",
    "default_model",
    "delete_model",
    "find_spec",
    "is_downloaded",
    "model_size_on_disk",
    "resolve_model",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A Whisper model the app offers for download.

    Attributes:
        name: Short id users type ("small", "large-v3-turbo").
        repo: The mlx-community repository with the MLX weights.
        tokenizer_repo: The repository whose ``tokenizer.json`` matches the model, fetched when
            the MLX repository has no tokenizer.
        download_mb: Approximate download size in megabytes.
        languages: "en" for English-only models, else "multilingual".
        parameters: Parameter count as people quote it ("244M").
        relative_speed: Rough decoding speed, large-v3 = 1.0, higher is faster.
        quality: Rough accuracy for the UI, 1 to 5 stars.
        description: One line for the UI.
        quantization: Weight bits when quantized (4 or 8), None for float16.
        can_translate: Whether it was trained to translate into English; large-v3-turbo was
            fine-tuned on transcription only, and English-only models know no other language.
        revision: The pinned commit of ``repo``, None where unpinned (see `engine.model_pins`).
        weights_sha256: The sha256 of the weights file at ``revision``, None where unpinned.
    """

    name: str
    repo: str
    tokenizer_repo: str
    download_mb: int
    languages: Literal["en", "multilingual"]
    parameters: str
    relative_speed: float
    quality: int
    description: str
    quantization: Literal[4, 8] | None = None
    can_translate: bool = False
    revision: str | None = None
    weights_sha256: str | None = None

    @property
    def pinned(self) -> bool:
        """Whether downloads are checked: a fixed commit and the sha256 of its weights."""
        return self.revision is not None and self.weights_sha256 is not None

    def supports(self, task: str) -> bool:
        """Whether the model does ``task`` ("transcribe" or "translate")."""
        return task == "transcribe" or (task == "translate" and self.can_translate)


# Repositories checked against mlx-community model pages and apps using them (mlx-examples
# whisper, lightning-whisper-mlx). Sizes of tiny, base, small, medium, large-v3, large-v3-turbo
# and distil-large-v3 are their weight files; the others are estimates (the .en twins match
# their multilingual ones; 4/8-bit are about 0.28/0.53 of float16). Speeds follow the openai/
# whisper README (relative to large) and the distil-large-v3 card; quantized speeds are guesses.
_ENTRIES: Final[tuple[ModelSpec, ...]] = (
    ModelSpec(
        name="tiny", repo="mlx-community/whisper-tiny-mlx", tokenizer_repo="openai/whisper-tiny",
        download_mb=74, languages="multilingual", parameters="39M", relative_speed=10.0,
        quality=1, can_translate=True,
        description="Fastest and roughest: quick drafts and testing.",
    ),
    ModelSpec(
        name="tiny.en", repo="mlx-community/whisper-tiny.en-mlx",
        tokenizer_repo="openai/whisper-tiny.en", download_mb=74, languages="en",
        parameters="39M", relative_speed=10.0, quality=1,
        description="Fastest, English only: quick drafts and testing.",
    ),
    ModelSpec(
        name="base", repo="mlx-community/whisper-base-mlx", tokenizer_repo="openai/whisper-base",
        download_mb=144, languages="multilingual", parameters="74M", relative_speed=7.0,
        quality=2, can_translate=True,
        description="Very fast, many mistakes on hard audio.",
    ),
    ModelSpec(
        name="base.en", repo="mlx-community/whisper-base.en-mlx",
        tokenizer_repo="openai/whisper-base.en", download_mb=144, languages="en",
        parameters="74M", relative_speed=7.0, quality=2,
        description="Very fast, English only, many mistakes on hard audio.",
    ),
    ModelSpec(
        name="small", repo="mlx-community/whisper-small-mlx",
        tokenizer_repo="openai/whisper-small", download_mb=481, languages="multilingual",
        parameters="244M", relative_speed=4.0, quality=3, can_translate=True,
        description="Fast and good: a sound default on any computer.",
    ),
    ModelSpec(
        name="small.en", repo="mlx-community/whisper-small.en-mlx",
        tokenizer_repo="openai/whisper-small.en", download_mb=481, languages="en",
        parameters="244M", relative_speed=4.0, quality=3,
        description="Fast and good, English only.",
    ),
    ModelSpec(
        name="medium", repo="mlx-community/whisper-medium-mlx",
        tokenizer_repo="openai/whisper-medium", download_mb=1525, languages="multilingual",
        parameters="769M", relative_speed=2.0, quality=4, can_translate=True,
        description="Accurate but slow; large-v3-turbo is usually the better choice.",
    ),
    ModelSpec(
        name="medium.en", repo="mlx-community/whisper-medium.en-mlx",
        tokenizer_repo="openai/whisper-medium.en", download_mb=1525, languages="en",
        parameters="769M", relative_speed=2.0, quality=4,
        description="Accurate but slow, English only.",
    ),
    ModelSpec(
        name="large-v2", repo="mlx-community/whisper-large-v2-mlx",
        tokenizer_repo="openai/whisper-large-v2", download_mb=3084, languages="multilingual",
        parameters="1550M", relative_speed=1.0, quality=4, can_translate=True,
        description="The previous large model; fewer made-up repetitions than v3 on some audio.",
    ),
    ModelSpec(
        name="large-v3", repo="mlx-community/whisper-large-v3-mlx",
        tokenizer_repo="openai/whisper-large-v3", download_mb=3084, languages="multilingual",
        parameters="1550M", relative_speed=1.0, quality=5, can_translate=True,
        description="Most accurate, slowest and largest.",
    ),
    ModelSpec(
        name="large-v3-turbo", repo="mlx-community/whisper-large-v3-turbo",
        tokenizer_repo="openai/whisper-large-v3-turbo", download_mb=1614,
        languages="multilingual", parameters="809M", relative_speed=8.0, quality=4,
        description="Nearly large-v3 accuracy at several times the speed.",
    ),
    ModelSpec(
        name="distil-large-v3", repo="mlx-community/distil-whisper-large-v3",
        tokenizer_repo="distil-whisper/distil-large-v3", download_mb=1509, languages="en",
        parameters="756M", relative_speed=6.0, quality=4,
        description="Fast and accurate for English (its other languages are unreliable).",
    ),
    ModelSpec(
        name="large-v3-turbo-q4", repo="mlx-community/whisper-large-v3-turbo-q4",
        tokenizer_repo="openai/whisper-large-v3-turbo", download_mb=460,
        languages="multilingual", parameters="809M", relative_speed=8.0, quality=4,
        description="large-v3-turbo in 4-bit: a third of the download, slightly less accurate.",
        quantization=4,
    ),
)  # fmt: skip

# Only what a model page confirms: large-v3 in 4 and 8 bits (named by lightning-whisper-mlx
# alone) are left out until someone checks them (issue 16).
CATALOGUE: Final[tuple[ModelSpec, ...]] = tuple(
    dataclasses.replace(s, revision=PINS[s.name][0], weights_sha256=PINS[s.name][1])
    if s.name in PINS
    else s
    for s in _ENTRIES
)

# "small": in an editor where every wrong word costs a correction, tiny/base make too many;
# small is accurate enough, multilingual, a ~480 MB download, and quick even on a CPU, where
# large-v3-turbo (1.6 GB, the better choice on Apple silicon) is slow.
DEFAULT_MODEL: Final = "small"
# A bundle built with a model inside (packaging/build.py --bundle-model) points here at it.
DEFAULT_MODEL_ENV: Final = "TRANSCRIPT_DEFAULT_MODEL"


def default_model() -> str:
    """The model to use when none is chosen: ``$TRANSCRIPT_DEFAULT_MODEL`` or `DEFAULT_MODEL`."""
    return os.environ.get(DEFAULT_MODEL_ENV, "").strip() or DEFAULT_MODEL


_ALIASES: Final = {"turbo": "large-v3-turbo", "large": "large-v3"}
_REPO_ID: Final = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
_WEIGHT_FILES: Final = ("weights.safetensors", "weights.npz")  # preferred first
_TOKENIZER_FILE: Final = "tokenizer.json"
# What a model repository must provide; ``*.tiktoken`` are openai/whisper's tokenizer files.
_MODEL_PATTERNS: Final = ("config.json", *_WEIGHT_FILES, _TOKENIZER_FILE, "*.tiktoken")
_PICKLE_SUFFIXES: Final = frozenset({".pt", ".pth", ".bin", ".ckpt", ".pkl", ".pickle"})
_DIMS_KEYS: Final = (
    "n_mels", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
    "n_vocab", "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer",
)  # fmt: skip
# For models outside the catalogue: the vocabulary size tells which tokenizer fits (English-only,
# multilingual up to large-v2, large-v3 with its extra language).
_TOKENIZER_BY_VOCAB: Final = {
    51864: "openai/whisper-tiny.en",
    51865: "openai/whisper-tiny",
    51866: "openai/whisper-large-v3",
}


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """The files of a model, ready to load.

    Attributes:
        name: Catalogue name, repository id, or folder name.
        folder: The folder with the config and weights.
        config_path: ``config.json`` (the model dimensions).
        weights_path: ``weights.safetensors`` or ``weights.npz``.
        tokenizer_path: ``tokenizer.json`` or a ``*.tiktoken`` file, possibly in another folder.
        spec: The catalogue entry, None for other repositories and folders.
    """

    name: str
    folder: Path
    config_path: Path
    weights_path: Path
    tokenizer_path: Path
    spec: ModelSpec | None = None


@dataclass(frozen=True, slots=True)
class _Layout:
    """What a folder holds; None where a file is missing."""

    config: Path | None
    weights: Path | None
    tokenizer: Path | None
    n_vocab: int | None


def find_spec(name_or_repo: str) -> ModelSpec | None:
    """The catalogue entry for a name ("small", "turbo") or repository id, any case."""
    key = name_or_repo.strip().lower()
    key = _ALIASES.get(key, key)
    return next((s for s in CATALOGUE if key in (s.name, s.repo.lower())), None)


def resolve_model(
    name_or_path: str | Path,
    *,
    allow_download: bool = True,
    on_progress: Callable[[DownloadProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> ModelFiles:
    """Find a model's files, downloading them into the Hugging Face cache if needed.

    Args:
        name_or_path: A catalogue name, a Hugging Face repository id, or a model folder.
        allow_download: Whether the network may be used; ``HF_HUB_OFFLINE=1`` also forbids it.
        on_progress: Called as bytes arrive, possibly from a download thread.
        cancel: Set it to stop a download; `Cancelled` is raised.

    Returns:
        The paths of the model's config, weights and tokenizer.

    Raises:
        ModelLoadError: Unknown name, unusable folder, not downloaded and no download possible,
            or a failed download; the message says what to do.
        Cancelled: ``cancel`` was set during a download.
    """
    tracker = ProgressTracker(on_progress, cancel)
    no_download = _why_no_download(allow_download)
    folder = _local_folder(name_or_path)
    spec: ModelSpec | None = None
    if folder is not None:
        name, where = folder.name, f"the folder {folder}"
        layout = _inspect(folder)
    else:
        spec, repo = _lookup(str(name_or_path))
        name, where = (spec.name if spec else repo), f"{repo} on Hugging Face"
        folder, layout = _hub_model(repo, spec, no_download, tracker)
    config, weights = _require_model(folder, layout, where)
    tokenizer = layout.tokenizer or _external_tokenizer(name, spec, layout, no_download, tracker)
    logger.info(
        "Model %s (%s): weights %s, tokenizer %s", name, _pin_note(spec), weights, tokenizer
    )
    return ModelFiles(name, folder, config, weights, tokenizer, spec)


def check_task(spec: ModelSpec | None, task: str) -> None:
    """Refuse a task the catalogue model was not trained for.

    Models outside the catalogue (``spec`` None) are not known well enough to refuse anything;
    English-only ones are refused by the transcriber, which sees the vocabulary.

    Raises:
        EngineError: ``task`` is "translate" and the model cannot translate.
    """
    if spec is None or spec.supports(task):
        return
    able = ", ".join(s.name for s in CATALOGUE if s.supports(task))
    raise EngineError(
        f"The model {spec.name} was not trained to {task}, so its output would not be a "
        f"translation; choose transcribe, or a model that translates ({able})."
    )


def _pin_note(spec: ModelSpec | None) -> str:
    if spec is None:
        return "not in the catalogue"
    if spec.revision is not None and spec.weights_sha256 is not None:
        return f"pinned to {spec.revision[:12]}"
    return "unpinned: whatever Hugging Face serves is loaded"


def is_downloaded(spec: ModelSpec) -> bool:
    """Whether a catalogue model is in the cache, tokenizer included (no network)."""
    folder = cached_snapshot(spec.repo, _MODEL_PATTERNS, spec.revision)
    if folder is None:
        return False
    try:
        layout = _inspect(folder)
    except ModelLoadError:
        return False
    if layout.config is None or layout.weights is None:
        return False
    return (
        layout.tokenizer is not None
        or cached_file(spec.tokenizer_repo, _TOKENIZER_FILE) is not None
    )


def cached_models() -> list[ModelSpec]:
    """The catalogue models that are downloaded, in catalogue order (no network)."""
    return [spec for spec in CATALOGUE if is_downloaded(spec)]


def delete_model(spec: ModelSpec) -> int:
    """Remove a model from the Hugging Face cache; returns the bytes freed.

    Its tokenizer repository stays: it is small and several models share it.

    Raises:
        EngineError: The files could not be deleted.
    """
    return delete_repo(spec.repo)


def model_size_on_disk(spec: ModelSpec) -> int:
    """Bytes a model takes in the cache, partial downloads included; 0 if absent."""
    return repo_size_on_disk(spec.repo)


def _why_no_download(allow_download: bool) -> str | None:
    """Why the network may not be used (a clause ending with what to do), or None."""
    if hub_offline():
        return (
            "there is no connection: Hugging Face offline mode is on (HF_HUB_OFFLINE=1); "
            "turn it off to download"
        )
    if not allow_download:
        return "downloading is turned off; allow downloading to get it"
    return None


def _local_folder(name_or_path: str | Path) -> Path | None:
    """The folder meant, or None for a name or repository id."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    text = str(name_or_path)
    looks_like_path = (
        isinstance(name_or_path, Path)
        or text.startswith(("/", "~", "."))
        or "\\" in text
        or text.count("/") > 1
    )
    if path.exists():
        raise ModelLoadError(f"{path} is a file: choose the model's folder instead")
    if looks_like_path:
        raise ModelLoadError(f"the model folder {path} does not exist")
    return None


def _lookup(name: str) -> tuple[ModelSpec | None, str]:
    spec = find_spec(name)
    if spec is not None:
        return spec, spec.repo
    if _REPO_ID.fullmatch(name):
        return None, name
    names = ", ".join(s.name for s in CATALOGUE)
    raise ModelLoadError(
        f"unknown model {name!r}: choose one of {names}, a Hugging Face repository such as "
        "mlx-community/whisper-small-mlx, or a model folder"
    )


def _hub_model(
    repo: str, spec: ModelSpec | None, no_download: str | None, tracker: ProgressTracker
) -> tuple[Path, _Layout]:
    """The cached snapshot of a model repository, downloaded first if incomplete."""
    revision = spec.revision if spec else None
    folder = cached_snapshot(repo, _MODEL_PATTERNS, revision)
    if folder is not None:
        layout = _inspect(folder)
        if layout.config is not None and layout.weights is not None:
            return folder, layout
    name = spec.name if spec else repo
    if no_download is not None:
        size = f" (about {spec.download_mb} MB)" if spec else ""
        raise ModelLoadError(f"the model {name}{size} is not downloaded yet and {no_download}")
    if spec is not None and not spec.pinned:
        logger.warning("Downloading %s unpinned: no checked revision or weights checksum", name)
    plan = _without_redundant_weights(plan_fetch(repo, _MODEL_PATTERNS, revision))
    tracker.expect(plan)
    tokenizer_plan = None
    if spec is not None and _needs_tokenizer(plan, spec):
        # Planned now so the first progress report already has the whole total.
        tokenizer_plan = plan_fetch(spec.tokenizer_repo, (_TOKENIZER_FILE,))
        tracker.expect(tokenizer_plan)
    folder = fetch(plan, tracker, _weights_checksum(plan, spec))
    if tokenizer_plan is not None:
        fetch(tokenizer_plan, tracker)
    return folder, _inspect(folder)


def _without_redundant_weights(plan: RepoPlan) -> RepoPlan:
    """Skip weights.npz when the repository also has the preferred weights.safetensors."""
    if _WEIGHT_FILES[0] not in plan.files:
        return plan
    missing = tuple(item for item in plan.missing if item[0] not in _WEIGHT_FILES[1:])
    return dataclasses.replace(plan, missing=missing)


def _weights_checksum(plan: RepoPlan, spec: ModelSpec | None) -> dict[str, str]:
    """The pinned sha256 of the weights file the plan fetches, by name; empty when unpinned."""
    if spec is None or spec.weights_sha256 is None:
        return {}
    weights = next((name for name in _WEIGHT_FILES if name in plan.files), None)
    return {weights: spec.weights_sha256} if weights else {}


def _needs_tokenizer(plan: RepoPlan, spec: ModelSpec) -> bool:
    has_own = any(f == _TOKENIZER_FILE or f.endswith(".tiktoken") for f in plan.files)
    return not has_own and cached_file(spec.tokenizer_repo, _TOKENIZER_FILE) is None


def _external_tokenizer(
    name: str,
    spec: ModelSpec | None,
    layout: _Layout,
    no_download: str | None,
    tracker: ProgressTracker,
) -> Path:
    """The tokenizer from the model's tokenizer repository, for a model without its own."""
    repo = spec.tokenizer_repo if spec else _TOKENIZER_BY_VOCAB.get(layout.n_vocab or 0)
    if repo is None:
        raise ModelLoadError(
            f"the model {name} has no tokenizer (tokenizer.json or *.tiktoken) and its "
            f"vocabulary of {layout.n_vocab} tokens matches no Whisper tokenizer: "
            "add the tokenizer.json of the model it was converted from"
        )
    cached = cached_file(repo, _TOKENIZER_FILE)
    if cached is not None:
        return cached
    if no_download is not None:
        raise ModelLoadError(
            f"the model {name} has no tokenizer of its own; the one from {repo} is not "
            f"downloaded yet and {no_download}"
        )
    plan = plan_fetch(repo, (_TOKENIZER_FILE,))
    tracker.expect(plan)
    path = fetch(plan, tracker) / _TOKENIZER_FILE
    if not path.is_file():
        raise ModelLoadError(f"{repo} on Hugging Face has no {_TOKENIZER_FILE}")
    return path


def _inspect(folder: Path) -> _Layout:
    """What a model folder holds.

    Raises:
        ModelLoadError: ``config.json`` is unreadable or not Whisper's.
    """
    config = folder / "config.json"
    n_vocab = _read_dims(config)["n_vocab"] if config.is_file() else None
    weights = next((folder / n for n in _WEIGHT_FILES if (folder / n).is_file()), None)
    tokenizers = [folder / _TOKENIZER_FILE, *sorted(folder.glob("*.tiktoken"))]
    tokenizer = next((path for path in tokenizers if path.is_file()), None)
    return _Layout(config if config.is_file() else None, weights, tokenizer, n_vocab)


def _read_dims(config: Path) -> dict[str, int]:
    """The model dimensions in ``config.json``.

    Raises:
        ModelLoadError: Unreadable, not JSON, or without Whisper's dimensions.
    """
    try:
        data: Any = json.loads(config.read_text(encoding="utf-8"))
    except OSError as e:
        raise ModelLoadError(f"cannot read {config}: {e.strerror}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelLoadError(
            f"{config} is damaged (not valid JSON): delete the model and download it again"
        ) from e
    if not isinstance(data, dict):
        raise ModelLoadError(
            f"{config} is not a Whisper model configuration; use an MLX Whisper model "
            "(an mlx-community conversion) or download the model again"
        )
    missing = [k for k in _DIMS_KEYS if not (isinstance(data.get(k), int) and data[k] > 0)]
    if missing:
        raise ModelLoadError(
            f"{config} is not a Whisper model configuration: it lacks {', '.join(missing)}; "
            "use an MLX Whisper model (an mlx-community conversion)"
        )
    return {key: int(data[key]) for key in _DIMS_KEYS}


def _require_model(folder: Path, layout: _Layout, where: str) -> tuple[Path, Path]:
    """The config and weights, or a helpful `ModelLoadError` saying what is wrong."""
    if layout.config is None:
        raise ModelLoadError(
            f"{where} has no config.json: it is not an MLX Whisper model; use an "
            "mlx-community conversion"
        )
    if layout.weights is not None:
        return layout.config, layout.weights
    names = sorted(p.name for p in folder.iterdir())
    pickled = [n for n in names if Path(n).suffix.lower() in _PICKLE_SUFFIXES]
    if pickled:
        raise ModelLoadError(
            f"{where} holds PyTorch weights ({', '.join(pickled)}), which are not supported for "
            "safety; use an mlx-community conversion (for example mlx-community/whisper-small-mlx)"
        )
    if "model.safetensors" in names:
        raise ModelLoadError(
            f"{where} holds Hugging Face Transformers weights (model.safetensors), not MLX ones; "
            "use an mlx-community conversion"
        )
    raise ModelLoadError(
        f"{where} has no model weights (weights.safetensors or weights.npz); download the "
        "model again or use an mlx-community conversion"
    )
