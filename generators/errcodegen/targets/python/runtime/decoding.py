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
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from itertools import accumulate
from typing import Any, cast

from ._registry import (
    CATEGORY_DEFAULTS,
    GRPC_STATUS_TABLE,
    MAX_ERROR_BODY_BYTES,
    REASON_PHRASES,
    STATUS_TABLE,
)
from .catalog import CODES, Category, ErrorCode, Severity
from .errors import ERROR_TYPES, APIError, ErrorShape

__all__ = ["Headers", "decode_error", "error_from_grpc_status"]

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
"""Response headers: a mapping (names in any case) or name/value pairs."""

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
# The text of a gateway status (contract 1.3.1) in one match that always succeeds: an
# optional ``rpc error: ...`` prefix, then ``codespace <module> code <number>`` ending the
# text or followed by ``: `` (groups 1-3), else ``<module>:<number>: `` (group 4); the
# message starts where the match ends. ``[0-9]``, not ``\d``: only ASCII digits; ``\Z``,
# not ``$``: a newline at the end is not the end.
_GATEWAY_TEXT = re.compile(
    r"(?:rpc error: code = [A-Za-z]+ desc = )?"
    r"(?:codespace ([A-Za-z0-9_./-]+) code ([0-9]+)(?:(: )|\Z)|([A-Za-z0-9_./-]+:[0-9]+): )?"
)
# A plain error's ``<module>:<number>: `` (contract 1.3.2), read with str methods.
_MODULE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-"
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


# The decoder's scanner (C), called without ``raw_decode``'s Python wrapper: it raises
# StopIteration where no value starts, ValueError (JSONDecodeError) for broken JSON.
# ``JSONDecoder.__init__`` sets it; typeshed does not declare it.
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder(
    parse_constant=_no_constant
).scan_once  # type: ignore[attr-defined]
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
_KNOWN: dict[str | None, tuple[str, int, ErrorCode]] = {
    key: (entry.module, entry.number, entry) for key, entry in CODES.items()
}
"""Registered codes already split: the usual envelope needs one lookup, no parsing."""
_TYPES: dict[str | None, type[APIError]] = dict(ERROR_TYPES.items())
"""``ERROR_TYPES`` as a plain dict (a lookup through the read-only view costs more)."""
_CATEGORIES: dict[str | None, Category] = {member.value: member for member in Category}
_SEVERITIES: dict[str, Severity] = {member.value: member for member in Severity}
"""Names to members, as ``APIError`` keeps them; a name this client does not know stays."""


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
    document = None
    # Only an object can be an envelope; invalid UTF-8 is replaced, not fatal.
    if raw[:1] == b"{" or raw.lstrip(_WHITESPACE)[:1] == b"{":
        document = _json_value(raw.decode("utf-8", "replace"))
    if not isinstance(document, dict):
        if content_type is not None and _media_type(content_type) == "text/plain":
            text = raw.decode("utf-8", "replace").strip(_ASCII_SPACE)
            if text:
                wire_code, text = _code_at_start(text[:_MAX_TEXT])
                return _from_text(status, fields, raw, now, "text", wire_code, text)
        return _without_envelope(status, fields, raw, now)
    error = document.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return _from_envelope(status, fields, raw, now, error, error.get("message"), "envelope")
    code = document.get("code")
    if (content_type is not None and _media_type(content_type) == _PROBLEM_JSON) or (
        "type" in document and "status" in document and isinstance(code, str)
    ):
        detail = document.get("detail")
        message = detail if isinstance(detail, str) else document.get("title")
        return _from_envelope(status, fields, raw, now, document, message, "problem")
    # Not an envelope: a gateway status, an error member, or nothing.
    message = document.get("message")
    # bool is an int in Python, and JSON's true is no number: exact types only.
    if (type(code) is int or (type(code) is float and code.is_integer())) and isinstance(
        message, str
    ):
        category = GRPC_STATUS_TABLE.get(int(code), _NO_GRPC)[1]
        wire_code, gateway_message = _gateway_text(message)
        return _from_text(
            status, fields, raw, now, "grpc_gateway", wire_code, gateway_message, None, category
        )
    if isinstance(error, str):
        wire_code, text = _code_at_start(message if isinstance(message, str) and message else error)
        context = document.copy()  # the other members, in their order
        del context["error"]
        context.pop("message", None)
        return _from_text(
            status, fields, raw, now, "error_member", wire_code, text, context or None
        )
    return _without_envelope(status, fields, raw, now)


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
    if type(headers) is dict:
        try:
            names = "\n".join(headers)
        except TypeError:  # a name that is no str: taken one by one below
            pass
        else:
            if names.lower() == names:  # lower case already (so no two names differ in case)
                return headers.copy()
    items = getattr(headers, "items", None)  # a mapping; cheaper than isinstance(.., Mapping)
    if items is None:
        pairs = cast("Iterable[tuple[str, str]]", headers)
    else:
        fields = {name.lower(): value for name, value in items()}
        if len(fields) == len(cast("Mapping[str, str]", headers)):
            return fields  # no two names differ only in case: nothing to join
        pairs = items()
    fields = {}
    for name, value in pairs:
        key = name.lower()
        fields[key] = f"{fields[key]}, {value}" if key in fields else value
    return fields


def _json_value(text: str) -> Any:
    """The value of a JSON text; ``None`` for ``null`` and for a text that is no usable
    JSON (contract 1.3, 4.5.3): invalid, trailing data, ``NaN`` or ``Infinity``, or nested
    more than 512 levels deep. A lone surrogate escape is read as U+FFFD."""
    # At most 512 brackets cannot nest deeper (nor can a text of at most 512 characters
    # hold more): two counts in C spare the scan.
    if (
        len(text) > _MAX_DEPTH
        and text.count("{") + text.count("[") > _MAX_DEPTH
        and _too_deep(text)
    ):
        return None
    if "\\u" in text and ("\\ud" in text or "\\uD" in text):
        text = _SURROGATE_ESCAPE.sub(_replace_lone_surrogate, text)
    start = 0 if text[:1] not in _JSON_SPACE else len(text) - len(text.lstrip(_JSON_SPACE))
    try:
        document, end = _SCAN(text, start)
    except (StopIteration, ValueError, RecursionError):  # no JSON; a call stack already deep
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


@lru_cache(maxsize=64)  # a server sends the same few Content-Type values over and over
def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


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
    known = _KNOWN.get(code)
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
    error_type = _TYPES.get(category, APIError)
    error = error_type.__new__(error_type, message)
    error.__dict__ = {  # what APIError.__init__ sets, without its cost
        "message": message,
        "code": code,
        "module": module,
        "number": number,
        "category": _CATEGORIES.get(category, category),
        "severity": _SEVERITIES.get(severity, severity),
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
    }
    return error


def _gateway_text(text: str) -> tuple[str | None, str | None]:
    """(code, message) of a gateway status's message (contract 1.3.1); a ``None`` message
    means the registry's message for the code."""
    found = cast("re.Match[str]", _GATEWAY_TEXT.match(text))  # every part is optional
    module, number, colon, code = found.groups()
    if module is not None:  # a codespace and a code
        # the text ends with the number: the registry's message; else all that follows
        return f"{module}:{number}", text[found.end() :] if colon is not None else None
    return code, text[found.end() :]


def _code_at_start(text: str) -> tuple[str | None, str]:
    """``module:number: message`` -> (code, message); any other text has no code."""
    end = text.find(": ")  # neither a module nor a number holds one
    if end > 0:
        code = text[:end]
        module, _, number = code.partition(":")
        # ASCII digits, at least one; a module of ASCII letters, digits and ``_./-``
        if number.isdigit() and number.isascii() and module and not module.strip(_MODULE_CHARS):
            return code, text[end + 2 :]
    return None, text


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
    known = _KNOWN.get(code)
    if known is not None:
        module, number, entry = known
    elif code is None:
        module = number = entry = None
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
    error_type = _TYPES.get(category, APIError)
    error = error_type.__new__(error_type, message)
    error.__dict__ = {  # what APIError.__init__ sets, without its cost
        "message": message,
        "code": code,
        "module": module,
        "number": number,
        "category": _CATEGORIES.get(category, category),
        "severity": _SEVERITIES.get(severity, severity),
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
    }
    return error


def _without_envelope(
    status: int, headers: dict[str, str], raw: bytes, now: float | None
) -> APIError:
    """Contract 1.7: nothing recognised, so the status alone decides."""
    category, retryable = STATUS_TABLE.get(status, _NO_ROW)
    defaults = CATEGORY_DEFAULTS.get(category) if category is not None else None
    severity = defaults.severity if defaults is not None else "error"
    message = _status_text(status)
    error_type = _TYPES.get(category, APIError)
    error = error_type.__new__(error_type, message)
    error.__dict__ = {  # what APIError.__init__ sets, without its cost
        "message": message,
        "code": None,
        "module": None,
        "number": None,
        "category": _CATEGORIES.get(category, category),
        "severity": _SEVERITIES.get(severity, severity),
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
    }
    return error


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
    """A non-negative decimal of ASCII digits with at most one point (``30``, ``1.5``,
    ``.5``, ``5.``), surrounding whitespace ignored; no sign, exponent, ``_`` or ``inf``."""
    text = text.strip()
    digits = text.replace(".", "", 1)
    if not (digits.isdigit() and digits.isascii()):
        return None
    value = float(text)
    return value if value != math.inf else None  # digits beyond any float


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
