"""The Kubernetes manifests run what the compose test proved (tests/containers/test_compose_stack.py):
the same images, the same health probes, the same settings. Offline: docker-compose config and
kubectl kustomize, no engine or cluster."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT

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
