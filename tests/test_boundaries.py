"""The layering rules: engine and editor never import Qt; editor never imports mlx; engine and
editor never import each other; inside ui/, files sit in rooms, none passes 400 lines, ui/files
shows no widgets, no modules import each other in a circle, and the transcribe command loads
without Qt. Checked on the source (every import statement, including ones
inside functions), so a lazy import cannot slip through."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "engine": {"PySide6", "editor", "ui", "shiboken6"},
    "editor": {"PySide6", "mlx", "engine", "ui", "shiboken6"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_its_boundaries(package: str) -> None:
    files = sorted((REPO / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    offences = [
        f"{f.relative_to(REPO)} imports {root}"
        for f in files
        for root in sorted(imported_roots(f) & FORBIDDEN[package])
    ]
    assert offences == []


def test_checker_sees_lazy_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from PySide6.QtCore import QObject\n    import mlx.core\n")
    assert imported_roots(sample) == {"PySide6", "mlx"}


# -- inside ui/: rooms (the layers themselves are an import-linter contract in pyproject.toml) ---
#: The one circle allowed: a widget and its own painter helper.
ALLOWED_CIRCLES = [{"ui.transcript.gutter", "ui.transcript.view"}]


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Full names of what ``path`` imports (``from a import b`` counts as a and a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def ui_import_graph() -> dict[str, set[str]]:
    files = {module_name(f): f for f in sorted((REPO / "ui").rglob("*.py"))}
    return {name: imported_modules(path) & set(files) - {name} for name, path in files.items()}


def circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_ui_has_no_import_circles() -> None:
    assert [c for c in circles(ui_import_graph()) if c not in ALLOWED_CIRCLES] == []


def test_circle_finder_sees_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_ui_files_show_no_widgets() -> None:
    offences = [
        f"{f.relative_to(REPO)} imports {name}"
        for f in sorted((REPO / "ui" / "files").rglob("*.py"))
        for name in sorted(imported_modules(f))
        if name.startswith("PySide6.QtWidgets")
    ]
    assert offences == []


def test_every_ui_file_sits_in_a_room_and_stays_small() -> None:
    top = {"__init__.py", "app.py", "cli.py", "settings.py", "shortcuts.py"}
    rooms = {"window", "queue", "files", "playback", "transcript", "dialogs", "video", "timeline"}
    misplaced, large = [], []
    for f in sorted((REPO / "ui").rglob("*.py")):
        parts = f.relative_to(REPO / "ui").parts
        if (len(parts) == 1 and parts[0] not in top) or (len(parts) > 1 and parts[0] not in rooms):
            misplaced.append(str(f.relative_to(REPO)))
        if len(f.read_text(encoding="utf-8").splitlines()) > 400:
            large.append(str(f.relative_to(REPO)))
    assert misplaced == []
    assert large == []


def test_the_transcribe_command_imports_without_qt() -> None:
    # PySide6 made unimportable: the command and the conversion must still load.
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import ui.cli, ui.files.convert\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
