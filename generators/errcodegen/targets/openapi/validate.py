"""Checks on the built document: OpenAPI validity (3.1 or 3.0), every example against its
schema, and no component that nothing references (bundlers drop those, linters warn)."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
from openapi_spec_validator import validate

DOCUMENT_URI = "urn:errcodegen:openapi"


class OpenAPIError(Exception):
    """The generated OpenAPI document is invalid: a generator bug or a hostile registry."""


def validate_openapi(document: dict[str, Any], *, all_referenced: bool = True) -> None:
    try:
        validate(document)
    except Exception as exc:  # the validator raises several unrelated types
        raise OpenAPIError(f"OpenAPI {document.get('openapi')} document is invalid: {exc}") from exc
    for where, schema, example in examples(document):
        _check_example(document, where, schema, example)
    unused = unreferenced_components(document) if all_referenced else []
    if unused:
        raise OpenAPIError("components nothing references: " + ", ".join(unused))


def examples(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], Any]]:
    """(where, schema, value) of every example of every response's media type."""
    found = []
    for name, response in document["components"]["responses"].items():
        for media, content in response.get("content", {}).items():
            where = f"responses.{name}.{media}"
            if "example" in content:
                found.append((where, content["schema"], content["example"]))
            for key, example in content.get("examples", {}).items():
                found.append((f"{where}.{key}", content["schema"], example["value"]))
    return found


def unreferenced_components(document: dict[str, Any]) -> list[str]:
    """Components that no ``$ref`` reaches from the paths or from the responses, headers and
    parameters the document offers (the entry points an API's ``$ref`` uses)."""
    components = document.get("components", {})
    text = json.dumps({k: v for k, v in components.items() if k != "schemas"})
    reached = reachable(components, text + json.dumps(document.get("paths", {})))
    return [
        f"{kind}/{name}"
        for kind, entries in components.items()
        if kind == "schemas"
        for name in entries
        if f"{kind}/{name}" not in reached
    ]


def reachable(components: dict[str, Any], text: str) -> set[str]:
    """The components (``kind/name``) that the local ``$ref``s in ``text`` reach, directly
    or through other components."""
    reached: set[str] = set()
    pending = [text]
    while pending:
        for kind, name in _refs(pending.pop()):
            key = f"{kind}/{name}"
            if key not in reached and name in components.get(kind, {}):
                reached.add(key)
                pending.append(json.dumps(components[kind][name]))
    return reached


def _refs(text: str) -> list[tuple[str, str]]:
    found = []
    marker = '"$ref": "#/components/'
    start = text.find(marker)
    while start >= 0:
        end = text.index('"', start + len(marker))
        kind, _, name = text[start + len(marker) : end].partition("/")
        found.append((kind, name))
        start = text.find(marker, end)
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
    ref = schema.get("$ref")
    validator = jsonschema.Draft202012Validator(
        {"$ref": DOCUMENT_URI + ref} if ref else schema,
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(example), key=lambda e: list(e.path))
    if errors:
        raise OpenAPIError(f"example {where} does not match its schema: {errors[0].message}")
