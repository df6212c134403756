"""The TypeScript client: typed errors, code catalog, decoder, retry helper, fetch glue.

``src/registry.ts`` and ``src/catalog.ts`` hold the registry's data (status table,
reason phrases, retry defaults, every code); the other modules are mostly static
templates that read them. ``package.json`` and ``tsconfig.json`` are built as JSON.
"""

from __future__ import annotations

import json
from typing import Any

from errcodegen.ir import IR, Code, Sentinel
from errcodegen.lang import typescript as ts
from errcodegen.targets import Target
from errcodegen.targets.common import template_env
from errcodegen.targets.typescript.models import doc_comment, wire_types
from errcodegen.writer import Files

TYPESCRIPT_VERSION = "5.6.3"

_SOURCES = {
    "registry.ts.j2": "src/registry.ts",
    "catalog.ts.j2": "src/catalog.ts",
    "envelope.ts.j2": "src/envelope.ts",
    "errors.ts.j2": "src/errors.ts",
    "sentinels.ts.j2": "src/sentinels.ts",
    "decode.ts.j2": "src/decode.ts",
    "retry.ts.j2": "src/retry.ts",
    "fetch.ts.j2": "src/fetch.ts",
    "index.ts.j2": "src/index.ts",
    "README.md.j2": "README.md",
}


def render(ir: IR) -> Files:
    env = template_env(__name__, {"ts": ts.string, "doc": ts.doc_lines})
    context: dict[str, Any] = {
        "ir": ir,
        "retry": ir.retry,
        "categories": [_category(ir, c.name) for c in ir.categories],
        "codes": _unique_constants([_code(code) for code in ir.codes]),
        "sentinels": [_sentinel(s) for s in ir.sentinels],
        "base_error": ts.type_name(ir.name, "error"),
        "wire_types": wire_types(ir),
    }
    files: dict[str, str] = {
        path: env.get_template(name).render(context) for name, path in _SOURCES.items()
    }
    files["package.json"] = _json(_package(ir))
    files["tsconfig.json"] = _json(_tsconfig())
    return files


def _category(ir: IR, name: str) -> dict[str, Any]:
    category = ir.category(name)
    return {
        "category": category,
        "class_name": ts.type_name(name, "error"),
        "guard": ts.member("is", name, "error"),
        "context_type": ts.type_name(name, "context"),
        "fields": [
            {"field": f, "member": ts.string(f.name), "type": _FIELD_TYPES[f.type]}
            for f in category.context_fields
        ],
    }


_FIELD_TYPES = {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}


def _code(code: Code) -> dict[str, Any]:
    retryable = "retryable" if code.retryable else "not retryable"
    facts = (
        f"Category {code.category}, severity {code.severity}, {retryable}, HTTP {code.http_status}."
    )
    paragraphs = [code.message, code.description, code.action and f"Action: {code.action}", facts]
    if code.deprecated:
        replacement = f" Use {code.replaced_by} instead." if code.replaced_by else ""
        paragraphs.append(f"@deprecated{replacement}")
    return {
        "code": code,
        "constant": ts.constant(code.module, code.name),
        "doc": doc_comment(_paragraphs(paragraphs), "  "),
    }


def _unique_constants(codes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reject two codes whose constant names collide (``a_b:c`` and ``a:b_c``)."""
    seen: dict[str, str] = {}
    for item in codes:
        key = item["code"].key
        other = seen.setdefault(item["constant"], key)
        if other != key:
            raise ValueError(
                f"codes {other} and {key} both map to the TypeScript constant "
                f"Codes.{item['constant']}; rename one of them"
            )
    return codes


def _sentinel(sentinel: Sentinel) -> dict[str, Any]:
    return {
        "sentinel": sentinel,
        "guard": ts.member("is", sentinel.name),
        "constant": ts.constant("err", sentinel.name),
        "doc": doc_comment(_paragraphs([sentinel.message, sentinel.description]), ""),
    }


def _paragraphs(paragraphs: list[str]) -> str:
    return "\n\n".join(p for p in paragraphs if p)


def _package(ir: IR) -> dict[str, Any]:
    return {
        "name": ir.packages.npm,
        "version": ir.version,
        "description": f"Typed errors, code catalog, decoder and retry helper for {ir.name} APIs",
        "license": "Apache-2.0",
        "type": "module",
        "main": "./dist/index.js",
        "types": "./dist/index.d.ts",
        "exports": {".": {"types": "./dist/index.d.ts", "default": "./dist/index.js"}},
        "files": ["dist", "README.md"],
        "sideEffects": False,
        "engines": {"node": ">=18"},
        "scripts": {"build": "tsc -p tsconfig.json", "check": "tsc -p tsconfig.json --noEmit"},
        "devDependencies": {"typescript": TYPESCRIPT_VERSION},
    }


def _tsconfig() -> dict[str, Any]:
    return {
        "compilerOptions": {
            "target": "ES2020",
            "module": "ES2020",
            "moduleResolution": "bundler",
            "lib": ["ES2020", "DOM"],
            "strict": True,
            "noUncheckedIndexedAccess": True,
            "exactOptionalPropertyTypes": True,
            "noImplicitOverride": True,
            "noUnusedLocals": True,
            "noUnusedParameters": True,
            "noFallthroughCasesInSwitch": True,
            "declaration": True,
            "sourceMap": True,
            "outDir": "dist",
            "rootDir": "src",
            "skipLibCheck": False,
        },
        "include": ["src"],
    }


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


TARGET = Target("typescript", "clients/typescript", render)
