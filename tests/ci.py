"""One rule for "this run is CI", and the helpers that turn a missing tool or file into a failure.

CI sets ``CI`` (GitHub and GitLab set ``CI=true``; `.ci/run` sets ``CI=1``). A developer who
exports ``CI=0`` or ``CI=false`` to switch it off must get a local run, so only a non-empty value
other than those counts (issue 16: any non-empty value used to count, "0" included).
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import NoReturn

import pytest

OFF_VALUES = frozenset({"", "0", "false", "no", "off"})

# Tests of things that exist only on Linux desktops (a .desktop entry and its validator). Off
# Linux they are deselected, which pytest reports as such, rather than skipped: a skip means "should
# have run here and could not", which CI refuses, while these have nothing to check on a Mac.
LINUX_ONLY = "linux_only"
LINUX_ONLY_HELP = (
    f"{LINUX_ONLY}: checks a Linux-only file or tool (a .desktop entry); deselected on other "
    "systems (tests/conftest.py), never skipped"
)


def ci_is_set(environ: dict[str, str] | None = None) -> bool:
    """Whether this run is CI: ``CI`` set to a value other than empty, 0, false, no or off."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() not in OFF_VALUES


def runs_on(item: pytest.Item) -> bool:
    """Whether ``item`` belongs to a run on this system (``sys.platform``)."""
    return sys.platform.startswith("linux") or item.get_closest_marker(LINUX_ONLY) is None


def leave_out_other_systems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop other systems' tests from ``items``, reported as deselected (conftest's hook)."""
    away = [item for item in items if not runs_on(item)]
    if away:
        config.hook.pytest_deselected(items=away)
        items[:] = [item for item in items if runs_on(item)]


def missing(what: str) -> NoReturn:
    """Skip locally, fail in CI: a test that cannot find its data must never pass silently."""
    if ci_is_set():
        pytest.fail(f"{what} not found, and CI is set: CI must provide it")
    pytest.skip(f"{what} not found")


def require_tool(name: str, hint: str) -> str:
    """The path of command ``name``; skips locally and fails in CI when it is not installed."""
    path = shutil.which(name)
    if path is None:
        missing(f"{name} ({hint})")
    return path


def updating_golden() -> bool:
    """Whether golden-file tests should rewrite their files (``UPDATE_GOLDEN``), never under CI.

    CI compares against what is committed: a stray ``UPDATE_GOLDEN`` there would make every golden
    test pass by rewriting what it checks.
    """
    return os.environ.get("UPDATE_GOLDEN", "") not in OFF_VALUES and not ci_is_set()
