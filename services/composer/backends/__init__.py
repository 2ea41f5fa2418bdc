"""Composer backends, chosen by settings.backend.

One case today (ffmpeg); the factory stays so the servicer depends only on the Composer protocol
and tests can hand it a composer, the same seam the planner, audio and visual services have."""

from __future__ import annotations

from services.composer.backends.base import Composer
from services.composer.backends.ffmpeg import FfmpegComposer
from services.composer.settings import ComposerBackend, ComposerSettings
from storyreel.artifacts import ArtifactStore


def make_backend(settings: ComposerSettings) -> Composer:
    store = ArtifactStore.from_settings(settings)
    match settings.backend:
        case ComposerBackend.FFMPEG:
            return FfmpegComposer(settings, store)


__all__ = ["Composer", "make_backend"]
