"""The TypeScript client: typed errors, code catalog, decoder, retry helper, fetch glue.

``src/registry.ts`` and ``src/catalog.ts`` hold the registry's data (status table,
reason phrases, retry defaults, every code); the other modules are mostly static
templates that read them. ``package.json`` and the ``tsconfig`` files are built as JSON.

The package ships ESM (``dist/esm``) and CommonJS (``dist/cjs``, marked by its own
``package.json``), each with its declarations, both compiled by ``tsc`` alone.
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
    "transactions.ts.j2": "src/transactions.ts",
    "retry.ts.j2": "src/retry.ts",
    "fetch.ts.j2": "src/fetch.ts",
    "web.ts.j2": "src/web.ts",
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
        "tarball": f"{ir.packages.npm.lstrip('@').replace('/', '-')}-{ir.version}.tgz",
    }
    files: dict[str, str] = {
        path: env.get_template(name).render(context) for name, path in _SOURCES.items()
    }
    files["package.json"] = _json(_package(ir))
    files["tsconfig.json"] = _json(_tsconfig())
    files["tsconfig.cjs.json"] = _json(_tsconfig_cjs())
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


# The build runs with npm's shell on any platform: file steps are `node -e` one-liners.
_CLEAN = "node -e \"require('fs').rmSync('dist', {recursive: true, force: true})\""
_MARK_CJS = (
    "node -e \"require('fs').writeFileSync('dist/cjs/package.json', "
    "JSON.stringify({type: 'commonjs'}) + '\\n')\""
)


def _package(ir: IR) -> dict[str, Any]:
    esm = {"types": "./dist/esm/index.d.ts", "default": "./dist/esm/index.js"}
    cjs = {"types": "./dist/cjs/index.d.ts", "default": "./dist/cjs/index.js"}
    return {
        "name": ir.packages.npm,
        "version": ir.version,
        "description": f"Typed errors, code catalog, decoder and retry helper for {ir.name} APIs",
        "license": "Apache-2.0",
        "type": "module",
        "main": cjs["default"],
        "types": cjs["types"],
        "exports": {".": {"import": esm, "require": cjs}, "./package.json": "./package.json"},
        "files": ["dist", "README.md"],
        "sideEffects": False,
        "engines": {"node": ">=18"},
        "scripts": {
            "build": (
                f"{_CLEAN} && tsc -p tsconfig.json && tsc -p tsconfig.cjs.json && {_MARK_CJS}"
            ),
            "check": "tsc -p tsconfig.json --noEmit",
            "prepack": "npm run build",
        },
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
            "outDir": "dist/esm",
            "rootDir": "src",
            "skipLibCheck": False,
        },
        "include": ["src"],
    }


def _tsconfig_cjs() -> dict[str, Any]:
    return {
        "extends": "./tsconfig.json",
        "compilerOptions": {
            "module": "CommonJS",
            "moduleResolution": "node10",
            "outDir": "dist/cjs",
        },
    }


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


TARGET = Target("typescript", "clients/typescript", render)
