"""The shapes of docs/client-behaviour.md 1.3 beyond the shared vectors.

The gRPC code -> category mapping the decoder uses is the registry's ``grpc_status``
table (read here from ``spec/registry.yaml``), and over generated bodies the decoder's
``shape`` is exactly what a plain reading of rule 1.3 with ``json.loads`` gives.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyclient_support import FUZZ_COUNTS
from virtengine_errors import ERROR_TYPES, APIError, decode_error
from virtengine_errors._registry import CATEGORY_DEFAULTS, GRPC_STATUS_TABLE, STATUS_TABLE

SPEC = Path(__file__).resolve().parents[3] / "spec"
REGISTRY = yaml.safe_load((SPEC / "registry.yaml").read_text(encoding="utf-8"))
GRPC = {row["code"]: row for row in REGISTRY["grpc_status"]}
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def not_json(constant: str) -> object:
    """``NaN`` and ``Infinity`` are not JSON (RFC 8259), though ``json.loads`` takes them."""
    raise ValueError(constant)


def test_the_generated_grpc_table_is_the_registry_s() -> None:
    assert {code: (row["name"], row.get("category")) for code, row in GRPC.items()} == dict(
        GRPC_STATUS_TABLE
    )


@pytest.mark.parametrize("grpc_code", range(18))
@pytest.mark.parametrize("status", [400, 404, 500, 503, 599])
def test_a_gateway_status_without_a_code_takes_the_grpc_category(
    grpc_code: int, status: int
) -> None:
    body = json.dumps({"code": grpc_code, "message": "something failed", "details": []})
    error = decode_error(status, {"content-type": "application/json"}, body.encode())
    category = GRPC.get(grpc_code, {}).get("category")
    if category is not None:
        defaults = CATEGORY_DEFAULTS[category]
        expected = (category, defaults.severity, defaults.retryable)
    else:  # the code says nothing: the status table, as without a body
        category, retryable = STATUS_TABLE.get(status, (None, False))
        severity = CATEGORY_DEFAULTS[category].severity if category else "error"
        expected = (category, severity, retryable)
    assert (error.category, error.severity, error.retryable) == expected
    assert type(error) is ERROR_TYPES.get(category or "", APIError)
    assert (error.shape, error.message, error.http_status) == (
        "grpc_gateway",
        "something failed",
        status,
    )


def test_a_gateway_code_is_a_json_number_not_a_bool() -> None:
    for code in ("true", "false", '"5"', "5.5", "null", "[5]", "1e400"):
        body = f'{{"code": {code}, "message": "account not found"}}'.encode()
        assert decode_error(404, {}, body).shape == "none", code
    for code in ("5", "5.0", "5e0", "-0", "123456789012345678901234567890"):
        body = f'{{"code": {code}, "message": "account not found"}}'.encode()
        assert decode_error(404, {}, body).shape == "grpc_gateway", code


def test_codespace_text_followed_by_an_empty_message_keeps_it_empty() -> None:
    """``codespace veid code 1036: `` has a message, empty; only a text that ends with the
    number takes the registry's message (as the TypeScript and Go clients read 1.3.1)."""
    body = b'{"code": 2, "message": "codespace veid code 1036: "}'
    error = decode_error(500, {}, body)
    assert (error.code, error.message, str(error)) == ("veid:1036", "", "veid:1036: ")
    error = decode_error(500, {}, b'{"code": 2, "message": "codespace veid code 1036"}')
    assert (error.code, error.message) == ("veid:1036", "ML inference failed")


def test_a_megabyte_of_plain_text_keeps_1000_code_points() -> None:
    body = ("\U0001f600" * (256 * 1024)).encode()  # 1 MiB of four-byte characters
    error = decode_error(500, {"content-type": "text/plain"}, body)
    assert error.shape == "text" and error.message == "\U0001f600" * 1000
    assert len(error.raw_bytes) == len(body)


# ----- the shape over generated bodies -----

_CODE_AT_START = re.compile(r"[A-Za-z0-9_./-]+:[0-9]+: ")


def reference_shape(body: bytes, content_type: str | None) -> str:
    """Rule 1.3 read plainly, with ``json.loads`` as the parser."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    text = body.decode("utf-8", "replace")
    try:
        document = json.loads(text, parse_constant=not_json)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict):
        return "text" if media_type == "text/plain" and text.strip(" \t\n\v\f\r") else "none"
    error = document.get("error")
    if isinstance(error, dict) and isinstance(error.get("code"), str):
        return "envelope"
    code = document.get("code")
    if media_type == "application/problem+json" or (
        "type" in document and "status" in document and isinstance(code, str)
    ):
        return "problem"
    whole = isinstance(code, int) or (isinstance(code, float) and code.is_integer())
    if whole and not isinstance(code, bool) and isinstance(document.get("message"), str):
        return "grpc_gateway"
    if isinstance(error, str):
        return "error_member"
    return "none"


texts = st.text(
    alphabet=st.sampled_from("ab:9 \n.-/\u00e9\U0001f600"), max_size=24
) | st.sampled_from(
    [
        "codespace veid code 1036: ML inference failed",
        "codespace veid code 1036",
        "rpc error: code = NotFound desc = codespace veid code 1019: scope not found",
        "veid:1036: ML inference failed",
        "veid:1036:x",
        "",
    ]
)
values = (
    st.none()
    | st.booleans()
    | st.integers(-3, 20)
    | st.sampled_from([5.0, 5.5, 1e300, float("inf")])
    | texts
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.sampled_from(["code", "message"]), texts, max_size=2)
)
documents = st.fixed_dictionaries(
    {},
    optional={
        "code": values,
        "message": values,
        "error": values,
        "details": st.just([]),
        "type": values,
        "status": values,
        "limit": st.integers(0, 100),
        "reset_at": st.sampled_from(["2026-01-01T00:00:30Z", "soon"]),
    },
)
bodies = st.one_of(
    documents.map(lambda d: json.dumps(d).encode()),
    texts.map(str.encode),
    st.binary(max_size=40),
)
content_types = st.sampled_from(
    [
        None,
        "application/json",
        "application/problem+json",
        "text/plain",
        "Text/Plain; charset=utf-8",
        "text/html",
    ]
)


@settings(FUZZ, max_examples=1_500)
@given(body=bodies, content_type=content_types, status=st.sampled_from([400, 404, 429, 500, 599]))
def test_the_shape_is_rule_1_3(body: bytes, content_type: str | None, status: int) -> None:
    FUZZ_COUNTS["shape examples"] += 1
    headers = {} if content_type is None else {"content-type": content_type}
    error = decode_error(status, headers, body, now=1_767_225_600.0)
    assert error.shape == reference_shape(body, content_type)
    assert error.from_envelope == (error.shape in ("envelope", "problem"))
    assert str(error) == (
        f"{error.code}: {error.message}" if error.code is not None else error.message
    )
    if error.shape == "error_member":
        document: dict[str, Any] = json.loads(body)
        rest = {k: v for k, v in document.items() if k not in ("error", "message")}
        assert error.context == (rest or None)
    elif error.shape in ("grpc_gateway", "text", "none"):
        assert error.context is None
    if error.shape == "text":
        assert len(error.message) <= 1000
