"""The ComfyUI backend's time limits are sized for real GPU work, not for the CPU test server."""

from __future__ import annotations

import math

from services.visual.backends.comfyui.workflow import Role, load_workflow
from services.visual.settings import VisualSettings
from tests.unit.test_visual_workflow import WORKFLOWS

WAN22_720P_SEGMENT_S = 9 * 60
"""About what Wan 2.2 TI2V 5B takes for one 5 s segment at 1280x704 on one GPU."""
LONGEST_SHOT_S = 12.0
"""The planner's longest shot (DESIGN.md: 3-12 s)."""


def test_the_defaults_let_the_slowest_shipped_model_finish_a_long_shot_and_its_reroll() -> None:
    settings = VisualSettings.model_construct()  # the defaults alone, whatever the environment says
    wan22 = load_workflow(WORKFLOWS / "wan22_ti2v_5b_i2v.json", Role.ANIMATE)
    segments = 1 + math.ceil((LONGEST_SHOT_S - wan22.native_frames / wan22.native_fps) /
                             ((wan22.native_frames - 1) / wan22.native_fps))
    runs = (1 + segments) * (1 + settings.comfyui_rerolls)  # a keyframe and the segments, per attempt
    assert settings.comfyui_run_timeout_s >= 2 * WAN22_720P_SEGMENT_S  # room for loading and one prompt ahead
    assert settings.comfyui_shot_deadline_s >= runs * WAN22_720P_SEGMENT_S
    assert settings.heartbeat_s < 30  # well inside any idle timeout a caller would set
