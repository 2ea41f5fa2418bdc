"""Deployment files are checked with the tools that run without a container engine:
`docker-compose config` for every profile, hadolint for every Dockerfile, and the Kubernetes
manifests built with kustomize and validated against the API schemas (strict: unknown fields fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

DOCKERFILES = sorted([*REPO_ROOT.glob("services/*/Dockerfile"), REPO_ROOT / "gateway" / "Dockerfile",
                      REPO_ROOT / "services" / "visual" / "comfyui" / "Dockerfile"])
K8S = REPO_ROOT / "deploy" / "k8s"


def _tool(name: str) -> str:
    """A tool next to this Python (pip installs) or on PATH; CI installs both kinds."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed; scripts/setup_test_tools.sh installs it")
    return found


def _run(*argv: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("profile", ["cpu", "gpu", "scale"])
def test_compose_profile_is_valid(profile: str) -> None:
    args = [] if profile == "cpu" else ["--profile", profile]
    result = _run(_tool("docker-compose"), *args, "config")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert {"planner", "audio", "visual", "composer", "gateway"} <= services.keys()
    gateway = services["gateway"]
    assert all(dep["condition"] == "service_healthy" for dep in gateway["depends_on"].values())


def test_every_image_has_a_healthcheck_and_runs_as_non_root() -> None:
    for dockerfile in DOCKERFILES:
        text = dockerfile.read_text()
        assert "HEALTHCHECK" in text, dockerfile
        assert "\nUSER 10001" in text, dockerfile


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    result = _run(_tool("hadolint"), str(dockerfile))
    assert result.returncode == 0, result.stdout + result.stderr


def _kustomize(overlay: Path) -> str:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (with its built-in kustomize) is not installed")
    result = _run(kubectl, "kustomize", str(overlay))
    assert result.returncode == 0, result.stderr
    return result.stdout


def _validate(manifests: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "manifests.yaml"
    path.write_text(manifests)
    return _run(_tool("kubernetes-validate"), "--strict", "--quiet", str(path))


@pytest.mark.parametrize("overlay", ["base", "overlays/gpu"])
def test_kubernetes_manifests_are_valid(overlay: str, tmp_path: Path) -> None:
    manifests = _kustomize(K8S / overlay)
    result = _validate(manifests, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in yaml.safe_load_all(manifests)}
    assert ("Service", "visual-headless") in kinds
    if overlay == "overlays/gpu":
        assert ("Deployment", "comfyui") in kinds


def test_the_visual_headless_service_has_no_cluster_ip(tmp_path: Path) -> None:
    docs = list(yaml.safe_load_all(_kustomize(K8S / "base")))
    headless = next(d for d in docs if d["kind"] == "Service" and d["metadata"]["name"] == "visual-headless")
    assert headless["spec"]["clusterIP"] == "None"
    config = next(d for d in docs if d["kind"] == "ConfigMap")
    assert config["data"]["STORYREEL_GATEWAY_VISUAL_ADDRESS"].startswith("dns:///visual-headless")


def test_a_typo_in_a_manifest_fails_validation(tmp_path: Path) -> None:
    manifests = _kustomize(K8S / "base").replace("replicas:", "replicaz:", 1)
    assert _validate(manifests, tmp_path).returncode != 0
