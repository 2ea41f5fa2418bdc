"""The diffusers backend: Hugging Face diffusers pipelines in the visual service (the `visual-gpu` extra).

backend.py makes the shot (load, run, write), families.py holds each model family's rules,
loading.py loads pipelines once and keeps one on the GPU at a time, tiny.py builds tiny random
pipelines for tests. Importing this package imports neither torch nor diffusers.
"""

from __future__ import annotations

from services.visual.backends.diffusers.backend import DiffusersRenderer

__all__ = ["DiffusersRenderer"]
