"""Shared fixtures: where the real weights, speech clips and reference files are.

Weights are looked for in this order: ``TRANSCRIPT_TEST_MODEL``, ``../shared/models/...`` beside
the checkout, the Hugging Face cache. Missing data skips a test locally and fails it when ``CI`` is
set (`ci.ci_is_set`), so CI can never pass by skipping; under CI any other skip fails too.
Tests marked ``linux_only`` (`ci.LINUX_ONLY`: a .desktop entry and the like) are not collected on
other systems, and pytest counts them as deselected there, so a macOS run is 0-skipped as well.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from ci import LINUX_ONLY_HELP, ci_is_set, leave_out_other_systems, missing

# The engine decides which BLAS MLX uses, which only works before mlx is first imported
# (engine/blas.py); test helpers import mlx, so the engine comes first.
import engine  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TINY_EN_REPO = "mlx-community/whisper-tiny.en-mlx"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", LINUX_ONLY_HELP)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests that belong to another system, as deselected (never as skipped)."""
    leave_out_other_systems(config, items)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under CI a skip is a failure, whichever path it took (skipif, a fixture, pytest.skip).

    The checks that need a tool or data use `ci.missing`, which already fails in CI; this catches
    the rest, so `make test` cannot pass with a test that did not run (issue 16).
    """
    outcome = yield
    report = outcome.get_result()
    if report.skipped and ci_is_set() and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under CI, where every test must run: {reason}"


def find_tiny_en_model() -> Path | None:
    """The folder of real Whisper tiny.en weights, or None."""
    env = os.environ.get("TRANSCRIPT_TEST_MODEL")
    if env:
        return Path(env)
    local = SHARED / "models" / "whisper-tiny.en-mlx"
    if (local / "config.json").is_file():
        return local
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(TINY_EN_REPO, "config.json")
    except Exception:  # any cache problem just means "not cached"
        return None
    return Path(cached).parent if isinstance(cached, str) else None


@pytest.fixture(scope="session")
def tiny_en_model() -> Path:
    """Real Whisper tiny.en weights (mlx-community layout)."""
    path = find_tiny_en_model()
    if path is None:
        missing("Whisper tiny.en weights (TRANSCRIPT_TEST_MODEL, ../shared/models, HF cache)")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def speech_dir() -> Path:
    """The folder of real recordings with reference transcripts (``manifest.tsv``)."""
    path = SHARED / "speech"
    if not (path / "manifest.tsv").is_file():
        missing("../shared/speech")
    return path


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Whisper's reference tokenizer ranks and mel filterbank."""
    path = SHARED / "reference"
    if not (path / "mel_filters.npz").is_file():
        missing("../shared/reference")
    return path


@pytest.fixture(scope="session")
def jfk_flac(speech_dir: Path) -> Path:
    """The 11 s JFK clip (44.1 kHz stereo FLAC)."""
    return speech_dir / "en" / "jfk.flac"


@pytest.fixture(scope="session")
def two_speakers_wav() -> Path:
    """``../shared/diarization/sample.wav``: 30 s of a phone call between two speakers."""
    path = SHARED / "diarization" / "sample.wav"
    if not path.is_file():
        missing("../shared/diarization/sample.wav")
    return path


@pytest.fixture(scope="session")
def jfk_text() -> str:
    """What is said in ``jfk.flac``."""
    return JFK_TEXT


JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
