"""A deadline bounds the wait for the response head, which httpx's per-read timeouts do not:
a loopback server trickles its status line and headers, one byte every 50 ms."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from pyclient_support import SLACK
from virtengine_errors import APIConnectionError, RetryPolicy
from virtengine_errors.transport import Client, RetryTransport, call_options

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
BODY = b'{"ok": true}'
DRIP = 0.05  # seconds between the bytes of the head: about 3.6 s in all
FAST = RetryPolicy(base_delay=0.005, throttle_base_delay=0.005, max_delay=0.05)


class DripServer:
    """Answers every connection with ``HEAD`` one byte at a time, then ``BODY``."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connections = 0
        self.finished = threading.Event()  # a whole head and body were sent
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request
                for i in range(len(HEAD)):
                    if self._stop.wait(DRIP):
                        return
                    conn.sendall(HEAD[i : i + 1])
                conn.sendall(BODY)
                self.finished.set()
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


@pytest.fixture
def drip() -> Iterator[DripServer]:
    server = DripServer()
    yield server
    server.close()


def test_a_trickled_head_is_cut_at_the_deadline(drip: DripServer) -> None:
    http = httpx.Client(transport=RetryTransport(policy=FAST))
    started = time.monotonic()
    with http, pytest.raises(APIConnectionError) as caught:
        http.get(drip.url + "/x", extensions=call_options(deadline=0.8))
    elapsed = time.monotonic() - started
    assert 0.75 <= elapsed < 0.8 + SLACK, elapsed  # not the 3.6 s the head takes
    error = caught.value
    assert error.phase == "timeout"
    assert error.stop_reason == "deadline"
    assert error.attempts == 1 and drip.connections == 1
    assert not drip.finished.is_set()


def test_the_package_client_cuts_a_trickled_head_too(drip: DripServer) -> None:
    started = time.monotonic()
    with Client(policy=RetryPolicy(deadline=0.5)) as http, pytest.raises(APIConnectionError) as e:
        http.get(drip.url + "/x")
    assert time.monotonic() - started < 0.5 + SLACK
    assert e.value.phase == "timeout" and e.value.stop_reason == "deadline"


def test_without_a_deadline_the_head_is_waited_for(drip: DripServer) -> None:
    # httpx's own timeout bounds each read (50 ms apart here), not the whole head
    with httpx.Client(transport=RetryTransport(policy=FAST), timeout=1.0) as http:
        response = http.get(drip.url + "/x")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert drip.connections == 1


def test_a_fast_answer_within_the_deadline_is_returned_whole() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"thread": threading.current_thread().name})

    transport = RetryTransport(httpx.MockTransport(handler), policy=FAST)
    with httpx.Client(transport=transport) as http:
        bounded = http.get("http://test/x", extensions=call_options(deadline=5))
        unbounded = http.get("http://test/x")
    assert bounded.status_code == 200
    # with a deadline the attempt ran on a worker thread; without one, on the caller's
    assert bounded.json()["thread"] != threading.current_thread().name
    assert unbounded.json()["thread"] == threading.current_thread().name
