"""The cast sheet on the ComfyUI backend, against the fake server: portraits from the portrait
workflow, and each shot's keyframe from its characters' reference pictures through the shipped
Qwen-Image-Edit-2509 workflow, uploaded through /upload/image (the fake records, per prompt, the
pictures its LoadImage nodes load, by the SHA-256 of the bytes uploaded)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from services.visual.backends.base import ReferenceSpec, RenderSpec
from services.visual.backends.comfyui import ComfyRenderer
from services.visual.backends.comfyui.workflow import Role, load_workflow
from services.visual.clipwork import last_frame
from services.visual.control import Progress, RenderControl
from services.visual.settings import VisualSettings
from storyreel.domain import Character, Scene, Shot, ShotType
from storyreel.errors import InvalidInput
from tests.comfyui.conftest import WORKFLOWS
from tests.comfyui.fake_comfy import Running
from tests.comfyui.test_comfy_backend_fake import frames_of

MEERA = Character(id="meera", name="Meera", description="an old woman in a white sari")
ARJUN = Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf")
CAST = [MEERA, ARJUN]
SCENE = Scene(id="s02", setting="a village by the river")
SHOTS = {
    "meera": Shot(id="s02_01", shot_type=ShotType.MEDIUM, character_ids=["meera"], visual_prompt="Meera at the well"),
    "arjun": Shot(id="s02_02", shot_type=ShotType.WIDE, character_ids=["arjun"], visual_prompt="Arjun runs"),
    "both": Shot(id="s02_03", shot_type=ShotType.MEDIUM, character_ids=["meera", "arjun"]),
    "nobody": Shot(id="s02_04", shot_type=ShotType.ESTABLISHING, visual_prompt="the river at dawn"),
}
QWEN = "qwen_image_edit_2509_keyframe.json"


def renderer(running: Running, **overrides: Any) -> ComfyRenderer:
    settings = {
        "comfyui_url": running.url,
        "comfyui_poll_after_s": 0.5,
        "comfyui_animate_workflow": "svd_xt_1_1_i2v.json",
    }
    return ComfyRenderer(VisualSettings.model_validate({**settings, **overrides}))


def picture(path: Path, colour: tuple[int, int, int]) -> Path:
    image = Image.new("RGB", (240, 360), (235, 235, 230))
    ImageDraw.Draw(image).rectangle((80, 60, 160, 340), fill=colour)
    image.save(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def loaded_per_shot(running: Running, renders: dict[str, int]) -> dict[str, set[str]]:
    """The digests of every picture the prompts of each shot loaded (renders: shot name -> prompts before it)."""
    seen, bounds = running.fake.seen, [*renders.values(), len(running.fake.seen.prompts)]
    result = {}
    for (name, start), end in zip(renders.items(), bounds[1:], strict=True):
        ids = [str(body["prompt_id"]) for body in seen.prompts[start:end]]
        result[name] = {seen.uploaded[image] for prompt_id in ids for image in seen.images[prompt_id]}
    return result


def test_a_portrait_is_made_by_the_portrait_workflow_at_the_asked_size(fake_comfy: Running, tmp_path: Path) -> None:
    spec = ReferenceSpec(768, 1152, 42, tmp_path / "meera.png")
    renderer(fake_comfy).render_reference(MEERA, spec)

    (body,) = fake_comfy.fake.seen.prompts
    graph = body["prompt"]
    assert graph["2"]["inputs"]["text"].startswith("full-length portrait of Meera, an old woman in a white sari")
    assert graph["5"]["inputs"]["seed"] == 42
    assert (graph["4"]["inputs"]["width"], graph["4"]["inputs"]["height"]) == (832, 1216)  # SDXL's pixels, 2:3
    with Image.open(spec.path) as made:
        assert (made.format, made.size) == ("PNG", (768, 1152))


def test_a_setting_picture_has_nobody_in_its_prompt(fake_comfy: Running, tmp_path: Path) -> None:
    renderer(fake_comfy).render_reference(SCENE, ReferenceSpec(1344, 768, 7, tmp_path / "s02.png"))
    text = fake_comfy.fake.seen.prompts[0]["prompt"]["2"]["inputs"]["text"]
    assert text.startswith("a village by the river, afternoon") and "nobody in it" in text


def test_a_users_picture_reaches_every_shot_of_that_character_and_no_other(fake_comfy: Running, tmp_path: Path) -> None:
    upload = picture(tmp_path / "meera_upload.jpg", (30, 90, 200))  # the user's own picture of Meera
    arjun = picture(tmp_path / "cast_arjun.png", (200, 40, 40))  # Arjun's cast sheet portrait
    references = (("meera", upload), ("arjun", arjun))
    backend = renderer(fake_comfy)
    before: dict[str, int] = {}
    for name, shot in SHOTS.items():
        before[name] = len(fake_comfy.fake.seen.prompts)
        given = tuple((cid, path) for cid, path in references if cid in shot.character_ids)
        spec = RenderSpec(320, 180, 24, 1.0, tmp_path / f"{name}.mp4", tmp_path / f"{name}.png",
                          character_references=given)  # fmt: skip
        assert backend.render(shot, SCENE, CAST, spec).frame_count == 24
        assert frames_of(spec.clip_path) == (24, 320, 180, "24/1")

    loaded = loaded_per_shot(fake_comfy, before)
    user, portrait = digest(upload), digest(arjun)
    assert user in loaded["meera"] and user in loaded["both"]
    assert user not in loaded["arjun"] and user not in loaded["nobody"]
    assert portrait in loaded["arjun"] and portrait in loaded["both"] and portrait not in loaded["meera"]
    assert loaded["nobody"].isdisjoint({user, portrait}) and len(loaded["nobody"]) == 1  # only its own keyframe

    graphs = [body["prompt"] for body in fake_comfy.fake.seen.prompts]
    both = graphs[before["both"]]  # the two-character shot's keyframe: both pictures, main one first
    assert both["9"]["class_type"] == "TextEncodeQwenImageEditPlus"
    assert [fake_comfy.fake.seen.uploaded[both[node]["inputs"]["image"]] for node in ("6", "7")] == [user, portrait]
    assert "8" not in both and "image3" not in both["9"]["inputs"]  # no third picture: its node left out
    assert "Meera is the one in picture 1; Arjun is the one in picture 2" in both["9"]["inputs"]["prompt"]
    assert "an old woman in a white sari" in both["9"]["inputs"]["prompt"]
    assert (both["11"]["inputs"]["width"], both["11"]["inputs"]["height"]) == (
        1344,
        768,
    )  # its pixel count in the clip's shape
    nobody = graphs[before["nobody"]]
    assert nobody["4"]["class_type"] == "EmptyLatentImage"  # no references: the text keyframe workflow


def test_the_setting_takes_the_third_picture(fake_comfy: Running, tmp_path: Path, media: dict[str, Path]) -> None:
    meera, arjun = picture(tmp_path / "m.png", (30, 90, 200)), picture(tmp_path / "a.png", (200, 40, 40))
    both = (("meera", meera), ("arjun", arjun))
    spec = RenderSpec(320, 180, 24, 1.0, tmp_path / "c.mp4", tmp_path / "k.png",
                      character_references=both, setting_reference=media["picture"])  # fmt: skip
    renderer(fake_comfy).render(SHOTS["both"], SCENE, CAST, spec)
    graph = fake_comfy.fake.seen.prompts[0]["prompt"]
    uploaded = fake_comfy.fake.seen.uploaded
    assert [uploaded[graph[node]["inputs"]["image"]] for node in ("6", "7", "8")] == [
        digest(meera),
        digest(arjun),
        digest(media["picture"]),
    ]
    assert "the place is the one in picture 3" in graph["9"]["inputs"]["prompt"]


def test_in_text_to_video_mode_a_shot_with_references_starts_from_their_keyframe(
    fake_comfy: Running, tmp_path: Path
) -> None:
    meera = picture(tmp_path / "m.png", (30, 90, 200))
    backend = renderer(
        fake_comfy, comfyui_mode="text_to_video", comfyui_text_to_video_workflow="wan22_ti2v_5b_t2v.json"
    )
    progress: list[Progress] = []
    spec = RenderSpec(320, 180, 24, 1.0, tmp_path / "c.mp4", tmp_path / "k.png",
                      character_references=(("meera", meera),))  # fmt: skip
    backend.render(SHOTS["meera"], SCENE, CAST, spec, RenderControl(progress.append))
    keyframe, clip = (body["prompt"] for body in fake_comfy.fake.seen.prompts)
    assert keyframe["9"]["class_type"] == "TextEncodeQwenImageEditPlus"
    assert any(node["class_type"] == "Wan22ImageToVideoLatent" for node in clip.values())  # the family's i2v twin
    fractions = [update.fraction for update in progress]
    assert fractions == sorted(fractions)


def test_with_no_reference_workflow_the_keyframe_comes_from_text(
    fake_comfy: Running, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spec = RenderSpec(320, 180, 24, 1.0, tmp_path / "c.mp4", tmp_path / "k.png",
                      character_references=(("meera", picture(tmp_path / "m.png", (1, 2, 3))),))  # fmt: skip
    with caplog.at_level(logging.INFO):
        renderer(fake_comfy, comfyui_reference_workflow="").render(SHOTS["meera"], SCENE, CAST, spec)
    assert fake_comfy.fake.seen.prompts[0]["prompt"]["4"]["class_type"] == "EmptyLatentImage"
    assert "COMFYUI_REFERENCE_WORKFLOW is empty" in caplog.text


def test_unused_reference_nodes_are_left_out_with_their_links() -> None:
    workflow = load_workflow(WORKFLOWS / QWEN, Role.REFERENCE_KEYFRAME)
    assert workflow.reference_slots == 3
    one = workflow.filled({"$reference": "storyreel/a.png"})
    assert {"7", "8"}.isdisjoint(one) and one["6"]["inputs"]["image"] == "storyreel/a.png"
    for node in ("9", "10"):
        assert set(one[node]["inputs"]) == {"clip", "prompt", "vae", "image1"}
    assert set(workflow.filled({"$reference": "a", "$reference2": "b", "$reference3": "c"})) == set(workflow.graph)


def test_a_workflow_folder_without_the_cast_workflows_still_starts(fake_comfy: Running) -> None:
    smoke = renderer(fake_comfy, comfyui_workflow_dir=str(WORKFLOWS / "smoke"),
                     comfyui_keyframe_workflow="smoke_keyframe.json", comfyui_keyframe_img2img_workflow="",
                     comfyui_animate_workflow="smoke_i2v.json")  # fmt: skip
    assert smoke.workflows.portrait.name == "smoke_keyframe.json" and smoke.workflows.reference is None
    shipped = renderer(fake_comfy).workflows
    assert (shipped.portrait.name, shipped.reference and shipped.reference.name) == ("sdxl_portrait.json", QWEN)
    with pytest.raises(InvalidInput, match="does not exist"):  # a file named on purpose must be there
        renderer(fake_comfy, comfyui_reference_workflow="qwen_typo.json")


@pytest.mark.parametrize("mode", ["keyframe_then_animate", "text_to_video"])
def test_a_shot_continuing_its_scene_starts_from_the_previous_clips_last_frame(
    fake_comfy: Running, tmp_path: Path, mode: str
) -> None:
    backend = renderer(fake_comfy, comfyui_mode=mode, comfyui_text_to_video_workflow="wan22_ti2v_5b_t2v.json",
                       comfyui_animate_workflow="wan22_ti2v_5b_i2v.json")  # fmt: skip
    earlier = RenderSpec(320, 180, 24, 1.0, tmp_path / "one.mp4", tmp_path / "one.png")
    backend.render(SHOTS["meera"], SCENE, CAST, earlier)
    made_before = len(fake_comfy.fake.seen.prompts)
    later = RenderSpec(320, 180, 24, 1.0, tmp_path / "two.mp4", tmp_path / "two.png",
                       character_references=(("meera", picture(tmp_path / "m.png", (1, 2, 3))),),
                       previous_clip_path=earlier.clip_path)  # fmt: skip
    backend.render(SHOTS["both"], SCENE, CAST, later)

    (body,) = fake_comfy.fake.seen.prompts[made_before:]  # no keyframe run: one animate run
    graph = body["prompt"]
    assert any(node["class_type"] == "Wan22ImageToVideoLatent" for node in graph.values())
    (image,) = fake_comfy.fake.seen.images[str(body["prompt_id"])]
    last = tmp_path / "last.png"
    last_frame(earlier.clip_path, last, 60)
    assert fake_comfy.fake.seen.uploaded[image] == digest(last)
