"""Scale-out of the visual service, measured without GPUs.

    python -m bench.scale_bench [--replicas 1 2 4] [--render-s 2] [--shots 40]

For each replica count it starts the whole stack on loopback with that many visual services,
each running the `simulated` backend (a fixed wait per shot that uses no CPU, standing in for a
GPU render, one shot at a time per replica), renders a storyboard of --shots shots through the
gateway, and prints the visual step's wall time (first shot started to last shot finished, from
the replicas' logs), the speedup over one replica, the whole job's wall time, and each replica's
idle time within the visual step. Goal: speedup >= 0.9 x N for N <= 4.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cli.client import GatewayClient
from cli.stack import LocalStack

RENDERED = "rendered the shot"


def synthetic_story(shots: int) -> str:
    """One 25-word sentence per paragraph: about 10 s of speech, so the planner gives each its own shot."""
    middle = "the old boat drifted slowly past the quiet village while lanterns glowed along the river bank and"
    sentences = [f"Sentence {i + 1} says that {middle} night fell." for i in range(shots)]
    return "Scale test\n\n" + "\n\n".join(sentences)


@dataclass
class ReplicaLog:
    spans: list[tuple[float, float]]
    """(start, end) of each shot's render alone (not its wait for a slot), epoch seconds."""

    @property
    def busy_s(self) -> float:
        return sum(end - start for start, end in self.spans)


def read_replica(log: Path) -> ReplicaLog:
    spans = []
    for line in log.read_text().splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("msg") == RENDERED:
            end = datetime.fromisoformat(entry["ts"].replace("Z", "+00:00")).timestamp()
            spans.append((end - entry["render_ms"] / 1000, end))
    return ReplicaLog(spans)


def run(replicas: int, render_s: float, story: str) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"storyreel-scale-{replicas}-"))
    stack = LocalStack(
        work_dir=work,
        visual_replicas=replicas,
        extra_env={
            "STORYREEL_VISUAL_BACKEND": "simulated",
            "STORYREEL_VISUAL_SIMULATED_RENDER_S": str(render_s),
            "STORYREEL_VISUAL_CONCURRENCY": "1",  # one GPU per replica: one shot at a time
            "STORYREEL_GATEWAY_VISUAL_PARALLEL": "64",  # the gateway never holds shots back
            "STORYREEL_GATEWAY_WIDTH": "320",
            "STORYREEL_GATEWAY_HEIGHT": "180",
        },
    )
    stack.start()
    client = GatewayClient(stack.gateway_url)
    try:
        started = time.perf_counter()
        job_id = client.submit(story)
        while (job := client.job(job_id))["state"] not in ("done", "failed"):
            time.sleep(0.2)
        job_s = time.perf_counter() - started
    finally:
        client.close()
        stack.stop()
    if job["state"] != "done":
        raise SystemExit(f"the job failed: {job['error']} (logs in {work / 'logs'})")
    names = [name for name in stack.addresses if name.startswith("visual")]
    logs = [read_replica(work / "logs" / f"{name}.log") for name in names]
    shutil.rmtree(work, ignore_errors=True)  # measured: its clips and film are not needed
    spans = [span for log in logs for span in log.spans]
    visual_s = max(end for _, end in spans) - min(start for start, _ in spans)
    return {
        "shots": len(spans),
        "visual_s": visual_s,
        "job_s": job_s,
        "idle_s": [visual_s - log.busy_s for log in logs],
        "per_replica": [len(log.spans) for log in logs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--render-s", type=float, default=2.0, help="simulated GPU time per shot")
    parser.add_argument("--shots", type=int, default=40)
    args = parser.parse_args()
    story = synthetic_story(args.shots)
    results = {n: run(n, args.render_s, story) for n in args.replicas}
    base = results[args.replicas[0]]["visual_s"]
    print(f"{args.shots}-shot story, {args.render_s:g} s simulated render per shot, one shot at a time per replica")
    print("replicas  shots  visual step  speedup  goal(0.9N)  whole job  shots per replica  idle per replica")
    for n, r in results.items():
        speedup = base / r["visual_s"]  # type: ignore[operator]
        idle = " ".join(f"{s:.1f}" for s in r["idle_s"])  # type: ignore[attr-defined]
        print(
            f"{n:8d}  {r['shots']:5d}  {r['visual_s']:9.1f} s  {speedup:6.2f}x  {0.9 * n:9.1f}x  "
            f"{r['job_s']:7.1f} s  {r['per_replica']!s:>17}  {idle} s"
        )


if __name__ == "__main__":
    main()
