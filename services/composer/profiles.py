"""Output profiles: what a request asks for (a named profile, an explicit size and rate, both or
neither) becomes the film's frame size and rate and the encoder settings of its one encode.

Named profiles fix the size; the rate, CRF, preset and whether subtitles are burned in come from
settings. An explicit size and
rate in the request win over the named profile's (the gateway sends its own), and the named
profile (or the service's default) still chooses the encoder settings. A request's subtitle mode
(burned, soft or none) wins over the profile's burn setting.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.composer.models import Film, OutputProfile, SubtitleStyle
from services.composer.settings import ComposerSettings
from storyreel.profiles import ProfileName, SubtitleMode


@dataclass(frozen=True)
class Encoding:
    """libx264 settings of the film's picture."""

    preset: str
    crf: int
    params: str = ""
    """Extra x264 options, key=value:...; empty: none."""


@dataclass(frozen=True)
class RenderProfile:
    name: ProfileName
    frame: OutputProfile
    encoding: Encoding
    subtitles: SubtitleStyle
    """How the subtitles are shown; its mode is always set (the request's, else the settings')."""

    @property
    def burn_subtitles(self) -> bool:
        """Subtitles drawn into the picture; False: a soft track at most (and the SRT and WebVTT files)."""
        return self.subtitles.mode is SubtitleMode.BURNED

    @property
    def soft_track(self) -> bool:
        """The MP4 carries the subtitles as a text track (burned films too, as they always have)."""
        return self.subtitles.mode is not SubtitleMode.NONE


def encoding_for(name: ProfileName, settings: ComposerSettings) -> Encoding:
    if name is ProfileName.PREVIEW:
        return Encoding(settings.preview_x264_preset, settings.preview_crf)
    return Encoding(settings.x264_preset, settings.crf, settings.x264_params)


def resolve_profile(request: Film, settings: ComposerSettings) -> RenderProfile:
    """The profile a request gets: its named one or the service's default, at the request's
    explicit size and rate when it gives them."""
    name = request.profile_name or settings.profile
    width, height = name.size
    frame = request.profile or OutputProfile(width=width, height=height, fps=settings.fps)
    return RenderProfile(name, frame, encoding_for(name, settings), subtitle_style(request, name, settings))


def subtitle_style(request: Film, name: ProfileName, settings: ComposerSettings) -> SubtitleStyle:
    """The request's subtitle style with its mode set: the request's own, else burned or soft as
    the profile's setting says."""
    if request.subtitles.mode is not None:
        return request.subtitles
    burn = settings.preview_burn_subtitles if name is ProfileName.PREVIEW else settings.burn_subtitles
    return request.subtitles.model_copy(update={"mode": SubtitleMode.BURNED if burn else SubtitleMode.SOFT})
