"""The diffusers backend end to end on the CPU with the real pipeline classes (SDXL, SVD, Wan
text- and picture-to-video, LTX-Video both ways), built tiny and random from configs and loaded
from folders like hub models (services/visual/backends/diffusers/tiny.py; no download): each
clip has exactly the frames, size and rate asked for, long shots continue segment by segment,
a cancel stops between denoising steps, and a pipeline is loaded once per process."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("diffusers", reason="the `visual-gpu` extra is not installed (scripts/install_visual_models.sh)")

import torch

from services.visual.backends.base import RenderSpec
from services.visual.backends.diffusers import DiffusersRenderer, tiny
from services.visual.backends.diffusers.loading import Pipelines
from services.visual.control import Progress, RenderCancelled, RenderControl
from services.visual.settings import Offload, VisualSettings
from storyreel.domain import Scene, Shot, ShotType
from storyreel.errors import BackendError, InvalidInput

SCENE = Scene(id="s02", setting="the river bank at dusk")
SHOT = Shot(id="s02_01", shot_type=ShotType.WIDE, seed=2, visual_prompt="boats come home")
SMALL = {
    "diffusers_keyframe_steps": 2, "diffusers_video_steps": 2, "diffusers_keyframe_pixels": 64 * 64,
    "diffusers_video_pixels": 32 * 32, "diffusers_rerolls": 0,
}  # fmt: skip


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    os.environ["HF_HUB_OFFLINE"] = "1"  # a download would be a failure
    return tiny.write(tmp_path_factory.mktemp("tiny-diffusers"))


def pairing(name: str, models: dict[str, Path]) -> dict[str, Any]:
    keyframes = {"diffusers_keyframe_model": str(models["sdxl"])}
    pairings: dict[str, dict[str, Any]] = {
        "svd": {**keyframes, "diffusers_video_model": str(models["svd"])},
        "wan": {**keyframes, "diffusers_video_model": str(models["wan_i2v"]), "diffusers_max_frames": 9},
        "wan_t2v": {"diffusers_mode": "text_to_video", "diffusers_video_model": str(models["wan_t2v"]),
                    "diffusers_continue_model": str(models["wan_i2v"]), "diffusers_max_frames": 9},
        "ltx": {**keyframes, "diffusers_video_model": str(models["ltx"]), "diffusers_video_family": "ltx_i2v"},
        "ltx_t2v": {"diffusers_mode": "text_to_video", "diffusers_video_model": str(models["ltx"]),
                    "diffusers_max_frames": 9},
    }  # fmt: skip
    return pairings[name]


def renderer(models: dict[str, Path], name: str, **settings: Any) -> DiffusersRenderer:
    return DiffusersRenderer(VisualSettings.model_validate({**SMALL, **pairing(name, models), **settings}))


def spec(folder: Path, duration_s: float = 1.5, **extra: Any) -> RenderSpec:
    folder.mkdir(parents=True, exist_ok=True)
    return RenderSpec(64, 36, 8, duration_s, folder / "clip.mp4", folder / "keyframe.png", **extra)


def probe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    stream: dict[str, Any] = json.loads(result.stdout)["streams"][0]
    return stream


def render(backend: DiffusersRenderer, where: RenderSpec, shot: Shot = SHOT) -> list[Progress]:
    seen: list[Progress] = []
    backend.render(shot, SCENE, [], where, RenderControl(seen.append))
    return seen


def messages(seen: list[Progress], word: str) -> list[str]:
    return [update.message for update in seen if word in update.message]


@pytest.mark.parametrize(
    ("name", "segments", "pipelines"),
    [
        ("svd", 1, ["StableDiffusionXLPipeline", "StableVideoDiffusionPipeline"]),  # 14 frames at 7 fps: 2 s
        ("wan", 3, ["StableDiffusionXLPipeline", "WanImageToVideoPipeline"]),  # 9 + 8 + 8 frames at 16 fps
        ("wan_t2v", 3, ["WanPipeline", "WanImageToVideoPipeline"]),
        ("ltx", 1, ["StableDiffusionXLPipeline", "LTXImageToVideoPipeline"]),  # 41 frames at 24 fps
        ("ltx_t2v", 5, ["LTXPipeline", "LTXImageToVideoPipeline"]),  # 9 + 4 x 8 frames at 24 fps
    ],
)
def test_each_pairing_makes_a_clip_of_the_exact_frames_size_and_rate(
    models: dict[str, Path], tmp_path: Path, name: str, segments: int, pipelines: list[str]
) -> None:
    backend = renderer(models, name)
    seen = render(backend, spec(tmp_path))

    stream = probe(tmp_path / "clip.mp4")
    assert (int(stream["nb_read_frames"]), stream["width"], stream["height"]) == (12, 64, 36)
    assert (stream["r_frame_rate"], stream["codec_name"], stream["pix_fmt"]) == ("8/1", "h264", "yuv420p")
    assert (tmp_path / "keyframe.png").read_bytes().startswith(b"\x89PNG")
    made = messages(seen, "segment ")
    assert len(made) == segments and made[-1].startswith(f"segment {segments} of {segments}")
    assert sorted({type(pipe).__name__ for pipe in backend.pipelines.loaded.values()}) == sorted(pipelines)
    assert messages(seen, "denoising step 2 of 2"), "progress per denoising step"
    assert [update.fraction for update in seen] == sorted(update.fraction for update in seen)
    assert set(backend.pipelines.loads.values()) == {1}


def test_frame_counts_follow_the_family_rule(models: dict[str, Path], tmp_path: Path) -> None:
    backend = renderer(models, "wan_t2v", diffusers_max_frames=0)
    seen = render(backend, spec(tmp_path, duration_s=1.0))
    assert messages(seen, "segment ") == [
        f"segment 1 of 1: 17 frames of 48x32 with {models['wan_t2v']} (WanPipeline)"  # 1 s at 16 fps, 4n+1, 16 px
    ]
    assert int(probe(tmp_path / "clip.mp4")["nb_read_frames"]) == 8


def test_a_second_shot_reuses_the_loaded_pipelines(models: dict[str, Path], tmp_path: Path) -> None:
    backend = renderer(models, "ltx")
    render(backend, spec(tmp_path / "one", duration_s=0.5))
    seen = render(backend, spec(tmp_path / "two", duration_s=0.5), SHOT.model_copy(update={"id": "s02_02"}))
    assert dict(backend.pipelines.loads) == {str(models["sdxl"]): 1, str(models["ltx"]): 1}
    assert not messages(seen, "loading")


def test_a_cancel_stops_between_denoising_steps(models: dict[str, Path], tmp_path: Path) -> None:
    backend = renderer(models, "ltx_t2v", diffusers_video_steps=50)
    seen: list[Progress] = []

    def cancel_at_the_first_step(update: Progress) -> None:
        seen.append(update)
        if "denoising step" in update.message:
            control.cancel()

    control = RenderControl(cancel_at_the_first_step)
    with pytest.raises(RenderCancelled):
        backend.render(SHOT, SCENE, [], spec(tmp_path), control)
    assert messages(seen, "denoising step") == ["denoising step 1 of 50"]
    assert not (tmp_path / "clip.mp4").exists()


def test_later_keyframes_of_a_scene_start_from_its_first(models: dict[str, Path], tmp_path: Path) -> None:
    backend = renderer(models, "ltx")
    first = spec(tmp_path / "first", duration_s=0.5)
    render(backend, first)
    seen = render(backend, spec(tmp_path / "later", duration_s=0.5, scene_keyframe_path=first.keyframe_path))
    assert "StableDiffusionXLImg2ImgPipeline" in messages(seen, "keyframe with")[0]
    assert backend.pipelines.loads[str(models["sdxl"])] == 1  # made from the loaded pipeline: shared weights


def test_a_mode_and_family_that_do_not_match_stop_the_backend_at_start(models: dict[str, Path]) -> None:
    with pytest.raises(InvalidInput, match="text_to_video needs a text-to-video video family"):
        renderer(models, "wan", diffusers_mode="text_to_video")
    with pytest.raises(InvalidInput, match="LTXPipeline: set STORYREEL_VISUAL_DIFFUSERS_VIDEO_FAMILY"):
        renderer(models, "ltx", diffusers_video_family="auto")


def test_wan_text_to_video_weights_cannot_continue_a_shot(models: dict[str, Path], tmp_path: Path) -> None:
    backend = renderer(models, "wan_t2v", diffusers_continue_model="")
    with pytest.raises(BackendError, match="STORYREEL_VISUAL_DIFFUSERS_CONTINUE_MODEL"):
        render(backend, spec(tmp_path))


class _Part(torch.nn.Module):
    """A model that records where it was sent (no GPU needed to see the placement rules)."""

    def __init__(self, moves: list[tuple[str, str]], name: str) -> None:
        super().__init__()
        self.moves, self.name = moves, name

    def to(self, *args: Any, **kwargs: Any) -> _Part:
        self.moves.append((self.name, str(args[0])))
        return self


class _Pipe:
    def __init__(self, moves: list[tuple[str, str]], name: str, **components: Any) -> None:
        self.components, self.moves, self.name = components, moves, name

    def to(self, device: str) -> None:
        self.moves.append((self.name, device))
        for part in self.components.values():
            part.to(device)

    def enable_model_cpu_offload(self, device: str) -> None:
        self.moves.append((self.name, f"offload to {device}"))


def test_one_pipeline_at_a_time_on_the_gpu_shared_models_stay() -> None:
    moves: list[tuple[str, str]] = []
    shared = _Part(moves, "vae")
    keyframe = _Pipe(moves, "sdxl", unet=_Part(moves, "unet"))
    first = _Pipe(moves, "ltx", transformer=_Part(moves, "transformer"), vae=shared)
    later = _Pipe(moves, "ltx-i2v", transformer=first.components["transformer"], vae=shared)
    pipelines = Pipelines("cuda", torch.float32, Offload.NONE, vae_tiling=False, vae_slicing=False)
    pipelines.loaded = {("k", "a"): keyframe, ("v", "b"): first, ("v", "c"): later}

    pipelines.use(keyframe)
    assert moves[-2:] == [("sdxl", "cuda"), ("unet", "cuda")]
    moves.clear()
    pipelines.use(first)
    assert ("unet", "cpu") in moves and moves.index(("unet", "cpu")) < moves.index(("ltx", "cuda"))
    moves.clear()
    pipelines.use(later)  # shares every model with `first`: nothing leaves the GPU
    assert ("transformer", "cpu") not in moves and ("vae", "cpu") not in moves
    moves.clear()
    pipelines.use(later)
    assert moves == []


def test_with_offload_each_switch_reinstalls_the_hooks_of_the_pipeline_that_runs() -> None:
    moves: list[tuple[str, str]] = []
    first, later = _Pipe(moves, "ltx"), _Pipe(moves, "ltx-i2v")
    pipelines = Pipelines("cuda", torch.float32, Offload.MODEL, vae_tiling=False, vae_slicing=False)
    for pipe in (first, first, later, first):
        pipelines.use(pipe)
    assert moves == [("ltx", "offload to cuda"), ("ltx-i2v", "offload to cuda"), ("ltx", "offload to cuda")]
    with pytest.raises(InvalidInput, match="needs a CUDA device"):
        Pipelines("cpu", torch.float32, Offload.MODEL, vae_tiling=False, vae_slicing=False)
