"""What every composer backend does: turn a validated request into a film and its subtitles, and
make a film's parts ahead of it."""

from __future__ import annotations

from typing import Protocol

from services.composer.models import ComposedFilm, ComposeRequest, Prepared, PrepareRequest


class Composer(Protocol):
    def compose(self, request: ComposeRequest) -> ComposedFilm:
        """Blocking: write request.video_key and request.srt_key, or raise a StoryreelError.
        Neither output appears unless the film passed its checks."""
        ...

    def prepare(self, request: PrepareRequest) -> Prepared:
        """Blocking: make and keep under request.film.parts_prefix the parts whose inputs are all
        there (segments whose clips are; the sound when request.sound_complete), for a later
        compose of the same film; or raise a StoryreelError."""
        ...
