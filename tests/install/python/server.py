"""The loopback API the install test's app talks to: a real ``http.server`` on 127.0.0.1.

``python server.py`` binds a free port, prints ``http://127.0.0.1:<port>`` on one line,
and serves until its standard input closes. Standard library only: it runs in the
session's interpreter, not in the venv under test.

Routes (each counts its own requests; every answer carries ``X-Attempt: <n>``):

- ``GET /v1/flaky``: 503 with a proxy's HTML page, then 200 ``{"ok": true}``.
- ``GET /v1/flaky-envelope``: 503 with the envelope of a retryable registry code, then 200.
- ``GET /v1/identities/<id>``: 404 with the envelope of ``veid:1020``
  (``identity_record_not_found``, category ``not_found``).
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOT_FOUND_CODE = "veid:1020"
RETRYABLE_CODE = "veid:1036"


def envelope(code: str, message: str, category: str, **extra: object) -> bytes:
    fields = {"code": code, "message": message, "category": category, **extra}
    return json.dumps({"error": fields}).encode()


class Handler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        attempt = self.server.count(self.path)
        if self.path == "/v1/flaky" and attempt == 1:
            self.reply(503, b"<html><body>Service Unavailable</body></html>", "text/html")
        elif self.path == "/v1/flaky-envelope" and attempt == 1:
            body = envelope(RETRYABLE_CODE, "ML inference failed", "external", retryable=True)
            self.reply(503, body, "application/json")
        elif self.path in {"/v1/flaky", "/v1/flaky-envelope"}:
            self.reply(200, b'{"ok": true}', "application/json")
        elif self.path.startswith("/v1/identities/"):
            body = envelope(NOT_FOUND_CODE, "identity record not found", "not_found")
            self.reply(404, body, "application/json", {"X-Request-Id": "req-install-test"})
        else:
            self.reply(500, b"unexpected route", "text/plain")

    def reply(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Attempt", str(self.server.requests[self.path]))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"server: {format % args}\n")


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, path: str) -> int:
        with self._lock:
            self.requests[path] += 1
            return self.requests[path]


def main() -> None:
    server = ApiServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    sys.stdin.read()  # until the test closes our standard input
    server.shutdown()
    for path, count in sorted(server.requests.items()):
        print(f"{path} {count}", flush=True)


if __name__ == "__main__":
    main()
