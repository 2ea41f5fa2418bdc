#!/usr/bin/env bash
# Installs what is missing, then runs every check CI runs: stubs up to date, lint, types, tests.
# Extra arguments go to pytest (e.g. scripts/test.sh -k planner).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup_test_tools.sh
bash scripts/setup_comfyui.sh         # a real ComfyUI 0.3.75 for tests/comfyui (cached in ~/.cache/storyreel)
bash scripts/install_audio_models.sh   # piper, Parler-TTS, MusicGen (tiny random models in the tests)
bash scripts/install_visual_models.sh  # diffusers + accelerate for the diffusers visual backend (tiny pipelines in the tests)
bash scripts/setup_llm_server.sh       # llama.cpp server + SmolLM2-135M for the planner's LLM tests (cached)
bash scripts/setup_postgres.sh >/dev/null   # a PostgreSQL server for the job store's tests (apt: postgresql)
bash scripts/setup_browser.sh >/dev/null    # Debian's chromium for tests/web (Playwright drives it)
. .venv/bin/activate
python scripts/gen_protos.py --check
ruff check .
mypy
python -m pytest -q "$@"
