"""Which workflow continues a text-to-video shot: one of the same model family where there is one."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

from services.visual.backends.comfyui.backend import Workflows
from services.visual.settings import VisualSettings

WORKFLOWS = Path(__file__).resolve().parents[2] / "comfy_workflows"


def loaded(**values: Any) -> Workflows:
    return Workflows.load(VisualSettings.model_validate({"comfyui_mode": "text_to_video", **values}))


@pytest.mark.parametrize(
    ("text_to_video", "continuation"),
    [
        ("wan21_t2v_1_3b.json", "wan21_i2v_14b_480p.json"),  # Wan 2.1: 832x480 at 16 fps, the 2.1 VAE
        ("wan22_ti2v_5b_t2v.json", "wan22_ti2v_5b_i2v.json"),  # Wan 2.2: 1280x704 at 24 fps, the 2.2 VAE
    ],
)
def test_a_text_to_video_model_is_continued_by_its_own_family(text_to_video: str, continuation: str) -> None:
    flows = loaded(comfyui_text_to_video_workflow=text_to_video, comfyui_animate_workflow="svd_xt_1_1_i2v.json")
    assert flows.continuation.name == continuation
    assert flows.animate.name == "svd_xt_1_1_i2v.json"


def test_the_animate_workflow_continues_when_it_is_of_the_family() -> None:
    flows = loaded(
        comfyui_text_to_video_workflow="wan22_ti2v_5b_t2v.json", comfyui_animate_workflow="wan22_ti2v_5b_i2v.json"
    )
    assert flows.continuation is flows.animate


def test_the_setting_names_the_continuation_outright() -> None:
    flows = loaded(comfyui_continue_workflow="svd_xt_1_1_i2v.json")
    assert flows.continuation.name == "svd_xt_1_1_i2v.json"


def test_without_a_workflow_of_the_family_the_animate_one_continues_and_the_log_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("wan21_t2v_1_3b.json", "wan22_ti2v_5b_i2v.json", "sdxl_keyframe.json"):
        shutil.copy(WORKFLOWS / name, tmp_path / name)
    with caplog.at_level(logging.WARNING):
        flows = loaded(comfyui_workflow_dir=str(tmp_path))
    assert flows.continuation.name == "wan22_ti2v_5b_i2v.json"
    assert "long shots continue with wan22_ti2v_5b_i2v.json, a different model" in caplog.text


def test_keyframe_then_animate_continues_with_the_animate_workflow() -> None:
    flows = Workflows.load(VisualSettings.model_validate({"comfyui_continue_workflow": "svd_xt_1_1_i2v.json"}))
    assert flows.continuation is flows.animate
