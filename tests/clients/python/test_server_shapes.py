"""Every body the platform's servers send, through the real httpx transports on loopback.

The chain's REST gateway, the rate-limit middleware, the provider portal and plain
``http.Error`` handlers answer in their own shapes (docs/client-behaviour.md 1.3); a
rejected transaction comes back with HTTP 200 (1.11). Each must end as the same typed
error, with the same code and retryability, as the documented envelope would give.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from pyclient_support import Reply, Serve
from virtengine_errors import (
    APIError,
    APIValidationError,
    ExternalError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    StateError,
    catalog,
    error_from_abci,
    error_from_tx_response,
)
from virtengine_errors.transport import (
    AsyncRetryTransport,
    RetryTransport,
    araise_for_error,
    raise_for_error,
)

FAST = RetryPolicy(base_delay=0.01, throttle_base_delay=0.01, max_delay=0.05)
ONCE = RetryPolicy(max_attempts=1)
JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain; charset=utf-8"}
OK = Reply(200, JSON, b'{"ok": true}')


def gateway(grpc_code: int, message: str) -> bytes:
    return json.dumps({"code": grpc_code, "message": message, "details": []}).encode()


def client(policy: RetryPolicy = FAST) -> httpx.Client:
    """httpx's own client; typed errors from a response event hook."""
    hooks = {"response": [raise_for_error]}
    return httpx.Client(transport=RetryTransport(policy=policy), timeout=10, event_hooks=hooks)


# ----- the chain's REST gateway -----


def test_gateway_500_with_a_registered_code_is_the_registry_error(scripted: Serve) -> None:
    body = gateway(2, "codespace veid code 1036: ML inference failed: model scorer-v2")
    server = scripted([Reply(500, JSON, body)])
    # veid:1036 wraps the ML scorer sidecar call: external, whatever the 500 says
    with client(ONCE) as http, pytest.raises(ExternalError) as caught:
        http.get(server.url + "/veid/scores")
    error = caught.value
    assert error.matches(catalog.VEID_ML_INFERENCE_FAILED)
    assert (error.code, error.module, error.number) == ("veid:1036", "veid", 1036)
    assert error.message == "ML inference failed: model scorer-v2"
    assert str(error) == "veid:1036: ML inference failed: model scorer-v2"
    # gRPC Unknown and HTTP 500 say "not retryable"; the registry's entry says retryable
    assert error.retryable is True and error.severity == "error"
    assert (error.category, error.http_status) == ("external", 500)
    assert (error.shape, error.from_envelope, error.http_status) == ("grpc_gateway", False, 500)


def test_gateway_500_retryable_by_the_registry_is_retried(scripted: Serve) -> None:
    server = scripted([Reply(500, JSON, gateway(2, "codespace veid code 1036")), OK])
    with client() as http:
        response = http.get(server.url + "/veid/scores")
    assert response.status_code == 200
    assert len(server.received) == 2
    assert server.received[1].headers["retry-attempt"] == "1"


def test_gateway_404_plain_status_takes_its_category_from_the_grpc_code(scripted: Serve) -> None:
    body = gateway(5, "rpc error: code = NotFound desc = account cosmos1xyz not found")
    server = scripted([Reply(404, JSON, body)])
    with client() as http, pytest.raises(NotFoundError) as caught:
        http.get(server.url + "/cosmos/auth/v1beta1/accounts/cosmos1xyz")
    error = caught.value
    assert error.code is None and error.message == "account cosmos1xyz not found"
    assert error.retryable is False and error.attempts == 1
    assert error.shape == "grpc_gateway"
    assert len(server.received) == 1  # a GET, but not retryable: sent once


def test_gateway_failed_precondition_is_a_state_error_despite_400(scripted: Serve) -> None:
    server = scripted([Reply(400, JSON, gateway(9, "order closed"))])
    with client() as http, pytest.raises(StateError) as caught:
        http.get(server.url + "/orders/7")
    assert caught.value.category == "state" and caught.value.http_status == 400


def test_gateway_async(scripted: Serve) -> None:
    server = scripted([Reply(404, JSON, gateway(5, "codespace veid code 1019: scope not found"))])

    async def scenario() -> APIError:
        transport = AsyncRetryTransport(policy=FAST)
        hooks = {"response": [araise_for_error]}
        async with httpx.AsyncClient(transport=transport, timeout=10, event_hooks=hooks) as http:
            try:
                await http.get(server.url + "/veid/scopes/abc")
            except APIError as error:
                return error
        raise AssertionError("no error")

    error = asyncio.run(asyncio.wait_for(scenario(), 10))
    assert isinstance(error, NotFoundError)
    assert (error.code, error.message, error.shape) == (
        "veid:1019",
        "scope not found",
        "grpc_gateway",
    )


# ----- the rate-limit middleware -----


def _rate_limited(headers: dict[str, str]) -> Reply:
    body = {
        "error": "rate_limit_exceeded",
        "message": "rate limit exceeded: 100 requests per minute",
        "limit": 100,
        "remaining": 0,
        "reset_at": "2026-01-01T00:00:30Z",
        "retry_after": 30,
    }
    return Reply(429, {**JSON, **headers}, json.dumps(body).encode())


def test_rate_limit_body_with_its_headers(scripted: Serve) -> None:
    reset = str(int(time.time()) + 30)
    headers = {
        "Retry-After": "30",
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset,
    }
    server = scripted([_rate_limited(headers)])
    with client(ONCE) as http, pytest.raises(RateLimitError) as caught:
        http.post(server.url + "/api/v1/deployments", json={})
    error = caught.value
    assert error.code is None and error.retryable is True
    assert error.message == "rate limit exceeded: 100 requests per minute"
    assert error.retry_after == 30
    assert error.shape == "error_member"
    assert error.context is not None
    assert error.context["limit"] == 100 and error.context["remaining"] == 0
    assert "error" not in error.context and "message" not in error.context


def test_x_ratelimit_reset_alone_paces_the_retry_of_a_post(scripted: Serve) -> None:
    # services other than the chain send seconds from now; the hint outweighs the backoff
    server = scripted([_rate_limited({"X-RateLimit-Reset": "0.2"}), OK])
    with client() as http:
        response = http.post(server.url + "/api/v1/deployments", json={})
    assert response.status_code == 200
    first, second = server.received
    assert second.at - first.at >= 0.2


def test_a_rate_limit_hint_past_the_policy_limit_stops(scripted: Serve) -> None:
    reset = str(int(time.time()) + 3600)  # a Unix time an hour away
    server = scripted([_rate_limited({"X-RateLimit-Reset": reset}), OK])
    with client() as http, pytest.raises(RateLimitError) as caught:
        http.get(server.url + "/q")
    assert caught.value.retry_after is not None and caught.value.retry_after > 3500
    assert len(server.received) == 1


# ----- the provider portal and small services -----


def test_portal_error_string(scripted: Serve) -> None:
    server = scripted([Reply(404, JSON, b'{"error": "deployment not found"}')])
    with client() as http, pytest.raises(NotFoundError) as caught:
        http.get(server.url + "/portal/deployments/9")
    error = caught.value
    assert (error.code, error.message, error.context) == (None, "deployment not found", None)
    assert str(error) == "deployment not found"
    assert error.shape == "error_member" and error.retryable is False
    assert len(server.received) == 1


def test_portal_error_string_with_a_code(scripted: Serve) -> None:
    body = b'{"error": "veid:1001: invalid scope"}'
    server = scripted([Reply(400, JSON, body)])
    with client() as http, pytest.raises(APIValidationError) as caught:
        http.get(server.url + "/portal/scopes")
    assert caught.value.matches("veid:1001")
    assert caught.value.message == "invalid scope"


# ----- plain text (http.Error) -----


def test_plain_text_body(scripted: Serve) -> None:
    server = scripted([Reply(404, TEXT, b"scope not found\n")])
    with client() as http, pytest.raises(NotFoundError) as caught:
        http.get(server.url + "/scopes/x")
    error = caught.value
    assert (error.code, error.message, error.shape) == (None, "scope not found", "text")
    assert error.raw_body == "scope not found\n"


def test_plain_text_with_a_code_is_retried_as_the_registry_says(scripted: Serve) -> None:
    server = scripted([Reply(500, TEXT, b"veid:1036: ML inference failed\n")])
    policy = RetryPolicy(max_attempts=2, base_delay=0.01)
    with client(policy) as http, pytest.raises(ExternalError) as caught:
        http.get(server.url + "/veid/scores")
    error = caught.value
    assert error.code == "veid:1036" and error.message == "ML inference failed"
    assert error.retryable is True and error.attempts == 2
    assert len(server.received) == 2


def test_html_from_a_proxy_is_still_not_text(scripted: Serve) -> None:
    server = scripted([Reply(502, {"content-type": "text/html"}, b"<html>Bad Gateway</html>")])
    with client(ONCE) as http, pytest.raises(APIError) as caught:
        http.get(server.url + "/")
    assert caught.value.shape == "none" and caught.value.message == "HTTP 502 Bad Gateway"


# ----- a rejected transaction: HTTP 200 -----


def test_a_rejected_transaction_is_a_success_for_the_transport(scripted: Serve) -> None:
    tx = {
        "tx_response": {
            "height": "0",
            "txhash": "AB12",
            "codespace": "veid",
            "code": 1036,
            "raw_log": "ML inference failed",
            "gas_wanted": "200000",
            "gas_used": "51234",
        }
    }
    server = scripted([Reply(200, JSON, json.dumps(tx).encode())])
    with client() as http:
        response = http.post(server.url + "/cosmos/tx/v1beta1/txs", json={"tx_bytes": "AA=="})
    assert response.status_code == 200
    assert len(server.received) == 1
    error = error_from_tx_response(response.content)
    assert isinstance(error, ExternalError)
    assert error.matches(catalog.VEID_ML_INFERENCE_FAILED)
    assert (error.message, error.retryable) == ("ML inference failed", True)
    assert error.severity == "error"
    assert (error.http_status, error.shape, error.from_envelope) == (None, "abci", False)
    assert str(error) == "veid:1036: ML inference failed"
    assert error.raw_bytes == response.content  # the body is kept, as for a response
    # the parsed body gives the same error
    parsed = error_from_tx_response(response.json())
    assert parsed is not None and (type(parsed), parsed.code) == (ExternalError, "veid:1036")


def test_a_committed_transaction_gives_no_error(scripted: Serve) -> None:
    body = b'{"tx_response": {"height": "12", "codespace": "", "code": 0, "raw_log": ""}}'
    server = scripted([Reply(200, JSON, body)])
    with client() as http:
        response = http.post(server.url + "/cosmos/tx/v1beta1/txs", json={})
    assert error_from_tx_response(response.content) is None


# ----- the transaction helpers beyond the shared vectors -----


def test_error_from_abci_can_be_raised_and_caught_by_category() -> None:
    error = error_from_abci("sdk", 32, "account sequence mismatch, expected 12, got 11")
    assert isinstance(error, StateError)
    with pytest.raises(StateError):
        raise error
    assert error_from_abci("veid", 0, "ok") is None


@pytest.mark.parametrize(
    "code",
    [True, False, "1036", None, -1, 2**32, 1036.5, [1036], {"n": 1036}],
    ids=repr,
)
def test_a_tx_response_code_that_is_no_abci_code_gives_no_error(code: object) -> None:
    body = json.dumps({"tx_response": {"codespace": "veid", "code": code, "raw_log": "x"}})
    assert error_from_tx_response(body) is None


def test_a_tx_response_code_written_as_a_whole_float_counts() -> None:
    error = error_from_tx_response(b'{"tx_response": {"codespace": "veid", "code": 1036.0}}')
    assert error is not None and error.code == "veid:1036" and error.number == 1036


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"tx_response": []}',
        b'{"tx_response": {"code": 5}} x',
        "{" * 10_000,
    ],
    ids=repr,
)
def test_tx_response_never_raises(body: bytes | str) -> None:
    assert error_from_tx_response(body) is None


def test_tx_response_with_invalid_utf8_in_the_log() -> None:
    body = b'{"tx_response": {"codespace": "veid", "code": 1019, "raw_log": "scope \xff gone"}}'
    error = error_from_tx_response(body)
    assert isinstance(error, NotFoundError) and error.message == "scope \ufffd gone"
