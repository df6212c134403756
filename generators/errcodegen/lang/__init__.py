"""Per-language naming rules, reserved words and literal escaping.

Each language lives in one module here and nowhere else: the targets render
with these functions and the lint rule IDENTIFIER_COLLISION checks with them.
The modules of the three client languages share one interface, ``Language``;
the document formats (html, markdown, prometheus, toml) only escape text.
"""

from __future__ import annotations

from typing import Protocol


class Language(Protocol):
    """What every client language module (``python``, ``typescript``, ``go``) provides.

    mypy checks each module against it (``errcodegen.lint.identifiers.LANGUAGES``);
    a language's own extras (Go's ``code_var``, Python's ``exception_class``) sit beside it.
    """

    RESERVED: frozenset[str]
    """Words an identifier must not be: keywords, and builtins it would shadow."""

    RUNTIME_NAMES: dict[str, frozenset[str]]
    """Names the client's hand-written runtime defines, by namespace."""

    def string(self, text: str) -> str:
        """A string literal whose value is exactly ``text``, for any code point."""
        ...

    def constant(self, *parts: str) -> str:
        """The identifier of a constant named by ``parts`` (words of registry names)."""
        ...

    def type_name(self, *parts: str) -> str:
        """The identifier of a type or class named by ``parts``."""
        ...

    def doc_lines(self, text: str) -> list[str]:
        """``text`` as lines that are safe inside the language's doc comment."""
        ...

    def generated_names(self, kind: str, name: str) -> list[tuple[str, str]]:
        """(namespace, identifier) of what the target names after a registry entry."""
        ...
