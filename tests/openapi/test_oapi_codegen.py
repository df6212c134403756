"""oapi-codegen (pinned, through the Go module proxy) on the error document alone and on the
merged sample API: `go vet`, then Go tests that call a loopback server through the generated
client and decode a live error in each shape (tests/openapi/go/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import DOCUMENT, DOCUMENT_30, HERE, go_said, require, run

OAPI_CODEGEN = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"
GO_MODULE = HERE / "go"

ERRDOC_CONFIG = """\
package: {package}
generate:
  models: true
output-options:
  skip-prune: true
output: {output}
"""


@pytest.fixture(scope="module")
def module(merged: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch copy of tests/openapi/go with the generated code written into it."""
    go = require("go")
    folder = tmp_path_factory.mktemp("oapi") / "scopes"
    shutil.copytree(GO_MODULE, folder)
    generate = [go, "run", OAPI_CODEGEN]
    run([*generate, "-generate", "types,client", "-package", "scopes",
         "-o", folder / "client.gen.go", merged], cwd=folder)  # fmt: skip
    for package, document in (("errdoc", DOCUMENT), ("errdoc30", DOCUMENT_30)):
        (folder / package).mkdir(exist_ok=True)
        config = folder / f"{package}.yaml"
        config.write_text(
            ERRDOC_CONFIG.format(package=package, output=f"{package}/models.gen.go"),
            encoding="utf-8",
        )
        run([*generate, "-config", config, document], cwd=folder)
        config.unlink()
    test = (folder / "errdoc/errdoc_test.go").read_text(encoding="utf-8")
    (folder / "errdoc30/errdoc_test.go").write_text(
        test.replace("package errdoc\n", "package errdoc30\n"), encoding="utf-8"
    )
    return folder


def go_env() -> dict[str, str]:
    return {**os.environ, "GOFLAGS": "-mod=readonly", "GOWORK": "off"}


def test_generated_code_compiles_and_vets(module: Path) -> None:
    client = (module / "client.gen.go").read_text(encoding="utf-8")
    # The typed error of each operation: per declared status and the default.
    default = "JSONDefault *Error"
    for operation, fields in {
        "GetScopeResponse": [
            "JSON400 *AnyErrorBody",
            "JSON404 *AnyErrorBody",
            "JSON502 *AnyErrorBody",  # veid:1036 (external)
            default,
        ],
        "DeleteScopeResponse": ["JSON500 *AnyErrorBody", default],  # mfa:1225 (internal)
        "CreateScopeResponse": ["JSON404 *NotFound", "JSON429 *TooManyRequests", default],
    }.items():
        start = client.index(f"type {operation} struct {{")
        struct = client[start : client.index("\n}\n", start)]
        for field in fields:
            assert field in " ".join(struct.split()), f"{operation} lacks {field}"
    for package in ("errdoc", "errdoc30"):
        models = (module / package / "models.gen.go").read_text(encoding="utf-8")
        assert "type AnyErrorBody struct" in models and "type KnownErrorCode string" in models
    go = require("go")
    vet = run([go, "vet", "./..."], cwd=module, env=go_env())
    assert go_said(vet) == [], vet


def test_loopback_errors_decode_in_every_shape(module: Path) -> None:
    go = require("go")
    output = run([go, "test", "-count=1", "-v", "./..."], cwd=module, env=go_env())
    passed = {line.split()[2] for line in output.splitlines() if line.startswith("--- PASS")}
    assert {
        "TestGetScopeDecodesEveryShape",
        "TestUndeclaredStatusIsTheDefaultError",
        "TestTypedEnvelopeByCategory",
        "TestDeleteDecodesTheDefaultAndText",
        "TestCreateSendsIdempotencyKeyAndDecodesConflict",
        "TestOpenBodies",
    } <= passed, output
    assert output.count("--- PASS: TestOpenBodies") == 2, output  # 3.1 and 3.0.3 documents
