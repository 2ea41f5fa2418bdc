#!/usr/bin/env bash
# Installs what is missing, then renders the sample story into out/film.mp4, out/film.srt and
# out/film.storyboard.json. Pass another story file to render that instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/storyreel render "${1:-samples/the_lantern_keeper.txt}" -o out/film.mp4
