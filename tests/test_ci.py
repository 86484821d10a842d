"""tests/ci.py: one rule for "this is CI", and under CI no test may pass by skipping (issue 16)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ci import ci_is_set, updating_golden

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


def _run_on(tmp_path: Path, platform: str) -> str:
    """Run ELSEWHERE under CI in a Python that says it runs on ``platform``."""
    (tmp_path / "test_elsewhere.py").write_text(ELSEWHERE, encoding="utf-8")
    args = ["-p", "conftest", "-q", "-rA", "-p", "no:cacheprovider", "--strict-markers"]
    args += ["--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path)]
    code = f"import sys; sys.platform = {platform!r}; import pytest; sys.exit(pytest.main({args}))"
    env = {**os.environ, "CI": "true", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests"), str(REPO)])
    cmd = [sys.executable, "-c", code]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, check=False)
    return done.stdout + done.stderr


def test_linux_only_tests_run_on_linux(tmp_path: Path) -> None:
    out = _run_on(tmp_path, "linux")
    assert "2 passed in" in out, out
    assert "deselected" not in out


def test_linux_only_tests_are_deselected_elsewhere_not_skipped(tmp_path: Path) -> None:
    out = _run_on(tmp_path, "darwin")
    assert "1 passed, 1 deselected in" in out, out
    assert "skipped" not in out
