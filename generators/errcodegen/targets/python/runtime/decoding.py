"""Turn any HTTP response into an API error; never raise anything else.

``decode_error(status, headers, body)`` follows the client contract: the API's error
envelope or an RFC 9457 problem gives the fields it carries, the catalog and the
registry's defaults fill the rest. The other bodies the platform's servers send are
recognised too: the chain REST gateway's gRPC status (``{"code": 5, "message": ...}``),
``{"error": "<text>"}`` from the rate limiter and the portal, and plain text; a code
found in their text gives the registry's error. Any other body (HTML from a proxy,
nothing, broken JSON) still yields the error class of the status.
"""

from __future__ import annotations

import json
import math
import re
import time
from array import array
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from itertools import accumulate
from typing import Any, cast

from ._registry import (
    CATEGORY_DEFAULTS,
    GRPC_STATUS_TABLE,
    MAX_ERROR_BODY_BYTES,
    REASON_PHRASES,
    STATUS_TABLE,
)
from .catalog import CODES, ErrorCode
from .errors import ERROR_TYPES, APIError, ErrorShape

__all__ = ["Headers", "decode_error", "error_from_grpc_status"]

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
"""Response headers: a mapping (names in any case) or name/value pairs."""

_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_MONTH_NAME = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_TIME = "([0-9]{2}):([0-9]{2}):([0-9]{2})"
_MONTHS = {name.lower(): number for number, name in enumerate(_MONTH_NAME[1:-1].split("|"), 1)}
# The three forms of an HTTP-date (RFC 9110, 5.6.7); names in any case, as Go reads them.
_IMF_FIXDATE = re.compile(
    rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{{2}}) {_MONTH_NAME} ([0-9]{{4}}) {_TIME} GMT",
    re.IGNORECASE,
)
_RFC850_DATE = re.compile(
    rf"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, ([0-9]{{2}})-{_MONTH_NAME}-([0-9]{{2}}) "
    rf"{_TIME} GMT",
    re.IGNORECASE,
)
_ASCTIME = re.compile(
    rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) {_MONTH_NAME} ([ 0-9][0-9]) {_TIME} ([0-9]{{4}})",
    re.IGNORECASE,
)
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
    r"(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))"
)
# The text of a gateway status or a plain error (contract 1.3.1, 1.3.2). ``[0-9]``, not
# ``\d``: only ASCII digits; ``\Z``, not ``$``: a newline at the end is not the end.
_RPC_PREFIX = re.compile(r"rpc error: code = [A-Za-z]+ desc = ")
_CODESPACE = re.compile(r"codespace ([A-Za-z0-9_./-]+) code ([0-9]+)(?:: |\Z)")
_CODE_PREFIX = re.compile(r"[A-Za-z0-9_./-]+:[0-9]+: ")
_MAX_TEXT = 1000  # code points of a plain-text body kept as the message
_UNIX_TIME = 1_000_000_000  # an X-RateLimit-Reset at least this large is a Unix time
_MAX_NUMBER = 0xFFFF_FFFF  # the platform registers codes as uint32 (contract 4.2)
_JSON_SPACE = " \t\r\n"
_ASCII_SPACE = " \t\n\v\f\r"  # a text is trimmed of these only (contract 1.3: not U+00A0)
_WHITESPACE = _JSON_SPACE.encode()


def _no_constant(name: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON (RFC 8259), whatever Python's
    json module accepts: a body holding them is no JSON, as for the other clients."""
    raise ValueError(f"{name} is not JSON")


_JSON = json.JSONDecoder(parse_constant=_no_constant)
_MAX_DEPTH = 512  # objects and arrays nested deeper make a body no usable JSON (4.5.3)
# What the depth of a JSON text depends on: its brackets outside strings. A string runs
# to its closing quote, or to the end of an unterminated one (so no match is retried).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
# Brackets as signed bytes (+1 opens, -1 closes); every other byte deleted.
_DEPTH_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
# An escaped backslash, a surrogate pair or a lone surrogate (group 1), each escape read
# whole, so that ``\\ud800`` (a backslash, then text) is left alone.
_SURROGATE_ESCAPE = re.compile(
    r"\\(?:\\|u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|(u[dD][89a-fA-F][0-9a-fA-F]{2}))"
)
_PROBLEM_JSON = "application/problem+json"
_NO_ROW: tuple[str | None, bool] = (None, False)  # a status the table does not list
_NO_GRPC: tuple[str, str | None] = ("", None)  # a gRPC code the table does not list
_ERROR_MEMBERS = frozenset(("error", "message"))  # not context in an ``error_member`` body
_KNOWN: dict[str, tuple[str, int, ErrorCode]] = {
    key: (entry.module, entry.number, entry) for key, entry in CODES.items()
}
"""Registered codes already split: the usual envelope needs one lookup, no parsing."""


def decode_error(
    status: int,
    headers: Headers,
    body: bytes | str,
    *,
    now: float | None = None,
    max_body_bytes: int = MAX_ERROR_BODY_BYTES,
) -> APIError:
    """The error a response stands for.

    ``now`` (seconds since the epoch, default the current time) anchors the HTTP-date and
    ``reset_at`` retry hints. At most ``max_body_bytes`` of ``body`` are looked at and kept.
    """
    if type(body) is bytes and len(body) <= max_body_bytes:
        raw = body  # the common case: nothing to copy
    else:
        raw = _capped_bytes(body, max_body_bytes)
    fields = _lower_keys(headers)
    content_type = fields.get("content-type")
    document = _parse_object(raw)
    if document is None:
        if content_type is not None and _media_type(content_type) == "text/plain":
            text = raw.decode("utf-8", "replace").strip(_ASCII_SPACE)
            if text:
                code, message = _code_at_start(text[:_MAX_TEXT])
                return _from_text(status, fields, raw, now, "text", code, message)
        return _without_envelope(status, fields, raw, now)
    found = _error_fields(document, content_type)
    if found is not None:
        return _from_envelope(status, fields, raw, now, *found)
    return _other_shape(status, fields, raw, now, document)


def error_from_grpc_status(code: int, message: str) -> APIError | None:
    """The error a gRPC status stands for (contract 1.12); ``None`` for ``OK`` (0).

    The message is read as a gateway status's text is (``codespace veid code 1036: ...``,
    ``veid:1036: ...``); a code the registry does not know takes the gRPC code's category.
    The error has no HTTP status and its shape is ``"grpc"``.
    """
    if code == 0:
        return None
    wire_code, text = _gateway_text(message)
    category = GRPC_STATUS_TABLE.get(code, _NO_GRPC)[1]
    return _from_text(None, {}, b"", None, "grpc", wire_code, text, None, category)


def _capped_bytes(body: bytes | str, limit: int) -> bytes:
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    return bytes(body[: max(limit, 0)])


def _lower_keys(headers: Headers) -> dict[str, str]:
    """Header names in lower case; a header sent more than once has its values joined with
    ``, `` (as httpx and ``fetch`` present it), which no hint source reads as valid."""
    items = getattr(headers, "items", None)  # a mapping; cheaper than isinstance(.., Mapping)
    pairs = items() if items is not None else cast("Iterable[tuple[str, str]]", headers)
    fields: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        fields[key] = f"{fields[key]}, {value}" if key in fields else value
    return fields


def _parse_object(raw: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None``: only an object can be an envelope."""
    if raw[:1] != b"{" and raw.lstrip(_WHITESPACE)[:1] != b"{":
        return None
    # Invalid UTF-8 is replaced, not fatal: the rest of the envelope still counts.
    document = _json_value(raw.decode("utf-8", "replace"))
    return document if isinstance(document, dict) else None


def _json_value(text: str) -> Any:
    """The value of a JSON text; ``None`` for ``null`` and for a text that is no usable
    JSON (contract 1.3, 4.5.3): invalid, trailing data, ``NaN`` or ``Infinity``, or nested
    more than 512 levels deep. A lone surrogate escape is read as U+FFFD."""
    # At most 512 brackets cannot nest deeper: two counts in C spare the scan.
    if text.count("{") + text.count("[") > _MAX_DEPTH and _too_deep(text):
        return None
    if "\\ud" in text or "\\uD" in text:
        text = _SURROGATE_ESCAPE.sub(_replace_lone_surrogate, text)
    start = 0 if text[:1] not in _JSON_SPACE else len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        # raw_decode skips json.loads' wrapper, a third of the cost of a small body
        document, end = _JSON.raw_decode(text, start)
    except (ValueError, RecursionError):  # invalid JSON; a call stack already deep
        return None
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        return None  # trailing data: not JSON
    return document


def _too_deep(text: str) -> bool:
    """Whether objects and arrays nest more than 512 levels deep in ``text``: the strings
    dropped by one regular expression, the brackets left turned into steps of +1 and -1,
    and the running depth summed in C, stopping at the first level too deep."""
    outside = _STRING.sub("", text).encode("utf-8", "replace")
    steps = array("b", outside.translate(_DEPTH_STEPS, _NOT_BRACKETS))
    return next(filter(_MAX_DEPTH.__lt__, accumulate(steps)), None) is not None


def _replace_lone_surrogate(escape: re.Match[str]) -> str:
    return "\\ufffd" if escape[1] is not None else escape[0]


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def _error_fields(
    document: dict[str, Any], content_type: str | None
) -> tuple[dict[str, Any], Any, ErrorShape] | None:
    """(the members carrying code, category...; the message member; the shape) of an
    envelope or a problem."""
    error = document.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return error, error.get("message"), "envelope"
    if _is_problem(document, content_type):
        detail = document.get("detail")
        title = document.get("title")
        return document, detail if isinstance(detail, str) else title, "problem"
    return None


def _is_problem(document: dict[str, Any], content_type: str | None) -> bool:
    if content_type is not None and _media_type(content_type) == _PROBLEM_JSON:
        return True
    return "type" in document and "status" in document and isinstance(document.get("code"), str)


def _from_envelope(
    status: int,
    headers: dict[str, str],
    raw: bytes,
    now: float | None,
    members: dict[str, Any],
    message: Any,
    shape: ErrorShape,
) -> APIError:
    """Contract 1.5: the envelope's value, else the catalog's, else the category's
    default, else the status table's."""
    code = members.get("code")
    if not isinstance(code, str):
        code = None
    module: str | None
    number: int | None
    entry: ErrorCode | None
    known = _KNOWN.get(code) if code is not None else None
    if known is not None:
        module, number, entry = known
    else:
        module, number = _split_code(code)
        entry = _catalog_entry(code, module, number)
    category = members.get("category")
    if not isinstance(category, str):
        category = entry.category if entry is not None else STATUS_TABLE.get(status, _NO_ROW)[0]
    defaults = CATEGORY_DEFAULTS.get(category) if category is not None else None
    retryable = members.get("retryable")
    if not isinstance(retryable, bool):
        if entry is not None:
            retryable = entry.retryable
        elif defaults is not None:
            retryable = defaults.retryable
        else:
            retryable = STATUS_TABLE.get(status, _NO_ROW)[1]
    severity = members.get("severity")
    if not isinstance(severity, str):
        if entry is not None:
            severity = entry.severity
        else:
            severity = defaults.severity if defaults is not None else "error"
    if not isinstance(message, str):
        message = entry.message if entry is not None else _status_text(status)
    context = members.get("context")
    if not isinstance(context, dict):
        context = None
    return _error_type(category)._decoded(
        message,
        {
            "message": message,
            "code": code,
            "module": module,
            "number": number,
            "category": category,
            "severity": severity,
            "retryable": retryable,
            "context": context,
            "http_status": status,
            "request_id": headers.get("x-request-id"),
            "retry_after": _retry_hint(headers, context, now),
            "attempts": 1,
            "raw_bytes": raw,
            "from_envelope": True,
            "shape": shape,
            "headers": headers,
        },
    )


def _other_shape(
    status: int, headers: dict[str, str], raw: bytes, now: float | None, document: dict[str, Any]
) -> APIError:
    """A JSON object that is no envelope: a gateway status, an error member, or nothing."""
    grpc_code = document.get("code")
    message = document.get("message")
    # bool is an int in Python, and JSON's true is no number: exact types only.
    if (
        type(grpc_code) is int or (type(grpc_code) is float and grpc_code.is_integer())
    ) and isinstance(message, str):
        code, text = _gateway_text(message)
        category = GRPC_STATUS_TABLE.get(int(grpc_code), _NO_GRPC)[1]
        return _from_text(status, headers, raw, now, "grpc_gateway", code, text, None, category)
    error = document.get("error")
    if isinstance(error, str):
        code, text = _code_at_start(message if isinstance(message, str) and message else error)
        context = {k: v for k, v in document.items() if k not in _ERROR_MEMBERS} or None
        return _from_text(status, headers, raw, now, "error_member", code, text, context)
    return _without_envelope(status, headers, raw, now)


def _gateway_text(text: str) -> tuple[str | None, str | None]:
    """(code, message) of a gateway status's message (contract 1.3.1); a ``None`` message
    means the registry's message for the code."""
    prefix = _RPC_PREFIX.match(text)
    if prefix is not None:
        text = text[prefix.end() :]
    codespace = _CODESPACE.match(text)
    if codespace is not None:
        code = f"{codespace[1]}:{codespace[2]}"
        if codespace[0].endswith(": "):
            return code, text[codespace.end() :]  # all that follows, even nothing
        return code, None  # the text ends with the number
    return _code_at_start(text)


def _code_at_start(text: str) -> tuple[str | None, str]:
    """``module:number: message`` -> (code, message); any other text has no code."""
    prefix = _CODE_PREFIX.match(text)
    if prefix is None:
        return None, text
    end = prefix.end()
    return text[: end - 2], text[end:]


def _from_text(
    status: int | None,
    headers: dict[str, str],
    raw: bytes,
    now: float | None,
    shape: ErrorShape,
    code: str | None,
    message: str | None,
    context: dict[str, Any] | None = None,
    grpc_category: str | None = None,
) -> APIError:
    """Contract 1.3.3: a code and a message found in text; the registry does the rest."""
    module: str | None
    number: int | None
    entry: ErrorCode | None
    known = _KNOWN.get(code) if code is not None else None
    if known is not None:
        module, number, entry = known
    else:
        module, number = _split_code(code)
        entry = _catalog_entry(code, module, number)
    category: str | None
    severity: str
    if entry is not None:
        category, severity, retryable = entry.category, entry.severity, entry.retryable
    else:
        if grpc_category is not None:
            category, retryable = grpc_category, False
            defaults = CATEGORY_DEFAULTS.get(category)
            if defaults is not None:
                retryable = defaults.retryable
        else:
            category, retryable = (
                STATUS_TABLE.get(status, _NO_ROW) if status is not None else _NO_ROW
            )
            defaults = CATEGORY_DEFAULTS.get(category) if category is not None else None
        severity = defaults.severity if defaults is not None else "error"
    if message is None:  # a code alone: its registry message, else the status, else itself
        if entry is not None:
            message = entry.message
        else:
            message = _status_text(status) if status is not None else code or ""
    return _error_type(category)._decoded(
        message,
        {
            "message": message,
            "code": code,
            "module": module,
            "number": number,
            "category": category,
            "severity": severity,
            "retryable": retryable,
            "context": context,
            "http_status": status,
            "request_id": headers.get("x-request-id"),
            "retry_after": _retry_hint(headers, context, now),
            "attempts": 1,
            "raw_bytes": raw,
            "from_envelope": False,
            "shape": shape,
            "headers": headers,
        },
    )


def _without_envelope(
    status: int, headers: dict[str, str], raw: bytes, now: float | None
) -> APIError:
    """Contract 1.7: nothing recognised, so the status alone decides."""
    category, retryable = STATUS_TABLE.get(status, _NO_ROW)
    defaults = CATEGORY_DEFAULTS.get(category) if category is not None else None
    message = _status_text(status)
    return _error_type(category)._decoded(
        message,
        {
            "message": message,
            "code": None,
            "module": None,
            "number": None,
            "category": category,
            "severity": defaults.severity if defaults is not None else "error",
            "retryable": retryable,
            "context": None,
            "http_status": status,
            "request_id": headers.get("x-request-id"),
            "retry_after": _retry_hint(headers, None, now),
            "attempts": 1,
            "raw_bytes": raw,
            "from_envelope": False,
            "shape": "none",
            "headers": headers,
        },
    )


def _error_type(category: str | None) -> type[APIError]:
    """The class of a category; the base class for none or one this client does not know."""
    return ERROR_TYPES.get(category, APIError) if category is not None else APIError


def _split_code(code: str | None) -> tuple[str | None, int | None]:
    """``module:number`` split at the last colon; a number that does not parse is ``None``."""
    if code is None:
        return None, None
    module, colon, number = code.rpartition(":")
    if not colon:
        return None, None
    if not (number.isascii() and number.isdigit()):
        return module, None
    significant = number.lstrip("0") or "0"  # leading zeros are allowed: 01037 is 1037
    if len(significant) > 10:  # more digits than any uint32 (and than int() takes)
        return module, None
    value = int(significant)
    return module, value if value <= _MAX_NUMBER else None


def _catalog_entry(code: str | None, module: str | None, number: int | None) -> ErrorCode | None:
    """The registry's entry for exactly (module, number): ``veid:01037`` is ``veid:1037``."""
    if code is None:
        return None
    entry = CODES.get(code)
    if entry is None and number is not None:
        entry = CODES.get(f"{module}:{number}")
    return entry


def _status_text(status: int) -> str:
    phrase = REASON_PHRASES.get(status)
    return f"HTTP {status} {phrase}" if phrase else f"HTTP {status}"


def _retry_hint(
    headers: dict[str, str], context: dict[str, Any] | None, now: float | None
) -> float | None:
    """The server's retry hint in seconds: ``retry-after-ms``, ``Retry-After``,
    ``X-RateLimit-Reset``, context ``reset_at``, the first that is valid. Dates count from
    ``now``; a past date is 0."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        hint = _decimal(millis)
        if hint is not None:
            return hint / 1000
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        hint = _decimal(retry_after)
        if hint is None:
            hint = _until(_http_date(retry_after, now), now)
        if hint is not None:
            return hint
    reset = headers.get("x-ratelimit-reset")
    if reset is not None:
        hint = _decimal(reset)
        if hint is not None:
            if hint < _UNIX_TIME:
                return hint
            return max(hint - (time.time() if now is None else now), 0.0)
    reset_at = context.get("reset_at") if context is not None else None
    if isinstance(reset_at, str):
        return _until(_rfc3339(reset_at), now)
    return None


def _decimal(text: str) -> float | None:
    text = text.strip()
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _http_date(text: str, now: float | None) -> datetime | None:
    """An HTTP-date in any of the three forms RFC 9110 (5.6.7) has a recipient accept
    (contract 4.5.1). The two-digit year of the RFC 850 form is the year with those last
    digits within 50 years of ``now``; a leap second counts as the second before it."""
    text = text.strip()
    form = _IMF_FIXDATE.fullmatch(text)
    if form is not None:
        day, month, year, hour, minute, second = form.groups()
        return _utc(int(year), month, day, hour, minute, second)
    form = _ASCTIME.fullmatch(text)
    if form is not None:
        month, day, hour, minute, second, year = form.groups()
        return _utc(int(year), month, day, hour, minute, second)
    form = _RFC850_DATE.fullmatch(text)
    if form is None:
        return None
    day, month, short_year, hour, minute, second = form.groups()
    this_year = datetime.fromtimestamp(time.time() if now is None else now, UTC).year
    year = this_year - this_year % 100 + int(short_year)
    if year > this_year + 50:
        year -= 100
    elif year <= this_year - 50:
        year += 100
    return _utc(year, month, day, hour, minute, second)


def _utc(year: int, month: str, day: str, hour: str, minute: str, second: str) -> datetime | None:
    try:
        return datetime(
            year,
            _MONTHS[month.lower()],
            int(day),
            int(hour),
            int(minute),
            min(int(second), 59),
            tzinfo=UTC,
        )
    except ValueError:  # 31 Feb, 24:00, ...
        return None


def _rfc3339(text: str) -> datetime | None:
    """An RFC 3339 date-time (section 5.6; contract 4.5.1): a full date, ``T``, a time
    with an optional fraction of a second, and ``Z`` or an offset; ``T`` and ``Z`` may be
    lower case. A date alone, a missing offset or a space for ``T`` is none."""
    form = _RFC3339.fullmatch(text)
    if form is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, offset_h, offset_m = form.groups()
    zone = UTC
    if sign is not None:
        if int(offset_h) > 23 or int(offset_m) > 59:
            return None
        offset = timedelta(hours=int(offset_h), minutes=int(offset_m))
        zone = timezone(-offset if sign == "-" else offset)
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            min(int(second), 59),  # a leap second counts as the second before it
            tzinfo=zone,
        )
    except ValueError:
        return None
    if fraction is None:
        return moment
    return moment + timedelta(seconds=float(f"0.{fraction}"))


def _until(moment: datetime | None, now: float | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        seconds = moment.timestamp() - (time.time() if now is None else now)
    except (OverflowError, OSError, ValueError):
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None
