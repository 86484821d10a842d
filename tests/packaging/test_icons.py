"""packaging/icons/make_icons.py: PNGs of the right sizes and a well-formed ICNS."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from packaging_helpers import load

icons = load("icons/make_icons.py")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def icns_elements(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"icns"
    (total,) = struct.unpack(">I", data[4:8])
    assert total == len(data)
    elements, at = [], 8
    while at < total:
        kind, length = data[at : at + 4], struct.unpack(">I", data[at + 4 : at + 8])[0]
        elements.append((kind, data[at + 8 : at + length]))
        at += length
    assert at == total
    return elements


@pytest.fixture(scope="module")
def icon_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("icons")
    icons.write_icons(folder)
    return folder


def test_pngs_have_their_sizes(icon_dir: Path) -> None:
    for size in icons.PNG_SIZES:
        data = (icon_dir / f"{icons.NAME}-{size}.png").read_bytes()
        assert png_size(data) == (size, size)
        assert len(data) <= 100_000
    desktop = (icon_dir / f"{icons.NAME}.png").read_bytes()
    assert png_size(desktop) == (icons.DESKTOP_SIZE, icons.DESKTOP_SIZE)


def test_icns_holds_one_png_per_element_type(icon_dir: Path) -> None:
    elements = icns_elements((icon_dir / f"{icons.NAME}.icns").read_bytes())
    assert [kind for kind, _ in elements] == [kind for kind, _ in icons.ICNS_TYPES]
    for (_, data), (_, size) in zip(elements, icons.ICNS_TYPES, strict=True):
        assert png_size(data) == (size, size)


def test_rendered_icon_is_not_blank(icon_dir: Path) -> None:
    from PySide6.QtGui import QImage

    image = QImage(str(icon_dir / f"{icons.NAME}-64.png"))
    centre = image.pixelColor(32, 32)
    corner = image.pixelColor(0, 0)
    assert centre.alpha() == 255
    assert corner.alpha() == 0  # rounded corners stay transparent


def test_unreadable_svg_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.svg"
    bad.write_text("not an svg", encoding="utf-8")
    with pytest.raises(SystemExit, match="cannot read the SVG"):
        icons.write_icons(tmp_path / "out", bad)
