"""Names and pre-rendered values the Python templates place as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from errcodegen.ir import IR, Category, Code, Sentinel
from errcodegen.lang import python as py

BUILD_VERSION = "1.6.1"
"""The ``build`` the README tells users to install (``tasks/python.py`` pins the same)."""


@dataclass(frozen=True)
class NamedCode:
    code: Code
    constant: str


@dataclass(frozen=True)
class NamedCategory:
    category: Category
    exception: str  # e.g. "NotFoundError"


@dataclass(frozen=True)
class NamedMember:
    value: str
    member: str  # e.g. "NOT_FOUND"


@dataclass(frozen=True)
class NamedSentinel:
    sentinel: Sentinel
    constant: str


def dunder_all_order(names: list[str]) -> list[str]:
    """Names in the order ruff's RUF022 wants ``__all__``: CONSTANTS, Classes, the rest,
    each in natural, case-sensitive order (``E_9`` before ``E_10``, ``AB`` before ``A_``)."""

    def kind(name: str) -> int:
        if name.isupper() or (len(name) > 1 and name.lstrip("_").isupper()):
            return 0
        return 1 if name[:1].isupper() else 2

    def natural(name: str) -> tuple[tuple[int, str, int], ...]:
        return tuple(
            (1, "", int(part)) if part.isdigit() else (0, part, 0)
            for part in re.split(r"([0-9]+)", name)
            if part
        )

    return sorted(names, key=lambda name: (kind(name), natural(name)))


def category_exception(category: str) -> str:
    """``NotFoundError`` for ``not_found``; ``APITimeoutError`` for ``timeout``."""
    return py.category_exception(category)


def naming_context(ir: IR) -> dict[str, Any]:
    root_error = py.exception_class(ir.name, "error")
    categories = [NamedCategory(c, category_exception(c.name)) for c in ir.categories]
    error_names = [
        "ERROR_TYPES",
        "APIConnectionError",
        "APIError",
        "Attempt",
        "ErrorShape",
        "StopReason",
        root_error,
    ]
    error_names += [named.exception for named in categories]
    codes = [NamedCode(c, py.constant(c.module, c.name)) for c in ir.codes]
    sentinels = [NamedSentinel(s, py.constant(s.name)) for s in ir.sentinels]
    exported = [
        *error_names,
        "AsyncRetrier",
        "Category",
        "ErrorCode",
        "Retrier",
        "RetryBudget",
        "RetryPolicy",
        "RetryRequest",
        "Sentinel",
        "Severity",
        "__version__",
        "catalog",
        "decode_error",
        "error_from_abci",
        "error_from_grpc_status",
        "error_from_tx_response",
        "lookup",
        "sentinels",
    ]
    return {
        "package": ir.packages.python_package,
        "distribution": ir.packages.python_distribution,
        "wheel": wheel_name(ir.packages.python_distribution, ir.version),
        "build_version": BUILD_VERSION,
        "root_error": root_error,
        "codes": codes,
        "categories": categories,
        "api_prefixed": [
            f"``{named.exception}``"
            for named in categories
            if named.exception != py.exception_class(named.category.name, "error")
        ],
        "category_member": {c.name: py.constant(c.name) for c in ir.categories},
        "severity_member": {s: py.constant(s) for s in ir.severities},
        "category_members": [NamedMember(c.name, py.constant(c.name)) for c in ir.categories],
        "severity_members": [NamedMember(s, py.constant(s)) for s in ir.severities],
        "sentinels": sentinels,
        "example": _example(ir),
        # names of an import list or ``__all__``, in the order ruff's isort wants
        "init_error_imports": py.import_order(error_names),
        "init_all": py.import_order(exported),
        "catalog_all": dunder_all_order(
            ["CODES", "Category", "ErrorCode", "Severity", "lookup"]
            + [named.constant for named in codes]
        ),
        "sentinels_all": dunder_all_order(
            ["Failure", "Sentinel"] + [named.constant for named in sentinels]
        ),
        "errors_all": dunder_all_order(
            list(dict.fromkeys([*error_names, "ClientError", "ConnectionPhase"]))
        ),
    }


def _example(ir: IR) -> dict[str, str]:
    """Names the README's examples use: a real code and a real sentinel of the registry."""
    code = next((c for c in ir.codes if not c.deprecated), ir.codes[0])
    sentinel = ir.sentinels[0].name if ir.sentinels else ""
    not_found = next((c for c in ir.categories if c.name == "not_found"), ir.categories[0])
    return {
        "code_constant": py.constant(code.module, code.name),
        "code_key": code.key,
        "code_module": code.module,
        "code_number": str(code.number),
        "code_message": code.message,
        "code_exception": category_exception(code.category),
        "sentinel_constant": py.constant(sentinel) if sentinel else "",
        "category_exception": category_exception(not_found.name),
    }


def wheel_name(distribution: str, version: str) -> str:
    """The file name of the package's pure-Python wheel (PEP 427 escaping of the name)."""
    return f"{re.sub(r'[-_.]+', '_', distribution).lower()}-{version}-py3-none-any.whl"


def seconds(milliseconds: int) -> str:
    """A Python float literal of ``milliseconds`` in seconds: ``500`` -> ``0.5``."""
    return repr(milliseconds / 1000)


def code_docstring(code: Code) -> list[str]:
    """The docstring lines of a code: its message, then what the registry says about it."""
    paragraphs = [code.message]
    if code.description:
        paragraphs.append(code.description)
    if code.action:
        paragraphs.append(f"Action: {code.action}")
    if code.deprecated:
        paragraphs.append(
            f"Deprecated: use {code.replaced_by}." if code.replaced_by else "Deprecated."
        )
    return _docstring(paragraphs)


def sentinel_docstring(sentinel: Sentinel) -> list[str]:
    paragraphs = [sentinel.message]
    if sentinel.description:
        paragraphs.append(sentinel.description)
    return _docstring(paragraphs)


def _docstring(paragraphs: list[str]) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        if lines:
            lines.append("")
        lines.extend(py.doc_lines(paragraph))
    return lines
