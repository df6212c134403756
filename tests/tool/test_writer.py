"""Atomic, minimal writes: failures leave previous output untouched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from errcodegen.ir import IR
from errcodegen.pipeline import TargetFailed, generate
from errcodegen.registry import RegistryError
from errcodegen.targets import Target, all_targets
from errcodegen.writer import MANIFEST, outdated_files, write_outputs

from .conftest import SPEC, MakeRegistry


def test_writes_only_changed_files(tmp_path: Path) -> None:
    write_outputs(tmp_path, {"out": {"a.txt": "one\n", "b.txt": "two\n"}})
    old = os.stat(tmp_path / "out/a.txt").st_mtime_ns
    os.utime(tmp_path / "out/a.txt", ns=(old - 10**9, old - 10**9))
    changed = write_outputs(tmp_path, {"out": {"a.txt": "one\n", "b.txt": "2\n"}})
    assert changed == [tmp_path / "out/b.txt"]
    assert os.stat(tmp_path / "out/a.txt").st_mtime_ns == old - 10**9


def test_removes_files_it_no_longer_produces_and_keeps_others(tmp_path: Path) -> None:
    write_outputs(tmp_path, {"out": {"a.txt": "a", "sub/b.txt": "b"}})
    (tmp_path / "out/hand-written.txt").write_text("mine")
    changed = write_outputs(tmp_path, {"out": {"a.txt": "a"}})
    assert changed == [tmp_path / "out" / MANIFEST, tmp_path / "out/sub/b.txt"]
    assert (tmp_path / "out/hand-written.txt").read_text() == "mine"
    assert outdated_files(tmp_path, {"out": {"a.txt": "a"}}) == []
    assert outdated_files(tmp_path, {"out": {"a.txt": "b"}}) == [tmp_path / "out/a.txt"]


def _failing(ir: IR) -> dict[str, str]:
    raise RuntimeError("injected failure")


def test_a_failing_target_writes_nothing(tmp_path: Path) -> None:
    from errcodegen.targets import openapi, vectors

    generate(SPEC, tmp_path, [openapi.TARGET, vectors.TARGET])
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    (tmp_path / "spec/openapi/errors.openapi.yaml").write_text("edited by hand")
    before[tmp_path / "spec/openapi/errors.openapi.yaml"] = b"edited by hand"
    broken = Target("broken", "broken", _failing)
    with pytest.raises(TargetFailed, match="target broken failed: RuntimeError: injected"):
        generate(SPEC, tmp_path, [openapi.TARGET, broken, vectors.TARGET])
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_an_invalid_registry_writes_nothing(tmp_path: Path, make_registry: MakeRegistry) -> None:
    root = make_registry({"modules/veid.yaml": "name: veid\ndescription: [\n"})
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RegistryError):
        generate(root, out)
    assert list(out.iterdir()) == []


def test_concurrent_runs_do_not_corrupt_output(tmp_path: Path) -> None:
    import subprocess
    import sys

    command = [
        sys.executable,
        "-m",
        "errcodegen",
        "generate",
        "--spec",
        str(SPEC),
        "--root",
        str(tmp_path),
        "--only",
        "openapi",
        "--only",
        "vectors",
    ]
    runs = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
    check = subprocess.run([*command, "--check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.fixture(scope="module")
def generated_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate(SPEC, root)
    return root


def _snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("broken", [t.name for t in all_targets()])
def test_a_failure_in_any_real_target_leaves_every_file_byte_identical(
    generated_tree: Path, broken: str
) -> None:
    """Every real target runs but one, which fails: not one byte changes anywhere."""
    hand_edited = generated_tree / "spec/openapi/errors.openapi.yaml"
    hand_edited.write_text("edited by hand, must survive a failed run\n")
    before = _snapshot(generated_tree)
    targets = [Target(t.name, t.folder, _failing) if t.name == broken else t for t in all_targets()]
    with pytest.raises(TargetFailed, match=f"target {broken} failed"):
        generate(SPEC, generated_tree, targets)
    assert _snapshot(generated_tree) == before
