"""Talking to ComfyUI: the HTTP + websocket client, the workflow files and their markers, its errors in words."""
