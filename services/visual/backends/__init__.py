"""Visual backends: each turns a shot into a clip. The settings' `backend` chooses the default one;
a request may name another (a preview with the animatic, the final cut with ComfyUI or diffusers)."""

from __future__ import annotations

from services.visual.backends.animatic import AnimaticRenderer
from services.visual.backends.base import RenderResult, RenderSpec, ShotRenderer
from services.visual.backends.comfyui import ComfyRenderer
from services.visual.backends.diffusers import DiffusersRenderer
from services.visual.backends.simulated import SimulatedRenderer
from services.visual.settings import VisualBackend, VisualSettings

__all__ = ["RenderResult", "RenderSpec", "ShotRenderer", "make_backend"]


def make_backend(settings: VisualSettings, kind: VisualBackend | None = None) -> ShotRenderer:
    """The backend `kind` names (by default the settings' choice)."""
    kind = kind or settings.backend
    if kind == VisualBackend.ANIMATIC:
        return AnimaticRenderer(settings)
    if kind == VisualBackend.COMFYUI:
        return ComfyRenderer(settings)
    if kind == VisualBackend.DIFFUSERS:
        return DiffusersRenderer(settings)
    if kind == VisualBackend.SIMULATED:
        return SimulatedRenderer(settings)
    raise ValueError(f"unknown visual backend {kind!r}")
