"""What a process holds and leaves behind: children (decoders), threads, open files, peak memory.

Linux answers from /proc; macOS has no /proc, so there the same facts come from ``ps``,
``/dev/fd`` and ``getrusage`` (issue 16: these checks used to skip on a Mac).
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

PROC = Path("/proc")


def children() -> list[str]:
    """This process's live and zombie children, as ``"<pid> state <S>"`` (S: R, S, Z...)."""
    if (PROC / "self" / "stat").is_file():
        return _children_from_proc()
    return _children_from_ps()


def _children_from_proc() -> list[str]:
    found = []
    for stat_file in PROC.glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):  # a process that ended meanwhile
            # The command name, in parentheses, may hold spaces: split after its last ")".
            state, ppid = stat_file.read_text().rsplit(")", 1)[1].split()[:2]
            if int(ppid) == os.getpid():
                found.append(f"{stat_file.parent.name} state {state}")
    return sorted(found, key=_pid)


def _children_from_ps() -> list[str]:
    # ps is itself our child while it runs: leave it out by its pid.
    ps = subprocess.Popen(
        ["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "stat="],
        stdout=subprocess.PIPE,
        text=True,
    )
    out, _ = ps.communicate(timeout=60)
    if ps.returncode != 0:
        raise RuntimeError(f"ps failed with status {ps.returncode}")
    found = []
    for line in out.splitlines():
        pid, ppid, stat = line.split()[:3]
        if int(ppid) == os.getpid() and int(pid) != ps.pid:
            # ps adds flags after the state letter (Ss, Z+, R<...); /proc gives the letter alone.
            found.append(f"{pid} state {stat[0]}")
    return sorted(found, key=_pid)


def _pid(entry: str) -> int:
    return int(entry.split()[0])


def open_fds() -> int:
    """How many file descriptors this process has open."""
    fd_dir = PROC / "self" / "fd"
    # /dev/fd lists the calling process's descriptors on macOS (and links to /proc on Linux).
    return len(os.listdir(fd_dir if fd_dir.is_dir() else "/dev/fd"))


def peak_rss_bytes() -> int:
    """The most resident memory this process has held so far, in bytes.

    ``ru_maxrss`` is in kibibytes on Linux and in bytes on macOS (getrusage(2) on each). Start a
    process that reports it with `with_own_peak`.
    """
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def with_own_peak(command: list[str]) -> list[str]:
    """``command`` started so that its `peak_rss_bytes` counts its own memory only.

    On Linux a process's peak includes the peak of the image it replaced at exec (exec_mmap keeps
    the larger), so a child started straight from pytest, 1 GB late in a run, begins with that
    peak and hides its own below it. A small shell that forks the command rather than replacing
    itself with it hands the command a fresh peak.
    """
    return ["sh", "-c", '"$@"; exit $?', "sh", *command]


# The CPU kernels' worker threads belong to the loaded model and serve every file it
# transcribes (engine/kernels.py): they are not left behind by a transcription.
MODEL_THREADS = "numpy-kernel"


def leftovers(threads_before: set[threading.Thread]) -> list[str]:
    """Threads started since ``threads_before`` was taken and still alive, and child processes."""
    threads = [
        t
        for t in threading.enumerate()
        if t not in threads_before and t.is_alive() and not t.name.startswith(MODEL_THREADS)
    ]
    return [f"thread {t.name}" for t in threads] + [f"child process {c}" for c in children()]
