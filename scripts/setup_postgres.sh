#!/usr/bin/env bash
# Installs the PostgreSQL server from Debian's packages when it is missing, for the gateway's
# PostgreSQL tests (tests/unit/test_gateway_store.py start a throwaway cluster on a free port;
# nothing here starts a server). Prints the folder of the server programs. Safe to run again.
set -euo pipefail

find_bin() {
    local initdb
    initdb="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$initdb" ] && dirname "$initdb"
}

if ! bin="$(find_bin)"; then
    echo "storyreel: installing the PostgreSQL server with apt (postgresql)" >&2
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "storyreel: run as root or install the package postgresql" >&2; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    # The package's own cluster may fail to start where there is no init system: we never use it.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    bin="$(find_bin)" || { echo "storyreel: postgresql installed but initdb not found" >&2; exit 1; }
fi
echo "$bin"
