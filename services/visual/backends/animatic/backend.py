"""The animatic backend: a cinematic animatic on CPU, with no model weights.

For each shot: draw one keyframe (a flat illustration of the shot's words, larger than the clip),
save it as PNG, then let ffmpeg move a camera over it and encode the clip. There is no
per-frame Python. Finally check the clip really has the frames it should.

Given a finish (RenderSpec.finish), the same ffmpeg run also burns in the shot's subtitles, fades
and encodes with the film's own x264 settings, so the composer joins the clip without encoding
its frames a second time.
"""

from __future__ import annotations

import logging
import time

from services.visual.backends.animatic.keyframe import draw_keyframe
from services.visual.backends.animatic.portrait import cast_looks, draw_portrait, draw_setting, save_portrait
from services.visual.backends.base import ReferenceSpec, RenderResult, RenderSpec, Subject
from services.visual.camera import Framing, even_pixels, motion_filter
from services.visual.clipwork import checked_frame_count, finish_encoder, finish_filters, subtitles_file, x264
from services.visual.control import RenderControl, Stage
from services.visual.look import Look, look_filters
from services.visual.settings import VisualSettings
from storyreel.domain import Character, Scene, Shot
from storyreel.heap import fix_mmap_threshold
from storyreel.media import SAFE_PROTOCOLS, ffmpeg

log = logging.getLogger(__name__)

PNG_COMPRESS_LEVEL = 1
"""Fast to write; flat pictures compress well anyway."""
MAX_KEYFRAME_SIDE = 4096
"""A 4K clip gets no extra room rather than a 6K keyframe (about 0.5 GB of float pixels)."""


class AnimaticRenderer:
    continues_from_previous_clip = False
    """Every shot is drawn from its own words (a previous clip is ignored), so a scene's shots
    can be rendered side by side."""
    finishes_clips = True
    """The clip is encoded here in one ffmpeg run, so the finish joins that run at no extra encode."""

    def __init__(self, settings: VisualSettings) -> None:
        self.settings = settings
        # The keyframe's numpy plates would otherwise pile up in malloc's per-thread arenas (heap.py).
        fix_mmap_threshold(settings.mmap_threshold_kb * 1024)

    def render(
        self,
        shot: Shot,
        scene: Scene,
        characters: list[Character],
        spec: RenderSpec,
        control: RenderControl | None = None,
    ) -> RenderResult:
        control = control or RenderControl()
        started = time.perf_counter()
        control.report(0.0, Stage.KEYFRAME, "drawing the keyframe")
        scale = max(1.0, min(self.settings.keyframe_scale, MAX_KEYFRAME_SIDE / max(spec.width, spec.height)))
        key_width, key_height = even_pixels(spec.width * scale), even_pixels(spec.height * scale)
        looks = cast_looks(characters, spec)  # the cast sheet's figure of each character with a reference
        keyframe = draw_keyframe(shot, scene, characters, key_width, key_height, self.settings.vignette, looks)
        keyframe.image.save(spec.keyframe_path, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
        drawn = time.perf_counter()

        framing = Framing(key_width, key_height, spec.width, spec.height, spec.fps, spec.frames, keyframe.focus)
        look = Look(grain=self.settings.film_grain, letterbox=self.settings.letterbox)  # vignette: in the keyframe
        picture = [motion_filter(shot.camera, framing), *look_filters(look, spec.width, spec.height)]
        control.check()
        control.report(0.3, Stage.ENCODING, "moving the camera over the keyframe")
        self._encode(spec, picture)
        frames = checked_frame_count(spec)
        log.info(
            "rendered shot %s: %s, camera %s",
            shot.id,
            keyframe.place,
            shot.camera,
            extra={
                "frames": frames,
                "draw_ms": round((drawn - started) * 1000),
                "encode_ms": round((time.perf_counter() - drawn) * 1000),
            },
        )
        control.report(1.0, Stage.CHECKING, "done")
        tag = spec.finish.tag if spec.finish else ""
        return RenderResult(frame_count=frames, duration_s=frames / spec.fps, finish_tag=tag)

    def render_reference(self, subject: Subject, spec: ReferenceSpec, control: RenderControl | None = None) -> None:
        """A character's full-length portrait (its Look kept in the PNG), or a setting with nobody in it."""
        (control or RenderControl()).report(0.0, Stage.KEYFRAME, "drawing the reference picture")
        if isinstance(subject, Character):
            save_portrait(draw_portrait(subject, spec.width, spec.height, spec.seed), spec.path)
        else:
            image = draw_setting(subject, spec.width, spec.height, spec.seed, self.settings.vignette)
            image.save(spec.path, format="PNG", compress_level=PNG_COMPRESS_LEVEL)

    def _encode(self, spec: RenderSpec, picture: list[str]) -> None:
        """One ffmpeg run: the picture filters, then (with a finish) the subtitles and fades, encoded
        with the finish's settings or else the service's own clip settings."""
        timeout_s = self.settings.ffmpeg_timeout_s
        if spec.finish is None:
            encoder = x264(self.settings.x264_preset, self.settings.x264_crf)
            ffmpeg(self._encode_args(spec, ",".join(picture), encoder), timeout_s)
            return
        with subtitles_file(spec.finish, spec.clip_path) as subtitles:
            finished = [*picture, *finish_filters(spec.finish, subtitles, spec.frames / spec.fps)]
            ffmpeg(self._encode_args(spec, ",".join(finished), finish_encoder(spec.finish)), timeout_s)

    def _encode_args(self, spec: RenderSpec, video_filter: str, encoder: list[str]) -> list[str]:
        threads = str(self.settings.clip_threads())
        return [
            "-threads",
            threads,
            "-filter_threads",
            threads,
            *SAFE_PROTOCOLS,
            "-i",
            str(spec.keyframe_path),
            "-vf",
            video_filter,
            "-frames:v",
            str(spec.frames),
            "-r",
            str(spec.fps),
            *encoder,
            "-threads",
            threads,
            "-an",
            "-f",
            "mp4",
            str(spec.clip_path),
        ]

