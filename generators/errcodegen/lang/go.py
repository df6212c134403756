"""Go naming, reserved words and literals."""

from __future__ import annotations

from errcodegen.lang.words import camel, escape_char, pascal, safe_text_lines

# Initialisms Go spells in one case (https://go.dev/wiki/CodeReviewComments#initialisms),
# plus the platform's own.
INITIALISMS = frozenset(
    """acl api ascii cpu css dns eof guid html http https id ip json lhs qps ram rhs rpc sla
    smtp sql ssh tcp tls ttl udp ui uid uuid uri url utf8 vm xml xmpp xsrf xss
    ml mfa hpc gpu sms tee sgx sev jwt oidc saml ibc nli sre dex""".split()
)

RESERVED = frozenset(
    """break case chan const continue default defer else fallthrough for func go goto if
    import interface map package range return select struct switch type var
    any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32
    int64 rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil append cap
    clear close complex copy delete imag len make max min new panic print println real
    recover""".split()
)

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def exported(*parts: str) -> str:
    """``VeidMLInferenceFailed``: an exported identifier with Go's initialisms."""
    name = pascal(*parts, initialisms=INITIALISMS)
    return name if name and not name[0].isdigit() else "X" + name


def unexported(*parts: str) -> str:
    name = camel(*parts, initialisms=INITIALISMS)
    if not name or name[0].isdigit():
        name = "x" + name
    return name + "_" if name in RESERVED else name


def string(text: str) -> str:
    """A double-quoted Go string literal whose value is exactly ``text``."""
    return (
        '"'
        + "".join(
            c if c.isprintable() and c not in _SHORT else escape_char(c, _SHORT, max_hex=0x7F)
            for c in text
        )
        + '"'
    )


def comment_lines(text: str) -> list[str]:
    return safe_text_lines(text)
