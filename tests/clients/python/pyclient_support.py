"""Support of the Python client tests: a real HTTP server on 127.0.0.1 that answers from
a script, and the counters of the property tests' inputs.

(Named so that it cannot clash with another test folder's module on ``sys.path``.)
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Seconds a busy machine may add to a bounded call before the test sees it end. Every
# failure these tests look for (a deadline or a cancellation not honoured) costs seconds.
SLACK = 1.0


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"{}"
    endless: bool = False  # stream chunks of ``body`` until the client hangs up
    hang: float = 0.0  # seconds to wait before answering
    trickle: float = 0.0  # seconds between the body's bytes, sent one at a time
    repeated: tuple[tuple[str, str], ...] = ()  # headers sent after ``headers``, repeats allowed


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: bytes
    at: float  # time.monotonic()


class _Handler(BaseHTTPRequestHandler):
    server: ScriptedServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.record(
            Received(
                self.command,
                self.path,
                {k.lower(): v for k, v in self.headers.items()},
                body,
                time.monotonic(),
            )
        )
        reply = self.server.next_reply()
        if reply.hang and self.server.stopping.wait(reply.hang):
            return
        self.send_response(reply.status)
        for name, value in [*reply.headers.items(), *reply.repeated]:
            self.send_header(name, value)
        if reply.trickle:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self._trickle(reply.body, reply.trickle)
            return
        if reply.endless:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._stream_forever(reply.body)
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        try:
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _trickle(self, body: bytes, pause: float) -> None:
        self.close_connection = True
        try:
            for index in range(len(body)):
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                if self.server.stopping.wait(pause):
                    return
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _stream_forever(self, chunk: bytes) -> None:
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        self.close_connection = True
        try:
            while not self.server.stopping.is_set():
                self.wfile.write(frame)
                self.server.streamed += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


class ScriptedServer(ThreadingHTTPServer):
    """Answers request n with ``script[n]``; the last reply repeats."""

    daemon_threads = True

    def __init__(self, script: list[Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(script)
        self.received: list[Received] = []
        self.stopping = threading.Event()
        self.streamed = 0
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    def next_reply(self) -> Reply:
        with self._lock:
            index = min(len(self.received), len(self.script)) - 1
            return self.script[max(index, 0)]


def serve(script: list[Reply]) -> Iterator[ScriptedServer]:
    """Run a scripted server for the duration of a ``with`` or fixture."""
    server = ScriptedServer(script)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


Serve = Callable[[list[Reply]], ScriptedServer]
"""The ``scripted`` fixture: start a server answering with a script."""

FUZZ_COUNTS: Counter[str] = Counter()
"""Generated inputs each property test ran, by subject (reported after the run)."""
