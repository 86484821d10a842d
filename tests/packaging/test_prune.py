"""packaging/prune.py: what leaves the bundle, and that nothing still needed does."""

from __future__ import annotations

from packaging_helpers import load

prune_module = load("prune.py")

# A miniature bundle: a Python extension needing Qt, a theme plugin needing GTK-only libraries,
# OpenBLAS needing gfortran, and a library shared between the plugin and Qt.
IMPORTS = {
    "/src/QtGui.so": ["libQt6Gui.so.6", "libglib-2.0.so.0"],
    "/src/libQt6Gui.so.6": ["libglib-2.0.so.0"],
    "/src/libqgtk3.so": ["libQt6Gui.so.6", "libatk-1.0.so.0", "libglib-2.0.so.0"],
    "/src/libatk-1.0.so.0": ["libglib-2.0.so.0"],
    "/src/libopenblas.so.0": ["libgfortran.so.5"],
    "/src/libgfortran.so.5": ["libquadmath.so.0"],
}
BINARIES = [
    ("PySide6/QtGui.so", "/src/QtGui.so", "EXTENSION"),
    ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "/src/libqgtk3.so", "BINARY"),
    ("libatk-1.0.so.0", "/src/libatk-1.0.so.0", "BINARY"),
    ("libglib-2.0.so.0", "/src/libglib-2.0.so.0", "BINARY"),
    ("libopenblas.so.0", "/src/libopenblas.so.0", "BINARY"),
    ("libgfortran.so.5", "/src/libgfortran.so.5", "BINARY"),
    ("libquadmath.so.0", "/src/libquadmath.so.0", "BINARY"),
    # Opened with dlopen by name: nothing links to it, so it must stay.
    ("libssl.so.3", "/src/libssl.so.3", "BINARY"),
]


def imports_of(src: str) -> list[str]:
    return IMPORTS.get(src, [])


def test_drops_matches_and_the_libraries_only_they_needed() -> None:
    kept, dropped = prune_module.prune(BINARIES, imports_of)
    assert set(dropped) == {
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "libatk-1.0.so.0",
        "libopenblas.so.0",
        "libgfortran.so.5",
        "libquadmath.so.0",
    }
    assert [e for e in BINARIES if e[0] not in dropped] == kept


def test_keeps_shared_and_unlinked_libraries() -> None:
    kept, _ = prune_module.prune(BINARIES, imports_of)
    names = {dest for dest, _src, _kind in kept}
    assert {"libglib-2.0.so.0", "libssl.so.3", "PySide6/Qt/lib/libQt6Gui.so.6"} <= names


def test_nothing_matching_changes_nothing() -> None:
    kept, dropped = prune_module.prune(BINARIES, imports_of, patterns=("libnothing*",))
    assert kept == BINARIES
    assert dropped == []


def test_patterns_match_the_file_name_or_the_whole_path() -> None:
    assert prune_module.matches("libopenblas.so.0", ["libopenblas*"])
    assert prune_module.matches("sub/dir/libopenblas64_.so", ["libopenblas*"])
    assert prune_module.matches("PySide6/Qt/plugins/platformthemes/libqgtk3.so", ["*/libqgtk3.*"])
    assert not prune_module.matches("numpy.libs/libscipy_openblas64_.so", ["libopenblas*"])


def test_links_to_dropped_files_go_too() -> None:
    datas = [
        ("libQt6Foo.so.6", "PySide6/Qt/lib/libQt6Foo.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Bar.so", "libQt6Bar.so.6", "SYMLINK"),
        ("libQt6Baz.so.6", "PySide6/Qt/lib/libQt6Baz.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Foo.so.6", "/src/data", "DATA"),
    ]
    dropped = ["PySide6/Qt/lib/libQt6Foo.so.6", "PySide6/Qt/lib/libQt6Bar.so.6"]
    assert prune_module.drop_links(datas, dropped) == [datas[2], datas[3]]
