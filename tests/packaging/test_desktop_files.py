"""The files that tell desktops what the app opens: .desktop, MIME type, Info.plist, install.sh."""

from __future__ import annotations

import configparser
import os
import plistlib
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ci import require_tool
from packaging_helpers import PACKAGING, load

from ui.files.project_io import PROJECT_SUFFIX

build = load("build.py")
icons = load("icons/make_icons.py")

DESKTOP = PACKAGING / "linux" / "transcript-editor.desktop"
MIME = PACKAGING / "linux" / "transcript-editor-mime.xml"
INFO_PLIST = PACKAGING / "macos" / "Info.plist"
ENTITLEMENTS = PACKAGING / "macos" / "entitlements.plist"
MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


def desktop_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


def test_desktop_entry_opens_audio_video_and_projects() -> None:
    entry = desktop_entry(DESKTOP)
    types = entry["MimeType"].rstrip(";").split(";")
    assert len(types) == len(set(types))
    assert any(t.startswith("audio/") for t in types)
    assert any(t.startswith("video/") for t in types)
    project_type = ET.parse(MIME).getroot().find(f"{MIME_NS}mime-type")
    assert project_type is not None
    assert project_type.get("type") in types
    assert "%F" in entry["Exec"]
    assert entry["Icon"] == icons.NAME
    assert entry["Terminal"] == "false"


@pytest.mark.linux_only  # desktop-file-validate is a Linux desktop tool; macOS has Info.plist
def test_desktop_entry_is_valid() -> None:
    validator = require_tool("desktop-file-validate", "Debian: desktop-file-utils")
    done = subprocess.run([validator, str(DESKTOP)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mime_type_matches_the_project_suffix() -> None:
    mime_type = ET.parse(MIME).getroot().find(f"{MIME_NS}mime-type")
    assert mime_type is not None
    globs = [g.get("pattern") for g in mime_type.findall(f"{MIME_NS}glob")]
    assert globs == [f"*{PROJECT_SUFFIX}"]


def test_info_plist_declares_media_and_project_documents() -> None:
    with INFO_PLIST.open("rb") as f:
        info = plistlib.load(f)
    types = {uti for doc in info["CFBundleDocumentTypes"] for uti in doc["LSItemContentTypes"]}
    assert {"public.audio", "public.movie", "public.mpeg-4-audio", "public.mpeg-4"} <= types
    for doc in info["CFBundleDocumentTypes"]:
        assert doc["CFBundleTypeRole"] in ("Viewer", "Editor")
        assert doc["LSHandlerRank"] in ("Owner", "Alternate")
    (project,) = info["UTExportedTypeDeclarations"]
    assert project["UTTypeIdentifier"] in types
    extensions = project["UTTypeTagSpecification"]["public.filename-extension"]
    assert extensions == [PROJECT_SUFFIX.lstrip(".")]


def test_entitlements_allow_what_python_and_mlx_need() -> None:
    with ENTITLEMENTS.open("rb") as f:
        entitlements = plistlib.load(f)
    assert entitlements["com.apple.security.cs.allow-unsigned-executable-memory"] is True
    assert entitlements["com.apple.security.cs.disable-library-validation"] is True


@pytest.fixture(scope="module")
def fake_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Linux bundle folder with the real desktop files and a stand-in executable."""
    root = tmp_path_factory.mktemp("dist")
    folder: Path = root / build.NAME
    folder.mkdir()
    program = folder / build.NAME
    program.write_text("#!/bin/sh\necho fake transcript-editor\n", encoding="utf-8")
    program.chmod(0o755)
    icons.write_icons(root / "icons")
    build.add_desktop_files(folder, root / "icons")
    return folder


def run_install(bundle: Path, prefix: Path, *args: str) -> None:
    env = {**os.environ, "PREFIX": str(prefix), "HOME": str(prefix.parent)}
    subprocess.run(["sh", str(bundle / "install.sh"), *args], env=env, check=True, timeout=60)


def test_install_script_installs_and_uninstalls(fake_bundle: Path, tmp_path: Path) -> None:
    prefix = tmp_path / "prefix"
    run_install(fake_bundle, prefix)
    installed = prefix / "opt" / build.NAME / build.NAME
    assert installed.is_file()
    assert (prefix / "bin" / build.NAME).resolve() == installed.resolve()
    desktop = prefix / "share" / "applications" / f"{build.NAME}.desktop"
    assert desktop_entry(desktop)["Exec"] == f'"{installed}" %F'
    icon = prefix / "share" / "icons" / "hicolor" / "256x256" / "apps" / f"{build.NAME}.png"
    assert icon.read_bytes().startswith(b"\x89PNG")
    assert (prefix / "share" / "mime" / "packages" / f"{build.NAME}.xml").is_file()

    run_install(fake_bundle, prefix, "--uninstall")
    assert not installed.exists()
    assert not (prefix / "bin" / build.NAME).exists()
    assert not desktop.exists()
    assert not icon.exists()
