"""Benchmarks of the visual service.

python -m bench.visual_bench --shots 30 --shot-s 6 --width 1280 --height 720 --fps 24
    the service over real gRPC: starts it in-process on a free loopback port, sends every shot
    at once (it works on `--concurrency` at a time, as for the gateway), and prints film
    seconds, wall seconds, CPU seconds per film second and peak memory. The shots cycle
    through places, times of day, weather, shot types and camera moves.
python -m bench.visual_bench --mode shot [--grain 6 --letterbox]
    seconds to render one 6 s 720p animatic shot, for each camera move (goal: under 2 s).
python -m bench.visual_bench --mode comfyui [--comfyui-url URL] --shots 5
    the ComfyUI client's overhead per shot against the weightless smoke workflows on a real
    ComfyUI (the one scripts/setup_comfyui.sh installed is started when no URL is given):
    a run's wall time (upload, submit, websocket, history, /view download) minus the time
    ComfyUI itself spent executing (from the history's execution_start/execution_success).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import resource
import statistics
import tempfile
import time
from pathlib import Path

from services.visual.backends import RenderSpec, make_backend
from services.visual.backends.animatic.keyframe import draw_keyframe
from services.visual.backends.comfyui.client import ComfyClient
from services.visual.backends.comfyui.workflow import Role, load_workflow
from services.visual.server import SERVICE_NAME, build_specs
from services.visual.settings import VisualBackend, VisualSettings
from storyreel.convert import to_proto
from storyreel.domain import CameraMove, Character, Scene, Shot, ShotType, TimeOfDay, Weather
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
REPO_ROOT = Path(__file__).resolve().parent.parent
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


def one_shot(args: argparse.Namespace, root: Path) -> None:
    """Render one shot per camera move in-process and print the seconds each took."""
    settings = VisualSettings(film_grain=args.grain, letterbox=args.letterbox)
    renderer = make_backend(settings, VisualBackend.ANIMATIC)
    scene = Scene(id="s01", setting="a village by the river", time_of_day=TimeOfDay.EVENING)
    for move in CameraMove:
        shot = Shot(id=f"s01_{move.value}", camera=move, shot_type=ShotType.MEDIUM, character_ids=["meera"], seed=1)
        spec = RenderSpec(args.width, args.height, args.fps, args.shot_s, root / f"{move}.mp4", root / f"{move}.png")
        started, cpu_before = time.perf_counter(), _cpu_s()
        renderer.render(shot, scene, CAST, spec)
        print(
            f"{move.value:9s} {args.shot_s:g} s {args.width}x{args.height}: "
            f"wall {time.perf_counter() - started:.2f} s  CPU {_cpu_s() - cpu_before:.2f} s"
        )


def comfy_overhead(args: argparse.Namespace, root: Path) -> None:
    """Client overhead per run, and whole shots through the ComfyUI backend, on the smoke workflows."""
    from tests.comfyui import real_comfy  # the bench reuses the tests' launcher of the installed ComfyUI

    server = None
    if not args.comfyui_url:
        reason = real_comfy.missing_install()
        if reason:
            raise SystemExit(reason)
        server = real_comfy.start(root / "comfyui-base")
        print(f"started ComfyUI in {server.started_in_s:.1f} s")
    url = args.comfyui_url or (server.url if server else "")
    try:
        _client_runs(url, args.shots, root)
        _backend_shots(url, args, root)
    finally:
        if server:
            real_comfy.stop(server)


def _client_runs(url: str, runs: int, root: Path) -> None:
    smoke = REPO_ROOT / "comfy_workflows" / "smoke"
    workflow = load_workflow(smoke / "smoke_i2v.json", Role.ANIMATE)
    picture = root / "init.png"
    draw_keyframe(Shot(id="k"), Scene(id="s"), [], 512, 288).image.save(picture)
    overheads = []
    with ComfyClient(url) as client:
        for index in range(runs):
            started = time.perf_counter()
            graph = workflow.filled(
                {
                    "$init_image": client.upload_image(picture, f"bench{index}.png"),
                    "$seed": index + 1,
                    "$output": "storyreel/bench",
                }
            )
            outputs = client.run(workflow.name, graph, time.monotonic() + 300)
            client.download(outputs[0], root / f"bench{index}.mp4")
            wall = time.perf_counter() - started
            executing = _execution_s(client, outputs[0].prompt_id)
            overheads.append(wall - executing)
            print(
                f"run {index + 1}: wall {wall * 1000:.0f} ms, ComfyUI executing {executing * 1000:.0f} ms, "
                f"client overhead {(wall - executing) * 1000:.0f} ms"
            )
    print(f"client overhead per run: median {statistics.median(overheads) * 1000:.0f} ms")


def _execution_s(client: ComfyClient, prompt_id: str) -> float:
    """Seconds ComfyUI spent executing the prompt: from its execution_start to its execution_success."""
    entry = client.history(prompt_id) or {}
    stamps = {kind: data.get("timestamp", 0) for kind, data in entry["status"]["messages"]}
    return float(stamps["execution_success"] - stamps["execution_start"]) / 1000


def _backend_shots(url: str, args: argparse.Namespace, root: Path) -> None:
    settings = VisualSettings.model_validate(
        {
            "comfyui_url": url,
            "comfyui_workflow_dir": str(REPO_ROOT / "comfy_workflows" / "smoke"),
            "comfyui_keyframe_workflow": "smoke_keyframe.json",
            "comfyui_keyframe_img2img_workflow": "",
            "comfyui_animate_workflow": "smoke_i2v.json",
        }
    )
    renderer = make_backend(settings, VisualBackend.COMFYUI)
    for index in range(2):
        spec = RenderSpec(
            args.width, args.height, args.fps, args.shot_s, root / f"c{index}.mp4", root / f"c{index}.png"
        )
        started = time.perf_counter()
        result = renderer.render(Shot(id=f"c{index}", seed=index), Scene(id="s"), [], spec)
        print(
            f"ComfyUI backend, smoke workflows: {args.shot_s:g} s {args.width}x{args.height} shot "
            f"({result.frame_count} frames) in {time.perf_counter() - started:.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mode", choices=("service", "shot", "comfyui"), default="service")
    parser.add_argument("--comfyui-url", default="", help="a running ComfyUI (default: start the installed one)")
    parser.add_argument("--grain", type=int, default=0, help="--mode shot: film grain strength")
    parser.add_argument("--letterbox", action="store_true", help="--mode shot: 2.39:1 bars")
    parser.add_argument("--shots", type=int, default=30)
    parser.add_argument("--shot-s", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="visual-bench-") as root:
        if args.mode == "shot":
            one_shot(args, Path(root))
        elif args.mode == "comfyui":
            comfy_overhead(args, Path(root))
        else:
            asyncio.run(bench(args, Path(root)))


if __name__ == "__main__":
    main()
