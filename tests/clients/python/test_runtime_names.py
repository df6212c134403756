"""The names the lint rule IDENTIFIER_COLLISION knows for Python (``lang.python``'s
``RUNTIME_NAMES`` and ``generated_names``) are exactly what the generated package defines:
every name of a namespace is either generated from a registry entry or a runtime name,
and every generated name exists under the name the rule checks (``APITimeoutError``, not
``TimeoutError``)."""

from __future__ import annotations

import ast
import inspect
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest
import virtengine_errors
import virtengine_errors.grpc  # submodules the package then names
import virtengine_errors.transport
from virtengine_errors import catalog, errors, models, sentinels

from errcodegen.ir.build import build_ir
from errcodegen.lang import python as py
from errcodegen.registry import load_registry

SPEC = Path(__file__).resolve().parents[3] / "spec"


def defined(*modules: ModuleType) -> set[str]:
    """Module-level names, private ones left out (no registry entry can give one), and
    those imported for type checking only."""
    names: set[str] = set()
    for module in modules:
        names |= {n for n in vars(module) if not n.startswith("_")}
        names |= {n for n in ("__all__", "__version__") if hasattr(module, n)}
        names |= _type_checking_imports(module)
    return names


def _type_checking_imports(module: ModuleType) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                if isinstance(statement, ast.ImportFrom):
                    names |= {alias.asname or alias.name for alias in statement.names}
    return names


@pytest.fixture(scope="module")
def generated() -> dict[str, set[str]]:
    ir = build_ir(load_registry(SPEC))
    names: dict[str, set[str]] = defaultdict(set)
    entries = [("platform", ir.name)]
    entries += [("category", c.name) for c in ir.categories]
    entries += [("severity", s) for s in ir.severities]
    entries += [("sentinel", s.name) for s in ir.sentinels]
    for kind, name in entries:
        for namespace, identifier in py.generated_names(kind, name):
            names[namespace].add(identifier)
    return names


NAMESPACES = {
    "package": (virtengine_errors, errors),
    "sentinels.py": (sentinels,),
    "models.py": (models,),
}


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_name_is_generated_or_a_runtime_name(
    namespace: str, generated: dict[str, set[str]]
) -> None:
    names = defined(*NAMESPACES[namespace])
    assert names - generated[namespace] - py.RUNTIME_NAMES[namespace] == set()


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_generated_name_exists(namespace: str, generated: dict[str, set[str]]) -> None:
    assert generated[namespace] - defined(*NAMESPACES[namespace]) == set()


def test_the_runtime_names_are_all_still_defined() -> None:
    for namespace, modules in NAMESPACES.items():
        assert py.RUNTIME_NAMES[namespace] - defined(*modules) == set(), namespace


def test_enum_members_are_the_categories_and_severities(generated: dict[str, set[str]]) -> None:
    assert {member.value for member in catalog.Category} == generated["Category enum"]
    assert {member.value for member in catalog.Severity} == generated["Severity enum"]
