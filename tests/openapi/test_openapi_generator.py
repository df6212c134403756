"""openapi-generator (the jar from Maven Central, pinned in tasks/openapi.py) on the merged
sample API: its python and typescript-fetch clients call a loopback server and decode a live
error in each shape, unknown categories kept."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BIN, DOCUMENT, DOCUMENT_30, Loopback, require, run

PY_USE = """\
import json
import sys

import scopes_client
from scopes_client.exceptions import ApiException, NotFoundException, ServiceException
from scopes_client.models import (
    ErrorEnvelope, ErrorMessage, GatewayStatus, Problem, Scope, TypedErrorEnvelope,
)

configuration = scopes_client.Configuration(host=sys.argv[1])
# urllib3 would re-send the 429 three times, sleeping its Retry-After each time; one
# answer per call is what this program reads.
configuration.retries = 0
api = scopes_client.ScopesApi(scopes_client.ApiClient(configuration))


def describe(error: ApiException) -> str:
    body = error.data
    if body is None:
        return f"{type(error).__name__} {error.status} text {error.body}"
    shape = body.actual_instance
    if isinstance(shape, TypedErrorEnvelope):
        typed = shape.error.actual_instance
        detail = f"{type(typed).__name__} {typed.category} {typed.context.service}"
    elif isinstance(shape, ErrorEnvelope):
        detail = f"{shape.error.code} {shape.error.category.actual_instance}"
    elif isinstance(shape, GatewayStatus):
        detail = f"{shape.code} {shape.message}"
    elif isinstance(shape, ErrorMessage):
        detail = f"{shape.error} {shape.additional_properties['limit']}"
    elif isinstance(shape, Problem):
        detail = f"{shape.code} {shape.category.actual_instance} {shape.detail}"
    else:
        detail = repr(shape)
    return f"{type(error).__name__} {error.status} {type(shape).__name__} {detail}"


calls = {
    "get envelope": lambda: api.get_scope("envelope"),
    "get problem": lambda: api.get_scope("problem"),
    "get gateway": lambda: api.get_scope("gateway"),
    "get message": lambda: api.get_scope("message"),
    "get typed": lambda: api.get_scope("typed"),
    "get text": lambda: api.get_scope("text"),
    "delete gateway": lambda: api.delete_scope("gateway"),
    "create": lambda: api.create_scope(Scope(id="s1", kind="identity"), idempotency_key="k-1"),
}
results = {}
for name, call in calls.items():
    try:
        call()
    except ApiException as error:
        results[name] = describe(error)
    else:
        results[name] = "no error"
print(json.dumps(results))
"""

PY_EXPECTED = {
    "get envelope": "NotFoundException 404 ErrorEnvelope veid:1019 quota",
    "get problem": "NotFoundException 404 Problem veid:1019 quota scope s1 not found",
    "get gateway": "NotFoundException 404 GatewayStatus 5 "
    "codespace veid code 1019: scope not found",
    "get message": "ApiException 429 ErrorMessage rate_limit_exceeded 100",
    "get typed": "ServiceException 502 TypedErrorEnvelope ExternalErrorBody external ml-scorer",
    "get text": "ServiceException 503 text upstream connect error or disconnect/reset "
    "before headers",
    "delete gateway": "ServiceException 502 GatewayStatus 14 connection refused",
    "create": "ConflictException 409 ErrorEnvelope veid:1020 quota",
}

TS_USE = """\
import {
  Configuration,
  ErrorEnvelopeFromJSON,
  ErrorMessageFromJSON,
  GatewayStatusFromJSON,
  ProblemFromJSON,
  ResponseError,
  ScopesApi,
  TypedErrorEnvelopeFromJSON,
} from "./client/index";
import { BASE } from "./base";

const api = new ScopesApi(new Configuration({ basePath: BASE }));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

const KNOWN = ["internal", "not_found", "conflict", "validation", "external", "state"];

// The shapes in the order of docs/client-behaviour.md 1.3, told apart by their members'
// types (the generated guards only test presence); each decoded by its generated model.
function describe(status: number, text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `${status} text ${text}`;
  }
  if (!isObject(json)) return `${status} unrecognised`;
  if (isObject(json.error)) {
    const category = json.error.category;
    if (typeof category === "string" && KNOWN.includes(category)) {
      const typed = TypedErrorEnvelopeFromJSON(json).error;
      return `${status} typed ${String(typed.category)} ${String(typed.context?.service)}`;
    }
    const envelope = ErrorEnvelopeFromJSON(json);
    return `${status} envelope ${envelope.error.code} ${String(envelope.error.category)}`;
  }
  if (typeof json.error === "string") {
    const message = ErrorMessageFromJSON(json);
    return `${status} message ${message.error} ${String(message["limit"])}`;
  }
  if (Number.isInteger(json.code) && typeof json.message === "string") {
    const gateway = GatewayStatusFromJSON(json);
    return `${status} gateway ${gateway.code} ${gateway.message}`;
  }
  const problem = ProblemFromJSON(json);
  return `${status} problem ${problem.code} ${String(problem.category)} ${problem.detail}`;
}

async function failure(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "no error";
  } catch (error) {
    if (!(error instanceof ResponseError)) return `not a ResponseError: ${String(error)}`;
    return describe(error.response.status, await error.response.text());
  }
}

const calls: Record<string, () => Promise<unknown>> = {
  "get envelope": () => api.getScope({ id: "envelope" }),
  "get problem": () => api.getScope({ id: "problem" }),
  "get gateway": () => api.getScope({ id: "gateway" }),
  "get message": () => api.getScope({ id: "message" }),
  "get typed": () => api.getScope({ id: "typed" }),
  "get text": () => api.getScope({ id: "text" }),
  "delete gateway": () => api.deleteScope({ id: "gateway" }),
  create: () =>
    api.createScope({ scope: { id: "s1", kind: "identity" }, idempotencyKey: "k-1" }),
};

async function main(): Promise<void> {
  const results: Record<string, string> = {};
  for (const [name, call] of Object.entries(calls)) results[name] = await failure(call);
  console.log(JSON.stringify(results));
}

main().catch((error: unknown) => {
  console.error(error);
  throw error;
});
"""

TS_EXPECTED = {
    "get envelope": "404 envelope veid:1019 quota",
    "get problem": "404 problem veid:1019 quota scope s1 not found",
    "get gateway": "404 gateway 5 codespace veid code 1019: scope not found",
    "get message": "429 message rate_limit_exceeded 100",
    "get typed": "502 typed external ml-scorer",
    "get text": "503 text upstream connect error or disconnect/reset before headers",
    "delete gateway": "502 gateway 14 connection refused",
    "create": "409 envelope veid:1020 quota",
}


def jar() -> Path:
    found = os.environ.get("OPENAPI_GENERATOR_JAR")
    if found and Path(found).is_file():
        return Path(found)
    message = "openapi-generator is not installed: run `nox -s openapi`"
    if os.environ.get("ERRCODEGEN_REQUIRE_ALL"):
        pytest.fail(message)
    pytest.skip(message)


def require_module(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        message = f"{name} is not installed: run `nox -s openapi`"
        if os.environ.get("ERRCODEGEN_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)


def generate(generator: str, document: Path, output: Path, *options: str) -> None:
    java = require("java")
    run([java, "-jar", jar(), "generate", "-g", generator, "-i", document, "-o", output,
         *options])  # fmt: skip


@pytest.mark.parametrize("document", [DOCUMENT, DOCUMENT_30], ids=["3.1", "3.0.3"])
@pytest.mark.parametrize("generator", ["python", "typescript-fetch"])
def test_error_document_alone(generator: str, document: Path, tmp_path: Path) -> None:
    # The spec is validated first; no paths: the models are all there is.
    generate(generator, document, tmp_path, "--global-property", "models")
    names = {p.stem for p in tmp_path.rglob("*") if p.suffix in (".py", ".ts")}
    assert {"any_error_body", "known_error_code"} <= names or {
        "AnyErrorBody",
        "KnownErrorCode",
    } <= names, sorted(names)


def test_python_client_decodes_every_shape(
    merged: Path, tmp_path: Path, loopback: Loopback
) -> None:
    require_module("urllib3")  # with python-dateutil, what the generated client imports
    generate("python", merged, tmp_path / "client", "--package-name", "scopes_client")
    api = (tmp_path / "client/scopes_client/api/scopes_api.py").read_text(encoding="utf-8")
    # Each operation (three methods each) maps its error statuses and the default to the body.
    assert api.count("'default': \"AnyErrorBody\"") == 9, api
    (tmp_path / "use.py").write_text(PY_USE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, tmp_path / "use.py", loopback.url],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "client")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == PY_EXPECTED
    assert loopback.header("POST", "/scopes", "Idempotency-Key") == "k-1"


TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "es2022",
        "module": "commonjs",
        "moduleResolution": "node10",
        "lib": ["es2022", "dom"],
        "outDir": "out",
        "skipLibCheck": False,
    },
    "files": ["use.ts"],
}


def test_typescript_fetch_client_decodes_every_shape(
    merged: Path, tmp_path: Path, loopback: Loopback
) -> None:
    tsc = require(BIN / "tsc")
    node = require("node")
    generate("typescript-fetch", merged, tmp_path / "client")
    (tmp_path / "use.ts").write_text(TS_USE, encoding="utf-8")
    (tmp_path / "base.ts").write_text(f'export const BASE = "{loopback.url}";\n', "utf-8")
    (tmp_path / "tsconfig.json").write_text(json.dumps(TSCONFIG), encoding="utf-8")
    run([tsc, "-p", tmp_path])
    output = run([node, tmp_path / "out/use.js"])
    assert json.loads(output) == TS_EXPECTED
    assert loopback.header("POST", "/scopes", "Idempotency-Key") == "k-1"
