"""The error document ships inside each client package, byte for byte the one in
spec/openapi/: Python package data read with importlib.resources from the built wheel, the
npm package's `openapi.yaml` and `openapi-3.0.yaml` exports, and the Go module's `openapi`
package (go:embed). The clients are rendered into a scratch folder from the registry."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from errcodegen.cli import main

from .conftest import REPO, go_said, require, run

NAMES = ("errors.openapi.yaml", "errors.openapi-3.0.yaml")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rendered")
    targets = ["--only", "openapi", "--only", "python", "--only", "typescript", "--only", "go"]
    assert main(["generate", "--spec", str(REPO / "spec"), "--root", str(root), *targets]) == 0
    return root


def digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in NAMES}


PY_READ = """\
import hashlib
import json
from importlib.resources import files

folder = files("virtengine_errors") / "openapi"
names = ("errors.openapi.yaml", "errors.openapi-3.0.yaml")
print(json.dumps({n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names}))
"""


def test_python_wheel_holds_the_document(rendered: Path, tmp_path: Path) -> None:
    project = rendered / "clients/python"
    # The client's build backend (its pyproject.toml), called as pip would without isolation.
    build = "import sys, setuptools.build_meta as backend; backend.build_wheel(sys.argv[1])"
    run([sys.executable, "-c", build, tmp_path], cwd=project)
    (wheel,) = tmp_path.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert {f"virtengine_errors/openapi/{name}" for name in NAMES} <= names, sorted(names)
        archive.extractall(tmp_path / "site")
    result = subprocess.run(
        [sys.executable, "-c", PY_READ],
        cwd=tmp_path / "site",  # the unpacked wheel, not the source folder
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == digests(rendered / "spec/openapi")


TS_RESOLVE = """\
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const digest = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");
const esm = fileURLToPath(import.meta.resolve("@virtengine/errors/openapi.yaml"));
console.log(JSON.stringify({
  "errors.openapi.yaml": digest(require.resolve("@virtengine/errors/openapi.yaml")),
  "errors.openapi-3.0.yaml": digest(require.resolve("@virtengine/errors/openapi-3.0.yaml")),
  esm: digest(esm),
}));
"""


def test_npm_package_exports_the_document(rendered: Path, tmp_path: Path) -> None:
    npm = require("npm")
    node = require("node")
    package = rendered / "clients/typescript"
    packed = run([npm, "pack", "--dry-run", "--json", "--ignore-scripts"], cwd=package)
    files = {entry["path"] for entry in json.loads(packed[packed.index("[") :])[0]["files"]}
    assert {f"openapi/{name}" for name in NAMES} <= files, sorted(files)
    scope = tmp_path / "node_modules/@virtengine"
    scope.mkdir(parents=True)
    (scope / "errors").symlink_to(package, target_is_directory=True)
    (tmp_path / "resolve.mjs").write_text(TS_RESOLVE, encoding="utf-8")
    found = json.loads(run([node, tmp_path / "resolve.mjs"], cwd=tmp_path))
    expected = digests(rendered / "spec/openapi")
    assert found == {**expected, "esm": expected["errors.openapi.yaml"]}


GO_MAIN = """\
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"

	"github.com/virtengine/virtengine-errors/clients/go/openapi"
)

func main() {
	document := openapi.Document()
	sum := sha256.Sum256(document)
	document[0] = 'X' // a copy: the next call is unchanged
	sum30 := sha256.Sum256(openapi.Document30())
	again := sha256.Sum256(openapi.Document())
	_ = json.NewEncoder(os.Stdout).Encode(map[string]string{
		"errors.openapi.yaml":     hex.EncodeToString(sum[:]),
		"errors.openapi-3.0.yaml": hex.EncodeToString(sum30[:]),
		"again":                   hex.EncodeToString(again[:]),
	})
}
"""


def test_go_module_embeds_the_document(rendered: Path, tmp_path: Path) -> None:
    go = require("go")
    client = rendered / "clients/go"
    declared = re.search(r"^module (\S+)$", (client / "go.mod").read_text("utf-8"), re.M)
    assert declared, "no module line in go.mod"
    path = declared.group(1)
    app = tmp_path / "app"
    app.mkdir()
    requirement = f"require {path} v1.0.0\n\nreplace {path} => {client}\n"
    (app / "go.mod").write_text(f"module example.com/app\n\ngo 1.22\n\n{requirement}", "utf-8")
    (app / "main.go").write_text(GO_MAIN.replace(
        "github.com/virtengine/virtengine-errors/clients/go", path), encoding="utf-8")  # fmt: skip
    env = {"GOFLAGS": "-mod=mod", "GOWORK": "off"}
    vet = run([go, "vet", "./openapi"], cwd=client, env=go_env(env))
    assert go_said(vet) == [], vet
    found = json.loads(run([go, "run", "."], cwd=app, env=go_env(env)))
    expected = digests(rendered / "spec/openapi")
    assert found == {**expected, "again": expected["errors.openapi.yaml"]}


def go_env(extra: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **extra}
