"""Property tests (hypothesis) of the decoder and the retry helper (issue 8).

Each property runs thousands of generated inputs; ``conftest.py`` prints how many ran.
Decoder: any status, headers and bytes decode to an SDK error, and nothing else
escapes. Retry helper: never more than max attempts, never a sleep past the deadline,
never shorter than a valid server hint, never a retry of a non-idempotent request
without a key unless the failure proves the server did not act, and the budget stays
within [0, capacity].
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyclient_support import FUZZ_COUNTS
from virtengine_errors import (
    ERROR_TYPES,
    APIConnectionError,
    APIError,
    AsyncRetrier,
    Retrier,
    RetryBudget,
    RetryPolicy,
    VirtEngineError,
    decode_error,
)
from virtengine_errors._registry import IDEMPOTENT_METHODS, MAX_ERROR_BODY_BYTES

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ----- generators -----

statuses = st.sampled_from([400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504]) | (
    st.integers(min_value=-1000, max_value=10**6)
)
# Short texts over a small alphabet that still holds every troublesome kind of character:
# quotes, backslashes, controls, a NUL, a lone surrogate, bidi and zero-width marks, emoji.
troublesome = st.text(
    alphabet=st.sampled_from('ab:9.-e "\\\n\r\x00\x7f\ud800\u202e\u200b\u00e9\U0001f600{}[]'),
    max_size=12,
)
header_names = st.sampled_from(
    [
        "content-type",
        "Content-Type",
        "retry-after",
        "Retry-After",
        "retry-after-ms",
        "RETRY-AFTER-MS",
        "x-request-id",
        "X-Request-ID",
        "x-other",
    ]
)
header_values = (
    st.sampled_from(
        [
            "application/json",
            "application/problem+json",
            "Application/Problem+JSON; charset=utf-8",
            "text/html",
            "2",
            "1.5",
            ".5",
            "5.",
            "-3",
            "nan",
            "inf",
            "1e3",
            "0x10",
            "1_000",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 32 Foo 2026 99:99:99 GMT",
            str(10**12),
            "9" * 400,
            "0",
            "  7  ",
            "",
        ]
    )
    | troublesome
    | st.integers(-(10**6), 10**15).map(str)
)
headers = st.dictionaries(header_names, header_values, max_size=4)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | troublesome
    | st.sampled_from(["veid:1036", "rate_limit", "2026-01-01T00:01:00Z", "x" * 300])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(troublesome, inner, max_size=3),
    max_leaves=8,
)
codes = st.one_of(
    st.sampled_from(["veid:1036", "waldur:650", "veid:01037", "veid:", ":5", "a:b:c:7", "x"]),
    troublesome,
    st.builds(lambda m, n: f"{m}:{n}", troublesome, st.integers(-5, 10**20)),
)
error_members = st.fixed_dictionaries(
    {},
    optional={
        "code": codes | json_values,
        "message": troublesome | json_values,
        "category": st.sampled_from([*ERROR_TYPES, "quantum", ""]) | json_values,
        "severity": st.sampled_from(["info", "warning", "error", "critical"]) | json_values,
        "retryable": st.booleans() | json_values,
        "context": st.dictionaries(
            st.sampled_from(["reset_at", "limit", "service"]),
            st.sampled_from(["2026-01-01T00:01:00Z", "not a date", "9999-12-31T23:59:59+14:00"])
            | json_values,
            max_size=2,
        )
        | json_values,
    },
)
documents = st.one_of(
    error_members.map(lambda members: {"error": members}),
    st.builds(
        lambda members, extra: {**extra, **members},
        error_members,
        st.fixed_dictionaries(
            {},
            optional={
                "type": json_values,
                "status": json_values,
                "title": json_values,
                "detail": json_values,
            },
        ),
    ),
    json_values,
)


def not_json(constant: str) -> object:
    """``NaN`` and ``Infinity`` are not JSON (RFC 8259), though ``json.loads`` takes them."""
    raise ValueError(constant)


def _serialise(document: Any) -> bytes:
    return json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")


bodies = st.one_of(
    st.binary(max_size=100),
    documents.map(_serialise),
    st.builds(lambda b, cut: b[:cut], documents.map(_serialise), st.integers(0, 120)),
    st.sampled_from(
        [
            b"",
            b"<html>oops</html>",
            b"{" * 5000,
            b'{"a":' + b"[" * 100_000,
            b"\xef\xbb\xbf{}",
            b'{"error": {"code": "veid:1036"}}\xff',
        ]
    ),
)
NOW = st.floats(min_value=0, max_value=4e9) | st.none()


def _check_error(error: object, status: int, cap: int) -> None:
    assert isinstance(error, APIError)
    assert error.http_status == status
    assert len(error.raw_bytes) <= cap
    assert isinstance(error.retryable, bool) and isinstance(error.message, str)
    assert type(error) is ERROR_TYPES.get(error.category or "", APIError)
    assert error.retry_after is None or (
        math.isfinite(error.retry_after) and error.retry_after >= 0
    )
    text = str(error)
    assert text == (f"{error.code}: {error.message}" if error.code is not None else error.message)
    assert isinstance(error.raw_body, str)


# ----- decoder -----


@settings(FUZZ, max_examples=2_000)
@given(status=statuses, headers=headers, body=bodies, now=NOW, cut=st.integers(0, 400))
def test_any_response_decodes_to_an_sdk_error(
    status: int, headers: dict[str, str], body: bytes, now: float | None, cut: int
) -> None:
    """Each example decodes five inputs: the body whole and cut at four places."""
    FUZZ_COUNTS["decoder examples"] += 1
    for end in (len(body), 0, len(body) // 3, len(body) // 2, cut):
        FUZZ_COUNTS["decoder inputs"] += 1
        error = decode_error(status, headers, body[:end], now=now)
        _check_error(error, status, MAX_ERROR_BODY_BYTES)


@settings(FUZZ, max_examples=1_500)
@given(
    status=statuses,
    headers=st.lists(st.tuples(header_names, header_values), max_size=4),
    document=documents,
    cap=st.integers(0, 400),
    as_text=st.booleans(),
)
def test_envelopes_of_any_shape_decode_and_respect_the_cap(
    status: int, headers: list[tuple[str, str]], document: Any, cap: int, as_text: bool
) -> None:
    FUZZ_COUNTS["decoder examples"] += 1
    FUZZ_COUNTS["decoder inputs"] += 2
    raw = _serialise(document)
    body: bytes | str = raw.decode("utf-8", "surrogatepass") if as_text else raw
    error = decode_error(status, headers, body, max_body_bytes=cap)
    _check_error(error, status, cap)
    full = decode_error(status, headers, raw)
    _check_error(full, status, MAX_ERROR_BODY_BYTES)
    envelope = document.get("error") if isinstance(document, dict) else None
    if isinstance(envelope, dict) and isinstance(envelope.get("code"), str):
        if _strict_json(raw):
            assert full.from_envelope and full.code == _from_json(envelope["code"])
        else:  # NaN or Infinity somewhere: not JSON, so no envelope
            assert not full.from_envelope and full.shape == "none"


def _from_json(text: str) -> str:
    """``text`` as a JSON string escaping it reads back (contract 4.5.3): a surrogate pair
    is its character, a lone surrogate U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _strict_json(raw: bytes) -> bool:
    try:
        json.loads(raw.decode("utf-8", "replace"), parse_constant=not_json)
    except (ValueError, RecursionError):
        return False
    return True


def _reference_envelope(body: bytes, content_type: str | None) -> bool:
    """Whether the contract finds an envelope or problem, with ``json.loads`` as the parser."""
    try:
        document = json.loads(body.decode("utf-8", "replace"), parse_constant=not_json)
    except (ValueError, RecursionError):
        return False
    if not isinstance(document, dict):
        return False
    error = document.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return True
    media_type = (content_type or "").partition(";")[0].strip().lower()
    return media_type == "application/problem+json" or (
        "type" in document and "status" in document and isinstance(document.get("code"), str)
    )


json_texts = st.builds(
    lambda document, before, after: before + _serialise(document) + after,
    documents,
    st.sampled_from([b"", b" ", b"\n\t", b"\x0b"]),
    st.sampled_from([b"", b" ", b"\r\n", b"\x0b", b"\x1c", b"x", b"}", b"\xff"]),
)


@settings(FUZZ, max_examples=1_000)
@given(body=json_texts, content_type=st.none() | header_values)
def test_envelope_detection_agrees_with_json_loads(body: bytes, content_type: str | None) -> None:
    """The decoder's fast JSON path finds an envelope exactly when json.loads would."""
    FUZZ_COUNTS["decoder examples"] += 1
    FUZZ_COUNTS["decoder inputs"] += 1
    headers = {} if content_type is None else {"content-type": content_type}
    error = decode_error(500, headers, body)
    assert error.from_envelope == _reference_envelope(body, content_type)


# ----- retry helper -----


@dataclass
class Outcome:
    status: int | None = None  # None: success
    headers: dict[str, str] = field(default_factory=dict)
    phase: str | None = None  # a connection error instead of a response


outcomes = st.one_of(
    st.builds(Outcome),
    st.builds(
        Outcome,
        status=st.sampled_from([400, 404, 408, 409, 429, 500, 502, 503, 504, 599]),
        headers=st.dictionaries(
            st.sampled_from(["retry-after", "retry-after-ms"]),
            st.sampled_from(
                [
                    "0",
                    "0.01",
                    "1",
                    "2.5",
                    "30",
                    "61",
                    "-1",
                    "x",
                    "1e12",
                    "Thu, 01 Jan 2026 00:00:05 GMT",
                ]
            ),
            max_size=2,
        ),
    ),
    st.builds(Outcome, phase=st.sampled_from(["connect", "reset", "timeout"])),
)
policies = st.builds(
    RetryPolicy,
    max_attempts=st.integers(1, 8),
    base_delay=st.floats(0, 5),
    throttle_base_delay=st.floats(0, 5),
    max_delay=st.floats(0, 30),
    max_retry_after=st.floats(0, 120),
    deadline=st.none() | st.floats(0, 60, exclude_min=True),
    budget=st.booleans(),
)


@dataclass
class Run:
    """A fake world: a clock only sleeps move, scripted outcomes, and the invariants."""

    outcomes: list[Outcome]
    draws: list[float]
    budget: RetryBudget
    now: float = 1_767_225_600.0  # 2026-01-01T00:00:00Z
    sent: int = 0
    sleeps: list[tuple[float, float]] = field(default_factory=list)  # (clock, delay)
    last_error: VirtEngineError | None = None
    retried_after: list[VirtEngineError] = field(default_factory=list)

    def random(self) -> float:
        return self.draws[len(self.sleeps) % len(self.draws)]

    def clock(self) -> float:
        return self.now

    def sleep(self, delay: float) -> None:
        assert 0 <= self.budget.tokens <= self.budget.capacity
        self.sleeps.append((self.now, delay))
        assert self.last_error is not None
        self.retried_after.append(self.last_error)
        self.now += delay

    async def async_sleep(self, delay: float) -> None:
        self.sleep(delay)

    def send(self, attempt: int, timeout: float | None) -> str:
        self.sent += 1
        outcome = self.outcomes[min(attempt, len(self.outcomes)) - 1]
        if outcome.phase is not None:
            self.last_error = APIConnectionError("failed", phase=outcome.phase)  # type: ignore[arg-type]
            raise self.last_error
        if outcome.status is None:
            return "ok"
        self.last_error = decode_error(outcome.status, outcome.headers, b"", now=self.now)
        raise self.last_error

    async def async_send(self, attempt: int, timeout: float | None) -> str:
        return self.send(attempt, timeout)


def _check_run(
    run: Run, policy: RetryPolicy, method: str, has_key: bool, started: float, raised: object
) -> None:
    assert 1 <= run.sent <= policy.max_attempts
    assert 0 <= run.budget.tokens <= run.budget.capacity
    deadline_at = None if policy.deadline is None else started + policy.deadline
    for (clock, delay), error in zip(run.sleeps, run.retried_after, strict=True):
        assert delay >= 0 and math.isfinite(delay)
        if deadline_at is not None:
            assert clock + delay <= deadline_at + 1e-9
        hint = error.retry_after if isinstance(error, APIError) else None
        if hint is not None:
            assert delay >= hint
            assert hint <= policy.max_retry_after
        assert error.retryable
        if method not in IDEMPOTENT_METHODS and not has_key:
            throttled = isinstance(error, APIError) and (
                error.category == "rate_limit" or error.http_status == 429
            )
            never_sent = isinstance(error, APIConnectionError) and error.phase == "connect"
            assert throttled or never_sent
    if isinstance(raised, VirtEngineError):
        assert raised.attempts == run.sent


METHODS = ("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH")
retry_inputs = {
    "policy": policies,
    "script": st.lists(outcomes, min_size=1, max_size=9),
    "draws": st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=4),
    "tokens": st.integers(0, 500),
}


@settings(FUZZ, max_examples=1_500)
@given(**retry_inputs)
def test_retry_helper_invariants(
    policy: RetryPolicy, script: list[Outcome], draws: list[float], tokens: int
) -> None:
    """Each example runs one call per method, with and without a key (14 inputs)."""
    FUZZ_COUNTS["retry helper examples"] += 1
    for method in METHODS:
        for has_key in (False, True):
            FUZZ_COUNTS["retry helper inputs"] += 1
            run = Run(script, draws, RetryBudget(tokens=tokens))
            retrier = Retrier(
                policy, budget=run.budget, random=run.random, clock=run.clock, sleep=run.sleep
            )
            started = run.now
            raised: object = None
            try:
                retrier.call(run.send, method=method, idempotency_key=has_key)
            except VirtEngineError as error:
                raised = error
            _check_run(run, policy, method, has_key, started, raised)


@settings(FUZZ, max_examples=600)
@given(**retry_inputs, method=st.sampled_from(METHODS), has_key=st.booleans())
def test_async_retry_helper_invariants(
    policy: RetryPolicy,
    script: list[Outcome],
    draws: list[float],
    tokens: int,
    method: str,
    has_key: bool,
) -> None:
    FUZZ_COUNTS["retry helper examples"] += 1
    FUZZ_COUNTS["retry helper inputs"] += 1
    run = Run(script, draws, RetryBudget(tokens=tokens))
    retrier = AsyncRetrier(
        policy, budget=run.budget, random=run.random, clock=run.clock, sleep=run.async_sleep
    )
    started = run.now
    raised: object = None
    try:
        asyncio.run(retrier.call(run.async_send, method=method, idempotency_key=has_key))
    except VirtEngineError as error:
        raised = error
    _check_run(run, policy, method, has_key, started, raised)
