"""The Go target: module path and major version suffix, install recipes in the README."""

from __future__ import annotations

import re

import pytest

from errcodegen.lang import go
from errcodegen.pipeline import prepare
from errcodegen.targets.go import TARGET

from .conftest import REPO, MakeRegistry

BASE = "github.com/virtengine/virtengine-errors/clients/go"


def _render(make_registry: MakeRegistry, version: str) -> dict[str, str]:
    spec = make_registry()
    registry = spec / "registry.yaml"
    text, count = re.subn(r"(?m)^version: .*$", f"version: {version}", registry.read_text())
    assert count == 1
    registry.write_text(text)
    return {name: str(text) for name, text in TARGET.render(prepare(spec).ir).items()}


def test_from_v2_the_module_path_and_every_import_in_the_readme_end_in_the_major(
    make_registry: MakeRegistry,
) -> None:
    files = _render(make_registry, "2.3.0")
    module = f"{BASE}/v2"
    assert f"\nmodule {module}\n" in files["go.mod"]
    readme = files["README.md"]
    assert f"go get {module}@v2.3.0\n" in readme
    assert f"-require={module}@v2.3.0 -replace={module}=../virtengine-errors/clients/go" in readme
    assert f'veerrors "{module}"' in readme
    assert "the tag `clients/go/v2.3.0`" in readme
    # No unsuffixed path is left anywhere: each mention is followed by /v2.
    assert re.findall(re.escape(BASE) + r"(?!/v2\b)", readme + files["go.mod"]) == []


def test_before_v2_the_module_path_has_no_suffix(make_registry: MakeRegistry) -> None:
    files = _render(make_registry, "1.4.0")
    assert f"module {BASE}\n" in files["go.mod"]
    assert f"go get {BASE}@v1.4.0\n" in files["README.md"]
    assert f"{BASE}/v1" not in files["go.mod"] + files["README.md"]


@pytest.mark.parametrize(
    ("base", "version", "expected"),
    [
        ("example.com/m", "0.3.1", "example.com/m"),
        ("example.com/m", "1.0.0", "example.com/m"),
        ("example.com/m", "2.0.0", "example.com/m/v2"),
        ("example.com/m", "17.1.2", "example.com/m/v17"),
        ("example.com/m/v3", "3.9.0", "example.com/m/v3"),  # already suffixed: kept
    ],
)
def test_module_path(base: str, version: str, expected: str) -> None:
    assert go.module_path(base, version) == expected


@pytest.mark.parametrize(
    ("base", "version"), [("example.com/m/v2", "3.0.0"), ("x.org/m/v1", "1.0.0")]
)
def test_a_suffix_that_contradicts_the_version_is_refused(base: str, version: str) -> None:
    with pytest.raises(ValueError, match="ends in /v"):
        go.module_path(base, version)


def test_module_tag() -> None:
    assert go.module_tag("clients/go", "2.3.0") == "clients/go/v2.3.0"
    assert go.module_tag("", "1.0.0") == "v1.0.0"


def test_every_go_module_of_the_repository_imports_the_generated_module_path() -> None:
    """Runners, benchmarks and client tests import the client by the path its go.mod
    declares; after a major version bump each must be updated (this names them)."""
    declared = re.search(r"(?m)^module (\S+)$", (REPO / "clients/go/go.mod").read_text())
    assert declared is not None
    module = declared.group(1)
    mention = re.compile(re.escape(BASE) + r"(/v[0-9]+)?(?![\w/.-])")
    stale = []
    for folder in ("tests", "benchmarks"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix not in {".go", ".mod"} or "fixtures" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                for found in mention.finditer(line):
                    if found.group(0) != module:
                        stale.append(f"{path.relative_to(REPO)}:{number}: {found.group(0)}")
    assert stale == [], (
        f"these import the client as another path than {module}: {stale}; "
        'python3 -c "from tasks import go; go.retarget_repository()" updates them'
    )
