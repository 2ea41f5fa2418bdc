"""Render a story through the whole local stack and print how fast, and how big, it was.

    python -m bench.render_bench [STORY] [--max-minutes 5 20 60] [--profile 720p] [--env KEY=VALUE]
    python -m bench.render_bench STORY --max-minutes 5 --compare-with /tmp/base   # old code, same run

Prints per film: film seconds, wall seconds (from submit to finished film; the stack's start is
shown apart), their ratio, when each step finished, the CPU seconds of each process tree (every
service with the ffmpeg/espeak-ng/fluidsynth children it ran), the animatic's drawing and
encoding time (summed from the visual service's log), the peak memory of all storyreel processes
together and of each tree (sampled every 50 ms), the disk the work folder holds (clips, keyframes,
speech, film) and the machine's load average before and after (the cores may be shared).
The work folder (1.5-2.5 GB for an hour's film) is removed once measured; `--keep-work` keeps it,
and a failed render keeps it for its logs.
`--compare-with DIR` first renders the same films with the code in DIR (e.g. `git archive OLD |
tar -x -C DIR`) in a child process, then with this checkout, so both are measured in one run.
Default story: ../shared/stories/en_aesop_fables.txt (about a 3-minute film).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from bench.visual_memory import rss_past_exec
from cli.client import GatewayClient
from cli.main import read_story
from cli.stack import LocalStack

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORY = REPO_ROOT.parent / "shared" / "stories" / "en_aesop_fables.txt"
STEPS = ("planning", "speech", "visuals", "music", "composing")
TREES = ("planner", "audio", "visual", "composer", "gateway")


class PeakMemory:
    """Samples the summed RSS of a set of processes and all their descendants (and each tree's own peak)."""

    def __init__(self, pids: dict[str, int], interval_s: float = 0.25) -> None:
        # A sample costs about 4 ms of CPU (7 ms before it read the process table once): every 50 ms
        # that was 7% of a core taken from the film. Every ffmpeg run lives a second or more, so four
        # samples a second still see each one.
        self.pids, self.interval_s, self.peak_bytes = pids, interval_s, 0
        self.tree_peaks: dict[str, int] = dict.fromkeys(pids, 0)
        self.cpu_s = 0.0
        """The sampler's own CPU time: taken from the same two cores the film is made on."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> int:
        # One pass over the process table for every tree: psutil's children(recursive=True) reads
        # every process's parent on each call, once per tree.
        children: dict[int, list[int]] = {}
        for process in psutil.process_iter(["ppid"]):
            children.setdefault(process.info["ppid"], []).append(process.pid)
        total = 0
        for name, pid in self.pids.items():
            tree = 0
            try:
                root = psutil.Process(pid)
                tree += root.memory_info().rss
                tree += sum(_child_rss(child, root) for child in descendants(children, pid))
            except psutil.Error:
                pass
            self.tree_peaks[name] = max(self.tree_peaks[name], tree)
            total += tree
        return total

    def _run(self) -> None:
        while True:  # at least one sample, however soon it is stopped
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self.cpu_s = time.thread_time()
            if self._stop.wait(self.interval_s):
                return


def _child_rss(pid: int, root: psutil.Process) -> int:
    try:
        return rss_past_exec(psutil.Process(pid), root)
    except psutil.Error:  # it ended between the process table and now
        return 0


def descendants(children: dict[int, list[int]], pid: int) -> list[int]:
    """Every process below pid in a parent -> children map."""
    found, waiting = [], list(children.get(pid, []))
    while waiting:
        child = waiting.pop()
        found.append(child)
        waiting.extend(children.get(child, []))
    return found


def _own_cpu_s() -> float:
    """This process's CPU time, not its children's (a --compare-with child has ended by now)."""
    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


def cpu_seconds(pid: int) -> float:
    """CPU time of a process and of the children it has waited for (ffmpeg runs and the like)."""
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    return float(times.user + times.system + times.children_user + times.children_system)


def follow(client: GatewayClient, job_id: str) -> tuple[dict[str, object], dict[str, float]]:
    """Poll twice a second until finished; note when each step completed (seconds after submit)."""
    started, finished_at = time.perf_counter(), {}
    while True:
        job = client.job(job_id)
        for step, counts in job["steps"].items():
            if step not in finished_at and counts["total"] and counts["done"] >= counts["total"]:
                finished_at[step] = time.perf_counter() - started
        if job["state"] in ("done", "failed"):
            return job, finished_at
        time.sleep(0.5)  # each poll costs the gateway a job view: faster polling shows up in its CPU


def animatic_times(log: Path) -> tuple[int, float, float]:
    """(shots, drawing s, encoding s) summed from the visual service's 'rendered shot' lines."""
    shots, draw_ms, encode_ms = 0, 0.0, 0.0
    for line in log.read_text("utf-8", errors="replace").splitlines() if log.exists() else []:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "draw_ms" in record and "encode_ms" in record:
            shots, draw_ms, encode_ms = shots + 1, draw_ms + record["draw_ms"], encode_ms + record["encode_ms"]
    return shots, draw_ms / 1000, encode_ms / 1000


def disk_bytes(folder: Path) -> dict[str, int]:
    """Bytes under the work folder by kind of file."""
    kinds: dict[str, int] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            kind = {".mp4": "mp4", ".png": "png", ".wav": "wav"}.get(path.suffix, "other")
            kinds[kind] = kinds.get(kind, 0) + path.stat().st_size
    return kinds


@dataclass
class Result:
    label: str
    story: str
    max_minutes: float
    film_s: float
    wall_s: float
    startup_s: float
    peak_mib: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    finished_at: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)
    tree_peak_mib: dict[str, float] = field(default_factory=dict)
    animatic: tuple[int, float, float] = (0, 0.0, 0.0)
    disk_mib: dict[str, float] = field(default_factory=dict)
    seconds_per_item: dict[str, float | None] = field(default_factory=dict)
    """The job view's measured rate per step (composing: per second of film): what the ETA uses."""
    shots: int = 0
    bench_cpu_s: float = 0.0
    """This script's own CPU while the film was made (polling the job, sampling memory): not storyreel's,
    but taken from the same cores."""
    sampler_cpu_s: float = 0.0

    @property
    def last_shot_to_film_s(self) -> float:
        """From the last shot rendered to the finished film (to the 0.5 s the job is polled at)."""
        return self.wall_s - self.finished_at.get("visuals", float("nan"))


def render_once(label: str, story_path: Path, max_minutes: float, profile: str, env: dict[str, str],
                keep_work: bool = False) -> Result:
    story = read_story(story_path)
    work_dir = Path(tempfile.mkdtemp(prefix="storyreel-bench-"))
    stack = LocalStack(work_dir=work_dir, extra_env=env)
    t0 = time.perf_counter()
    stack.start()
    startup_s = time.perf_counter() - t0
    client = GatewayClient(stack.gateway_url)
    pids = {process.name: process.popen.pid for process in stack.processes}
    load_before = os.getloadavg()
    try:
        cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        own_before = _own_cpu_s()
        with PeakMemory(pids) as memory:
            t0 = time.perf_counter()
            job_id = client.submit(story, max_minutes=max_minutes or None, profile=profile)
            job, finished_at = follow(client, job_id)
            wall_s = time.perf_counter() - t0
        cpu = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
        own_cpu_s = _own_cpu_s() - own_before
    finally:
        client.close()
        stack.stop()
    if job["state"] != "done":
        raise SystemExit(f"render failed: {job['error']} (logs in {work_dir / 'logs'})")
    result = Result(
        label=label,
        story=story_path.name,
        max_minutes=max_minutes,
        film_s=float(job["duration_s"]),  # type: ignore[arg-type]
        wall_s=wall_s,
        startup_s=startup_s,
        peak_mib=memory.peak_bytes / 2**20,
        load_before=load_before,
        load_after=os.getloadavg(),
        finished_at=finished_at,
        cpu_s=cpu,
        tree_peak_mib={name: peak / 2**20 for name, peak in memory.tree_peaks.items()},
        animatic=animatic_times(work_dir / "logs" / "visual.log"),
        disk_mib={kind: size / 2**20 for kind, size in disk_bytes(work_dir).items()},
        seconds_per_item={step: counts.get("seconds_per_item") for step, counts in job["steps"].items()},  # type: ignore[attr-defined]
        shots=len(job["shots"]),  # type: ignore[arg-type]
        bench_cpu_s=own_cpu_s,
        sampler_cpu_s=memory.cpu_s,
    )
    if keep_work:
        print(f"work folder kept: {work_dir}", flush=True)
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return result


def report(result: Result) -> str:
    load = "/".join(f"{value:.2f}" for value in result.load_before)
    load_after = "/".join(f"{value:.2f}" for value in result.load_after)
    shots, draw_s, encode_s = result.animatic
    lines = [
        f"== {result.label}: {result.story}, max {result.max_minutes:g} min",
        f"load (1/5/15 min) before {load}, after {load_after}",
        f"stack start    {result.startup_s:7.1f} s",
        f"film           {result.film_s:7.1f} s ({result.shots} shots)",
        f"wall           {result.wall_s:7.1f} s",
        f"film / wall    {result.film_s / result.wall_s:7.2f}x real time",
        f"peak memory    {result.peak_mib:7.0f} MiB (all processes together)",
        f"CPU            {sum(result.cpu_s.values()):7.1f} s (all processes together)",
    ]
    for name in TREES:
        cpu, peak = result.cpu_s.get(name, 0.0), result.tree_peak_mib.get(name, 0.0)
        lines.append(f"  {name:<11}  cpu {cpu:7.1f} s   peak {peak:6.0f} MiB")
    lines.append(f"  (this bench  cpu {result.bench_cpu_s:7.1f} s, its memory sampler {result.sampler_cpu_s:.1f} s:"
                 " not counted above)")
    lines.append(f"  animatic     {shots} shots: drawing {draw_s:.1f} s, encoding {encode_s:.1f} s (wall, summed)")
    for step in STEPS:
        rate = result.seconds_per_item.get(step)
        lines.append(
            f"  {step:<11}  done at {result.finished_at.get(step, float('nan')):7.1f} s"
            + (f"   {rate:.3f} s per {'film second' if step == 'composing' else 'item'}" if rate is not None else "")
        )
    lines.append(f"last shot to film {result.last_shot_to_film_s:5.1f} s")
    lines.append("disk           " + ", ".join(f"{k} {v:.0f} MiB" for k, v in sorted(result.disk_mib.items())))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("story", type=Path, nargs="?", default=DEFAULT_STORY)
    parser.add_argument("--max-minutes", type=float, nargs="+", default=[0.0], help="one film per value; 0: no cap")
    parser.add_argument("--profile", default="720p")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="a setting for every process")
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--compare-with", type=Path, metavar="DIR", help="first render with the code in DIR")
    parser.add_argument("--keep-work", action="store_true", help="keep each film's work folder (logs, clips, film)")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # a child's results, for --compare-with
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    story = args.story.resolve()
    baseline: list[Result] = []
    if args.compare_with:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            # this script, importing the other checkout's code (and its stack running it)
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                str(story),
                "--profile",
                args.profile,
                "--label",
                f"baseline ({args.compare_with})",
                "--json",
                out.name,
                "--max-minutes",
                *map(str, args.max_minutes),
                *(f"--env={item}" for item in args.env),
                *(["--keep-work"] if args.keep_work else []),
            ]
            child_env = {**os.environ, "PYTHONPATH": str(args.compare_with.resolve())}
            subprocess.run(command, cwd=args.compare_with, env=child_env, check=True)
            baseline = [Result(**record) for record in json.loads(Path(out.name).read_text())]
    results = []
    for minutes in args.max_minutes:
        result = render_once(args.label, story, minutes, args.profile, env, args.keep_work)
        results.append(result)
        print(report(result), flush=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(result) for result in results]))
    for old, new in zip(baseline, results, strict=False):
        print(
            f"-- max {new.max_minutes:g} min: wall {old.wall_s:.1f} -> {new.wall_s:.1f} s"
            f" ({old.wall_s / new.wall_s:.2f}x), CPU {sum(old.cpu_s.values()):.0f} -> {sum(new.cpu_s.values()):.0f} s,"
            f" peak {old.peak_mib:.0f} -> {new.peak_mib:.0f} MiB"
        )


if __name__ == "__main__":
    main()
