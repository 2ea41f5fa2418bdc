"""The animatic's illustrator: a flat, deliberate picture of a shot drawn from its words.

Public surface: draw_keyframe(shot, scene, characters, width, height) -> Keyframe.
"""

from services.visual.illustration.keyframe import Keyframe, draw_keyframe

__all__ = ["Keyframe", "draw_keyframe"]
