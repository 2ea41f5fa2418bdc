"""The cast sheet on the diffusers backend, on tiny random models built by the test (tiny.py, the
real pipeline classes, CPU): a portrait from the keyframe pipeline's text-to-image, and a shot's
keyframe started from its main character's reference picture through image-to-image, so the
picture given changes the shot."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("diffusers", reason="the `visual-gpu` extra is not installed (scripts/install_visual_models.sh)")

from services.visual.backends.base import ReferenceSpec
from services.visual.backends.diffusers import DiffusersRenderer, tiny
from services.visual.control import Progress, RenderControl
from storyreel.domain import Character, Shot, ShotType
from tests.unit.test_visual_diffusers_pipelines import SCENE, messages, probe, renderer, spec

MEERA = Character(id="meera", name="Meera", description="an old woman in a white sari")
SHOT = Shot(id="s02_05", shot_type=ShotType.MEDIUM, seed=5, character_ids=["meera"], visual_prompt="Meera waits")


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    os.environ["HF_HUB_OFFLINE"] = "1"  # a download would be a failure
    return tiny.write(tmp_path_factory.mktemp("tiny-diffusers"))


def picture(path: Path, colour: tuple[int, int, int]) -> Path:
    Image.new("RGB", (64, 96), colour).save(path)
    return path


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int32)


def shot_with(backend: DiffusersRenderer, folder: Path, reference: Path | None) -> list[Progress]:
    seen: list[Progress] = []
    given = (("meera", reference),) if reference is not None else ()
    backend.render(SHOT, SCENE, [MEERA], spec(folder, 0.5, character_references=given), RenderControl(seen.append))
    return seen


def test_a_portrait_comes_from_the_keyframe_pipeline_at_the_asked_size(
    models: dict[str, Path], tmp_path: Path
) -> None:
    backend = renderer(models, "ltx")
    seen: list[Progress] = []
    backend.render_reference(MEERA, ReferenceSpec(64, 96, 3, tmp_path / "meera.png"), RenderControl(seen.append))
    with Image.open(tmp_path / "meera.png") as made:
        assert (made.format, made.size) == ("PNG", (64, 96))
    assert "StableDiffusionXLPipeline" in messages(seen, "keyframe with")[0]
    assert str(models["ltx"]) not in {model for model, _ in backend.pipelines.loaded}  # no video model for a picture


def test_a_shots_keyframe_starts_from_its_characters_reference_picture(models: dict[str, Path], tmp_path: Path) -> None:
    backend = renderer(models, "ltx")
    blue, red = picture(tmp_path / "blue.png", (20, 60, 220)), picture(tmp_path / "red.png", (220, 30, 30))
    plain = shot_with(backend, tmp_path / "plain", None)
    from_blue = shot_with(backend, tmp_path / "blue", blue)
    shot_with(backend, tmp_path / "red", red)

    assert "StableDiffusionXLPipeline" in messages(plain, "keyframe with")[0]
    assert "StableDiffusionXLImg2ImgPipeline" in messages(from_blue, "keyframe with")[0]
    assert int(probe(tmp_path / "blue" / "clip.mp4")["nb_read_frames"]) == 4
    keyframes = {name: pixels(tmp_path / name / "keyframe.png") for name in ("plain", "blue", "red")}
    # Same seed and words: only the reference picture differs, and so does the keyframe (random
    # weights do not keep colours through their VAE, so what the picture looks like is not checked).
    assert np.abs(keyframes["blue"] - keyframes["red"]).mean() > 1.0
    assert np.abs(keyframes["blue"] - keyframes["plain"]).mean() > 1.0
    assert backend.pipelines.loads[str(models["sdxl"])] == 1  # image-to-image shares the loaded weights


def test_text_to_video_with_a_reference_starts_from_its_keyframe(models: dict[str, Path], tmp_path: Path) -> None:
    backend = renderer(models, "ltx_t2v", diffusers_keyframe_model=str(models["sdxl"]))
    seen = shot_with(backend, tmp_path / "shot", picture(tmp_path / "blue.png", (20, 60, 220)))
    assert "StableDiffusionXLImg2ImgPipeline" in messages(seen, "keyframe with")[0]
    assert "LTXImageToVideoPipeline" in messages(seen, "segment 1 of")[0]
    assert [update.fraction for update in seen] == sorted(update.fraction for update in seen)



def test_a_shot_continuing_its_scene_starts_from_the_previous_clips_last_frame(
    models: dict[str, Path], tmp_path: Path
) -> None:
    backend = renderer(models, "ltx")
    shot_with(backend, tmp_path / "one", None)
    seen: list[Progress] = []
    later = spec(tmp_path / "two", 0.5, previous_clip_path=tmp_path / "one" / "clip.mp4")
    backend.render(SHOT, SCENE, [MEERA], later, RenderControl(seen.append))
    assert messages(seen, "last frame of the scene's previous shot") and not messages(seen, "keyframe with")
    assert "LTXImageToVideoPipeline" in messages(seen, "segment 1 of")[0]
    assert int(probe(later.clip_path)["nb_read_frames"]) == 4
