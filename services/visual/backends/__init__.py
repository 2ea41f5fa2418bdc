"""Visual backends: each turns a shot into a clip. The settings' `backend` chooses one."""

from __future__ import annotations

from services.visual.backends.animatic import AnimaticRenderer
from services.visual.backends.base import RenderResult, RenderSpec, ShotRenderer
from services.visual.settings import VisualBackend, VisualSettings

__all__ = ["RenderResult", "RenderSpec", "ShotRenderer", "make_backend"]


def make_backend(settings: VisualSettings) -> ShotRenderer:
    """The backend the settings name (ComfyUI joins the animatic here later)."""
    if settings.backend == VisualBackend.ANIMATIC:
        return AnimaticRenderer(settings)
    raise ValueError(f"unknown visual backend {settings.backend!r}")
