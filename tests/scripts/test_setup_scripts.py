"""The fresh-machine set-up: scripts/ensure-system-deps.sh, scripts/ensure-venv.sh, the Makefile.

The system is replaced by stub commands on PATH (dpkg-query, apt-get, brew, id, uname) and a fake
os-release file, so these run anywhere, as anyone, and install nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


SYSTEM_DEPS = REPO / "scripts" / "ensure-system-deps.sh"
BASH = shutil.which("bash") or "/bin/bash"
ENSURE_VENV = REPO / "scripts" / "ensure-venv.sh"

STUBS = {
    # prints the status of "$4" (the package): installed when it is in $INSTALLED
    "dpkg-query": 'case " $INSTALLED " in *" ${@: -1} "*) printf "install ok installed";; '
    "*) exit 1;; esac",
    "apt-get": 'echo "$*" >> "$APT_LOG"',
    "apt-cache": "exit 0",
    "id": 'echo "$FAKE_UID"',
    "uname": 'echo "$FAKE_SYSTEM"',
}
RELEASES = {
    "debian-12": 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    "debian-13": 'ID=debian\nVERSION_ID="13"\nVERSION_CODENAME=trixie\n',
    "ubuntu-22.04": 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="22.04"\nUBUNTU_CODENAME=jammy\n',
    "ubuntu-24.04": 'ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\nUBUNTU_CODENAME=noble\n',
    "mint-22": 'ID=linuxmint\nID_LIKE="ubuntu debian"\nVERSION_ID="22"\nUBUNTU_CODENAME=noble\n',
}


def listed_packages() -> list[str]:
    """The package names in the script's list, as written (before per-release renaming)."""
    text = SYSTEM_DEPS.read_text(encoding="utf-8")
    block = text.split("debian_packages=(", 1)[1].split("\n)", 1)[0]
    lines = [line.split("#", 1)[0] for line in block.splitlines()]
    return [word for line in lines for word in line.split()]


def run_deps(
    tmp_path: Path,
    release: str,
    installed: list[str],
    uid: int = 0,
    system: str = "Linux",
    commands: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run the script on a pretended system; ``commands`` are more stubs (``brew``, ``ffmpeg``).

    Every stub notes its call in ``calls.log``. Off Linux, PATH holds the stubs alone, so no real
    ffmpeg or brew of this machine is found.
    """
    stubs = tmp_path / "bin"
    stubs.mkdir(exist_ok=True)
    for name, body in {**STUBS, **dict.fromkeys(commands, "exit 0")}.items():
        stub = stubs / name
        log = 'echo "${0##*/} $*" >> "$CALLS_LOG"'
        stub.write_text(f"#!{BASH}\n{log}\n{body}\n", encoding="utf-8")
        stub.chmod(0o755)
    os_release = tmp_path / "os-release"
    os_release.write_text(RELEASES[release], encoding="utf-8")
    env = {
        "PATH": f"{stubs}{os.pathsep}{os.environ['PATH']}" if system == "Linux" else str(stubs),
        "OS_RELEASE": str(os_release),
        "INSTALLED": " ".join(installed),
        "APT_LOG": str(tmp_path / "apt.log"),
        "CALLS_LOG": str(tmp_path / "calls.log"),
        "FAKE_UID": str(uid),
        "FAKE_SYSTEM": system,
    }
    return subprocess.run(
        [BASH, str(SYSTEM_DEPS)], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def calls(tmp_path: Path) -> list[str]:
    """The stubbed commands the script ran, with their arguments."""
    log = tmp_path / "calls.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def apt_installs(tmp_path: Path) -> list[str]:
    log = tmp_path / "apt.log"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [word for line in lines if line.startswith("install") for word in line.split()[1:]]


def test_a_bare_debian_gets_venv_binutils_and_the_desktop_validator(tmp_path: Path) -> None:
    done = run_deps(tmp_path, "debian-12", installed=[])
    assert done.returncode == 0, done.stderr
    installed = apt_installs(tmp_path)
    wanted = ("python3-venv", "binutils", "libpython3-dev", "desktop-file-utils", "libasound2")
    for package in (*wanted, "ffmpeg"):
        assert package in installed
    assert "libasound2t64" not in installed


@pytest.mark.parametrize(
    ("release", "alsa"),
    [
        ("debian-12", "libasound2"),
        ("ubuntu-22.04", "libasound2"),
        ("debian-13", "libasound2t64"),
        ("ubuntu-24.04", "libasound2t64"),
        ("mint-22", "libasound2t64"),
    ],
)
def test_package_names_follow_the_release(tmp_path: Path, release: str, alsa: str) -> None:
    renamed = [alsa if p == "libasound2" else p for p in listed_packages()]
    done = run_deps(tmp_path, release, installed=renamed, uid=1000)
    assert (done.returncode, done.stderr) == (0, "")


def test_a_user_gets_the_exact_command_once(tmp_path: Path) -> None:
    present = [p for p in listed_packages() if p not in ("libasound2", "ffmpeg")]
    done = run_deps(tmp_path, "ubuntu-24.04", installed=present, uid=1000)
    assert done.returncode == 1
    commands = [line.strip() for line in done.stderr.splitlines() if "apt-get" in line]
    assert commands == [
        "sudo apt-get update && sudo apt-get install -y --no-install-recommends "
        "libasound2t64 ffmpeg"
    ]
    assert apt_installs(tmp_path) == []


@pytest.mark.parametrize("uid", [501, 0])
def test_a_mac_without_ffmpeg_gets_the_brew_command_and_no_apt(tmp_path: Path, uid: int) -> None:
    done = run_deps(
        tmp_path, "debian-12", installed=[], uid=uid, system="Darwin", commands=("brew",)
    )
    assert done.returncode == 1
    commands = [line.strip() for line in done.stderr.splitlines() if "install" in line]
    assert commands[-1] == "brew install ffmpeg"
    assert ("as root" in done.stderr) == (uid == 0)
    # Neither Debian's tools nor brew itself ran: the person installs, as themselves.
    assert [c for c in calls(tmp_path) if c.split()[0] not in ("uname", "id")] == []


def test_a_mac_without_homebrew_is_told_where_to_get_it(tmp_path: Path) -> None:
    done = run_deps(tmp_path, "debian-12", installed=[], uid=501, system="Darwin")
    assert done.returncode == 1
    assert "https://brew.sh" in done.stderr
    assert "brew install ffmpeg" in done.stderr


def test_a_mac_with_ffmpeg_passes_quietly(tmp_path: Path) -> None:
    done = run_deps(
        tmp_path, "debian-12", installed=[], uid=501, system="Darwin", commands=("brew", "ffmpeg")
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert [c.split()[0] for c in calls(tmp_path)] == ["uname"]


def make_dry_run(tmp_path: Path, target: str) -> str:
    """What `make -n target` would run, with the venv and the package databases in tmp_path."""
    args = [f"VENV={tmp_path / 'venv'}", f"DPKG_STATUS={tmp_path / 'status'}"]
    args.append(f"BREW_CELLAR={tmp_path / 'Cellar'}")
    cmd = ["make", "--no-print-directory", "-n", "-C", str(REPO), *args, target]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout


@pytest.mark.parametrize("database", ["status", "Cellar"], ids=["dpkg", "homebrew"])
def test_the_system_check_runs_again_when_packages_change(tmp_path: Path, database: str) -> None:
    venv, status = tmp_path / "venv", tmp_path / database
    venv.mkdir()
    if database == "Cellar":
        status.mkdir()  # Homebrew's Cellar: a folder per formula, so its time changes with them
    else:
        status.write_text("", encoding="utf-8")
    for stamp in (".sysdeps", ".installed"):
        (venv / stamp).touch()
    newer = status.stat().st_mtime + 10
    for stamp in (venv / ".sysdeps", venv / ".installed"):
        os.utime(stamp, (newer, newer))
    assert "ensure-system-deps.sh" not in make_dry_run(tmp_path, "setup")
    # apt or brew removed (or installed) something: its database is now the newest
    os.utime(status, (newer + 10, newer + 10))
    commands = make_dry_run(tmp_path, "setup")
    assert "ensure-system-deps.sh" in commands
    assert "pip install" not in commands  # a system package does not reinstall Python ones


def run_ensure_venv(venv: Path, python: str) -> subprocess.CompletedProcess[str]:
    cmd = ["bash", str(ENSURE_VENV), str(venv), python]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def test_a_failed_venv_leaves_nothing_that_fools_the_next_run(tmp_path: Path) -> None:
    # Debian's python3 without python3-venv: creates bin/python, then fails for lack of ensurepip.
    broken = tmp_path / "python-without-venv"
    broken.write_text(
        "#!/usr/bin/env bash\n"
        'if [ "$1" = -m ] && [ "$2" = venv ]; then\n'
        '  mkdir -p "${@: -1}/bin"; ln -sf "$(command -v false)" "${@: -1}/bin/python"; exit 1\n'
        "fi\n"
        f'exec "{sys.executable}" "$@"\n',
        encoding="utf-8",
    )
    broken.chmod(0o755)
    venv = tmp_path / "venv"
    done = run_ensure_venv(venv, str(broken))
    assert done.returncode == 1
    assert "python3-venv" in done.stderr
    assert not venv.exists()


@pytest.mark.slow
def test_a_venv_without_pip_is_made_again(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(shutil.which("false") or "/bin/false")
    done = run_ensure_venv(venv, sys.executable)
    assert done.returncode == 0, done.stderr
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--version"]
    assert subprocess.run(pip, capture_output=True, timeout=60, check=False).returncode == 0
    again = run_ensure_venv(venv, sys.executable)  # idempotent: a working venv is left alone
    assert (again.returncode, again.stderr) == (0, "")
