"""The OpenAPI 3.0.3 twin of the 3.1 document, for tools that read only 3.0.

The 3.1 document already avoids what 3.0 cannot say (``const``, type arrays, ``$ref``
with siblings); what remains differs only in spelling: the version, no
``jsonSchemaDialect``, and a schema's ``examples`` list becomes its one ``example``.
"""

from __future__ import annotations

import copy
from typing import Any

Schema = dict[str, Any]

VERSION = "3.0.3"


def to_openapi_30(document: Schema) -> Schema:
    converted = copy.deepcopy(document)
    converted["openapi"] = VERSION
    converted.pop("jsonSchemaDialect", None)
    for schema in converted.get("components", {}).get("schemas", {}).values():
        _schema_30(schema)
    return converted


def _schema_30(schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    examples = schema.pop("examples", None)
    if isinstance(examples, list) and examples:
        schema["example"] = examples[0]
    if isinstance(schema.get("type"), list):
        raise ValueError(f"a type list has no OpenAPI 3.0 spelling: {schema['type']}")
    for key in ("items", "additionalProperties", "not"):
        _schema_30(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for member in schema.get(key, ()):
            _schema_30(member)
    for member in schema.get("properties", {}).values():
        _schema_30(member)
