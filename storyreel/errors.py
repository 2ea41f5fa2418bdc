"""The exceptions storyreel raises, written down once.

    StoryreelError                 anything storyreel raises on purpose
    ├── InvalidInput               the caller's input is wrong: fix it and retry   -> INVALID_ARGUMENT / HTTP 422
    │   └── UnsafeArtifactKey      a key that would resolve outside the artifact root
    ├── MissingArtifact            an input file the request names is not there  -> FAILED_PRECONDITION
    ├── BackendError               a backend (espeak-ng, ffmpeg, ComfyUI...) failed -> INTERNAL
    │   └── ToolFailed             an external program exited non-zero or ran out of time
    ├── DiskFull                   no room left to write a file                   -> RESOURCE_EXHAUSTED
    ├── ServiceUnavailable         a service could not be reached                 -> UNAVAILABLE
    └── gateway.errors.GatewayError  the gateway's own (StepFailed, Superseded, CallWentSilent,
                                   QueueFull): its branch and docstring tree are in gateway/errors.py

The gRPC kit turns these into status codes on the server side; the gateway turns status codes
back into words a user can act on.
"""

from __future__ import annotations

import errno

import grpc

__all__ = [
    "NO_ROOM_MESSAGES",
    "BackendError",
    "DiskFull",
    "InvalidInput",
    "MissingArtifact",
    "ServiceUnavailable",
    "StoryreelError",
    "ToolFailed",
    "UnsafeArtifactKey",
    "is_disk_full",
]

_NO_ROOM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
NO_ROOM_MESSAGES = ("No space left on device", "Disk quota exceeded")
"""How a program's stderr says it ran out of room (strerror of ENOSPC and EDQUOT)."""


class StoryreelError(Exception):
    """Base of every deliberate storyreel error."""

    grpc_code: grpc.StatusCode = grpc.StatusCode.INTERNAL


class InvalidInput(StoryreelError):
    grpc_code = grpc.StatusCode.INVALID_ARGUMENT


class UnsafeArtifactKey(InvalidInput):
    pass


class MissingArtifact(StoryreelError):
    grpc_code = grpc.StatusCode.FAILED_PRECONDITION


class BackendError(StoryreelError):
    grpc_code = grpc.StatusCode.INTERNAL


class ToolFailed(BackendError):
    """An external program failed; the message carries the tail of its stderr."""


class DiskFull(StoryreelError):
    """A file could not be written for lack of room. Nothing finished is lost: the caller frees
    space and asks again."""

    grpc_code = grpc.StatusCode.RESOURCE_EXHAUSTED


def is_disk_full(error: BaseException) -> bool:
    """An OSError that says the disk (or the user's quota) is full."""
    return isinstance(error, OSError) and error.errno in _NO_ROOM_ERRNOS


class ServiceUnavailable(StoryreelError):
    grpc_code = grpc.StatusCode.UNAVAILABLE
