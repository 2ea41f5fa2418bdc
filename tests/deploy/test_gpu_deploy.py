"""The GPU deployment as configured: what would break on a real GPU host shows here first."""

from __future__ import annotations

from typing import Any

import yaml

from tests.deploy.test_deploy_config import K8S, _kustomize, _run, _tool


def _gpu_services() -> dict[str, Any]:
    result = _run(_tool("docker-compose"), "--profile", "gpu", "config")
    assert result.returncode == 0, result.stderr
    services: dict[str, Any] = yaml.safe_load(result.stdout)["services"]
    return services


def _flag(argv: list[str], name: str) -> str:
    assert name in argv, f"{name} is not set: {argv}"
    return argv[argv.index(name) + 1]


def test_the_llm_leaves_room_on_a_shared_gpu_and_can_be_given_its_own() -> None:
    llm = _gpu_services()["llm"]
    # vLLM's default (0.9) leaves ComfyUI no memory on a one-GPU host.
    assert float(_flag(llm["command"], "--gpu-memory-utilization")) <= 0.5
    (device,) = llm["deploy"]["resources"]["reservations"]["devices"]
    assert device["device_ids"] == ["0"]  # LLM_GPU picks another card


def test_the_gpu_profile_speaks_with_parler_and_scores_with_musicgen() -> None:
    environment = _gpu_services()["audio-gpu"]["environment"]
    assert environment["STORYREEL_AUDIO_SPEECH_BACKEND"] == "parler"
    assert environment["STORYREEL_AUDIO_MUSIC_BACKEND"] == "musicgen"


def test_the_kubernetes_gpu_overlay_scores_with_musicgen_and_gives_the_llm_its_own_gpu() -> None:
    documents = [doc for doc in yaml.safe_load_all(_kustomize(K8S / "overlays" / "gpu")) if doc]
    deployments = {doc["metadata"]["name"]: doc for doc in documents if doc["kind"] == "Deployment"}
    (audio,) = deployments["audio"]["spec"]["template"]["spec"]["containers"]
    assert {"name": "STORYREEL_AUDIO_MUSIC_BACKEND", "value": "musicgen"} in audio["env"]
    (vllm,) = deployments["llm"]["spec"]["template"]["spec"]["containers"]
    assert vllm["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert float(_flag(vllm["args"], "--gpu-memory-utilization")) <= 0.95
