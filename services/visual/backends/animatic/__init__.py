"""The animatic backend: a flat, deliberate picture of each shot drawn from its words, on the CPU.

Reads from backend.py (AnimaticRenderer) down: keyframe.py draws one picture
(draw_keyframe(shot, scene, characters, width, height) -> Keyframe) from landscapes, sky,
weather, figures and props; backend.py moves a camera over it and encodes the clip.
"""

from services.visual.backends.animatic.backend import AnimaticRenderer

__all__ = ["AnimaticRenderer"]
