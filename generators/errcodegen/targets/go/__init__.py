"""The Go client: typed errors, code catalog, decoder, retry helper, net/http transport.

``registry.go``, ``catalog.go`` and ``sentinels.go`` hold the registry's data and are
rendered from ``templates/``; the runtime that reads them (``errors.go``, ``decode.go``,
``abci.go``, ``retry.go``, ``transport.go``) never depends on the registry and is plain Go
in ``runtime/``, copied with the notice and the registry's package name. ``grpcerrors/`` is
a module of its own (it requires google.golang.org/grpc; the client requires nothing): its
code and go.mod are templates, its go.sum is static. ``openapi/`` embeds the OpenAPI error
document. The output goes through ``gofmt``.
"""

from __future__ import annotations

import re
import subprocess
from importlib import resources
from typing import Any

from errcodegen.ir import IR, Code, Sentinel
from errcodegen.lang import go
from errcodegen.targets import Target
from errcodegen.targets.common import NOTICE, template_env
from errcodegen.targets.openapi import documents as openapi_documents
from errcodegen.writer import Files

_SOURCES = [
    "doc",
    "registry",
    "catalog",
    "sentinels",
    "errors",
    "decode",
    "abci",
    "retry",
    "transport",
]
_RUNTIME = frozenset({"errors", "decode", "abci", "retry", "transport"})  # runtime/<name>.go
_MAJOR_SUFFIX = re.compile(r"/v[0-9]+$")
_PACKAGE_CLAUSE = re.compile(r"\Apackage veerrors\n")


def render(ir: IR) -> Files:
    env = template_env(__name__)
    context = _context(ir)
    package = resources.files(__name__)
    files: dict[str, str] = {}
    for name in _SOURCES:
        if name in _RUNTIME:
            source = _runtime((package / "runtime" / f"{name}.go").read_text(encoding="utf-8"), ir)
        else:
            source = env.get_template(f"{name}.go.j2").render(context)
        files[f"{name}.go"] = gofmt(source)
    files["go.mod"] = env.get_template("go.mod.j2").render(context)
    files["README.md"] = env.get_template("README.md.j2").render(context)
    # grpcerrors: a module of its own, so that the client stays standard library only.
    grpc = env.get_template("grpcerrors/grpcerrors.go.j2").render(context)
    files["grpcerrors/grpcerrors.go"] = gofmt(grpc)
    files["grpcerrors/go.mod"] = env.get_template("grpcerrors/go.mod.j2").render(context)
    go_sum = package / "static" / "grpcerrors" / "go.sum"
    files["grpcerrors/go.sum"] = go_sum.read_text(encoding="utf-8")
    # openapi: the OpenAPI error document, embedded by a package of its own.
    files["openapi/openapi.go"] = gofmt(env.get_template("openapi/openapi.go.j2").render(context))
    for name, document in openapi_documents(ir).items():
        files[f"openapi/{name}"] = document
    return files


def _runtime(source: str, ir: IR) -> str:
    """A runtime file as the client holds it: the notice, the registry's package."""
    if not _PACKAGE_CLAUSE.match(source):
        raise ValueError("a Go runtime file must begin with its package clause")
    return f"// {NOTICE}\n\n" + _PACKAGE_CLAUSE.sub(
        f"package {ir.packages.go_package}\n", source, count=1
    )


def gofmt(source: str) -> str:
    """The source as gofmt prints it; a syntax error fails the target."""
    result = subprocess.run(["gofmt"], input=source, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ValueError(f"gofmt rejected the generated Go: {result.stderr.strip()}")
    return result.stdout


def _context(ir: IR) -> dict[str, Any]:
    names = code_vars(ir)
    twins = _sdk_twins(ir, names)
    return {
        "package": ir.packages.go_package,
        "module": go.module_path(ir.packages.go_module, ir.version),
        "grpc_module": go.module_path(
            _MAJOR_SUFFIX.sub("", ir.packages.go_module) + "/grpcerrors", ir.version
        ),
        "platform": ir.name,
        "version": ir.version,
        "tag": go.module_tag(FOLDER, ir.version),
        "retry": ir.retry,
        "categories": [_category(ir, c.name) for c in ir.categories],
        "severities": [
            {"const": severity_const(s), "literal": go.string(s)} for s in ir.severities
        ],
        "status_rules": [
            {
                "status": rule.status,
                "category": category_const(rule.category) if rule.category else '""',
                "retryable": _bool(rule.retryable),
            }
            for rule in ir.status_rules
        ],
        "grpc_statuses": [
            {"code": g.code, "name": g.name, "category": category_const(g.category)}
            for g in ir.grpc_statuses
            if g.category
        ],
        "reason_phrases": [(status, go.string(phrase)) for status, phrase in ir.reason_phrases],
        "idempotent_methods": [go.string(m) for m in ir.retry.idempotent_methods],
        "codes": [_code(code, names[code.key], twins.get(code.key)) for code in ir.codes],
        # Lookup's binary search compares keys as Go compares strings: by UTF-8 bytes.
        "by_key": [names[key] for key in sorted(names, key=lambda key: key.encode("utf-8"))],
        "by_number": [
            names[code.key]
            for code in sorted(
                ir.codes, key=lambda code: (code.module.encode("utf-8"), code.number)
            )
        ],
        "sentinels": [_sentinel(s) for s in ir.sentinels],
    }


def category_const(name: str) -> str:
    return "Category" + go.type_name(name)


def severity_const(name: str) -> str:
    return "Severity" + go.type_name(name)


def code_vars(ir: IR) -> dict[str, str]:
    """The variable of each code, by key (``go.code_vars``); a collision fails the target."""
    codes = ((code.key, code.module, code.name) for code in ir.codes)
    names, collisions = go.code_vars(codes, (s.name for s in ir.sentinels))
    for key, ident, owner in collisions:
        raise ValueError(f"Go identifier {ident} of {key} collides with {owner}")
    return names


def _category(ir: IR, name: str) -> dict[str, Any]:
    category = ir.category(name)
    return {
        "name": name,
        "const": category_const(name),
        "literal": go.string(name),
        "type": go.type_name(name, "error"),
        "doc": go.doc_lines(category.description),
        "severity": severity_const(category.severity),
        "retryable": _bool(category.retryable),
        "http_status": category.http_status,
    }


def _sdk_twins(ir: IR, names: dict[str, str]) -> dict[str, str]:
    """For each SDK copy of an error (a name ending in ``_sdk``), the sentence that
    names the chain module's own code, when the module has one of that name."""
    by_name = {(code.module, code.name): code for code in ir.codes}
    twins = {}
    for code in ir.codes:
        base = code.name.removesuffix("_sdk")
        twin = by_name.get((code.module, base)) if base != code.name else None
        if twin is not None:
            twins[code.key] = (
                f"The platform Go SDK's copy of {names[twin.key]} ({twin.key}), "
                "which the chain module registers."
            )
    return twins


def _code(code: Code, var: str, twin: str | None = None) -> dict[str, Any]:
    doc = go.doc_lines(f"{var} is {code.key}: {code.message}")
    if twin:
        doc += ["", *go.doc_lines(twin)]
    if code.description:
        doc += ["", *go.doc_lines(code.description)]
    if code.action:
        doc += ["", *go.doc_lines(f"Action: {code.action}")]
    if code.deprecated:
        replaced = f" Use {code.replaced_by} instead." if code.replaced_by else ""
        doc += ["", f"Deprecated: no longer returned.{replaced}"]
    return {
        "var": var,
        "doc": doc,
        "key": go.string(code.key),
        "module": go.string(code.module),
        "number": code.number,
        "name": go.string(code.name),
        "message": go.string(code.message),
        "category": category_const(code.category),
        "severity": severity_const(code.severity),
        "retryable": _bool(code.retryable),
        "http_status": code.http_status,
        "deprecated": _bool(code.deprecated),
        "description": go.string(code.description),
        "action": go.string(code.action),
    }


def _sentinel(sentinel: Sentinel) -> dict[str, Any]:
    var = go.sentinel_var(sentinel.name)
    doc = go.doc_lines(f'{var} is the common error "{sentinel.message}".')
    if sentinel.description:
        doc += go.doc_lines(sentinel.description)
    return {
        "var": var,
        "doc": doc,
        "name": go.string(sentinel.name),
        "message": go.string(sentinel.message),
        "categories": [category_const(c) for c in sentinel.categories],
        "codes": [_code_number(c) for c in sentinel.codes],
        "statuses": [str(status) for status in sentinel.statuses],
        "failures": [_FAILURES[f] for f in sentinel.failures],
    }


# The client-side failures of contract 3.1, as sentinels.go.j2 names them.
_FAILURES = {
    "connect": "failureConnect",
    "reset": "failureReset",
    "timeout": "failureTimeout",
    "deadline": "failureDeadline",
    "cancelled": "failureCancelled",
    "max_attempts": "failureMaxAttempts",
}


def _code_number(key: str) -> str:
    module, _, number = key.rpartition(":")
    return f"{{{go.string(module)}, {int(number)}}}"


def _bool(value: bool) -> str:
    return "true" if value else "false"


FOLDER = "clients/go"
TARGET = Target("go", FOLDER, render)
