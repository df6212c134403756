"""The decoder (docs/client-behaviour.md 1) beyond the shared vectors."""

from __future__ import annotations

from virtengine_errors import (
    APIError,
    APIValidationError,
    ExternalError,
    RateLimitError,
    decode_error,
)

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def test_problem_details_give_message_and_extensions() -> None:
    body = (
        b'{"type": "about:blank", "title": "Too many", "status": 429, "detail": "slow down",'
        b' "code": "veid:1999", "retryable": true, "context": {"limit": 5}}'
    )
    error = decode_error(429, {"Content-Type": "application/problem+json; charset=utf-8"}, body)
    assert isinstance(error, RateLimitError)
    assert (error.message, error.code, error.from_envelope) == ("slow down", "veid:1999", True)
    assert error.context == {"limit": 5}


def test_problem_without_code_still_counts() -> None:
    body = b'{"title": "Bad input", "status": 400}'
    error = decode_error(400, {"content-type": "application/problem+json"}, body)
    assert isinstance(error, APIValidationError)
    assert (error.code, error.module, error.number) == (None, None, None)
    assert error.from_envelope and error.message == "Bad input"


def test_unknown_category_gives_the_base_error_and_keeps_the_string() -> None:
    body = b'{"error": {"code": "new:1", "message": "m", "category": "quantum"}}'
    error = decode_error(418, {}, body)
    assert type(error) is APIError and error.category == "quantum"
    assert error.severity == "error" and error.retryable is False


def test_code_split_at_the_last_colon_and_bad_numbers() -> None:
    error = decode_error(500, {}, b'{"error": {"code": "verification/x:y:12"}}')
    assert (error.module, error.number) == ("verification/x:y", 12)
    error = decode_error(500, {}, b'{"error": {"code": "veid:abc"}}')
    assert (error.code, error.module, error.number) == ("veid:abc", "veid", None)


def test_status_without_a_table_row_and_unknown_reason() -> None:
    error = decode_error(599, {}, b"")
    assert type(error) is APIError
    assert error.message == "HTTP 599" and error.category is None and not error.retryable
    assert decode_error(413, {}, b"").message == "HTTP 413 Content Too Large"


def test_retry_hints() -> None:
    def hint(headers: dict[str, str], body: bytes = b"") -> float | None:
        return decode_error(503, headers, body, now=NOW).retry_after

    assert hint({"Retry-After": "2.5"}) == 2.5
    assert hint({"Retry-After": "Thu, 01 Jan 2026 00:00:30 GMT"}) == 30
    assert hint({"Retry-After": "Wed, 31 Dec 2025 00:00:00 GMT"}) == 0  # past: 0
    assert hint({"Retry-After": "-1"}) is None
    assert hint({"Retry-After": "soon"}) is None
    assert hint({"retry-after-ms": "nan", "Retry-After": "3"}) == 3
    assert hint({"retry-after-ms": "9" * 400}) is None  # not finite
    reset = b'{"error": {"code": "a:1", "context": {"reset_at": "2026-01-01T00:01:00Z"}}}'
    assert hint({}, reset) == 60


def test_body_is_cut_at_the_cap() -> None:
    error = decode_error(502, {}, b"x" * 5000, max_body_bytes=1000)
    assert isinstance(error, ExternalError) and len(error.raw_bytes) == 1000


def test_hostile_bodies_never_raise() -> None:
    for body in (b"[" * 100_000, b'{"error": ' * 50_000, b"\xff\xfe\x00", b"{" + b"1" * 5000):
        assert isinstance(decode_error(500, {}, body), APIError)
    big_number = b'{"error": {"code": "a:' + b"9" * 5000 + b'"}}'
    assert decode_error(500, {}, big_number).number is None
