"""scripts/pin_models.py: pins from the Hub's answers, written as engine/model_pins.py reads them.

The Hub is a fake here: the script asks it for nothing else than `model_info`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

from engine import model_pins

REPO = Path(__file__).resolve().parents[2]

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SHA = "ab" * 32


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pin_models", REPO / "scripts" / "pin_models.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeApi:
    def __init__(self, files: dict[str, str | None]) -> None:
        self.files = files
        self.asked: list[str] = []

    def model_info(self, repo_id: str, *, files_metadata: bool) -> Any:
        assert files_metadata, "the sha256 comes only with the files' metadata"
        self.asked.append(repo_id)
        siblings = [
            SimpleNamespace(rfilename=name, lfs=SimpleNamespace(sha256=sha) if sha else None)
            for name, sha in self.files.items()
        ]
        return SimpleNamespace(sha=COMMIT, siblings=siblings)


def test_pins_are_the_hubs_commit_and_weights_sha256() -> None:
    script = load_script()
    api = FakeApi({"config.json": None, "weights.npz": "cd" * 32, "weights.safetensors": SHA})
    pins = script.pin(api, ["tiny.en"])
    assert pins["tiny.en"] == (COMMIT, SHA)  # safetensors first, as the engine loads it
    assert api.asked == ["mlx-community/whisper-tiny.en-mlx"]


def test_a_repository_without_lfs_weights_is_not_pinned() -> None:
    script = load_script()
    with pytest.raises(script.PinError, match="no commit or sha256"):
        script.pin(FakeApi({"weights.safetensors": None}), ["tiny.en"])
    with pytest.raises(script.PinError, match="has no weights"):
        script.pin(FakeApi({"config.json": None}), ["tiny.en"])


def test_written_pins_are_read_back_by_the_engine(tmp_path: Path) -> None:
    script = load_script()
    text = script.render({"small": (COMMIT, SHA), "tiny": (COMMIT, "ef" * 32)})
    path = tmp_path / "model_pins.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("written_pins", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert list(module.PINS) == ["tiny", "small"]  # catalogue order
    assert module.PINS["small"] == (COMMIT, SHA)


def test_the_committed_pins_are_what_the_script_writes() -> None:
    script = load_script()
    assert script.render(model_pins.PINS) == Path(model_pins.__file__).read_text(encoding="utf-8")
