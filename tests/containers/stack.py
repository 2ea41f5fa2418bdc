"""The cpu compose stack, for real: build the images, start them, render a story through the gateway's
published port, check the film with ffprobe, print each image's size, bring the stack down; then the
gpu images, built and checked on the CPU (tests/containers/gpu_images.py).

scripts/compose_check.sh runs `python3 tests/containers/stack.py check`; tests/containers imports the
same functions. Standard library only, so the system python3 runs it. Every wait is bounded and only
127.0.0.1 is addressed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DEFAULT_BASE = "python:3.11-slim-bookworm"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
PROJECT = os.environ.get("STORYREEL_CHECK_PROJECT", "storyreel-check")
TAG = os.environ.get("STORYREEL_TAG", "latest")
# name -> (Dockerfile, build args beyond the base); the cpu set, as compose.yaml builds it
IMAGES: dict[str, tuple[str, dict[str, str]]] = {
    "planner": ("services/planner/Dockerfile", {}),
    "audio": ("services/audio/Dockerfile", {}),
    "visual": ("services/visual/Dockerfile", {}),
    "composer": ("services/composer/Dockerfile", {}),
    "gateway": ("gateway/Dockerfile", {"EXTRAS": "postgres"}),
}
STORY = (
    "Old Meera lived by the river at the edge of the village. Every evening she walked to the ghat "
    "with her lantern while the sky turned orange.\n\n"
    '"Hold the lantern high," she said to the boy who followed her. "The boats are coming home."\n\n'
    "Rain began to fall. The boy lifted the lantern, and one by one the boats found the shore."
)


def say(message: str) -> None:
    print(f"compose_check: {message}", flush=True)


def docker_cli() -> str:
    """Debian's docker client where it is installed (its BuildKit needs no buildx plugin), else PATH's."""
    chosen = os.environ.get("DOCKER") or ("/usr/bin/docker" if os.access("/usr/bin/docker", os.X_OK) else "docker")
    return chosen


def run(*argv: str, timeout: float = 600, check: bool = True, env: dict[str, str] | None = None,
        quiet: bool = False) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} ... failed ({result.returncode}):\n{result.stdout[-3000:]}"
                           f"\n{result.stderr[-3000:]}")
    if not quiet and result.returncode != 0:
        say(result.stderr.strip()[-500:])
    return result


def engine_problem() -> str | None:
    """Why no Docker engine answers (None when one does)."""
    if shutil.which(docker_cli()) is None:
        return "no docker client is installed"
    if shutil.which("docker-compose") is None:
        return "docker-compose is not installed"
    result = subprocess.run([docker_cli(), "info", "--format", "{{.ServerVersion}}"], capture_output=True,
                            text=True, timeout=30, check=False)
    return None if result.returncode == 0 else f"no Docker engine answers ({result.stderr.strip()[:200]})"


def base_image() -> str:
    """python:3.11-slim-bookworm when it is there or can be pulled; else one made from Debian's packages."""
    wanted = os.environ.get("STORYREEL_BASE_IMAGE", "")
    if wanted:
        return wanted
    docker = docker_cli()
    if run(docker, "image", "inspect", DEFAULT_BASE, check=False, quiet=True).returncode == 0:
        return DEFAULT_BASE
    if run(docker, "pull", "-q", DEFAULT_BASE, check=False, timeout=300, quiet=True).returncode == 0:
        return DEFAULT_BASE
    say(f"{DEFAULT_BASE} cannot be pulled; making the base image from Debian's packages")
    made = run("bash", "scripts/build_base_image.sh", timeout=900, env={"DOCKER": docker})
    return made.stdout.strip().splitlines()[-1]


def image_id(tag: str) -> str:
    """The image a tag names now ("" when none)."""
    result = run(docker_cli(), "image", "inspect", "-f", "{{.Id}}", tag, check=False, quiet=True)
    return result.stdout.strip() if result.returncode == 0 else ""


def build_image(tag: str, argv: list[str], timeout: float) -> None:
    """docker build ARGV tagged TAG, then remove the image the tag named before, if the build replaced it.

    Why: every code change makes a new image under the same tag and leaves the old one dangling; a
    suite run per change would otherwise leave a full set behind (the gpu images are 6 GB each), until
    Docker's disk fills and every later test fails for want of space."""
    before = image_id(tag)
    run(docker_cli(), "build", "-q", "-t", tag, *argv, timeout=timeout, env={"DOCKER_BUILDKIT": "1"})
    if before and image_id(tag) != before:
        # check=False: a container still running the old image keeps it, which is right
        run(docker_cli(), "image", "rm", before, check=False, quiet=True)


def build(base: str, names: list[str] | None = None) -> dict[str, float]:
    """Build the cpu images (one at a time) as compose.yaml names them; seconds per image."""
    seconds: dict[str, float] = {}
    ca = os.environ.get("STORYREEL_CA_BUNDLE", CA_BUNDLE)
    secret = ["--secret", f"id=ca_bundle,src={ca}"] if Path(ca).is_file() else []
    for name in names or list(IMAGES):
        dockerfile, args = IMAGES[name]
        argv = ["-f", dockerfile, "--build-arg", f"BASE_IMAGE={base}", *secret]
        for key, value in args.items():
            argv += ["--build-arg", f"{key}={value}"]
        started = time.monotonic()
        build_image(f"storyreel-{name}:{TAG}", [*argv, "."], timeout=1800)
        seconds[name] = time.monotonic() - started
        say(f"built storyreel-{name}:{TAG} in {seconds[name]:.0f} s")
    return seconds


def image_sizes(names: list[str] | None = None) -> dict[str, int]:
    sizes = {}
    for name in names or list(IMAGES):
        out = run(docker_cli(), "image", "inspect", "-f", "{{.Size}}", f"storyreel-{name}:{TAG}").stdout
        sizes[name] = int(out.strip())
    return sizes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    """The cpu set under its own compose project, the gateway published on 127.0.0.1:port."""

    def __init__(self, port: int, base: str, visual_replicas: int = 1) -> None:
        self.port = port
        self.env = {"GATEWAY_PORT": str(port), "GATEWAY_BIND": "127.0.0.1", "STORYREEL_BASE_IMAGE": base,
                    "VISUAL_REPLICAS": str(visual_replicas), "STORYREEL_TAG": TAG}
        self.visual_replicas = visual_replicas

    def compose(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run("docker-compose", "-p", PROJECT, "-f", "compose.yaml", *args, timeout=timeout, check=check,
                   env=self.env)

    def up(self, timeout: float = 240) -> None:
        self.compose("up", "-d", "--no-build", "--scale", f"visual={self.visual_replicas}", timeout=timeout)
        self.wait_healthy(timeout)

    def down(self) -> None:
        self.compose("down", "-v", "--remove-orphans", "-t", "5", timeout=180, check=False)

    def containers(self, service: str) -> list[str]:
        return self.compose("ps", "-q", service).stdout.split()

    def scale_visual(self, replicas: int, timeout: float = 180) -> None:
        self.compose("up", "-d", "--no-build", "--no-recreate", "--scale", f"visual={replicas}", timeout=timeout)
        self.visual_replicas = replicas
        self.wait_healthy(timeout)

    def health(self) -> dict[str, str]:
        states = {}
        for service in IMAGES:
            for cid in self.containers(service):
                states[cid[:12] + " " + service] = run(
                    docker_cli(), "inspect", "-f", "{{if .State.Health}}{{.State.Health.Status}}{{else}}"
                    "{{.State.Status}}{{end}}", cid, check=False, quiet=True).stdout.strip()
        return states

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            states = self.health()
            if states and all(state == "healthy" for state in states.values()) and self.gateway_answers():
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"not healthy after {timeout:.0f} s: {states}")
            time.sleep(2)

    # ------------------------------------------------------------------ the REST API, on 127.0.0.1 only
    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def gateway_answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url("/healthz"), timeout=5) as reply:
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url(path), timeout=30) as reply:
            return json.load(reply)

    def submit(self, story: str = STORY, **options: Any) -> str:
        body = json.dumps({"story": story, "profile": "preview", **options}).encode()
        request = urllib.request.Request(self.url("/v1/jobs"), data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return str(json.load(reply)["id"])

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.get(f"/v1/jobs/{job_id}"))

    def wait_done(self, job_id: str, timeout: float = 600) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            view = self.job(job_id)
            if view["state"] in ("done", "failed", "cancelled"):
                if view["state"] != "done":
                    raise RuntimeError(f"job {job_id} {view['state']}: {view.get('error')}")
                return view
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {view['state']} after {timeout:.0f} s")
            time.sleep(1)

    def download(self, job_id: str, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(self.url(f"/v1/jobs/{job_id}/video"), timeout=120) as reply:
            target.write_bytes(reply.read())
        return target

    def renders(self, since: str = "") -> dict[str, list[str]]:
        """Shot ids each visual container's log says it rendered (container id -> shot ids), since an
        RFC 3339 time when given (a restarted container keeps its log from before)."""
        found: dict[str, list[str]] = {}
        for cid in self.containers("visual"):
            log = run(docker_cli(), "logs", *(["--since", since] if since else []), cid, check=False, quiet=True)
            shots = []
            for line in (log.stdout + log.stderr).splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("msg") == "rendered the shot":
                    shots.append(str(record.get("shot_id")))
            found[cid[:12]] = shots
        return found


def crash(container: str) -> None:
    """Kill a container's main process with SIGKILL, as the kernel's OOM killer does. (Docker treats
    `docker kill` as a manual stop: 20.10 then skips the restart policy, so it cannot show one.) Needs
    root, like the engine; elsewhere `docker kill -s ABRT` crashes it through the API instead."""
    if os.geteuid() == 0:
        pid = int(run(docker_cli(), "inspect", "-f", "{{.State.Pid}}", container).stdout)
        os.kill(pid, 9)
    else:
        run(docker_cli(), "kill", "-s", "ABRT", container)


def film_facts(path: Path) -> dict[str, Any]:
    """ffprobe's view: streams by type, length, the subtitle codec."""
    out = run("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path),
              timeout=60).stdout
    info = json.loads(out)
    kinds: dict[str, int] = {}
    for stream in info["streams"]:
        kinds[stream["codec_type"]] = kinds.get(stream["codec_type"], 0) + 1
    subtitles = [s["codec_name"] for s in info["streams"] if s["codec_type"] == "subtitle"]
    return {"duration_s": float(info["format"]["duration"]), "streams": kinds, "subtitle_codecs": subtitles}


def check(out_dir: Path, keep: bool, gpu: bool = True) -> int:
    problem = engine_problem()
    if problem:
        say(problem)
        return 2
    started = time.monotonic()
    base = base_image()
    say(f"base image: {base}")
    build(base)
    stack = Stack(int(os.environ.get("STORYREEL_CHECK_PORT") or free_port()), base)
    stack.down()
    try:
        stack.up()
        say(f"the cpu set is healthy; the gateway answers on 127.0.0.1:{stack.port}")
        job_id = stack.submit()
        view = stack.wait_done(job_id)
        film = stack.download(job_id, out_dir / f"{job_id}.mp4")
        facts = film_facts(film)
        say(f"film: {film} ({facts['duration_s']:.1f} s, streams {facts['streams']}, "
            f"{len(view['shots'])} shots)")
        if not (facts["streams"].get("video") and facts["streams"].get("audio") and facts["streams"].get("subtitle")):
            say("the film lacks a video, audio or subtitle stream")
            return 1
    finally:
        for name, size in image_sizes().items():
            say(f"image storyreel-{name}:{TAG} {size / 1e6:.0f} MB")
        if not keep:
            stack.down()
    if gpu:
        from tests.containers import gpu_images

        if gpu_images.check_all(base):
            return 1
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check"])
    parser.add_argument("--out", type=Path, default=REPO / "out" / "compose_check")
    parser.add_argument("--keep", action="store_true", help="leave the stack up")
    parser.add_argument("--cpu-only", action="store_true", help="skip the gpu images (several GB each)")
    args = parser.parse_args()
    return check(args.out, args.keep, gpu=not args.cpu_only)


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # run as a script: tests.containers.gpu_images imports from here
    sys.exit(main())
