"""Render a story through the whole local stack and print how fast, and how big, it was.

    python -m bench.render_bench [STORY] [--work-dir DIR]

Prints: film seconds, wall seconds (from submit to finished film; the stack's start is shown
apart), their ratio, each step's wall time, and the peak memory of all storyreel processes
together (services, gateway and the ffmpeg/espeak-ng/fluidsynth children they run), sampled
every 50 ms. Default story: ../shared/stories/en_aesop_fables.txt (about a 3-minute film).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import psutil

from cli.client import GatewayClient
from cli.main import read_story
from cli.stack import LocalStack

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORY = REPO_ROOT.parent / "shared" / "stories" / "en_aesop_fables.txt"
STEPS = ("planning", "speech", "visuals", "music", "composing")


class PeakMemory:
    """Samples the summed RSS of a set of processes and all their descendants."""

    def __init__(self, pids: list[int], interval_s: float = 0.05) -> None:
        self.pids, self.interval_s, self.peak_bytes = pids, interval_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> int:
        total = 0
        for pid in self.pids:
            try:
                root = psutil.Process(pid)
                for process in (root, *root.children(recursive=True)):
                    total += process.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self._sample())
            self._stop.wait(self.interval_s)


def follow(client: GatewayClient, job_id: str) -> tuple[dict[str, object], dict[str, float]]:
    """Poll until finished; note when each step completed (seconds after submit)."""
    started, finished_at = time.perf_counter(), {}
    while True:
        job = client.job(job_id)
        for step, counts in job["steps"].items():
            if step not in finished_at and counts["total"] and counts["done"] >= counts["total"]:
                finished_at[step] = time.perf_counter() - started
        if job["state"] in ("done", "failed"):
            return job, finished_at
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("story", type=Path, nargs="?", default=DEFAULT_STORY)
    parser.add_argument("--work-dir", type=Path, help="default: a fresh temporary folder")
    args = parser.parse_args()
    story = read_story(args.story)
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="storyreel-bench-"))

    stack = LocalStack(work_dir=work_dir)
    t0 = time.perf_counter()
    stack.start()
    startup_s = time.perf_counter() - t0
    client = GatewayClient(stack.gateway_url)
    try:
        with PeakMemory([p.popen.pid for p in stack.processes]) as memory:
            t0 = time.perf_counter()
            job_id = client.submit(story)
            job, finished_at = follow(client, job_id)
            wall_s = time.perf_counter() - t0
    finally:
        client.close()
        stack.stop()
    if job["state"] != "done":
        raise SystemExit(f"render failed: {job['error']}")
    film_s = float(job["duration_s"])  # type: ignore[arg-type]
    print(f"story          {args.story.name} ({len(story.split())} words)")
    print(f"stack start    {startup_s:6.1f} s")
    print(f"film           {film_s:6.1f} s")
    print(f"wall           {wall_s:6.1f} s")
    print(f"film / wall    {film_s / wall_s:6.2f}x real time")
    print(f"peak memory    {memory.peak_bytes / 2**20:6.0f} MiB (all processes together)")
    for step in STEPS:
        print(f"  {step:<11}  done at {finished_at.get(step, float('nan')):6.1f} s")


if __name__ == "__main__":
    main()
