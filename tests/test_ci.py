"""tests/ci.py: one rule for "this is CI", and under CI no test may pass by skipping (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from ci import LINUX_ONLY, ci_is_set, leave_out_other_systems, updating_golden

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("value", "is_ci"),
    [("", False), ("0", False), ("false", False), ("False", False), ("1", True), ("true", True)],
)
def test_ci_is_a_value_other_than_off(value: str, is_ci: bool) -> None:
    assert ci_is_set({"CI": value}) is is_ci
    assert ci_is_set({}) is False


def test_golden_files_are_never_rewritten_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDATE_GOLDEN", "1")
    monkeypatch.setenv("CI", "0")
    assert updating_golden()
    monkeypatch.setenv("CI", "true")
    assert not updating_golden()


SKIPPING = """
import pytest

from ci import missing

def test_skips():
    pytest.skip("no reason")

@pytest.mark.skipif(True, reason="a marker")
def test_marked():
    pass

def test_missing_data():
    missing("the data")

def test_runs():
    pass
"""


def _run_skipping(tmp_path: Path, ci: str) -> str:
    (tmp_path / "test_skipping.py").write_text(SKIPPING, encoding="utf-8")
    env = {**os.environ, "CI": ci, "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), str(REPO)])}
    # Our conftest as a plugin, so its hook applies to a file outside tests/.
    cmd = [sys.executable, "-m", "pytest", "-p", "conftest", "-q", "-rA", "-p", "no:cacheprovider"]
    cmd += ["--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout + done.stderr


def test_under_ci_every_skip_fails(tmp_path: Path) -> None:
    out = _run_skipping(tmp_path, "true")
    # A skipif marker skips during set-up, so pytest counts that one as an error: red all the same.
    assert "2 failed, 1 passed, 1 error" in out, out
    assert "skipped under CI" in out


def test_without_ci_skips_stay_skips(tmp_path: Path) -> None:
    out = _run_skipping(tmp_path, "0")
    assert "1 passed, 3 skipped" in out, out


ELSEWHERE = """
import pytest

@pytest.mark.linux_only
def test_desktop_entry():
    pass

def test_everywhere():
    pass
"""


def test_linux_only_tests_run_on_linux_and_are_deselected_elsewhere(tmp_path: Path) -> None:
    # The real system, end to end: a macOS run sees the other branch of this test.
    (tmp_path / "test_elsewhere.py").write_text(ELSEWHERE, encoding="utf-8")
    env = {**os.environ, "CI": "true"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests"), str(REPO)])
    cmd = [sys.executable, "-m", "pytest", "-p", "conftest", "-q", "-p", "no:cacheprovider"]
    cmd += ["--strict-markers", "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    out = done.stdout + done.stderr
    if sys.platform.startswith("linux"):
        assert "2 passed in" in out, out
        assert "deselected" not in out
    else:
        assert "1 passed, 1 deselected in" in out, out
    assert "skipped" not in out


class FakeItem:
    def __init__(self, name: str, *markers: str) -> None:
        self.name, self.markers = name, markers

    def get_closest_marker(self, name: str) -> str | None:
        return name if name in self.markers else None


@pytest.mark.parametrize(
    ("platform", "kept"),
    [("linux", ["desktop", "plain"]), ("darwin", ["plain"]), ("win32", ["plain"])],
)
def test_the_collection_hook_keeps_what_belongs_to_the_system(
    monkeypatch: pytest.MonkeyPatch, platform: str, kept: list[str]
) -> None:
    # Both branches on any system: the hook's work, with a pretended sys.platform.
    deselected: list[FakeItem] = []
    hook = SimpleNamespace(pytest_deselected=lambda items: deselected.extend(items))
    items = [FakeItem("desktop", LINUX_ONLY), FakeItem("plain")]
    monkeypatch.setattr(sys, "platform", platform)
    leave_out_other_systems(SimpleNamespace(hook=hook), items)  # type: ignore[arg-type]
    assert [item.name for item in items] == kept
    assert [item.name for item in deselected] == [name for name in ("desktop",) if name not in kept]
