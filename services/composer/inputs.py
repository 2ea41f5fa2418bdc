"""The files a timeline names: found in the artifact store (a missing one is named by scene and
shot), linked into the work folder under plain names, and diagnosed when ffmpeg trips on one.

Nothing is probed up front: one ffprobe per shot would cost about 0.1 s each. A bad file makes
the encode fail (or the film come out short), and only then are the inputs probed to say which
shot's file is at fault.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.composer.models import Film
from services.composer.timeline import PlacedShot, Timeline
from storyreel.artifacts import ArtifactStore
from storyreel.errors import InvalidInput, ToolFailed
from storyreel.logs import log_context
from storyreel.media import probe


@dataclass(frozen=True)
class ShotFiles:
    placed: PlacedShot
    clip: Path | None
    """None: not rendered yet (a Prepare's film)."""
    speech: Path | None

    @property
    def clip_name(self) -> str:
        """The clip's name inside the work folder (a link to the artifact)."""
        return f"clip_{self.placed.index:05d}.mp4"


def locate_shot_files(timeline: Timeline, store: ArtifactStore, clips_required: bool = True) -> list[ShotFiles]:
    """Every shot's clip and speech; MissingArtifact naming the shot when one is absent or empty.
    Without clips_required, a clip not given or not there yet is None (speech is still required)."""
    files: list[ShotFiles] = []
    for placed in timeline.shots:
        shot = placed.shot
        if clips_required or (shot.clip_key and store.exists(shot.clip_key)):
            clip: Path | None = store.existing(shot.clip_key, f"clip of {shot.label}")
        else:
            clip = None
        speech = store.existing(shot.speech_key, f"speech of {shot.label}") if shot.speech_key else None
        files.append(ShotFiles(placed, clip, speech))
    return files


def locate_music(request: Film, store: ArtifactStore) -> list[Path]:
    return [store.existing(cue.audio_key, f"music cue at {cue.start_s} s") for cue in request.music]


def link_clips(files: Sequence[ShotFiles], folder: Path) -> None:
    """Link each clip into the work folder, so concat lists name plain files (no quoting, safe mode on)."""
    for shot_files in files:
        if shot_files.clip is not None:
            os.symlink(shot_files.clip, folder / shot_files.clip_name)


class _Unusable(Exception):
    """Why a file cannot serve as an input."""


def _probe_for(path: Path, kind: str, timeout_s: float) -> dict[str, Any]:
    """ffprobe's JSON for a file that has a `kind` stream; _Unusable saying why it is not one."""
    try:
        info = probe(path, timeout_s)
    except ToolFailed as error:
        raise _Unusable(f"is not a readable media file ({error})") from None
    if not any(stream.get("codec_type") == kind for stream in info.get("streams", [])):
        raise _Unusable(f"has no {kind} stream")
    return info


def diagnose_clips(files: Sequence[ShotFiles], fps: int, timeout_s: float) -> None:
    """Raise InvalidInput naming the first clip that is unreadable or not as long as its shot."""
    for shot_files in files:
        shot, shot_s = shot_files.placed.shot, shot_files.placed.frames / fps
        if shot_files.clip is None:
            continue
        with log_context(shot_id=shot.shot_id, scene_id=shot.scene_id):
            try:
                info = _probe_for(shot_files.clip, "video", timeout_s)
            except _Unusable as problem:
                raise InvalidInput(f"clip of {shot.label} ({shot.clip_key}) {problem}") from None
            clip_s = float(info["format"].get("duration", 0.0))
            if abs(clip_s - shot_s) > 1 / fps + 1e-3:
                raise InvalidInput(
                    f"clip of {shot.label} ({shot.clip_key}) lasts {clip_s:.3f} s but the shot lasts {shot_s:.3f} s"
                )


def diagnose_speech(files: Sequence[ShotFiles], timeout_s: float) -> None:
    """Raise InvalidInput naming the first speech file that is unreadable or has no audio."""
    for shot_files in files:
        shot = shot_files.placed.shot
        if shot_files.speech is None:
            continue
        with log_context(shot_id=shot.shot_id, scene_id=shot.scene_id):
            try:
                _probe_for(shot_files.speech, "audio", timeout_s)
            except _Unusable as problem:
                raise InvalidInput(f"speech of {shot.label} ({shot.speech_key}) {problem}") from None


def diagnose_music(request: Film, paths: Sequence[Path], timeout_s: float) -> None:
    """Raise InvalidInput naming the first music cue whose file is unreadable or has no audio."""
    for cue, path in zip(request.music, paths, strict=True):
        try:
            _probe_for(path, "audio", timeout_s)
        except _Unusable as problem:
            raise InvalidInput(f"music cue at {cue.start_s} s ({cue.audio_key}) {problem}") from None
