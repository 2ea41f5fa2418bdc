#!/usr/bin/env bash
# Tools only the tests need, installed when missing (scripts/test.sh runs this after setup.sh):
#   - docker-compose (Debian's package) to check compose.yaml without a Docker engine.
# hadolint and kubernetes-validate come from PyPI with the dev extra.
set -euo pipefail
cd "$(dirname "$0")/.."

TEST_APT_PACKAGES=(docker-compose)

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
