"""``errcodegen openapi merge API.yaml``: the error responses, headers and parameter of the
error document, added to every operation of an API team's own OpenAPI document.

- The error document's components (schemas, responses, headers, parameters) are copied in,
  rendered for the API's OpenAPI version (3.0.x gets the 3.0.3 rendering). A component the
  API already has under the same name must be identical, else nothing is written.
- Every operation gets a response for each error status it does not declare yet, and a
  ``default`` one. An operation that lists its codes (``x-error-codes: [veid:1036, ...]``)
  gets only the statuses of those codes, each response naming the codes with a link to
  their catalog entry; otherwise it gets every error status of the registry.
- Every operation whose method the clients do not retry on their own (everything but the
  registry's ``retry.idempotent_methods``) gets the ``Idempotency-Key`` header parameter,
  unless it or its path already declares one.

Everything else is left as it is: existing responses, parameters, members and their order.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from errcodegen.ir import IR, Code
from errcodegen.pipeline import prepare
from errcodegen.targets.openapi.build import (
    DEFAULT_RESPONSE,
    IDEMPOTENCY_KEY,
    build_openapi,
    code_url,
    dump_yaml,
    status_response_names,
)
from errcodegen.targets.openapi.oas30 import to_openapi_30
from errcodegen.targets.openapi.validate import reachable, validate_openapi

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CODES_MEMBER = "x-error-codes"
COMPONENT_KINDS = ("schemas", "responses", "headers", "parameters")

Document = dict[str, Any]


class MergeError(Exception):
    """The API document cannot take the error components (nothing is written)."""


def merge_errors(api: Document, ir: IR) -> Document:
    """A copy of ``api`` with the error document merged in (see the module docstring)."""
    version = str(api.get("openapi", ""))
    if version.startswith("3.1"):
        errors = build_openapi(ir)
    elif version.startswith("3.0"):
        errors = to_openapi_30(build_openapi(ir))
    else:
        raise MergeError(f"not an OpenAPI 3.0 or 3.1 document (openapi: {version or 'missing'})")
    merged = copy.deepcopy(api)
    added = _merge_components(merged, errors)
    codes = {c.key: c for c in ir.codes}
    names = status_response_names(ir)
    idempotent = {m.lower() for m in ir.retry.idempotent_methods}
    for path, item in (merged.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            _add_responses(operation, where, ir, errors, codes, names)
            if method not in idempotent and not _has_idempotency_key(
                merged, [*shared, *operation.get("parameters", [])]
            ):
                operation.setdefault("parameters", []).append(
                    {"$ref": f"#/components/parameters/{IDEMPOTENCY_KEY}"}
                )
    _drop_unreached(merged, added)
    return merged


def _drop_unreached(api: Document, added: set[str]) -> None:
    """Remove the components the merge added that nothing in the result reaches (the
    per-category responses, the statuses an API's ``x-error-codes`` do not use): linters
    report unused components, bundlers drop them."""
    components = api["components"]
    own = {
        kind: {name: c for name, c in entries.items() if f"{kind}/{name}" not in added}
        for kind, entries in components.items()
        if isinstance(entries, dict)
    }
    reached = reachable(components, json.dumps(api.get("paths", {})) + json.dumps(own))
    for key in added - reached:
        kind, name = key.split("/", 1)
        del components[kind][name]


def _merge_components(api: Document, errors: Document) -> set[str]:
    """Copy the error components in; the keys (``kind/name``) of those added."""
    components = api.setdefault("components", {})
    conflicts = []
    added = set()
    for kind in COMPONENT_KINDS:
        theirs = components.setdefault(kind, {})
        for name, component in errors["components"].get(kind, {}).items():
            if name not in theirs:
                theirs[name] = copy.deepcopy(component)
                added.add(f"{kind}/{name}")
            elif theirs[name] != component:
                conflicts.append(f"components.{kind}.{name}")
    if conflicts:
        raise MergeError(
            "the API already has different components of the same name: " + ", ".join(conflicts)
        )
    return added


def _add_responses(
    operation: Document,
    where: str,
    ir: IR,
    errors: Document,
    codes: dict[str, Code],
    names: dict[int, str],
) -> None:
    responses = operation.setdefault("responses", {})
    declared = {str(status) for status in responses}
    listed = operation.get(CODES_MEMBER)
    if listed is None:
        for status, name in names.items():
            if str(status) not in declared:
                responses[str(status)] = {"$ref": f"#/components/responses/{name}"}
    else:
        if not isinstance(listed, list) or not all(isinstance(c, str) for c in listed):
            raise MergeError(f"{where}: {CODES_MEMBER} must be a list of codes")
        unknown = [c for c in listed if c not in codes]
        if unknown:
            raise MergeError(f"{where}: {CODES_MEMBER} names unknown codes: {', '.join(unknown)}")
        by_status: dict[int, list[Code]] = {}
        for key in listed:
            by_status.setdefault(codes[key].http_status, []).append(codes[key])
        for status in sorted(by_status):
            if str(status) in declared:
                continue
            component = errors["components"]["responses"][names[status]]
            lines = [f"- [`{c.key}`]({code_url(ir, c)}) {c.message}" for c in by_status[status]]
            responses[str(status)] = {
                "description": component["description"] + "\n\n" + "\n".join(lines),
                "headers": copy.deepcopy(component["headers"]),
                "content": copy.deepcopy(component["content"]),
            }
    if "default" not in declared:
        responses["default"] = {"$ref": f"#/components/responses/{DEFAULT_RESPONSE}"}


def _has_idempotency_key(api: Document, parameters: list[Any]) -> bool:
    for parameter in parameters:
        if not isinstance(parameter, dict):
            continue
        ref = parameter.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/parameters/"):
            parameter = api["components"]["parameters"].get(ref.rsplit("/", 1)[1], {})
        name = str(parameter.get("name", "")).lower()
        if name == "idempotency-key" and parameter.get("in") == "header":
            return True
    return False


def merge_file(path: Path, ir: IR) -> str:
    """The merged document as text, in the input's format (JSON for ``.json``, else YAML),
    validated for its OpenAPI version."""
    text = path.read_text(encoding="utf-8")
    try:
        api = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise MergeError(
            f"{path}: not readable as {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"
        ) from exc
    if not isinstance(api, dict):
        raise MergeError(f"{path}: not an OpenAPI document")
    merged = merge_errors(api, ir)
    try:
        validate_openapi(merged, all_referenced=False)  # the API's own components are its own
    except Exception as exc:  # the validator raises several unrelated types
        raise MergeError(f"the merged document is invalid: {exc}") from exc
    if path.suffix == ".json":
        return json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
    return dump_yaml(merged)


def add_openapi_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: Callable[[argparse.ArgumentParser], None],
) -> None:
    """``errcodegen openapi merge``: registered by the command line."""
    openapi = commands.add_parser("openapi", help="the OpenAPI error document for API teams")
    actions = openapi.add_subparsers(required=True, metavar="action")
    merge = actions.add_parser(
        "merge",
        help="add the error responses, headers and Idempotency-Key to every operation of an API",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(merge)
    merge.add_argument("api", type=Path, metavar="API", help="the API's OpenAPI document")
    merge.add_argument(
        "-o", "--output", type=Path, help="where to write the result (default: standard output)"
    )
    merge.set_defaults(handler=_merge)


def _merge(args: argparse.Namespace) -> int:
    ir = prepare(args.spec).ir
    try:
        text = merge_file(args.api, ir)
    except (OSError, MergeError) as exc:
        print(f"error: {exc}; nothing was written", file=sys.stderr)
        return 2
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0
