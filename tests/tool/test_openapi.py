"""The OpenAPI error document: what it promises matches what the clients decode, it uses
only constructs mainstream generators understand, and its 3.0.3 twin says the same."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import referencing
import referencing.jsonschema
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from errcodegen.ir.build import build_ir
from errcodegen.registry import load_registry
from errcodegen.targets.openapi import FILE_NAME, FILE_NAME_30
from errcodegen.targets.openapi.build import build_openapi, error_statuses, status_response_names
from errcodegen.targets.openapi.oas30 import to_openapi_30
from errcodegen.targets.openapi.validate import (
    OpenAPIError,
    unreferenced_components,
    validate_openapi,
)

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"
VECTORS = REPO / "tests/conformance/vectors"

Document = dict[str, Any]


@pytest.fixture(scope="module")
def document() -> Document:
    loaded: Document = yaml.safe_load((SPEC / "openapi" / FILE_NAME).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def document_30() -> Document:
    loaded: Document = yaml.safe_load((SPEC / "openapi" / FILE_NAME_30).read_text(encoding="utf-8"))
    return loaded


def _validator(document: Document, name: str) -> jsonschema.Draft202012Validator:
    uri = "urn:test:openapi"
    resource = referencing.Resource.from_contents(
        document, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(uri, resource)
    return jsonschema.Draft202012Validator(
        {"$ref": f"{uri}#/components/schemas/{name}"}, registry=registry
    )


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_both_renderings_are_valid(document: Document, document_30: Document) -> None:
    assert document["openapi"] == "3.1.0"
    assert document_30["openapi"] == "3.0.3"
    validate(document)
    validate(document_30)
    validate_openapi(document)
    validate_openapi(document_30)


def test_the_30_rendering_differs_only_in_spelling(
    document: Document, document_30: Document
) -> None:
    assert "jsonSchemaDialect" not in document_30
    assert to_openapi_30(document) == document_30
    code_30 = document_30["components"]["schemas"]["ErrorCode"]
    assert "examples" not in code_30
    assert code_30["example"] == document["components"]["schemas"]["ErrorCode"]["examples"][0]
    assert document_30["components"]["responses"] == document["components"]["responses"]


def test_a_30_only_validator_rejects_31_spellings(document: Document) -> None:
    """The 3.0 check is real: a 3.1 schema keyword in a 3.0 document fails validation."""
    broken = to_openapi_30(document)
    broken["components"]["schemas"]["ErrorCode"]["type"] = ["string", "null"]
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_no_construct_mainstream_generators_drop(document: Document) -> None:
    nodes = _walk(document["components"]["schemas"])
    assert not [n for n in nodes if "const" in n], "use a one-value enum"
    assert not [n for n in nodes if "allOf" in n], "typed bodies are standalone"
    assert not [n for n in nodes if isinstance(n.get("type"), list)]
    # `$ref` never has siblings: OpenAPI 3.0 ignores them.
    assert not [n for n in _walk(document) if "$ref" in n and len(n) > 1]


def test_category_and_severity_are_open_and_list_known_values(document: Document) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Category"]["anyOf"] == [
        {"$ref": "#/components/schemas/KnownCategory"},
        {"type": "string"},
    ]
    assert "not_found" in schemas["KnownCategory"]["enum"]
    assert schemas["KnownSeverity"]["enum"] == ["info", "warning", "error", "critical"]
    envelope = _validator(document, "ErrorEnvelope")
    body = {"error": {"code": "veid:1036", "category": "quota", "severity": "fatal"}}
    assert envelope.is_valid(body)
    assert _validator(document, "AnyErrorBody").is_valid(body)
    assert not envelope.is_valid({"error": {"code": "veid:1036", "category": 3}})


def test_typed_bodies_narrow_category_with_a_one_value_enum(document: Document) -> None:
    schemas = document["components"]["schemas"]
    body = schemas["NotFoundErrorBody"]
    assert body["properties"]["category"] == {"type": "string", "enum": ["not_found"]}
    assert body["required"] == ["code", "category"]
    typed = _validator(document, "TypedErrorEnvelope")
    assert typed.is_valid({"error": {"code": "veid:1036", "category": "not_found"}})
    assert not typed.is_valid({"error": {"code": "veid:1036", "category": "quota"}})
    mapping = schemas["TypedErrorBody"]["discriminator"]["mapping"]
    assert mapping["not_found"] == "#/components/schemas/NotFoundErrorBody"


def test_required_members_match_what_the_decoder_accepts(document: Document) -> None:
    """Contract 1.3: an envelope needs only a string `code`; a problem recognised by its media
    type needs nothing; the gateway status needs a whole `code` and a string `message`; the
    error member needs a string `error`."""
    schemas = document["components"]["schemas"]
    assert schemas["ErrorBody"]["required"] == ["code"]
    assert "required" not in schemas["Problem"]
    assert schemas["GatewayStatus"]["required"] == ["code", "message"]
    assert schemas["GatewayStatus"]["properties"]["code"]["type"] == "integer"
    assert schemas["ErrorMessage"]["required"] == ["error"]
    assert _validator(document, "ErrorEnvelope").is_valid({"error": {"code": "veid:1036"}})
    assert not _validator(document, "ErrorEnvelope").is_valid({"error": {"message": "x"}})
    assert not _validator(document, "GatewayStatus").is_valid({"code": "5", "message": "x"})
    assert not _validator(document, "ErrorMessage").is_valid({"error": {"code": "x:1"}})


def _vector_bodies() -> list[tuple[str, str, Any]]:
    """(id, shape, body) of every vector whose JSON body the decoder recognises."""
    found = []
    for path in sorted(VECTORS.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            response, expect = case.get("response"), case.get("expect", {})
            shape = expect.get("shape") or ("envelope" if expect.get("envelope") else None)
            if not response or shape in (None, "none", "text"):
                continue  # not recognised as JSON (maybe nested past the decoder's limit)
            try:
                body = json.loads(response.get("body") or "")
            except ValueError:
                continue
            if isinstance(body, dict):
                found.append((case["id"], shape, body))
    return found


def test_every_body_the_vectors_decode_fits_its_schema(document: Document) -> None:
    schema_of = {
        "envelope": ("ErrorEnvelope", "Problem"),
        "problem": ("Problem",),
        "grpc_gateway": ("GatewayStatus",),
        "error_member": ("ErrorMessage",),
    }
    bodies = _vector_bodies()
    assert len(bodies) >= 40
    assert {shape for _, shape, _ in bodies} >= set(schema_of) - {"envelope"} | {"envelope"}
    any_body = _validator(document, "AnyErrorBody")
    schemas = document["components"]["schemas"]
    for case, shape, body in bodies:
        assert any_body.is_valid(body), case
        # The decoder treats an optional member of the wrong type as absent (1.4): only the
        # required members must fit.
        assert any(
            _validator(document, s).is_valid(_required_only(schemas, s, body))
            for s in schema_of[shape]
        ), case


def _required_only(schemas: Document, name: str, body: Any) -> Any:
    schema = schemas[name]
    if not isinstance(body, dict):
        return body
    kept = {k: v for k, v in body.items() if k in schema.get("required", ())}
    for member, value in kept.items():
        ref = schema["properties"][member].get("$ref", "")
        target = ref.removeprefix("#/components/schemas/")
        if schemas.get(target, {}).get("type") == "object":
            kept[member] = _required_only(schemas, target, value)
    return kept


def test_known_error_code_is_referenced_and_nothing_is_unused(document: Document) -> None:
    assert unreferenced_components(document) == []
    text = json.dumps(document["components"]["schemas"]["NotFoundErrorBody"])
    assert "#/components/schemas/KnownErrorCode" in text
    orphan = json.loads(json.dumps(document))
    orphan["components"]["schemas"]["Orphan"] = {"type": "string"}
    assert unreferenced_components(orphan) == ["schemas/Orphan"]
    with pytest.raises(OpenAPIError, match="Orphan"):
        validate_openapi(orphan)


def test_responses_per_status_and_a_default(document: Document) -> None:
    responses = document["components"]["responses"]
    ir = build_ir(load_registry(SPEC))
    names = status_response_names(ir)
    assert names[404] == "NotFound"
    assert names[429] == "TooManyRequests"
    assert names[500] == "InternalServerError"
    assert set(names) == set(error_statuses(ir))
    assert {400, 401, 403, 404, 409, 429, 500, 502, 503, 504} <= set(names)
    for name in [*names.values(), "Error"]:
        content = responses[name]["content"]
        assert [m for m in content if "json" in m] == ["application/json"], name
        assert content["application/json"]["schema"] == {
            "$ref": "#/components/schemas/AnyErrorBody"
        }
        assert "text/plain" in content
        assert responses[name]["headers"]["X-Request-Id"] == {
            "$ref": "#/components/headers/RequestId"
        }
    assert set(responses["TooManyRequests"]["headers"]) == {
        "X-Request-Id",
        "Retry-After",
        "Retry-After-Ms",
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    }
    assert "Retry-After" in responses["ServiceUnavailable"]["headers"]
    assert "Retry-After" not in responses["NotFound"]["headers"]
    assert set(responses["Error"]["headers"]) == set(responses["TooManyRequests"]["headers"])
    # 409 covers both categories that answer it.
    assert "`conflict`" in responses["Conflict"]["description"]
    assert "`state`" in responses["Conflict"]["description"]


def test_headers_and_the_idempotency_key_parameter(document: Document) -> None:
    components = document["components"]
    assert set(components["headers"]) == {
        "RetryAfter",
        "RetryAfterMs",
        "RequestId",
        "RateLimitLimit",
        "RateLimitRemaining",
        "RateLimitReset",
    }
    key = components["parameters"]["IdempotencyKey"]
    assert (key["name"], key["in"], key["required"]) == ("Idempotency-Key", "header", False)


def test_problem_examples_follow_rfc_9457(document: Document) -> None:
    """A per-code type URI names the code's catalog entry; its title is the code's message
    (the same for every occurrence) and `detail` is the occurrence's text."""
    ir = build_ir(load_registry(SPEC))
    by_key = {c.key: c for c in ir.codes}
    problems = [
        example["value"]
        for response in document["components"]["responses"].values()
        for example in response["content"]["application/json"].get("examples", {}).values()
        if "type" in example["value"]
    ]
    assert len(problems) >= 10
    phrases = dict(ir.reason_phrases)
    for problem in problems:
        if problem["type"] == "about:blank":  # RFC 9457 4.2.1: the status's phrase
            assert problem["title"] == phrases[problem["status"]]
            assert "code" not in problem
            continue
        code = by_key[problem["code"]]
        page = code.module.replace("/", ".") + ".md"
        anchor = f"{code.module.replace('/', '.')}-{code.number}"
        assert problem["type"] == (
            f"https://github.com/virtengine/virtengine-errors/blob/main/docs/errors/{page}#{anchor}"
        )
        assert problem["title"] == code.message
        assert isinstance(problem["detail"], str)
        assert problem["status"] == code.http_status


def test_document_is_built_from_the_registry() -> None:
    """Nothing is hard-coded: the fixture registry gives its own codes and statuses."""
    ir = build_ir(load_registry(REPO / "tests/golden/spec"))
    document = build_openapi(ir)
    validate_openapi(document)
    validate_openapi(to_openapi_30(document))
    assert document["components"]["schemas"]["KnownErrorCode"]["enum"] == [c.key for c in ir.codes]


def test_every_type_uri_points_at_a_catalog_anchor(document: Document) -> None:
    """The per-code type URIs land on an entry of the Markdown page, and the same id exists
    in catalog.html; the entry names the constant of each client and the gateway form."""
    catalog = REPO / "docs/errors"
    html_page = (catalog / "catalog.html").read_text(encoding="utf-8")
    prefix = "https://github.com/virtengine/virtengine-errors/blob/main/docs/errors/"
    uris = {
        example["value"]["type"]
        for response in document["components"]["responses"].values()
        for example in response["content"]["application/json"].get("examples", {}).values()
        if example["value"].get("type", "about:blank") != "about:blank"
    }
    assert len(uris) >= 5
    for uri in uris:
        assert uri.startswith(prefix)
        page, anchor = uri.removeprefix(prefix).split("#")
        markdown_page = (catalog / page).read_text(encoding="utf-8")
        assert f'<a id="{anchor}"></a>' in markdown_page, uri
        assert f'<tr id="{anchor}"' in html_page, uri
    veid = (catalog / "veid.md").read_text(encoding="utf-8")
    entry = veid.split('<a id="veid-1036"></a>', 1)[1].split("\n- ", 1)[0]
    assert "`virtengine_errors.catalog.VEID_ML_INFERENCE_FAILED`" in entry
    assert "`Codes.VEID_ML_INFERENCE_FAILED`" in entry
    assert "`veerrors.ErrVeidMLInferenceFailed`" in entry
    assert "`codespace veid code 1036`" in entry
    assert "`ErrMLInferenceFailed`" in entry
