"""Benchmark of the visual service: render a film's worth of shots over real gRPC.

    python -m bench.visual_bench --shots 30 --shot-s 6 --width 1280 --height 720 --fps 24

starts the service in-process on a free loopback port, sends every shot at once (the service
works on `--concurrency` of them at a time, as it would for the gateway), and prints film
seconds, wall seconds, CPU seconds per film second and peak memory. The shots cycle through
places, times of day, weather, shot types and camera moves, so every code path is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import resource
import tempfile
import time
from pathlib import Path

from services.visual.server import SERVICE_NAME, build_specs
from services.visual.settings import VisualSettings
from storyreel.convert import to_proto
from storyreel.domain import Character, Scene, Shot, ShotType, TimeOfDay, Weather
from storyreel.grpckit import make_channel, start_server
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2, visual_service_pb2_grpc

SETTINGS = (
    "a village by the river",
    "the forest",
    "the sea shore",
    "the mountains",
    "a city street",
    "inside the kitchen",
    "the desert",
    "a wheat field",
    "the palace",
    "the bazaar",
)
CAST = [
    Character(id="meera", name="Meera", description="an old woman in a white sari"),
    Character(id="arjun", name="Arjun", description="a thin boy of ten in a red scarf"),
]


def requests(
    shots: int, shot_s: float, width: int, height: int, fps: int
) -> list[visual_service_pb2.RenderShotRequest]:
    variety = zip(
        itertools.cycle(SETTINGS),
        itertools.cycle(TimeOfDay),
        itertools.cycle((Weather.CLEAR, Weather.RAIN)),
        itertools.cycle(ShotType),
        range(shots),
        strict=False,
    )
    made = []
    for setting, time_of_day, weather, shot_type, index in variety:
        scene = Scene(id=f"s{index // 4:02d}", setting=setting, time_of_day=time_of_day, weather=weather)
        shot = Shot(
            id=f"s{index:03d}",
            shot_type=shot_type,
            seed=index,
            character_ids=["meera", "arjun"][: index % 3],
            visual_prompt="Meera carried the lantern",
        )
        made.append(
            visual_service_pb2.RenderShotRequest(
                shot=to_proto(shot, storyboard_pb2.Shot),
                scene=to_proto(scene, storyboard_pb2.Scene),
                characters=[to_proto(c, storyboard_pb2.Character) for c in CAST],
                width=width,
                height=height,
                fps=fps,
                duration_s=shot_s,
                output_key=f"clips/{shot.id}.mp4",
                keyframe_key=f"keyframes/{shot.id}.png",
            )
        )
    return made


async def bench(args: argparse.Namespace, root: Path) -> None:
    settings = VisualSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(root), "concurrency": args.concurrency})
    running = await start_server(build_specs(settings), "127.0.0.1:0")
    try:
        async with make_channel(f"127.0.0.1:{running.port}", SERVICE_NAME) as channel:
            stub = visual_service_pb2_grpc.VisualServiceStub(channel)
            batch = requests(args.shots, args.shot_s, args.width, args.height, args.fps)
            started, cpu_before = time.perf_counter(), _cpu_s()
            replies = await asyncio.gather(*(stub.RenderShot(request, timeout=600) for request in batch))
            wall, cpu = time.perf_counter() - started, _cpu_s() - cpu_before
    finally:
        await running.stop(0)
    film = sum(reply.duration_s for reply in replies)
    print(
        f"film {film:.1f} s  wall {wall:.2f} s  wall/film {wall / film:.3f}  CPU {cpu:.1f} s  "
        f"CPU per film second {cpu / film:.3f} s  peak RSS: service {_peak_mib('self'):.0f} MiB, "
        f"ffmpeg {_peak_mib('children'):.0f} MiB"
    )


def _cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _peak_mib(who: str) -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN)
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shots", type=int, default=30)
    parser.add_argument("--shot-s", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="visual-bench-") as root:
        asyncio.run(bench(args, Path(root)))


if __name__ == "__main__":
    main()
