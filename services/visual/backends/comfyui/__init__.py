"""The ComfyUI backend: shots rendered by a headless ComfyUI server from workflow files.

Reads from backend.py (ComfyRenderer) down: workflow.py loads the workflow files and fills their
markers, client.py is the HTTP + websocket client, errors.py its failures in words.
"""

from services.visual.backends.comfyui.backend import ComfyRenderer

__all__ = ["ComfyRenderer"]
