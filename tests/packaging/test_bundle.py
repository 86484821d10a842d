"""packaging/build.py: the bundle checks, and a real build whose executable transcribes JFK.

The real build takes about 80 s on two cores (PyInstaller, from a clean work folder) plus ~10 s
for the self-test. It is skipped only when PyInstaller is missing and ``CI`` is not set.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from ci import missing
from packaging_helpers import load

build = load("build.py")


def make_file(root: Path, pattern: str) -> Path:
    """Create a file that ``pattern`` (a glob like ``**/lib/libfoo*.so``) matches under root."""
    path = root / re.sub(r"\*+", "x", pattern.replace("**/", "a/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def complete_bundle(dist: Path, mac: bool) -> Any:  # build.Bundle (loaded by path)
    bundle = build.bundle_for(dist, mac=mac)
    bundle.executable.parent.mkdir(parents=True, exist_ok=True)
    bundle.executable.write_bytes(b"")
    for pattern in (build.REQUIRED_MAC if mac else build.REQUIRED_LINUX).values():
        make_file(bundle.content, pattern)
    for path, folder in build.package_data(build.ROOT):
        make_file(bundle.data / folder, path.name)
    return bundle


@pytest.mark.parametrize("mac", [False, True], ids=["linux", "macos"])
def test_complete_bundle_passes(tmp_path: Path, mac: bool) -> None:
    bundle = complete_bundle(tmp_path, mac)
    assert build.check_bundle(bundle, mac=mac) == []


@pytest.mark.parametrize("mac", [False, True], ids=["linux", "macos"])
def test_each_missing_part_is_named(tmp_path: Path, mac: bool) -> None:
    bundle = complete_bundle(tmp_path, mac)
    required = build.REQUIRED_MAC if mac else build.REQUIRED_LINUX
    what, pattern = next(iter(required.items()))
    for path in bundle.content.glob(pattern):
        path.unlink()
    (problem,) = build.check_bundle(bundle, mac=mac)
    assert what in problem


def test_missing_asset_is_named(tmp_path: Path) -> None:
    bundle = complete_bundle(tmp_path, mac=True)
    (bundle.data / "ui" / "resources" / "icon.svg").unlink()
    (problem,) = build.check_bundle(bundle, mac=True)
    assert "ui/resources/icon.svg" in problem


def test_package_data_is_our_non_python_files() -> None:
    found = {
        (path.relative_to(build.ROOT).as_posix(), folder)
        for path, folder in build.package_data(build.ROOT)
    }
    assert ("ui/resources/icon.svg", "ui/resources") in found
    assert not any(name.endswith((".py", ".pyc")) for name, _ in found)


def test_bundled_openblas_is_refused(tmp_path: Path) -> None:
    bundle = complete_bundle(tmp_path, mac=False)
    make_file(bundle.content, "_internal/libopenblas.so.0")
    (problem,) = build.check_bundle(bundle, mac=False)
    assert "OpenBLAS" in problem


def test_missing_executable_is_the_only_problem_reported(tmp_path: Path) -> None:
    (problem,) = build.check_bundle(build.bundle_for(tmp_path, mac=False), mac=False)
    assert "executable" in problem


def test_bundle_layouts() -> None:
    dist = Path("dist")
    linux = build.bundle_for(dist, mac=False)
    assert linux.executable == dist / "transcript-editor" / "transcript-editor"
    mac = build.bundle_for(dist, mac=True)
    assert mac.root.suffix == ".app"
    assert mac.executable.parent == mac.root / "Contents" / "MacOS"


def test_staleness_follows_the_sources(tmp_path: Path) -> None:
    bundle = complete_bundle(tmp_path, mac=False)
    os.utime(bundle.executable, (0, 0))
    assert build.is_stale(bundle)
    future = 2**32
    os.utime(bundle.executable, (future, future))
    assert not build.is_stale(bundle)
    bundle.executable.unlink()
    assert build.is_stale(bundle)


def test_normalise_ignores_case_punctuation_and_lines(jfk_text: str) -> None:
    heard = jfk_text.upper().replace(",", "").replace(" ask what", "\nask what")
    assert build.normalise(heard) == build.normalise(jfk_text)
    assert build.normalise(heard) != build.normalise(jfk_text.replace("country", "county"))


def test_version_comes_from_pyproject() -> None:
    import tomllib

    with (build.ROOT / "pyproject.toml").open("rb") as f:
        expected = tomllib.load(f)["project"]["version"]
    assert build.project_version() == expected


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.timeout(1500)
@pytest.mark.skipif(sys.platform not in ("linux", "darwin"), reason="bundles: Linux, macOS")
def test_built_bundle_transcribes_jfk(
    tmp_path: Path, tiny_en_model: Path, jfk_flac: Path, jfk_text: str
) -> None:
    if importlib.util.find_spec("PyInstaller") is None:
        missing("PyInstaller (pip install -e '.[package]')")
    bundle = build.build(tmp_path / "dist", tmp_path / "work")
    assert build.check_bundle(bundle) == []
    passed, report = build.run_self_test(bundle, jfk_flac, tiny_en_model, jfk_text)
    assert passed, report
