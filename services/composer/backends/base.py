"""What every composer backend does: turn a validated request into a film and its subtitles, and
make a film's parts ahead of it, and say how a shot's clip is finished so it needs no second encode."""

from __future__ import annotations

from typing import Protocol

from services.composer.models import ClipFinish, ComposedFilm, ComposeRequest, FinishRequest, Prepared, PrepareRequest


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

    def finish(self, request: FinishRequest) -> list[tuple[str, ClipFinish]]:
        """(shot id, finish) of every shot in the film's order: how its clip is finished as the film
        shows it, for a visual service that encodes clips itself. Reads no file."""
        ...
