"""The OpenAPI tools API teams use, run on the error document and on a merged sample API.

``nox -s openapi`` installs them (npm tools from the lockfile beside this file, Go tools with
``go run pkg@version``, Python tools pinned in tasks/openapi.py) and sets
ERRCODEGEN_REQUIRE_ALL; a plain pytest run skips when the npm tools are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from errcodegen.cli import main

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DOCUMENT = REPO / "spec/openapi/errors.openapi.yaml"
DOCUMENT_30 = REPO / "spec/openapi/errors.openapi-3.0.yaml"
SAMPLE = HERE / "sample-api.yaml"
BIN = HERE / "node_modules/.bin"


def require(tool: Path | str) -> str:
    """The tool's path; skipped (failed under nox) when it is not installed."""
    found = str(tool) if Path(tool).is_file() else shutil.which(str(tool))
    if found:
        return found
    message = f"{tool} is not installed: run `nox -s openapi`"
    if os.environ.get("ERRCODEGEN_REQUIRE_ALL"):
        pytest.fail(message)
    pytest.skip(message)


def run(
    args: Sequence[str | Path],
    cwd: Path | None = None,
    ok: bool = True,
    env: Mapping[str, str] | None = None,
) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    if ok:
        assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{output}"
    else:
        assert result.returncode != 0, f"{' '.join(map(str, args))} passed:\n{output}"
    return output


def go_said(output: str) -> list[str]:
    """The lines of a go command's output besides the downloads an empty module cache
    makes it report."""
    return [line for line in output.splitlines() if not line.startswith("go: downloading ")]


@pytest.fixture(scope="session")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample API merged with the error document by ``errcodegen openapi merge``."""
    out = tmp_path_factory.mktemp("merged") / "sample-merged.yaml"
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        assert main(["openapi", "merge", str(SAMPLE), "-o", str(out)]) == 0
    finally:
        os.chdir(cwd)
    return out


# What the loopback server answers, per request: every shape the platform's servers send,
# with a category newer than the document ("quota") where a client must keep it.
ENVELOPE_QUOTA = (
    '{"error": {"code": "veid:1019", "message": "scope not found", "category": "quota",'
    ' "severity": "notice", "retryable": false, "context": {"scope": "s1"}}}'
)
PROBLEM_QUOTA = (
    '{"type": "https://github.com/virtengine/virtengine-errors/blob/main/docs/errors/veid.md'
    '#veid-1019", "title": "scope not found", "status": 404, "detail": "scope s1 not found",'
    ' "code": "veid:1019", "category": "quota"}'
)
GATEWAY_STATUS = '{"code":5,"message":"codespace veid code 1019: scope not found","details":[]}'
ERROR_MESSAGE = (
    '{"error": "rate_limit_exceeded", "message": "too many requests", "limit": 100, "remaining": 0}'
)
# veid:1036 as the registry has it: it wraps the ML scorer sidecar call (external, 502)
ENVELOPE_TYPED = (
    '{"error": {"code": "veid:1036", "message": "ML inference failed", "category": "external",'
    ' "severity": "error", "retryable": true, "context": {"service": "ml-scorer",'
    ' "operation": "score"}}}'
)
CONFLICT_QUOTA = '{"error": {"code": "veid:1020", "message": "scope exists", "category": "quota"}}'
GATEWAY_UNAVAILABLE = '{"code": 14, "message": "connection refused", "details": []}'
PLAIN_TEXT = "upstream connect error or disconnect/reset before headers"
JSON = "application/json"

ANSWERS: dict[tuple[str, str], tuple[int, str, str]] = {
    ("GET", "/scopes/envelope"): (404, f"{JSON}; charset=utf-8", ENVELOPE_QUOTA),
    ("GET", "/scopes/problem"): (404, "application/problem+json", PROBLEM_QUOTA),
    ("GET", "/scopes/gateway"): (404, JSON, GATEWAY_STATUS),
    ("GET", "/scopes/message"): (429, JSON, ERROR_MESSAGE),
    ("GET", "/scopes/typed"): (502, JSON, ENVELOPE_TYPED),
    ("GET", "/scopes/text"): (503, "text/plain; charset=utf-8", PLAIN_TEXT),
    ("DELETE", "/scopes/gateway"): (502, JSON, GATEWAY_UNAVAILABLE),
    ("POST", "/scopes"): (409, JSON, CONFLICT_QUOTA),
}


class Loopback:
    """A server on 127.0.0.1 answering ANSWERS; it records each request's headers."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                loopback.requests.append((self.command, self.path, dict(self.headers.items())))
                status, content_type, body = ANSWERS.get(
                    (self.command, self.path), (418, "text/plain", "no answer")
                )
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-Request-Id", f"req-{len(loopback.requests)}")
                if status == 429:
                    self.send_header("Retry-After", "3")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def header(self, method: str, path: str, name: str) -> str | None:
        """The header ``name`` of the last request to ``method path``."""
        for m, p, headers in reversed(self.requests):
            if (m, p) == (method, path):
                found = {k.lower(): v for k, v in headers.items()}
                return found.get(name.lower())
        raise AssertionError(f"no {method} {path} request: {self.requests}")


@pytest.fixture
def loopback() -> Iterator[Loopback]:
    server = Loopback()
    try:
        yield server
    finally:
        server.close()
