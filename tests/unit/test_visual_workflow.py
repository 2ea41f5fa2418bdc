"""Workflow files: markers found and filled, and the mistakes a user makes when editing one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.visual.backends.comfyui.workflow import Role, fitted_size, load_workflow, parse_workflow, unknown_inputs
from storyreel.errors import InvalidInput

WORKFLOWS = Path(__file__).resolve().parents[2] / "comfy_workflows"
SHIPPED = {
    "sdxl_keyframe.json": Role.KEYFRAME,
    "sdxl_keyframe_img2img.json": Role.KEYFRAME,
    "svd_xt_1_1_i2v.json": Role.ANIMATE,
    "wan21_t2v_1_3b.json": Role.TEXT_TO_VIDEO,
    "wan21_i2v_14b_480p.json": Role.ANIMATE,
    "wan22_ti2v_5b_i2v.json": Role.ANIMATE,
    "wan22_ti2v_5b_t2v.json": Role.TEXT_TO_VIDEO,
}
NATIVE = {  # frames, fps, size of one native clip
    "svd_xt_1_1_i2v.json": (25, 6.0, (1024, 576)),
    "wan21_t2v_1_3b.json": (81, 16.0, (832, 480)),
    "wan21_i2v_14b_480p.json": (81, 16.0, (832, 480)),
    "wan22_ti2v_5b_i2v.json": (121, 24.0, (1280, 704)),
    "wan22_ti2v_5b_t2v.json": (121, 24.0, (1280, 704)),
}


def graph(**titles: str) -> dict[str, Any]:
    """A small API-format graph: a loader, a prompt, a latent and a sampler, titled as given."""
    nodes: dict[str, Any] = {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "model.safetensors"}},
        "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "x", "clip": ["1", 1]}},
        "3": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "4": {"class_type": "KSampler", "inputs": {"seed": 0, "noise_seed": 0, "model": ["1", 0]}},
        "5": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x", "images": ["4", 0]}},
    }
    for node_id, title in titles.items():
        nodes[node_id.lstrip("n")]["_meta"] = {"title": title}
    return nodes


KEYFRAME_TITLES = {"n2": "$prompt", "n3": "$width $height", "n4": "$seed", "n5": "$output"}


@pytest.mark.parametrize(("name", "role"), SHIPPED.items())
def test_every_shipped_workflow_loads_for_its_role(name: str, role: Role) -> None:
    workflow = load_workflow(WORKFLOWS / name, role)
    assert workflow.has("$output") and workflow.has("$seed")
    if name in NATIVE:
        frames, fps, (width, height) = NATIVE[name]
        assert (workflow.native_frames, workflow.native_fps) == (frames, fps)
        assert workflow.native_area == width * height
    assert workflow.model_files(), "a shipped workflow loads at least one model"


def test_the_smoke_workflows_need_no_model_files() -> None:
    assert load_workflow(WORKFLOWS / "smoke" / "smoke_keyframe.json", Role.KEYFRAME).model_files() == []
    assert load_workflow(WORKFLOWS / "smoke" / "smoke_i2v.json", Role.ANIMATE).model_files() == []


def test_svd_xt_1_1_is_conditioned_as_it_was_fine_tuned() -> None:
    """Its model card: fine-tuned at a fixed 6 fps and motion bucket 127; the clip plays at that rate."""
    workflow = load_workflow(WORKFLOWS / "svd_xt_1_1_i2v.json", Role.ANIMATE)
    conditioning = next(node for node in workflow.graph.values() if node["class_type"] == "SVD_img2vid_Conditioning")
    assert (conditioning["inputs"]["fps"], conditioning["inputs"]["motion_bucket_id"]) == (6, 127)
    assert workflow.native_fps == 6.0


def test_model_files_name_the_folder_each_loader_reads() -> None:
    workflow = load_workflow(WORKFLOWS / "wan21_i2v_14b_480p.json", Role.ANIMATE)
    assert sorted(workflow.model_files()) == [
        ("clip_vision_h.safetensors", "clip_vision"),
        ("umt5_xxl_fp8_e4m3fn_scaled.safetensors", "text_encoders"),
        ("wan2.1_i2v_480p_14B_fp16.safetensors", "diffusion_models"),
        ("wan_2.1_vae.safetensors", "vae"),
    ]


def test_filling_sets_every_marked_input_and_leaves_the_file_untouched() -> None:
    workflow = parse_workflow("k.json", graph(**KEYFRAME_TITLES), Role.KEYFRAME)
    filled = workflow.filled({"$prompt": "a fox", "$width": 1344, "$height": 768, "$seed": 42, "$output": "s/x"})
    assert filled["2"]["inputs"]["text"] == "a fox"
    assert (filled["3"]["inputs"]["width"], filled["3"]["inputs"]["height"]) == (1344, 768)
    assert (filled["4"]["inputs"]["seed"], filled["4"]["inputs"]["noise_seed"]) == (42, 0)
    assert workflow.graph["2"]["inputs"]["text"] == "x"


def test_a_title_can_name_the_input_a_marker_fills() -> None:
    workflow = parse_workflow("k.json", graph(**{**KEYFRAME_TITLES, "n4": "$seed:noise_seed"}), Role.KEYFRAME)
    assert workflow.filled({"$seed": 9})["4"]["inputs"] == {"seed": 0, "noise_seed": 9, "model": ["1", 0]}


@pytest.mark.parametrize(
    ("titles", "reason"),
    [
        ({**KEYFRAME_TITLES, "n4": "Sampler"}, r"has no node titled \$seed"),
        ({**KEYFRAME_TITLES, "n4": "$sede"}, r"unknown marker \$sede"),
        ({**KEYFRAME_TITLES, "n5": "$output $width"}, r"node 5 \(SaveImage\) is titled \$width but has no input width"),
        ({**KEYFRAME_TITLES, "n1": "$prompt:clip"}, "has no input clip"),
        ({**KEYFRAME_TITLES, "n2": "$prompt:clip"}, "is a link to another node"),
    ],
)
def test_a_workflow_with_a_marker_problem_says_what_to_fix(titles: dict[str, str], reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        parse_workflow("k.json", graph(**titles), Role.KEYFRAME)


def test_a_ui_format_save_is_refused_with_how_to_export(tmp_path: Path) -> None:
    path = tmp_path / "ui.json"
    path.write_text(json.dumps({"nodes": [], "links": [], "version": 0.4}))
    with pytest.raises(InvalidInput, match=r"not in API format.*Export \(API\)"):
        load_workflow(path, Role.KEYFRAME)


def test_broken_json_and_a_missing_file_are_named(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(InvalidInput, match=r"broken\.json is not valid JSON"):
        load_workflow(tmp_path / "broken.json", Role.KEYFRAME)
    with pytest.raises(InvalidInput, match="does not exist"):
        load_workflow(tmp_path / "absent.json", Role.KEYFRAME)


def test_marked_frame_counts_must_agree() -> None:
    workflow = json.loads((WORKFLOWS / "svd_xt_1_1_i2v.json").read_text())
    workflow["7"]["inputs"]["fps"] = 12.0  # CreateVideo no longer plays at the conditioning's 6 fps
    with pytest.raises(InvalidInput, match=r"inputs marked \$fps disagree"):
        parse_workflow("svd.json", workflow, Role.ANIMATE)


def test_the_model_size_keeps_its_area_in_the_clips_shape() -> None:
    assert fitted_size(832 * 480, 1280, 720) == (832, 480)
    assert fitted_size(1024 * 576, 1280, 720) == (1024, 576)
    assert fitted_size(832 * 480, 720, 1280) == (480, 832)  # a vertical film
    width, height = fitted_size(1024 * 1024, 1920, 800)
    assert width % 32 == height % 32 == 0 and abs(width / height - 2.4) < 0.1


def test_unknown_inputs_are_found_against_object_info() -> None:
    workflow = parse_workflow("k.json", graph(**KEYFRAME_TITLES), Role.KEYFRAME)
    info: dict[str, Any] = {
        "CheckpointLoaderSimple": {"input": {"required": {"ckpt_name": []}}},
        "CLIPTextEncode": {"input": {"required": {"text": [], "clip": []}}},
        "EmptyLatentImage": {"input": {"required": {"width": [], "height": [], "batch_size": []}}},
        "KSampler": {"input": {"required": {"seed": [], "model": []}}},
    }
    assert unknown_inputs(workflow, info) == [
        "node 4 (KSampler) has no input noise_seed",
        "node 5 uses SaveImage, which the server does not have",
    ]
