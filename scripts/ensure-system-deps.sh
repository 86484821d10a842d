#!/usr/bin/env bash
# Makes sure the system libraries the app needs are present.
# Debian/Ubuntu: installs them with apt when running as root, otherwise prints the exact command.
# macOS: checks for Homebrew's ffmpeg (needed for m4a/mp4/video files) and explains how to get it.
set -euo pipefail

debian_packages=(
    # Qt's xcb/offscreen platforms, OpenGL and fonts
    libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
    libxcb-render-util0 libxcb-image0 libxcb-xkb1 fonts-dejavu-core
    # QtMultimedia audio output
    libpulse0 libasound2
    # decoding m4a/mp4/video and everything libsndfile cannot read
    ffmpeg
    # fast BLAS for MLX on the CPU (see engine/blas.py)
    libopenblas0
    # headless screenshots of the app
    xvfb xauth
)

case "$(uname -s)" in
Darwin)
    if ! command -v ffmpeg >/dev/null 2>&1; then
        echo "note: ffmpeg not found; wav/flac/ogg/mp3 work, but m4a/mp4/video need it:" >&2
        echo "    brew install ffmpeg" >&2
    fi
    exit 0
    ;;
Linux) ;;
*) exit 0 ;;
esac

command -v dpkg-query >/dev/null 2>&1 || {
    echo "note: not a Debian-like system; install Qt's runtime libraries, ffmpeg and OpenBLAS yourself." >&2
    exit 0
}

missing=()
for p in "${debian_packages[@]}"; do
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
    echo "    sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
fi
