"""The model catalogue and resolution: local folders, the cache, downloads (all offline)."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import logging
import shutil
import threading
from pathlib import Path

import pytest
from hub_fakes import (
    FakeHub,
    all_files,
    commit_of,
    config_bytes,
    install,
    model_files,
    snapshot,
    storage,
    use_temporary_hub,
)
from huggingface_hub.errors import DryRunError

import engine.models
from engine.download import DownloadProgress
from engine.errors import Cancelled, EngineError, ModelChecksumError, ModelLoadError
from engine.models import (
    CATALOGUE,
    DEFAULT_MODEL,
    ModelSpec,
    cached_models,
    check_task,
    delete_model,
    find_spec,
    is_downloaded,
    model_size_on_disk,
    resolve_model,
)

TINY_EN = "mlx-community/whisper-tiny.en-mlx"
TINY_EN_TOKENIZER = "openai/whisper-tiny.en"
TOKENIZER = {"tokenizer.json": b'{"model": {"vocab": {"a": 0}}}'}


@pytest.fixture(autouse=True)
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeHub:
    return use_temporary_hub(monkeypatch, tmp_path)


def spec(name: str) -> ModelSpec:
    found = find_spec(name)
    assert found is not None
    return found


def make_folder(root: Path, files: dict[str, bytes]) -> Path:
    folder = root / "model"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def assert_monotonic(events: list[DownloadProgress]) -> None:
    done = [e.downloaded_bytes for e in events]
    assert done == sorted(done)


# --- catalogue ---------------------------------------------------------------------------------


def test_catalogue_names_and_repos_are_unique() -> None:
    names = [s.name for s in CATALOGUE]
    repos = [s.repo for s in CATALOGUE]
    assert len(set(names)) == len(names)
    assert len(set(repos)) == len(repos)


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda s: s.name)
def test_catalogue_entry_is_consistent(entry: ModelSpec) -> None:
    assert entry.repo.startswith(("mlx-community/whisper-", "mlx-community/distil-whisper-"))
    assert entry.tokenizer_repo.startswith(("openai/whisper-", "distil-whisper/"))
    assert entry.languages in ("en", "multilingual")
    assert 1 <= entry.quality <= 5
    assert entry.download_mb > 0
    assert entry.relative_speed > 0
    assert entry.description
    assert "\n" not in entry.description
    if entry.name.endswith(".en"):
        assert entry.languages == "en"
        assert entry.tokenizer_repo.endswith(".en")
    if entry.quantization is None:
        assert not entry.name.endswith(("-q4", "-q8"))
    else:
        assert entry.name.endswith(f"-q{entry.quantization}")


def test_only_verified_entries_are_offered() -> None:
    # large-v3 in 4 and 8 bits were named by one app, never checked on a model page (issue 16)
    assert find_spec("large-v3-q4") is None
    assert find_spec("large-v3-q8") is None


def test_translate_is_offered_only_by_models_trained_for_it() -> None:
    translators = {s.name for s in CATALOGUE if s.can_translate}
    assert translators == {"tiny", "base", "small", "medium", "large-v2", "large-v3"}
    assert all(s.languages == "multilingual" for s in CATALOGUE if s.can_translate)
    assert spec("large-v3-turbo").supports("transcribe")
    assert not spec("large-v3-turbo").supports("translate")


@pytest.mark.parametrize("name", ["large-v3-turbo", "large-v3-turbo-q4", "distil-large-v3"])
def test_translate_is_refused_where_the_model_was_not_trained_for_it(name: str) -> None:
    with pytest.raises(EngineError, match=rf"{name} was not trained to translate.*large-v3\)"):
        check_task(spec(name), "translate")
    check_task(spec(name), "transcribe")


def test_translate_is_allowed_where_it_was_trained_and_for_unknown_models() -> None:
    check_task(spec("large-v3"), "translate")
    check_task(None, "translate")


def test_unpinned_entries_say_so(hub: FakeHub, caplog: pytest.LogCaptureFixture) -> None:
    assert not spec("tiny.en").pinned  # no pins yet: scripts/pin_models.py fills them online
    install(hub.cache, TINY_EN, model_files(tokenizer=True))
    with caplog.at_level(logging.INFO, logger="engine.models"):
        resolve_model("tiny.en")
    assert "tiny.en (unpinned" in caplog.text


def test_default_model_is_in_catalogue() -> None:
    assert find_spec(DEFAULT_MODEL) is not None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("small", "small"),
        ("Small ", "small"),
        ("mlx-community/WHISPER-small-mlx", "small"),
        ("turbo", "large-v3-turbo"),
        ("large-v3-turbo-q4", "large-v3-turbo-q4"),
        ("huge", None),
    ],
)
def test_find_spec(query: str, expected: str | None) -> None:
    found = find_spec(query)
    assert (found.name if found else None) == expected


# --- local folders ------------------------------------------------------------------------------


def test_real_tiny_en_folder_resolves(tiny_en_model: Path, hub: FakeHub) -> None:
    for given in (tiny_en_model, str(tiny_en_model)):
        files = resolve_model(given)
        assert files.folder == tiny_en_model
        assert files.config_path == tiny_en_model / "config.json"
        assert files.weights_path == tiny_en_model / "weights.safetensors"
        assert files.tokenizer_path == tiny_en_model / "tokenizer.json"
        assert files.spec is None
        assert files.name == tiny_en_model.name
    assert hub.planned == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"weights.safetensors": b"w", **TOKENIZER}, "no config.json"),
        ({"config.json": b"{not json", "weights.safetensors": b"w"}, "not valid JSON"),
        ({"config.json": b"[1, 2]", "weights.safetensors": b"w"}, "not a Whisper model"),
        ({"config.json": config_bytes(n_mels=None), "weights.npz": b"w"}, "lacks n_mels"),
        (
            {"config.json": config_bytes(), "model.pt": b"pickle", **TOKENIZER},
            "holds PyTorch weights (model.pt), which are not supported for safety",
        ),
        (
            {"config.json": config_bytes(), "pytorch_model.bin": b"pickle"},
            "use an mlx-community conversion",
        ),
        ({"config.json": config_bytes(), "model.safetensors": b"w"}, "Transformers"),
        ({"config.json": config_bytes(), **TOKENIZER}, "has no model weights"),
    ],
)
def test_unusable_folder_is_explained(
    tmp_path: Path, files: dict[str, bytes], expected: str
) -> None:
    folder = make_folder(tmp_path, files)
    with pytest.raises(
        ModelLoadError, match="(?s)" + expected.replace("(", r"\(").replace(")", r"\)")
    ):
        resolve_model(folder)


def test_safetensors_preferred_then_npz(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path, {"config.json": config_bytes(), "weights.npz": b"n", **TOKENIZER}
    )
    assert resolve_model(folder).weights_path == folder / "weights.npz"
    (folder / "weights.safetensors").write_bytes(b"s")
    assert resolve_model(folder).weights_path == folder / "weights.safetensors"


def test_tiktoken_tokenizer_accepted(tmp_path: Path) -> None:
    folder = make_folder(
        tmp_path,
        {"config.json": config_bytes(), "weights.npz": b"n", "gpt2.tiktoken": b"IQ== 0\n"},
    )
    assert resolve_model(folder).tokenizer_path == folder / "gpt2.tiktoken"


def test_folder_without_tokenizer_uses_the_cached_one(tmp_path: Path, hub: FakeHub) -> None:
    folder = make_folder(tmp_path, {"config.json": config_bytes(), "weights.npz": b"n"})
    cached = install(hub.cache, TINY_EN_TOKENIZER, TOKENIZER)
    files = resolve_model(folder, allow_download=False)
    assert files.tokenizer_path == cached / "tokenizer.json"
    assert files.folder == folder
    assert hub.planned == []


def test_folder_without_tokenizer_downloads_it_into_the_cache(tmp_path: Path, hub: FakeHub) -> None:
    folder = make_folder(tmp_path, {"config.json": config_bytes(), "weights.npz": b"n"})
    before = all_files(folder)
    hub.remote[TINY_EN_TOKENIZER] = TOKENIZER
    files = resolve_model(folder)
    assert hub.downloads == [(TINY_EN_TOKENIZER, "tokenizer.json")]
    assert files.tokenizer_path.read_bytes() == TOKENIZER["tokenizer.json"]
    assert hub.cache in files.tokenizer_path.parents
    assert all_files(folder) == before  # nothing written into the model folder


def test_folder_without_tokenizer_offline_is_explained(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, {"config.json": config_bytes(), "weights.npz": b"n"})
    with pytest.raises(ModelLoadError, match=f"no tokenizer.*{TINY_EN_TOKENIZER}.*turned off"):
        resolve_model(folder, allow_download=False)


def test_folder_with_unknown_vocabulary_and_no_tokenizer(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, {"config.json": config_bytes(n_vocab=1000), "weights.npz": b"n"})
    with pytest.raises(ModelLoadError, match="1000 tokens matches no Whisper tokenizer"):
        resolve_model(folder)


def test_missing_folder_and_file_paths(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="does not exist"):
        resolve_model(tmp_path / "nowhere")
    with pytest.raises(ModelLoadError, match="does not exist"):
        resolve_model("./nowhere/at/all")
    (tmp_path / "config.json").write_bytes(config_bytes())
    with pytest.raises(ModelLoadError, match="is a file"):
        resolve_model(tmp_path / "config.json")


def test_unknown_name_lists_the_choices(hub: FakeHub) -> None:
    with pytest.raises(ModelLoadError, match=r"unknown model 'huge'.*large-v3-turbo"):
        resolve_model("huge")
    assert hub.planned == []


# --- the cache ----------------------------------------------------------------------------------


def test_cached_model_resolves_without_network(hub: FakeHub) -> None:
    folder = install(hub.cache, TINY_EN, model_files(tokenizer=True))
    files = resolve_model("tiny.en")
    assert files.folder == folder
    assert files.weights_path == folder / "weights.safetensors"
    assert files.tokenizer_path == folder / "tokenizer.json"
    assert files.spec == spec("tiny.en")
    assert hub.planned == []
    assert is_downloaded(spec("tiny.en"))
    assert cached_models() == [spec("tiny.en")]


def test_cached_model_with_cached_tokenizer_repo(hub: FakeHub) -> None:
    folder = install(hub.cache, TINY_EN, model_files())
    tokenizer = install(hub.cache, TINY_EN_TOKENIZER, TOKENIZER) / "tokenizer.json"
    files = resolve_model(TINY_EN, allow_download=False)
    assert (files.folder, files.tokenizer_path) == (folder, tokenizer)
    assert is_downloaded(spec("tiny.en"))


def test_partial_cache_is_not_downloaded(hub: FakeHub) -> None:
    install(hub.cache, TINY_EN, {"config.json": config_bytes(), **TOKENIZER})
    assert not is_downloaded(spec("tiny.en"))
    assert cached_models() == []
    size = spec("tiny.en").download_mb
    with pytest.raises(
        ModelLoadError, match=rf"tiny\.en \(about {size} MB\) is not downloaded yet"
    ):
        resolve_model("tiny.en", allow_download=False)


def test_not_cached_and_downloads_off(hub: FakeHub) -> None:
    hub.remote[TINY_EN] = model_files(tokenizer=True)
    with pytest.raises(ModelLoadError, match=r"not downloaded yet and downloading is turned off"):
        resolve_model("tiny.en", allow_download=False)
    assert hub.planned == []


def test_hf_hub_offline_is_respected(hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.remote[TINY_EN] = model_files(tokenizer=True)
    with pytest.raises(ModelLoadError, match="not downloaded yet and there is no connection"):
        resolve_model("tiny.en")
    assert hub.planned == []
    install(hub.cache, TINY_EN, model_files(tokenizer=True))
    assert resolve_model("tiny.en").spec == spec("tiny.en")


def test_size_on_disk_and_delete(hub: FakeHub) -> None:
    files = model_files(tokenizer=True)
    install(hub.cache, TINY_EN, files)
    model = spec("tiny.en")
    assert model_size_on_disk(model) == sum(len(data) for data in files.values())
    assert delete_model(model) == sum(len(data) for data in files.values())
    assert not is_downloaded(model)
    assert model_size_on_disk(model) == 0
    assert not storage(hub.cache, TINY_EN).exists()
    assert delete_model(model) == 0


# --- downloads ----------------------------------------------------------------------------------


def test_download_reports_monotonic_progress_with_the_whole_total(hub: FakeHub) -> None:
    hub.remote[TINY_EN] = model_files()
    hub.remote[TINY_EN_TOKENIZER] = TOKENIZER
    expected_total = sum(len(d) for d in hub.remote[TINY_EN].values()) + len(
        TOKENIZER["tokenizer.json"]
    )
    events: list[DownloadProgress] = []
    files = resolve_model("tiny.en", on_progress=events.append)
    assert_monotonic(events)
    assert {e.total_bytes for e in events} == {expected_total}  # planned before the first byte
    assert events[-1].downloaded_bytes == expected_total
    assert events[-1].fraction == 1.0
    assert {e.file for e in events} >= {"config.json", "weights.safetensors", "tokenizer.json"}
    assert files.folder == snapshot(hub.cache, TINY_EN)
    assert files.tokenizer_path == snapshot(hub.cache, TINY_EN_TOKENIZER) / "tokenizer.json"
    assert files.weights_path.read_bytes() == hub.remote[TINY_EN]["weights.safetensors"]
    assert is_downloaded(spec("tiny.en"))
    hub.planned.clear()
    assert resolve_model("tiny.en", allow_download=False).folder == files.folder
    assert hub.planned == []


def test_download_skips_npz_when_safetensors_exist(hub: FakeHub) -> None:
    hub.remote[TINY_EN] = {**model_files(tokenizer=True), "weights.npz": b"npz" * 100}
    files = resolve_model("tiny.en")
    assert (TINY_EN, "weights.npz") not in hub.downloads
    assert files.weights_path.name == "weights.safetensors"


def pin_tiny_en(monkeypatch: pytest.MonkeyPatch, weights: bytes) -> ModelSpec:
    """Make the catalogue's tiny.en pinned to the fake hub's commit and these weights."""
    sha = hashlib.sha256(weights).hexdigest()
    pinned = dataclasses.replace(spec("tiny.en"), revision=commit_of(TINY_EN), weights_sha256=sha)
    catalogue = tuple(pinned if s.name == "tiny.en" else s for s in CATALOGUE)
    monkeypatch.setattr(engine.models, "CATALOGUE", catalogue)
    assert pinned.pinned
    return pinned


def test_pinned_download_fetches_the_pinned_commit_and_checks_it(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.remote[TINY_EN] = model_files(tokenizer=True)
    pinned = pin_tiny_en(monkeypatch, hub.remote[TINY_EN]["weights.safetensors"])
    files = resolve_model("tiny.en")
    assert hub.planned_revisions == [pinned.revision]
    assert files.weights_path.read_bytes() == hub.remote[TINY_EN]["weights.safetensors"]
    assert is_downloaded(pinned)


def test_tampered_weights_are_rejected_and_leave_nothing_in_the_cache(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.remote[TINY_EN] = model_files(tokenizer=True)
    good = hub.remote[TINY_EN]["weights.safetensors"]
    pin_tiny_en(monkeypatch, good)
    tampered = bytearray(good)
    tampered[100] ^= 0xFF
    hub.remote[TINY_EN]["weights.safetensors"] = bytes(tampered)
    with pytest.raises(
        ModelChecksumError, match=r"not the file this app was checked with.*deleted"
    ):
        resolve_model("tiny.en")
    left = all_files(storage(hub.cache, TINY_EN))
    assert not [p for p in left if p.name == "weights.safetensors" or ".incomplete" in p.name]
    assert not [p for p in left if p.is_file() and p.read_bytes() == bytes(tampered)]
    assert not is_downloaded(spec("tiny.en"))
    # the next attempt, with the right file served, downloads it again and succeeds
    hub.remote[TINY_EN]["weights.safetensors"] = good
    assert resolve_model("tiny.en").weights_path.read_bytes() == good


def test_other_repository_gets_tokenizer_by_vocabulary(hub: FakeHub) -> None:
    repo = "someone/whisper-custom-mlx"
    hub.remote[repo] = model_files()
    hub.remote[TINY_EN_TOKENIZER] = TOKENIZER
    events: list[DownloadProgress] = []
    files = resolve_model(repo, on_progress=events.append)
    assert files.spec is None
    assert files.name == repo
    assert files.tokenizer_path == snapshot(hub.cache, TINY_EN_TOKENIZER) / "tokenizer.json"
    assert_monotonic(events)
    assert events[-1].downloaded_bytes == events[-1].total_bytes


def test_cancel_mid_download_writes_nothing_outside_the_cache(hub: FakeHub, tmp_path: Path) -> None:
    hub.remote[TINY_EN] = model_files(weights_size=64_000, tokenizer=True)
    outside = all_files(tmp_path) - all_files(hub.cache)
    cancel = threading.Event()
    events: list[DownloadProgress] = []

    def on_progress(progress: DownloadProgress) -> None:
        events.append(progress)
        if progress.file == "weights.safetensors" and progress.downloaded_bytes > 20_000:
            cancel.set()

    with pytest.raises(Cancelled):
        resolve_model("tiny.en", on_progress=on_progress, cancel=cancel)
    assert not (snapshot(hub.cache, TINY_EN) / "weights.safetensors").exists()
    partial = list(storage(hub.cache, TINY_EN).glob("blobs/*.incomplete"))
    assert len(partial) == 1
    resumed = partial[0].stat().st_size
    assert 0 < resumed < 64_000
    assert all_files(tmp_path) - all_files(hub.cache) == outside
    assert not is_downloaded(spec("tiny.en"))

    # Resuming picks up the partial blob and still reports monotonically to the full size.
    events.clear()
    files = resolve_model("tiny.en", on_progress=events.append)
    assert_monotonic(events)
    assert resumed in [e.downloaded_bytes for e in events]  # the partial blob counts at once
    assert events[-1].downloaded_bytes == events[-1].total_bytes
    assert files.weights_path.read_bytes() == hub.remote[TINY_EN]["weights.safetensors"]


def test_cancel_before_start_downloads_nothing(hub: FakeHub) -> None:
    hub.remote[TINY_EN] = model_files(tokenizer=True)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        resolve_model("tiny.en", cancel=cancel)
    assert hub.downloads == []


def test_unknown_repository(hub: FakeHub) -> None:
    with pytest.raises(ModelLoadError, match="someone/nothing was not found on Hugging Face"):
        resolve_model("someone/nothing")


def test_no_connection(hub: FakeHub) -> None:
    error = DryRunError("cannot access the repository")
    error.__cause__ = ConnectionError("Name or service not known")
    hub.plan_error = error
    with pytest.raises(ModelLoadError, match="not downloaded yet and there is no connection"):
        resolve_model("small")


def test_disk_full_during_download(hub: FakeHub) -> None:
    hub.remote[TINY_EN] = model_files(tokenizer=True)
    hub.download_error = OSError(errno.ENOSPC, "No space left on device")
    with pytest.raises(ModelLoadError, match="disk is full"):
        resolve_model("tiny.en")


def test_not_enough_disk_space_is_found_before_downloading(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.remote[TINY_EN] = model_files(tokenizer=True)
    usage = shutil.disk_usage("/")._replace(free=100)
    monkeypatch.setattr("engine.download.shutil.disk_usage", lambda _path: usage)
    with pytest.raises(ModelLoadError, match="not enough free disk space"):
        resolve_model("tiny.en")
    assert hub.downloads == []


def test_repository_without_model_files(hub: FakeHub) -> None:
    hub.remote["someone/readme-only"] = {"README.md": b"hello"}
    with pytest.raises(ModelLoadError, match="none of the files a model needs"):
        resolve_model("someone/readme-only")


def test_damaged_cached_config_is_explained(hub: FakeHub) -> None:
    files = {**model_files(tokenizer=True), "config.json": json.dumps([1]).encode()}
    install(hub.cache, TINY_EN, files)
    with pytest.raises(ModelLoadError, match="not a Whisper model configuration"):
        resolve_model("tiny.en")
    assert not is_downloaded(spec("tiny.en"))


def test_default_model_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.models import DEFAULT_MODEL, DEFAULT_MODEL_ENV, default_model

    monkeypatch.delenv(DEFAULT_MODEL_ENV, raising=False)
    assert default_model() == DEFAULT_MODEL
    monkeypatch.setenv(DEFAULT_MODEL_ENV, "/opt/app/models/whisper-small")
    assert default_model() == "/opt/app/models/whisper-small"
