"""What the fast paths of issue 19 must keep: the decoder's header names, the code
prefixes it reads with str methods, the request the retry hooks see (built only when an
attempt fails), the stale Retry-Attempt a reused request drops, and the budget's refund."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import virtengine_errors.transport as transport_module
from virtengine_errors import (
    ExternalError,
    RetryBudget,
    RetryPolicy,
    RetryRequest,
    catalog,
    decode_error,
    error_from_grpc_status,
)
from virtengine_errors.transport import RetryTransport, call_options, raise_for_error

FAST = RetryPolicy(base_delay=0.0, throttle_base_delay=0.0, max_delay=0.0)


def gateway(text: str) -> bytes:
    return json.dumps({"code": 2, "message": text}).encode()


# ----- decoding -----


def test_a_dict_of_lower_case_names_is_copied_not_shared() -> None:
    headers = {"x-request-id": "req-1", "retry-after": "3"}
    error = decode_error(503, headers, b"")
    headers["x-request-id"] = "changed"
    assert error.headers == {"x-request-id": "req-1", "retry-after": "3"}
    assert error.headers is not headers and error.request_id == "req-1"


@pytest.mark.parametrize(
    ("headers", "request_id", "retry_after"),
    [
        ({"X-Request-Id": "req-2", "Retry-After": "4"}, "req-2", 4.0),
        ({"retry-after": "4", "Retry-After": "5"}, None, None),  # "4, 5": no valid hint
        ({"x-request-id": "a", "X-REQUEST-ID": "b"}, "a, b", None),
        ([("Retry-After", "6"), ("X-Request-Id", "req-3")], "req-3", 6.0),
        ([("retry-after", "6"), ("retry-after", "7")], None, None),
    ],
)
def test_header_names_in_any_case_are_lower_cased_and_joined(
    headers: dict[str, str] | list[tuple[str, str]],
    request_id: str | None,
    retry_after: float | None,
) -> None:
    error = decode_error(503, headers, b"")
    assert error.request_id == request_id and error.retry_after == retry_after
    assert all(name == name.lower() for name in error.headers)


def test_header_names_that_are_no_text_do_not_break_decoding() -> None:
    error = decode_error(503, {b"retry-after": b"3", "X-Request-Id": "r"}, b"")  # type: ignore[dict-item]
    assert (error.shape, error.retry_after, error.request_id) == ("none", None, "r")


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30", 30.0), (" 1.5 ", 1.5), (".5", 0.5), ("5.", 5.0), ("0", 0.0)]
    + [(text, None) for text in (".", "", "1.2.3", "-1", "+1", "1e3", "inf", "nan", "1_0")]
    + [("\u0663", None), ("9" * 400, None)],  # an Arabic-Indic digit; beyond any float
)
def test_retry_after_decimals(value: str, seconds: float | None) -> None:
    assert decode_error(503, {"retry-after": value}, b"").retry_after == seconds


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("veid:1036: face mismatch", "veid:1036", "face mismatch"),
        ("settlement-ibc:3105: ", "settlement-ibc:3105", ""),
        ("a.b/c_d-e:01037: x: y", "a.b/c_d-e:01037", "x: y"),
        ("veid:1036:no space", None, "veid:1036:no space"),
        ("veid:10a6: x", None, "veid:10a6: x"),
        ("veid:\u0663: x", None, "veid:\u0663: x"),  # digits are ASCII digits only
        ("v\u00e9id:1036: x", None, "v\u00e9id:1036: x"),  # so are module names' letters
        ("ve id:1036: x", None, "ve id:1036: x"),
        ("veid:1:2: x", None, "veid:1:2: x"),
        (":1036: x", None, ":1036: x"),
        ("rate limit exceeded: 100 per minute", None, "rate limit exceeded: 100 per minute"),
    ],
)
def test_the_code_prefix_of_an_error_member(text: str, code: str | None, message: str) -> None:
    error = decode_error(404, {}, json.dumps({"error": text}).encode())
    assert (error.shape, error.code, error.message) == ("error_member", code, message)


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("codespace veid code 1036: ML inference failed", "veid:1036", "ML inference failed"),
        ("rpc error: code = Unknown desc = codespace veid code 1036: x", "veid:1036", "x"),
        ("codespace veid code 1036: ", "veid:1036", ""),
        ("codespace veid code 1036x: x", None, "codespace veid code 1036x: x"),
        ("codespace veid code 1036\n", None, "codespace veid code 1036\n"),
        ("codespace ve id code 1036: x", None, "codespace ve id code 1036: x"),
        (
            "rpc error: code = Not Found desc = veid:1: x",
            None,
            "rpc error: code = Not Found desc = veid:1: x",
        ),
        ("rpc error: code = NotFound desc = veid:1036: x", "veid:1036", "x"),
        ("rpc error: code = NotFound desc = plain", None, "plain"),
    ],
)
def test_the_code_in_a_gateway_status(text: str, code: str | None, message: str) -> None:
    for error in (
        decode_error(500, {"content-type": "application/json"}, gateway(text)),
        error_from_grpc_status(2, text),
    ):
        assert error is not None and (error.code, error.message) == (code, message)


def test_a_gateway_code_alone_takes_the_registry_message() -> None:
    error = decode_error(500, {}, gateway("codespace veid code 1036"))
    assert error.code == "veid:1036" and error.message == catalog.CODES["veid:1036"].message


# ----- the retrying transport -----


class Signing(httpx.BaseTransport):
    """An inner transport that adds a header to the request it sends, then answers 503
    until its last answer, 200."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.seen: list[httpx.Headers] = []
        self.timeouts: list[Any] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["x-signature"] = "signed"
        self.seen.append(httpx.Headers(request.headers))
        self.timeouts.append(request.extensions.get("timeout"))
        return httpx.Response(self.answers.pop(0), content=b"")


def test_the_hooks_see_the_request_as_the_call_started() -> None:
    seen: list[RetryRequest] = []
    inner = Signing([503, 503, 200])
    transport = RetryTransport(
        inner, policy=FAST, idempotency_keys=True, on_retry=lambda n, e, d, r: seen.append(r)
    )
    with httpx.Client(transport=transport) as http:
        response = http.post("https://api.test/orders?x=1", json={"a": 1}, headers={"X-Trace": "t"})
    assert response.status_code == 200 and len(seen) == 2
    request = seen[0]
    assert seen[1] is request  # built once, when the first attempt failed
    assert request.method == "POST" and request.url == "https://api.test/orders?x=1"
    assert request.body_replayable and request.idempotency_key and request.has_idempotency_key
    assert request.headers["x-trace"] == "t" and request.headers["idempotency-key"]
    assert "x-signature" not in request.headers and "retry-attempt" not in request.headers
    assert [h.get("retry-attempt") for h in inner.seen] == [None, "1", "2"]
    assert len({h["idempotency-key"] for h in inner.seen}) == 1


def test_a_call_that_succeeds_at_once_describes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    real = transport_module._retry_request

    def counting(*args: Any) -> RetryRequest:
        built.append("built")
        return real(*args)

    monkeypatch.setattr(transport_module, "_retry_request", counting)
    with httpx.Client(transport=RetryTransport(Signing([200]), policy=FAST)) as http:
        assert http.get("https://api.test/a").status_code == 200
    assert built == []
    with httpx.Client(transport=RetryTransport(Signing([503, 200]), policy=FAST)) as http:
        assert http.get("https://api.test/a").status_code == 200
    assert built == ["built"]


@pytest.mark.parametrize("name", ["Retry-Attempt", "RETRY-ATTEMPT", "retry-attempt"])
def test_a_stale_retry_attempt_in_any_case_is_dropped(name: str) -> None:
    inner = Signing([503, 200])
    with httpx.Client(transport=RetryTransport(inner, policy=FAST)) as http:
        http.get("https://api.test/a", headers={name: "7"})
    assert [h.get_list("retry-attempt") for h in inner.seen] == [[], ["1"]]


@pytest.mark.parametrize(
    ("headers", "retried"),
    [
        ({"Idempotency-Key": "k-1"}, True),
        ({"IDEMPOTENCY-KEY": "k-1"}, True),
        ({"Idempotency-Key": ""}, False),  # an empty header is no key
        ({}, False),
    ],
)
def test_a_hand_set_idempotency_key_in_any_case(headers: dict[str, str], retried: bool) -> None:
    inner = Signing([503, 200])
    with httpx.Client(transport=RetryTransport(inner, policy=FAST)) as http:
        response = http.post("https://api.test/orders", json={}, headers=headers)
    assert response.status_code == (200 if retried else 503)
    assert len(inner.seen) == (2 if retried else 1)


def test_a_call_key_option_still_counts() -> None:
    inner = Signing([503, 200])
    with httpx.Client(transport=RetryTransport(inner, policy=FAST)) as http:
        response = http.post(
            "https://api.test/orders", json={}, extensions=call_options(idempotency_key="k-9")
        )
    assert response.status_code == 200 and [h["idempotency-key"] for h in inner.seen] == ["k-9"] * 2


def test_a_deadline_bounds_the_first_attempt_and_none_leaves_the_timeouts() -> None:
    inner = Signing([200, 503, 200])
    with httpx.Client(transport=RetryTransport(inner, policy=FAST), timeout=30) as http:
        http.get("https://api.test/a", extensions=call_options(deadline=2))
        http.get("https://api.test/b")
    bounded, *unbounded = inner.timeouts
    assert set(bounded) == {"connect", "read", "write", "pool"}
    assert all(0 < seconds <= 2 for seconds in bounded.values())
    assert unbounded == [{"connect": 30, "read": 30, "write": 30, "pool": 30}] * 2


# ----- the retry budget -----


def test_a_refund_to_a_full_budget_changes_nothing_and_to_a_drawn_one_refills() -> None:
    budget = RetryBudget(10, retry_cost=5, success_refund=1)
    budget.release(1)
    assert budget.tokens == 10
    assert budget.acquire(False) == 5 and budget.tokens == 5
    budget.release(1)
    assert budget.tokens == 6
    budget.release(100)
    assert budget.tokens == 10


def test_successes_refill_a_drawn_budget_through_the_transport() -> None:
    budget = RetryBudget(10, retry_cost=5, success_refund=1)
    inner = Signing([503, 200, 200, 200])
    with httpx.Client(transport=RetryTransport(inner, policy=FAST, budget=budget)) as http:
        http.get("https://api.test/a")  # one retry: 5 taken, given back on success
        assert budget.tokens == 10
        assert budget.acquire(False) == 5
        http.get("https://api.test/b")
        http.get("https://api.test/c")
    assert budget.tokens == 7


def test_an_exhausted_budget_stops_retrying() -> None:
    budget = RetryBudget(4, retry_cost=5)
    with (
        httpx.Client(transport=RetryTransport(Signing([503]), policy=FAST, budget=budget)) as http,
        pytest.raises(ExternalError) as caught,
    ):
        raise_for_error(http.get("https://api.test/a"))
    assert caught.value.stop_reason == "budget_exhausted" and budget.tokens == 4
