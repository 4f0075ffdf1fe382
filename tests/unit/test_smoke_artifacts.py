"""smoke.artifacts: what make build and make smoke check of the built layer and functions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from smoke.artifacts import (
    MAX_UNZIPPED_BYTES,
    MAX_ZIPPED_BYTES,
    Size,
    check_build,
    elf_machine,
    limit_problems,
    native_machines,
    tree_digest,
    zip_folder,
)

AARCH64, X86_64 = 183, 62


def elf(machine: int, *, little_endian: bool = True) -> bytes:
    """The first 64 bytes of a 64-bit ELF shared object for ``machine`` (the header fields read)."""
    order = "little" if little_endian else "big"
    ident = b"\x7fELF" + bytes([2, 1 if little_endian else 2, 1]) + bytes(9)
    return ident + (3).to_bytes(2, order) + machine.to_bytes(2, order) + bytes(44)


def a_build(tmp_path: Path, machine: int) -> Path:
    build = tmp_path / "build"
    (build / "CommonLayer" / "python" / "pydantic_core").mkdir(parents=True)
    (build / "CommonLayer" / "python" / "pydantic_core" / "_pydantic_core.cpython-313-x.so").write_bytes(
        elf(machine)
    )
    (build / "CommonLayer" / "python" / "pkg.py").write_text("VALUE = 1\n")
    (build / "IntakeFunction").mkdir()
    (build / "IntakeFunction" / "intake_handler.py").write_text("def lambda_handler(e, c): ...\n")
    (build / "template.yaml").write_text("Resources: {}\n")
    return build


@pytest.mark.parametrize(("machine", "name"), [(AARCH64, "aarch64"), (X86_64, "x86_64"), (40, "machine 40")])
def test_elf_machine_reads_the_header_machine_field(tmp_path: Path, machine: int, name: str) -> None:
    path = tmp_path / "lib.so"
    path.write_bytes(elf(machine))
    assert elf_machine(path) == name


def test_elf_machine_honours_a_big_endian_header(tmp_path: Path) -> None:
    path = tmp_path / "lib.so"
    path.write_bytes(elf(AARCH64, little_endian=False))
    assert elf_machine(path) == "aarch64"


def test_elf_machine_refuses_a_file_that_is_not_elf(tmp_path: Path) -> None:
    path = tmp_path / "lib.so"
    path.write_bytes(b"#!/bin/sh\n" + bytes(20))
    with pytest.raises(ValueError, match="not an ELF file"):
        elf_machine(path)


def test_native_machines_lists_every_shared_object_and_nothing_else(tmp_path: Path) -> None:
    build = a_build(tmp_path, AARCH64)
    (build / "CommonLayer" / "python" / "libffi.so.8").write_bytes(elf(X86_64))
    assert native_machines(build / "CommonLayer") == {
        "python/libffi.so.8": "x86_64",
        "python/pydantic_core/_pydantic_core.cpython-313-x.so": "aarch64",
    }


def test_check_build_passes_an_aarch64_layer_and_prints_each_size(tmp_path: Path) -> None:
    lines = check_build(a_build(tmp_path, AARCH64), "CommonLayer", "aarch64")
    assert lines[0].startswith("CommonLayer native code: 1 shared objects, all aarch64")
    assert any(line.startswith("CommonLayer ") and "unzipped" in line for line in lines)
    assert any(line.startswith("IntakeFunction ") and "zipped" in line for line in lines)


def test_check_build_fails_a_layer_built_for_the_host(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="not aarch64"):
        check_build(a_build(tmp_path, X86_64), "CommonLayer", "aarch64")


def test_check_build_fails_a_layer_without_native_code(tmp_path: Path) -> None:
    build = a_build(tmp_path, AARCH64)
    for path in (build / "CommonLayer").rglob("*.so"):
        path.unlink()
    with pytest.raises(AssertionError, match="no shared object"):
        check_build(build, "CommonLayer", "aarch64")


def test_limit_problems_names_a_zip_over_50_mb_and_a_function_over_250_mb_with_its_layer() -> None:
    layer = Size("CommonLayer", MAX_UNZIPPED_BYTES - 10, MAX_ZIPPED_BYTES + 1)
    small = Size("IntakeFunction", 5, 5)
    big = Size("SweeperFunction", 11, 11)
    problems = limit_problems(layer, [small, big])
    assert len(problems) == 2
    assert problems[0].startswith("CommonLayer:")
    assert problems[1].startswith("SweeperFunction with the layer:")
    assert limit_problems(Size("CommonLayer", 10, 10), [small]) == []


def test_zip_folder_keeps_relative_paths_and_leaves_out_bytecode_caches(tmp_path: Path) -> None:
    build = a_build(tmp_path, AARCH64)
    (build / "IntakeFunction" / "__pycache__").mkdir()
    (build / "IntakeFunction" / "__pycache__" / "intake_handler.cpython-313.pyc").write_bytes(b"x")
    names = zipfile.ZipFile(io.BytesIO(zip_folder(build / "IntakeFunction"))).namelist()
    assert names == ["intake_handler.py"]


def test_tree_digest_changes_with_a_file_its_name_or_the_extra_text_only(tmp_path: Path) -> None:
    folder = a_build(tmp_path, AARCH64) / "CommonLayer"
    first = tree_digest(folder, "template")
    (folder / "python" / "__pycache__").mkdir()
    (folder / "python" / "__pycache__" / "pkg.cpython-313.pyc").write_bytes(b"x")
    assert tree_digest(folder, "template") == first
    assert tree_digest(folder, "other template") != first
    (folder / "python" / "pkg.py").write_text("VALUE = 2\n")
    assert tree_digest(folder, "template") != first
