"""The settled readings of contract section 4, beyond tests/conformance/next/readings.json:
code numbers up to uint32 (4.2), HTTP-dates and RFC 3339 (4.5.1), strings from JSON and
the nesting limit (4.5.3), for the decoder and for transaction answers alike."""

from __future__ import annotations

import json
import time

import pytest
from virtengine_errors import decode_error, error_from_tx_response

NOW = 1_767_225_600.0  # 2026-01-01T00:00:00Z
JSON = {"content-type": "application/json"}


def envelope(code: str = "veid:1036", message: str = '"m"', context: str = "null") -> bytes:
    return f'{{"error": {{"code": "{code}", "message": {message}, "context": {context}}}}}'.encode()


# ----- 4.2 code numbers -----


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("veid:4294967295", 4294967295),
        ("veid:0004294967295", 4294967295),  # leading zeros do not count
        ("veid:" + "0" * 5000 + "7", 7),  # nor do thousands of them
        ("veid:0", 0),
        ("veid:000", 0),
        ("veid:4294967296", None),
        ("veid:04294967296", None),
        ("veid:10000000000", None),
        ("veid:" + "9" * 5000, None),
        ("veid:", None),
        ("veid:+5", None),
        ("veid:\u0661", None),  # ARABIC-INDIC DIGIT ONE is a digit, not an ASCII one
    ],
)
def test_a_code_number_is_at_most_uint32(code: str, number: int | None) -> None:
    error = decode_error(500, JSON, envelope(code=code))
    assert (error.code, error.module, error.number) == (code, "veid", number)


def test_a_gateway_codespace_beyond_uint32_keeps_its_code_without_number() -> None:
    body = b'{"code": 2, "message": "codespace veid code 4294967296: too big"}'
    error = decode_error(500, JSON, body)
    assert (error.code, error.number, error.message) == ("veid:4294967296", None, "too big")


# ----- 4.5.1 dates -----


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("Thu, 01 Jan 2026 00:00:05 GMT", 5),
        ("thu, 01 jan 2026 00:00:05 gmt", 5),  # names in any case
        ("Thursday, 01-Jan-26 00:00:05 GMT", 5),
        ("Thu Jan  1 00:00:05 2026", 5),
        ("Thu Jan 15 00:00:00 2026", 14 * 86400),
        ("Thu, 01 Jan 2026 00:00:60 GMT", 59),  # a leap second: the second before it
        ("Wed, 31 Dec 2025 23:59:59 GMT", 0),  # past: retry now
        # RFC 850's two-digit year: within 50 years of the clock (2026)
        ("Saturday, 01-Jan-76 00:00:00 GMT", 50 * 365.2425 * 86400),
        ("Friday, 01-Jan-77 00:00:00 GMT", 0),  # 1977, not 2077
    ],
)
def test_retry_after_in_the_three_http_date_forms(header: str, seconds: float) -> None:
    hint = decode_error(503, {"Retry-After": header}, b"", now=NOW).retry_after
    assert hint == pytest.approx(seconds, abs=86400 if seconds > 10**9 else 0.001)


def test_the_rfc850_century_follows_the_clock() -> None:
    header = {"Retry-After": "Sunday, 01-Jan-90 00:00:00 GMT"}
    in_1980 = 315_532_800.0  # 1980-01-01: '90' is 1990, ten years ahead
    assert decode_error(503, header, b"", now=in_1980).retry_after == pytest.approx(
        (7 * 365 + 3 * 366) * 86400
    )
    assert decode_error(503, header, b"", now=NOW).retry_after == 0  # 1990, long past


@pytest.mark.parametrize(
    "header",
    [
        "Thu, 01 Jan 2026 00:00:05 +0000",  # no HTTP-date: GMT only
        "Thu, 1 Jan 2026 00:00:05 GMT",  # IMF-fixdate's day has two digits
        "Thu, 01 Jan 26 00:00:05 GMT",
        "01 Jan 2026 00:00:05 GMT",
        "Thu, 31 Feb 2026 00:00:05 GMT",
        "Thu, 01 Jan 2026 24:00:00 GMT",
        "Thu, 01 Foo 2026 00:00:05 GMT",
        "Thursday, 01-Jan-2026 00:00:05 GMT",
        "Thu Jan 1 00:00:05 2026",  # asctime pads the day with a space
        "2026-01-01T00:00:05Z",  # RFC 3339 is for reset_at, not Retry-After
    ],
)
def test_other_dates_are_no_retry_after(header: str) -> None:
    assert decode_error(503, {"Retry-After": header}, b"", now=NOW).retry_after is None


@pytest.mark.parametrize(
    ("reset_at", "seconds"),
    [
        ("2026-01-01T00:00:05Z", 5),
        ("2026-01-01t00:00:05z", 5),
        ("2026-01-01T00:00:05.250Z", 5.25),
        ("2026-01-01T00:00:05.123456789Z", 5.123456789),
        ("2025-12-31T19:00:05-05:00", 5),
        ("2026-01-01T00:00:05+00:00", 5),
        ("2026-01-01T00:00:60Z", 59),  # a leap second: the second before it
        ("2025-01-01T00:00:00Z", 0),
    ],
)
def test_reset_at_is_an_rfc3339_date_time(reset_at: str, seconds: float) -> None:
    body = envelope(context=json.dumps({"reset_at": reset_at}))
    hint = decode_error(429, JSON, body, now=NOW).retry_after
    assert hint == pytest.approx(seconds, abs=1e-6)


@pytest.mark.parametrize(
    "reset_at",
    [
        "2026-01-01T00:00:05",  # no offset
        "2026-01-02",  # a date alone
        "2026-01-01 00:00:05Z",  # a space for T
        "2026-01-01T00:00:05,5Z",  # a comma for the point
        "2026-01-01T00:00:05.Z",  # a point without digits
        "2026-01-01T00:00:05+0100",  # an offset without its colon
        "2026-01-01T00:00:05+01",
        "2026-01-01T00:00:05+24:00",
        "2026-01-01T00:00:05+01:60",
        "2026-02-30T00:00:05Z",
        "2026-13-01T00:00:05Z",
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:60:00Z",
        "2026-01-01T00:00Z",  # seconds are not optional
        "20260101T000005Z",  # ISO 8601's basic format is no RFC 3339
        "2026-01-01T00:00:05Z ",
        "Thu, 01 Jan 2026 00:00:05 GMT",
        "\u0662026-01-01T00:00:05Z",  # not ASCII digits
    ],
)
def test_other_reset_at_values_are_no_hint(reset_at: str) -> None:
    body = envelope(context=json.dumps({"reset_at": reset_at}))
    assert decode_error(429, JSON, body, now=NOW).retry_after is None


# ----- 4.5.3 strings from JSON -----


@pytest.mark.parametrize(
    ("escaped", "message"),
    [
        (r'"a\ud800b"', "a\ufffdb"),
        (r'"a\uDBFFb"', "a\ufffdb"),  # upper-case hex
        (r'"a\udc00b"', "a\ufffdb"),  # a low surrogate alone
        (r'"end\ud800"', "end\ufffd"),
        (r'"\ud800\ud800"', "\ufffd\ufffd"),
        (r'"\udc00\ud800"', "\ufffd\ufffd"),  # low then high is no pair
        (r'"\ud800\ud83d\ude00"', "\ufffd\U0001f600"),  # a lone high, then a pair
        (r'"\ud83d\ude00"', "\U0001f600"),
        (r'"\uD83D\uDE00"', "\U0001f600"),
        (r'"a\\ud800b"', "a\\ud800b"),  # an escaped backslash, then text
        (r'"a\\\ud800b"', "a\\\ufffdb"),  # an escaped backslash, then a lone escape
        (r'"\u00e9\n"', "\u00e9\n"),
    ],
)
def test_lone_surrogate_escapes_become_replacement_characters(escaped: str, message: str) -> None:
    error = decode_error(500, JSON, envelope(message=escaped))
    assert (error.shape, error.message) == ("envelope", message)
    error.message.encode("utf-8")  # well-formed: no lone surrogate left


def test_every_string_of_the_body_is_well_formed() -> None:
    context = r'{"k\udfff": ["\ud800", {"x": "\udbff tail"}]}'
    error = decode_error(500, JSON, envelope(context=context))
    assert error.context == {"k\ufffd": ["\ufffd", {"x": "\ufffd tail"}]}
    tx = r'{"tx_response": {"codespace": "veid", "code": 1036, "raw_log": "bad \ud800"}}'
    tx_error = error_from_tx_response(tx)
    assert tx_error is not None and tx_error.message == "bad \ufffd"


def nested(depth: int, inner: str = "1", opener: str = "[") -> str:
    """``depth`` levels in all: the envelope's two objects, then the context's levels."""
    closer = {"[": "]", '{"k":': "}"}[opener]
    levels = depth - 2
    return envelope(context=opener * levels + inner + closer * levels, message='"deep"').decode()


@pytest.mark.parametrize("opener", ["[", '{"k":'])
def test_512_levels_are_json_and_513_are_not(opener: str) -> None:
    usable = decode_error(500, JSON, nested(512, opener=opener).encode())
    assert (usable.shape, usable.message) == ("envelope", "deep")
    too_deep = decode_error(500, JSON, nested(513, opener=opener).encode())
    assert (too_deep.shape, too_deep.code, too_deep.message) == (
        "none",
        None,
        "HTTP 500 Internal Server Error",
    )


def test_brackets_inside_strings_do_not_nest() -> None:
    text = '"' + "[" * 600 + '\\"{' * 300 + "}" * 5 + '"'  # one string, quotes escaped
    body = envelope(message=json.dumps("[" * 1000), context=f'{{"s": {text}, "t": "]]]"}}')
    error = decode_error(500, JSON, body)
    assert error.shape == "envelope" and error.message == "[" * 1000
    assert error.context is not None and error.context["s"].startswith("[" * 600 + '"{')
    # and at the limit, brackets in strings between the levels change nothing
    deep = nested(512, inner='"]]]]\\"[[[["').replace("[[", '["]]]", [', 1)
    assert decode_error(500, JSON, deep.encode()).shape == "envelope"
    assert decode_error(500, JSON, nested(513, inner='"]]]]"').encode()).shape == "none"


def test_depth_counts_the_deepest_point_not_the_number_of_brackets() -> None:
    wide = "[" + ",".join(["[[[[]]]]"] * 2000) + "]"  # 10,000 brackets, 8 levels
    error = decode_error(500, JSON, envelope(context=f'{{"wide": {wide}}}'))
    assert error.shape == "envelope" and error.context is not None
    assert len(error.context["wide"]) == 2000


def test_transaction_answers_follow_the_same_limit() -> None:
    def tx(depth: int) -> str:
        levels = depth - 2  # the document and tx_response
        log = "[" * levels + "]" * levels
        return f'{{"tx_response": {{"codespace": "veid", "code": 1036, "gas": {log}}}}}'

    assert error_from_tx_response(tx(512)) is not None
    assert error_from_tx_response(tx(513)) is None


def test_hostile_texts_for_the_depth_scan_stay_linear() -> None:
    """An unterminated string full of escaped quotes (each a place a string could start)
    and a megabyte of brackets are scanned in one pass each, not quadratically."""
    unterminated = "{" * 600 + '"' + '\\"' * 500_000
    brackets = "[" * 1_000_000
    started = time.perf_counter()
    for body in (unterminated, brackets):
        error = decode_error(500, JSON, body.encode(), max_body_bytes=2_000_000)
        assert error.shape == "none"
    assert time.perf_counter() - started < 2.0
