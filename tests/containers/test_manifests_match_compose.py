"""The Kubernetes manifests run what the compose test proved (tests/containers/test_compose_stack.py):
the same images, the same health probes, the same settings. Offline: docker-compose config and
kubectl kustomize, no engine or cluster."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT
from tests.containers import gpu_images as gi

SERVICES = ["planner", "audio", "visual", "composer", "gateway"]
# Where the two differ on purpose: the token comes from a Secret in Kubernetes (compose: .env), and the
# visual replicas are found through the headless Service (compose: the service's own DNS name).
DIFFERENT = {"STORYREEL_SERVICE_TOKEN", "STORYREEL_GATEWAY_VISUAL_ADDRESS"}


def _yaml(*argv: str) -> Any:
    tool = shutil.which(argv[0])
    if tool is None:
        pytest.skip(f"{argv[0]} is not installed")
    result = subprocess.run([tool, *argv[1:]], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
                            check=True)
    return list(yaml.safe_load_all(result.stdout))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(_yaml("docker-compose", "config")[0]["services"])


@pytest.fixture(scope="module")
def k8s() -> list[dict[str, Any]]:
    return [doc for doc in _yaml("kubectl", "kustomize", str(REPO_ROOT / "deploy" / "k8s" / "base")) if doc]


def _container(k8s: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [deployment] = [d for d in k8s if d["kind"] == "Deployment" and d["metadata"]["name"] == name]
    return dict(deployment["spec"]["template"]["spec"]["containers"][0])


@pytest.mark.parametrize("service", SERVICES)
def test_the_same_image(service: str, compose: dict[str, Any], k8s: list[dict[str, Any]]) -> None:
    assert _container(k8s, service)["image"] == compose[service]["image"]


@pytest.mark.parametrize("service", ["planner", "audio", "visual", "composer"])
def test_the_same_health_probe(service: str, compose: dict[str, Any], k8s: list[dict[str, Any]]) -> None:
    test = compose[service]["healthcheck"]["test"]
    assert test[0] == "CMD"
    container = _container(k8s, service)
    assert container["readinessProbe"]["exec"]["command"] == test[1:]
    assert container["livenessProbe"]["exec"]["command"] == test[1:]


@pytest.mark.parametrize("service", SERVICES)
def test_the_same_settings(service: str, compose: dict[str, Any], k8s: list[dict[str, Any]]) -> None:
    [config] = [d for d in k8s if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "storyreel-config"]
    env = {k: v for k, v in compose[service]["environment"].items() if k not in DIFFERENT}
    assert {k: config["data"].get(k) for k in env} == env
    assert {"configMapRef": {"name": "storyreel-config"}} in _container(k8s, service)["envFrom"]


# ---------------------------------------------------------------- the gpu images (tests/containers/test_gpu_images.py)


@pytest.fixture(scope="module")
def compose_gpu() -> dict[str, Any]:
    return dict(_yaml("docker-compose", "--profile", "gpu", "config")[0]["services"])


@pytest.mark.parametrize("name", list(gi.GPU_IMAGES))
def test_gpu_images_are_built_as_compose_builds_them(name: str, compose_gpu: dict[str, Any]) -> None:
    """The gpu image test builds what compose's gpu profile builds: same tag, Dockerfile, extras, torch index."""
    image, service = gi.GPU_IMAGES[name], compose_gpu[name]
    assert service["image"] == image.tag
    build = service["build"]
    dockerfile = Path(build["context"]) / build.get("dockerfile", "Dockerfile")
    assert dockerfile.resolve() == (REPO_ROOT / image.dockerfile).resolve()
    assert Path(build["context"]).resolve() == (REPO_ROOT / image.context).resolve()
    assert {key: build["args"].get(key) for key in image.args} == image.args
    assert build["args"]["TORCH_INDEX_URL"] == image.torch_index


@pytest.mark.parametrize("name", list(gi.SERVICE_ENV))
def test_gpu_services_run_with_the_backends_the_image_test_started(name: str, compose_gpu: dict[str, Any]) -> None:
    env = compose_gpu[name]["environment"]
    assert {key: env.get(key) for key in gi.SERVICE_ENV[name]} == gi.SERVICE_ENV[name]
    cpu_twin = compose_gpu[name.removesuffix("-gpu")]
    assert compose_gpu[name]["healthcheck"]["test"] == cpu_twin["healthcheck"]["test"]


def test_the_gpu_overlay_runs_the_gpu_images(compose_gpu: dict[str, Any]) -> None:
    docs = [doc for doc in _yaml("kubectl", "kustomize", str(REPO_ROOT / "deploy" / "k8s" / "overlays" / "gpu")) if doc]
    audio = _container(docs, "audio")
    assert audio["image"] == compose_gpu["audio-gpu"]["image"]
    env = {item["name"]: item.get("value") for item in audio.get("env", [])}
    assert {key: env.get(key) for key in gi.SERVICE_ENV["audio-gpu"]} == gi.SERVICE_ENV["audio-gpu"]
    assert _container(docs, "comfyui")["image"] == compose_gpu["comfyui"]["image"]
