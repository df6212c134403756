"""Errors of failed transactions, which the chain answers with HTTP 200.

A broadcast or a transaction query that the chain rejects still succeeds as an HTTP
request: the failure is inside the body, ``{"tx_response": {"codespace": "veid", "code":
1036, "raw_log": "..."}}``, and code 0 means success. No transport raises for it;
``error_from_tx_response(body)`` (or ``error_from_abci`` with the three values) gives the
typed error of the code, or ``None`` when the transaction went through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .catalog import CODES
from .decoding import _json_value
from .errors import ERROR_TYPES, APIError

__all__ = ["error_from_abci", "error_from_tx_response"]

_UNDEFINED = "undefined"  # the Cosmos SDK's codespace for errors registered without one
_MAX_CODE = 0xFFFF_FFFF  # ABCI codes are uint32


def error_from_abci(codespace: str, code: int, log: str) -> APIError | None:
    """The error of a transaction result, or ``None`` for code 0 (success).

    The error's code is ``<codespace>:<code>`` (an empty codespace is ``undefined``); a
    code the registry knows gives its class, category, severity and retryability, any other
    the base ``APIError``, not retryable. The message is ``log``, or the registry's message
    when the log is blank, or the code. There is no HTTP status: ``http_status`` is ``None``
    and ``shape`` is ``"abci"``.
    """
    return None if code == 0 else _abci_error(codespace, code, log, b"")


def error_from_tx_response(body: bytes | str | Mapping[str, Any]) -> APIError | None:
    """The error of a broadcast or transaction query answer, or ``None`` if it succeeded.

    ``body`` is the response body (bytes or text) or the JSON object already parsed. When
    its ``tx_response`` member is an object with an integer ``code``, that code with the
    ``codespace`` and ``raw_log`` strings gives ``error_from_abci``'s error, which keeps
    the body in ``raw_bytes``; anything else (code 0, another shape, invalid JSON) gives
    ``None``. Never raises.
    """
    raw = b""
    document: Any = body
    if isinstance(body, str):
        raw = body.encode("utf-8", "replace")
        document = _json_value(body)
    elif not isinstance(body, Mapping):
        raw = bytes(body)
        document = _json_value(raw.decode("utf-8", "replace"))
    if not isinstance(document, Mapping):
        return None
    result = document.get("tx_response")
    if not isinstance(result, Mapping):
        return None
    code = result.get("code")
    # bool is an int in Python, and JSON's true is no number: exact types only.
    if type(code) is float and code.is_integer():
        code = int(code)
    if type(code) is not int or not 0 < code <= _MAX_CODE:
        return None
    codespace = result.get("codespace")
    raw_log = result.get("raw_log")
    return _abci_error(
        codespace if isinstance(codespace, str) else "",
        code,
        raw_log if isinstance(raw_log, str) else "",
        raw,
    )


def _abci_error(codespace: str, code: int, log: str, raw: bytes) -> APIError:
    module = codespace or _UNDEFINED
    key = f"{module}:{code}"
    entry = CODES.get(key)
    if not log.strip():
        log = entry.message if entry is not None else key
    error_type: type[APIError] = APIError
    category: str | None = None
    severity, retryable = "error", False
    if entry is not None:
        error_type = ERROR_TYPES.get(entry.category, APIError)
        category, severity, retryable = entry.category, entry.severity, entry.retryable
    return error_type._decoded(
        log,
        {
            "message": log,
            "code": key,
            "module": module,
            "number": code,
            "category": category,
            "severity": severity,
            "retryable": retryable,
            "context": None,
            "http_status": None,
            "request_id": None,
            "retry_after": None,
            "attempts": 1,
            "raw_bytes": raw,
            "from_envelope": False,
            "shape": "abci",
        },
    )
