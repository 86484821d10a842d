"""packaging/rthook_bundle.py: the environment the frozen app starts with."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import pytest
from packaging_helpers import PACKAGING

HOOK = PACKAGING / "rthook_bundle.py"
VARIABLE = "TRANSCRIPT_DEFAULT_MODEL"


def run_hook(monkeypatch: pytest.MonkeyPatch, bundle: Path) -> str | None:
    """Run the hook as PyInstaller would, inside ``bundle``; returns the model it announced."""
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setenv("PATH", os.environ.get("PATH", ""))  # restored afterwards (macOS adds)
    runpy.run_path(str(HOOK))
    return os.environ.get(VARIABLE)


def test_bundled_model_becomes_the_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    model = tmp_path / "models" / "whisper-tiny.en-mlx"
    model.mkdir(parents=True)
    (model / "config.json").write_text("{}", encoding="utf-8")
    (tmp_path / "models" / "not-a-model").mkdir()
    assert run_hook(monkeypatch, tmp_path) == str(model)


def test_a_chosen_default_is_kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(VARIABLE, "small")
    model = tmp_path / "models" / "tiny"
    model.mkdir(parents=True)
    (model / "config.json").write_text("{}", encoding="utf-8")
    assert run_hook(monkeypatch, tmp_path) == "small"


def test_no_bundled_model_sets_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    assert run_hook(monkeypatch, tmp_path) is None
