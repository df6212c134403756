"""Conformance vectors derived from the registry: one lookup and one decode case per code.

The decode cases send an envelope with only ``code`` and ``message``, so every
other field a client reports must come from its generated catalog.
"""

from __future__ import annotations

import json
from typing import Any

from errcodegen.ir import IR, Code
from errcodegen.targets import Target
from errcodegen.writer import Files

Case = dict[str, Any]


def render(ir: IR) -> Files:
    return {
        "lookup.json": vector_file([_lookup(code) for code in ir.codes]),
        "decode.json": vector_file([_decode(code) for code in ir.codes]),
    }


def vector_file(cases: list[Case]) -> str:
    """tests/conformance/FORMAT.md's file layout, one case per line so diffs stay readable."""
    lines = ",\n".join("  " + json.dumps(case, ensure_ascii=False) for case in cases)
    return '{"format": 1, "cases": [\n' + lines + "\n]}\n"


def _lookup(code: Code) -> Case:
    return {
        "id": f"lookup/{code.key}",
        "kind": "lookup",
        "code": code.key,
        "expect": {
            "known": True,
            "module": code.module,
            "number": code.number,
            "name": code.name,
            "category": code.category,
            "severity": code.severity,
            "retryable": code.retryable,
            "http_status": code.http_status,
            "message": code.message,
            "deprecated": code.deprecated,
        },
    }


def _decode(code: Code) -> Case:
    body = json.dumps({"error": {"code": code.key, "message": code.message}}, ensure_ascii=False)
    return {
        "id": f"decode/catalog/{code.key}",
        "kind": "decode",
        "description": "Only code and message on the wire: the rest comes from the catalog.",
        "response": {
            "status": code.http_status,
            "headers": {"content-type": "application/json"},
            "body": body,
        },
        "expect": {
            "type": code.category,
            "code": code.key,
            "module": code.module,
            "number": code.number,
            "message": code.message,
            "category": code.category,
            "severity": code.severity,
            "retryable": code.retryable,
            "http_status": code.http_status,
            "envelope": True,
            "text": f"{code.key}: {code.message}",
        },
    }


TARGET = Target("vectors", "tests/conformance/generated", render)
