"""A fake Hugging Face Hub for the model tests: nothing here touches the network.

`FakeHub` stands in for the two huggingface_hub calls that would use the network
(``snapshot_download(dry_run=True)`` and ``hf_hub_download``) and lays files out in a temporary
cache exactly as huggingface_hub does (blobs, snapshot symlinks, ``refs/main``), so the real
offline look-ups (``local_files_only=True``, ``try_to_load_from_cache``, ``scan_cache_dir``) run
unchanged against it. Downloads write an ``.incomplete`` blob chunk by chunk, calling the progress
bar before each chunk as ``huggingface_hub.file_download.http_get`` does, and keep it when stopped
so the next attempt resumes (as huggingface_hub 1.x does; 2.x deletes it).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from fnmatch import fnmatch
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import huggingface_hub
import pytest
from huggingface_hub import DryRunFileInfo, constants
from huggingface_hub.errors import DryRunError, RepositoryNotFoundError

import engine.download

REAL_SNAPSHOT_DOWNLOAD = huggingface_hub.snapshot_download

TINY_EN_CONFIG = {
    "n_mels": 80,
    "n_audio_ctx": 1500,
    "n_audio_state": 384,
    "n_audio_head": 6,
    "n_audio_layer": 4,
    "n_vocab": 51864,
    "n_text_ctx": 448,
    "n_text_state": 384,
    "n_text_head": 6,
    "n_text_layer": 4,
    "model_type": "whisper",
}


def config_bytes(**changes: Any) -> bytes:
    return json.dumps({**TINY_EN_CONFIG, **changes}).encode()


def model_files(*, weights_size: int = 40_000, tokenizer: bool = False) -> dict[str, bytes]:
    """Small stand-ins for an MLX model repository's files (the loader is not under test)."""
    files = {"config.json": config_bytes(), "weights.safetensors": os.urandom(weights_size)}
    if tokenizer:
        files["tokenizer.json"] = b'{"model": {"vocab": {}}}'
    return files


def commit_of(repo: str) -> str:
    return hashlib.sha1(repo.encode()).hexdigest()


def storage(cache: Path, repo: str) -> Path:
    return cache / ("models--" + repo.replace("/", "--"))


def snapshot(cache: Path, repo: str) -> Path:
    return storage(cache, repo) / "snapshots" / commit_of(repo)


def _write_ref(cache: Path, repo: str) -> None:
    refs = storage(cache, repo) / "refs"
    refs.mkdir(parents=True, exist_ok=True)
    (refs / "main").write_text(commit_of(repo))


def _link(cache: Path, repo: str, name: str, blob: Path) -> Path:
    link = snapshot(cache, repo) / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(os.path.relpath(blob, link.parent))
    return link


def _blob(cache: Path, repo: str, data: bytes) -> Path:
    blob = storage(cache, repo) / "blobs" / hashlib.sha256(data).hexdigest()
    blob.parent.mkdir(parents=True, exist_ok=True)
    return blob


def install(cache: Path, repo: str, files: dict[str, bytes]) -> Path:
    """Put files in the cache as a finished huggingface_hub download would; returns the snapshot."""
    _write_ref(cache, repo)
    for name, data in files.items():
        blob = _blob(cache, repo, data)
        blob.write_bytes(data)
        _link(cache, repo, name, blob)
    return snapshot(cache, repo)


def all_files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def not_found(repo: str) -> RepositoryNotFoundError:
    response = SimpleNamespace(headers={}, request=None, status_code=404)
    return RepositoryNotFoundError(f"404: {repo} not found", response=response)  # type: ignore[arg-type]


class FakeHub:
    """The remote repositories, and a record of what was asked of them."""

    def __init__(self, cache: Path, chunk_size: int = 4096) -> None:
        self.cache = cache
        self.chunk_size = chunk_size
        self.remote: dict[str, dict[str, bytes]] = {}
        self.planned: list[str] = []
        self.planned_revisions: list[str | None] = []
        self.downloads: list[tuple[str, str]] = []
        self.plan_error: BaseException | None = None
        self.download_error: BaseException | None = None

    def snapshot_download(
        self,
        repo_id: str,
        *,
        allow_patterns: list[str] | None = None,
        cache_dir: str | Path | None = None,
        local_files_only: bool = False,
        dry_run: bool = False,
        **kwargs: Any,
    ) -> Any:
        assert Path(cache_dir or "") == self.cache, "the engine must pass the cache folder"
        if local_files_only:
            return REAL_SNAPSHOT_DOWNLOAD(
                repo_id,
                allow_patterns=allow_patterns,
                cache_dir=cache_dir,
                local_files_only=True,
                revision=kwargs.get("revision"),
            )
        assert dry_run, "the engine plans with dry_run and then fetches file by file"
        assert kwargs.get("tqdm_class") is not None, "the default bars would print"
        self.planned.append(repo_id)
        self.planned_revisions.append(kwargs.get("revision"))
        if self.plan_error is not None:
            raise self.plan_error
        if repo_id not in self.remote:
            raise DryRunError("cannot access the repository") from not_found(repo_id)
        _write_ref(self.cache, repo_id)  # as the real dry run does
        patterns = allow_patterns or ["*"]
        names = [n for n in self.remote[repo_id] if any(fnmatch(n, p) for p in patterns)]
        folder = snapshot(self.cache, repo_id)
        return [
            DryRunFileInfo(
                commit_hash=commit_of(repo_id),
                file_size=len(self.remote[repo_id][name]),
                filename=name,
                local_path=str(folder / name),
                is_cached=(folder / name).exists(),
                will_download=not (folder / name).exists(),
            )
            for name in names
        ]

    def hf_hub_download(
        self,
        repo_id: str,
        filename: str,
        *,
        revision: str | None = None,
        cache_dir: str | Path | None = None,
        tqdm_class: Any = None,
        **kwargs: Any,
    ) -> str:
        assert Path(cache_dir or "") == self.cache
        assert revision == commit_of(repo_id), "fetch the planned commit"
        self.downloads.append((repo_id, filename))
        if self.download_error is not None:
            raise self.download_error
        data = self.remote[repo_id][filename]
        blob = _blob(self.cache, repo_id, data)
        partial = blob.with_name(blob.name + ".incomplete")
        resume = partial.stat().st_size if partial.exists() else 0
        with (
            tqdm_class(total=len(data), initial=resume, desc=filename, unit="B") as bar,
            partial.open("ab") as out,
        ):
            for start in range(resume, len(data), self.chunk_size):
                chunk = data[start : start + self.chunk_size]
                bar.update(len(chunk))
                bar.update_transfer(len(chunk))
                out.write(chunk)
        partial.replace(blob)
        return str(_link(self.cache, repo_id, filename, blob))


def use_temporary_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeHub:
    """Point the engine at an empty temporary cache and a fake hub; refuse any socket use."""
    cache = tmp_path / "hf" / "hub"
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    hub = FakeHub(cache)
    monkeypatch.setattr(engine.download, "snapshot_download", hub.snapshot_download)
    monkeypatch.setattr(engine.download, "hf_hub_download", hub.hf_hub_download)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a test touched the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return hub
