"""The OpenAPI error document, 3.1 and its 3.0.3 twin, built from the IR and validated
before writing."""

from __future__ import annotations

from errcodegen.ir import IR
from errcodegen.targets import Target
from errcodegen.targets.common import NOTICE
from errcodegen.targets.openapi.build import Schema, build_openapi, dump_yaml
from errcodegen.targets.openapi.oas30 import to_openapi_30
from errcodegen.targets.openapi.validate import validate_openapi
from errcodegen.writer import Files

FILE_NAME = "errors.openapi.yaml"
FILE_NAME_30 = "errors.openapi-3.0.yaml"


def render(ir: IR) -> Files:
    document = build_openapi(ir)
    document_30 = to_openapi_30(document)
    validate_openapi(document)
    validate_openapi(document_30)
    return _files(document, document_30)


def documents(ir: IR) -> dict[str, str]:
    """The two files as this target writes them, for the client packages that ship a copy
    (this target validates them; the copies are the same text)."""
    document = build_openapi(ir)
    return _files(document, to_openapi_30(document))


def _files(document: Schema, document_30: Schema) -> dict[str, str]:
    return {
        FILE_NAME: f"# {NOTICE}\n" + dump_yaml(document),
        FILE_NAME_30: f"# {NOTICE}\n" + dump_yaml(document_30),
    }


TARGET = Target("openapi", "spec/openapi", render)
