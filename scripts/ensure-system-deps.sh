#!/usr/bin/env bash
# Makes sure the system packages the app, its tests and its packaging need are present.
# Debian/Ubuntu: installs them with apt when running as root, otherwise prints the one exact
# command to run and fails. macOS: Qt, Python and MLX need nothing from the system but ffmpeg
# (m4a/mp4/video files, and the tests); when it is missing this prints the one `brew install`
# command and fails. It never runs brew itself: Homebrew refuses to run as root, and installing
# for a user is theirs to do. The Makefile runs this again whenever dpkg's database or Homebrew's
# Cellar changes, so a removed package is noticed.
#
# Tests replace the system through OS_RELEASE (the os-release file) and stub commands on PATH.
set -euo pipefail

debian_packages=(
    # `python3 -m venv` with pip: without it the venv is created half-way (see the Makefile)
    python3-venv
    # Qt's xcb/offscreen platforms, OpenGL and fonts
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
    libxcb-render-util0 libxcb-image0 libxcb-xkb1 fonts-dejavu-core
    # QtMultimedia audio output (libasound2 is renamed on newer releases: see resolve)
    libpulse0 libasound2
    # decoding m4a/mp4/video and everything libsndfile cannot read
    ffmpeg
    # fast BLAS for MLX on the CPU (see engine/blas.py)
    libopenblas0
    # headless screenshots of the app
    xvfb xauth
    # PyInstaller reads and rewrites binaries with objdump/objcopy (the bundle test in `make test`)
    binutils
    # ...and bundles Python's shared library, which Debian's python3 does not install. This pulls
    # in the default python3's, whatever the release calls it (libpython3.11 on Debian 12,
    # libpython3.12t64 on Ubuntu 24.04)
    libpython3-dev
    # desktop-file-validate checks the Linux desktop entry (tests/packaging)
    desktop-file-utils
)

os_release="${OS_RELEASE:-/etc/os-release}"

# Prints "ID VERSION_ID UBUNTU_CODENAME ID_LIKE" of the running release, "-" for an unknown field.
release_fields() {
    local ID="" VERSION_ID="" UBUNTU_CODENAME="" ID_LIKE=""
    # shellcheck disable=SC1090
    [ -r "$os_release" ] && . "$os_release"
    echo "${ID:--} ${VERSION_ID:--} ${UBUNTU_CODENAME:--} ${ID_LIKE:--}"
}

# Whether the release renamed its libraries for 64-bit time (Debian 13, Ubuntu 24.04 and later):
# libasound2 became libasound2t64 there, and asking for the old name would never succeed.
# https://wiki.debian.org/ReleaseGoals/64bit-time
has_t64_names() {
    local id version codename
    read -r id version codename _ <<<"$(release_fields)"
    case "$codename" in
    bionic | focal | jammy | kinetic | lunar | mantic) return 1 ;;
    -) ;;
    *) return 0 ;; # Ubuntu 24.04 or later, or a derivative of it (Mint 22, Pop!_OS 24.04...)
    esac
    if [ "$id" = debian ]; then
        # testing and unstable carry no VERSION_ID and have the new names
        [ "$version" = - ] || [ "${version%%.*}" -ge 13 ]
        return
    fi
    if [ "$id" = ubuntu ]; then
        [ "${version%%.*}" -ge 24 ]
        return
    fi
    # Another Debian-like release: ask apt which name it can install.
    apt-cache policy libasound2t64 2>/dev/null | grep -q 'Candidate: [0-9]'
}

# The package this release calls $1.
resolve() {
    case "$1" in
    libasound2) if has_t64_names; then echo libasound2t64; else echo libasound2; fi ;;
    *) echo "$1" ;;
    esac
}

# The commands macOS needs, as "command:Homebrew formula".
macos_tools=(ffmpeg:ffmpeg)

# Prints the one command that installs what is missing on macOS and fails; nothing when all is there.
check_macos() {
    local missing=() tool
    for tool in "${macos_tools[@]}"; do
        command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "These Homebrew packages are missing. Install them, then run make again:" >&2
    if ! command -v brew >/dev/null 2>&1; then
        echo "(Homebrew itself is not installed: see https://brew.sh)" >&2
    fi
    echo "    brew install ${missing[*]}" >&2
    if [ "$(id -u)" -eq 0 ]; then
        echo "Run it as yourself, not as root: Homebrew refuses to run as root." >&2
    fi
    return 1
}

case "$(uname -s)" in
Darwin)
    if check_macos; then exit 0; else exit 1; fi
    ;;
Linux) ;;
*) exit 0 ;;
esac

command -v dpkg-query >/dev/null 2>&1 || {
    echo "note: not a Debian-like system; install Python's venv module, Qt's runtime libraries," \
        "ffmpeg, OpenBLAS, binutils and desktop-file-utils yourself." >&2
    exit 0
}

wanted=()
for p in "${debian_packages[@]}"; do
    wanted+=("$(resolve "$p")")
done

missing=()
for p in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "Installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "These system packages are missing. Install them, then run make again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
