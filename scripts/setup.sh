#!/usr/bin/env bash
# Installs what storyreel needs, and only what is missing, so it is cheap to run again:
#   - system tools through apt (Debian/Ubuntu): ffmpeg, espeak-ng, fonts-noto-core (Devanagari
#     subtitles), fluidsynth and a small General MIDI soundfont (timgm6mb-soundfont);
#   - a virtual environment in .venv with storyreel and its test tools.
# Used by scripts/demo.sh and scripts/test.sh; safe to run by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(ffmpeg espeak-ng fonts-noto-core fluidsynth timgm6mb-soundfont)
PYTHON="${PYTHON:-python3}"

missing_packages() {
    local pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
    "$PYTHON" -c "import ensurepip" 2>/dev/null || echo "python3-venv"
}

install_system_packages() {
    if ! command -v dpkg-query >/dev/null; then
        for tool in ffmpeg ffprobe espeak-ng fluidsynth; do
            command -v "$tool" >/dev/null || { echo "storyreel: please install $tool (no apt on this machine)" >&2; exit 1; }
        done
        return
    fi
    mapfile -t missing < <(missing_packages)
    [ "${#missing[@]}" -eq 0 ] && return
    echo "storyreel: installing with apt: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "storyreel: run as root or install: ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_python() {
    "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
        echo "storyreel: needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1)); set PYTHON=python3.11" >&2
        exit 1
    }
}

install_python_packages() {
    [ -x .venv/bin/python ] || { echo "storyreel: creating .venv"; "$PYTHON" -m venv .venv; }
    local stamp=".venv/.storyreel-installed"
    local want
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "storyreel: installing Python packages into .venv"
        .venv/bin/python -m pip install -q --upgrade pip
        .venv/bin/python -m pip install -q -e ".[dev]"
        echo "$want" > "$stamp"
    fi
}

check_python
install_system_packages
install_python_packages
