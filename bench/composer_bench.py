"""Synthetic timelines for tests and benchmarks, and a benchmark of the composer on one.

    python -m bench.composer_bench --minutes 5                 # 720p, the service's default settings
    python -m bench.composer_bench --minutes 60 --profile 720p
    python -m bench.composer_bench --shots 20 --shot-s 6 --profile preview --workers 1

makes a clip (a detailed still pushed in by zoompan, encoded as the animatic backend encodes its
clips: ultrafast, CRF 18), a speech WAV, one music cue per scene and mixed English/Hindi cues,
composes them in-process and prints film seconds, wall seconds, their ratio, CPU seconds (steady
when other work shares the machine) and the peak memory of this process and its ffmpeg children
together. The clip and speech are made once and shared by every shot, so a 60-minute timeline is
quick to set up.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import tempfile
import threading
import time
from pathlib import Path

import psutil

from services.composer.backends.ffmpeg import FfmpegComposer
from services.composer.models import ComposeRequest, MusicCue, OutputProfile, SubtitleCue, TimelineShot
from services.composer.settings import ComposerSettings
from storyreel.artifacts import ArtifactStore
from storyreel.domain import Language
from storyreel.media import ffmpeg
from storyreel.profiles import ProfileName

CUE_TEXTS = (
    ("The old lighthouse keeper climbed the stairs: 99 steps, as always.", Language.EN),
    ("किसान कुएँ के पास बैठा और आसमान की ओर देखने लगा।", Language.HI),
)


def make_clip(path: Path, seconds: float, width: int, height: int, fps: int, moving: bool = True) -> None:
    """A silent H.264 clip of exactly round(seconds*fps) frames: a still pushed in by zoompan and
    encoded like the visual service's clips, or (moving=False) a test pattern, which is much quicker
    to make."""
    frames = round(seconds * fps)
    if moving:
        source = ["-f", "lavfi", "-i", f"mandelbrot=size={width * 3 // 2}x{height * 3 // 2}:end_pts=0.04"]
        motion = f"zoompan=z='min(zoom+0.0015,1.5)':d={frames}:s={width}x{height}:fps={fps},format=yuv420p"
    else:
        source = ["-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate={fps}"]
        motion = "format=yuv420p"
    encode = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]
    args = [*source, "-vf", motion, "-frames:v", str(frames), "-an", *encode]
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg([*args, str(path)], 120)


def make_tone(path: Path, seconds: float, frequency: int, rate: int, channels: int, volume: float = 0.5) -> None:
    """A sine WAV standing in for speech (mono, 22.05 kHz) or music (stereo, 44.1 kHz)."""
    tone = f"sine=frequency={frequency}:sample_rate={rate}:duration={seconds},volume={volume}"
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg(["-f", "lavfi", "-i", tone, "-ac", str(channels), "-c:a", "pcm_s16le", str(path)], 60)


def synthetic_request(
    store: ArtifactStore,
    shots: int,
    shot_s: float,
    profile: OutputProfile,
    shots_per_scene: int = 4,
    profile_name: ProfileName | None = None,
) -> ComposeRequest:
    """A timeline of `shots` shots of shot_s seconds sharing one clip, one speech WAV and one music file."""
    make_clip(store.path("clip.mp4"), shot_s, profile.width, profile.height, profile.fps)
    make_tone(store.path("speech.wav"), shot_s * 0.7, 660, 22050, 1)
    scene_s = shot_s * shots_per_scene
    make_tone(store.path("music.wav"), scene_s, 220, 44100, 2, volume=0.3)
    timeline = [
        TimelineShot(
            shot_id=f"s{n // shots_per_scene:03d}_{n % shots_per_scene:02d}",
            scene_id=f"s{n // shots_per_scene:03d}",
            scene_title=f"Scene {n // shots_per_scene + 1}: a {'quiet' if n % 2 else 'stormy'} night",
            clip_key="clip.mp4",
            speech_key="speech.wav",
            duration_s=shot_s,
            cues=[SubtitleCue(text=CUE_TEXTS[n % 2][0], language=CUE_TEXTS[n % 2][1], start_s=0.2, end_s=shot_s * 0.7)],
        )
        for n in range(shots)
    ]
    scenes = (shots + shots_per_scene - 1) // shots_per_scene
    music = [MusicCue(audio_key="music.wav", start_s=s * scene_s, duration_s=scene_s) for s in range(scenes)]
    return ComposeRequest(
        title="Benchmark",
        shots=timeline,
        music=music,
        profile=None if profile_name else profile,
        profile_name=profile_name,
        video_key="film.mp4",
        srt_key="film.srt",
        vtt_key="film.vtt",
    )


class PeakMemory:
    """Samples the summed RSS of a process (default: this one) and all its children (the ffmpeg runs)
    every 50 ms."""

    def __init__(self, pid: int | None = None) -> None:
        self.peak_bytes = 0
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self._pid)
            while not self._stop.wait(0.05):
                with contextlib.suppress(psutil.Error):
                    family = [root, *root.children(recursive=True)]
                    self.peak_bytes = max(self.peak_bytes, sum(p.memory_info().rss for p in family))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, help="film length; overrides --shots")
    parser.add_argument("--shots", type=int, default=20)
    parser.add_argument("--shot-s", type=float, default=6.0)
    parser.add_argument("--profile", type=ProfileName, choices=list(ProfileName), default=ProfileName.HD720)
    parser.add_argument("--workers", type=int, help="segments encoded at once (default: the setting)")
    args = parser.parse_args()
    shots = round(args.minutes * 60 / args.shot_s) if args.minutes else args.shots
    with tempfile.TemporaryDirectory(prefix="composer-bench-") as root:
        store = ArtifactStore(root)
        settings = ComposerSettings(artifact_root=Path(root))
        if args.workers:
            settings = settings.model_copy(update={"segment_workers": args.workers})
        width, height = args.profile.size
        frame = OutputProfile(width=width, height=height, fps=settings.fps)
        request = synthetic_request(store, shots, args.shot_s, frame, profile_name=args.profile)
        cpu_before = _cpu_s()
        with PeakMemory() as memory:
            started = time.perf_counter()
            film = FfmpegComposer(settings, store).compose(request)
            wall = time.perf_counter() - started
        size_mib = store.path(film.video_key).stat().st_size / 2**20
    print(
        f"{args.profile} film {film.duration_s:.1f} s  wall {wall:.1f} s  ratio {film.duration_s / wall:.2f}x realtime"
        f"  cpu {_cpu_s() - cpu_before:.1f} s  peak memory (python + ffmpeg children)"
        f" {memory.peak_bytes / 2**20:.0f} MiB  file {size_mib:.1f} MiB  workers {settings.encode_workers()}"
    )


def _cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children: unlike wall time, this does
    not grow when other work shares the machine."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
