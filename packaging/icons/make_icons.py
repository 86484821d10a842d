"""Render the app icon (``ui/resources/icon.svg``) into what the bundles need.

    python packaging/icons/make_icons.py OUT_DIR [--svg FILE]

writes ``OUT_DIR/transcript-editor-<N>.png`` (16 to 1024 px, for Linux icon themes),
``OUT_DIR/transcript-editor.png`` (256 px, for the .desktop file) and
``OUT_DIR/transcript-editor.icns`` (macOS). Nothing generated is committed: ``build.py`` runs this
into ``build/icons`` on every build. Qt's SVG renderer is used, so no ImageMagick or ``iconutil``
is needed and the same script works on Linux and macOS.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SVG = REPO / "ui" / "resources" / "icon.svg"
NAME = "transcript-editor"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
DESKTOP_SIZE = 256
# ICNS element types holding PNG data, by pixel size (Apple's "ic07".."ic14"; the @2x variants
# reuse the larger bitmaps). Order: small first, as iconutil writes them.
ICNS_TYPES = (
    (b"ic11", 32),  # 16x16@2x
    (b"ic12", 64),  # 32x32@2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128x128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256x256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512x512@2x
)


def render_pngs(svg: Path, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """PNG bytes of ``svg`` rendered at each square size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import QApplication

    # A QApplication, not a QGuiApplication: when this runs inside a process that later makes
    # widgets (the test suite), Qt keeps the first application object and widgets need this one.
    _app = QApplication.instance() or QApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read the SVG {svg}")
    pngs: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stubs say bytes; str works
        buffer.close()
        pngs[size] = bytes(data.data())
    return pngs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An Apple icon file made of PNG elements (what ``iconutil`` writes since macOS 10.7)."""
    body = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(out: Path, svg: Path = DEFAULT_SVG) -> list[Path]:
    """Write the PNGs and the ICNS into ``out``; returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    pngs = render_pngs(svg, PNG_SIZES)
    written = []
    for size, data in pngs.items():
        path = out / f"{NAME}-{size}.png"
        path.write_bytes(data)
        written.append(path)
    desktop = out / f"{NAME}.png"
    desktop.write_bytes(pngs[DESKTOP_SIZE])
    icns = out / f"{NAME}.icns"
    icns.write_bytes(icns_bytes(pngs))
    return [*written, desktop, icns]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the icons into")
    parser.add_argument("--svg", type=Path, default=DEFAULT_SVG, help="source icon")
    args = parser.parse_args(argv)
    for path in write_icons(args.out, args.svg):
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
