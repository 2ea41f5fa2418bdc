"""What checking a clip costs: storyreel.mp4's box reader against ffprobe, on the same clip.

    python -m bench.clip_check [--runs 50] [--shot-s 7.3]

Every clip is checked twice (the visual service after writing it, the composer before joining it
as it is); an hour's film has about 400 shots. Makes one 720p 24 fps clip as the animatic does
(x264 superfast), reads it `--runs` times each way, checks both say the same, and prints the CPU
milliseconds per check (this process and its ffprobe children) and their ratio.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from storyreel.media import ffmpeg
from storyreel.mp4 import VideoTrack, ffprobe_video, video_track


def _cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--shot-s", type=float, default=7.3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="storyreel-clip-check-") as folder:
        clip = Path(folder) / "clip.mp4"
        frames = round(args.shot_s * 24)
        ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=24", "-frames:v", str(frames), "-c:v", "libx264",
                "-preset", "superfast", "-crf", "20", "-pix_fmt", "yuv420p", "-f", "mp4", str(clip)], 120)
        readers: dict[str, Callable[[], VideoTrack | None]] = {
            "storyreel.mp4": lambda: video_track(clip),
            "ffprobe": lambda: ffprobe_video(clip),
        }
        answers: dict[str, VideoTrack | None] = {}
        costs: dict[str, tuple[float, float]] = {}
        for name, read in readers.items():
            cpu, wall = _cpu_s(), time.perf_counter()
            for _ in range(args.runs):
                answers[name] = read()
            costs[name] = ((_cpu_s() - cpu) / args.runs, (time.perf_counter() - wall) / args.runs)
    if answers["storyreel.mp4"] != answers["ffprobe"]:
        raise SystemExit(f"the readers disagree: {answers}")
    print(f"clip: {frames} frames of 1280x720 at 24 fps; both read {answers['ffprobe']}")
    for name, (cpu_s, wall_s) in costs.items():
        print(f"{name:<14} {cpu_s * 1000:8.2f} ms CPU, {wall_s * 1000:8.2f} ms wall per check")
    ratio = costs["ffprobe"][0] / max(costs["storyreel.mp4"][0], 1e-9)
    print(f"ffprobe / storyreel.mp4: {ratio:.0f}x the CPU; for 406 shots checked twice, "
          f"{2 * 406 * costs['ffprobe'][0]:.1f} s against {2 * 406 * costs['storyreel.mp4'][0]:.2f} s")


if __name__ == "__main__":
    main()
