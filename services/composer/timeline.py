"""Absolute times from the shots: where each shot, cue, chapter and segment sits on the film.

Positions are counted in frames (and audio samples derived from frames), never by adding up
floats, so a long film cannot drift: shot n starts exactly where shot n-1 ends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.composer.models import TimelineShot
from storyreel.domain import Language
from storyreel.errors import InvalidInput

AUDIO_RATE = 48_000
"""Sample rate of every intermediate and final audio track."""


@dataclass(frozen=True)
class PlacedShot:
    index: int
    shot: TimelineShot
    start_frame: int
    frames: int

    @property
    def end_frame(self) -> int:
        return self.start_frame + self.frames


@dataclass(frozen=True)
class Timeline:
    fps: int
    shots: tuple[PlacedShot, ...]

    @property
    def total_frames(self) -> int:
        return self.shots[-1].end_frame

    @property
    def duration_s(self) -> float:
        return self.seconds(self.total_frames)

    def seconds(self, frame: int) -> float:
        return frame / self.fps

    def sample(self, frame: int) -> int:
        """The audio sample where a frame starts (rounded once, from the frame number)."""
        return round(frame * AUDIO_RATE / self.fps)


def place_shots(shots: Sequence[TimelineShot], fps: int) -> Timeline:
    """Lay the shots end to end; each lasts a whole number of frames."""
    placed: list[PlacedShot] = []
    start = 0
    for index, shot in enumerate(shots):
        frames = round(shot.duration_s * fps)
        if frames < 1:
            raise InvalidInput(f"{shot.label} lasts {shot.duration_s} s, shorter than one frame at {fps} fps")
        placed.append(PlacedShot(index, shot, start, frames))
        start += frames
    return Timeline(fps, tuple(placed))


@dataclass(frozen=True)
class Chapter:
    title: str
    start_frame: int
    end_frame: int


def chapters(timeline: Timeline) -> list[Chapter]:
    """One chapter per scene: a run of consecutive shots with the same scene id."""
    result: list[Chapter] = []
    previous_scene: str | None = None
    for placed in timeline.shots:
        if placed.shot.scene_id == previous_scene:
            last = result[-1]
            result[-1] = Chapter(last.title, last.start_frame, placed.end_frame)
            continue
        title = placed.shot.scene_title.strip() or f"Scene {len(result) + 1}"
        result.append(Chapter(title, placed.start_frame, placed.end_frame))
        previous_scene = placed.shot.scene_id
    return result


@dataclass(frozen=True)
class Segment:
    """A run of consecutive shots that one ffmpeg run encodes."""

    index: int
    shots: tuple[PlacedShot, ...]

    @property
    def start_frame(self) -> int:
        return self.shots[0].start_frame

    @property
    def end_frame(self) -> int:
        return self.shots[-1].end_frame


def segment_count(film_s: float, max_s: float, workers: int) -> int:
    """How many segments to cut a film into: enough that none is much over max_s, and a multiple of
    the workers, so that every worker has a share until the end (3 segments on 2 workers would
    leave one core idle for the last third)."""
    count = max(1, math.ceil(film_s / max_s))
    return math.ceil(count / workers) * workers


def segments(timeline: Timeline, count: int) -> list[Segment]:
    """Split the film at shot boundaries into about `count` runs of about equal length: each shot
    joins the run its middle falls in (fewer runs when shots are too few or too long)."""
    total = timeline.total_frames
    groups: list[list[PlacedShot]] = [[] for _ in range(count)]
    for placed in timeline.shots:
        middle = placed.start_frame + placed.frames / 2
        groups[min(count - 1, int(middle * count / total))].append(placed)
    return [Segment(index, tuple(group)) for index, group in enumerate(group for group in groups if group)]


def scene_segments(timeline: Timeline, max_s: float, workers: int) -> list[Segment]:
    """The film cut for parts kept between calls: each scene on its own, split at shot boundaries
    into runs of at most about max_s. A segment then depends on its own scene only, so it is
    encoded as soon as that scene's shots are rendered, and stays valid when another scene
    changes. A film of fewer segments than workers is cut into equal shares instead (every core
    busy; such a film is short, and keeping its parts saves little)."""
    cut: list[tuple[PlacedShot, ...]] = []
    for chapter in chapters(timeline):
        shots = tuple(p for p in timeline.shots if chapter.start_frame <= p.start_frame < chapter.end_frame)
        scene = Timeline(timeline.fps, shots)
        pieces = max(1, math.ceil(timeline.seconds(chapter.end_frame - chapter.start_frame) / max_s))
        cut += [piece.shots for piece in segments(_from_zero(scene), pieces)]
    if len(cut) < workers:
        return segments(timeline, segment_count(timeline.duration_s, max_s, workers))
    by_index = {placed.index: placed for placed in timeline.shots}
    return [Segment(index, tuple(by_index[p.index] for p in run)) for index, run in enumerate(cut)]


def _from_zero(scene: Timeline) -> Timeline:
    """A run of shots moved to start at frame 0 (segments() splits by position on the film)."""
    offset = scene.shots[0].start_frame
    moved = tuple(PlacedShot(p.index, p.shot, p.start_frame - offset, p.frames) for p in scene.shots)
    return Timeline(scene.fps, moved)


@dataclass(frozen=True)
class TimedCue:
    """A subtitle cue with absolute times on the film."""

    text: str
    language: Language
    start_s: float
    end_s: float


def absolute_cues(timeline: Timeline) -> list[TimedCue]:
    """Every cue moved to film time, in order. A cue must lie inside its shot (one frame of slack)."""
    result: list[TimedCue] = []
    for placed in timeline.shots:
        shot_start = timeline.seconds(placed.start_frame)
        shot_length = timeline.seconds(placed.frames)
        for cue in sorted(placed.shot.cues, key=lambda cue: cue.start_s):
            if cue.start_s >= shot_length or cue.end_s > shot_length + 1 / timeline.fps:
                raise InvalidInput(
                    f"a subtitle cue of {placed.shot.label} runs {cue.start_s}-{cue.end_s} s,"
                    f" outside the shot's {shot_length:.3f} s"
                )
            end_s = min(cue.end_s, shot_length)
            result.append(TimedCue(cue.text, cue.language, shot_start + cue.start_s, shot_start + end_s))
    return result


def scene_changes_s(timeline: Timeline) -> list[float]:
    """Film times where a new scene begins (not the film's start)."""
    return [timeline.seconds(chapter.start_frame) for chapter in chapters(timeline)[1:]]
