#!/usr/bin/env bash
# Every backend that uses torch, run once on CUDA when there is a GPU (else on the CPU) with tiny
# random models built on the spot: one line per backend, exit 1 if any failed.
#   bash scripts/gpu_check.sh                 # all
#   bash scripts/gpu_check.sh parler-en comfyui
# Needs the audio models (scripts/install_audio_models.sh) and, for the comfyui line, the ComfyUI
# install (scripts/setup_comfyui.sh); a missing one is a SKIPPED line saying which script to run.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
[ -x .venv/bin/python ] && python=.venv/bin/python
exec "$python" scripts/gpu_check.py "$@"
