"""Generators API teams use, on the merged sample API: the typed error of each operation
compiles under the strictest settings and decodes every shape, unknown categories kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import BIN, DOCUMENT, HERE, Loopback, require, run

TS_USE = """\
import type { components, paths } from "./api.js";

type NotFoundBody =
  paths["/scopes/{id}"]["get"]["responses"][404]["content"]["application/json"];
type AnyError = components["schemas"]["AnyErrorBody"];

type Envelope = components["schemas"]["ErrorEnvelope"];
type GatewayStatus = components["schemas"]["GatewayStatus"];

// The contract's rules 1.3: every body is an open object, so a guard checks the member types.
function isEnvelope(body: AnyError): body is Envelope {
  const error: unknown = body.error;
  if (typeof error !== "object" || error === null) return false;
  return typeof Reflect.get(error, "code") === "string";
}

function isGatewayStatus(body: AnyError): body is GatewayStatus {
  return Number.isInteger(body.code) && typeof body.message === "string";
}

export function describe(body: NotFoundBody): string {
  if (isEnvelope(body)) {
    const category: string | undefined = body.error.category;
    return `${body.error.code} ${category ?? "none"}`;
  }
  if (isGatewayStatus(body)) return `${body.code}: ${body.message}`;
  return typeof body.error === "string" ? body.error : "problem";
}

const unknownCategory: AnyError = { error: { code: "veid:1036", category: "quota" } };
const gateway: AnyError = { code: 2, message: "codespace veid code 1036: ML inference failed" };
const member: AnyError = { error: "rate_limit_exceeded", limit: 100 };
export const all = [unknownCategory, gateway, member].map((b) => describe(b as NotFoundBody));
"""

TS_WRONG = """\
import type { components } from "./api.js";
// a typed body narrows its category: "conflict" is not a not_found body
export const wrong: components["schemas"]["NotFoundErrorBody"] = {
  code: "veid:1019",
  category: "conflict",
};
"""

TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "es2022",
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "noUncheckedIndexedAccess": True,
        "exactOptionalPropertyTypes": True,
        "skipLibCheck": False,
    },
}


def test_openapi_typescript_then_tsc_strict(merged: Path, tmp_path: Path) -> None:
    generate = require(BIN / "openapi-typescript")
    tsc = require(BIN / "tsc")
    run([generate, merged, "--output", tmp_path / "api.ts"])
    (tmp_path / "use.ts").write_text(TS_USE, encoding="utf-8")
    (tmp_path / "tsconfig.json").write_text(
        json.dumps({**TSCONFIG, "files": ["api.ts", "use.ts"]}), encoding="utf-8"
    )
    (tmp_path / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    run([tsc, "-p", tmp_path])
    (tmp_path / "wrong.ts").write_text(TS_WRONG, encoding="utf-8")
    (tmp_path / "tsconfig.json").write_text(
        json.dumps({**TSCONFIG, "files": ["api.ts", "wrong.ts"]}), encoding="utf-8"
    )
    output = run([tsc, "-p", tmp_path], ok=False)
    assert "wrong.ts" in output and '"conflict"' in output


PY_USE = """\
from models import AnyErrorBody, ErrorEnvelope, GatewayStatus, ErrorMessage, TypedErrorEnvelope

bodies = [
    b'{"error": {"code": "veid:1036", "category": "quota", "severity": "fatal"}}',
    b'{"error": {"code": "veid:1019", "category": "not_found", "message": "scope not found"}}',
    b'{"code": 2, "message": "codespace veid code 1036: ML inference failed", "details": []}',
    b'{"error": "rate_limit_exceeded", "limit": 100, "remaining": 0}',
    b'{"error": {"code": "veid:1036"}}',
]
kinds = []
for raw in bodies:
    body = AnyErrorBody.model_validate_json(raw).root
    kinds.append(type(body).__name__)
    if isinstance(body, ErrorEnvelope) and body.error.category is not None:
        category: object = body.error.category.root
        assert str(category) == "quota", category
print(" ".join(kinds))
"""


def test_datamodel_codegen_then_mypy_strict(tmp_path: Path) -> None:
    codegen = require(Path(sys.executable).parent / "datamodel-codegen")
    models = tmp_path / "models.py"
    run(
        [
            codegen,
            "--input",
            DOCUMENT,
            "--input-file-type",
            "openapi",
            "--output",
            models,
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--target-python-version",
            "3.11",
            "--use-annotated",
            "--use-union-operator",
            "--use-standard-collections",
            "--disable-timestamp",
        ]
    )
    text = models.read_text(encoding="utf-8")
    assert "class KnownErrorCode(" in text  # referenced, so generated
    run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", models])
    (tmp_path / "use.py").write_text(PY_USE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "use.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [
        "ErrorEnvelope",
        "TypedErrorEnvelope",
        "GatewayStatus",
        "ErrorMessage",
        "ErrorEnvelope",
    ]
    assert HERE.is_dir()


TS_FETCH = """\
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";
import { BASE } from "./base.js";

type AnyError = components["schemas"]["AnyErrorBody"];
type Envelope = components["schemas"]["ErrorEnvelope"];
type GatewayStatus = components["schemas"]["GatewayStatus"];
type ErrorMessage = components["schemas"]["ErrorMessage"];
type Problem = components["schemas"]["Problem"];
// Mutual assignability, and not any: openapi-fetch wraps the body type in Readable<>.
type Same<A, B> = 0 extends 1 & A
  ? false
  : [A] extends [B]
    ? [B] extends [A]
      ? true
      : false
    : false;

const client = createClient<paths>({ baseUrl: BASE });

// Every member is open (contract 1.3), so a guard checks the members' types, in its order.
function isEnvelope(body: AnyError): body is Envelope {
  const error: unknown = body.error;
  if (typeof error !== "object" || error === null) return false;
  return typeof Reflect.get(error, "code") === "string";
}
function isMessage(body: AnyError): body is ErrorMessage {
  return typeof body.error === "string";
}
function isGatewayStatus(body: AnyError): body is GatewayStatus {
  return Number.isInteger(body.code) && typeof body.message === "string";
}

function describe(status: number, error: AnyError | string): string {
  if (typeof error === "string") return `${status} text ${error}`;
  if (isEnvelope(error)) {
    return `${status} envelope ${error.error.code} ${error.error.category ?? "none"}`;
  }
  if (isMessage(error)) return `${status} message ${error.error} ${String(error["limit"])}`;
  if (isGatewayStatus(error)) return `${status} gateway ${error.code} ${error.message}`;
  const problem: Problem = error;
  const category = problem.category ?? "none";
  return `${status} problem ${problem.code ?? ""} ${category} ${problem.detail ?? ""}`;
}

const results: Record<string, string> = {};
for (const id of ["envelope", "problem", "gateway", "message", "typed", "text"]) {
  const { data, error, response } = await client.GET("/scopes/{id}", {
    params: { path: { id } },
  });
  const typed: Same<NonNullable<typeof error>, AnyError | string> = true;
  results[`get ${id}`] = error === undefined ? `data ${data.id}` : describe(response.status, error);
  void typed;
}
{
  const { error, response } = await client.DELETE("/scopes/{id}", {
    params: { path: { id: "gateway" } },
  });
  const typed: Same<NonNullable<typeof error>, AnyError | string> = true;
  results["delete gateway"] = error === undefined ? "no error" : describe(response.status, error);
  void typed;
}
{
  const { error, response } = await client.POST("/scopes", {
    params: { header: { "Idempotency-Key": "k-1" } },
    body: { id: "s1", kind: "identity" },
  });
  const typed: Same<NonNullable<typeof error>, AnyError | string> = true;
  results.create = error === undefined ? "no error" : describe(response.status, error);
  void typed;
}
console.log(JSON.stringify(results));
"""

TS_FETCH_EXPECTED = {
    "get envelope": "404 envelope veid:1019 quota",
    "get problem": "404 problem veid:1019 quota scope s1 not found",
    "get gateway": "404 gateway 5 codespace veid code 1019: scope not found",
    "get message": "429 message rate_limit_exceeded 100",
    "get typed": "502 envelope veid:1036 external",
    "get text": "503 text upstream connect error or disconnect/reset before headers",
    "delete gateway": "502 gateway 14 connection refused",
    "create": "409 envelope veid:1020 quota",
}


def test_openapi_fetch_decodes_live_errors(
    merged: Path, tmp_path: Path, loopback: Loopback
) -> None:
    """openapi-fetch (pinned beside openapi-typescript) types each operation's error as the
    error document's bodies and decodes a live error in each shape from a loopback server."""
    generate = require(BIN / "openapi-typescript")
    tsc = require(BIN / "tsc")
    node = require("node")
    run([generate, merged, "--output", tmp_path / "api.ts"])
    (tmp_path / "node_modules").symlink_to(HERE / "node_modules", target_is_directory=True)
    (tmp_path / "call.ts").write_text(TS_FETCH, encoding="utf-8")
    (tmp_path / "base.ts").write_text(f'export const BASE = "{loopback.url}";\n', "utf-8")
    options = {**TSCONFIG["compilerOptions"], "noEmit": False, "outDir": "out"}
    (tmp_path / "tsconfig.json").write_text(
        json.dumps({"compilerOptions": options, "files": ["api.ts", "call.ts"]}), encoding="utf-8"
    )
    (tmp_path / "package.json").write_text('{"type": "module"}', encoding="utf-8")
    run([tsc, "-p", tmp_path])
    output = run([node, tmp_path / "out/call.js"])
    assert json.loads(output) == TS_FETCH_EXPECTED
    assert loopback.header("POST", "/scopes", "Idempotency-Key") == "k-1"
