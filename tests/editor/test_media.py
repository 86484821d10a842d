from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from project_samples import make_media

from editor.errors import ProjectError
from editor.media import (
    FINGERPRINT_CHUNK_BYTES,
    MediaStatus,
    check_media,
    find_moved_media,
    fingerprint_file,
    media_info_for,
)
from editor.transcript import MediaInfo


def test_fingerprint_sees_changes_at_either_end(tmp_path: Path) -> None:
    content = bytearray(os.urandom(3 * FINGERPRINT_CHUNK_BYTES))
    path = tmp_path / "a.bin"
    path.write_bytes(content)
    original = fingerprint_file(path)
    assert original.startswith("sha256-ends:")
    assert fingerprint_file(path) == original
    for where in (0, len(content) - 1):
        changed = bytearray(content)
        changed[where] ^= 0xFF
        path.write_bytes(changed)
        assert fingerprint_file(path) != original
    path.write_bytes(content + b"\x00")
    assert fingerprint_file(path) != original


def test_check_media_statuses(tmp_path: Path) -> None:
    path = tmp_path / "talk.wav"
    media = make_media(path, b"a" * 5000)
    assert check_media(None, media) is MediaStatus.OK
    path.write_bytes(b"a" * 4999 + b"b")  # same size, other content
    assert check_media(None, media) is MediaStatus.CHANGED
    path.write_bytes(b"a" * 10)
    assert check_media(None, media) is MediaStatus.CHANGED
    path.unlink()
    assert check_media(None, media) is MediaStatus.MISSING


def test_relative_media_is_checked_against_the_project(tmp_path: Path) -> None:
    media = make_media(tmp_path / "talk.wav")
    relative = MediaInfo("talk.wav", media.duration_ms, media.size, media.fingerprint)
    assert check_media(tmp_path / "p.json", relative) is MediaStatus.OK


def test_media_info_for_describes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "talk.wav"
    path.write_bytes(b"x" * 1234)
    info = media_info_for(path, duration_ms=60_000)
    assert info == MediaInfo(str(path), 60_000, 1234, fingerprint_file(path))
    with pytest.raises(ProjectError, match="does not exist"):
        media_info_for(tmp_path / "gone.wav", None)


def test_find_moved_media(tmp_path: Path) -> None:
    media = make_media(tmp_path / "old" / "talk.wav", b"voice" * 1000)
    (tmp_path / "new").mkdir()
    shutil.move(tmp_path / "old" / "talk.wav", tmp_path / "new" / "talk.wav")
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / "talk.wav").write_bytes(b"other" * 1000)  # same name and size, other content
    found = find_moved_media(media, [tmp_path / "nowhere", decoy, tmp_path / "new"])
    assert found == tmp_path / "new" / "talk.wav"
    assert find_moved_media(media, [decoy]) is None
