"""The Python client: typed errors, code catalog, decoder, retry helper and httpx glue.

The envelope models come from datamodel-code-generator run on the OpenAPI document
built from the same IR. The modules that do not depend on the registry (decoder, retry
helper, httpx transports) are real source in ``runtime/``, copied behind the notice;
what the registry decides is rendered from ``templates/`` into the modules they import.
The license text is copied from ``static/`` as it is; the OpenAPI error document ships
as package data in ``openapi/``.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from errcodegen.ir import IR
from errcodegen.lang import python as py
from errcodegen.lang import toml
from errcodegen.targets import Target
from errcodegen.targets.common import NOTICE, template_env
from errcodegen.targets.openapi import documents as openapi_documents
from errcodegen.targets.python.models import render_models
from errcodegen.targets.python.naming import (
    code_docstring,
    naming_context,
    seconds,
    sentinel_docstring,
)
from errcodegen.writer import Files

# template -> path of the output relative to the package folder (``src/<package>/``)
_PACKAGE_MODULES = {
    "__init__.py.j2": "__init__.py",
    "py.typed.j2": "py.typed",
    "_registry.py.j2": "_registry.py",
    "catalog.py.j2": "catalog.py",
    "errors.py.j2": "errors.py",
    "sentinels.py.j2": "sentinels.py",
}
# modules of ``runtime/`` copied into the package folder as they are, behind the notice
_RUNTIME_MODULES = ("decoding.py", "grpc.py", "retry.py", "transactions.py", "transport.py")
_PROJECT_FILES = {"pyproject.toml.j2": "pyproject.toml", "README.md.j2": "README.md"}
# static file -> path of the output relative to the project folder
_STATIC_FILES = {"LICENSE": "LICENSE"}


def render(ir: IR) -> Files:
    env = template_env(
        __name__,
        {
            "py": py.string,
            "toml": toml.string,
            "doc": py.doc_lines,
            "comment": py.comment_lines,
            "seconds": seconds,
            "code_doc": code_docstring,
            "sentinel_doc": sentinel_docstring,
        },
    )
    context: dict[str, Any] = {"ir": ir, "retry": ir.retry, **naming_context(ir)}
    package = f"src/{ir.packages.python_package}"
    files: dict[str, str] = {
        path: env.get_template(name).render(context) for name, path in _PROJECT_FILES.items()
    }
    for name, path in _PACKAGE_MODULES.items():
        files[f"{package}/{path}"] = env.get_template(name).render(context)
    runtime = resources.files(__name__) / "runtime"
    for name in _RUNTIME_MODULES:
        files[f"{package}/{name}"] = f"# {NOTICE}\n" + (runtime / name).read_text("utf-8")
    files[f"{package}/models.py"] = render_models(ir)
    for name, document in openapi_documents(ir).items():
        files[f"{package}/openapi/{name}"] = document  # package data
    static = resources.files(__name__) / "static"
    for name, path in _STATIC_FILES.items():
        files[path] = (static / name).read_text(encoding="utf-8")
    return files


TARGET = Target("python", "clients/python", render)
