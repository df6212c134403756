"""TypeScript interfaces of the wire shapes, read from the OpenAPI document.

The envelope, the RFC 9457 problem and the per-category context objects come from
the schemas the ``openapi`` target builds from the IR, so the client's types and the
published document cannot drift apart. The catalog already names every code, and
``Category``, ``Severity`` and ``ErrorCode`` exist as richer types elsewhere in the
package, so those schemas map onto them instead of being rendered again.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from errcodegen.ir import IR
from errcodegen.lang import typescript as ts
from errcodegen.targets.openapi.build import build_openapi

_RENDERED = ("ErrorBody", "ErrorEnvelope", "Problem")
_CONTEXT = re.compile(r"^[A-Z][A-Za-z]*Context$")
_REFERENCED = {"ErrorCode": "ErrorCodeString", "Category": "Category", "Severity": "Severity"}
_SCALARS = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_REF_PREFIX = "#/components/schemas/"

Schema = dict[str, Any]


def wire_types(ir: IR) -> str:
    """The declarations of ``envelope.ts`` after its header: one per rendered schema."""
    schemas: dict[str, Schema] = build_openapi(ir)["components"]["schemas"]
    names = [n for n in schemas if n in _RENDERED or _CONTEXT.match(n)]
    return "\n".join(_declaration(name, schemas[name]) for name in names)


def _declaration(name: str, schema: Schema) -> str:
    doc = doc_comment(schema.get("description", ""), "")
    properties: dict[str, Schema] = schema.get("properties", {})
    open_ended = schema.get("additionalProperties", False) is not False
    if not properties:
        return f"{doc}export type {name} = Readonly<Record<string, unknown>>;\n"
    required = set(schema.get("required", ()))
    lines = [f"{doc}export interface {name} {{"]
    for member, member_schema in properties.items():
        lines.append(doc_comment(_memberdoc_comment(member_schema), "  ").rstrip("\n"))
        optional = "" if member in required else "?"
        lines.append(f"  readonly {_key(member)}{optional}: {_type(member_schema)};")
    if open_ended:
        lines.append("  /** Members a newer server may add. */")
        lines.append("  readonly [member: string]: unknown;")
    lines.append("}")
    return "\n".join(line for line in lines if line) + "\n"


def _memberdoc_comment(schema: Schema) -> str:
    text = schema.get("description", "")
    if "format" in schema:
        text = f"{text}\n\nFormat: {schema['format']}." if text else f"Format: {schema['format']}."
    return str(text)


def doc_comment(text: str, indent: str) -> str:
    """A doc comment for registry text (any text: comment-safe), indented; on one line
    when it fits, else wrapped at about 90 columns. Empty text gives no comment."""
    if not text:
        return ""
    lines = [
        wrapped
        for line in ts.doc_lines(text)
        for wrapped in (textwrap.wrap(line, 90 - len(indent), break_on_hyphens=False) or [""])
    ]
    if len(lines) == 1 and len(indent) + len(lines[0]) <= 90:
        return f"{indent}/** {lines[0]} */\n"
    body = "".join(f"{indent} *{' ' + line if line else ''}\n" for line in lines)
    return f"{indent}/**\n{body}{indent} */\n"


def _key(name: str) -> str:
    return name if _IDENTIFIER.match(name) else ts.string(name)


def _type(schema: Schema) -> str:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
        target = ref.removeprefix(_REF_PREFIX)
        return _REFERENCED.get(target, target)
    kind = schema.get("type")
    if kind == "object":
        return "Readonly<Record<string, unknown>>"
    return _SCALARS.get(kind, "unknown") if isinstance(kind, str) else "unknown"
