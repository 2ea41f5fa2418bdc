"""What every composer backend does: turn a validated request into a film and its subtitles."""

from __future__ import annotations

from typing import Protocol

from services.composer.models import ComposedFilm, ComposeRequest


class Composer(Protocol):
    def compose(self, request: ComposeRequest) -> ComposedFilm:
        """Blocking: write request.video_key and request.srt_key, or raise a StoryreelError.
        Neither output appears unless the film passed its checks."""
        ...
