"""The ``grpc`` extra (contract 1.12) against a real grpcio server on 127.0.0.1.

The server is a generic handler with raw bytes messages (no protoc): each request is a
JSON script, ``{"code": 5, "message": "...", "before": 2}``, which makes the handler send
``before`` messages (streams) and then end with that status, or answer ``ok`` when
``code`` is 0. Every kind of call goes through ``ErrorInterceptor`` on a real channel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest
from virtengine_errors import (
    APIError,
    APITimeoutError,
    ExternalError,
    InternalError,
    NotFoundError,
    Retrier,
    RetryPolicy,
    StateError,
)
from virtengine_errors.grpc import ErrorInterceptor, error_from_rpc_error, rpc_error_of

SERVICE = "virtengine.test.Probe"
# mfa:1225 is internal (not UNAVAILABLE's external) and retryable by its registry override
KNOWN = "codespace mfa code 1225: no entropy"


def script(code: int = 0, message: str = "", before: int = 0, **extra: Any) -> bytes:
    return json.dumps({"code": code, "message": message, "before": before, **extra}).encode()


def _finish(request: dict[str, Any], context: grpc.ServicerContext) -> bytes:
    if request.get("sleep"):
        threading.Event().wait(request["sleep"])
    if request["code"] == 0:
        return b"ok"
    context.set_trailing_metadata((("x-request-id", "req-7"),))
    status = next(s for s in grpc.StatusCode if s.value[0] == request["code"])
    context.abort(status, request["message"])


def _unary(request: bytes, context: grpc.ServicerContext) -> bytes:
    return _finish(json.loads(request), context)


def _server_stream(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
    scripted = json.loads(request)
    for n in range(scripted["before"]):
        yield f"message {n}".encode()
    yield _finish(scripted, context)


def _client_stream(requests: Iterator[bytes], context: grpc.ServicerContext) -> bytes:
    *_, last = requests  # the last request is the script
    return _finish(json.loads(last), context)


def _bidi(requests: Iterator[bytes], context: grpc.ServicerContext) -> Iterator[bytes]:
    for request in requests:
        scripted = json.loads(request)
        if scripted["code"] != 0:
            yield _finish(scripted, context)
        yield b"echo"


class Probe:
    """What a test calls: one callable of each kind on an intercepted channel."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.unary: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(
            f"/{SERVICE}/Unary"
        )
        self.server_stream: grpc.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(
            f"/{SERVICE}/ServerStream"
        )
        self.client_stream: grpc.StreamUnaryMultiCallable[bytes, bytes] = channel.stream_unary(
            f"/{SERVICE}/ClientStream"
        )
        self.bidi: grpc.StreamStreamMultiCallable[bytes, bytes] = channel.stream_stream(
            f"/{SERVICE}/Bidi"
        )


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        "Unary": grpc.unary_unary_rpc_method_handler(_unary),
        "ServerStream": grpc.unary_stream_rpc_method_handler(_server_stream),
        "ClientStream": grpc.stream_unary_rpc_method_handler(_client_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(_bidi),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(grace=None)


@pytest.fixture
def probe(address: str) -> Iterator[Probe]:
    with grpc.insecure_channel(address) as channel:
        yield Probe(grpc.intercept_channel(channel, ErrorInterceptor()))


# ----- unary calls -----


def test_a_status_naming_a_registered_code_raises_that_codes_error(probe: Probe) -> None:
    with pytest.raises(InternalError) as caught:
        probe.unary(script(14, KNOWN))  # UNAVAILABLE, but the registry knows the code
    error = caught.value
    assert (error.code, error.module, error.number) == ("mfa:1225", "mfa", 1225)
    assert (error.message, error.shape, error.http_status) == ("no entropy", "grpc", None)
    assert error.retryable is True and error.severity == "critical"
    # the status stays reachable
    rpc_error = rpc_error_of(error)
    assert rpc_error is error.__cause__ and isinstance(rpc_error, grpc.Call)
    assert rpc_error.code() is grpc.StatusCode.UNAVAILABLE
    assert rpc_error.details() == KNOWN
    assert ("x-request-id", "req-7") in rpc_error.trailing_metadata()


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        (5, NotFoundError),
        (9, StateError),
        (14, ExternalError),
        (2, APIError),  # UNKNOWN says nothing about the category
    ],
)
def test_an_unknown_code_takes_the_category_of_the_grpc_code(
    probe: Probe, code: int, error_type: type[APIError]
) -> None:
    with pytest.raises(APIError) as caught:
        probe.unary(script(code, "lease 12 is gone"))
    assert type(caught.value) is error_type
    assert (caught.value.code, caught.value.message) == (None, "lease 12 is gone")


def test_an_unknown_code_with_nothing_after_it_is_its_own_message(probe: Probe) -> None:
    with pytest.raises(NotFoundError) as caught:
        probe.unary(script(5, "codespace quasar code 7"))
    assert (caught.value.code, caught.value.number, caught.value.message) == (
        "quasar:7",
        7,
        "quasar:7",
    )


def test_successful_calls_pass_unchanged(probe: Probe) -> None:
    assert probe.unary(script()) == b"ok"
    response, call = probe.unary.with_call(script())
    assert response == b"ok" and call.code() is grpc.StatusCode.OK
    assert probe.unary.future(script()).result(timeout=5) == b"ok"


def test_with_call_and_futures_raise_the_typed_error(probe: Probe) -> None:
    with pytest.raises(NotFoundError):
        probe.unary.with_call(script(5, "gone"))
    future = probe.unary.future(script(5, "gone"))
    assert isinstance(future.exception(timeout=5), NotFoundError)
    with pytest.raises(NotFoundError) as caught:
        future.result(timeout=5)
    assert caught.value is future.exception()  # one error per call
    assert future.code() is grpc.StatusCode.NOT_FOUND and future.details() == "gone"
    done = threading.Event()
    seen: list[BaseException | None] = []

    def on_done(finished: grpc.Future[Any]) -> None:
        seen.append(finished.exception())
        done.set()

    probe.unary.future(script(9, "closed")).add_done_callback(on_done)
    assert done.wait(5) and isinstance(seen[0], StateError)


def test_the_clients_own_deadline_is_a_timeout(probe: Probe) -> None:
    with pytest.raises(APITimeoutError) as caught:
        probe.unary(script(sleep=2), timeout=0.2)
    rpc_error = rpc_error_of(caught.value)
    assert rpc_error is not None and rpc_error.code() is grpc.StatusCode.DEADLINE_EXCEEDED


# ----- streams -----


def test_a_response_stream_raises_the_typed_error_after_its_messages(probe: Probe) -> None:
    call = probe.server_stream(script(5, "codespace veid code 1019: scope gone", before=2))
    received: list[bytes] = []
    with pytest.raises(APIError) as caught:
        received.extend(call)
    assert received == [b"message 0", b"message 1"]
    assert caught.value.code == "veid:1019" and caught.value.shape == "grpc"
    assert call.code() is grpc.StatusCode.NOT_FOUND
    assert list(probe.server_stream(script(before=1))) == [b"message 0", b"ok"]


def test_a_request_stream_raises_the_typed_error(probe: Probe) -> None:
    with pytest.raises(InternalError) as caught:
        probe.client_stream(iter([b"{}", script(13, KNOWN)]))
    assert caught.value.code == "mfa:1225"
    assert probe.client_stream(iter([script()])) == b"ok"
    future = probe.client_stream.future(iter([script(5, "gone")]))
    assert isinstance(future.exception(timeout=5), NotFoundError)


def test_a_bidirectional_stream_raises_the_typed_error(probe: Probe) -> None:
    call = probe.bidi(iter([script(), script(), script(8, "slow down")]))
    assert next(call) == b"echo" and next(call) == b"echo"
    with pytest.raises(APIError) as caught:
        next(call)
    assert caught.value.category == "rate_limit" and caught.value.message == "slow down"
    rpc_error = rpc_error_of(caught.value)
    assert rpc_error is not None and rpc_error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


# ----- conversion and retries -----


def test_errors_without_a_status_are_not_converted() -> None:
    assert error_from_rpc_error(ValueError("no status")) is None
    assert error_from_rpc_error(grpc.RpcError()) is None  # no code(): no Call
    assert rpc_error_of(ValueError("plain")) is None


def test_the_retrier_retries_a_retryable_status(probe: Probe) -> None:
    attempts: list[int] = []

    def send(attempt: int, timeout: float | None) -> bytes:
        attempts.append(attempt)
        request = script(14, "node restarting") if attempt == 1 else script()
        response: bytes = probe.unary(request, timeout=timeout)
        return response

    policy = RetryPolicy(base_delay=0.001, max_delay=0.01)
    assert Retrier(policy, sleep=lambda _: None).call(send) == b"ok"
    assert attempts == [1, 2]
    with pytest.raises(NotFoundError) as caught:  # not retryable: one attempt
        Retrier(policy, sleep=lambda _: None).call(lambda *_: probe.unary(script(5, "gone")))
    assert caught.value.attempts == 1 and caught.value.stop_reason == "not_retryable"


def test_importing_the_adapter_without_grpcio_says_which_extra_to_install() -> None:
    probe = (
        "import sys; sys.modules['grpc'] = None\n"
        "try:\n    import virtengine_errors.grpc\n"
        "except ImportError as error:\n    print(error)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    assert "pip install 'virtengine-errors[grpc]'" in run.stdout
    assert "virtengine_errors.grpc needs grpcio" in run.stdout
