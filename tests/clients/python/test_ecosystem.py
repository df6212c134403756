"""The client keeps httpx's contract (issue 17): auth flows, event hooks, proxies, trio;
names that do not shadow the builtins or pydantic; typed enums; ``__all__``; the extra.

Every test runs the real libraries: ``httpx.DigestAuth`` against a loopback server that
challenges, a forwarding proxy on loopback, ``anyio`` with the trio backend.
"""

from __future__ import annotations

import builtins
import hashlib
import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import threading
import typing
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import httpx
import pydantic
import pytest
import virtengine_errors
from pyclient_support import Reply, Serve
from virtengine_errors import (
    APIError,
    APITimeoutError,
    APIValidationError,
    AsyncRetrier,
    Category,
    ErrorCode,
    ExternalError,
    NotFoundError,
    RetryPolicy,
    Severity,
    UnauthorizedError,
    catalog,
    decode_error,
)
from virtengine_errors.transport import (
    ERROR_EXTENSION,
    AsyncClient,
    AsyncRetryTransport,
    Client,
    RetryTransport,
    araise_for_error,
    raise_for_error,
)

FAST = RetryPolicy(base_delay=0.01, throttle_base_delay=0.01, max_delay=0.05)
UNAVAILABLE = Reply(503, body=b"")
OK = Reply(200, {"content-type": "application/json"}, b'{"ok": true}')
NOT_FOUND = Reply(
    404,
    {"content-type": "application/json"},
    b'{"error": {"code": "veid:1019", "message": "scope not found"}}',
)


# --- a server that answers with HTTP Digest authentication (RFC 7616, MD5, qop=auth) ---

USER, PASSWORD, REALM, NONCE = "alice", "s3cret", "virtengine", "dcd98b7102dd2f0e8b11d0f600bfb0c093"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class _DigestHandler(BaseHTTPRequestHandler):
    server: DigestServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        authorization = self.headers.get("Authorization", "")
        self.server.seen.append(authorization)
        if self._valid(authorization):
            self._answer(200, b'{"ok": true}', {})
        else:
            challenge = f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5'
            body = b'{"error": {"code": "provider:1030", "message": "authentication required"}}'
            self._answer(401, body, {"WWW-Authenticate": challenge})

    def _valid(self, authorization: str) -> bool:
        if not authorization.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', authorization[len("Digest ") :]))
        ha1 = _md5(f"{USER}:{REALM}:{PASSWORD}")
        ha2 = _md5(f"GET:{fields.get('uri', '')}")
        expected = _md5(
            f"{ha1}:{NONCE}:{fields.get('nc', '')}:{fields.get('cnonce', '')}:auth:{ha2}"
        )
        return fields.get("username") == USER and fields.get("response") == expected

    def _answer(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class DigestServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _DigestHandler)
        self.seen: list[str] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


# --- a forwarding HTTP proxy (absolute-form requests), counting what passes through it ---


class _ProxyHandler(BaseHTTPRequestHandler):
    server: ProxyServer
    protocol_version = "HTTP/1.1"

    def _forward(self) -> None:
        self.server.forwarded.append(f"{self.command} {self.path}")
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() != "proxy-connection"}
        upstream = urllib.request.Request(self.path, body, headers, method=self.command)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(upstream, timeout=10) as answer:
                status, reply_headers, data = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as failure:
            status, reply_headers, data = failure.code, failure.headers, failure.read()
        self.send_response(status)
        for name, value in reply_headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        self.send_header("Via", "1.1 loopback-proxy")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _forward

    def log_message(self, format: str, *args: object) -> None:
        pass


class ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.forwarded: list[str] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@contextmanager
def _running(server: ThreadingHTTPServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def digest_server() -> Iterator[DigestServer]:
    server = DigestServer()
    with _running(server):
        yield server


@pytest.fixture
def proxy() -> Iterator[ProxyServer]:
    server = ProxyServer()
    with _running(server):
        yield server


# --- httpx's transport contract: an error response is a response ---


def test_digest_auth_answers_the_401_through_the_retry_transport(
    digest_server: DigestServer,
) -> None:
    auth = httpx.DigestAuth(USER, PASSWORD)
    with httpx.Client(transport=RetryTransport(policy=FAST), auth=auth) as http:
        response = http.get(digest_server.url + "/leases")
    assert response.status_code == 200 and response.json() == {"ok": True}
    assert len(digest_server.seen) == 2
    assert digest_server.seen[0] == "" and digest_server.seen[1].startswith("Digest ")
    with Client(policy=FAST, auth=auth) as client:  # the raising client, too
        assert client.get(digest_server.url + "/leases").status_code == 200


def test_a_wrong_digest_password_ends_in_the_typed_401(digest_server: DigestServer) -> None:
    auth = httpx.DigestAuth(USER, "wrong")
    with Client(policy=FAST, auth=auth) as client, pytest.raises(UnauthorizedError) as caught:
        client.get(digest_server.url + "/leases")
    assert caught.value.code == "provider:1030" and caught.value.http_status == 401
    assert len(digest_server.seen) == 2  # the challenge was answered once, then refused


def test_response_hooks_see_error_responses(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, NOT_FOUND])
    seen: list[int] = []

    def record(response: httpx.Response) -> None:
        seen.append(response.status_code)

    transport = RetryTransport(policy=FAST)
    with httpx.Client(transport=transport, event_hooks={"response": [record]}) as http:
        response = http.get(server.url + "/scopes/1")
    assert seen == [404] and response.status_code == 404  # the 503 was retried inside
    assert response.json()["error"]["code"] == "veid:1019"  # the body is still there
    assert isinstance(response.extensions[ERROR_EXTENSION], NotFoundError)
    with pytest.raises(NotFoundError) as caught:
        raise_for_error(response)
    assert caught.value.attempts == 2 and caught.value.http_status == 404


def test_raise_for_error_as_a_response_hook_and_on_a_plain_client(scripted: Serve) -> None:
    server = scripted([NOT_FOUND])
    hooks = {"response": [raise_for_error]}
    http = httpx.Client(transport=RetryTransport(), event_hooks=hooks)
    with http, pytest.raises(NotFoundError):
        http.get(server.url + "/a")
    with httpx.Client() as plain:  # no RetryTransport: decoded from the response itself
        response = plain.get(server.url + "/b")
        with pytest.raises(NotFoundError) as caught:
            raise_for_error(response)
    assert caught.value.code == "veid:1019" and caught.value.attempts == 1
    ok = httpx.Response(200, content=b"{}")
    assert raise_for_error(ok) is ok


def test_raise_for_error_reads_a_streamed_body_only_up_to_the_cap(scripted: Serve) -> None:
    server = scripted([Reply(502, {"content-type": "text/plain"}, b"x" * 4096, endless=True)])
    with (
        httpx.Client(timeout=5) as plain,
        plain.stream("GET", server.url + "/s") as response,
        pytest.raises(ExternalError) as caught,
    ):
        raise_for_error(response)
    assert len(caught.value.raw_bytes) == 1024 * 1024


def test_async_hook_and_client(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, NOT_FOUND])

    async def scenario() -> tuple[int, APIError]:
        transport = AsyncRetryTransport(policy=FAST)
        async with httpx.AsyncClient(transport=transport) as http:
            response = await http.get(server.url + "/a")
        async with AsyncClient(policy=FAST) as client:
            try:
                await client.get(server.url + "/b")
            except APIError as error:
                return response.status_code, error
        raise AssertionError("no error")

    status, error = anyio.run(scenario)
    assert status == 404 and isinstance(error, NotFoundError)
    with pytest.raises(NotFoundError):
        anyio.run(araise_for_error, httpx.Response(404, content=NOT_FOUND.body))


# --- proxies go through the retrying transport ---


def test_a_proxy_given_to_the_client_goes_through_the_retries(
    scripted: Serve, proxy: ProxyServer
) -> None:
    server = scripted([UNAVAILABLE, OK])
    with Client(policy=FAST, proxy=proxy.url) as client:
        response = client.get(server.url + "/leases")
    assert response.status_code == 200 and response.headers["via"] == "1.1 loopback-proxy"
    assert proxy.forwarded == [f"GET {server.url}/leases"] * 2  # the retry went through it
    assert server.received[1].headers["retry-attempt"] == "1"
    server = scripted([NOT_FOUND])
    with Client(policy=FAST, proxy=proxy.url) as client, pytest.raises(NotFoundError):
        client.get(server.url + "/scopes/1")


def test_environment_proxies_go_through_the_retries(
    scripted: Serve, proxy: ProxyServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    server = scripted([UNAVAILABLE, OK])
    with Client(policy=FAST) as client:
        assert client.get(server.url + "/env").status_code == 200
    assert len(proxy.forwarded) == 2 and len(server.received) == 2


def test_mounts_are_wrapped_too(scripted: Serve, proxy: ProxyServer) -> None:
    server = scripted([UNAVAILABLE, OK])
    mounts = {"http://": httpx.HTTPTransport(proxy=proxy.url)}
    with Client(policy=FAST, mounts=mounts, trust_env=False) as client:
        assert client.get(server.url + "/m").status_code == 200
    assert len(proxy.forwarded) == 2


# --- trio ---


def test_async_retries_under_trio(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, OK])

    async def scenario() -> int:
        async with AsyncClient(policy=FAST) as client:
            response = await client.get(server.url + "/trio")
            return response.status_code

    assert anyio.run(scenario, backend="trio") == 200
    assert len(server.received) == 2


def test_the_async_retrier_sleeps_under_trio() -> None:
    attempts: list[int] = []

    async def send(attempt: int, timeout: float | None) -> str:
        attempts.append(attempt)
        if attempt == 1:
            raise decode_error(503, {"retry-after": "0.05"}, b"")
        return "done"

    async def scenario() -> str:
        return await AsyncRetrier(FAST).call(send)

    assert anyio.run(scenario, backend="trio") == "done" and attempts == [1, 2]


def test_a_reused_request_sends_no_stale_retry_attempt(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, OK, OK])
    with httpx.Client(transport=RetryTransport(policy=FAST)) as http:
        request = http.build_request("GET", server.url + "/again")
        assert http.send(request).status_code == 200
        assert http.send(request).status_code == 200
    attempts = [r.headers.get("retry-attempt") for r in server.received]
    assert attempts == [None, "1", None]


# --- names, types and modules ---


def test_no_exported_name_shadows_a_builtin_or_pydantic() -> None:
    namespace: dict[str, object] = {}
    exec("from virtengine_errors import *", namespace)
    assert not set(namespace) & set(dir(builtins)) - {"__builtins__"}
    assert "ValidationError" not in namespace and "TimeoutError" not in namespace
    assert APIValidationError is not pydantic.ValidationError
    assert virtengine_errors.ERROR_TYPES["timeout"] is APITimeoutError
    assert virtengine_errors.ERROR_TYPES["validation"] is APIValidationError
    error = decode_error(504, {}, b"")
    assert isinstance(error, APITimeoutError) and not isinstance(error, builtins.TimeoutError)


def _submodules() -> list[str]:
    package = virtengine_errors.__path__
    return ["virtengine_errors"] + [
        f"virtengine_errors.{info.name}" for info in pkgutil.iter_modules(package)
    ]


def test_one_public_error_code_class() -> None:
    found = {
        getattr(importlib.import_module(name), "ErrorCode", None) for name in _submodules()
    } - {None}
    assert found == {ErrorCode}


def test_every_submodule_declares_all() -> None:
    for name in _submodules():
        module = importlib.import_module(name)
        exported = getattr(module, "__all__", None)
        assert isinstance(exported, list) and exported, name
        assert all(hasattr(module, member) for member in exported), name
        defined_here = {
            attribute
            for attribute, value in vars(module).items()
            if not attribute.startswith("_")
            and (inspect.isclass(value) or inspect.isfunction(value))
            and value.__module__ == name
        }
        assert defined_here <= set(exported), (name, defined_here - set(exported))


def test_category_and_severity_are_the_enums_and_unknown_strings_are_kept() -> None:
    assert typing.get_type_hints(ErrorCode)["category"] is Category
    assert typing.get_type_hints(ErrorCode)["severity"] is Severity
    assert catalog.VEID_ML_INFERENCE_FAILED.category is Category.EXTERNAL
    known = decode_error(404, {}, NOT_FOUND.body)
    assert known.category is Category.NOT_FOUND and known.severity is Severity.INFO
    assert known.category == "not_found"  # a StrEnum: still equal to the wire string
    body = b'{"error": {"code": "x:1", "message": "m", "category": "quantum", "severity": "dire"}}'
    unknown = decode_error(500, {}, body)
    assert (unknown.category, unknown.severity) == ("quantum", "dire")
    assert type(unknown.category) is str and type(unknown.severity) is str
    hints = typing.get_type_hints(APIError.__init__)
    assert hints["category"] == Category | str | None
    assert hints["severity"] == Severity | str


def test_importing_the_transport_without_httpx_says_which_extra_to_install() -> None:
    probe = (
        "import sys; sys.modules['httpx'] = None\n"
        "try:\n    import virtengine_errors.transport\n"
        "except ImportError as error:\n    print(error)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert "pip install 'virtengine-errors[httpx]'" in run.stdout
    assert "virtengine_errors.transport needs httpx" in run.stdout


# --- Retry-After in the obsolete HTTP-date forms RFC 9110 says a recipient must accept ---


@pytest.mark.parametrize(
    "form",
    [
        "%a, %d %b %Y %H:%M:%S GMT",  # IMF-fixdate
        "%A, %d-%b-%y %H:%M:%S GMT",  # RFC 850
        "%a %b %e %H:%M:%S %Y",  # asctime
    ],
)
def test_retry_after_in_every_http_date_form(form: str) -> None:
    moment = datetime(2031, 11, 6, 8, 49, 37, tzinfo=UTC)
    header = moment.strftime(form)
    error = decode_error(503, {"retry-after": header}, b"", now=moment.timestamp() - 30)
    assert error.retry_after == 30.0, header


# --- gRPC statuses (contract 1.12), the same results as the Go client's FromGRPCStatus ---


def test_error_from_grpc_status() -> None:
    assert virtengine_errors.error_from_grpc_status(0, "") is None
    known = virtengine_errors.error_from_grpc_status(2, "codespace veid code 1036: boom")
    assert known is not None and known.code == "veid:1036" and known.message == "boom"
    assert known.shape == "grpc" and known.http_status is None
    # the registry's (veid:1036 wraps the ML scorer: external), not Unknown's (none)
    assert known.category is Category.EXTERNAL and known.retryable
    alone = virtengine_errors.error_from_grpc_status(5, "codespace nope code 7")
    assert alone is not None and isinstance(alone, NotFoundError)  # NotFound's category
    assert alone.message == "nope:7" and alone.code == "nope:7"
    unknown = virtengine_errors.error_from_grpc_status(2, "rpc error: code = Unknown desc = x")
    assert unknown is not None and type(unknown) is APIError and unknown.message == "x"
    assert unknown.severity is Severity.ERROR and not unknown.retryable
