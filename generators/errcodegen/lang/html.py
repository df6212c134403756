"""HTML: registry text escaped for element content and quoted attributes."""

from __future__ import annotations

import html
import re

from errcodegen.lang.words import safe_text_lines


def text(value: str) -> str:
    """Element content: markup characters escaped, line breaks as ``<br>``, invisible
    characters made visible."""
    return "<br>".join(html.escape(line, quote=True) for line in safe_text_lines(value))


def attribute(value: str) -> str:
    """The value of a double-quoted attribute (quotes included by the template)."""
    return html.escape(" ".join(safe_text_lines(value)), quote=True)


def anchor(value: str) -> str:
    """An ``id`` usable in a URL fragment as is: characters other than letters, digits,
    ``.``, ``_`` and ``-`` become ``.`` (module names never contain one, so ids stay unique)."""
    return re.sub(r"[^A-Za-z0-9._-]", ".", value) or "."
