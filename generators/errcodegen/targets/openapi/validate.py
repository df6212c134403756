"""Checks on the built document: OpenAPI 3.1 validity and every example against its schema."""

from __future__ import annotations

from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
from openapi_spec_validator import validate

DOCUMENT_URI = "urn:errcodegen:openapi"


class OpenAPIError(Exception):
    """The generated OpenAPI document is invalid: a generator bug or a hostile registry."""


def validate_openapi(document: dict[str, Any]) -> None:
    try:
        validate(document)
    except Exception as exc:  # the validator raises several unrelated types
        raise OpenAPIError(f"OpenAPI document is invalid: {exc}") from exc
    for where, schema, example in _examples(document):
        _check_example(document, where, schema, example)


def _examples(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    found = []
    for name, response in document["components"]["responses"].items():
        for media, content in response["content"].items():
            found.append((f"responses.{name}.{media}", content["schema"], content["example"]))
    return found


def _check_example(
    document: dict[str, Any], where: str, schema: dict[str, Any], example: Any
) -> None:
    resource = referencing.Resource.from_contents(
        document, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry: referencing.Registry[Any] = referencing.Registry().with_resource(
        DOCUMENT_URI, resource
    )
    ref = schema["$ref"]
    validator = jsonschema.Draft202012Validator(
        {"$ref": DOCUMENT_URI + ref},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(example), key=lambda e: list(e.path))
    if errors:
        raise OpenAPIError(f"example {where} does not match its schema: {errors[0].message}")
