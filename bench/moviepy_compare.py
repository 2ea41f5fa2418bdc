"""This composer against MoviePy 2.x composing the same timeline, in the same run on the same machine.

    pip install -e '.[bench]'                          # MoviePy (skipped with a message when absent)
    python -m bench.moviepy_compare --shots 10 --shot-s 6    # 10 clips x 6 s at 720p, the FACTS timeline
    python -m bench.moviepy_compare --moviepy-defaults       # and MoviePy once more, as its users get it

The timeline (bench.composer_bench.synthetic_request): a clip per shot, narration per shot, a music
cue per scene ducked under the narration, English and Hindi subtitles burned in, a fade through black
at scene changes. Each composer runs in a child process of its own; this process measures its wall
time, its CPU time and the peak memory of its whole process tree (python + ffmpeg children), then
checks both films with ffprobe. Both use the system ffmpeg and the same libx264 preset, CRF and
options, so the comparison is of how they compose, not of encoder settings; with --moviepy-defaults
MoviePy runs once more with its own default encoder settings (x264 medium, CRF 23), as its users
would run it. The shared encode bounds the first ratio: at the same settings x264 alone costs
MoviePy most of what the whole composer costs.

What MoviePy is not asked to do (so the comparison flatters it): measure and set loudness, mux a
soft subtitle track and chapters, verify the result. MoviePy (PIL) does not shape Devanagari, so its
Hindi subtitles are drawn wrongly; drawing them costs the same.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.composer_bench import PeakMemory, synthetic_request
from services.composer.models import ComposeRequest, OutputProfile
from services.composer.settings import ComposerSettings
from storyreel.artifacts import ArtifactStore
from storyreel.domain import Language
from storyreel.media import probe

REQUEST_FILE = "request.json"
FONTS = {
    Language.EN: "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    Language.HI: "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
}
DUCKED = 0.2
"""Music level under narration (about -14 dB), as the ffmpeg composer's sidechain ducking gives."""
MUSIC_LEVEL = 0.3


@dataclass(frozen=True)
class Run:
    name: str
    wall_s: float
    cpu_s: float
    peak_mib: float
    film_s: float


# --------------------------------------------------------------------------- the two composers


def compose_with_storyreel(root: Path, request: ComposeRequest) -> None:
    from services.composer.backends.ffmpeg import FfmpegComposer

    FfmpegComposer(ComposerSettings(artifact_root=root), ArtifactStore(root)).compose(request)


def compose_with_moviepy(root: Path, request: ComposeRequest, same_encoder: bool = True) -> None:
    """The same film the MoviePy way: clips concatenated, subtitles composited as text clips,
    narration and ducked music as composite audio, one write_videofile: with the composer's x264
    and AAC settings, or (same_encoder=False) with MoviePy's defaults (x264 medium, CRF 23)."""
    from moviepy import CompositeAudioClip, CompositeVideoClip, concatenate_videoclips

    settings = ComposerSettings(artifact_root=root)
    profile = request.profile or OutputProfile(width=1280, height=720, fps=settings.fps)
    starts = _shot_starts(request)
    picture = concatenate_videoclips(_moviepy_shots(root, request))
    subtitles = _moviepy_subtitles(request, starts, profile)
    film = CompositeVideoClip([picture, *subtitles], size=(profile.width, profile.height))
    speech = _moviepy_speech(root, request, starts)
    sound = CompositeAudioClip([*speech, *_moviepy_music(root, request, speech)]).with_duration(film.duration)
    encoder: dict[str, Any] = {}
    if same_encoder:
        encoder = {
            "preset": settings.x264_preset,
            "audio_codec": "aac",
            "audio_bitrate": f"{settings.audio_bitrate_kbps}k",
            "ffmpeg_params": ["-crf", str(settings.crf), "-x264-params", settings.x264_params, "-pix_fmt", "yuv420p"],
        }
    # Only the folder of MoviePy's temporary audio file: MoviePy names the file after the codec it
    # uses (.m4a for aac, .mp3 for its default libmp3lame). A fixed .m4a name made the defaults run
    # crash: ffmpeg cannot put MP3 into an .m4a file.
    film.with_audio(sound).write_videofile(
        str(root / "moviepy.mp4"),
        fps=profile.fps,
        codec="libx264",
        logger=None,
        temp_audiofile_path=str(root),  # not the working folder
        **encoder,
    )


def _shot_starts(request: ComposeRequest) -> list[float]:
    starts, position = [], 0.0
    for shot in request.shots:
        starts.append(position)
        position += shot.duration_s
    return starts


def _moviepy_shots(root: Path, request: ComposeRequest) -> list[Any]:
    """A VideoFileClip per shot, faded through black where a scene begins or ends."""
    from moviepy import VideoFileClip, vfx

    fade_s = ComposerSettings(artifact_root=root).scene_fade_s
    scenes = [shot.scene_id for shot in request.shots]
    clips = []
    for index, shot in enumerate(request.shots):
        effects = []
        if index > 0 and scenes[index - 1] != shot.scene_id:
            effects.append(vfx.FadeIn(fade_s))
        if index + 1 < len(scenes) and scenes[index + 1] != shot.scene_id:
            effects.append(vfx.FadeOut(fade_s))
        clip = VideoFileClip(str(root / shot.clip_key), audio=False).with_duration(shot.duration_s)
        clips.append(clip.with_effects(effects))
    return clips


def _moviepy_subtitles(request: ComposeRequest, starts: list[float], profile: OutputProfile) -> list[Any]:
    from moviepy import TextClip

    texts = []
    for shot, start in zip(request.shots, starts, strict=True):
        for cue in shot.cues:
            text = TextClip(
                font=FONTS[cue.language], text=cue.text, font_size=round(profile.height * 0.055), color="white",
                stroke_color="black", stroke_width=2, method="caption", size=(round(profile.width * 0.9), None),
            )  # fmt: skip
            timed = text.with_start(start + cue.start_s).with_duration(cue.end_s - cue.start_s)
            texts.append(timed.with_position(("center", round(profile.height * 0.8))))
    return texts


def _moviepy_speech(root: Path, request: ComposeRequest, starts: list[float]) -> list[Any]:
    from moviepy import AudioFileClip

    return [
        AudioFileClip(str(root / shot.speech_key)).with_start(start)
        for shot, start in zip(request.shots, starts, strict=True)
        if shot.speech_key
    ]


def _moviepy_music(root: Path, request: ComposeRequest, speech: list[Any]) -> list[Any]:
    """Each music cue at MUSIC_LEVEL, turned down to DUCKED while narration plays over it."""
    from moviepy import AudioFileClip, afx

    tracks = []
    for cue in request.music:
        effects = [afx.MultiplyVolume(MUSIC_LEVEL)]
        for voice in speech:
            if cue.start_s <= voice.start < cue.start_s + cue.duration_s:
                start = voice.start - cue.start_s
                effects.append(afx.MultiplyVolume(DUCKED / MUSIC_LEVEL, start, start + voice.duration))
        music = AudioFileClip(str(root / cue.audio_key)).with_duration(cue.duration_s).with_start(cue.start_s)
        tracks.append(music.with_effects(effects))
    return tracks


COMPOSERS: dict[str, Callable[[Path, ComposeRequest], None]] = {
    "storyreel": compose_with_storyreel,
    "moviepy": compose_with_moviepy,
    "moviepy-defaults": lambda root, request: compose_with_moviepy(root, request, same_encoder=False),
}
SKIPPED = "skipped: MoviePy is not installed; pip install -e '.[bench]' to compare with it"


def moviepy_installed() -> bool:
    return importlib.util.find_spec("moviepy") is not None


# --------------------------------------------------------------------------- measuring


def measure(name: str, root: Path, film: Path) -> Run:
    """Run one composer in a child process; its wall and CPU time and its tree's peak memory."""
    env = {**os.environ, "FFMPEG_BINARY": "ffmpeg"}  # MoviePy: the system ffmpeg, as the composer uses
    command = [sys.executable, "-m", "bench.moviepy_compare", "--child", name, "--root", str(root)]
    before = _children_cpu_s()
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env)
    with PeakMemory(child.pid) as memory:
        returncode = child.wait()
    wall = time.perf_counter() - started
    if returncode != 0:
        raise SystemExit(f"{name} failed (exit code {returncode})")
    return Run(
        name, wall, _children_cpu_s() - before, memory.peak_bytes / 2**20, float(probe(film)["format"]["duration"])
    )


def _children_cpu_s() -> float:
    """CPU seconds of finished children and, through them, of their own waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(ours: Run, others: list[Run]) -> str:
    lines = [
        f"{run.name:16s} film {run.film_s:6.1f} s  wall {run.wall_s:7.1f} s  cpu {run.cpu_s:7.1f} s"
        f"  peak memory (process tree) {run.peak_mib:6.0f} MiB"
        for run in (ours, *others)
    ]
    lines += [
        f"storyreel vs {run.name}: {run.wall_s / ours.wall_s:.1f}x faster (wall), {run.cpu_s / ours.cpu_s:.1f}x less"
        f" CPU, {run.peak_mib / ours.peak_mib:.1f}x less memory"
        for run in others
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=10)
    parser.add_argument("--shot-s", type=float, default=6.0)
    parser.add_argument(
        "--moviepy-defaults", action="store_true", help="also time MoviePy with its default encoder (x264 medium)"
    )
    parser.add_argument("--child", choices=sorted(COMPOSERS), help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        request = ComposeRequest.model_validate_json((args.root / REQUEST_FILE).read_text("utf-8"))
        COMPOSERS[args.child](args.root, request)
        return
    if not moviepy_installed():
        print(SKIPPED)
        return
    with tempfile.TemporaryDirectory(prefix="moviepy-compare-") as folder:
        root = Path(folder)
        frame = OutputProfile(width=1280, height=720, fps=ComposerSettings(artifact_root=root).fps)
        request = synthetic_request(ArtifactStore(root), args.shots, args.shot_s, frame)
        (root / REQUEST_FILE).write_text(request.model_dump_json(), "utf-8")
        ours = measure("storyreel", root, root / request.video_key)
        others = [
            measure(name, root, root / "moviepy.mp4")
            for name in ("moviepy", "moviepy-defaults")[: 1 + args.moviepy_defaults]
        ]
    print(report(ours, others))


if __name__ == "__main__":
    main()
