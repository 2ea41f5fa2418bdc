"""The visual service's memory over a film's shots: is it flat in film length?

    python -m bench.visual_memory [--shots 120] [--checkpoints 20 60 120] [--size 1280x720] [--compare]
    python -m bench.visual_memory --compare --env MALLOC_ARENA_MAX=2      # every run with that environment
    python -m bench.visual_memory --variant trim:--trim-after-shot        # another variant beside them

Plans a story with the rules planner (default: Treasure Island, as bench/render_bench.py), then, in
a fresh child process per variant, drives the VisualServicer in-process as the gateway does: the
cast sheet first (RenderReference for each character shown), then every shot through RenderShot
with the characters' reference keys, two in flight (the gateway's visual_parallel), at the
storyboard's durations (or --shot-s). A thread samples the RSS of the process and of its ffmpeg
and ffprobe children every 20 ms (a child not yet past exec is skipped: its RSS is the parent's
pages, shared, and counting it would double the parent).

Prints, per batch of shots: the RSS after the batch, the peak of the process tree within the
batch, and that of the process and of the children alone; then per variant the peak of the tree
up to each checkpoint (the peak a film of that many shots would have had: the shots come in the
same order), the growth per shot (least-squares slope of the RSS after each batch, from the
second batch on), and CPU seconds per shot. With --compare the old behaviour (glibc's dynamic
mmap threshold: STORYREEL_VISUAL_MMAP_THRESHOLD_KB=0) runs beside the fixed one, and the ratio
of their peaks is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORY = REPO_ROOT.parent / "shared" / "stories" / "en_long_treasure_island.txt"
IN_FLIGHT = 2
"""RenderShot calls in flight, as the gateway's default STORYREEL_GATEWAY_VISUAL_PARALLEL."""
OLD = "old:STORYREEL_VISUAL_MMAP_THRESHOLD_KB=0"
FIXED = "fixed"
RESULT_PREFIX = "RESULT "


@dataclass
class TreePeak:
    """The peak RSS (bytes) of this process with its exec'd children, and of each part, since the last reset."""

    interval_s: float = 0.02
    tree: int = 0
    own: int = 0
    children: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        threading.Thread(target=self._run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def reset(self) -> dict[str, float]:
        taken = {"tree": self.tree / 2**20, "own": self.own / 2**20, "children": self.children / 2**20}
        self.tree = self.own = self.children = 0
        return taken

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            own = me.memory_info().rss
            children = sum(rss_past_exec(child, me) for child in me.children(recursive=True))
            self.tree, self.own = max(self.tree, own + children), max(self.own, own)
            self.children = max(self.children, children)
            self._stop.wait(self.interval_s)


def rss_past_exec(child: psutil.Process, parent: psutil.Process) -> int:
    """A child's RSS, or 0 while it has not yet exec'd its program: Python starts ffmpeg with
    vfork, and until the exec the child shares its parent's memory and shows the parent's RSS.
    Counted, such a sample doubles the service; the more ffmpeg runs a film has, the likelier a
    sample lands in one, so a tree's peak would seem to grow with film length."""
    try:
        if child.cmdline() == parent.cmdline():  # the same memory, so the same argv
            return 0
        return int(child.memory_info().rss)
    except psutil.Error:
        return 0


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares growth of y per x (0 with fewer than two points)."""
    if len(points) < 2:
        return 0.0
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0


def cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# --------------------------------------------------------------------------- the child: one variant


def child(args: argparse.Namespace) -> None:
    from services.planner.backends.rules import RulesPlanner
    from services.visual.backends import make_backend
    from services.visual.servicer import VisualServicer
    from services.visual.settings import VisualSettings
    from storyreel.artifacts import ArtifactStore
    from storyreel.convert import to_proto
    from storyreel.storyboard.v1 import storyboard_pb2
    from storyreel.visual.v1 import visual_service_pb2 as visual_pb

    storyboard = RulesPlanner().plan(args.story.read_text(encoding="utf-8"), "", None, args.max_minutes).storyboard
    pairs = [(shot, scene) for scene in storyboard.scenes for shot in scene.shots]
    width, height = (int(side) for side in args.size.split("x"))
    libc = ctypes.CDLL("libc.so.6") if args.trim_after_shot else None
    shown = {cid for shot, _ in pairs for cid in shot.character_ids}
    peaks = TreePeak()

    async def run(root: Path) -> dict[str, object]:
        settings = VisualSettings.model_validate({"STORYREEL_ARTIFACT_ROOT": str(root)})
        servicer = VisualServicer(settings, make_backend(settings), ArtifactStore.from_settings(settings))
        cast = {}
        for character in storyboard.characters:
            if character.id in shown:
                key = f"cast/{character.id}.png"
                request = visual_pb.RenderReferenceRequest(
                    character=to_proto(character, storyboard_pb2.Character), output_key=key
                )
                await servicer.RenderReference(request, None)
                cast[character.id] = key
        print(f"  cast sheet: {len(cast)} pictures, peak {peaks.reset()['tree']:.0f} MiB", flush=True)

        def shot_request(index: int) -> visual_pb.RenderShotRequest:
            shot, scene = pairs[index % len(pairs)]
            return visual_pb.RenderShotRequest(
                shot=to_proto(shot, storyboard_pb2.Shot),
                scene=to_proto(scene.model_copy(update={"shots": []}), storyboard_pb2.Scene),
                characters=[to_proto(c, storyboard_pb2.Character) for c in storyboard.characters
                            if c.id in shot.character_ids],
                width=width, height=height, fps=args.fps, duration_s=args.shot_s or shot.duration_s,
                output_key=f"clips/{index}.mp4", keyframe_key=f"keyframes/{index}.png",
                character_reference_keys={cid: cast[cid] for cid in shot.character_ids if cid in cast},
            )  # fmt: skip

        slots, done, film_s = asyncio.Semaphore(IN_FLIGHT), [0], [0.0]
        after: list[tuple[int, float]] = []  # (shots done, RSS MiB after the batch)
        batch_peaks: list[float] = []
        started, cpu_before = time.perf_counter(), cpu_s()

        async def one(index: int) -> None:
            async with slots:
                reply = await servicer.RenderShot(shot_request(index), None)
            film_s[0] += reply.duration_s
            for made in (f"clips/{index}.mp4", f"keyframes/{index}.png"):  # a long film would fill the disk
                (root / made).unlink()
            if libc is not None:
                libc.malloc_trim(0)
            done[0] += 1
            if done[0] % args.batch == 0 or done[0] == args.shots:
                rss = psutil.Process().memory_info().rss / 2**20
                peak = peaks.reset()
                after.append((done[0], rss))
                batch_peaks.append(peak["tree"])
                print(
                    f"  {done[0]:4d} shots  rss {rss:5.0f} MiB  batch peak: tree {peak['tree']:5.0f}"
                    f"  process {peak['own']:5.0f}  children {peak['children']:4.0f} MiB",
                    flush=True,
                )

        await asyncio.gather(*(one(index) for index in range(args.shots)))
        per_batch = max(1, args.batch)
        return {
            "peak_at": {str(n): max(batch_peaks[: -(-n // per_batch)]) for n in args.checkpoints if n <= args.shots},
            "rss_end_mib": after[-1][1],
            "growth_mib_per_shot": slope(after[1:]),
            "cpu_s_per_shot": (cpu_s() - cpu_before) / args.shots,
            "wall_s": time.perf_counter() - started,
            "film_s": film_s[0],
        }

    peaks.start()
    with tempfile.TemporaryDirectory(prefix="visual-memory-") as root:
        result = asyncio.run(run(Path(root)))
    peaks.stop()
    print(RESULT_PREFIX + json.dumps(result), flush=True)


# --------------------------------------------------------------------------- the parent: the variants


def run_variant(variant: str, args: argparse.Namespace) -> dict[str, object]:
    """variant: NAME or NAME:KEY=VALUE,... (environment) or NAME:--flag (a flag of the child)."""
    name, _, extra = variant.partition(":")
    env = {**os.environ, **dict(item.split("=", 1) for item in args.env)}
    flags = []
    for item in filter(None, extra.split(",")):
        if item.startswith("--"):
            flags.append(item)
        else:
            key, _, value = item.partition("=")
            env[key] = value
    argv = [
        sys.executable, "-m", "bench.visual_memory", "--child", "--story", str(args.story),
        "--max-minutes", str(args.max_minutes), "--shots", str(args.shots), "--batch", str(args.batch),
        "--size", args.size, "--fps", str(args.fps), "--shot-s", str(args.shot_s),
        "--checkpoints", *map(str, args.checkpoints), *flags,
    ]  # fmt: skip
    print(f"{name}: {extra or 'this checkout as it is'}", flush=True)
    process = subprocess.Popen(argv, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    result: dict[str, object] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
        else:
            print(line, end="", flush=True)
    if process.wait() != 0 or not result:
        raise SystemExit(f"the {name} run failed (exit {process.returncode})")
    return {"name": name, **result}


def report(results: list[dict[str, object]], checkpoints: list[int]) -> None:
    heads = "".join(f"  peak@{n:<4}" for n in checkpoints)
    print(f"\n{'variant':<10}{heads}  rss end  growth/shot  CPU s/shot  wall s  film s")
    for result in results:
        peak_at = result["peak_at"]
        assert isinstance(peak_at, dict)
        cells = "".join(f"  {peak_at.get(str(n), float('nan')):6.0f} MiB" for n in checkpoints)
        print(
            f"{result['name']:<10}{cells}  {result['rss_end_mib']:4.0f} MiB  {result['growth_mib_per_shot']:+7.2f} MiB"
            f"  {result['cpu_s_per_shot']:10.2f}  {result['wall_s']:6.0f}  {result['film_s']:6.0f}"
        )
    fixed = next((r for r in results if r["name"] == FIXED), None)
    for other in results:
        if fixed is None or other is fixed:
            continue
        old_peaks, new_peaks = other["peak_at"], fixed["peak_at"]
        assert isinstance(old_peaks, dict) and isinstance(new_peaks, dict)
        ratios = ", ".join(f"{n} shots {old_peaks[n] / new_peaks[n]:.2f}x" for n in new_peaks if n in old_peaks)
        print(f"peak of the tree, {other['name']} / {FIXED}: {ratios}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--story", type=Path, default=DEFAULT_STORY)
    parser.add_argument("--max-minutes", type=float, default=60.0, help="the planner's cap (shots cycle if fewer)")
    parser.add_argument("--shots", type=int, default=120)
    parser.add_argument("--checkpoints", type=int, nargs="+", default=[20, 60, 120])
    parser.add_argument("--batch", type=int, default=10, help="shots between two RSS lines")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--fps", type=int, default=24)
    parser.add_argument("--shot-s", type=float, default=0.0, help="every shot this long (0: the storyboard's)")
    parser.add_argument("--compare", action="store_true", help=f"also the old behaviour ({OLD})")
    parser.add_argument("--variant", action="append", default=[], help="NAME[:KEY=VALUE,...|:--flag], repeatable")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for every variant")
    parser.add_argument("--trim-after-shot", action="store_true", help="malloc_trim(0) after each shot (glibc)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    variants = [FIXED, *([OLD] if args.compare else []), *args.variant]
    report([run_variant(variant, args) for variant in variants], args.checkpoints)


if __name__ == "__main__":
    main()
