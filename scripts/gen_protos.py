"""Generate the Python stubs for every contract under protos/ into the storyreel package.

    python scripts/gen_protos.py            # write storyreel/<service>/v1/*_pb2*.py(i)
    python scripts/gen_protos.py --check    # exit 1 when the committed stubs differ from a fresh generation

The stubs land beside the shared kit because protoc's imports follow the proto package
("from storyreel.storyboard.v1 import storyboard_pb2"), so no import rewriting is needed.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def proto_files() -> list[Path]:
    return sorted(PROTO_ROOT.rglob("*.proto"))


def generate(out_dir: Path) -> None:
    """Run protoc once over every contract; create the __init__.py files the packages need."""
    files = [str(p.relative_to(PROTO_ROOT)) for p in proto_files()]
    args = [
        "protoc",
        f"-I{PROTO_ROOT}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for proto in proto_files():
        package_dir = out_dir / proto.parent.relative_to(PROTO_ROOT)
        for folder in [package_dir, package_dir.parent]:
            init = folder / "__init__.py"
            if not init.exists():
                init.write_text('"""Generated from protos/ by scripts/gen_protos.py; do not edit."""\n')


def generated_files(base: Path) -> set[Path]:
    stub_dirs = {p.parent.relative_to(PROTO_ROOT) for p in proto_files()}
    found: set[Path] = set()
    for rel_dir in stub_dirs:
        for path in (base / rel_dir).glob("*"):
            if path.name.endswith(GENERATED_SUFFIXES):
                found.add(path.relative_to(base))
    return found


def check() -> list[str]:
    """Problems found comparing the committed stubs with a fresh generation."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh_root = Path(tmp)
        generate(fresh_root)
        fresh = generated_files(fresh_root)
        committed = generated_files(ROOT)
        problems = [f"missing: {p}" for p in sorted(fresh - committed)]
        problems += [f"stale (no .proto makes it): {p}" for p in sorted(committed - fresh)]
        problems += [
            f"differs: {p}"
            for p in sorted(fresh & committed)
            if not filecmp.cmp(fresh_root / p, ROOT / p, shallow=False)
        ]
        return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    if parser.parse_args().check:
        problems = check()
        for problem in problems:
            print(problem)
        if problems:
            print("run: python scripts/gen_protos.py")
        return 1 if problems else 0
    generate(ROOT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
