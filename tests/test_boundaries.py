"""The layering rules: engine and editor never import Qt; editor never imports mlx; engine and
editor never import each other. Checked on the source (every import statement, including ones
inside functions), so a lazy import cannot slip through."""

from __future__ import annotations

import ast
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
