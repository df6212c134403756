"""The httpx transports against a real HTTP server on loopback (no mock transport)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest
from pyclient_support import SLACK, Reply, Serve
from virtengine_errors import (
    APIConnectionError,
    APIError,
    ExternalError,
    NotFoundError,
    RateLimitError,
    RetryBudget,
    RetryPolicy,
    catalog,
)
from virtengine_errors.transport import (
    AsyncClient,
    AsyncRetryTransport,
    Client,
    RetryTransport,
    araise_for_error,
    call_options,
    raise_for_error,
)

FAST = RetryPolicy(base_delay=0.01, throttle_base_delay=0.01, max_delay=0.05)
UNAVAILABLE = Reply(503, body=b"")
OK = Reply(200, {"content-type": "application/json"}, b'{"ok": true}')
MiB = 1024 * 1024


HOOKS = {"response": [raise_for_error]}
AHOOKS = {"response": [araise_for_error]}


def client(**options: object) -> httpx.Client:
    """The package's client: retries in every transport, typed errors raised."""
    return Client(policy=FAST, **options)


def test_503_then_200_succeeds_after_one_retry(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, OK])
    with client() as http:
        response = http.get(server.url + "/leases")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert [r.method for r in server.received] == ["GET", "GET"]
    assert "retry-attempt" not in server.received[0].headers
    assert server.received[1].headers["retry-attempt"] == "1"


def test_post_without_key_is_not_retried_on_503(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, OK])
    with client() as http, pytest.raises(ExternalError) as caught:
        http.post(server.url + "/orders", json={"sku": "gpu"})
    assert len(server.received) == 1
    assert caught.value.attempts == 1
    assert caught.value.http_status == 503


def test_post_without_key_is_retried_on_429(scripted: Serve) -> None:
    server = scripted([Reply(429, body=b""), OK])
    with client() as http:
        assert http.post(server.url + "/orders", json={}).status_code == 200
    assert len(server.received) == 2
    assert "idempotency-key" not in server.received[1].headers


def test_the_same_idempotency_key_arrives_on_every_attempt(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, UNAVAILABLE, OK])
    with client() as http:
        http.post(server.url + "/orders", json={}, extensions=call_options(idempotency_key=True))
    keys = [r.headers.get("idempotency-key") for r in server.received]
    assert len(keys) == 3 and keys[0] and len(set(keys)) == 1
    assert [r.headers.get("retry-attempt") for r in server.received] == [None, "1", "2"]


def test_a_caller_key_and_a_transport_default_key(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, OK])
    with client() as http:
        http.post(server.url + "/a", extensions=call_options(idempotency_key="order-7"))
    assert [r.headers["idempotency-key"] for r in server.received] == ["order-7", "order-7"]
    server = scripted([UNAVAILABLE, OK])
    with client(idempotency_keys=True) as http:
        http.patch(server.url + "/b")
    assert len(server.received) == 2 and server.received[0].headers["idempotency-key"]


def test_retry_after_one_second_is_honoured(scripted: Serve) -> None:
    server = scripted([Reply(429, {"Retry-After": "1"}, b""), OK])
    with client() as http:
        http.get(server.url + "/quota")
    gap = server.received[1].at - server.received[0].at
    assert 1.0 <= gap < 1.5


def test_async_call_cancelled_during_backoff_stops_at_once(scripted: Serve) -> None:
    server = scripted([Reply(503, {"Retry-After": "30"}, b""), OK])

    async def scenario() -> float:
        async with AsyncClient(policy=FAST) as http:
            task = asyncio.create_task(http.get(server.url + "/slow"))
            while not server.received:
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.05)  # now inside the 30 s backoff sleep
            cancelled_at = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - cancelled_at

    assert asyncio.run(scenario()) < SLACK
    assert len(server.received) == 1


def test_a_deadline_stops_retries(scripted: Serve) -> None:
    server = scripted([Reply(503, {"Retry-After": "2"}, b"")])
    started = time.monotonic()
    with client() as http, pytest.raises(ExternalError) as caught:
        http.get(server.url + "/x", extensions=call_options(deadline=1.0))
    assert time.monotonic() - started < 0.5  # it did not sleep 2 s past the deadline
    assert caught.value.attempts == 1 and len(server.received) == 1


def test_a_deadline_reached_between_attempts(scripted: Serve) -> None:
    server = scripted([Reply(503, {"Retry-After": "0.2"}, b"")])
    policy = RetryPolicy(max_attempts=100, deadline=0.5)
    http = httpx.Client(transport=RetryTransport(policy=policy), event_hooks=HOOKS)
    with http, pytest.raises((ExternalError, APIConnectionError)) as caught:
        http.get(server.url + "/x")
    error = caught.value
    assert error.stop_reason == "deadline"
    assert error.attempts == len(server.received)
    assert 2 <= error.attempts <= 3  # 0.2 s apart; a 4th would end past 0.5 s
    if isinstance(error, APIConnectionError):  # a slow last attempt cut at the deadline
        assert error.phase == "timeout" and isinstance(error.last_api_error, ExternalError)


class CountingTransport(httpx.HTTPTransport):
    """The real transport, counting the body bytes the wrapper pulls from the socket."""

    pulled = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        inner = response.stream
        outer = self

        class Counted(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                for chunk in inner:  # type: ignore[union-attr]
                    outer.pulled += len(chunk)
                    yield chunk

            def close(self) -> None:
                inner.close()  # type: ignore[union-attr]

        response.stream = Counted()
        return response


def test_a_5mb_html_error_body_is_read_only_up_to_the_cap(scripted: Serve) -> None:
    html = b"<html>" + b"x" * (5 * MiB) + b"</html>"
    server = scripted([Reply(502, {"content-type": "text/html"}, html)])
    counting = CountingTransport()
    transport = RetryTransport(counting, policy=RetryPolicy(max_attempts=1))
    with httpx.Client(transport=transport) as http, pytest.raises(ExternalError) as caught:
        raise_for_error(http.get(server.url + "/proxy"))
    assert len(caught.value.raw_bytes) == MiB  # the registry's max_error_body_bytes
    assert caught.value.raw_body.startswith("<html>")
    assert MiB <= counting.pulled < MiB + 256 * 1024
    assert caught.value.from_envelope is False


def test_an_endless_error_body_is_cut_at_the_cap_and_does_not_hang(scripted: Serve) -> None:
    server = scripted([Reply(500, {"content-type": "text/plain"}, b"y" * 8192, endless=True)])
    transport = RetryTransport(policy=RetryPolicy(max_attempts=1), max_error_body_bytes=100_000)
    started = time.monotonic()
    with httpx.Client(transport=transport, timeout=5) as http, pytest.raises(APIError) as caught:
        raise_for_error(http.get(server.url + "/forever"))
    assert time.monotonic() - started < 3
    assert len(caught.value.raw_bytes) == 100_000


def test_an_endless_body_async(scripted: Serve) -> None:
    server = scripted([Reply(503, {}, b"z" * 4096, endless=True)])

    async def scenario() -> APIError:
        transport = AsyncRetryTransport(policy=RetryPolicy(max_attempts=1))
        async with httpx.AsyncClient(transport=transport, timeout=5) as http:
            try:
                await araise_for_error(await http.get(server.url + "/forever"))
            except APIError as err:
                return err
        raise AssertionError("no error")

    error = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert len(error.raw_bytes) == MiB


def test_a_retry_after_of_10_to_the_12_seconds_stops_at_once(scripted: Serve) -> None:
    server = scripted([Reply(503, {"Retry-After": str(10**12)}, b""), OK])
    started = time.monotonic()
    with client() as http, pytest.raises(ExternalError) as caught:
        http.get(server.url + "/later")
    assert time.monotonic() - started < 1
    assert caught.value.retry_after == 10**12
    assert len(server.received) == 1


def test_typed_error_from_an_envelope(scripted: Serve) -> None:
    body = {"error": {"code": "veid:1036", "message": "ML inference failed", "context": {"a": 1}}}
    body["error"]["category"] = "not_found"  # the envelope's own category wins
    server = scripted([Reply(404, {"x-request-id": "req-9"}, json.dumps(body).encode())])
    with client() as http, pytest.raises(NotFoundError) as caught:
        http.get(server.url + "/model")
    error = caught.value
    assert str(error) == "veid:1036: ML inference failed"
    assert error.matches(catalog.VEID_ML_INFERENCE_FAILED)
    assert error.request_id == "req-9" and error.context == {"a": 1}


def test_connection_refused_is_a_connection_error_chained_to_httpx() -> None:
    http = httpx.Client(transport=RetryTransport(policy=FAST))
    with http, pytest.raises(APIConnectionError) as caught:
        http.post("http://127.0.0.1:9/nothing-listens-here")
    error = caught.value
    assert error.phase == "connect" and not error.request_sent
    assert error.attempts == 3  # a connect failure is retried even for POST
    assert isinstance(error.__cause__, httpx.ConnectError)


def test_the_budget_is_shared_by_the_calls_of_one_client(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE])
    budget = RetryBudget(tokens=20)
    with Client(policy=FAST, budget=budget) as http:
        with pytest.raises(ExternalError) as first:
            http.get(server.url + "/a")
        with pytest.raises(ExternalError) as second:
            http.get(server.url + "/b")
    assert first.value.attempts == 2  # one retry (14 tokens), then 6 left: too few
    assert second.value.attempts == 1
    assert budget.tokens == 6


def test_rate_limit_errors_are_typed(scripted: Serve) -> None:
    server = scripted([Reply(429, {"retry-after-ms": "5"}, b"")])
    with client() as http, pytest.raises(RateLimitError) as caught:
        http.get(server.url + "/q")
    assert caught.value.attempts == 3 and caught.value.retry_after == 0.005


def test_async_503_then_200(scripted: Serve) -> None:
    server = scripted([UNAVAILABLE, OK])

    async def scenario() -> int:
        async with httpx.AsyncClient(transport=AsyncRetryTransport(policy=FAST)) as http:
            response = await http.post(
                server.url + "/o", extensions=call_options(idempotency_key=True)
            )
            return response.status_code

    assert asyncio.run(scenario()) == 200
    assert server.received[1].headers["retry-attempt"] == "1"
