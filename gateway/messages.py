"""The gRPC request each step sends, built from the storyboard and the job's options.

A step's result is stored with the hash of its request, and a step whose request hashes the same
is never run again. So what goes into a request IS the step's dependency list: a request carries
only what its step needs (a speech request has no picture descriptions, a music request no
shot seeds), and an edit re-runs exactly the steps whose requests it changes.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from google.protobuf.message import Message

from gateway.jobs import JobOptions, SubtitleChoice
from storyreel.audio.v1 import audio_service_pb2 as audio_pb
from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.convert import proto_enum_value, to_proto
from storyreel.domain import Character, Scene, Shot, Storyboard, Voice
from storyreel.errors import InvalidInput
from storyreel.profiles import ProfileName, SubtitleMode, SubtitlePosition, SubtitleSize
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2 as visual_pb

_BACKEND_PREFIX = "VISUAL_BACKEND_"


@dataclass(frozen=True)
class FilmProfile:
    """The film's frame size and rate (every shot is rendered at them) and the composer's named
    profile, which also picks the encoder settings (None: the composer's default)."""

    width: int
    height: int
    fps: int
    name: ProfileName | None = None

    @classmethod
    def for_job(cls, options: JobOptions, width: int, height: int, fps: int) -> FilmProfile:
        """The job's named profile's size, else the gateway's own, in the job's frame shape; the
        rate is always the gateway's, since shot lengths are rounded to whole frames at it."""
        if options.profile is not None:
            width, height = options.profile.size
        return cls(*options.aspect.frame(width, height), fps, options.profile)

    def set_on(self, request: composer_pb.ComposeRequest) -> None:
        request.profile.CopyFrom(composer_pb.OutputProfile(width=self.width, height=self.height, fps=self.fps))
        if self.name is not None:
            request.profile_name = composer_pb.ProfileName.Value(f"PROFILE_NAME_{self.name.name}")


def set_subtitles(request: composer_pb.ComposeRequest, choice: SubtitleChoice) -> None:
    """The job's subtitle choice on the compose request, and so in its hash. Only what differs from
    the defaults is set: a job that chooses nothing sends what it always sent, so its film keeps
    its hash and is not composed again."""
    if choice.mode is not None:
        request.subtitles.mode = proto_enum_value(choice.mode, composer_pb.SubtitleMode)
    if choice.size is not SubtitleSize.MEDIUM:
        request.subtitles.size = proto_enum_value(choice.size, composer_pb.SubtitleSize)
    if choice.position is not SubtitlePosition.BOTTOM:
        request.subtitles.position = proto_enum_value(choice.position, composer_pb.SubtitlePosition)


def film_subtitles(reply: composer_pb.ComposeResponse) -> SubtitleMode | None:
    """How the composed film carries its subtitles; None from a composer too old to say."""
    name = composer_pb.SubtitleMode.Name(reply.subtitles).removeprefix("SUBTITLE_MODE_")
    return None if name == "UNSPECIFIED" else SubtitleMode[name]


def request_hash(message: Message) -> str:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()[:12]


def speech_request(storyboard: Storyboard, shot: Shot) -> audio_pb.SpeakRequest:
    """The shot's lines with every voice: the audio service casts voices over the whole cast,
    so any voice may shape any other; a character's looks (description) do not go in."""
    cast = cast_request(storyboard)
    return audio_pb.SpeakRequest(
        shot_id=shot.id,
        lines=[to_proto(line, storyboard_pb2.Line) for line in shot.lines],
        characters=cast.characters,
        narrator_voice=cast.narrator_voice,
    )


def cast_request(storyboard: Storyboard) -> audio_pb.CheckVoicesRequest:
    """The story's whole cast with its voices (not its looks), for the audio service to check."""
    return audio_pb.CheckVoicesRequest(
        characters=[to_proto(_voice_only(character), storyboard_pb2.Character) for character in storyboard.characters],
        narrator_voice=to_proto(storyboard.narrator_voice, storyboard_pb2.Voice),
    )


@dataclass(frozen=True)
class CastSheet:
    """The cast's reference pictures: character id -> PNG key, and a recurring setting's key per
    scene id. Each key is named after the hash of the request that made the picture, so a new
    picture is a new key, and a new key is a new hash for every shot that uses it."""

    characters: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)


def render_request(
    storyboard: Storyboard, scene: Scene, shot: Shot, options: JobOptions, film: FilmProfile,
    cast: CastSheet | None = None, previous_clip: str = "",
) -> visual_pb.RenderShotRequest:
    """One shot of a timed storyboard, with its scene (without the other shots), the looks of
    the characters in it (not their voices) and their reference pictures (and its setting's):
    those keys are part of the request, so a character's new picture re-renders its shots alone.
    So is previous_clip, the clip the shot starts from (given only where the backend continues
    from it): a new take of one shot re-renders the later shots of its scene, and a request
    without it is byte for byte what it was before the field, so those clips keep their hashes."""
    cast = cast or CastSheet()
    styled = shot.model_copy(update={"visual_prompt": styled_prompt(shot.visual_prompt, options.style)})
    request = visual_pb.RenderShotRequest(
        shot=to_proto(styled, storyboard_pb2.Shot),
        scene=to_proto(scene.model_copy(update={"shots": []}), storyboard_pb2.Scene),
        characters=[to_proto(_looks_only(c), storyboard_pb2.Character)
                    for c in storyboard.characters if c.id in shot.character_ids],
        width=film.width, height=film.height, fps=film.fps, duration_s=shot.duration_s,
        character_reference_keys={cid: cast.characters[cid] for cid in shot.character_ids if cid in cast.characters},
        setting_reference_key=cast.settings.get(scene.id, ""),
        previous_clip_key=previous_clip,
    )
    request.backend = visual_backend(options.visual_backend)  # type: ignore[assignment]
    return request


def cast_members(storyboard: Storyboard) -> list[Character]:
    """The characters the cast sheet draws: those shown in at least one shot."""
    shown = {cid for shot in storyboard.shots() for cid in shot.character_ids}
    return [character for character in storyboard.characters if character.id in shown]


def recurring_settings(storyboard: Storyboard) -> dict[str, tuple[Scene, list[str]]]:
    """Each place used by two or more scenes (same `setting` words, case and spaces aside): its id
    (`setting.<digest of the words>`), the setting to draw (nobody in it, no mood or time of day:
    those stay each scene's) and the ids of the scenes set there."""
    places: dict[str, list[Scene]] = {}
    for scene in storyboard.scenes:
        words = " ".join(scene.setting.lower().split())
        if words:
            places.setdefault(words, []).append(scene)
    recurring = {}
    for words, scenes in places.items():
        if len(scenes) >= 2:
            digest = hashlib.sha256(words.encode()).hexdigest()[:8]
            setting = Scene(id=f"setting-{digest}", setting=scenes[0].setting.strip())
            recurring[f"setting.{digest}"] = (setting, [scene.id for scene in scenes])
    return recurring


def reference_request(
    subject: Character | Scene, options: JobOptions, take: int = 0, upload_key: str = ""
) -> visual_pb.RenderReferenceRequest:
    """RenderReference for a character (its looks, not its voice) or a recurring setting, by the
    job's visual backend: take 0 is the service's own seed for the subject, each later take
    another; with upload_key, the user's picture checked and stored as the reference instead.
    Size 0x0: the backend's default (a 2:3 portrait, a 16:9 setting)."""
    request = visual_pb.RenderReferenceRequest(seed=reference_seed(subject.id, take), upload_key=upload_key)
    if isinstance(subject, Character):
        request.character.CopyFrom(to_proto(_looks_only(subject), storyboard_pb2.Character))
    else:
        request.setting.CopyFrom(to_proto(subject.model_copy(update={"shots": []}), storyboard_pb2.Scene))
    request.backend = visual_backend(options.visual_backend)  # type: ignore[assignment]
    return request


def reference_seed(subject_id: str, take: int) -> int:
    """0 (the service derives one from the subject) for the first take; another seed per later take."""
    if take == 0:
        return 0
    return zlib.crc32(f"reference|{subject_id}|take {take}".encode()) & 0x7FFFFFFF or 1


def music_request(job_id: str, scene: Scene, tail_s: float = 0.0) -> audio_pb.ComposeMusicRequest:
    """A scene's music: its mood and length, plus tail_s that crossfades into the next scene's.
    Its seed comes from the job and scene, not from a shot, so re-rolling a shot's picture leaves
    the music alone."""
    return audio_pb.ComposeMusicRequest(
        scene_id=scene.id,
        mood=proto_enum_value(scene.mood),  # type: ignore[arg-type]
        duration_s=sum(shot.duration_s for shot in scene.shots) + tail_s,
        seed=music_seed(job_id, scene.id),
    )


def styled_prompt(prompt: str, style: str) -> str:
    return f"{prompt}, {style}" if prompt and style else prompt or style


def music_seed(job_id: str, scene_id: str) -> int:
    return zlib.crc32(f"{job_id}/{scene_id}".encode()) & 0x7FFFFFFF


def visual_backends() -> list[str]:
    """Names a job may choose as its visual backend ('animatic', 'comfyui', ...), from the contract."""
    names = (name.removeprefix(_BACKEND_PREFIX).lower() for name in visual_pb.VisualBackend.keys())  # noqa: SIM118
    return [name for name in names if name != "unspecified"]


def visual_backend(name: str) -> int:
    """The contract's value for a backend name; UNSPECIFIED (the service's own) for ''."""
    return int(visual_pb.VisualBackend.Value(f"{_BACKEND_PREFIX}{(name or 'unspecified').upper()}"))


def check_options(options: JobOptions) -> None:
    """InvalidInput for an option the services' contracts cannot carry."""
    if options.visual_backend and options.visual_backend not in visual_backends():
        known = ", ".join(visual_backends())
        raise InvalidInput(f"visual_backend {options.visual_backend!r} is not one of: {known} (or empty)")


def track_request(upload_key: str, duration_s: float) -> audio_pb.PrepareTrackRequest:
    """PrepareTrack: the uploaded file, looped or trimmed to the film's length."""
    return audio_pb.PrepareTrackRequest(input_key=upload_key, duration_s=duration_s)


def set_film_outputs(request: composer_pb.ComposeRequest, stem: str) -> None:
    """Name the film's files after the request's hash: a stale run can never overwrite a newer film."""
    request.video_key, request.srt_key, request.vtt_key = f"{stem}.mp4", f"{stem}.srt", f"{stem}.vtt"


def _voice_only(character: Character) -> Character:
    return character.model_copy(update={"description": ""})


def _looks_only(character: Character) -> Character:
    return character.model_copy(update={"voice": Voice()})
