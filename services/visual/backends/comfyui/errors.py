"""What goes wrong with ComfyUI, in words a user can act on.

BackendError
├── ComfyError               ComfyUI answered, but not with a finished clip
│   ├── WorkflowRejected     HTTP 400 on /prompt: a node, input or value it does not know (node_errors)
│   ├── ModelFileMissing     a loader could not read its model file (absent, empty or not a model)
│   ├── ExecutionFailed      a node raised while running (execution_error)
│   ├── Interrupted          someone (another client, or the server) interrupted the prompt
│   └── ComfyTimeout         no answer in time, or the shot's deadline passed
ServiceUnavailable
└── ComfyUnreachable         nothing listens at the server URL
"""

from __future__ import annotations

from typing import Any

from services.visual.backends.comfyui.workflow import model_folder
from storyreel.errors import BackendError, ServiceUnavailable

MAX_DETAIL_CHARS = 600


class ComfyError(BackendError):
    pass


class WorkflowRejected(ComfyError):
    pass


class ModelFileMissing(ComfyError):
    pass


class ExecutionFailed(ComfyError):
    pass


class Interrupted(ComfyError):
    pass


class ComfyTimeout(ComfyError):
    pass


class ComfyUnreachable(ServiceUnavailable):
    pass


def rejected(workflow_name: str, graph: dict[str, Any], body: dict[str, Any]) -> ComfyError:
    """The error for a 400 on /prompt: a missing model file when that is the cause, else each node's errors."""
    node_errors: dict[str, Any] = body.get("node_errors") or {}
    problems = []
    for node_id, info in node_errors.items():
        for error in info.get("errors", []):
            missing = _missing_model(graph, node_id, error)
            if missing:
                return missing
            problems.append(f"node {node_id} ({info.get('class_type', '?')}): {_describe(error)}")
    if not problems:
        problems.append(_describe(body.get("error") or {}))
    return WorkflowRejected(f"ComfyUI rejected workflow {workflow_name}: " + "; ".join(problems))


def failed(workflow_name: str, graph: dict[str, Any], event: dict[str, Any]) -> ComfyError:
    """The error for an execution_error event (from the websocket or the history)."""
    node_id = str(event.get("node_id", "?"))
    node = graph.get(node_id, {})
    message = str(event.get("exception_message", "")).strip()[:MAX_DETAIL_CHARS]
    if "Loader" in str(node.get("class_type", "")):
        for input_name, value in node.get("inputs", {}).items():
            folder = model_folder(node["class_type"], input_name)
            if folder and isinstance(value, str):
                return model_missing(value, folder, f"ComfyUI said: {message}")
    return ExecutionFailed(
        f"ComfyUI failed in workflow {workflow_name}, node {node_id} ({event.get('node_type', '?')}): "
        f"{event.get('exception_type', 'error')}: {message}"
    )


def model_missing(file_name: str, folder: str, detail: str) -> ModelFileMissing:
    return ModelFileMissing(
        f"model file {file_name} is missing or invalid; put it in models/{folder} of the ComfyUI server ({detail})"
    )


def _missing_model(graph: dict[str, Any], node_id: str, error: dict[str, Any]) -> ModelFileMissing | None:
    """A value_not_in_list on a loader's file input means the server has no such model file."""
    extra = error.get("extra_info") or {}
    input_name, value = extra.get("input_name"), extra.get("received_value")
    class_type = graph.get(node_id, {}).get("class_type", "")
    folder = model_folder(class_type, input_name) if isinstance(input_name, str) else None
    if error.get("type") == "value_not_in_list" and folder and isinstance(value, str):
        return model_missing(value, folder, "the server does not list it")
    return None


def _describe(error: dict[str, Any]) -> str:
    message, details = error.get("message", "error"), error.get("details", "")
    return f"{message}: {details}"[:MAX_DETAIL_CHARS] if details else str(message)
