"""Load-test one service over its gRPC contract, alone: calls per second and latency by concurrency.

    python -m bench.load speech                      # starts the audio service here, on loopback
    python -m bench.load visual --concurrency 1 2 4 --seconds 20 --env STORYREEL_VISUAL_BACKEND=simulated
    python -m bench.load composer --address 10.0.0.7:50054 --artifact-root /mnt/artifacts

Targets: planner (Plan a sample story), speech (Audio.Speak one shot's lines), music
(Audio.ComposeMusic a 10 s cue), visual (Visual.RenderShot a 5 s shot), composer (Composer.Compose
a three-shot film at the preview profile). Without --address the service is started here as its
own process (`python -m services.<name>`, as its container runs it) with --env settings, and
stopped at the end. A service elsewhere must share --artifact-root with this machine: requests name
files by key, and the composer's inputs are written there first.

For each concurrency level, that many callers send requests back to back for --seconds (calls in
flight at the end are waited for, each bounded by --timeout); the table gives completed calls,
errors by status code, calls per second, latency percentiles, and throughput against the first
level: how far the service scales with concurrent callers. Outputs go to a few keys per caller,
overwritten, so a long run does not fill the disk.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import grpc

from cli.stack import free_port
from storyreel.artifacts import ArtifactStore
from storyreel.audio.v1 import audio_service_pb2 as audio_pb
from storyreel.audio.v1 import audio_service_pb2_grpc as audio_grpc
from storyreel.composer.v1 import composer_service_pb2 as composer_pb
from storyreel.composer.v1 import composer_service_pb2_grpc as composer_grpc
from storyreel.convert import proto_enum_value, to_proto
from storyreel.domain import Character, Line, Mood, Scene, Shot, ShotType, TimeOfDay, Voice
from storyreel.grpckit import Security, make_channel, wait_serving
from storyreel.media import ffmpeg
from storyreel.planner.v1 import planner_service_pb2 as planner_pb
from storyreel.planner.v1 import planner_service_pb2_grpc as planner_grpc
from storyreel.settings import CommonSettings
from storyreel.storyboard.v1 import storyboard_pb2
from storyreel.visual.v1 import visual_service_pb2 as visual_pb
from storyreel.visual.v1 import visual_service_pb2_grpc as visual_grpc

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_STORY = REPO_ROOT / "samples" / "the_lantern_keeper.txt"
START_TIMEOUT_S = 60.0


class Target(StrEnum):
    PLANNER = "planner"
    SPEECH = "speech"
    MUSIC = "music"
    VISUAL = "visual"
    COMPOSER = "composer"

    @property
    def service(self) -> str:
        """The service (process, container) that answers this target's calls."""
        return "audio" if self in (Target.SPEECH, Target.MUSIC) else self.value


# ------------------------------------------------------------------------------ the requests

MEERA = Character(id="meera", name="Meera", description="an old woman in a white sari", voice=Voice(pitch=70))
SCENE = Scene(id="s01", title="The well", setting="a village well", time_of_day=TimeOfDay.EVENING, mood=Mood.CALM)
SHOT = Shot(
    id="s01_01",
    lines=[
        Line(text="Old Meera drew water from the well as the sun went down behind the hills."),
        Line(text="Hold the lantern high, child, the path is dark tonight.", speaker_id="meera"),
    ],
    visual_prompt="an old woman in a white sari at a village well at dusk, warm light",
    shot_type=ShotType.MEDIUM,
    character_ids=["meera"],
    duration_s=5.0,
)
COMPOSED_SHOTS = 3
SHOT_S = 4.0
KEYS_PER_CALLER = 2
"""Each caller writes its outputs to this many keys in turn (a call never overwrites a file
another call in flight is writing)."""

Call = Callable[[int, int, float], Awaitable[None]]
"""One request: (caller, call number, timeout); raises grpc.aio.AioRpcError when it fails."""


def _key(target: Target, caller: int, number: int, suffix: str) -> str:
    return f"load/{target}/{caller}-{number % KEYS_PER_CALLER}{suffix}"


def _prepare_composer_inputs(store: ArtifactStore) -> composer_pb.ComposeRequest:
    """A clip, a speech track and a music bed under load/inputs/, and a film that uses them."""
    clip, speech, music = "load/inputs/clip.mp4", "load/inputs/speech.wav", "load/inputs/music.wav"
    with store.writing(clip) as path:
        ffmpeg(["-f", "lavfi", "-i", f"testsrc2=s=640x360:r=24:d={SHOT_S}", "-pix_fmt", "yuv420p",
                "-c:v", "libx264", "-preset", "ultrafast", "-f", "mp4", str(path)], timeout_s=60)
    with store.writing(speech) as path:
        ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=22050:duration={SHOT_S * 0.7}",
                "-f", "wav", str(path)], timeout_s=60)
    film_s = COMPOSED_SHOTS * SHOT_S
    with store.writing(music) as path:
        ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=44100:duration={film_s}",
                "-ac", "2", "-f", "wav", str(path)], timeout_s=60)
    shots = [
        composer_pb.TimelineShot(
            shot_id=f"s01_{n:02d}", scene_id="s01", scene_title="The well", clip_key=clip, speech_key=speech,
            duration_s=SHOT_S,
            cues=[composer_pb.SubtitleCue(text="Hold the lantern high: 100% sure.", start_s=0.2, end_s=2.5)],
        )
        for n in range(1, COMPOSED_SHOTS + 1)
    ]
    return composer_pb.ComposeRequest(
        title="Load test", shots=shots, music=[composer_pb.MusicCue(audio_key=music, start_s=0, duration_s=film_s)],
        profile_name=composer_pb.PROFILE_NAME_PREVIEW,
    )


SERVICE_NAMES = {
    "planner": planner_pb.DESCRIPTOR.services_by_name["PlannerService"].full_name,
    "audio": audio_pb.DESCRIPTOR.services_by_name["AudioService"].full_name,
    "visual": visual_pb.DESCRIPTOR.services_by_name["VisualService"].full_name,
    "composer": composer_pb.DESCRIPTOR.services_by_name["ComposerService"].full_name,
}


def make_call(target: Target, channel: grpc.aio.Channel, store: ArtifactStore) -> Call:
    """The target's request, sent on the channel, its outputs named per caller and call."""
    if target is Target.PLANNER:
        planner = planner_grpc.PlannerServiceStub(channel)
        story = SAMPLE_STORY.read_text(encoding="utf-8")

        async def plan(caller: int, number: int, timeout: float) -> None:
            await planner.Plan(planner_pb.PlanRequest(story=story), timeout=timeout)

        return plan
    if target is Target.SPEECH:
        audio = audio_grpc.AudioServiceStub(channel)
        lines = [to_proto(line, storyboard_pb2.Line) for line in SHOT.lines]
        cast = [to_proto(MEERA, storyboard_pb2.Character)]

        async def speak(caller: int, number: int, timeout: float) -> None:
            request = audio_pb.SpeakRequest(shot_id=SHOT.id, lines=lines, characters=cast,
                                            output_key=_key(target, caller, number, ".wav"))
            await audio.Speak(request, timeout=timeout)

        return speak
    if target is Target.MUSIC:
        audio = audio_grpc.AudioServiceStub(channel)

        async def score(caller: int, number: int, timeout: float) -> None:
            request = audio_pb.ComposeMusicRequest(
                scene_id=SCENE.id, mood=proto_enum_value(SCENE.mood, storyboard_pb2.Mood), duration_s=10.0,
                seed=number, output_key=_key(target, caller, number, ".wav"),
            )
            await audio.ComposeMusic(request, timeout=timeout)

        return score
    if target is Target.VISUAL:
        visual = visual_grpc.VisualServiceStub(channel)
        shot = to_proto(SHOT, storyboard_pb2.Shot)
        scene = to_proto(SCENE, storyboard_pb2.Scene)
        looks = [to_proto(MEERA.model_copy(update={"voice": Voice()}), storyboard_pb2.Character)]

        async def render(caller: int, number: int, timeout: float) -> None:
            request = visual_pb.RenderShotRequest(
                shot=shot, scene=scene, characters=looks, width=640, height=360, fps=24, duration_s=SHOT.duration_s,
                output_key=_key(target, caller, number, ".mp4"), keyframe_key=_key(target, caller, number, ".png"),
            )
            await visual.RenderShot(request, timeout=timeout)

        return render
    composer = composer_grpc.ComposerServiceStub(channel)
    film = _prepare_composer_inputs(store)

    async def compose(caller: int, number: int, timeout: float) -> None:
        request = composer_pb.ComposeRequest()
        request.CopyFrom(film)
        request.video_key = _key(target, caller, number, ".mp4")
        request.srt_key = _key(target, caller, number, ".srt")
        await composer.Compose(request, timeout=timeout)

    return compose


# ------------------------------------------------------------------------------ measuring


@dataclass
class Level:
    """What one concurrency level measured."""

    concurrency: int
    wall_s: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    """Of the calls that succeeded."""
    errors: Counter[str] = field(default_factory=Counter)
    """Failed calls by status code."""

    @property
    def calls_per_s(self) -> float:
        return len(self.latencies_s) / self.wall_s if self.wall_s else 0.0

    def percentile_ms(self, percent: int) -> float:
        if not self.latencies_s:
            return float("nan")
        if len(self.latencies_s) == 1:
            return self.latencies_s[0] * 1000
        return statistics.quantiles(self.latencies_s, n=100, method="inclusive")[percent - 1] * 1000


async def measure(call: Call, concurrency: int, seconds: float, timeout_s: float) -> Level:
    """`concurrency` callers send calls back to back until `seconds` pass; the last calls end
    (each within timeout_s) before the level does."""
    level = Level(concurrency)
    started = time.monotonic()
    stop_at = started + seconds

    async def caller(index: int) -> None:
        number = 0
        while time.monotonic() < stop_at:
            sent = time.perf_counter()
            try:
                await call(index, number, timeout_s)
                level.latencies_s.append(time.perf_counter() - sent)
            except grpc.aio.AioRpcError as error:
                level.errors[error.code().name] += 1
            number += 1

    await asyncio.gather(*(caller(index) for index in range(concurrency)))
    level.wall_s = time.monotonic() - started
    return level


def table(levels: list[Level]) -> str:
    rows = [f"{'concurrency':>11} {'calls':>6} {'errors':>7} {'calls/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'max ms':>8} {'vs first':>8}"]
    base = levels[0].calls_per_s if levels else 0.0
    for level in levels:
        errors = sum(level.errors.values())
        worst = max(level.latencies_s, default=float("nan")) * 1000
        ratio = f"{level.calls_per_s / base:.2f}x" if base else "-"
        rows.append(
            f"{level.concurrency:>11} {len(level.latencies_s):>6} {errors:>7} {level.calls_per_s:>8.2f} "
            f"{level.percentile_ms(50):>8.0f} {level.percentile_ms(95):>8.0f} {level.percentile_ms(99):>8.0f} "
            f"{worst:>8.0f} {ratio:>8}"
        )
        if level.errors:
            rows.append(" " * 12 + "errors: " + ", ".join(f"{code} {n}" for code, n in level.errors.most_common()))
    return "\n".join(rows)


# ------------------------------------------------------------------------------ the service


@contextlib.contextmanager
def started_service(service: str, artifact_root: Path, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`python -m services.<service>` on a free loopback port, as its container runs it; its address."""
    address = f"127.0.0.1:{free_port()}"
    environment = {
        **os.environ, "STORYREEL_ARTIFACT_ROOT": str(artifact_root), "PYTHONUNBUFFERED": "1",
        f"STORYREEL_{service.upper()}_ADDRESS": address, **env,
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", f"services.{service}"], env=environment, cwd=REPO_ROOT,
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    try:
        try:
            asyncio.run(wait_serving(address, timeout_s=START_TIMEOUT_S))
        except TimeoutError:
            raise SystemExit(f"the {service} service did not start; see {log_path}") from None
        yield address
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def run_levels(target: Target, address: str, store: ArtifactStore, args: argparse.Namespace) -> list[Level]:
    # the service token and TLS files of this environment, as the gateway would send them
    channel = make_channel(address, SERVICE_NAMES[target.service], Security.from_settings(CommonSettings()))
    try:
        call = make_call(target, channel, store)
        try:
            await call(0, 0, args.timeout)  # one call first: loads models, fills caches
        except grpc.aio.AioRpcError as error:
            raise SystemExit(
                f"the first {target} call failed ({error.code().name}: {error.details()}); is {address} the "
                f"{target.service} service, sharing the artifact root {store.root}?"
            ) from None
        return [await measure(call, n, args.seconds, args.timeout) for n in args.concurrency]
    finally:
        await channel.close()


def run(args: argparse.Namespace) -> list[Level]:
    target = Target(args.target)
    work = Path(tempfile.mkdtemp(prefix=f"storyreel-load-{target}-"))
    root = Path(args.artifact_root or work / "artifacts").resolve()
    store = ArtifactStore(root)
    env = dict(item.split("=", 1) for item in args.env)
    with contextlib.ExitStack() as stack:
        if args.address:
            address, where = args.address, "running"
        else:
            address = stack.enter_context(started_service(target.service, root, env, work / f"{target.service}.log"))
            where = f"started here, log {work / f'{target.service}.log'}"
        if not args.artifact_root:  # ours alone: gone at the end (the service's log stays)
            stack.callback(shutil.rmtree, root, ignore_errors=True)
        print(f"{target} calls to the {target.service} service at {address} ({where})")
        print(f"{args.seconds:g} s per level, {args.timeout:g} s deadline per call, artifacts in {root}")
        levels = asyncio.run(run_levels(target, address, store, args))
    print(table(levels))
    return levels


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("target", choices=[t.value for t in Target], help="which calls to send")
    parser.add_argument("--address", help="host:port of a running service; without it one is started here")
    parser.add_argument("--artifact-root", help="the folder the service reads and writes (shared with it)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4], help="callers at once, per level")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each level sends calls")
    parser.add_argument("--timeout", type=float, default=120.0, help="deadline of one call, seconds")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting for the service started here (repeatable)")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.concurrency) or args.seconds <= 0 or args.timeout <= 0:
        parser.error("concurrency, seconds and timeout must be positive")
    if any("=" not in item for item in args.env):
        parser.error("--env takes KEY=VALUE")
    return args


if __name__ == "__main__":
    run(parse_args())
