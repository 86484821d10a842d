"""What a transcription may leave behind: threads and child processes (decoders) still alive."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path


def child_processes() -> list[str]:
    """This process's children (Linux; elsewhere none are seen)."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return []
    pids: list[str] = []
    for task in tasks.iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            pids += (task / "children").read_text().split()
    return [f"child process {pid}" for pid in pids]


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
    return [f"thread {t.name}" for t in threads] + child_processes()
