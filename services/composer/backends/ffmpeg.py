"""The embedded-default composer: ffmpeg does all the media work; Python plans it.

compose() reads top to bottom:
  1. choose the output profile, place the shots on whole frames, lay out the subtitles, find
     every input file;
  2. in a work folder, the picture (segments, each encoded once, one worker per core) and the
     sound (speech and premix parts per segment, then one master over the film) are made side by
     side;
  3. the parts are muxed into the video key's temporary file and verified; only a film that
     passes appears under its key, and the SRT and WebVTT beside it.
Every ffmpeg run streams and as many run at once for any length, so memory stays flat.

With a parts_prefix the segments are cut by scene and kept, with the sound, under the prefix
(services.composer.parts): step 2 then makes only the parts not already there, and prepare()
makes them ahead, while the film's other shots still render.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from services.composer.audio_mix import (
    SILENCE_LUFS,
    SPEECH_REFERENCE_LUFS,
    Master,
    MusicSlot,
    PlacedCue,
    SpeechSlot,
    gain_to,
    master_argv,
    music_layers,
    pieces_within,
    premix_argv,
    speech_part_argv,
)
from services.composer.ffsyntax import concat_list
from services.composer.finishing import (
    FinishLook,
    check_finished_clip,
    copy_argv,
    finished_segment,
    shot_finishes,
)
from services.composer.inputs import (
    ShotFiles,
    diagnose_clips,
    diagnose_music,
    diagnose_speech,
    link_clips,
    locate_music,
    locate_shot_files,
)
from services.composer.metadata import ffmetadata_document
from services.composer.models import (
    ClipFinish,
    ComposedFilm,
    ComposeRequest,
    Film,
    FinishRequest,
    Prepared,
    PrepareRequest,
)
from services.composer.parts import Parts, digest, file_identity
from services.composer.profiles import RenderProfile, resolve_profile
from services.composer.scratch import scratch_folder
from services.composer.settings import ComposerSettings
from services.composer.subtitles import (
    SubtitleEvent,
    ass_document,
    layout,
    soft_track_srt,
    srt_document,
    track_language,
    vtt_document,
)
from services.composer.timeline import (
    Segment,
    Timeline,
    absolute_cues,
    chapters,
    place_shots,
    scene_changes_s,
    scene_segments,
    segment_count,
    segments,
)
from services.composer.verify import Expected, VerificationFailed, check_loudness, integrated_loudness, verify_film
from services.composer.video import Fade, MuxInputs, encode_segment_argv, mux_argv, segment_fades, segment_filter
from storyreel.artifacts import ArtifactStore
from storyreel.errors import ToolFailed
from storyreel.media import ffmpeg
from storyreel.settings import available_cores

log = logging.getLogger(__name__)

PROBE_TIMEOUT_S = 30.0
CONCAT_DEMUXER = ("-f", "concat", "-safe", "1")
P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class _Job:
    """Everything known about one composition before any ffmpeg runs."""

    request: Film
    profile: RenderProfile
    timeline: Timeline
    events: list[SubtitleEvent]
    files: list[ShotFiles]
    music: list[Path]
    finishes: list[ClipFinish]
    """Each shot's finish (finishing.py): a segment whose clips all carry its tag is joined, not encoded."""

    @property
    def film_s(self) -> float:
        return self.timeline.duration_s

    def files_of(self, segment: Segment) -> list[ShotFiles]:
        return [self.files[placed.index] for placed in segment.shots]

    def has_clips(self, segment: Segment) -> bool:
        return all(files.clip is not None for files in self.files_of(segment))

    def finished(self, segment: Segment) -> bool:
        """Its clips were all finished as this film needs them (InvalidInput for a wrong or mixed run)."""
        return finished_segment(segment.shots, self.finishes)


@dataclass(frozen=True)
class _Look:
    """What a segment's picture shows besides its clips: burned subtitles, fades, forced keyframes."""

    ass: str | None
    fades: list[Fade]
    keyframes_s: list[float]


@dataclass(frozen=True)
class _Todo:
    """A segment to encode, and the part key it is kept under (None: not kept)."""

    segment: Segment
    key: str | None


@contextlib.contextmanager
def _timed(message: str, **extra: object) -> Iterator[None]:
    """Log message with the block's wall time when the block succeeds."""
    started = time.perf_counter()
    yield
    log.info(message, extra={**extra, "wall_s": round(time.perf_counter() - started, 2)})


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ThreadPoolExecutor]:
    """A thread pool that drops queued work when leaving early (an error in one segment)."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ThreadPoolExecutor, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> Future[R]:
    """Submit with the caller's log context (job, scene, shot ids), which threads do not inherit."""
    context = contextvars.copy_context()
    return pool.submit(lambda: context.run(fn, *args, **kwargs))


class FfmpegComposer:
    def __init__(self, settings: ComposerSettings, store: ArtifactStore) -> None:
        self.settings = settings
        self.store = store

    def compose(self, request: ComposeRequest) -> ComposedFilm:
        for key in (request.video_key, request.srt_key, request.vtt_key):
            if key:
                self.store.path(key)  # refuses unsafe keys before any work
        job = self._plan(request)
        parts = self._parts_of(request)
        self.store.check_room()  # before minutes of encoding, not after
        started = time.time()
        with (
            _timed("composed film", shots=len(request.shots), film_s=round(job.film_s, 3)),
            scratch_folder(self.settings.scratch_root()) as work,
        ):
            link_clips(job.files, work)
            segment_names, audio, used = self._render_parts(job, work, parts)
            duration = self._deliver(job, request, work, segment_names, audio)
        if parts is not None:
            parts.prune(used, older_than=started)
        mode = job.profile.subtitles.mode
        assert mode is not None  # resolve_profile always sets it
        return ComposedFilm(request.video_key, request.srt_key, request.vtt_key, duration, job.profile.frame, mode)

    def prepare(self, request: PrepareRequest) -> Prepared:
        """Make the parts of the film whose inputs are there: every segment whose clips all are,
        and the sound when it is complete; the ones already kept are left as they are."""
        film = request.film
        job = self._plan(film, clips_required=False, with_music=request.sound_complete)
        parts = self._parts_of(film)
        assert parts is not None  # PrepareRequest requires a parts_prefix
        planned = self._segments(job, parts)
        keys = {segment.index: self._segment_key(job, segment, parts) for segment in planned if job.has_clips(segment)}
        todo = [
            _Todo(segment, keys[segment.index])
            for segment in planned
            if segment.index in keys and not parts.ready(keys[segment.index])
        ]
        sound_key = self._sound_key(job, parts) if request.sound_complete else None
        make_sound = sound_key is not None and not parts.ready(sound_key)
        if todo or make_sound:
            self.store.check_room()
            with (
                _timed("prepared parts", segments=len(todo), sound=make_sound, film_s=round(job.film_s, 3)),
                scratch_folder(self.settings.scratch_root()) as work,
            ):
                link_clips(job.files, work)
                self._make_all(job, work, parts, todo, planned, sound_key, sound=make_sound, single_threaded=True)
        return Prepared(
            segments=len(planned),
            segments_ready=sum(parts.ready(key) for key in keys.values()),
            segments_made=len(todo),
            sound_ready=sound_key is not None and parts.ready(sound_key),
        )

    def finish(self, request: FinishRequest) -> list[tuple[str, ClipFinish]]:
        """How each shot's clip is finished as this film shows it (no file is read)."""
        profile = resolve_profile(request.film, self.settings)
        timeline = place_shots(request.film.shots, profile.frame.fps)
        events = layout(absolute_cues(timeline), self.settings.subtitle_max_chars)
        finishes = shot_finishes(timeline, events, profile, self._finish_look())
        return [(placed.shot.shot_id, finish) for placed, finish in zip(timeline.shots, finishes, strict=True)]

    # ------------------------------------------------------------------ 1. plan

    def _plan(self, request: Film, clips_required: bool = True, with_music: bool = True) -> _Job:
        profile = resolve_profile(request, self.settings)
        timeline = place_shots(request.shots, profile.frame.fps)
        events = layout(absolute_cues(timeline), self.settings.subtitle_max_chars)
        files = locate_shot_files(timeline, self.store, clips_required)
        music = locate_music(request, self.store) if with_music else []
        finishes = shot_finishes(timeline, events, profile, self._finish_look())
        return _Job(request, profile, timeline, events, files, music, finishes)

    def _finish_look(self) -> FinishLook:
        return FinishLook(font=self.settings.subtitle_font, fade_s=self.settings.scene_fade_s)

    def _parts_of(self, film: Film) -> Parts | None:
        if not film.parts_prefix:
            return None
        self.store.path(film.parts_prefix)  # refuses an unsafe prefix before any work
        return Parts(self.store, film.parts_prefix)

    def _segments(self, job: _Job, parts: Parts | None) -> list[Segment]:
        """Kept parts are cut by scene (each made once its scene is rendered, and still good after
        another scene changes); a film composed once is cut into equal shares."""
        workers = self.settings.encode_workers()
        if parts is not None:
            return scene_segments(job.timeline, self.settings.segment_max_s, workers)
        return segments(job.timeline, segment_count(job.film_s, self.settings.segment_max_s, workers))

    def _timeout(self, film_s: float) -> float:
        return self.settings.tool_timeout_s(film_s)

    # ------------------------------------------------------------------ 2. picture and audio

    def _render_parts(self, job: _Job, work: Path, parts: Parts | None) -> tuple[list[str], Path, list[str]]:
        """Every segment and the sound in the work folder, made or (with parts) taken from the
        parts kept: (segment file names in order, the sound, the part keys this film uses)."""
        planned = self._segments(job, parts)
        keys = {segment.index: self._segment_key(job, segment, parts) for segment in planned} if parts else {}
        sound_key = self._sound_key(job, parts) if parts else None
        todo: list[_Todo] = []
        for segment in planned:
            key = keys.get(segment.index)
            if parts is not None and key is not None and parts.ready(key):
                parts.link(key, work / f"{_segment_name(segment)}.mp4")  # now: a prune meanwhile cannot take it
            else:
                todo.append(_Todo(segment, key))
        reuse_sound = False
        if parts is not None and sound_key is not None and parts.ready(sound_key):
            parts.link(sound_key, work / "mix.m4a")
            reuse_sound = True
        log.info(
            "parts", extra={"segments": len(planned), "reused": len(planned) - len(todo), "sound_reused": reuse_sound}
        )
        audio = self._make_all(job, work, parts, todo, planned, sound_key, sound=not reuse_sound)
        used = [*keys.values(), *([sound_key] if sound_key else [])]
        return [f"{_segment_name(segment)}.mp4" for segment in planned], audio, used

    def _make_all(
        self,
        job: _Job,
        work: Path,
        parts: Parts | None,
        todo: Sequence[_Todo],
        planned: Sequence[Segment],
        sound_key: str | None,
        sound: bool = True,
        single_threaded: bool = False,
    ) -> Path:
        """Encode the segments to do (one worker per core by default) while the sound is mixed beside
        them (when `sound`; kept under sound_key when given). The first failure stops the queued
        work and is raised at once. Returns the sound's path in the work folder.

        Fewer segments than workers get the spare cores as threads (the film is waited for), unless
        `single_threaded`: work done ahead, beside the renders, costs least CPU per frame that way."""
        workers = self.settings.encode_workers()
        running = max(1, min(workers, len(todo)))
        threads = 1 if single_threaded else max(1, available_cores() // running)  # single: least sync waste
        log.info("segments to encode", extra={"segments": len(todo), "workers": running, "threads_per_run": threads})
        with _pool(1) as audio_pool, _pool(running) as video_pool:
            everything: list[Future[Any]] = []
            if sound:
                everything.append(_submit(audio_pool, self._sound, job, planned, work, parts, sound_key))
            everything += [_submit(video_pool, self._encode_segment, job, item, work, parts, threads) for item in todo]
            wait(everything, return_when=FIRST_EXCEPTION)
            for future in everything:
                if future.done() and future.exception() is not None:
                    future.result()  # raises the first failure now, not after the other segments
            for future in everything:
                future.result()
        return work / "mix.m4a"

    def _encode_segment(self, job: _Job, item: _Todo, work: Path, parts: Parts | None, threads: int) -> None:
        """Encode one segment into the work folder (kept among the parts first, when it has a key);
        if ffmpeg trips, find and name the shot whose clip made it trip."""
        segment = item.segment
        name = _segment_name(segment)
        film_s = job.timeline.seconds(segment.end_frame - segment.start_frame)
        finished = job.finished(segment)
        if finished:
            for files in job.files_of(segment):
                assert files.clip is not None  # a segment is made once its clips are all there
                check_finished_clip(files.clip, files.placed, job.profile, PROBE_TIMEOUT_S)
        # The fault tests count "encoded segment": a joined one encodes nothing.
        with _timed(
            "joined segment" if finished else "encoded segment", segment=segment.index, film_s=round(film_s, 3)
        ):
            try:
                if parts is None or item.key is None:
                    ffmpeg(
                        self._segment_argv(job, segment, work, name, threads, work / f"{name}.mp4", finished),
                        self._timeout(film_s),
                    )
                    return
                with self.store.writing(item.key) as kept:
                    ffmpeg(self._segment_argv(job, segment, work, name, threads, kept, finished), self._timeout(film_s))
                parts.link(item.key, work / f"{name}.mp4")
            except ToolFailed:
                diagnose_clips(job.files_of(segment), job.timeline.fps, PROBE_TIMEOUT_S)
                raise

    def _look(self, job: _Job, segment: Segment) -> _Look:
        timeline = job.timeline
        start_s, end_s = timeline.seconds(segment.start_frame), timeline.seconds(segment.end_frame)
        changes = scene_changes_s(timeline)
        return _Look(
            ass=self._ass_text(job, start_s, end_s),
            fades=segment_fades(segment, timeline, changes, self.settings.scene_fade_s),
            keyframes_s=[change - start_s for change in changes if start_s <= change < end_s],  # chapters seek exactly
        )

    def _segment_argv(
        self, job: _Job, segment: Segment, work: Path, name: str, threads: int, out: Path, finished: bool = False
    ) -> list[str]:
        """Write the segment's clip list and subtitles, and say how to encode it (or, with finished
        clips, to join them)."""
        clip_list = work / f"{name}.ffconcat"
        files = job.files_of(segment)
        if finished:  # joined as they are: each clip starts exactly where the one before ends
            lengths = [job.timeline.seconds(shot.placed.frames) for shot in files]
            clip_list.write_text(concat_list([shot.clip_name for shot in files], lengths))
            return copy_argv(clip_list, out)
        clip_list.write_text(concat_list([shot.clip_name for shot in files]))
        look = self._look(job, segment)
        ass = None
        if look.ass is not None:
            ass = work / f"{name}.ass"
            ass.write_text(look.ass, "utf-8")
        graph = segment_filter(job.profile.frame, ass, look.fades)
        return encode_segment_argv(clip_list, graph, look.keyframes_s, job.profile.encoding, threads, out)

    def _ass_text(self, job: _Job, start_s: float, end_s: float) -> str | None:
        """The segment's subtitles, timed from its start; None when it has none or the profile burns
        none in (no ass filter needed)."""
        inside = [event for event in job.events if start_s <= event.start_s < end_s]
        if not inside or not job.profile.burn_subtitles:
            return None
        style = job.profile.subtitles
        return ass_document(inside, job.profile.frame, self.settings.subtitle_font, start_s, style.size, style.position)

    def _segment_key(self, job: _Job, segment: Segment, parts: Parts) -> str:
        """The part key of a segment whose clips are all there: a digest of what decides its bytes."""
        frame, encoding, look = job.profile.frame, job.profile.encoding, self._look(job, segment)
        clips = []
        for files in job.files_of(segment):
            assert files.clip is not None
            clips.append([*file_identity(files.placed.shot.clip_key, files.clip), files.placed.frames])
        inputs = {
            "frame": [frame.width, frame.height, frame.fps],
            "encoding": [encoding.preset, encoding.crf, encoding.params],
            "clips": clips,
            "subtitles": look.ass,
            "fades": [fade.filter() for fade in look.fades],
            "keyframes": [round(t, 4) for t in look.keyframes_s],
            "joined": job.finished(segment),
        }
        return parts.segment_key(digest("segment", inputs))

    def _sound_key(self, job: _Job, parts: Parts) -> str:
        """The part key of the film's sound: a digest of every speech file and music cue where it
        sits, and of the mix settings."""
        timeline = job.timeline
        speech = [
            [
                file_identity(files.placed.shot.speech_key, files.speech) if files.speech else None,
                timeline.sample(files.placed.start_frame),
                timeline.sample(files.placed.end_frame),
            ]
            for files in job.files
        ]
        music = [
            [*file_identity(cue.audio_key, path), cue.start_s, cue.duration_s]
            for cue, path in zip(job.request.music, job.music, strict=True)
        ]
        settings = self.settings
        inputs = {
            "samples": timeline.sample(timeline.total_frames),
            "speech": speech,
            "music": music,
            "mix": [
                settings.loudness_lufs,
                settings.true_peak_db,
                settings.audio_bitrate_kbps,
                settings.music_level_lu,
                settings.loudness_tolerance_lu,
                settings.aac_coder.value,
            ],
        }
        return parts.sound_key(digest("sound", inputs))

    def _sound(self, job: _Job, planned: Sequence[Segment], work: Path, parts: Parts | None, key: str | None) -> Path:
        """The film's sound in the work folder (mix.m4a), kept among the parts when it has a key."""
        out = self._make_audio(job, planned, work)
        if parts is not None and key is not None:
            with self.store.writing(key) as kept:
                shutil.copyfile(out, kept)
        return out

    def _make_audio(self, job: _Job, planned: Sequence[Segment], work: Path) -> Path:
        """Speech parts and premix parts per segment, then the master (AAC) over the whole film."""
        with _timed("mixed audio", film_s=round(job.film_s, 3)):
            speech = [self._speech_part(job, segment, work) for segment in planned]
            voice_gain = gain_to(SPEECH_REFERENCE_LUFS, self._loudness_of_parts(job, speech, work / "speech.ffconcat"))
            layers = self._music_layers(job)
            premixes = [
                self._premix_part(job, segment, part, layers, voice_gain)
                for segment, part in zip(planned, speech, strict=True)
            ]
            return self._master(job, premixes, work)

    def _speech_part(self, job: _Job, segment: Segment, work: Path) -> Path:
        """The segment's speech, each shot's clip padded or cut to exactly the shot's samples."""
        timeline = job.timeline
        files = job.files_of(segment)
        slots = [
            SpeechSlot(shot.speech, timeline.sample(shot.placed.end_frame) - timeline.sample(shot.placed.start_frame))
            for shot in files
        ]
        out = work / f"speech_{segment.index:04d}.wav"
        try:
            ffmpeg(
                speech_part_argv(slots, out), self._timeout(timeline.seconds(segment.end_frame - segment.start_frame))
            )
        except ToolFailed:
            diagnose_speech(files, PROBE_TIMEOUT_S)
            raise
        return out

    def _loudness_of_parts(self, job: _Job, parts: Sequence[Path], parts_list: Path) -> float:
        """Integrated loudness of the film's audio parts played end to end (beside their list)."""
        parts_list.write_text(concat_list([part.name for part in parts]))
        return integrated_loudness(parts_list, self._timeout(job.film_s), CONCAT_DEMUXER)

    def _music_layers(self, job: _Job) -> list[list[MusicSlot]]:
        """Every music cue placed on the film, with the gain that sets it music_level_lu under the speech."""
        target = SPEECH_REFERENCE_LUFS + self.settings.music_level_lu
        gains: dict[Path, float] = {}
        try:
            for path in job.music:
                if path not in gains:
                    gains[path] = gain_to(target, integrated_loudness(path, self._timeout(job.film_s)))
        except ToolFailed:
            diagnose_music(job.request, job.music, PROBE_TIMEOUT_S)
            raise
        placed = zip(job.request.music, job.music, strict=True)
        cues = [PlacedCue(path, cue.start_s, cue.duration_s, gains[path]) for cue, path in placed]
        return music_layers(cues, job.timeline.sample(job.timeline.total_frames))

    def _premix_part(
        self, job: _Job, segment: Segment, speech: Path, layers: Sequence[list[MusicSlot]], voice_gain_db: float
    ) -> Path:
        timeline = job.timeline
        start, end = timeline.sample(segment.start_frame), timeline.sample(segment.end_frame)
        music = [pieces_within(slots, start, end) for slots in layers]
        out = speech.with_name(f"premix_{segment.index:04d}.wav")
        film_s = timeline.seconds(segment.end_frame - segment.start_frame)
        try:
            ffmpeg(premix_argv(speech, music, voice_gain_db, out), self._timeout(film_s))
        except ToolFailed:
            diagnose_music(job.request, job.music, PROBE_TIMEOUT_S)
            raise
        speech.unlink()
        return out

    def _master(self, job: _Job, premixes: Sequence[Path], work: Path) -> Path:
        """One gain to the loudness target (measured first), a limiter, AAC; then check the result.
        Where the limiter had much to do, the film comes out a little quiet: one corrected encode."""
        premix_list = work / "premix.ffconcat"
        measured = self._loudness_of_parts(job, premixes, premix_list)
        target = self.settings.loudness_lufs
        master = Master(
            gain_db=gain_to(target, measured),
            true_peak_db=self.settings.true_peak_db,
            total_samples=job.timeline.sample(job.timeline.total_frames),
            bitrate_kbps=self.settings.audio_bitrate_kbps,
            aac_coder=self.settings.aac_coder,
        )
        out = work / "mix.m4a"
        final = self._encode_master(job, premix_list, master, out)
        if abs(final - target) > self.settings.loudness_tolerance_lu / 2 and measured > SILENCE_LUFS:
            master = dataclasses.replace(master, gain_db=master.gain_db + target - final)
            final = self._encode_master(job, premix_list, master, out)
        for part in premixes:
            part.unlink()  # float WAVs of the whole film: free the space now
        check_loudness(final, target, self.settings.loudness_tolerance_lu)
        log.info("audio loudness", extra={"premix_lufs": measured, "gain_db": round(master.gain_db, 2), "lufs": final})
        return out

    def _encode_master(self, job: _Job, premix_list: Path, master: Master, out: Path) -> float:
        """Encode the master; returns its measured integrated loudness."""
        ffmpeg(master_argv(premix_list, master, out), self._timeout(job.film_s))
        return integrated_loudness(out, self._timeout(job.film_s))

    # ------------------------------------------------------------------ 3. mux, verify, deliver

    def _deliver(self, job: _Job, request: ComposeRequest, work: Path, segment_names: list[str], audio: Path) -> float:
        mux_inputs = self._write_mux_files(job, work, segment_names, audio)
        expected = Expected(
            duration_s=job.film_s,
            frame_s=1 / job.timeline.fps,
            subtitle_streams=1 if job.events and job.profile.soft_track else 0,
            chapters=len(chapters(job.timeline)),
        )
        with self.store.writing(request.video_key) as tmp:
            ffmpeg(mux_argv(mux_inputs, tmp), self._timeout(job.film_s))
            duration = self._verify(job, tmp, expected)
        self.store.write_bytes(request.srt_key, srt_document(job.events).encode("utf-8"))
        if request.vtt_key:
            self.store.write_bytes(request.vtt_key, vtt_document(job.events).encode("utf-8"))
        return duration

    def _write_mux_files(self, job: _Job, work: Path, segment_names: list[str], audio: Path) -> MuxInputs:
        segment_list = work / "segments.ffconcat"
        segment_list.write_text(concat_list(segment_names))
        metadata = work / "chapters.ffmeta"
        metadata.write_text(ffmetadata_document(job.request.title, chapters(job.timeline), job.timeline.fps), "utf-8")
        subtitles = work / "soft.srt" if job.events and job.profile.soft_track else None
        if subtitles:
            subtitles.write_text(soft_track_srt(job.events), "utf-8")
        return MuxInputs(segment_list, audio, metadata, subtitles, track_language(job.events))

    def _verify(self, job: _Job, film: Path, expected: Expected) -> float:
        """Structural checks; a film of the wrong length is blamed on the clip that caused it."""
        try:
            return verify_film(film, expected, PROBE_TIMEOUT_S)
        except VerificationFailed:
            diagnose_clips(job.files, job.timeline.fps, PROBE_TIMEOUT_S)
            raise


def _segment_name(segment: Segment) -> str:
    """A segment's files in the work folder: name.ffconcat, name.ass, name.mp4."""
    return f"seg_{segment.index:04d}"
