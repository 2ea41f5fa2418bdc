"""The fake ComfyUI against the real ComfyUI 0.3.75: the same node catalogue, the same files made
from the same graph, and the same prompts refused with the same errors."""

from __future__ import annotations

import copy
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from services.visual.backends.comfyui.client import ComfyClient, Timeouts
from services.visual.backends.comfyui.workflow import Role, load_workflow, model_folder
from tests.comfyui.conftest import WORKFLOWS
from tests.comfyui.fake_comfy import OBJECT_INFO, Running
from tests.comfyui.real_comfy import RealComfy
from tests.comfyui.test_comfy_real import decoded

TIMEOUTS = Timeouts(request_s=30.0, silence_s=2.0, tick_s=0.1)
SMOKE = {"smoke_keyframe.json": Role.KEYFRAME, "smoke_i2v.json": Role.ANIMATE, "smoke_i2v_webp.json": Role.ANIMATE}


def comparable(class_type: str, info: dict[str, Any]) -> dict[str, Any]:
    """A node's /object_info without tooltips and without the file lists (which files a server has)."""
    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items() if key != "tooltip"}
        return [clean(item) for item in value] if isinstance(value, list) else value

    inputs = clean(info["input"])
    for group in inputs.values():
        for name, spec in group.items():
            if model_folder(class_type, name) or (class_type, name) == ("LoadImage", "image"):
                group[name] = [[], *spec[1:]]
    return {"input": inputs, "output": info["output"], "output_node": info["output_node"]}


def test_the_fakes_node_catalogue_is_the_real_servers(comfy_server: RealComfy) -> None:
    real = httpx.get(f"{comfy_server.url}/object_info", timeout=30).json()
    for class_type, info in OBJECT_INFO.items():
        assert comparable(class_type, info) == comparable(class_type, real[class_type]), class_type


def made(comfy: ComfyClient, name: str, picture: Path, folder: Path) -> list[tuple[Any, ...]]:
    """Run a smoke workflow at a size of our own; (kind, width, height, frames, rate) of each file saved."""
    workflow = load_workflow(WORKFLOWS / "smoke" / name, SMOKE[name])
    values: dict[str, Any] = {"$seed": 3, "$width": 200, "$height": 120, "$output": "storyreel/faithful"}
    if workflow.has("$init_image"):
        values["$init_image"] = comfy.upload_image(picture, "faithful.png")
    files = []
    for output in comfy.run(name, workflow.filled(values), time.monotonic() + 120):
        target = folder / f"{uuid.uuid4().hex}{output.suffix}"
        comfy.download(output, target)
        if output.suffix == ".mp4":
            video = decoded(target)
            files.append(("mp4", video["width"], video["height"], int(video["nb_read_frames"]), video["r_frame_rate"]))
        else:
            with Image.open(target) as image:
                rate = image.info.get("duration")
                files.append((output.suffix, image.width, image.height, getattr(image, "n_frames", 1), rate))
    return files


@pytest.mark.parametrize("name", list(SMOKE))
def test_the_fake_makes_what_the_real_server_makes(
    comfy_server: RealComfy, fake_comfy: Running, media: dict[str, Path], tmp_path: Path, name: str
) -> None:
    with ComfyClient(comfy_server.url, TIMEOUTS) as real, ComfyClient(fake_comfy.url, TIMEOUTS) as fake:
        assert made(fake, name, media["picture"], tmp_path) == made(real, name, media["picture"], tmp_path)


WAN = load_workflow(WORKFLOWS / "wan21_i2v_14b_480p.json", Role.ANIMATE)
MISTAKES = {
    "unknown node": lambda graph: graph["11"].update(class_type="KSamplr"),
    "missing input": lambda graph: graph["11"]["inputs"].update(sedd=graph["11"]["inputs"].pop("seed")),
    "combo value": lambda graph: graph["11"]["inputs"].update(sampler_name="unipc"),
    "under min": lambda graph: graph["9"]["inputs"].update(width=8),
    "image never uploaded": lambda graph: graph["5"]["inputs"].update(image="storyreel/absent.png"),
    "link to nowhere": lambda graph: graph["12"]["inputs"].update(samples=["99", 0]),
}


def refusal(url: str, graph: dict[str, Any]) -> tuple[int, str, dict[str, list[str]]]:
    """(HTTP status, error type, {node: its error types}) of POST /prompt."""
    answer = httpx.post(f"{url}/prompt", json={"prompt": graph, "prompt_id": uuid.uuid4().hex}, timeout=30)
    body = answer.json()
    nodes = {node: sorted(error["type"] for error in entry["errors"]) for node, entry in body["node_errors"].items()}
    return answer.status_code, body.get("error", {}).get("type", ""), nodes


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_the_fake_refuses_what_the_real_server_refuses(
    comfy_server: RealComfy, fake_comfy: Running, media: dict[str, Path], mistake: str
) -> None:
    for file_name, folder in WAN.model_files():  # listed on the real server, so only the mistake fails
        (comfy_server.models / folder).mkdir(parents=True, exist_ok=True)
        (comfy_server.models / folder / file_name).touch()
    answers = []
    for url in (comfy_server.url, fake_comfy.url):
        with ComfyClient(url, TIMEOUTS) as comfy:
            graph = copy.deepcopy(WAN.filled({"$init_image": comfy.upload_image(media["picture"], "k.png")}))
        MISTAKES[mistake](graph)
        answers.append(refusal(url, graph))
    real, fake = answers
    assert real[0] == 400 and fake == real
