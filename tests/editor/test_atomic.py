from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from editor.atomic import atomic_write_bytes, atomic_write_text, cleanup_stale_temps
from editor.errors import EditorError, SaveError

REPO = Path(__file__).resolve().parents[2]


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# -- ordinary writes ---------------------------------------------------------------------------
def test_creates_and_replaces_content(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    atomic_write_text(target, "first")
    assert target.read_text(encoding="utf-8") == "first"
    atomic_write_text(target, "zweite Fassung – ü")
    assert target.read_text(encoding="utf-8") == "zweite Fassung – ü"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert temp_files(tmp_path) == []


def test_encoding_is_honoured(tmp_path: Path) -> None:
    target = tmp_path / "latin.txt"
    atomic_write_text(target, "café", encoding="latin-1")
    assert target.read_bytes() == "café".encode("latin-1")


def test_keeps_permission_bits_of_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "doc.json"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write_text(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_new_file_gets_umask_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "new.json"
    atomic_write_text(target, "x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_symlink_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_unencodable_text_is_a_save_error(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(SaveError, match="cannot represent"):
        atomic_write_text(target, "snow ☃", encoding="ascii")
    assert target.read_text() == "old"


# -- failures: plain messages, old content intact, no temporary file left ------------------------
def test_disk_full_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "doc.json"
    target.write_text("old content")
    real_write = os.write
    calls = 0

    def write_then_fill_disk(fd: int, data: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:  # a partial write first, as a real disk filling up does
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", write_then_fill_disk)
    with pytest.raises(SaveError, match="disk is full") as info:
        atomic_write_text(target, "new content " * 1000)
    monkeypatch.undo()
    assert str(target) in str(info.value)
    assert "unchanged" in str(info.value)
    assert isinstance(info.value.__cause__, OSError)
    assert target.read_text() == "old content"
    assert temp_files(tmp_path) == []


def _writes_blocked_by_mode(folder: Path) -> bool:
    """Whether permission bits stop us (they do not for root or with some capabilities)."""
    probe = folder / "probe"
    try:
        probe.write_text("x")
    except PermissionError:
        return True
    probe.unlink()
    return False


def test_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    target = folder / "doc.json"
    target.write_text("old")
    folder.chmod(0o555)
    try:
        if not _writes_blocked_by_mode(folder):
            # Running as root: the mode does not stop writes, so make the kernel's answer up.
            real_open = os.open

            def refuse_in_folder(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
                if Path(path).parent == folder and flags & os.O_CREAT:
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
                return real_open(path, flags, *args, **kwargs)

            monkeypatch.setattr(os, "open", refuse_in_folder)
        with pytest.raises(SaveError, match="not allowed to write there"):
            atomic_write_text(target, "new")
        monkeypatch.undo()
        assert target.read_text() == "old"
        assert temp_files(folder) == []
    finally:
        folder.chmod(0o755)


def test_read_only_file_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "doc.json"
    target.write_text("old")

    def read_only(src: Any, dst: Any) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(os, "replace", read_only)
    with pytest.raises(SaveError, match="read-only"):
        atomic_write_text(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize(
    ("make_path", "expected"),
    [
        (lambda d: d / "missing" / "doc.json", "folder does not exist"),
        (lambda d: d / "sub", "folder with that name"),
        (lambda d: d / ("x" * 300 + ".json"), "name is too long"),
        (lambda d: d / "plain.txt" / "doc.json", "is a file, not a folder"),
    ],
    ids=["missing-folder", "is-a-directory", "name-too-long", "file-as-folder"],
)
def test_bad_destinations_say_why(
    tmp_path: Path, make_path: Callable[[Path], Path], expected: str
) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "plain.txt").write_text("x")
    with pytest.raises(SaveError, match=expected) as info:
        atomic_write_text(make_path(tmp_path), "data")
    assert isinstance(info.value, EditorError)
    assert temp_files(tmp_path) == []


# -- stale temporary files ---------------------------------------------------------------------
def test_cleanup_removes_only_our_old_temps(tmp_path: Path) -> None:
    ours = tmp_path / ".doc.json.0123456789ab.tmp"
    fresh = tmp_path / ".doc.json.ba9876543210.tmp"
    unrelated = [tmp_path / "notes.tmp", tmp_path / ".hidden", tmp_path / "doc.json"]
    for p in [ours, fresh, *unrelated]:
        p.write_text("x")
    old = time.time() - 3600
    os.utime(ours, (old, old))
    for p in unrelated:
        os.utime(p, (old, old))
    assert cleanup_stale_temps(tmp_path) == 1
    assert not ours.exists()
    assert fresh.exists()
    assert all(p.exists() for p in unrelated)
    assert cleanup_stale_temps(tmp_path, min_age_s=0) == 1
    assert not fresh.exists()


def test_a_save_removes_its_own_stale_temps_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "talk.srt"
    stale = tmp_path / ".talk.srt.0123456789ab.tmp"  # a save of talk.srt killed long ago
    recent = tmp_path / ".talk.srt.ba9876543210.tmp"  # maybe a save running elsewhere now
    other = tmp_path / ".other.srt.0123456789ab.tmp"  # another file's: its own save cleans it
    for p in (stale, recent, other):
        p.write_text("half")
    old = time.time() - 2 * 3600
    for p in (stale, other):
        os.utime(p, (old, old))
    atomic_write_text(target, "1\n")
    assert not stale.exists()
    assert recent.exists()
    assert other.exists()


def test_cleanup_spares_what_only_looks_like_ours(tmp_path: Path) -> None:
    keep = tmp_path / "keep.txt"
    keep.write_text("precious")
    linked = tmp_path / ".doc.json.0123456789ab.tmp"
    os.link(keep, linked)  # a second name of someone's file: deleting it is not ours to do
    pointer = tmp_path / ".doc.json.ba9876543210.tmp"
    pointer.symlink_to(keep)
    folder = tmp_path / ".doc.json.aaaaaaaaaaaa.tmp"
    folder.mkdir()
    assert cleanup_stale_temps(tmp_path, min_age_s=0) == 0
    assert linked.exists()
    assert pointer.is_symlink()
    assert folder.is_dir()


def test_cleanup_of_missing_folder_is_quiet(tmp_path: Path) -> None:
    assert cleanup_stale_temps(tmp_path / "nope") == 0


# -- killed mid-save -----------------------------------------------------------------------------
CHILD = r"""
import hashlib, json, sys
from editor.atomic import atomic_write_text

target, n = sys.argv[1], int(sys.argv[2])

def version(n):
    # Sizes differ between versions, so any mix of two would break the JSON or the checksum.
    payload = "abcdefg"[n % 7] * (200_000 + (n % 5) * 70_000)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return json.dumps({"n": n, "payload": payload, "sha256": digest})

atomic_write_text(target, version(n))
print("ready", flush=True)
while True:
    n += 1
    atomic_write_text(target, version(n))
"""


def read_version(target: Path) -> int:
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert hashlib.sha256(doc["payload"].encode()).hexdigest() == doc["sha256"]
    return int(doc["n"])


def test_sigkill_at_any_moment_leaves_old_or_new_file(tmp_path: Path) -> None:
    target = tmp_path / "project.json"
    rng = random.Random(20240501)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    last = 0
    kills = 45
    for _ in range(kills):
        start = last + 1
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(target), str(start)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=REPO,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline() == b"ready\n"
            time.sleep(rng.uniform(0.0, 0.006))
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
        seen = read_version(target)
        # The child's first save completed before "ready"; later ones may or may not have.
        assert seen >= start
        last = seen
    cleanup_stale_temps(tmp_path, min_age_s=0)
    assert temp_files(tmp_path) == []
    assert read_version(target) == last
