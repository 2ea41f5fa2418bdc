"""Write tiny random diffusers pipelines (one folder per family) and print the settings that point
the visual service's diffusers backend at them, as KEY=VALUE lines for a .env file or `env`:

    python scripts/make_tiny_models.py /tmp/tiny-models > /tmp/tiny.env
    env $(cat /tmp/tiny.env) storyreel render story.txt --visual-backend diffusers

The folders load with from_pretrained like models from the hub (no download); the weights are
noise, so the film is noise too, at the real pipelines' frame counts, sizes and rates. Needs the
`visual-gpu` extra (bash scripts/install_visual_models.sh).

    --pairing svd       SDXL keyframes animated by SVD (the backend's default pairing)
    --pairing wan       SDXL keyframes animated by Wan image-to-video
    --pairing wan_t2v   Wan text-to-video, long shots continued by Wan image-to-video
    --pairing ltx       SDXL keyframes animated by LTX-Video image-to-video
    --pairing ltx_t2v   LTX-Video text-to-video, continued by the same model image-to-video
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from services.visual.backends.diffusers import tiny  # noqa: E402

PREFIX = "STORYREEL_VISUAL_"
SMALL = {"DIFFUSERS_KEYFRAME_STEPS": "2", "DIFFUSERS_VIDEO_STEPS": "2", "DIFFUSERS_KEYFRAME_PIXELS": "4096",
         "DIFFUSERS_VIDEO_PIXELS": "1024", "DIFFUSERS_MAX_FRAMES": "17", "DIFFUSERS_REROLLS": "0"}  # fmt: skip
"""Tiny sizes and 2 denoising steps, so a shot takes seconds on a CPU."""


def pairing_settings(pairing: str, folders: dict[str, Path]) -> dict[str, str]:
    """The diffusers backend's settings (without the prefix) for one pairing of the tiny models."""
    keyframes = {"DIFFUSERS_MODE": "keyframe_then_animate", "DIFFUSERS_KEYFRAME_MODEL": str(folders["sdxl"])}
    text = {"DIFFUSERS_MODE": "text_to_video"}
    chosen = {
        "svd": {**keyframes, "DIFFUSERS_VIDEO_MODEL": str(folders["svd"])},
        "wan": {**keyframes, "DIFFUSERS_VIDEO_MODEL": str(folders["wan_i2v"])},
        "wan_t2v": {**text, "DIFFUSERS_VIDEO_MODEL": str(folders["wan_t2v"]),
                    "DIFFUSERS_CONTINUE_MODEL": str(folders["wan_i2v"])},
        "ltx": {**keyframes, "DIFFUSERS_VIDEO_MODEL": str(folders["ltx"]), "DIFFUSERS_VIDEO_FAMILY": "ltx_i2v"},
        "ltx_t2v": {**text, "DIFFUSERS_VIDEO_MODEL": str(folders["ltx"])},
    }[pairing]  # fmt: skip
    return {"BACKEND": "diffusers", **chosen, **SMALL}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="where the tiny pipelines go (one folder per family)")
    parser.add_argument("--pairing", default="svd", choices=["svd", "wan", "wan_t2v", "ltx", "ltx_t2v"])
    args = parser.parse_args(argv)
    folders = tiny.write(args.folder.resolve())
    print("HF_HUB_OFFLINE=1")
    for key, value in pairing_settings(args.pairing, folders).items():
        print(f"{PREFIX}{key}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
