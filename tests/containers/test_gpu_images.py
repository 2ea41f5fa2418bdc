"""The gpu images (ComfyUI; audio with Parler-TTS and MusicGen; visual with diffusers) built here as
compose.yaml's gpu profile builds them, and run on the CPU far enough that a version clash between
torch, torchaudio, transformers, diffusers, Parler-TTS or ComfyUI fails here instead of in a user's
deployment (tests/containers/gpu_images.py, also run by scripts/compose_check.sh).

Skipped, with the reason, only where no Docker engine answers or its disk lacks the ~30 GB the images
and their build cache take. Several GB of downloads on a cold
machine (about 2 min at PyPI's speed here); Docker's layer cache makes a rerun a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.containers import gpu_images as gi
from tests.containers import stack as st

pytestmark = pytest.mark.timeout(3600)


@pytest.fixture(scope="module")
def built() -> Iterator[dict[str, float]]:
    problem = st.engine_problem() or gi.disk_problem()
    if problem:
        pytest.skip(problem)
    seconds = gi.build(st.base_image())
    for name in gi.GPU_IMAGES:
        print(f"image {gi.GPU_IMAGES[name].tag} {gi.size_mb(name):.0f} MB (built in {seconds[name]:.0f} s)")
    yield seconds


def test_comfyui_image_starts_and_has_every_node_the_workflows_use(built: dict[str, float]) -> None:
    line = gi.check_comfyui()
    print(line)
    assert "ComfyUI 0.3.75" in line


@pytest.mark.parametrize("name", list(gi.IMAGE_CHECKS))
def test_gpu_backends_run_inside_the_image_with_tiny_models(built: dict[str, float], name: str) -> None:
    out = gi.run_gpu_check(name)
    print(out)
    # gpu_check prints "NAME  DEVICE  SECONDS s  ok|SKIPPED:|FAILED: ..." per check
    verdicts = {words[0]: words[4] for words in map(str.split, out.splitlines()) if len(words) > 4}
    assert {check: verdicts.get(check) for check in gi.IMAGE_CHECKS[name]} == dict.fromkeys(gi.IMAGE_CHECKS[name], "ok")


@pytest.mark.parametrize("name", list(gi.SERVICE_ENV))
def test_service_starts_healthy_with_its_gpu_backends(built: dict[str, float], name: str) -> None:
    print(gi.check_service_health(name))


@pytest.mark.parametrize("name", ["audio-gpu", "visual-gpu"])
def test_gpu_service_images_are_honest(built: dict[str, float], name: str) -> None:
    """As the cpu images: user 10001, no compiler, no CA bundle or pip cache left behind."""
    probe = ("id -u; command -v gcc cc || true; ls /run/secrets 2>/dev/null || true; "
             "ls /root/.cache/pip 2>/dev/null || true")
    out = st.run(st.docker_cli(), "run", "--rm", "--entrypoint", "sh", gi.GPU_IMAGES[name].tag, "-c", probe).stdout
    assert out.split() == ["10001"], out
