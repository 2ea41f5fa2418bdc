"""Every mode with every shipped workflow pairing, through the real backend, against the faithful fake.

The fake makes each clip at the frames, size and rate the submitted graph's own nodes say (as the
real ComfyUI would), so what ffmpeg gets here is what it gets on a GPU: Wan 2.1 at 832x480 and
16 fps, Wan 2.2 at 1280x704 and 24 fps, SVD at 1024x576 and 6 fps. Each shot, one segment or
several, must come out with exactly its frame count, size and rate (checked with ffprobe).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from services.visual.backends.base import RenderSpec
from services.visual.backends.comfyui import ComfyRenderer
from services.visual.settings import VisualSettings
from storyreel.domain import Character, Scene, Shot, ShotType
from tests.comfyui.fake_comfy import Running

MEERA = Character(id="meera", name="Meera", description="an old woman in a white sari")
SCENE = Scene(id="s05", setting="a village by the river")
SHOT = Shot(id="s05_01", shot_type=ShotType.MEDIUM, character_ids=["meera"], visual_prompt="Meera walks to the ghat")
WIDTH, HEIGHT, FPS = 320, 180, 24
SDXL = (1344, 768)
NATIVE = {  # what one run of each video workflow makes for a 16:9 clip: width, height, frames, fps
    "svd_xt_1_1_i2v.json": (1024, 576, 25, 6.0),
    "wan21_t2v_1_3b.json": (832, 480, 81, 16.0),
    "wan21_i2v_14b_480p.json": (832, 480, 81, 16.0),
    "wan22_ti2v_5b_i2v.json": (1280, 704, 121, 24.0),
    "wan22_ti2v_5b_t2v.json": (1280, 704, 121, 24.0),
    "smoke_i2v.json": (512, 288, 16, 8.0),
    "smoke_i2v_webp.json": (512, 288, 16, 8.0),
}


@dataclass(frozen=True)
class Pairing:
    id: str
    settings: dict[str, Any]
    first: str
    """The workflow making the first segment."""
    later: str
    """The one making every later segment."""
    keyframe: tuple[int, int] | None = SDXL
    """The keyframe picture's size (None: text to video, no keyframe run)."""
    extra: dict[str, Any] = field(default_factory=dict)


def keyframe_then(animate: str) -> Pairing:
    settings = {"comfyui_mode": "keyframe_then_animate", "comfyui_animate_workflow": animate}
    return Pairing(f"keyframe+{animate}", settings, animate, animate)


def text_to_video(t2v: str, later: str, continue_with: str = "") -> Pairing:
    settings = {"comfyui_mode": "text_to_video", "comfyui_text_to_video_workflow": t2v,
                "comfyui_continue_workflow": continue_with}
    return Pairing(f"{t2v}+{continue_with or 'auto'}", settings, t2v, later, keyframe=None)


SMOKE = {"comfyui_workflow_dir": "comfy_workflows/smoke", "comfyui_keyframe_workflow": "smoke_keyframe.json",
         "comfyui_keyframe_img2img_workflow": ""}
PAIRINGS = [
    keyframe_then("svd_xt_1_1_i2v.json"),
    keyframe_then("wan21_i2v_14b_480p.json"),
    keyframe_then("wan22_ti2v_5b_i2v.json"),
    *(
        Pairing(f"smoke+{animate}", {**SMOKE, "comfyui_animate_workflow": animate}, animate, animate, (512, 288))
        for animate in ("smoke_i2v.json", "smoke_i2v_webp.json")
    ),
    text_to_video("wan21_t2v_1_3b.json", "wan21_i2v_14b_480p.json"),  # its own family, found by itself
    text_to_video("wan22_ti2v_5b_t2v.json", "wan22_ti2v_5b_i2v.json"),
    text_to_video("wan21_t2v_1_3b.json", "wan22_ti2v_5b_i2v.json", "wan22_ti2v_5b_i2v.json"),  # mixed, by choice
    text_to_video("wan22_ti2v_5b_t2v.json", "svd_xt_1_1_i2v.json", "svd_xt_1_1_i2v.json"),
]


def seconds(workflow: str) -> float:
    _, _, frames, fps = NATIVE[workflow]
    return frames / fps


def durations(pairing: Pairing) -> list[tuple[str, float, int]]:
    """(name, shot length, segments): within the first clip; into a second; into a third."""
    first, later = seconds(pairing.first), seconds(pairing.later) - 1 / NATIVE[pairing.later][3]
    return [("one", round(first * 0.6, 2), 1), ("two", round(first + later * 0.5, 2), 2),
            ("three", round(first + later * 1.5, 2), 3)]


def wanted(pairing: Pairing, name: str) -> bool:
    """Every pairing into a second segment; one segment where the first workflow is new to the list;
    three segments for SVD (its shortest clips) and for a mixed pairing."""
    mixed = bool(pairing.settings.get("comfyui_continue_workflow"))
    if name == "one":
        return not mixed
    return name == "two" or pairing is PAIRINGS[0] or pairing is PAIRINGS[-2]


CASES = [
    pytest.param(pairing, length, count, id=f"{pairing.id}-{name}")
    for pairing in PAIRINGS
    for name, length, count in durations(pairing)
    if wanted(pairing, name)
]


def probed(path: Path) -> tuple[int, int, int, str]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True,
        check=True,
    )
    video = json.loads(result.stdout)["streams"][0]
    return int(video["nb_read_frames"]), video["width"], video["height"], video["r_frame_rate"]


@pytest.mark.parametrize(("pairing", "length_s", "segments"), CASES)
def test_every_pairing_makes_an_exact_clip(
    fake_comfy: Running, tmp_path: Path, pairing: Pairing, length_s: float, segments: int
) -> None:
    settings = {"comfyui_url": fake_comfy.url, "comfyui_poll_after_s": 0.5, "comfyui_rerolls": 0, **pairing.settings}
    spec = RenderSpec(WIDTH, HEIGHT, FPS, length_s, tmp_path / "clip.mp4", tmp_path / "key.png")
    result = ComfyRenderer(VisualSettings.model_validate(settings)).render(SHOT, SCENE, [MEERA], spec)

    made = [(m.width, m.height, m.frames, m.fps) for m in fake_comfy.fake.seen.made]
    pictures = [(pairing.keyframe[0], pairing.keyframe[1], 1, None)] if pairing.keyframe else []
    assert made == [*pictures, NATIVE[pairing.first], *[NATIVE[pairing.later]] * (segments - 1)]
    frames = round(length_s * FPS)
    assert result.frame_count == frames
    assert probed(spec.clip_path) == (frames, WIDTH, HEIGHT, f"{FPS}/1")
    assert spec.keyframe_path.read_bytes().startswith(b"\x89PNG")
