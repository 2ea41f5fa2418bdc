"""The committed stubs must be exactly what scripts/gen_protos.py makes from protos/."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO_ROOT


def _gen_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protos", REPO_ROOT / "scripts" / "gen_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_stubs_match_a_fresh_generation() -> None:
    problems = _gen_module().check()
    assert problems == [], "stubs are stale; run: python scripts/gen_protos.py\n" + "\n".join(problems)


def test_stubs_come_with_type_stubs() -> None:
    for proto in (REPO_ROOT / "protos").rglob("*.proto"):
        stub = REPO_ROOT / proto.relative_to(REPO_ROOT / "protos").with_name(proto.stem + "_pb2.pyi")
        assert stub.is_file(), f"{stub} missing"


def _proto_texts() -> list[tuple[Path, str]]:
    return [(p, p.read_text()) for p in sorted((REPO_ROOT / "protos").rglob("*.proto"))]


def test_protos_follow_buf_layout_and_naming() -> None:
    """Buf STANDARD essentials we can check without buf: package matches folder, versioned,
    services end in Service, each RPC has its own Request/Response, enum zero is _UNSPECIFIED."""
    for path, text in _proto_texts():
        folder = path.parent.relative_to(REPO_ROOT / "protos")
        package = re.search(r"^package ([\w.]+);", text, re.M)
        assert package and package.group(1) == ".".join(folder.parts), f"{path}: package must match folder"
        assert re.fullmatch(r"v\d+", folder.name), f"{path}: folder must end in a version"
        for service in re.findall(r"^service (\w+)", text, re.M):
            assert service.endswith("Service"), f"{path}: {service} must end in Service"
        for method, request, response in re.findall(r"rpc (\w+)\((\w+)\) returns \((\w+)\)", text):
            assert (request, response) == (f"{method}Request", f"{method}Response"), f"{path}: {method}"
        for enum, body in re.findall(r"^enum (\w+) \{(.*?)^\}", text, re.M | re.S):
            prefix = re.sub(r"(?<!^)(?=[A-Z])", "_", enum).upper()
            assert re.search(rf"\b{prefix}_UNSPECIFIED = 0;", body), f"{path}: {enum} zero value"


def test_every_message_service_and_rpc_has_a_comment() -> None:
    for path, text in _proto_texts():
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if re.match(r"^\s*(message|service|enum|rpc) ", line):
                previous = lines[index - 1].strip()
                assert previous.startswith("//"), f"{path}:{index + 1}: no comment above {line.strip()!r}"
