"""Build the desktop app bundle for this platform, check it, and run its self-test.

    python packaging/build.py                      # build dist/transcript-editor/ (Linux)
                                                   #   or dist/Transcript Editor.app (macOS)
    python packaging/build.py --bundle-model DIR   # ... with a model folder inside, for offline use
    python packaging/build.py --test               # build when stale, then transcribe a clip
    python packaging/build.py --self-test-only     # transcribe with the bundle already built

The self-test runs the bundled executable with ``--self-test AUDIO --model MODEL`` (headless, no
display) and compares the normalised text with ``--expect`` (by default the JFK sentence of the
default clip ``../shared/speech/en/jfk.flac``); ``--expect-any`` accepts any non-empty text.
Exit status: 0 when everything passed, 1 when a check or the self-test failed, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NAME = "transcript-editor"
APP_NAME = "Transcript Editor"
SPEC = HERE / "transcript_editor.spec"
SHARED = ROOT.parent / "shared"
DEFAULT_AUDIO = SHARED / "speech" / "en" / "jfk.flac"
DEFAULT_MODEL = SHARED / "models" / "whisper-tiny.en-mlx"
JFK_TEXT = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)
SOURCES = ("engine", "editor", "ui", "packaging", "pyproject.toml")
SELF_TEST_TIMEOUT_S = 600
IS_MAC = sys.platform == "darwin"

if str(HERE) not in sys.path:  # packaging/ is not a package (its name is taken on PyPI)
    sys.path.insert(0, str(HERE))
from contents import package_data  # noqa: E402

# What a working bundle must contain (globs under its content folder), and must not.
REQUIRED_LINUX = {
    "Qt's FFmpeg multimedia plugin": "**/plugins/multimedia/libffmpegmediaplugin.so",
    "FFmpeg's libavcodec for Qt": "**/Qt/lib/libavcodec.so.*",
    "Qt's X11 platform plugin": "**/plugins/platforms/libqxcb.so",
    "Qt's Wayland platform plugin": "**/plugins/platforms/libqwayland.so",
    "Qt's SVG image plugin (the icon)": "**/plugins/imageformats/libqsvg.so",
    "MLX's library": "**/mlx/lib/libmlx.so",
    "MLX's CPU backend BLAS": "**/mlx_cpu.libs/libblas-*",
}
REQUIRED_MAC = {
    "Qt's FFmpeg multimedia plugin": "**/plugins/multimedia/libffmpegmediaplugin.dylib",
    "FFmpeg's libavcodec for Qt": "**/Qt/lib/libavcodec*.dylib",
    "Qt's macOS platform plugin": "**/plugins/platforms/libqcocoa.dylib",
    "Qt's SVG image plugin (the icon)": "**/plugins/imageformats/libqsvg.dylib",
    "MLX's library": "**/mlx/lib/libmlx.dylib",
    "MLX's Metal kernels": "**/mlx/lib/mlx.metallib",
    "the app icon": "Resources/transcript-editor.icns",
}
FORBIDDEN = {"the system OpenBLAS (see packaging/README.md)": "**/libopenblas*"}


@dataclass(frozen=True, slots=True)
class Bundle:
    """Where the built app lies.

    Attributes:
        root: What is shipped: the Linux folder or the macOS ``.app``.
        content: The folder holding the collected files (the ``.app``'s ``Contents``).
        executable: The program to run.
        data: Where data files land (``_internal``; the ``.app``'s ``Contents/Resources``).
    """

    root: Path
    content: Path
    executable: Path
    data: Path


def bundle_for(dist: Path, mac: bool = IS_MAC) -> Bundle:
    """The bundle ``build`` writes into ``dist`` on this platform (or on macOS when ``mac``)."""
    if mac:
        contents = dist / f"{APP_NAME}.app" / "Contents"
        return Bundle(contents.parent, contents, contents / "MacOS" / NAME, contents / "Resources")
    folder = dist / NAME
    return Bundle(folder, folder, folder / NAME, folder / "_internal")


def project_version() -> str:
    """The version in pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as f:
        return str(tomllib.load(f)["project"]["version"])


def normalise(text: str) -> str:
    """Lower case, words only: punctuation and line breaks do not count in the self-test."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def build(
    dist: Path,
    work: Path,
    *,
    bundle_model: Path | None = None,
    codesign_identity: str | None = None,
) -> Bundle:
    """Run PyInstaller on the spec, then add the Linux desktop files; returns the bundle.

    Raises:
        SystemExit: PyInstaller is missing or failed.
    """
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit(
            "build.py: PyInstaller is not installed: run `make package`, or "
            "`pip install -e '.[package]'` in the virtual environment"
        )
    icons = work / "icons"
    if str(HERE / "icons") not in sys.path:
        sys.path.insert(0, str(HERE / "icons"))
    from make_icons import write_icons  # packaging/ is not a package (the name is taken on PyPI)

    write_icons(icons)
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work / "pyinstaller"), str(SPEC),
        "--", "--icons", str(icons),
    ]  # fmt: skip
    if bundle_model is not None:
        command += ["--bundle-model", str(bundle_model)]
    if codesign_identity:
        command += ["--codesign-identity", codesign_identity]
    started = time.time()
    if subprocess.run(command, cwd=ROOT, check=False).returncode != 0:
        raise SystemExit("build.py: PyInstaller failed (its messages are above)")
    bundle = bundle_for(dist)
    # Dated when the sources were read, so a file edited during the build makes it stale.
    os.utime(bundle.executable, (started, started))
    if not IS_MAC:
        add_desktop_files(bundle.root, icons)
    return bundle


def add_desktop_files(folder: Path, icons: Path) -> None:
    """Put the .desktop file, the icons, the MIME type and install.sh into the Linux folder."""
    linux = HERE / "linux"
    share = folder / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copy2(linux / f"{NAME}.desktop", share / "applications" / f"{NAME}.desktop")
    (share / "mime" / "packages").mkdir(parents=True, exist_ok=True)
    shutil.copy2(linux / f"{NAME}-mime.xml", share / "mime" / "packages" / f"{NAME}.xml")
    for png in icons.glob(f"{NAME}-*.png"):
        size = png.stem.rsplit("-", 1)[1]
        target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(png, target)
    shutil.copy2(linux / "install.sh", folder / "install.sh")
    (folder / "install.sh").chmod(0o755)


def check_bundle(bundle: Bundle, mac: bool = IS_MAC) -> list[str]:
    """What is wrong with a built bundle, in words; empty when it looks complete."""
    if not bundle.executable.is_file():
        return [f"the executable {bundle.executable} is missing"]
    problems = []
    required = REQUIRED_MAC if mac else REQUIRED_LINUX
    for what, pattern in required.items():
        if not any(bundle.content.glob(pattern)):
            problems.append(f"{what} is missing ({pattern})")
    for path, folder in package_data(ROOT):
        if not (bundle.data / folder / path.name).is_file():
            problems.append(f"{path.relative_to(ROOT)} is missing ({bundle.data / folder})")
    for what, pattern in FORBIDDEN.items():
        found = sorted(bundle.content.glob(pattern))
        if found:
            problems.append(f"{what} must not be bundled: {found[0]}")
    return problems


def folder_size(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (links not followed nor counted twice)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def is_stale(bundle: Bundle) -> bool:
    """Whether the bundle is missing or older than any source file."""
    if not bundle.executable.is_file():
        return True
    built = bundle.executable.stat().st_mtime
    for name in SOURCES:
        path = ROOT / name
        files = path.rglob("*.py") if path.is_dir() else [path]
        if any(f.stat().st_mtime > built for f in files):
            return True
    own = (f for f in HERE.rglob("*") if f.is_file() and "__pycache__" not in f.parts)
    return any(f.stat().st_mtime > built for f in own)


def run_self_test(bundle: Bundle, audio: Path, model: Path, expect: str | None) -> tuple[bool, str]:
    """Transcribe ``audio`` with the bundled app; returns (passed, what to report)."""
    command = [str(bundle.executable), "--self-test", str(audio), "--model", str(model)]
    print("build.py: running", " ".join(command), flush=True)
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=SELF_TEST_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return False, f"the self-test did not finish in {SELF_TEST_TIMEOUT_S} s"
    seconds = time.monotonic() - started
    text = done.stdout.strip()
    report = f"exit {done.returncode} after {seconds:.1f} s, text: {text!r}"
    if done.returncode != 0:
        return False, f"{report}\n{done.stderr.strip()}"
    if expect is None:
        return bool(normalise(text)), report
    return normalise(text) == normalise(expect), f"{report}\nexpected: {expect!r}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Build and check the app bundle for this platform.")
    p.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    p.add_argument("--work", type=Path, default=ROOT / "build", help="temporary build folder")
    p.add_argument("--bundle-model", type=Path, help="a model folder to ship inside the bundle")
    p.add_argument(
        "--codesign-identity",
        default=os.environ.get("MACOS_CODESIGN_IDENTITY") or None,
        help="macOS: sign with this identity (default: $MACOS_CODESIGN_IDENTITY, else ad hoc)",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--test", action="store_true", help="build if stale, then self-test")
    mode.add_argument("--self-test-only", action="store_true", help="self-test the built bundle")
    p.add_argument("--audio", type=Path, default=DEFAULT_AUDIO, help="self-test recording")
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="self-test model folder")
    expect = p.add_mutually_exclusive_group()
    expect.add_argument("--expect", default=JFK_TEXT, help="self-test text (normalised)")
    expect.add_argument("--expect-any", action="store_true", help="accept any non-empty text")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if sys.platform not in ("linux", "darwin"):
        print(f"build.py: only Linux and macOS are supported, not {sys.platform}", file=sys.stderr)
        return 2
    bundle = bundle_for(args.dist)
    if args.bundle_model is not None and not (args.bundle_model / "config.json").is_file():
        print(f"build.py: {args.bundle_model} is not a model folder", file=sys.stderr)
        return 2
    if not args.self_test_only and (not args.test or is_stale(bundle)):
        started = time.monotonic()
        bundle = build(
            args.dist,
            args.work,
            bundle_model=args.bundle_model,
            codesign_identity=args.codesign_identity,
        )
        print(f"build.py: built {bundle.root} in {time.monotonic() - started:.0f} s")
    problems = check_bundle(bundle)
    for problem in problems:
        print(f"build.py: {problem}", file=sys.stderr)
    if problems:
        return 1
    size_mb = folder_size(bundle.root) / 1e6
    print(f"build.py: {bundle.root} v{project_version()}, {size_mb:.0f} MB, checks passed")
    if not (args.test or args.self_test_only):
        return 0
    for path in (args.audio, args.model):
        if not path.exists():
            print(f"build.py: {path} not found (see --audio and --model)", file=sys.stderr)
            return 2
    passed, report = run_self_test(
        bundle, args.audio, args.model, None if args.expect_any else args.expect
    )
    print(f"build.py: self-test {'passed' if passed else 'FAILED'}: {report}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
