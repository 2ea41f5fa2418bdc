#!/usr/bin/env bash
# Makes a base image equivalent to python:3.11-slim-bookworm from Debian's own packages, for machines
# where no image registry answers (the Dockerfiles take it with --build-arg BASE_IMAGE=...):
#
#   Debian 12 (bookworm, minbase) + python3 (3.11) + python3-venv + ca-certificates, and a virtual
#   environment at /usr/local (python, python3, pip in /usr/local/bin, packages in
#   /usr/local/lib/python3.11/site-packages): the paths and commands python:3.11-slim-bookworm has.
#
# The tag is a hash of this file (the recipe), so a rebuild with the same recipe reuses the image:
#   bash scripts/build_base_image.sh          # prints the tag, e.g. storyreel-base:bookworm-py311-1a2b3c4d5e6f
#   BASE_MIRROR=http://ftp.de.debian.org/debian bash scripts/build_base_image.sh
# Needs root (debootstrap) and a Docker engine. Progress goes to stderr; stdout is the tag alone.
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKER="${DOCKER:-docker}"
MIRROR="${BASE_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
PACKAGES=python3,python3-venv,ca-certificates
recipe_hash="$(sha256sum "$0" | cut -c1-12)"
TAG="storyreel-base:${SUITE}-py311-${recipe_hash}"

say() { echo "build_base_image: $*" >&2; }

if $DOCKER image inspect "$TAG" >/dev/null 2>&1; then
    say "$TAG is there already (same recipe)"
    echo "$TAG"
    exit 0
fi
command -v debootstrap >/dev/null || {
    say "installing debootstrap with apt"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
}

started=$(date +%s)
root="$(mktemp -d /var/tmp/storyreel-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT
say "debootstrap $SUITE ($PACKAGES) from $MIRROR"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$root" "$MIRROR" >/dev/null

# The same apt sources as Debian's own images (updates and security), so apt in a build gets fixes.
cat > "$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://deb.debian.org/debian-security $SUITE-security main
EOF
# As Debian's docker images do: no recommends, no docs, no apt caches left in layers.
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
APT::Install-Recommends "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
cat > "$root/etc/dpkg/dpkg.cfg.d/docker-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF

say "a virtual environment at /usr/local (python, pip on PATH)"
chroot "$root" /usr/bin/python3 -m venv /usr/local
chroot "$root" /usr/local/bin/python -c "import sys, ssl, venv; assert sys.version_info[:2] == (3, 11)"

rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/usr/share/doc/*/[!c]* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log \
    "$root"/tmp/* "$root"/root/.cache
find "$root/usr/local/lib" -name __pycache__ -prune -exec rm -rf {} +

say "importing it as $TAG"
tar -C "$root" -c . | $DOCKER import \
    -c 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'CMD ["python3"]' \
    -m "storyreel base: debootstrap $SUITE + $PACKAGES, venv at /usr/local (recipe $recipe_hash)" \
    - "$TAG" >/dev/null
say "done in $(( $(date +%s) - started )) s: $TAG, $($DOCKER image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
echo "$TAG"
