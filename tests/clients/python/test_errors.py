"""Errors, the catalog and sentinels: the typed surface a developer programs against."""

from __future__ import annotations

import builtins
import pickle
from pathlib import Path

import pytest
import virtengine_errors
import yaml
from virtengine_errors import (
    ERROR_TYPES,
    APIConnectionError,
    APIError,
    APITimeoutError,
    Category,
    ExternalError,
    NotFoundError,
    VirtEngineError,
    catalog,
    decode_error,
    lookup,
    sentinels,
)
from virtengine_errors.models import ErrorEnvelope, Problem

SPEC = Path(__file__).resolve().parents[3] / "spec"

CATEGORIES = {
    "validation",
    "not_found",
    "conflict",
    "unauthorized",
    "state",
    "timeout",
    "external",
    "internal",
    "rate_limit",
}


def test_one_error_class_per_category_under_one_base() -> None:
    assert set(ERROR_TYPES) == CATEGORIES
    for name, cls in ERROR_TYPES.items():
        assert issubclass(cls, APIError) and cls.category_type == name
    assert issubclass(APIError, VirtEngineError)
    assert issubclass(APIConnectionError, VirtEngineError)
    assert not issubclass(APIConnectionError, APIError)
    assert ERROR_TYPES["timeout"] is APITimeoutError
    assert APITimeoutError.__name__ != builtins.TimeoutError.__name__


def test_catalog_constants_and_lookup() -> None:
    # mfa:1225: internal and critical, retryable only by its entry's override (internal's
    # default is not retryable), so the constant must carry the override, not the default
    code = catalog.MFA_CHALLENGE_CREATION_FAILED
    assert lookup("mfa:1225") is code
    assert (code.module, code.number, code.name) == ("mfa", 1225, "challenge_creation_failed")
    assert (code.category, code.severity, code.retryable, code.http_status) == (
        "internal",
        "critical",
        True,
        500,
    )
    assert code.message == "challenge creation failed" and str(code) == "mfa:1225"
    assert lookup("veid:999999") is None and lookup("nonsense") is None


def test_catalog_holds_every_registry_code_and_the_version() -> None:
    modules = [yaml.safe_load(path.read_text()) for path in SPEC.glob("modules/*.yaml")]
    keys = {f"{m['name']}:{code['number']}" for m in modules for code in m.get("codes", [])}
    assert len(keys) > 900
    assert set(catalog.CODES) == keys
    registry = yaml.safe_load((SPEC / "registry.yaml").read_text())
    assert virtengine_errors.__version__ == str(registry["version"])


def test_text_form_and_matching() -> None:
    body = b'{"error": {"code": "veid:1036", "message": "boom"}}'
    error = decode_error(500, {}, body)
    assert isinstance(error, ExternalError)  # the catalog's category (external), not the 500's
    assert str(error) == "veid:1036: boom"
    assert error.matches(catalog.VEID_ML_INFERENCE_FAILED)
    assert error.matches("veid:1036") and not error.matches("veid:1037")
    assert error.entry is catalog.VEID_ML_INFERENCE_FAILED
    plain = decode_error(502, {}, b"<html>")
    assert str(plain) == "HTTP 502 Bad Gateway" and plain.code is None


def test_sentinels_match_by_category_and_by_code() -> None:
    not_found = decode_error(404, {}, b"")
    assert isinstance(not_found, NotFoundError)
    assert not_found.matches(sentinels.NOT_FOUND)
    assert sentinels.NOT_FOUND.matches(not_found)
    code = next(iter(sentinels.ALREADY_EXISTS.codes))
    exists = decode_error(409, {}, f'{{"error": {{"code": "{code}"}}}}'.encode())
    assert exists.matches(sentinels.ALREADY_EXISTS)
    assert not not_found.matches(sentinels.ALREADY_EXISTS)


def test_errors_pickle_with_every_field() -> None:
    body = b'{"error": {"code": "waldur:650", "message": "down", "context": {"service": "w"}}}'
    error = decode_error(503, {"x-request-id": "r1", "retry-after": "2"}, body, now=0)
    error.attempts = 3
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert vars(copy) == vars(error)
    assert str(copy) == str(error)
    connection = pickle.loads(pickle.dumps(APIConnectionError("refused", phase="reset")))
    assert connection.phase == "reset" and connection.request_sent


def test_raise_from_keeps_the_cause() -> None:
    cause = OSError("socket")
    with pytest.raises(APIConnectionError) as caught:
        try:
            raise cause
        except OSError as exc:
            raise APIConnectionError("failed", phase="connect") from exc
    assert caught.value.__cause__ is cause


def test_envelope_models_give_the_typed_view() -> None:
    # the body's category wins over the catalog's (external for veid:1036)
    body = b'{"error": {"code": "veid:1036", "message": "boom", "category": "internal"}}'
    envelope = decode_error(500, {}, body).envelope()
    assert isinstance(envelope, ErrorEnvelope)
    assert envelope.error.code == "veid:1036"  # a str: the package has one ErrorCode
    assert envelope.error.category == Category.INTERNAL  # typed `Category | str`
    odd = b'{"error": {"code": "x:1", "message": "m", "category": "quantum", "severity": "dire"}}'
    kept = decode_error(500, {}, odd).envelope()
    assert isinstance(kept, ErrorEnvelope)
    assert (kept.error.category, kept.error.severity) == ("quantum", "dire")  # kept as sent
    problem_body = b'{"type": "about:blank", "title": "Nope", "status": 404, "code": "x:1"}'
    problem = decode_error(404, {"content-type": "application/problem+json"}, problem_body)
    assert isinstance(problem.envelope(), Problem)
    assert decode_error(502, {}, b"<html>").envelope() is None
