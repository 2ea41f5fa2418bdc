#!/usr/bin/env bash
# Tools only the tests need, installed when missing (scripts/test.sh runs this after setup.sh):
#   - docker-compose (Debian's package) to check compose.yaml without a Docker engine.
#   - docker.io (Debian's Docker engine 20.10) and debootstrap for tests/containers, which build and run
#     the images; dockerd is started here when nothing answers and this runs as root (as on CI).
# hadolint and kubernetes-validate come from PyPI with the dev extra.
set -euo pipefail
cd "$(dirname "$0")/.."

TEST_APT_PACKAGES=(docker-compose docker.io debootstrap)

missing=()
for pkg in "${TEST_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "storyreel: installing test tools with apt: ${missing[*]}"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A Docker engine for tests/containers: start Debian's dockerd when none answers (root only; elsewhere
# the tests skip with the reason). Its log: /var/log/storyreel-dockerd.log.
if ! docker info >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v dockerd >/dev/null; then
    echo "storyreel: starting dockerd for tests/containers"
    nohup dockerd >/var/log/storyreel-dockerd.log 2>&1 &
    for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || echo "storyreel: dockerd did not start (see /var/log/storyreel-dockerd.log)"
fi
