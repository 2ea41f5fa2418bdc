"""Tests of the ComfyUI backend: against a fake server built from the real protocol, and against the real ComfyUI."""
