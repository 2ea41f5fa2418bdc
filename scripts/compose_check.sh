#!/usr/bin/env bash
# The containers, for real, on any machine with a Docker engine and docker-compose:
# builds the cpu images (the base from Debian's packages where no registry answers; the host's CA
# bundle, when there is one, goes to BuildKit as a secret), brings the cpu set up, renders a short story
# through the gateway's port published on 127.0.0.1, checks the film with ffprobe, prints its path and
# length and each image's size, and brings the stack down. Then it builds the gpu images (ComfyUI, audio with
# Parler-TTS and MusicGen, visual with diffusers; several GB each) and checks each on the CPU: ComfyUI starts
# and has every node the workflows use; gpu_check.py's tiny models run inside the audio and visual images,
# whose services then start with their GPU backends and report healthy (tests/containers/gpu_images.py).
#   bash scripts/compose_check.sh            # exit 0: a film came out and every gpu image passed; 2: no engine
#   bash scripts/compose_check.sh --cpu-only # the cpu set only
#   bash scripts/compose_check.sh --keep     # leave the stack up (project storyreel-check)
# Settings: STORYREEL_BASE_IMAGE (skip the base step), STORYREEL_CA_BUNDLE, STORYREEL_CHECK_PORT, DOCKER,
# STORYREEL_COMFYUI_SOURCE (github|pypi), STORYREEL_TORCH_INDEX_URL (default: each Dockerfile's, else PyPI).
# tests/containers runs the same code (tests/containers/stack.py).
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 tests/containers/stack.py check "$@"
