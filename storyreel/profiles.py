"""The named output profiles a film can be made at, as the composer's contract names them
(ProfileName in composer_service.proto). The gateway needs each one's frame size before the
composer runs (the visual service renders every shot at it), so the table lives here, shared."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Aspect", "ProfileName", "SubtitleMode", "SubtitlePosition", "SubtitleSize"]


class ProfileName(StrEnum):
    """On the wire PROFILE_NAME_<member name>: PROFILE_NAME_HD720 is HD720."""

    HD720 = "720p"
    HD1080 = "1080p"
    PREVIEW = "preview"
    """Small and encoded fast at lower quality: to check a film before the real render."""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return _SIZES[self]


_SIZES = {ProfileName.HD720: (1280, 720), ProfileName.HD1080: (1920, 1080), ProfileName.PREVIEW: (640, 360)}


class Aspect(StrEnum):
    """The film's frame shape. A profile names the size of its wide (16:9) frame; a tall frame
    (phones, 9:16) turns it on its side and a square one (1:1) keeps its height."""

    WIDE = "16:9"
    TALL = "9:16"
    SQUARE = "1:1"

    def frame(self, width: int, height: int) -> tuple[int, int]:
        """The (width, height) of this shape for a wide frame of width x height."""
        short, long = sorted((width, height))
        if self is Aspect.TALL:
            return short, long
        if self is Aspect.SQUARE:
            return short, short
        return long, short


class SubtitleMode(StrEnum):
    """How a film carries its subtitles (SUBTITLE_MODE_<member name> on the wire). The SRT and
    WebVTT files are written beside the film in every mode."""

    BURNED = "burned"
    """Drawn into the picture (and a soft track in the MP4 too)."""
    SOFT = "soft"
    """Only a soft track in the MP4: a player shows it or not; the picture stays clean."""
    NONE = "none"
    """Neither in the picture nor in the MP4."""


class SubtitleSize(StrEnum):
    """The height of burned subtitles' letters, relative to the frame's (SUBTITLE_SIZE_<name>)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class SubtitlePosition(StrEnum):
    """Where burned subtitles sit in the frame (SUBTITLE_POSITION_<name>)."""

    BOTTOM = "bottom"
    TOP = "top"
