"""Fixtures shared by every test: a fresh artifact root, and services started in-process on a
free loopback port and reached over real gRPC."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path

import grpc
import pytest

from storyreel.artifacts import ArtifactStore
from storyreel.grpckit import RunningServer, ServiceSpec, make_channel, start_server

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = REPO_ROOT / "samples"
SHARED_STORIES = REPO_ROOT.parent / "shared" / "stories"


@pytest.fixture
def artifact_root(tmp_path: Path) -> Path:
    root = tmp_path / "artifacts"
    root.mkdir()
    return root


@pytest.fixture
def store(artifact_root: Path) -> ArtifactStore:
    return ArtifactStore(artifact_root)


SMALL_DISK_BYTES = 512 * 1024


@pytest.fixture
def small_disk_of(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """Mounts real filesystems (tmpfs) of a given size that fill up, so full-disk errors are the
    kernel's own. Mounting needs root (CI runs as root); where it is refused, the test is skipped
    saying why."""
    mounted: list[Path] = []

    def mount(size_bytes: int) -> Path:
        mount_point = tmp_path / f"small-disk-{len(mounted)}"
        mount_point.mkdir()
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_bytes},mode=0755", "tmpfs", str(mount_point)],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs to fill up here: {result.stderr.strip()}")
        mounted.append(mount_point)
        return mount_point

    yield mount
    for mount_point in mounted:
        subprocess.run(["umount", "--lazy", str(mount_point)], capture_output=True, check=False)


@pytest.fixture
def small_disk(small_disk_of: Callable[[int], Path]) -> Path:
    """A 512 KiB filesystem that fills up."""
    return small_disk_of(SMALL_DISK_BYTES)


ChannelFactory = Callable[[Sequence[ServiceSpec]], "AsyncIterator[grpc.aio.Channel]"]


@pytest.fixture
async def grpc_channel() -> AsyncIterator[Callable[[Sequence[ServiceSpec]], object]]:
    """Call with a service's specs: starts it on 127.0.0.1:<free port> and returns a channel to it."""
    servers: list[RunningServer] = []
    channels: list[grpc.aio.Channel] = []

    async def start(specs: Sequence[ServiceSpec]) -> grpc.aio.Channel:
        running = await start_server(specs, "127.0.0.1:0")
        servers.append(running)
        channel = make_channel(f"127.0.0.1:{running.port}", specs[0].full_name)
        channels.append(channel)
        return channel

    yield start
    for channel in channels:
        await channel.close()
    for running in servers:
        await running.stop(0)


def shared_story(name: str) -> Path:
    """A story from ../shared/stories; the test is skipped when that folder is absent."""
    path = SHARED_STORIES / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared stories live beside the checkout)")
    return path
