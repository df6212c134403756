"""IR -> OpenAPI 3.1 document describing VirtEngine error bodies.

The envelope's ``code`` is an open string (a pattern) so that codes servers ship
before clients stay valid; the known codes are listed separately as an enum.
"""

from __future__ import annotations

import functools
from typing import Any

import yaml

from errcodegen.ir import IR, Category, Code
from errcodegen.lang.words import pascal, upper_snake

CODE_PATTERN = r"^[^:\s]+(:[^:\s]+)*:[0-9]+$"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"

Schema = dict[str, Any]


@functools.lru_cache(maxsize=2)
def build_openapi(ir: IR) -> Schema:
    """The error document for ``ir``. Built once per run and shared by the targets that
    read it (openapi, python models, typescript wire types): treat it as read-only."""
    schemas: Schema = {
        "Category": _enum(
            "The kind of failure; decides the client's error type.",
            [c.name for c in ir.categories],
            [c.description for c in ir.categories],
        ),
        "Severity": _enum("How serious the failure is, least to most.", list(ir.severities), None),
        "ErrorCode": {
            "type": "string",
            "pattern": CODE_PATTERN,
            "description": "An error code, `module:number`. Open: servers may send codes "
            "newer than this document (see KnownErrorCode).",
            "examples": [ir.codes[0].key] if ir.codes else ["module:1"],
        },
        "KnownErrorCode": _enum(
            f"Every code in the {ir.name} registry at version {ir.version}.",
            [c.key for c in ir.codes],
            [c.message for c in ir.codes],
            varnames=[upper_snake(c.module, c.name) for c in ir.codes],
        ),
        "ErrorBody": _error_body(),
        "ErrorEnvelope": _envelope("ErrorBody", f"The body of every {ir.name} error response."),
        "Problem": _problem(),
    }
    for category in ir.categories:
        schemas.update(_category_schemas(category))
    schemas["TypedErrorBody"] = {
        "description": "An error body whose `context` is typed by its category.",
        "oneOf": [{"$ref": _ref(_body_name(c))} for c in ir.categories],
        "discriminator": {
            "propertyName": "category",
            "mapping": {c.name: _ref(_body_name(c)) for c in ir.categories},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{ir.name} error envelope",
            "version": ir.version,
            "description": ir.description,
        },
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "paths": {},
        "components": {
            "schemas": schemas,
            "responses": {
                _type_name(c): _response(ir, c) for c in ir.categories if _example_code(ir, c)
            },
        },
    }


class _PlainDumper(yaml.SafeDumper):
    """Writes shared values out in full: anchors and aliases only confuse readers."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(document: Schema) -> str:
    return yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=1000)


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _type_name(category: Category) -> str:
    return pascal(category.name, "error")


def _body_name(category: Category) -> str:
    return pascal(category.name, "error", "body")


def _context_name(category: Category) -> str:
    return pascal(category.name, "context")


def _enum(
    description: str,
    values: list[str],
    descriptions: list[str] | None,
    varnames: list[str] | None = None,
) -> Schema:
    schema: Schema = {"type": "string", "description": description, "enum": values}
    if varnames is not None:
        schema["x-enum-varnames"] = varnames
    if descriptions is not None:
        schema["x-enum-descriptions"] = descriptions
    return schema


def _error_body() -> Schema:
    return {
        "type": "object",
        "description": "A coded error. Members other than `code` and `message` may be "
        "missing; clients fill them from the registry.",
        "required": ["code", "message"],
        "properties": {
            "code": {"$ref": _ref("ErrorCode")},
            "message": {"type": "string", "description": "Human-readable message."},
            "category": {"$ref": _ref("Category")},
            "severity": {"$ref": _ref("Severity")},
            "retryable": {
                "type": "boolean",
                "description": "Whether the same request may succeed if sent again.",
            },
            "context": {
                "type": "object",
                "description": "Structured details; conventional keys depend on the category.",
                "additionalProperties": True,
            },
        },
        "additionalProperties": True,
    }


def _envelope(body: str, description: str) -> Schema:
    return {
        "type": "object",
        "description": description,
        "required": ["error"],
        "properties": {"error": {"$ref": _ref(body)}},
        "additionalProperties": True,
    }


def _problem() -> Schema:
    body = _error_body()["properties"]
    return {
        "type": "object",
        "description": "RFC 9457 problem details with the envelope's members as extensions.",
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "default": "about:blank"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string", "format": "uri-reference"},
            **{
                name: body[name]
                for name in ("code", "category", "severity", "retryable", "context")
            },
        },
        "additionalProperties": True,
    }


def _category_schemas(category: Category) -> Schema:
    context: Schema = {
        "type": "object",
        "description": f"Conventional context of {category.name} errors.",
        "properties": {
            f.name: {
                "type": f.type,
                "description": f.description,
                **({"format": f.format} if f.format else {}),
            }
            for f in category.context_fields
        },
        "additionalProperties": True,
    }
    body: Schema = {
        "description": category.description,
        "allOf": [
            {"$ref": _ref("ErrorBody")},
            {
                "type": "object",
                "required": ["category"],
                "properties": {
                    "category": {"const": category.name},
                    "context": {"$ref": _ref(_context_name(category))},
                },
            },
        ],
    }
    envelope = _envelope(_body_name(category), f"Envelope of a {category.name} error.")
    return {
        _context_name(category): context,
        _body_name(category): body,
        pascal(category.name, "error", "envelope"): envelope,
    }


def _example_code(ir: IR, category: Category) -> Code | None:
    return next((c for c in ir.codes if c.category == category.name and not c.deprecated), None)


_EXAMPLE_VALUES = {"string": "example", "integer": 100, "number": 1.5, "boolean": True}


def _example_context(category: Category) -> dict[str, Any]:
    return {
        f.name: "2026-01-01T00:01:00Z" if f.format == "date-time" else _EXAMPLE_VALUES[f.type]
        for f in category.context_fields
    }


def _response(ir: IR, category: Category) -> Schema:
    code = _example_code(ir, category)
    assert code is not None
    body = {
        "code": code.key,
        "message": code.message,
        "category": code.category,
        "severity": code.severity,
        "retryable": code.retryable,
        "context": _example_context(category),
    }
    problem = {
        "type": "about:blank",
        "title": code.message,
        "status": code.http_status,
        **{k: v for k, v in body.items() if k != "message"},
    }
    return {
        "description": category.description,
        "content": {
            JSON: {
                "schema": {"$ref": _ref(pascal(category.name, "error", "envelope"))},
                "example": {"error": body},
            },
            PROBLEM_JSON: {"schema": {"$ref": _ref("Problem")}, "example": problem},
        },
    }
