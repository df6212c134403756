"""The TypeScript client: typed errors, code catalog, decoder, retry helper, fetch glue.

What the registry decides is rendered from ``templates/``: ``src/registry.ts`` and
``src/catalog.ts`` (status table, reason phrases, retry defaults, every code),
``src/categories.ts`` (a class and a guard per category), ``src/sentinels.ts`` and
``src/envelope.ts``. The runtime that reads them (errors, decoder, transactions, retry
helper, fetch glue) never depends on the registry: it is real TypeScript in ``runtime/``,
type-checked where it sits (its ``tsconfig.json`` resolves the modules it imports from
the generated client of this repository's registry) and linted in the client, and copied
behind the notice with one substitution, the base error class named after the platform (written
``VirtEngineError`` there, as Go's static files are written in package ``veerrors``).
``package.json`` and the ``tsconfig`` files are built as JSON. ``openapi/`` holds the
OpenAPI error document, exported as ``<package>/openapi.yaml`` and ``openapi-3.0.yaml``.

The package ships ESM (``dist/esm``) and CommonJS (``dist/cjs``, marked by its own
``package.json``), each with its declarations, both compiled by ``tsc`` alone.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

from errcodegen.ir import IR, Code, Sentinel
from errcodegen.lang import typescript as ts
from errcodegen.targets import Target
from errcodegen.targets.common import NOTICE, template_env
from errcodegen.targets.openapi import FILE_NAME as OPENAPI_FILE
from errcodegen.targets.openapi import FILE_NAME_30 as OPENAPI_FILE_30
from errcodegen.targets.openapi import documents as openapi_documents
from errcodegen.targets.typescript.models import doc_comment, wire_types
from errcodegen.writer import Files

TYPESCRIPT_VERSION = "5.6.3"

_SOURCES = {
    "registry.ts.j2": "src/registry.ts",
    "catalog.ts.j2": "src/catalog.ts",
    "envelope.ts.j2": "src/envelope.ts",
    "categories.ts.j2": "src/categories.ts",
    "sentinels.ts.j2": "src/sentinels.ts",
    "index.ts.j2": "src/index.ts",
    "README.md.j2": "README.md",
}
# modules of ``runtime/`` copied into ``src/`` behind the notice
_RUNTIME = (
    "errors.ts",
    "tables.ts",
    "decode.ts",
    "transactions.ts",
    "retry.ts",
    "fetch.ts",
    "web.ts",
)
# the base error class as the runtime names it (this repository's platform is VirtEngine)
_RUNTIME_BASE_ERROR = re.compile(r"(?<![A-Za-z0-9_$])(is)?VirtEngineError(?![A-Za-z0-9_$])")


def render(ir: IR) -> Files:
    env = template_env(__name__, {"ts": ts.string, "doc": ts.doc_lines})
    context: dict[str, Any] = {
        "ir": ir,
        "retry": ir.retry,
        "categories": [_category(ir, c.name) for c in ir.categories],
        "codes": _unique_constants([_code(code) for code in ir.codes]),
        "compact": _compact(ir),
        "sentinels": [_sentinel(s) for s in ir.sentinels],
        "connection_error_type": any("ConnectionError" in _matched(s) for s in ir.sentinels),
        "base_error": ts.type_name(ir.name, "error"),
        "wire_types": wire_types(ir),
        "tarball": f"{ir.packages.npm.lstrip('@').replace('/', '-')}-{ir.version}.tgz",
    }
    files: dict[str, str] = {
        path: env.get_template(name).render(context) for name, path in _SOURCES.items()
    }
    runtime = resources.files(__name__) / "runtime"
    for name in _RUNTIME:
        source = (runtime / name).read_text(encoding="utf-8")
        files[f"src/{name}"] = _runtime(source, context["base_error"])
    for name, document in openapi_documents(ir).items():
        files[f"openapi/{name}"] = document
    files["package.json"] = _json(_package(ir))
    files["tsconfig.json"] = _json(_tsconfig())
    files["tsconfig.cjs.json"] = _json(_tsconfig_cjs())
    return files


def _runtime(source: str, base_error: str) -> str:
    """A runtime module as the client holds it: the notice, the platform's base error."""
    if source.startswith("//"):
        raise ValueError("a runtime TypeScript module must not begin with a line comment")
    named = _RUNTIME_BASE_ERROR.sub(lambda m: (m.group(1) or "") + base_error, source)
    return f"// {NOTICE}\n{named}"


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


_CATEGORY_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _compact(ir: IR) -> dict[str, Any]:
    """The catalog as ``catalog.ts`` holds it (its ``MODULE_CODES`` comment says how)."""
    categories = {c.name: (i, c) for i, c in enumerate(ir.categories)}
    severities = {name: i for i, name in enumerate(ir.severities)}
    if len(categories) > len(_CATEGORY_LETTERS) or len(severities) > 10:
        raise ValueError(
            "the compact TypeScript catalog holds at most 52 categories and 10 severities"
        )
    modules: dict[str, list[str]] = {}
    previous: dict[str, int] = {}
    codes = sorted(ir.codes, key=lambda c: (c.module, c.number))
    for code in codes:
        index, category = categories[code.category]
        step = code.number - previous.get(code.module, 0)
        token = f"{'' if step == 1 else step}{_CATEGORY_LETTERS[index]}"
        if code.retryable != category.retryable:
            token += "!"
        if code.severity != category.severity:
            token += f"~{severities[code.severity]}"
        modules.setdefault(code.module, []).append(token)
        previous[code.module] = code.number
    return {
        "modules": [(module, "".join(tokens)) for module, tokens in modules.items()],
        "messages": [c.message for c in codes],
        "names": [c.name for c in codes],
        "http_statuses": [
            (c.key, c.http_status)
            for c in codes
            if c.http_status != categories[c.category][1].http_status
        ],
        "deprecated": [(c.key, c.replaced_by) for c in codes if c.deprecated],
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
        "generic": "" if _matched(sentinel) == "APIError" else f", {_matched(sentinel)}",
    }


def _matched(sentinel: Sentinel) -> str:
    """The type of what a sentinel can match: error responses, connection errors, or any
    error once it matches aborts and deadlines (a ``DOMException`` from the platform)."""
    failures = set(sentinel.failures)
    if failures & {"cancelled", "deadline"}:
        return "Error"
    responses = bool(sentinel.categories or sentinel.codes or sentinel.statuses)
    if "max_attempts" in failures or (failures and responses):
        return "APIError | ConnectionError"
    return "ConnectionError" if failures else "APIError"


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
        "exports": {
            ".": {"import": esm, "require": cjs},
            "./openapi.yaml": f"./openapi/{OPENAPI_FILE}",
            "./openapi-3.0.yaml": f"./openapi/{OPENAPI_FILE_30}",
            "./package.json": "./package.json",
        },
        "files": ["dist", "openapi", "README.md"],
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
            "target": "ES2022",
            "module": "ES2022",
            "moduleResolution": "bundler",
            "lib": ["ES2022", "DOM"],
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
