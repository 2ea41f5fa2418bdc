"""Audio-first timing: each shot lasts its speech plus a little air, rounded up to whole frames,
and the subtitles are cued from the same speech clips, so picture, voice and text cannot drift."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.convert import proto_enum_value
from storyreel.domain import Shot, Storyboard
from storyreel.storyboard.v1 import storyboard_pb2

_EPSILON = 1e-9


@dataclass(frozen=True)
class SpeechResult:
    """What Speak returned for one shot, as stored in the job store."""

    key: str
    duration_s: float
    timings: list[tuple[float, float]]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "duration_s": self.duration_s, "timings": [list(t) for t in self.timings]}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> SpeechResult:
        return cls(value["key"], float(value["duration_s"]), [(float(a), float(b)) for a, b in value["timings"]])


def shot_duration_s(speech_s: float, air_s: float, min_s: float, fps: int) -> float:
    """Speech plus air, at least min_s, rounded UP to a whole number of frames."""
    frames = max(math.ceil((speech_s + air_s) * fps - _EPSILON), math.ceil(min_s * fps - _EPSILON))
    return frames / fps


def timed(storyboard: Storyboard, speech: dict[str, SpeechResult], air_s: float, min_s: float, fps: int) -> Storyboard:
    """A copy of the storyboard whose shot durations come from their measured speech."""
    result = storyboard.model_copy(deep=True)
    for shot in result.shots():
        shot.duration_s = shot_duration_s(speech[shot.id].duration_s, air_s, min_s, fps)
    return result


def subtitle_cues(shot: Shot, speech: SpeechResult) -> list[composer_pb.SubtitleCue]:
    """One cue per spoken line, timed from the line's place in the shot's speech."""
    cues = []
    for line, (start, end) in zip(shot.lines, speech.timings, strict=True):
        cues.append(
            composer_pb.SubtitleCue(
                text=line.text,
                language=proto_enum_value(line.language, storyboard_pb2.Language),
                start_s=start,
                end_s=min(end, shot.duration_s),
            )
        )
    return cues


def music_tails(storyboard: Storyboard, crossfade_s: float) -> dict[str, float]:
    """How far each scene's music runs on into the next scene (the last one: not at all)."""
    return {scene.id: crossfade_s if index < len(storyboard.scenes) - 1 else 0.0
            for index, scene in enumerate(storyboard.scenes)}


def music_cues(
    storyboard: Storyboard, music_keys: dict[str, str], crossfade_s: float = 0.0
) -> list[composer_pb.MusicCue]:
    """One cue per scene, starting where the scene starts and running crossfade_s into the next,
    so the composer crossfades the score at every scene change instead of letting it dip."""
    cues, start = [], 0.0
    tails = music_tails(storyboard, crossfade_s)
    for scene in storyboard.scenes:
        length = sum(shot.duration_s for shot in scene.shots)
        cues.append(composer_pb.MusicCue(audio_key=music_keys[scene.id], start_s=start,
                                         duration_s=length + tails[scene.id]))
        start += length
    return cues


def timeline_shots(
    storyboard: Storyboard, speech: dict[str, SpeechResult], clip_keys: dict[str, str],
    finish_tags: dict[str, str] | None = None,
) -> list[composer_pb.TimelineShot]:
    """The composer's shots; `finish_tags`: the clips the visual service finished (by shot id)."""
    finish_tags = finish_tags or {}
    return [
        composer_pb.TimelineShot(
            shot_id=shot.id,
            scene_id=scene.id,
            scene_title=scene.title,
            clip_key=clip_keys.get(shot.id, ""),  # none yet: the shot still renders (a Prepare's film)
            speech_key=speech[shot.id].key,
            duration_s=shot.duration_s,
            cues=subtitle_cues(shot, speech[shot.id]),
            finish_tag=finish_tags.get(shot.id, "") if shot.id in clip_keys else "",
        )
        for scene in storyboard.scenes
        for shot in scene.shots
    ]
