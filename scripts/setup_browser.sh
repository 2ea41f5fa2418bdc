#!/usr/bin/env bash
# Installs Debian's Chromium when it is missing, for the web page's browser test (tests/web/),
# which drives it headless through Playwright's Python package (no browser download: Playwright
# is pointed at /usr/bin/chromium). Prints the browser's path. Safe to run again.
set -euo pipefail

if ! command -v chromium >/dev/null; then
    echo "storyreel: installing chromium with apt (for the web page test)" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "storyreel: run as root or install the package chromium" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
command -v chromium
