"""The OpenAPI 3.1 error-envelope document, built from the IR and validated before writing."""

from __future__ import annotations

from errcodegen.ir import IR
from errcodegen.targets import Target
from errcodegen.targets.common import NOTICE
from errcodegen.targets.openapi.build import build_openapi, dump_yaml
from errcodegen.targets.openapi.validate import validate_openapi
from errcodegen.writer import Files

FILE_NAME = "errors.openapi.yaml"


def render(ir: IR) -> Files:
    document = build_openapi(ir)
    validate_openapi(document)
    return {FILE_NAME: f"# {NOTICE}\n" + dump_yaml(document)}


TARGET = Target("openapi", "spec/openapi", render)
