"""ComfyUI workflows in API format, and the markers that tell the service which inputs to fill.

A workflow is the JSON ComfyUI exports with "Export (API)": {node_id: {"class_type", "inputs",
"_meta": {"title"}}}. A node whose title holds markers such as `$prompt` or `$width $height
$frames` is one the service fills in; each marker names an input of that node (by the usual
input names below, or explicitly as `$seed:noise_seed`). So a user can swap models or nodes in
ComfyUI, export again, and no Python changes.

The workflow itself says what the model's native clip is: the values in the file of the inputs
marked `$frames` and `$fps` are the frames one run makes and the rate they play at. The service
never changes them; it renders longer shots from several such segments.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from storyreel.errors import InvalidInput

INPUT_NAMES: dict[str, tuple[str, ...]] = {
    "$prompt": ("text", "prompt"),
    "$negative": ("text", "prompt"),
    "$seed": ("seed", "noise_seed"),
    "$width": ("width",),
    "$height": ("height",),
    "$frames": ("length", "video_frames", "frames", "amount", "batch_size"),
    "$fps": ("fps", "frame_rate"),
    "$init_image": ("image",),
    "$reference": ("image",),
    "$reference2": ("image",),
    "$reference3": ("image",),
    "$denoise": ("denoise",),
    "$output": ("filename_prefix",),
}
"""Each marker, and the input names it fills when the title does not say which (first match wins)."""

REFERENCE_MARKERS = ("$reference", "$reference2", "$reference3")
"""LoadImage nodes of reference pictures (the cast sheet), main character first. A node of
$reference2 or $reference3 with no picture to load is left out of the graph, with every input
linked to it (an optional image input such as TextEncodeQwenImageEditPlus's image2)."""

SIZE_STEP = 32
"""Pixel sizes given to a model are multiples of this: SVD wants 8, Wan 2.1 16, Wan 2.2's latent 32."""


class Role(StrEnum):
    """What a workflow does, and so which markers it must have."""

    KEYFRAME = "keyframe"
    """Text (and, with $init_image, a picture) to one picture."""
    ANIMATE = "animate"
    """A picture to a video clip."""
    TEXT_TO_VIDEO = "text_to_video"
    """Text to a video clip."""
    REFERENCE_KEYFRAME = "reference_keyframe"
    """Reference pictures of the shot's characters (and text) to the shot's keyframe."""


REQUIRED: dict[Role, tuple[str, ...]] = {
    Role.KEYFRAME: ("$prompt", "$seed", "$width", "$height", "$output"),
    Role.ANIMATE: ("$init_image", "$seed", "$width", "$height", "$frames", "$fps", "$output"),
    Role.TEXT_TO_VIDEO: ("$prompt", "$seed", "$width", "$height", "$frames", "$fps", "$output"),
    Role.REFERENCE_KEYFRAME: ("$reference", "$prompt", "$seed", "$width", "$height", "$output"),
}


@dataclass(frozen=True)
class Slot:
    """One input the service fills: node `node_id`'s input `input_name`, for `marker`."""

    marker: str
    node_id: str
    input_name: str


@dataclass(frozen=True)
class Workflow:
    name: str
    graph: dict[str, Any]
    slots: tuple[Slot, ...]

    def has(self, marker: str) -> bool:
        return any(slot.marker == marker for slot in self.slots)

    def value(self, marker: str) -> Any:
        """The value the file gives the (first) input so marked."""
        slot = next(slot for slot in self.slots if slot.marker == marker)
        return self.graph[slot.node_id]["inputs"][slot.input_name]

    @property
    def native_frames(self) -> int:
        return int(self.value("$frames"))

    @property
    def native_fps(self) -> float:
        return float(self.value("$fps"))

    @property
    def native_area(self) -> int:
        return int(self.value("$width")) * int(self.value("$height"))

    @property
    def reference_slots(self) -> int:
        """How many reference pictures the workflow takes ($reference, $reference2, $reference3)."""
        return sum(1 for marker in REFERENCE_MARKERS if self.has(marker))

    def filled(self, values: dict[str, Any]) -> dict[str, Any]:
        """A copy of the graph, ready to queue, with every slot of these markers set to its value
        (and the extra reference pictures' nodes that have no value left out)."""
        graph = copy.deepcopy(self.graph)
        for slot in self.slots:
            if slot.marker in values:
                graph[slot.node_id]["inputs"][slot.input_name] = values[slot.marker]
        unused = {slot.node_id for slot in self.slots if slot.marker in REFERENCE_MARKERS[1:]} - {
            slot.node_id for slot in self.slots if slot.marker in values
        }
        for node_id in unused:
            del graph[node_id]
        for node in graph.values():
            inputs = node.get("inputs", {})
            for name in [name for name, value in inputs.items() if _links_to(value, unused)]:
                del inputs[name]
        return graph

    def model_files(self) -> list[tuple[str, str]]:
        """(file name, models/ folder) of every model file the workflow loads."""
        return [
            (value, folder)
            for node in self.graph.values()
            for input_name, value in node.get("inputs", {}).items()
            if isinstance(value, str) and (folder := model_folder(node["class_type"], input_name))
        ]


MODEL_FOLDERS = {
    "ckpt_name": "checkpoints",
    "unet_name": "diffusion_models",
    "clip_name": "text_encoders",
    "clip_name1": "text_encoders",
    "clip_name2": "text_encoders",
    "vae_name": "vae",
    "lora_name": "loras",
    "control_net_name": "controlnet",
    "model_name": "upscale_models",
}


def _links_to(value: Any, node_ids: set[str]) -> bool:
    return isinstance(value, list) and len(value) == 2 and str(value[0]) in node_ids


def model_folder(class_type: str, input_name: str) -> str | None:
    """The folder under models/ that a loader node's file input reads from (None: not a model file)."""
    if class_type == "CLIPVisionLoader" and input_name == "clip_name":
        return "clip_vision"
    return MODEL_FOLDERS.get(input_name) if "Loader" in class_type else None


def unknown_inputs(workflow: Workflow, object_info: dict[str, Any]) -> list[str]:
    """What the workflow uses that the server does not know, from the server's /object_info.

    ComfyUI rejects an unknown node or a missing required input itself, but it silently ignores
    an input it does not know, so a typo in an optional input (a start_image that is never used)
    would pass unnoticed without this check.
    """
    problems = []
    for node_id, node in workflow.graph.items():
        info = object_info.get(node["class_type"])
        if info is None:
            problems.append(f"node {node_id} uses {node['class_type']}, which the server does not have")
            continue
        known = {name for group in info.get("input", {}).values() for name in group}
        problems.extend(
            f"node {node_id} ({node['class_type']}) has no input {name}" for name in node["inputs"] if name not in known
        )
    return problems


def fitted_size(native_area: int, width: int, height: int) -> tuple[int, int]:
    """The size to ask the model for: about its native pixel count, in the clip's shape."""
    aspect = width / height
    fitted_width = max(SIZE_STEP, round(math.sqrt(native_area * aspect) / SIZE_STEP) * SIZE_STEP)
    fitted_height = max(SIZE_STEP, round(math.sqrt(native_area / aspect) / SIZE_STEP) * SIZE_STEP)
    return fitted_width, fitted_height


def load_workflow(path: Path, role: Role) -> Workflow:
    """Read and check a workflow file; InvalidInput says what to fix in the file."""
    try:
        graph = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"workflow {path} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput(f"workflow {path.name} is not valid JSON: {error}") from None
    return parse_workflow(path.name, graph, role)


def parse_workflow(name: str, graph: Any, role: Role) -> Workflow:
    _check_api_format(name, graph)
    slots = tuple(_slots(name, graph))
    workflow = Workflow(name, graph, slots)
    missing = [marker for marker in REQUIRED[role] if not workflow.has(marker)]
    if missing:
        raise InvalidInput(
            f"workflow {name} (used to {role.value.replace('_', ' ')}) has no node titled {', '.join(missing)}: "
            "give the node that takes that input the title in ComfyUI (see comfy_workflows/README.md)"
        )
    _check_consistent(workflow, ("$frames", "$fps"))
    return workflow


def _check_api_format(name: str, graph: Any) -> None:
    if not isinstance(graph, dict) or "nodes" in graph:
        raise InvalidInput(
            f"workflow {name} is not in API format (it looks like a UI save): in ComfyUI use Workflow > Export (API)"
        )
    for node_id, node in graph.items():
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            raise InvalidInput(f"workflow {name}: node {node_id} has no class_type")
        if not isinstance(node.get("inputs", {}), dict):
            raise InvalidInput(f"workflow {name}: node {node_id} has inputs that are not an object")


def _slots(name: str, graph: dict[str, Any]) -> Iterator[Slot]:
    """Every marker in every node title, resolved to an input that node has and holds a value."""
    for node_id, node in graph.items():
        title = str(node.get("_meta", {}).get("title", ""))
        for token in title.split():
            if token.startswith("$"):
                yield _slot(name, node_id, node, token)


def _slot(name: str, node_id: str, node: dict[str, Any], token: str) -> Slot:
    marker, _, explicit = token.partition(":")
    if marker not in INPUT_NAMES:
        raise InvalidInput(f"workflow {name}: node {node_id} has an unknown marker {marker} (known: {_known()})")
    inputs: dict[str, Any] = node.get("inputs", {})
    candidates = (explicit,) if explicit else INPUT_NAMES[marker]
    input_name = next((candidate for candidate in candidates if candidate in inputs), None)
    where = f"workflow {name}: node {node_id} ({node['class_type']}) is titled {marker}"
    if input_name is None:
        raise InvalidInput(f"{where} but has no input {' or '.join(candidates)}")
    if isinstance(inputs[input_name], list):
        raise InvalidInput(f"{where} but its input {input_name} is a link to another node, not a value")
    return Slot(marker, node_id, input_name)


def _check_consistent(workflow: Workflow, markers: tuple[str, ...]) -> None:
    """Every node with the same $frames (or $fps) marker must agree, or the clip's length is ambiguous."""
    for marker in markers:
        values = {
            float(workflow.graph[s.node_id]["inputs"][s.input_name]) for s in workflow.slots if s.marker == marker
        }
        if len(values) > 1:
            raise InvalidInput(f"workflow {workflow.name}: the inputs marked {marker} disagree: {sorted(values)}")
        if values and min(values) <= 0:
            raise InvalidInput(f"workflow {workflow.name}: the input marked {marker} must be above 0")


def _known() -> str:
    return " ".join(INPUT_NAMES)
