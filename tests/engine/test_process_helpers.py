"""The helpers that see leftover decoders, open files and peak memory, on Linux and on macOS.

The real process checks run on whichever system runs the suite (/proc on Linux, ps and /dev/fd on
macOS); the macOS sources are also checked here on Linux through a stand-in ``ps`` and a
pretended ``sys.platform``, so a Mac-only branch cannot rot unseen.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import process_helpers
import pytest
from process_helpers import children, open_fds, peak_rss_bytes, with_own_peak

HERE = Path(__file__).resolve().parent


def test_a_running_child_and_a_zombie_are_seen_until_reaped() -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    quitter = subprocess.Popen(["true"])
    try:
        # Wait for `true` to end but leave it unreaped: a zombie, as a leaked decoder would be.
        os.waitid(os.P_PID, quitter.pid, os.WEXITED | os.WNOWAIT)
        seen = children()
        assert f"{quitter.pid} state Z" in seen
        assert any(c.startswith(f"{sleeper.pid} state ") for c in seen)
    finally:
        sleeper.kill()
        sleeper.wait()
        quitter.wait()
    assert not [c for c in children() if c.split()[0] in (str(sleeper.pid), str(quitter.pid))]


FAKE_PS = """#!/bin/sh
echo "    1     0 Ss"
echo "  $$  $PPID R+"
echo "  4242  $PPID Z+"
echo "  4243  $PPID S"
echo "  4244  1 S"
"""


def test_without_proc_children_come_from_ps_less_ps_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ps = tmp_path / "ps"
    ps.write_text(FAKE_PS, encoding="utf-8")
    ps.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(process_helpers, "PROC", tmp_path / "no-proc-here")  # as on macOS
    assert children() == ["4242 state Z", "4243 state S"]


def test_open_files_are_counted(tmp_path: Path) -> None:
    before = open_fds()
    with (tmp_path / "a").open("w"), (tmp_path / "b").open("w"):
        assert open_fds() == before + 2
    assert open_fds() == before


def test_peak_memory_is_in_bytes_and_a_child_has_its_own() -> None:
    # A fresh process touches 256 MiB: its peak must rise by about that many bytes. A unit
    # mistake (KiB taken for bytes, or the reverse) would be off by a factor of 1024. This process
    # holds 512 MiB meanwhile, which a child started without `with_own_peak` would count as its
    # own on Linux.
    held = b"h" * (512 << 20)
    code = (
        "from process_helpers import peak_rss_bytes as peak\n"
        "before = peak(); block = b'x' * (256 << 20); print(before, peak())\n"
    )
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    done = subprocess.run(
        with_own_peak([sys.executable, "-c", code]),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = map(int, done.stdout.split())
    assert before < 128 << 20, "the child's peak is not its own"
    assert 256 << 20 <= after < 512 << 20
    assert len(held) == 512 << 20


@pytest.mark.parametrize(("platform", "scale"), [("linux", 1024), ("darwin", 1)])
def test_peak_memory_units_follow_getrusage_on_each_system(
    monkeypatch: pytest.MonkeyPatch, platform: str, scale: int
) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(resource, "getrusage", lambda _who: SimpleNamespace(ru_maxrss=5000))
    assert peak_rss_bytes() == 5000 * scale
