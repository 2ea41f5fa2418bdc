"""The diffusers backend's rules, without torch: each family's frame counts and sizes, which family
a model is, and the settings that choose the backend."""

from __future__ import annotations

import pytest

from services.visual.backends.diffusers.families import (
    KEYFRAME_FAMILIES,
    VIDEO_FAMILIES,
    keyframe_family,
    video_family,
)
from services.visual.settings import KeyframeFamily, VideoFamily, VisualBackend, VisualSettings
from storyreel.errors import InvalidInput
from storyreel.visual.v1 import visual_service_pb2

WAN, LTX, SVD, COG = (VIDEO_FAMILIES[VideoFamily(name)] for name in ("wan_t2v", "ltx_i2v", "svd", "cogvideox_t2v"))
SDXL = KEYFRAME_FAMILIES[KeyframeFamily.SDXL]


@pytest.mark.parametrize(
    ("family", "wanted", "limit", "made"),
    [
        (WAN, 1, 81, 5),  # at least one block of 4 frames past the first
        (WAN, 16, 81, 17),
        (WAN, 17, 81, 17),
        (WAN, 18, 81, 21),
        (WAN, 500, 81, 81),  # capped at the family's most
        (WAN, 500, 10, 9),  # ... or the setting's, kept to 4n+1
        (LTX, 24, 161, 25),
        (LTX, 26, 161, 33),
        (LTX, 1000, 161, 161),
        (COG, 49, 1000, 49),  # CogVideoX makes at most its 49
    ],
)
def test_frame_counts_follow_each_familys_rule(family, wanted, limit, made) -> None:
    assert family.frames_for(wanted, 0, limit) == made
    assert (made - 1) % family.frame_step == 0


def test_svd_always_makes_its_models_frame_count() -> None:
    assert SVD.frames_for(3, 14, 0) == 14 and SVD.frames_for(100, 25, 0) == 25


@pytest.mark.parametrize(("family", "step"), [(WAN, 16), (LTX, 32), (SVD, 64), (SDXL, 64)])
@pytest.mark.parametrize(("width", "height"), [(1280, 720), (720, 1280), (640, 640), (1920, 804)])
def test_sizes_are_multiples_of_the_familys_step_in_the_clips_shape(family, step, width, height) -> None:
    made_width, made_height = family.size_for(family.native_area, width, height)
    assert made_width % step == 0 and made_height % step == 0
    assert abs(made_width / made_height - width / height) < 0.15 * width / height
    assert abs(made_width * made_height - family.native_area) < 0.2 * family.native_area


def test_sizes_never_go_below_one_step() -> None:
    assert LTX.size_for(16 * 16, 64, 36) == (32, 32)


def test_the_family_is_read_from_the_models_pipeline_class_unless_set() -> None:
    assert video_family(VideoFamily.AUTO, "WanImageToVideoPipeline", "m") == VideoFamily.WAN_I2V
    assert video_family(VideoFamily.AUTO, "LTXPipeline", "m") == VideoFamily.LTX_T2V
    assert video_family(VideoFamily.LTX_I2V, "LTXPipeline", "m") == VideoFamily.LTX_I2V
    assert keyframe_family(KeyframeFamily.AUTO, "StableDiffusionXLPipeline") == KeyframeFamily.SDXL
    assert keyframe_family(KeyframeFamily.AUTO, "FluxPipeline") == KeyframeFamily.AUTO


def test_an_unknown_pipeline_class_names_the_setting_to_fix() -> None:
    with pytest.raises(InvalidInput, match="STORYREEL_VISUAL_DIFFUSERS_VIDEO_FAMILY to one of svd, wan_t2v"):
        video_family(VideoFamily.AUTO, "AnimateDiffPipeline", "guoyww/animatediff")


def test_every_text_to_video_family_but_mochi_is_continued_by_its_own_picture_to_video_one() -> None:
    for name, family in VIDEO_FAMILIES.items():
        if family.from_picture or name == VideoFamily.MOCHI_T2V:
            assert family.continued_by is None
            continue
        later = VIDEO_FAMILIES[family.continued_by]  # type: ignore[index]
        assert later.from_picture and (later.fps, later.size_step, later.frame_step) == (
            family.fps, family.size_step, family.frame_step
        )


def test_the_backend_is_chosen_by_setting_and_by_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYREEL_VISUAL_BACKEND", "diffusers")
    monkeypatch.setenv("STORYREEL_VISUAL_DIFFUSERS_VIDEO_FAMILY", "wan_i2v")
    monkeypatch.setenv("STORYREEL_VISUAL_DIFFUSERS_OFFLOAD", "model")
    settings = VisualSettings()
    assert settings.backend == VisualBackend.DIFFUSERS
    assert (settings.diffusers_video_family, settings.diffusers_offload.value) == (VideoFamily.WAN_I2V, "model")
    from services.visual.servicer import BACKENDS

    assert BACKENDS[visual_service_pb2.VISUAL_BACKEND_DIFFUSERS] == VisualBackend.DIFFUSERS


def test_a_job_may_name_the_diffusers_backend() -> None:
    from gateway.messages import visual_backend, visual_backends

    assert "diffusers" in visual_backends()
    assert visual_backend("diffusers") == visual_service_pb2.VISUAL_BACKEND_DIFFUSERS


def test_the_backend_imports_without_torch_or_diffusers() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import services.visual.backends; "
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
