"""One encode per frame, measured before it is built: today's two encodes against the finished clip.

python -m bench.one_encode [--shots 12] [--shot-s 6] [--width 1280 --height 720 --fps 24]

Today an animatic shot is drawn once, then encoded twice: the visual service moves the camera
over the keyframe and encodes the clip (x264 ultrafast, CRF 18, an intermediate), and the
composer decodes it, burns the subtitles, fades at scene changes and encodes the film's picture
(superfast, CRF 20, mbtree). The design this weighs has the visual service finish the clip: the
same camera move, the same subtitles and fades, encoded once at the film's own settings, so the
composer only joins clips (stream copy).

Both run here on the same keyframes (drawn by the animatic), the same camera-move and look
filters, the same ASS script the composer writes (its layout, font and size) and the same
encoder settings the services use, every ffmpeg run single-threaded (as the services run them
on 2 cores). The shots are cut into scenes of four, so both fade. Printed per variant: the
CPU seconds per film second of each stage and in all, their ratio, the file size, and the
picture against a lossless rendering of the same frames (SSIM and PSNR over every frame). The
joined film of each variant is checked for its frame count with ffprobe.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.visual_bench import CAST, requests
from services.composer.models import OutputProfile
from services.composer.subtitles import ass_document, layout
from services.composer.timeline import TimedCue
from services.visual.backends.animatic.keyframe import draw_keyframe
from services.visual.camera import Framing, even_pixels, motion_filter
from services.visual.look import Look, look_filters
from storyreel.convert import from_proto
from storyreel.domain import Language, Scene, Shot

FINAL = ["-c:v", "libx264", "-preset", "superfast", "-crf", "20", "-x264-params", "mbtree=1:rc-lookahead=10"]
"""The composer's 720p settings (services/composer/settings.py defaults)."""
CLIP = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "18"]
"""The animatic's clip settings (services/visual/settings.py defaults)."""
LOSSLESS = ["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"]
FADE_S = 0.3
SCENE_SHOTS = 4
NARRATION = (
    "Meera carried the lantern up the hill, and the wind tried every trick it knew to put it out;"
    " but she held it close, and the flame stood straight."
)
FFMPEG = ["ffmpeg", "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-threads", "1"]


@dataclass
class Stage:
    name: str
    cpu_s: float = 0.0


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(stage: Stage, argv: Sequence[str | Path]) -> None:
    before = children_cpu_s()
    subprocess.run([*FFMPEG, *map(str, argv)], check=True)
    stage.cpu_s += children_cpu_s() - before


@dataclass(frozen=True)
class PreparedShot:
    keyframe: Path
    motion: str
    """The camera move and look filters, ending in yuv420p frames at the clip's size and rate."""
    ass: Path
    fades: str
    """Fade filters for this shot (first and last shots of a scene), or empty."""
    frames: int
    normalise: str
    """The composer's first filters: size, pixel shape, rate and format (pass-through for these clips)."""


def prepare(root: Path, shots: int, shot_s: float, width: int, height: int, fps: int) -> list[PreparedShot]:
    """Keyframes, filters and one subtitle script per shot (its cue spans most of the shot)."""
    profile = OutputProfile(width=width, height=height, fps=fps)
    made = []
    frames = round(shot_s * fps)
    for index, request in enumerate(requests(shots, shot_s, width, height, fps)):
        shot, scene = from_proto(request.shot, Shot), from_proto(request.scene, Scene)
        key_w, key_h = even_pixels(width * 1.5), even_pixels(height * 1.5)
        keyframe = draw_keyframe(shot, scene, CAST, key_w, key_h, True)
        path = root / f"key{index:03d}.png"
        keyframe.image.save(path, format="PNG", compress_level=1)
        framing = Framing(key_w, key_h, width, height, fps, frames, keyframe.focus)
        motion = ",".join([motion_filter(shot.camera, framing), *look_filters(Look(), width, height), "format=yuv420p"])
        cue = TimedCue(NARRATION, Language.EN, 0.4, shot_s - 0.4)
        ass = root / f"cue{index:03d}.ass"
        ass.write_text(ass_document(layout([cue], 42), profile, "Noto Sans"), encoding="utf-8")
        fades = []
        if index % SCENE_SHOTS == 0 and index > 0:
            fades.append(f"fade=t=in:st=0:d={FADE_S}")
        if index % SCENE_SHOTS == SCENE_SHOTS - 1 and index < shots - 1:
            fades.append(f"fade=t=out:st={shot_s - FADE_S:.4f}:d={FADE_S}")
        normalise = f"scale={width}:{height},setsar=1,fps={fps},format=yuv420p"
        made.append(PreparedShot(path, motion, ass, ",".join(fades), frames, normalise))
    return made


def still_input(shot: PreparedShot) -> list[str]:
    return ["-i", str(shot.keyframe)]


def finish_filter(shot: PreparedShot) -> str:
    return ",".join(part for part in (shot.motion, f"ass=filename={shot.ass}", shot.fades) if part)


def two_encodes(root: Path, shots: list[PreparedShot], fps: int) -> tuple[list[Stage], Path]:
    """Today: clip at ultrafast CRF 18, then the composer's decode, ass, fades, superfast CRF 20."""
    clip_stage, film_stage = Stage("visual: camera move + clip encode"), Stage("composer: decode + subtitles + encode")
    parts = []
    for index, shot in enumerate(shots):
        clip = root / f"two_clip{index:03d}.mp4"
        timed(clip_stage, [*still_input(shot), "-vf", shot.motion, "-frames:v", str(shot.frames), "-r", str(fps),
                           *CLIP, "-pix_fmt", "yuv420p", "-an", clip])
        part = root / f"two_part{index:03d}.mp4"
        graph = ",".join(p for p in (shot.normalise, f"ass=filename={shot.ass}", shot.fades) if p)
        timed(film_stage, ["-i", clip, "-vf", graph, *FINAL, "-pix_fmt", "yuv420p", "-an", part])
        parts.append(part)
    joined = join(root, "two", parts)
    return [clip_stage, film_stage], joined


def one_encode(root: Path, shots: list[PreparedShot], fps: int) -> tuple[list[Stage], Path]:
    """The finished clip: camera move, subtitles and fades, encoded once at the film's settings."""
    clip_stage = Stage("visual: camera move + subtitles + final encode")
    clips = []
    for index, shot in enumerate(shots):
        clip = root / f"one_clip{index:03d}.mp4"
        timed(clip_stage, [*still_input(shot), "-vf", finish_filter(shot), "-frames:v", str(shot.frames),
                           "-r", str(fps), *FINAL, "-pix_fmt", "yuv420p", "-an", clip])
        clips.append(clip)
    join_stage = Stage("composer: join (stream copy)")
    before = children_cpu_s()
    joined = join(root, "one", clips)
    join_stage.cpu_s = children_cpu_s() - before
    return [clip_stage, join_stage], joined


def join(root: Path, name: str, parts: list[Path]) -> Path:
    listing = root / f"{name}.ffconcat"
    listing.write_text("ffconcat version 1.0\n" + "".join(f"file '{p.name}'\n" for p in parts), encoding="utf-8")
    out = root / f"{name}_film.mp4"
    subprocess.run([*FFMPEG, "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy", str(out)], check=True)
    return out


def reference(root: Path, shots: list[PreparedShot], fps: int) -> Path:
    """The same finished frames, encoded losslessly: what both variants are measured against."""
    parts = []
    for index, shot in enumerate(shots):
        part = root / f"ref{index:03d}.mp4"
        subprocess.run([*FFMPEG, *still_input(shot), "-vf", finish_filter(shot), "-frames:v", str(shot.frames),
                        "-r", str(fps), *LOSSLESS, "-pix_fmt", "yuv420p", "-an", str(part)], check=True)
        parts.append(part)
    return join(root, "ref", parts)


def counted_frames(path: Path) -> int:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames", "-of", "json", path],
        check=True, capture_output=True, text=True,
    ).stdout
    return int(json.loads(out)["streams"][0]["nb_read_frames"])


def similarity(film: Path, ref: Path) -> tuple[float, float]:
    """(SSIM, PSNR dB) of every frame of `film` against `ref`, averaged by ffmpeg."""
    done = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-i", film, "-i", ref, "-lavfi", "[0:v][1:v]ssim;[0:v][1:v]psnr",
         "-f", "null", "-"],
        check=True, capture_output=True, text=True,
    ).stderr
    ssim = float(done.split("SSIM ")[1].split("All:")[1].split()[0])
    psnr_text = done.split("PSNR ")[1].split("average:")[1].split()[0]
    return ssim, float("inf") if psnr_text == "inf" else float(psnr_text)


def run(label: str, variant: Callable[[Path, list[PreparedShot], int], tuple[list[Stage], Path]],
        root: Path, shots: list[PreparedShot], fps: int, film_s: float, ref: Path) -> float:
    started = time.perf_counter()
    stages, film = variant(root, shots, fps)
    wall = time.perf_counter() - started
    total = sum(stage.cpu_s for stage in stages)
    ssim, psnr = similarity(film, ref)
    expected = sum(shot.frames for shot in shots)
    frames = counted_frames(film)
    print(f"== {label}")
    for stage in stages:
        print(f"  {stage.name:<48} {stage.cpu_s:7.2f} CPU-s  {stage.cpu_s / film_s:.4f} per film second")
    print(f"  {'all':<48} {total:7.2f} CPU-s  {total / film_s:.4f} per film second  (wall {wall:.1f} s)")
    print(f"  film {film.stat().st_size / 2**20:.2f} MiB, {frames} frames (expected {expected}),"
          f" against lossless: SSIM {ssim:.4f}, PSNR {psnr:.2f} dB")
    if frames != expected:
        raise SystemExit(f"{label}: the joined film has {frames} frames, not {expected}")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shots", type=int, default=12)
    parser.add_argument("--shot-s", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="storyreel-one-encode-") as tmp:
        root = Path(tmp)
        shots = prepare(root, args.shots, args.shot_s, args.width, args.height, args.fps)
        film_s = sum(shot.frames for shot in shots) / args.fps
        print(f"{args.shots} shots of {args.shot_s:g} s at {args.width}x{args.height} {args.fps} fps"
              f" ({film_s:.0f} s of film), load before {'/'.join(f'{x:.2f}' for x in os.getloadavg())}")
        ref = reference(root, shots, args.fps)
        two = run("two encodes (today)", two_encodes, root, shots, args.fps, film_s, ref)
        one = run("one encode (the visual service finishes the clip)", one_encode, root, shots, args.fps, film_s, ref)
        print(f"CPU, two encodes / one encode: {two / one:.2f}x")


if __name__ == "__main__":
    main()
