"""A Go tokenizer, just enough to read error registrations faithfully.

It knows Go's comments, interpreted and raw string literals (with every escape),
rune literals and numbers, so a quote inside a string or a comment between
arguments cannot derail the reader. It is not a Go parser: ``parse`` pattern-matches
the token stream.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["ident", "int", "float", "string", "rune", "op", "comment"]


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # source text; for strings and comments, the decoded value
    line: int  # 1-based line of the token's first character
    end_line: int  # line of its last character


class GoSyntaxError(ValueError):
    """The file is not Go this reader understands; the message names the line."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.detail = message
        super().__init__(f"line {line}: {message}")


_SPACE = re.compile(r"[ \t\r\n]+")
_IDENT = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(
    r"0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d[\d_]*(\.[\d_]*)?([eE][+-]?\d+)?|\.\d[\d_]*"
)
_OPS = (
    "<<=", ">>=", "&^=", "...", "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=", ":=",
    "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^",
)  # fmt: skip
_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", "'": "'", '"': '"',
}  # fmt: skip
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def tokenize(source: str) -> list[Token]:
    """Every token of ``source``, comments included, in order."""
    tokens: list[Token] = []
    pos, line = 0, 1
    while pos < len(source):
        space = _SPACE.match(source, pos)
        if space:
            line += space.group().count("\n")
            pos = space.end()
            continue
        token, end = _next_token(source, pos, line)
        tokens.append(token)
        line = token.end_line
        pos = end
    return tokens


def _next_token(source: str, pos: int, line: int) -> tuple[Token, int]:
    ch = source[pos]
    if source.startswith("//", pos):
        end = source.find("\n", pos)
        end = len(source) if end < 0 else end
        return Token("comment", source[pos + 2 : end].rstrip("\r"), line, line), end
    if source.startswith("/*", pos):
        end = source.find("*/", pos + 2)
        if end < 0:
            raise GoSyntaxError(line, "comment not terminated")
        text = source[pos + 2 : end]
        return Token("comment", text, line, line + text.count("\n")), end + 2
    if ch == "`":
        end = source.find("`", pos + 1)
        if end < 0:
            raise GoSyntaxError(line, "raw string literal not terminated")
        raw = source[pos + 1 : end]
        return Token("string", raw.replace("\r", ""), line, line + raw.count("\n")), end + 1
    if ch in "\"'":
        return _quoted(source, pos, line)
    number = _NUMBER.match(source, pos)
    if number:
        kind: Kind = "int" if re.fullmatch(r"0[xXoObB].*|[\d_]+", number.group()) else "float"
        return Token(kind, number.group(), line, line), number.end()
    ident = _IDENT.match(source, pos)
    if ident:
        return Token("ident", ident.group(), line, line), ident.end()
    for op in _OPS:
        if source.startswith(op, pos):
            return Token("op", op, line, line), pos + len(op)
    return Token("op", ch, line, line), pos + 1


def _quoted(source: str, pos: int, line: int) -> tuple[Token, int]:
    quote = source[pos]
    what = "string literal" if quote == '"' else "rune literal"
    out = bytearray()  # Go strings are bytes: \x and octal escapes add single bytes
    i = pos + 1
    while True:
        if i >= len(source) or source[i] == "\n":
            raise GoSyntaxError(line, f"{what} not terminated")
        ch = source[i]
        if ch == quote:
            kind: Kind = "string" if quote == '"' else "rune"
            return Token(kind, out.decode("utf-8", errors="replace"), line, line), i + 1
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        decoded, i = _escape(source, i + 1, line)
        out += decoded


def _escape(source: str, i: int, line: int) -> tuple[bytes, int]:
    """Decode the escape after a backslash at ``i - 1``."""
    ch = source[i : i + 1]
    if ch in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ch].encode(), i + 1
    if ch in _HEX_ESCAPES:
        size = _HEX_ESCAPES[ch]
        digits = source[i + 1 : i + 1 + size]
        if len(digits) != size or not re.fullmatch(r"[0-9a-fA-F]+", digits):
            raise GoSyntaxError(line, f"malformed \\{ch} escape")
        value = int(digits, 16)
        if ch == "x":
            return bytes([value]), i + 1 + size
        if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
            raise GoSyntaxError(line, f"escape \\{ch}{digits} is not a valid Unicode code point")
        return chr(value).encode("utf-8"), i + 1 + size
    if re.fullmatch(r"[0-7]{3}", source[i : i + 3]):
        value = int(source[i : i + 3], 8)
        if value > 0xFF:
            raise GoSyntaxError(line, "octal escape above \\377")
        return bytes([value]), i + 3
    raise GoSyntaxError(line, f"unknown escape sequence \\{ch}")
