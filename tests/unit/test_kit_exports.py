"""The shared kit's public surface (storyreel/*.py, not the generated stubs), pinned: a name
added to or taken from a module's `__all__` must change this file too, so a change to what every
service and the gateway share shows in review. Each `__all__` holds exactly the module's own
public names, and every name another package imports from the kit is in it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EXPORTS: dict[str, list[str]] = {
    "storyreel.aio": ["within"],
    "storyreel.artifacts": ["MIB", "ArtifactStore"],
    "storyreel.convert": ["enum_prefix", "from_proto", "proto_enum_value", "to_proto"],
    "storyreel.domain": [
        "NARRATOR", "CameraMove", "Character", "Language", "Line", "Mood", "Scene", "Shot", "ShotType",
        "Storyboard", "TimeOfDay", "Voice", "VoiceEngine", "Weather", "check_story",
    ],
    "storyreel.errors": [
        "NO_ROOM_MESSAGES", "BackendError", "DiskFull", "InvalidInput", "MissingArtifact", "ServiceUnavailable",
        "StoryreelError", "ToolFailed", "UnsafeArtifactKey", "is_disk_full",
    ],
    "storyreel.grpckit": [
        "CONTEXT_METADATA", "MAX_MESSAGE_BYTES", "TOKEN_METADATA", "RunningServer", "Security", "ServiceSpec",
        "context_metadata", "make_channel", "open_channel", "retry_service_config", "run_service",
        "serve_until_signalled", "start_server", "validation_words", "wait_serving",
    ],
    "storyreel.healthcheck": ["TIMEOUT_S", "is_serving", "main"],
    "storyreel.heap": ["DEFAULT_MMAP_THRESHOLD_KB", "MAX_MMAP_THRESHOLD_BYTES", "M_MMAP_THRESHOLD",
                       "fix_mmap_threshold", "glibc"],
    "storyreel.logs": ["JsonFormatter", "configure_logging", "job_id_var", "log_context", "scene_id_var",
                       "shot_id_var"],
    "storyreel.media": ["SAFE_PROTOCOLS", "STDERR_TAIL_CHARS", "duration_s", "ffmpeg", "filter_path", "probe",
                        "run_tool"],
    "storyreel.mp4": ["MAX_MOOV_BYTES", "Mp4Unreadable", "VideoTrack", "ffprobe_video", "probe_video",
                      "video_track"],
    "storyreel.metrics": ["RPC_IN_FLIGHT", "RPC_SECONDS", "RPC_TOTAL", "record_rpc", "serve_metrics"],
    "storyreel.profiles": ["Aspect", "ProfileName", "SubtitleMode", "SubtitlePosition", "SubtitleSize"],
    "storyreel.settings": ["CGROUP_CPU_MAX", "DEFAULT_STATE_DIR", "MIN_TOKEN_CHARS", "PLACEHOLDER_TOKENS",
                           "CommonSettings", "ServiceSettings", "available_cores"],
    "storyreel.storytext": [
        "SCRIPT_LANGUAGES", "SPOKEN_DIGITS", "check_scripts", "check_speakable", "letter_scripts", "normal_text",
        "script_of", "speakable", "supported_languages", "unspoken_script",
    ],
}


def kit_modules() -> list[str]:
    return sorted(f"storyreel.{path.stem}" for path in (ROOT / "storyreel").glob("*.py") if path.stem != "__init__")


def test_every_kit_module_is_pinned() -> None:
    assert sorted(EXPORTS) == kit_modules(), "a kit module was added or removed: pin its __all__ here"


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_a_kit_module_exports_what_is_pinned(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == EXPORTS[name]
    assert [member for member in module.__all__ if not hasattr(module, member)] == []


def _own_public_names(path: Path) -> set[str]:
    """Classes, functions and constants the module defines (not imports), without a leading _;
    type variables and the logger are not part of a surface."""
    names: set[str] = set()
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            called = node.value.func
            if (isinstance(called, ast.Name) and called.id == "TypeVar") or (
                isinstance(called, ast.Attribute) and called.attr == "getLogger"
            ):
                names.difference_update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {name for name in names if not name.startswith("_")}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_a_new_public_name_in_the_kit_needs_exporting(name: str) -> None:
    path = ROOT / "storyreel" / f"{name.removeprefix('storyreel.')}.py"
    assert sorted(_own_public_names(path) - set(EXPORTS[name])) == [], "export it, or give it a leading _"


def test_other_packages_import_only_what_the_kit_exports() -> None:
    unexported = []
    for package in ("gateway", "services", "cli", "bench", "scripts", "tests"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module in EXPORTS:
                    unexported += [f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                                   for alias in node.names if alias.name not in EXPORTS[node.module]]
    assert unexported == []
