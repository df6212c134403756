"""Python naming, reserved words and literals."""

from __future__ import annotations

import builtins
import enum
import keyword

from errcodegen.lang.words import escape_char, pascal, safe_text_lines, upper_snake, words

RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def constant(*parts: str) -> str:
    """``VEID_ML_INFERENCE_FAILED`` for module ``veid``, name ``ml_inference_failed``."""
    return _avoid_reserved(upper_snake(*parts))


def type_name(*parts: str) -> str:
    """``NotFoundError`` for ``not_found``, ``error``."""
    return _avoid_reserved(pascal(*parts))


def exception_class(*parts: str) -> str:
    """``TimeoutError`` for ``timeout``, ``error``: an exception class exported by name.

    Unlike ``type_name`` it may reuse a builtin's name: a package's own ``TimeoutError``
    is imported from the package and caught as ``pkg.TimeoutError`` (as ``asyncio`` did);
    keywords and leading digits are still avoided.
    """
    name = pascal(*parts)
    if not name or name[0].isdigit():
        name = "_" + name
    return name + "_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


_WELL_KNOWN = frozenset(dir(builtins)) | {"ValidationError"}
"""Names a category's exception must not take: a builtin (``TimeoutError``: importing ours
would change what ``except TimeoutError`` catches) or pydantic's ``ValidationError``, which
the users of this pydantic-based package import too."""


def category_exception(category: str) -> str:
    """The exception class of a category: ``NotFoundError`` for ``not_found``, and
    ``APITimeoutError`` for ``timeout`` (the prefix ``API`` where ``exception_class`` would
    take a builtin's name or pydantic's ``ValidationError``)."""
    name = exception_class(category, "error")
    return "API" + name if name in _WELL_KNOWN else name


def attribute(*parts: str) -> str:
    return _avoid_reserved("_".join(words(*parts)))


def _avoid_reserved(name: str) -> str:
    if not name or name[0].isdigit():
        name = "_" + name
    return name + "_" if name in RESERVED else name


def import_order(names: list[str]) -> list[str]:
    """Names in the order isort and ruff want them in one import or ``__all__``:
    CONSTANTS, then Classes, then the rest, each case-insensitively."""

    def kind(name: str) -> int:
        if name.isupper() or (len(name) > 1 and name.lstrip("_").isupper()):
            return 0
        return 1 if name[:1].isupper() else 2

    return sorted(names, key=lambda name: (kind(name), name.lower(), name))


def string(text: str) -> str:
    """A double-quoted Python string literal whose value is exactly ``text``.

    The source stays ASCII: anything else is escaped, so no look-alike letter (a
    mathematical U for a U) or invisible mark hides in the code, and linters agree.
    """
    return (
        '"'
        + "".join(
            c if c.isascii() and c.isprintable() and c not in _SHORT else escape_char(c, _SHORT)
            for c in text
        )
        + '"'
    )


def doc_lines(text: str) -> list[str]:
    """Lines safe inside a ``\"\"\"`` docstring: backslashes and quotes cannot close it;
    non-ASCII characters are escaped (the docstring's value keeps them)."""
    return [
        "".join(
            c if c.isascii() else escape_char(c, {})
            for c in line.replace("\\", "\\\\").replace('"', '\\"')
        )
        for line in safe_text_lines(text)
    ]


def comment_lines(text: str) -> list[str]:
    return safe_text_lines(text)


# What the Python target names after registry entries, and the names its modules define
# whatever the registry holds, by namespace: the package (``errors.py`` and what
# ``__init__.py`` exports, submodules included), ``sentinels.py``, ``models.py`` and the
# members of the two StrEnums of ``catalog.py`` (``Category``, ``Severity``), where an
# inherited attribute cannot be a member. The lint rule IDENTIFIER_COLLISION checks them
# against each other. (``transport.py``'s ``Client``, ``raise_for_error``, ... share no
# namespace with a generated name.) tests/clients/python/test_runtime_names.py keeps these
# lists equal to what the generated package defines.
_ENUM_ATTRIBUTES = frozenset(dir(enum.StrEnum)) | {"name", "value", "mro"}
RUNTIME_NAMES: dict[str, frozenset[str]] = {
    "package": frozenset(
        """annotations TYPE_CHECKING Any ClassVar Literal Self Mapping MappingProxyType
        dataclass ErrorCode ErrorEnvelope Problem Sentinel Category Severity ConnectionPhase
        ErrorShape StopReason Attempt APIError APIConnectionError ERROR_TYPES ClientError
        catalog sentinels errors decoding grpc retry transactions transport models
        REGISTRY_VERSION
        lookup decode_error error_from_grpc_status AsyncRetrier Retrier RetryBudget RetryPolicy
        RetryRequest error_from_abci error_from_tx_response __version__ __all__""".split()
    ),
    "sentinels.py": frozenset(
        """annotations asyncio concurrent sys dataclass Final Literal APIConnectionError
        APIError ClientError Failure Sentinel SENTINELS __all__""".split()
    ),
    "models.py": frozenset(
        """annotations Annotated Any AwareDatetime BaseModel ConfigDict Field Category Severity
        ErrorBody ErrorEnvelope ErrorMessage GatewayStatus GatewayStatusDetail Problem
        __all__""".split()
    ),
    "Category enum": _ENUM_ATTRIBUTES,
    "Severity enum": _ENUM_ATTRIBUTES,
}


def generated_names(kind: str, name: str) -> list[tuple[str, str]]:
    """(namespace, identifier) of what the Python target names after the registry's
    ``kind`` entry ``name`` (kind: platform, category, severity, sentinel)."""
    if kind == "platform":
        root = exception_class(name, "error")  # "ClientError" is then the root itself
        return [] if root == "ClientError" else [("package", root)]
    if kind == "category":
        return [
            ("package", category_exception(name)),
            ("models.py", pascal(name, "context")),
            ("Category enum", name),
        ]
    if kind == "severity":
        return [("Severity enum", name)]
    return [("sentinels.py", constant(name))]
