"""The ComfyUI backend against the REAL ComfyUI 0.3.75 (scripts/setup_comfyui.sh installs it).

- A weightless workflow end to end: upload, submit, websocket, history, /view, and the video
  decoded and checked.
- Every shipped workflow validated by the real server, with zero-byte placeholder model files:
  accepted (HTTP 200), then the loader's error becomes "model file X is missing or invalid; put
  it in models/Y". Every input name is also checked against the server's /object_info, because
  ComfyUI silently ignores an input it does not know (a typo in an optional input).
- Typos (a node name, an input, a combo value) fail that validation.
"""

from __future__ import annotations

import copy
import json
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.visual.backends.base import RenderSpec
from services.visual.backends.comfyui import ComfyRenderer
from services.visual.backends.comfyui.client import ComfyClient, Timeouts
from services.visual.backends.comfyui.errors import ModelFileMissing, WorkflowRejected
from services.visual.backends.comfyui.workflow import REFERENCE_MARKERS, Role, Workflow, load_workflow, unknown_inputs
from services.visual.settings import VisualSettings
from storyreel.domain import Character, Scene, Shot, ShotType
from tests.comfyui.conftest import WORKFLOWS
from tests.comfyui.real_comfy import RealComfy

SHIPPED = sorted(WORKFLOWS.glob("*.json"))
SMOKE = WORKFLOWS / "smoke"
TIMEOUTS = Timeouts(request_s=30.0, silence_s=5.0, tick_s=0.2)


def role_of(path: Path) -> Role:
    if load_workflow(path, Role.KEYFRAME).has("$reference") if "keyframe" in path.name else False:
        return Role.REFERENCE_KEYFRAME
    if "keyframe" in path.name or "portrait" in path.name:
        return Role.KEYFRAME
    return Role.TEXT_TO_VIDEO if "t2v" in path.name else Role.ANIMATE


def decoded(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_streams", str(path)],
        capture_output=True,
        check=True,
    )
    stream: dict[str, Any] = json.loads(result.stdout)["streams"][0]
    return stream


def validation_graph(workflow: Workflow, comfy: ComfyClient, picture: Path, references: int = 3) -> dict[str, Any]:
    values: dict[str, Any] = {"$seed": 1, "$output": "storyreel/validate", "$prompt": "a lighthouse at dusk"}
    if workflow.has("$init_image"):
        values["$init_image"] = comfy.upload_image(picture, "validate.png")
    for marker in REFERENCE_MARKERS[:references]:
        if workflow.has(marker):
            values[marker] = comfy.upload_image(picture, f"validate-{marker[1:]}.png")
    return workflow.filled(values)


def test_a_weightless_workflow_runs_end_to_end(comfy_server: RealComfy, tmp_path: Path, media: dict[str, Path]) -> None:
    workflow = load_workflow(SMOKE / "smoke_i2v.json", Role.ANIMATE)
    with ComfyClient(comfy_server.url, TIMEOUTS) as comfy:
        uploaded = comfy.upload_image(media["picture"], "smoke.png")
        graph = workflow.filled(
            {"$init_image": uploaded, "$seed": 11, "$width": 256, "$height": 144, "$output": "storyreel/smoke"}
        )
        progress: list[float] = []
        outputs = comfy.run(workflow.name, graph, time.monotonic() + 120, on_progress=progress.append)
        assert len(outputs) == 1 and outputs[0].animated and outputs[0].suffix == ".mp4"
        comfy.download(outputs[0], tmp_path / "smoke.mp4")
    video = decoded(tmp_path / "smoke.mp4")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 256, 144)
    assert int(video["nb_read_frames"]) == workflow.native_frames == 16
    assert video["r_frame_rate"] == "8/1"


@pytest.mark.parametrize("animate", ["smoke_i2v.json", "smoke_i2v_webp.json"], ids=["SaveVideo", "SaveAnimatedWEBP"])
def test_the_comfyui_backend_renders_an_exact_shot_through_the_real_server(
    comfy_server: RealComfy, tmp_path: Path, animate: str
) -> None:
    settings = VisualSettings.model_validate(
        {
            "comfyui_url": comfy_server.url,
            "comfyui_workflow_dir": str(SMOKE),
            "comfyui_keyframe_workflow": "smoke_keyframe.json",
            "comfyui_keyframe_img2img_workflow": "",
            "comfyui_animate_workflow": animate,
        }
    )
    spec = RenderSpec(320, 180, 24, 2.5, tmp_path / "clip.mp4", tmp_path / "key.png")
    shot = Shot(id="s01_02", shot_type=ShotType.MEDIUM, character_ids=["meera"], visual_prompt="Meera at the well")
    cast = [Character(id="meera", name="Meera", description="an old woman in a white sari")]
    result = ComfyRenderer(settings).render(shot, Scene(id="s01", setting="village"), cast, spec)

    assert result.frame_count == 60
    video = decoded(spec.clip_path)
    assert (video["width"], video["height"], video["r_frame_rate"], int(video["nb_read_frames"])) == (
        320,
        180,
        "24/1",
        60,
    )
    assert spec.keyframe_path.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("path", SHIPPED, ids=[path.name for path in SHIPPED])
def test_every_shipped_workflow_is_valid_on_the_real_server(
    comfy_server: RealComfy, media: dict[str, Path], path: Path
) -> None:
    workflow = load_workflow(path, role_of(path))
    for file_name, folder in workflow.model_files():
        (comfy_server.models / folder).mkdir(parents=True, exist_ok=True)
        (comfy_server.models / folder / file_name).touch()  # zero bytes: listed, so the prompt validates
    object_info = httpx.get(f"{comfy_server.url}/object_info", timeout=30).json()
    assert unknown_inputs(workflow, object_info) == []
    with ComfyClient(comfy_server.url, TIMEOUTS) as comfy, pytest.raises(ModelFileMissing) as error:
        comfy.run(workflow.name, validation_graph(workflow, comfy, media["picture"]), time.monotonic() + 120)
    message = str(error.value)
    assert any(
        f"model file {name} is missing or invalid; put it in models/{folder}" in message
        for name, folder in workflow.model_files()
    )


@pytest.mark.parametrize("references", [1, 2])
def test_a_reference_workflow_with_fewer_pictures_than_nodes_is_valid_on_the_real_server(
    comfy_server: RealComfy, media: dict[str, Path], references: int
) -> None:
    """Its unused $reference2/$reference3 nodes are left out with their links: still a valid prompt."""
    workflow = load_workflow(WORKFLOWS / "qwen_image_edit_2509_keyframe.json", Role.REFERENCE_KEYFRAME)
    for file_name, folder in workflow.model_files():
        (comfy_server.models / folder).mkdir(parents=True, exist_ok=True)
        (comfy_server.models / folder / file_name).touch()
    with ComfyClient(comfy_server.url, TIMEOUTS) as comfy, pytest.raises(ModelFileMissing):
        graph = validation_graph(workflow, comfy, media["picture"], references)
        assert sum(node["class_type"] == "LoadImage" for node in graph.values()) == references
        comfy.run(workflow.name, graph, time.monotonic() + 120)


TYPOS = {
    "node name": lambda graph: graph["11"].update(class_type="KSamplr"),
    "input name": lambda graph: graph["11"]["inputs"].update(sedd=graph["11"]["inputs"].pop("seed")),
    "combo value": lambda graph: graph["11"]["inputs"].update(sampler_name="unipc"),
}


@pytest.mark.parametrize("typo", list(TYPOS))
def test_a_typo_in_a_workflow_is_rejected_by_the_real_server(
    comfy_server: RealComfy, media: dict[str, Path], typo: str
) -> None:
    workflow = load_workflow(WORKFLOWS / "wan21_i2v_14b_480p.json", Role.ANIMATE)
    with ComfyClient(comfy_server.url, TIMEOUTS) as comfy:
        graph = validation_graph(workflow, comfy, media["picture"])
        TYPOS[typo](graph)
        with pytest.raises(WorkflowRejected, match=r"rejected workflow wan21_i2v_14b_480p\.json"):
            comfy.run(workflow.name, graph, time.monotonic() + 60)


def test_a_typo_in_an_optional_input_is_caught_by_the_object_info_check(comfy_server: RealComfy) -> None:
    workflow = load_workflow(WORKFLOWS / "wan21_i2v_14b_480p.json", Role.ANIMATE)
    graph = copy.deepcopy(workflow.graph)
    graph["9"]["inputs"]["start_imag"] = graph["9"]["inputs"].pop("start_image")  # the server would ignore it
    typo = Workflow(workflow.name, graph, workflow.slots)
    object_info = httpx.get(f"{comfy_server.url}/object_info", timeout=30).json()
    assert unknown_inputs(typo, object_info) == ["node 9 (WanImageToVideo) has no input start_imag"]
