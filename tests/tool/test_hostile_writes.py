"""Writes are all or nothing (issue 18): a run that cannot write one output leaves every
file as it was and exits 3; a module named ``index`` cannot overwrite the catalog's index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from errcodegen import writer
from errcodegen.cli import main
from errcodegen.lint import lint_registry
from errcodegen.registry import load_registry

from .conftest import MakeRegistry, module_yaml

ONLY = ["--only", "docs", "--only", "alerts", "--only", "openapi"]


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``root`` (None for a folder)."""
    return {
        str(path.relative_to(root)): None if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.name != ".errcodegen.lock"
    }


def generated(make_registry: MakeRegistry, tmp_path: Path) -> tuple[Path, Path]:
    """A registry generated once into an output root, then changed (so a run rewrites)."""
    spec, out = make_registry(), tmp_path / "out"
    assert main(["generate", "--spec", str(spec), "--root", str(out), *ONLY]) == 0
    module = module_yaml(
        codes=[{"number": 1000, "name": "a", "message": "changed", "category": "validation"}]
    )
    (spec / "modules/veid.yaml").write_text(module, encoding="utf-8")
    return spec, out


def test_a_folder_where_a_file_should_be_exits_3_and_changes_nothing(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec, out = generated(make_registry, tmp_path)
    page = out / "docs/errors/veid.md"
    page.unlink()
    (page / "inside").mkdir(parents=True)
    before = snapshot(out)
    assert main(["generate", "--spec", str(spec), "--root", str(out), *ONLY]) == 3
    assert snapshot(out) == before
    assert "target write failed: IsADirectoryError" in capsys.readouterr().err


def test_a_failure_midway_undoes_every_replacement(
    make_registry: MakeRegistry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec, out = generated(make_registry, tmp_path)
    (out / "docs/errors/gone.md").write_text("x", encoding="utf-8")
    manifest = out / "docs/errors" / writer.MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8") + "gone.md\n", encoding="utf-8")
    before = snapshot(out)
    real_replace, calls = os.replace, []

    def failing_replace(source: str | Path, target: str | Path) -> None:
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    assert main(["generate", "--spec", str(spec), "--root", str(out), *ONLY]) == 3
    monkeypatch.setattr(writer.os, "replace", real_replace)
    assert len(calls) >= 3
    assert snapshot(out) == before  # no staged file left behind either


def test_a_successful_run_still_writes_and_removes(
    make_registry: MakeRegistry, tmp_path: Path
) -> None:
    spec, out = generated(make_registry, tmp_path)
    (out / "docs/errors/gone.md").write_text("x", encoding="utf-8")
    manifest = out / "docs/errors" / writer.MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8") + "gone.md\n", encoding="utf-8")
    assert main(["generate", "--spec", str(spec), "--root", str(out), *ONLY]) == 0
    assert not (out / "docs/errors/gone.md").exists()
    assert "changed" in (out / "docs/errors/veid.md").read_text(encoding="utf-8")
    assert not [p for p in out.rglob("*.tmp")]


def test_a_module_named_index_is_a_located_error(make_registry: MakeRegistry) -> None:
    root = make_registry({"modules/index.yaml": module_yaml(name="index")})
    report = lint_registry(load_registry(root))
    [finding] = [f for f in report.errors if f.rule == "IDENTIFIER_COLLISION"]
    assert str(finding).endswith(
        "modules/index.yaml:1:1: error IDENTIFIER_COLLISION: module 'index' would be the "
        "catalog page index.md, which is the catalog's own index; rename the module"
    )
