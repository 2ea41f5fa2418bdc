"""The ComfyUI backend, shot by shot, against the fake server with the shipped SDXL/SVD/Wan workflows."""

from __future__ import annotations

import json
import logging
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from services.visual.backends.base import RenderSpec
from services.visual.backends.comfyui import ComfyRenderer
from services.visual.backends.comfyui.errors import ComfyTimeout, ModelFileMissing
from services.visual.consistency import shot_seed
from services.visual.control import Progress, RenderCancelled, RenderControl, Stage
from services.visual.settings import VisualSettings
from storyreel.domain import Character, Scene, Shot, ShotType
from tests.comfyui.fake_comfy import Running

MEERA = Character(id="meera", name="Meera", description="an old woman in a white sari")
SCENE = Scene(id="s02", setting="a village by the river")
SHOT = Shot(id="s02_03", shot_type=ShotType.MEDIUM, character_ids=["meera"], visual_prompt="Meera lights the lamp")


def renderer(running: Running, **overrides: Any) -> ComfyRenderer:
    settings = {
        "comfyui_url": running.url,
        "comfyui_poll_after_s": 0.5,
        "comfyui_animate_workflow": "svd_xt_1_1_i2v.json",
    }
    return ComfyRenderer(VisualSettings.model_validate({**settings, **overrides}))


def spec_for(tmp_path: Path, duration_s: float, anchor: Path | None = None) -> RenderSpec:
    return RenderSpec(320, 180, 24, duration_s, tmp_path / "clip.mp4", tmp_path / "key.png", anchor)


def frames_of(path: Path) -> tuple[int, int, int, str]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True,
        check=True,
    )
    video = json.loads(result.stdout)["streams"][0]
    return int(video["nb_read_frames"]), video["width"], video["height"], video["r_frame_rate"]


def graphs(running: Running) -> list[dict[str, Any]]:
    return [prompt["prompt"] for prompt in running.fake.seen.prompts]


def test_a_long_shot_is_a_keyframe_then_segments_each_from_the_last_frame(fake_comfy: Running, tmp_path: Path) -> None:
    progress: list[Progress] = []
    spec = spec_for(tmp_path, 6.0)  # SVD's clips are 25 frames at 6 fps, 4.17 s: two segments
    result = renderer(fake_comfy).render(SHOT, SCENE, [MEERA], spec, RenderControl(progress.append))

    assert result.frame_count == 144 and frames_of(spec.clip_path) == (144, 320, 180, "24/1")
    assert spec.keyframe_path.read_bytes().startswith(b"\x89PNG")
    keyframe, first, second = graphs(fake_comfy)
    assert keyframe["5"]["class_type"] == "KSampler" and keyframe["5"]["inputs"]["seed"] == shot_seed(SHOT, SCENE)
    assert "an old woman in a white sari" in keyframe["2"]["inputs"]["text"]
    assert "Meera lights the lamp" in keyframe["2"]["inputs"]["text"]
    assert (keyframe["4"]["inputs"]["width"], keyframe["4"]["inputs"]["height"]) == (1344, 768)
    uploads = fake_comfy.fake.seen.uploads
    assert [first["2"]["inputs"]["image"], second["2"]["inputs"]["image"]] == [f"storyreel/{name}" for name in uploads]
    assert uploads[0] != uploads[1]  # the second segment starts from the first one's last frame
    assert first["5"]["inputs"]["seed"] != second["5"]["inputs"]["seed"]
    fractions = [update.fraction for update in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert {Stage.KEYFRAME, Stage.ANIMATING, Stage.ENCODING, Stage.CHECKING} <= {update.stage for update in progress}


def test_a_later_keyframe_of_a_scene_starts_from_the_scenes_first(
    fake_comfy: Running, tmp_path: Path, media: dict[str, Path]
) -> None:
    renderer(fake_comfy).render(SHOT, SCENE, [MEERA], spec_for(tmp_path, 1.0, anchor=media["picture"]))
    keyframe = graphs(fake_comfy)[0]
    assert keyframe["4"]["class_type"] == "LoadImage"
    assert keyframe["4"]["inputs"]["image"] == f"storyreel/{fake_comfy.fake.seen.uploads[0]}"
    assert keyframe["7"]["inputs"]["denoise"] == 0.7


def test_a_black_clip_is_rerolled_with_a_new_seed_and_logged(
    fake_comfy: Running, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake_comfy.fake.looks = ["black", "moving"]
    with caplog.at_level(logging.WARNING):
        result = renderer(fake_comfy).render(SHOT, SCENE, [MEERA], spec_for(tmp_path, 1.5))
    assert result.frame_count == 36
    seeds = [graph["5"]["inputs"]["seed"] for graph in graphs(fake_comfy)]
    assert len(seeds) == 4 and seeds[0] == seeds[1] and seeds[2] == seeds[3] != seeds[0]
    assert "mostly black" in caplog.text and "rendering it again with a new seed" in caplog.text


def test_when_rerolls_run_out_the_last_clip_is_kept_and_the_log_says_so(
    fake_comfy: Running, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake_comfy.fake.look = "black"
    with caplog.at_level(logging.WARNING):
        renderer(fake_comfy, comfyui_rerolls=0).render(SHOT, SCENE, [MEERA], spec_for(tmp_path, 1.0))
    assert len(graphs(fake_comfy)) == 2
    assert "keeping it: no re-rolls left" in caplog.text


def test_text_to_video_mode_makes_the_first_segment_from_text(fake_comfy: Running, tmp_path: Path) -> None:
    spec = spec_for(tmp_path, 6.0)  # Wan 2.1's 81 frames at 16 fps cover 5 s: a second segment follows
    renderer(fake_comfy, comfyui_mode="text_to_video").render(SHOT, SCENE, [MEERA], spec)
    first, second = graphs(fake_comfy)
    assert first["7"]["class_type"] == "EmptyHunyuanLatentVideo" and "white sari" in first["5"]["inputs"]["text"]
    # continued by Wan 2.1's own picture-to-video model at its size, not by the SVD animate workflow
    assert second["9"]["class_type"] == "WanImageToVideo"
    assert (second["9"]["inputs"]["width"], second["9"]["inputs"]["height"]) == (832, 480)
    assert frames_of(spec.clip_path) == (144, 320, 180, "24/1")


def test_cancelling_stops_the_render_and_interrupts_comfyui(fake_comfy: Running, tmp_path: Path) -> None:
    fake_comfy.fake.behaviour = "hang"
    control = RenderControl()
    threading.Timer(0.5, control.cancel).start()
    with pytest.raises(RenderCancelled):
        renderer(fake_comfy).render(SHOT, SCENE, [MEERA], spec_for(tmp_path, 1.0), control)
    assert fake_comfy.fake.seen.interrupts and fake_comfy.fake.seen.deletes


def test_a_missing_model_file_says_which_and_where(fake_comfy: Running, tmp_path: Path) -> None:
    fake_comfy.fake.behaviour = "error"
    with pytest.raises(ModelFileMissing, match=r"sd_xl_base_1\.0\.safetensors is missing or invalid"):
        renderer(fake_comfy).render(SHOT, SCENE, [MEERA], spec_for(tmp_path, 1.0))


def test_each_comfyui_run_has_its_own_time_limit_within_the_shots(fake_comfy: Running, tmp_path: Path) -> None:
    fake_comfy.fake.behaviour = "hang"
    slow = renderer(fake_comfy, comfyui_run_timeout_s=0.5, comfyui_shot_deadline_s=3600)
    with pytest.raises(ComfyTimeout, match=r"the run's limit: STORYREEL_VISUAL_COMFYUI_RUN_TIMEOUT_S=0\.5"):
        slow.render(SHOT, SCENE, [MEERA], spec_for(tmp_path, 1.0))
    assert fake_comfy.fake.seen.interrupts  # the GPU is freed for the next shot
