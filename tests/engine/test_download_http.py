"""Model downloads through the real huggingface_hub client, from a Hub on 127.0.0.1.

The other download tests fake the client's progress protocol; this one runs the client itself
against `hub_server.LocalHub` (loopback only, bounded, stops by itself): progress, cancel,
resuming a dropped transfer, and the pinned checksum (issue 16).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_fakes import TINY_EN_CONFIG
from hub_server import COMMIT, Behaviour, HubState, LocalHub
from huggingface_hub import constants

import engine.models
from engine.download import DownloadProgress
from engine.errors import Cancelled, ModelChecksumError
from engine.models import CATALOGUE, find_spec, is_downloaded, resolve_model

REPO = "mlx-community/whisper-tiny.en-mlx"
# huggingface_hub writes (and so can resume from) whole 10 MiB chunks: a bit more than one
CLIENT_CHUNK = constants.DOWNLOAD_CHUNK_SIZE
WEIGHTS = os.urandom(CLIENT_CHUNK + 1024 * 1024 + 12_345)
FILES = {
    "config.json": json.dumps(TINY_EN_CONFIG).encode(),
    "tokenizer.json": b'{"model": {"vocab": {"a": 0}}}',
    "weights.safetensors": WEIGHTS,
}


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    state = HubState(REPO, dict(FILES))
    with LocalHub(state) as server:
        monkeypatch.setattr(constants, "ENDPOINT", server.endpoint)
        template = server.endpoint + "/{repo_id}/resolve/{revision}/{filename}"
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.delenv(proxy, raising=False)
        # pinned to the local hub's commit and the real weights' sha256
        spec = find_spec("tiny.en")
        assert spec is not None
        pinned = dataclasses.replace(
            spec, revision=COMMIT, weights_sha256=hashlib.sha256(WEIGHTS).hexdigest()
        )
        catalogue = tuple(pinned if s.name == "tiny.en" else s for s in CATALOGUE)
        monkeypatch.setattr(engine.models, "CATALOGUE", catalogue)
        yield server


def cache_leftovers(tmp_path: Path) -> list[str]:
    """Files in the cache that are not finished blobs or snapshot links."""
    return [p.name for p in (tmp_path / "hub").rglob("*") if ".incomplete" in p.name]


@pytest.mark.timeout(120)
def test_download_reports_progress_and_resumes_a_dropped_transfer(
    hub: LocalHub, tmp_path: Path
) -> None:
    hub.state.behaviour["weights.safetensors"] = Behaviour(drop_after=CLIENT_CHUNK + 512 * 1024)
    events: list[DownloadProgress] = []
    files = resolve_model("tiny.en", on_progress=events.append)
    assert files.weights_path.read_bytes() == WEIGHTS
    # the client asked for the rest after the connection dropped
    assert hub.state.ranges == [f"weights.safetensors bytes={CLIENT_CHUNK}-"]
    total = sum(len(d) for d in FILES.values())
    done = [e.downloaded_bytes for e in events]
    assert done == sorted(done)
    assert {e.total_bytes for e in events} == {total}
    assert events[-1].downloaded_bytes == total
    assert f"GET /api/models/{REPO}/tree/{COMMIT}" in hub.state.requests  # the pinned commit
    assert is_downloaded(engine.models.find_spec("tiny.en"))  # type: ignore[arg-type]
    assert cache_leftovers(tmp_path) == []


@pytest.mark.timeout(120)
def test_cancel_stops_the_transfer_and_a_retry_completes(hub: LocalHub, tmp_path: Path) -> None:
    hub.state.behaviour["weights.safetensors"] = Behaviour(chunk_delay_s=0.01)
    cancel = threading.Event()

    def on_progress(progress: DownloadProgress) -> None:
        if progress.file == "weights.safetensors" and progress.downloaded_bytes > 400_000:
            cancel.set()

    with pytest.raises(Cancelled):
        resolve_model("tiny.en", on_progress=on_progress, cancel=cancel)
    spec = engine.models.find_spec("tiny.en")
    assert spec is not None
    assert not is_downloaded(spec)
    assert cache_leftovers(tmp_path) == []
    hub.state.behaviour["weights.safetensors"] = Behaviour()
    assert resolve_model("tiny.en").weights_path.read_bytes() == WEIGHTS


@pytest.mark.timeout(120)
def test_a_tampered_download_is_rejected_and_removed(hub: LocalHub, tmp_path: Path) -> None:
    tampered = bytearray(WEIGHTS)
    tampered[-1] ^= 0xFF
    hub.state.behaviour["weights.safetensors"] = Behaviour(served=bytes(tampered))
    with pytest.raises(ModelChecksumError, match=r"weights\.safetensors"):
        resolve_model("tiny.en")
    spec = engine.models.find_spec("tiny.en")
    assert spec is not None
    assert not is_downloaded(spec)
    stored = [p for p in (tmp_path / "hub").rglob("*") if p.is_file() and not p.is_symlink()]
    assert not [p for p in stored if p.stat().st_size == len(WEIGHTS)]
    assert cache_leftovers(tmp_path) == []
