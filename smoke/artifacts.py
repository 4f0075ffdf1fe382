"""The built artifacts: their native code's machine, their sizes against Lambda's limits, and code zips.

Standard library only, so the dev venv's tests can check it too (tests/unit/test_smoke_artifacts.py).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

# ELF e_machine values (the System V ABI's registry)
MACHINES: Final = {62: "x86_64", 183: "aarch64"}
# Lambda's quotas: a function and all its layers unzipped; one zip uploaded directly
MAX_UNZIPPED_BYTES: Final = 250 * 1024 * 1024
MAX_ZIPPED_BYTES: Final = 50 * 1024 * 1024


def elf_machine(path: Path) -> str:
    """The machine an ELF file is built for ("aarch64", "x86_64", or "machine N"); ValueError if not ELF."""
    with path.open("rb") as handle:
        header = handle.read(20)
    if len(header) < 20 or header[:4] != b"\x7fELF":
        raise ValueError(f"{path} is not an ELF file")
    machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
    return MACHINES.get(machine, f"machine {machine}")


def native_machines(folder: Path) -> dict[str, str]:
    """Every shared object below ``folder`` (relative path -> machine)."""
    return {
        str(path.relative_to(folder)): elf_machine(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and (path.suffix == ".so" or ".so." in path.name)
    }


def tree_digest(folder: Path, extra: str = "") -> str:
    """SHA-256 of every file's relative path and bytes below ``folder`` (caches left out) and ``extra``."""
    digest = hashlib.sha256(extra.encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def zip_folder(folder: Path) -> bytes:
    """The folder as Lambda takes it: a deflated zip of its files, paths relative to it, in a stable order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(folder).as_posix())
    return buffer.getvalue()


@dataclass(frozen=True)
class Size:
    name: str
    unzipped: int
    zipped: int


def folder_size(name: str, folder: Path) -> Size:
    unzipped = sum(
        os.path.getsize(path)
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    return Size(name, unzipped, len(zip_folder(folder)))


def limit_problems(layer: Size, functions: list[Size]) -> list[str]:
    """What breaks Lambda's limits: a zip over 50 MB, or a function with the layer over 250 MB unzipped."""
    problems = [
        f"{size.name}: {size.zipped} bytes zipped (limit {MAX_ZIPPED_BYTES})"
        for size in (layer, *functions)
        if size.zipped > MAX_ZIPPED_BYTES
    ]
    problems += [
        f"{size.name} with the layer: {size.unzipped + layer.unzipped} bytes unzipped "
        f"(limit {MAX_UNZIPPED_BYTES})"
        for size in functions
        if size.unzipped + layer.unzipped > MAX_UNZIPPED_BYTES
    ]
    return problems


def megabytes(size: int) -> str:
    """Bytes for people: MB with two decimals, KB with one below a megabyte."""
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.2f} MB"


def check_build(build_dir: Path, layer: str, machine: str) -> list[str]:
    """The built layer's native code is all ``machine``; layer and functions (every other folder) in limits.

    Lines to print; AssertionError naming what is wrong.
    """
    machines = native_machines(build_dir / layer)
    wrong = {path: found for path, found in machines.items() if found != machine}
    assert machines, f"{layer} has no shared object: is it built?"
    assert not wrong, f"{layer} native code not {machine}: {wrong}"
    lines = [
        f"{layer} native code: {len(machines)} shared objects, all {machine}: {', '.join(sorted(machines))}"
    ]
    layer_size = folder_size(layer, build_dir / layer)
    functions = [
        folder_size(path.name, path)
        for path in sorted(build_dir.iterdir())
        if path.is_dir() and path.name != layer
    ]
    lines += [
        f"{size.name:26s} {megabytes(size.unzipped):>9s} unzipped {megabytes(size.zipped):>9s} zipped"
        for size in (layer_size, *functions)
    ]
    lines.append("Lambda's limits: 250 MB unzipped (a function with its layers), 50 MB zipped")
    problems = limit_problems(layer_size, functions)
    assert not problems, problems
    return lines


if __name__ == "__main__":
    import sys

    # python -m smoke.artifacts BUILD_DIR LAYER MACHINE (make build: .aws-sam/build CommonLayer aarch64)
    try:
        for line in check_build(Path(sys.argv[1]), sys.argv[2], sys.argv[3]):
            print(line)
    except AssertionError as problem:
        print(f"build check failed: {problem}", file=sys.stderr)
        sys.exit(1)
