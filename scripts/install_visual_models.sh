#!/usr/bin/env bash
# Installs the visual service's diffusers backend into .venv (so its tests run on CPU with tiny
# random pipelines): the `visual-gpu` extra, diffusers 0.35.2 and accelerate, beside the CPU torch
# and transformers 4.46.1 that scripts/install_audio_models.sh installs (run that first).
# Reruns take a second: it stops when the pipelines import.
#
# Why diffusers 0.35.2: it is the newest release whose video pipelines import beside
# transformers 4.46.1 (pinned by parler-tts 0.2.3). 0.36 and 0.37 fail importing the auto pipelines
# (transformers' Qwen2_5_VL), 0.37+ fail importing the VAE (Dinov2WithRegistersConfig), and 0.42
# needs huggingface-hub 1.x, which transformers 4.46 refuses. 0.35.2 has every family the backend
# names: SDXL, SVD, Wan 2.1/2.2, LTX-Video, CogVideoX, HunyuanVideo, Mochi.
set -euo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate

importable() {
    python -W ignore -c "
import accelerate, diffusers, ftfy, transformers
from diffusers import StableDiffusionXLPipeline, StableVideoDiffusionPipeline, WanPipeline, LTXPipeline
" 2>/dev/null
}

if importable; then
    echo "visual model backends: already installed"
    exit 0
fi
python -c "import torch, transformers" 2>/dev/null || {
    echo "visual model backends: torch and transformers are missing: run scripts/install_audio_models.sh first" >&2
    exit 1
}
echo "visual model backends: installing the visual-gpu extra (diffusers, accelerate)"
# The pins of the visual-gpu extra, without re-resolving the rest of the project's extras.
pip install --quiet "diffusers==0.35.2" "accelerate==1.15.0" "ftfy==6.3.1"
importable || { echo "visual model backends: still not importable" >&2; python -c "import diffusers; from diffusers import WanPipeline"; exit 1; }
echo "visual model backends: ready"
