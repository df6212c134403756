"""A scripted HTTP server on loopback, shared by every language's live scenarios.

A request to ``/<prefix>/<scenario id>`` gets the scenario's next scripted response;
the prefix (one per language) keeps each client's attempts apart. Every request is
recorded so the clients can be compared on what actually reached the server.

A scripted response has ``status``, ``headers`` and ``body``, and may misbehave in time:

- ``delay_ms``: wait this long before writing anything (a server that hangs);
- ``informational``: write this many ``103 Early Hints`` responses before the final one;
  with ``"status": null`` no final response follows (the connection is held for
  ``delay_ms`` more, then closed);
- ``header_drip_ms``: write the status line and headers one byte at a time, this long
  apart;
- ``body_drip_ms``: write the body one byte at a time, this long apart.

A client that gives up mid-response just closes its end: the server stops writing.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RECORDED_HEADERS = ("idempotency-key", "retry-attempt")
EARLY_HINTS = b"HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Scripted"


@dataclass(frozen=True)
class Recorded:
    prefix: str
    scenario: str
    method: str
    headers: dict[str, str]  # lower-cased names, only RECORDED_HEADERS
    body: bytes


class ScriptedServer:
    def __init__(self, scenarios: list[dict[str, Any]]) -> None:
        self.scripts = {s["id"]: s["responses"] for s in scenarios}
        self.requests: list[Recorded] = []
        self._served: dict[tuple[str, str], int] = defaultdict(int)
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.shutdown()
        self._http.server_close()

    def requests_for(self, prefix: str, scenario: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.prefix == prefix and r.scenario == scenario]

    def _next_response(self, prefix: str, scenario: str) -> dict[str, Any]:
        script = self.scripts.get(scenario)
        with self._lock:
            index = self._served[(prefix, scenario)]
            self._served[(prefix, scenario)] += 1
        if script is None or index >= len(script):
            body = json.dumps({"error": {"code": "conformance:1", "message": "unscripted request"}})
            return {"status": 599, "headers": {"content-type": "application/json"}, "body": body}
        return dict(script[index])

    def _record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                prefix, _, scenario = self.path.lstrip("/").partition("/")
                headers = {
                    name: value
                    for name in RECORDED_HEADERS
                    if (value := self.headers.get(name)) is not None
                }
                server._record(Recorded(prefix, scenario, self.command, headers, body))
                reply = server._next_response(prefix, scenario)
                try:
                    self._reply(reply)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up: expected here

            def _reply(self, reply: dict[str, Any]) -> None:
                delay = reply.get("delay_ms", 0) / 1000
                time.sleep(delay)
                for _ in range(reply.get("informational", 0)):
                    self._write(EARLY_HINTS, 0)
                if reply["status"] is None:  # only informational responses, then nothing
                    time.sleep(delay)
                    self.close_connection = True
                    return
                payload = reply.get("body", "").encode()
                head = [f"HTTP/1.1 {reply['status']} {_reason(reply['status'])}"]
                head += [f"{name}: {value}" for name, value in reply.get("headers", {}).items()]
                head += [f"content-length: {len(payload)}", "", ""]
                self._write("\r\n".join(head).encode("latin-1"), reply.get("header_drip_ms", 0))
                if self.command != "HEAD":
                    self._write(payload, reply.get("body_drip_ms", 0))

            def _write(self, data: bytes, drip_ms: float) -> None:
                if not drip_ms:
                    self.wfile.write(data)
                    return
                for index in range(len(data)):
                    self.wfile.write(data[index : index + 1])
                    time.sleep(drip_ms / 1000)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the recorded requests are the log

        return Handler
